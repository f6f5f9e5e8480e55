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

    // The matches: conditions on `organisation_facets f` (narrow, keyed by the
    // search index's rowid), the search itself apart.
    let mut cond: Vec<&str> = vec!["f.live = 1"];
    let mut params: Vec<Value> = Vec::new();
    if !all {
        // Searching by SIRET, an account without an organisation also finds the
        // one it may ask to join (the join request itself is identity's to allow).
        let join = siret.is_some()
            && cx.who().is_some_and(|p| p.org.is_none())
            && cx.sees(Action::OrganisationJoin, &hidden);
        match (&own, join) {
            (_, true) => {}
            (Some(org), false) => {
                cond.push("(f.public = 1 OR f.r = (SELECT rowid FROM organisations WHERE id = ?))");
                params.push(org.as_str().into());
            }
            (None, false) => cond.push("f.public = 1"),
        }
    }
    if let Some(k) = kind {
        cond.push("f.kind = ?");
        params.push(k.as_str().into());
    }
    if let Some(c) = &country {
        cond.push("f.country = ?");
        params.push(c.as_str().into());
    }
    if let Some(s) = &siret {
        cond.push(
            "f.r IN (SELECT rowid FROM organisations WHERE siret = ? AND merged_into IS NULL)",
        );
        params.push(s.as_str().into());
    }
    // Through the theme's and the commune's indexes.
    if let Some(t) = &theme {
        cond.push("f.r IN (SELECT r FROM facet_themes WHERE theme = ?)");
        params.push(t.as_str().into());
    }
    if let Some(i) = &commune {
        cond.push("f.r IN (SELECT r FROM facet_communes WHERE insee = ?)");
        params.push(i.into());
    }
    let filter = cond.join(" AND ");
    // With a search, its matches first (`m_params`: the search's words, then the
    // conditions' values).
    let (from, m_params) = match &fts {
        Some(q) => {
            let mut all_params: Vec<Value> = vec![q.as_str().into()];
            all_params.extend(params.iter().cloned());
            (
                "organisation_search JOIN organisation_facets f ON f.r = organisation_search.rowid WHERE organisation_search MATCH ? AND",
                all_params,
            )
        }
        None => ("organisation_facets f WHERE", params.clone()),
    };

    const ENTRY: &str = "o.id, o.name, o.kind, o.country, o.siret, o.city, o.summary_fr, o.public, \
        (SELECT group_concat(theme, ',') FROM organisation_themes t WHERE t.organisation_id = o.id) AS themes";
    let rows = match &fts {
        // The page's rows ranked on the narrow table alone; the profiles and
        // their snippets read for those rows only (`+rowid`: filtered while the
        // search runs once, not one search per row).
        Some(q) => {
            let mut page_params: Vec<Value> = vec![q.as_str().into()];
            page_params.extend(m_params.iter().cloned());
            page_params.push(i64::from(limit + 1).into());
            page_params.push(i64::from(offset).into());
            cx.db
                .platform()
                .run(
                    &format!(
                        "SELECT {ENTRY}, snippet(organisation_search, -1, '[', ']', '…', 16) AS snippet
                         FROM organisation_search JOIN organisations o ON o.rowid = organisation_search.rowid
                         WHERE organisation_search MATCH ? AND +organisation_search.rowid IN (
                             SELECT r FROM (SELECT f.r AS r FROM {from} {filter} ORDER BY {RANK}, f.r LIMIT ? OFFSET ?) AS page)
                         ORDER BY {RANK}, o.rowid"
                    ),
                    page_params,
                )
                .await?
        }
        None => {
            let mut page_params = params.clone();
            page_params.push(i64::from(limit + 1).into());
            page_params.push(i64::from(offset).into());
            cx.db
                .platform()
                .run(
                    &format!(
                        "SELECT {ENTRY}, NULL AS snippet
                         FROM organisations o JOIN organisation_facets f ON f.r = o.rowid
                         WHERE o.merged_into IS NULL AND {filter}
                         ORDER BY o.name COLLATE NOCASE, o.id LIMIT ? OFFSET ?"
                    ),
                    page_params,
                )
                .await?
        }
    };
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

    // The whole directory, unsearched and unfiltered (the directory's first
    // page): its facets are kept until the next write (`directory_facets`,
    // emptied by triggers); any other search counts its own matches.
    let unfiltered = fts.is_none()
        && kind.is_none()
        && country.is_none()
        && siret.is_none()
        && theme.is_none()
        && commune.is_none();
    let scope = match (unfiltered, all, &own) {
        (true, true, _) => Some("all"),
        (true, false, None) => Some("public"),
        _ => None,
    };
    let (total, facets) = match scope {
        Some(scope) => cached_facets(cx, scope, from, &filter, m_params).await?,
        None => count_facets(cx, from, &filter, m_params).await?,
    };
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

