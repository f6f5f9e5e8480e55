//! The directory: profiles searched in French (FTS5, best match first, the name
//! weighing most), filtered by kind, theme, country and commune, with the counts
//! per facet of every match and highlighted snippets; public profiles for
//! everyone, every profile for those the policy lets read them.

use qmi_api::identity::{Country, OrganisationKind, Siret};
use qmi_api::partners::{Directory, DirectoryEntry, FacetCount, Facets};
use qmi_kit::http::{Reply, json};
use qmi_kit::{Cursor, Insee, Problem, Value};

use crate::context::{Action, Ctx, Facts, card_of};
use crate::fold::match_query;

/// Items per page unless asked otherwise, and at most.
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;
/// How deep a listing pages (beyond: narrow the search).
const MAX_OFFSET: u32 = 10_000;
/// Most values shown for one facet.
const FACET_VALUES: usize = 50;

/// Column weights of `bm25`: name, summary, description, offers.
const RANK: &str = "bm25(organisation_search, 10.0, 3.0, 1.0, 2.0)";

/// A query parameter parsed, or a 400 naming it.
fn param<T>(
    cx: &Ctx<'_>,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Problem> {
    match cx.req.query.non_empty(name) {
        None => Ok(None),
        Some(raw) => parse(raw.trim()).map(Some).ok_or_else(|| {
            Problem::bad_request(format!("{name} is not valid"))
                .field(name, format!("not a valid {name}: {raw:?}"))
        }),
    }
}

