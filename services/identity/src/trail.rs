//! A commune's audit trail, and the platform's (issue 18): each audited service
//! keeps its own chains (`qmi_kit::audit`); identity reads its own and gathers the
//! others' over their internal routes, merged newest first.
//!
//! The cursor holds, per service in [`internal::AUDITED`] order, the position
//! (`seq`) to read below: `0` from the newest, `-1` when the service has no
//! more.

use qmi_api::accountability::{AUDITED_SERVICES, AuditEntry, AuditPage};
use qmi_api::internal::{self, AUDIT_SUFFIX};
use qmi_api::{Insee, routes::identity::Op};
use qmi_kit::Problem;
use qmi_kit::audit::Filter;
use qmi_kit::csv::{Cell, csv};
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, bytes, json};
use qmi_kit::page::Query;

use super::{Ctx, Operation};

/// Most entries a CSV export holds.
const MAX_EXPORT: usize = 50_000;

/// `GET /api/communes/{insee}/audit`, `GET /api/admin/audit`.
pub(super) async fn list(cx: &Ctx<'_>, op: Op) -> Result<Reply, Problem> {
    let insee = match op {
        Op::ListPlatformAudit => None,
        _ => Some(cx.insee()?),
    };
    let p = cx.principal()?;
    let allowed = cx
        .allow(Some(&p), Operation::ReadAudit(insee.as_ref()))
        .await?;
    let (filter, cursor) = filter(cx)?;
    cx.db.absorb_refusals(allowed.tenant()).await?;
    let page = page(cx, &allowed, &filter, cursor).await?;
    Ok(json(200, &page))
}

/// `GET /api/communes/{insee}/audit.csv`: the filtered trail, newest first.
pub(super) async fn export(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let p = cx.principal()?;
    let allowed = cx
        .allow(Some(&p), Operation::ReadAudit(Some(&insee)))
        .await?;
    let (mut filter, mut cursor) = filter(cx)?;
    cx.db.absorb_refusals(allowed.tenant()).await?;
    filter.limit = qmi_kit::accountability::MAX_LIMIT;
    let mut rows: Vec<Vec<Cell>> = vec![
        [
            "at",
            "service",
            "insee",
            "seq",
            "account_id",
            "role",
            "action",
            "record_kind",
            "record_id",
            "request_id",
            "hash",
        ]
        .into_iter()
        .map(Cell::from)
        .collect(),
    ];
    loop {
        let page = page(cx, &allowed, &filter, cursor).await?;
        for e in page.items {
            rows.push(vec![
                e.at.into(),
                e.service.into(),
                e.insee.into(),
                e.seq.to_string().into(),
                e.account_id.into(),
                e.role.into(),
                e.action.into(),
                e.record_kind.into(),
                e.record_id.into(),
                e.request_id.into(),
                e.hash.into(),
            ]);
        }
        match page.next_cursor {
            Some(next) if rows.len() <= MAX_EXPORT => cursor = parse_cursor(&next)?,
            _ => break,
        }
    }
    Ok(bytes(
        200,
        &[
            ("content-type", "text/csv; charset=utf-8".to_owned()),
            (
                "content-disposition",
                format!("attachment; filename=\"journal-{insee}.csv\""),
            ),
        ],
        csv(&rows).into_bytes(),
    ))
}

/// The request's filter and cursor (a malformed one is a 400 naming it).
fn filter(cx: &Ctx<'_>) -> Result<(Filter, [i64; 5]), Problem> {
    let query = &cx.req.query;
    let (_insee, filter) = qmi_kit::accountability::parse(|name| match name {
        // The chain is the route's, never the query's; `before` is the cursor's.
        "insee" | "before" => None,
        other => query.get(other),
    })?;
    let cursor = match query.non_empty("cursor") {
        None => [0; 5],
        Some(c) => parse_cursor(c)?,
    };
    Ok((filter, cursor))
}

fn parse_cursor(c: &str) -> Result<[i64; 5], Problem> {
    let bad = || Problem::invalid_field("cursor", "the `next_cursor` of a previous page");
    let parts: Vec<i64> = c
        .split('.')
        .map(|p| p.parse::<i64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    parts
        .try_into()
        .ok()
        .filter(|p: &[i64; 5]| p.iter().all(|n| *n >= -1))
        .ok_or_else(bad)
}

/// One page of the merged trail from `cursor`.
async fn page(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    filter: &Filter,
    cursor: [i64; 5],
) -> Result<AuditPage, Problem> {
    let insee = allowed.tenant();
    let mut fetched: Vec<Vec<AuditEntry>> = Vec::with_capacity(5);
    for (i, target) in internal::AUDITED.iter().enumerate() {
        let before = cursor[i];
        if before == -1 {
            fetched.push(Vec::new());
            continue;
        }
        let f = Filter {
            before: (before > 0).then_some(before),
            ..filter.clone()
        };
        let entries = if AUDITED_SERVICES[i] == crate::DATABASE {
            cx.db.audit_entries(allowed, &f).await?
        } else {
            remote(target, insee, &f).await?
        };
        fetched.push(entries);
    }
    Ok(merge(fetched, cursor, filter.limit))
}

/// Newest first across services; the cursor moves below what was taken.
fn merge(fetched: Vec<Vec<AuditEntry>>, cursor: [i64; 5], limit: usize) -> AuditPage {
    let counts: Vec<usize> = fetched.iter().map(Vec::len).collect();
    let mut all: Vec<(usize, AuditEntry)> = fetched
        .into_iter()
        .enumerate()
        .flat_map(|(i, entries)| entries.into_iter().map(move |e| (i, e)))
        .collect();
    all.sort_by(|(i, a), (j, b)| b.at.cmp(&a.at).then(i.cmp(j)).then(b.seq.cmp(&a.seq)));
    let rest = all.split_off(all.len().min(limit));
    let mut next = cursor;
    let mut taken = [0usize; 5];
    for (i, e) in &all {
        taken[*i] += 1;
        next[*i] = if next[*i] <= 0 {
            e.seq
        } else {
            next[*i].min(e.seq)
        };
    }
    let mut more = false;
    for i in 0..5 {
        if cursor[i] == -1 {
            continue;
        }
        let left = counts[i] > taken[i] || counts[i] == limit;
        if left {
            more = true;
        } else {
            next[i] = -1;
        }
        if taken[i] == 0 && left {
            next[i] = cursor[i];
        }
    }
    let _unread = rest;
    AuditPage {
        items: all.into_iter().map(|(_, e)| e).collect(),
        next_cursor: more.then(|| {
            next.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(".")
        }),
    }
}

/// A service's entries over its internal route.
async fn remote(
    target: &internal::Target,
    insee: Option<&Insee>,
    f: &Filter,
) -> Result<Vec<AuditEntry>, Problem> {
    let insee = insee.map(ToString::to_string).unwrap_or_default();
    let before = f.before.map(|b| b.to_string()).unwrap_or_default();
    let limit = f.limit.to_string();
    let pairs = [
        ("insee", insee.as_str()),
        ("account", f.account.as_deref().unwrap_or("")),
        ("record", f.record.as_deref().unwrap_or("")),
        ("action", f.action.as_deref().unwrap_or("")),
        ("from", f.from.as_deref().unwrap_or("")),
        ("to", f.to.as_deref().unwrap_or("")),
        ("before", before.as_str()),
        ("limit", limit.as_str()),
    ];
    let query = Query::encode(pairs.into_iter().filter(|(_, v)| !v.is_empty()));
    let path = format!("{}{AUDIT_SUFFIX}?{query}", target.prefix);
    qmi_kit::internal::get_json(target, &path, target.prefix).await
}