/// Counts the facets of every match (`from` … `filter`: one evaluation of the
/// search, its matches materialized once from the narrow table, then grouped;
/// themes and communes from each match's JSON arrays).
async fn count_facets(
    cx: &Ctx<'_>,
    from: &str,
    filter: &str,
    params: Vec<Value>,
) -> Result<(u64, Facets), Problem> {
    let rows = cx
        .db
        .platform()
        .run(
            &format!(
                "WITH m AS MATERIALIZED (SELECT f.kind, f.country, f.themes, f.communes FROM {from} {filter})
                 SELECT 'total' AS f, '' AS v, COUNT(*) AS n FROM m
                 UNION ALL SELECT 'kind', kind, COUNT(*) FROM m GROUP BY kind
                 UNION ALL SELECT 'country', country, COUNT(*) FROM m GROUP BY country
                 UNION ALL SELECT 'theme', j.value, COUNT(*) FROM m, json_each(m.themes) j GROUP BY j.value
                 UNION ALL SELECT 'commune', j.value, COUNT(*) FROM m, json_each(m.communes) j GROUP BY j.value"
            ),
            params,
        )
        .await?;
    let mut total = 0;
    let mut facets = Facets::default();
    for r in rows.iter() {
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
    Ok((total, facets))
}

/// The facets of the whole directory as `scope` (`public`, `all`) sees it: kept
/// in `directory_facets` until a write empties it. Counted and kept in one
/// transaction, so a write committed meanwhile makes the keeping fail rather
/// than keep stale counts (the answer is then counted, not kept).
async fn cached_facets(
    cx: &Ctx<'_>,
    scope: &str,
    from: &str,
    filter: &str,
    params: Vec<Value>,
) -> Result<(u64, Facets), Problem> {
    let kept = cx
        .db
        .platform()
        .run(
            "SELECT total, facets FROM directory_facets WHERE scope = ?",
            vec![scope.into()],
        )
        .await?;
    if let Some(row) = kept.first()
        && let Some(Ok(facets)) = row.text("facets").map(serde_json::from_str::<Facets>)
    {
        return Ok((
            u64::try_from(row.int("total").unwrap_or(0)).unwrap_or(0),
            facets,
        ));
    }
    let counted = cx
        .db
        .atomic(async |db| {
            let (total, facets) = count_facets(cx, from, filter, params.clone()).await?;
            let text = serde_json::to_string(&facets).map_err(Problem::internal)?;
            db.platform()
                .run(
                    "INSERT INTO directory_facets (scope, total, facets) VALUES (?, ?, ?) ON CONFLICT (scope) DO UPDATE SET total = excluded.total, facets = excluded.facets",
                    vec![scope.into(), i64::try_from(total).unwrap_or(i64::MAX).into(), text.into()],
                )
                .await?;
            Ok::<_, Problem>((total, facets))
        })
        .await;
    match counted {
        Ok(answer) => Ok(answer),
        // Not kept (a write came in between): the answer is counted all the same.
        Err(_) => count_facets(cx, from, filter, params).await,
    }
}