/// `GET /api/organisations`.
pub(crate) async fn search(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let limit = param(cx, "limit", |s| {
        s.parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
    })?
    .unwrap_or(DEFAULT_LIMIT);
    let offset = match cx.req.query.non_empty("cursor") {
        None => 0,
        Some(c) => Cursor::decode(c)?
            .key()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= MAX_OFFSET)
            .ok_or_else(|| {
                Problem::bad_request("the cursor is not valid").field("cursor", "invalid cursor")
            })?,
    };
    let kind = param(cx, "kind", OrganisationKind::parse)?;
    let country = param(cx, "country", |s| s.parse::<Country>().ok())?;
    let commune = param(cx, "commune", |s| s.parse::<Insee>().ok())?;
    let siret = param(cx, "siret", |s| s.parse::<Siret>().ok())?;
    let theme = param(cx, "theme", |s| {
        let t = s.to_lowercase();
        (t.len() <= 60
            && t.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'')))
        .then_some(t)
    })?;
    let typed = cx.req.query.non_empty("q").unwrap_or("");
    if typed.chars().count() > 200 {
        return Err(Problem::bad_request("q is too long").field("q", "at most 200 characters"));
    }
    let fts = match_query(typed);

    // Who sees what: the policy is asked about a profile that is not public and
    // not the caller's (commune people and programme operators see them all),
    // then about the caller's own organisation (its members see it).
    let hidden = Facts {
        organisation: Some("-".to_owned()),
        ..Facts::default()
    };
    let all = cx.sees(Action::PartnerRead, &hidden);
    let own = cx.who().and_then(|p| p.org.clone()).filter(|org| {
        cx.sees(
            Action::PartnerRead,
            &Facts {
                organisation: Some(org.clone()),
                ..Facts::default()
            },
        )
    });

    let mut cond: Vec<String> = vec!["o.merged_into IS NULL".to_owned()];
    let mut params: Vec<Value> = Vec::new();
    if let Some(q) = &fts {
        cond.push("organisation_search MATCH ?".to_owned());
        params.push(q.as_str().into());
    }
    if !all {
        // Searching by SIRET, an account without an organisation also finds the
        // one it may ask to join (the join request itself is identity's to allow).
        let join = siret.is_some()
            && cx.who().is_some_and(|p| p.org.is_none())
            && cx.sees(Action::OrganisationJoin, &hidden);
        match (&own, join) {
            (_, true) => {}
            (Some(org), false) => {
                cond.push("(o.public = 1 OR o.id = ?)".to_owned());
                params.push(org.as_str().into());
            }
            (None, false) => cond.push("o.public = 1".to_owned()),
        }
    }
    if let Some(k) = kind {
        cond.push("o.kind = ?".to_owned());
        params.push(k.as_str().into());
    }
    if let Some(c) = &country {
        cond.push("o.country = ?".to_owned());
        params.push(c.as_str().into());
    }
    if let Some(s) = &siret {
        cond.push("o.siret = ?".to_owned());
        params.push(s.as_str().into());
    }
    if let Some(t) = &theme {
        cond.push("EXISTS (SELECT 1 FROM organisation_themes t WHERE t.organisation_id = o.id AND t.theme = ?)".to_owned());
        params.push(t.as_str().into());
    }
    if let Some(i) = &commune {
        cond.push("EXISTS (SELECT 1 FROM organisation_presence p WHERE p.organisation_id = o.id AND p.insee = ?)".to_owned());
        params.push(i.into());
    }
    let from = if fts.is_some() {
        "organisation_search JOIN organisations o ON o.rowid = organisation_search.rowid"
    } else {
        "organisations o"
    };
    let filter = cond.join(" AND ");
    let (snippet, order) = if fts.is_some() {
        (
            "snippet(organisation_search, -1, '[', ']', '…', 16)".to_owned(),
            format!("{RANK}, o.id"),
        )
    } else {
        ("NULL".to_owned(), "o.name COLLATE NOCASE, o.id".to_owned())
    };

    let mut page_params = params.clone();
    page_params.push(i64::from(limit + 1).into());
    page_params.push(i64::from(offset).into());
    let rows = cx
        .db
        .platform()
        .run(
            &format!(
                "SELECT o.id, o.name, o.kind, o.country, o.siret, o.city, o.summary_fr, o.public, {snippet} AS snippet,
                        (SELECT group_concat(theme, ',') FROM organisation_themes t WHERE t.organisation_id = o.id) AS themes
                 FROM {from} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
            ),
            page_params,
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows.iter() {
        let card = card_of(&r)?;
        items.push(DirectoryEntry {
            id: card.id,
            name: card.name,
            kind: card.kind,
            country: card.country,
            siret: card.siret,
            city: r.string("city"),
            summary: r.string("summary_fr"),
            themes: r
                .text("themes")
                .map(|t| t.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            public: r.int("public") == Some(1),
            snippet: r.text("snippet").map(str::to_owned),
        });
    }
    let next_cursor = (items.len() > limit as usize && offset + limit <= MAX_OFFSET)
        .then(|| Cursor::after((offset + limit).to_string()).encode());
    items.truncate(limit as usize);

    let facet_rows = cx
        .db
        .platform()
        .run(
            &format!(
                "WITH m (r, id) AS (SELECT o.rowid, o.id FROM {from} WHERE {filter})
                 SELECT 'total' AS f, '' AS v, COUNT(*) AS n FROM m
                 UNION ALL SELECT 'kind', o.kind, COUNT(*) FROM m JOIN organisations o ON o.rowid = m.r GROUP BY o.kind
                 UNION ALL SELECT 'country', o.country, COUNT(*) FROM m JOIN organisations o ON o.rowid = m.r GROUP BY o.country
                 UNION ALL SELECT 'theme', t.theme, COUNT(*) FROM m JOIN organisation_themes t ON t.organisation_id = m.id GROUP BY t.theme
                 UNION ALL SELECT 'commune', p.insee, COUNT(DISTINCT p.organisation_id) FROM m JOIN organisation_presence p ON p.organisation_id = m.id GROUP BY p.insee"
            ),
            params,
        )
        .await?;
    let mut total = 0;
    let mut facets = Facets::default();
    for r in facet_rows.iter() {
        let count = u64::try_from(r.int("n").unwrap_or(0)).unwrap_or(0);
        let entry = FacetCount {
            value: r.string("v"),
            count,
        };
        match r.text("f") {
            Some("total") => total = count,
            Some("kind") => facets.kind.push(entry),
            Some("country") => facets.country.push(entry),
            Some("theme") => facets.theme.push(entry),
            Some("commune") => facets.commune.push(entry),
            _ => {}
        }
    }
    for list in [
        &mut facets.kind,
        &mut facets.country,
        &mut facets.theme,
        &mut facets.commune,
    ] {
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        list.truncate(FACET_VALUES);
    }
    Ok(json(
        200,
        &Directory {
            items,
            next_cursor,
            total,
            facets,
        },
    ))
}
