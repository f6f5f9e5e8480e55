//! `qmi audit verify`: the audited services of the manifest
//! (`qmi_api::accountability::AUDITED_SERVICES`), their databases found as
//! `qmi migrate` finds them (the SQLite file of each label, or its schema on
//! PostgreSQL with `--database-url`), every chain recomputed and reported.

use anyhow::{Result, bail};
use qmi_api::accountability::{AUDITED_SERVICES, AuditEntry};

use super::chain::{self, Chain, Table};
use super::report;

/// Verifies, prints, and fails when anything breaks.
pub async fn run(args: &crate::DataArgs) -> Result<()> {
    let manifest = &args.app.manifest;
    let tables: Vec<(String, Table, Vec<AuditEntry>)> = match &args.database_url {
        Some(url) => {
            let labels = audited(
                crate::postgres::services(manifest)?
                    .into_iter()
                    .map(|s| s.label),
            )?;
            super::postgres::read(url, &labels).await?
        }
        None => {
            let (data_dir, runtime_config) = (args.data_dir()?, args.runtime_config());
            let databases = crate::data::databases(manifest, &data_dir, runtime_config.as_deref())?;
            let labels = audited(databases.iter().map(|(label, _)| label.clone()))?;
            let mut tables = Vec::new();
            for (label, path) in databases.iter().filter(|(l, _)| labels.contains(l)) {
                for (table, entries) in super::sqlite::read(label, path)? {
                    tables.push((label.clone(), table, entries));
                }
            }
            tables
        }
    };
    let services = chains(tables);
    for line in report::lines(&services) {
        println!("{line}");
    }
    report::outcome(&services)
}

/// The manifest's labels that are audited services, in
/// [`AUDITED_SERVICES`]' order.
fn audited(labels: impl Iterator<Item = String>) -> Result<Vec<String>> {
    let labels: Vec<String> = labels.collect();
    let audited: Vec<String> = AUDITED_SERVICES
        .iter()
        .filter(|s| labels.iter().any(|l| l == *s))
        .map(|s| (*s).to_owned())
        .collect();
    if audited.is_empty() {
        bail!(
            "the application declares none of the audited services' databases ({})",
            AUDITED_SERVICES.join(", ")
        );
    }
    Ok(audited)
}

/// Each service's chains, recomputed: its communes' (by INSEE code), then the
/// platform's.
fn chains(tables: Vec<(String, Table, Vec<AuditEntry>)>) -> Vec<(String, Vec<Chain>)> {
    let mut services: Vec<(String, Vec<Chain>)> = Vec::new();
    for (label, table, entries) in tables {
        let chains = chain::verify_table(&label, table, entries);
        match services.iter_mut().find(|(s, _)| *s == label) {
            Some((_, all)) => all.extend(chains),
            None => services.push((label, chains)),
        }
    }
    services
}
