//! The hosting operator's view (issue 18): per-commune usage (requests,
//! accounts, stored records and bytes — counts only, never content) and the
//! runtime's figures, read from its metrics address (`metrics_url`).

use std::collections::BTreeMap;

use qmi_api::accountability::{AUDITED_SERVICES, RuntimeFigures, ServiceUsage, TenantUsage, Usage};
use qmi_api::internal::{self, USAGE_SUFFIX};
use qmi_kit::Problem;
use qmi_kit::http::{Reply, json};
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, Request};

use super::{Ctx, Operation};
use crate::tables::MEMBERSHIPS;

/// The Spin variable naming the runtime's metrics address (an origin).
const METRICS_URL_VARIABLE: &str = "metrics_url";

/// `GET /api/admin/usage`.
pub(super) async fn usage(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let allowed = cx.allow(Some(&p), Operation::ReadUsage).await?;
    let mut per: BTreeMap<String, TenantUsage> = BTreeMap::new();
    for (target, service) in internal::AUDITED.iter().zip(AUDITED_SERVICES) {
        let usage: ServiceUsage = if *service == crate::DATABASE {
            cx.db.usage().await?
        } else {
            let path = format!("{}{USAGE_SUFFIX}", target.prefix);
            qmi_kit::internal::get_json(target, &path, target.prefix).await?
        };
        for (insee, rows, bytes) in usage.communes {
            let u = per.entry(insee).or_default();
            u.records += rows;
            u.bytes += bytes;
        }
    }
    let members = cx
        .db
        .across(&allowed)
        .select(MEMBERSHIPS, &["insee", "COUNT(*) AS n"])
        .group_by("insee")
        .rows()
        .await?;
    for r in members.iter() {
        if let Some(insee) = r.text("insee") {
            per.entry(insee.to_owned()).or_default().accounts =
                u64::try_from(r.int("n").unwrap_or(0)).unwrap_or(0);
        }
    }
    for (insee, n) in requests().await {
        per.entry(insee).or_default().requests = n;
    }
    let names = cx
        .db
        .platform()
        .run("SELECT insee, name FROM communes", Vec::new())
        .await?;
    let names: BTreeMap<String, String> = names
        .iter()
        .filter_map(|r| Some((r.text("insee")?.to_owned(), r.text("name")?.to_owned())))
        .collect();
    let mut total = TenantUsage::default();
    let communes = per
        .into_iter()
        .map(|(insee, mut u)| {
            u.name = names.get(&insee).cloned().unwrap_or_default();
            u.insee = insee;
            total.requests += u.requests;
            total.accounts += u.accounts;
            total.records += u.records;
            total.bytes += u.bytes;
            u
        })
        .collect();
    Ok(json(200, &Usage { communes, total }))
}

/// `GET /api/admin/runtime`.
pub(super) async fn runtime(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let _counts_only = cx.allow(Some(&p), Operation::ReadUsage).await?;
    let figures = match fetch("/metrics").await {
        Some(text) => crate::prometheus::figures(&String::from_utf8_lossy(&text)),
        None => RuntimeFigures::default(),
    };
    Ok(json(200, &figures))
}

/// Requests per commune since the runtime started (`{"communes": {…}}` at
/// `/usage/requests`); none when the runtime exposes no metrics.
async fn requests() -> BTreeMap<String, u64> {
    #[derive(serde::Deserialize)]
    struct Requests {
        communes: BTreeMap<String, u64>,
    }
    fetch("/usage/requests")
        .await
        .and_then(|body| serde_json::from_slice::<Requests>(&body).ok())
        .map(|r| r.communes)
        .unwrap_or_default()
}

/// A page of the metrics address, if the runtime has one (best effort: the
/// figures are then said to be unavailable, never an error).
async fn fetch(path: &str) -> Option<Vec<u8>> {
    let base = spin_sdk::variables::get(METRICS_URL_VARIABLE).await.ok()?;
    let base = base.trim().trim_end_matches('/');
    if base.is_empty() {
        return None;
    }
    let request = Request::<()>::builder()
        .method("GET")
        .uri(format!("{base}{path}"))
        .body(FullBody::new(bytes::Bytes::new()))
        .ok()?;
    let response = spin_sdk::http::send(request).await.ok()?;
    if response.status().as_u16() != 200 {
        return None;
    }
    response.into_body().bytes().await.ok().map(|b| b.to_vec())
}
