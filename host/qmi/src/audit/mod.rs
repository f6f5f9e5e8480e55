//! `qmi audit`: the operator's side of the audit trail (issue 18,
//! `qmi_kit::audit`). `qmi audit verify` recomputes every chain of every
//! audited service from its database and names each break.
//!
//! - [`chain`]: one chain recomputed (hashes, links, seq);
//! - [`sqlite`] and [`postgres`]: reading the tables, read-only;
//! - [`verify`]: which databases, for the command;
//! - [`report`]: what it prints, and its error.

mod chain;
mod postgres;
mod report;
mod sqlite;
mod verify;

use anyhow::Result;
use clap::{Args, Subcommand};

/// `qmi audit …`.
#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every audit chain (each audited service's `audit` and
    /// `platform_audit` tables) and name each break: exits non-zero when any
    /// chain is broken. Read-only: safe beside a running server.
    Verify(crate::DataArgs),
}

/// Runs `qmi audit …`.
pub async fn run(args: AuditArgs) -> Result<()> {
    match args.command {
        AuditCommand::Verify(data) => verify::run(&data).await,
    }
}
