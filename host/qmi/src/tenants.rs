//! `qmi tenants …`: the hosting operator's tenant commands. They go through
//! the running application's operator API (signed in as an operator), so the
//! `identity` service stays the only writer of the registry and of the
//! tenant status the gateway reads — under `qmi up` and under real Spin alike.

use anyhow::{Context as _, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use qmi_api::Insee;
use qmi_api::identity::{
    Commune, CommuneStatus, NewCommune, Suspension, TokenRequest, TokenResponse,
};
use qmi_api::page::Page;

/// Options shared by the tenant commands.
#[derive(clap::Args)]
pub struct TenantArgs {
    /// Base URL of the running application.
    #[arg(
        long,
        env = "QMI_URL",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    url: String,
    /// An operator's e-mail.
    #[arg(
        long,
        env = "QMI_OPERATOR_EMAIL",
        default_value = "hosting@qmi.example",
        global = true
    )]
    email: String,
    #[command(subcommand)]
    command: TenantCommand,
}

/// The tenant commands.
#[derive(clap::Subcommand)]
enum TenantCommand {
    /// List the communes of the registry.
    List {
        /// Only this status (member, candidate, district, suspended).
        #[arg(long)]
        status: Option<String>,
    },
    /// Add a commune (of any metropolis) as a tenant.
    Add {
        /// INSEE code.
        insee: Insee,
        /// Official name.
        #[arg(long)]
        name: String,
        /// INSEE legal population.
        #[arg(long)]
        population: Option<u64>,
        /// The metropolis's EPCI SIREN.
        #[arg(long)]
        metropolis: Option<String>,
        /// The territorial establishment's SIREN and name.
        #[arg(long, num_args = 2, value_names = ["CODE", "NAME"])]
        territory: Option<Vec<String>>,
    },
    /// Suspend a commune: its people are refused until it is resumed.
    Suspend {
        /// INSEE code.
        insee: Insee,
        /// Why (required, kept in the commune's status history).
        #[arg(long)]
        reason: String,
    },
    /// Resume a suspended commune.
    Resume {
        /// INSEE code.
        insee: Insee,
    },
}

struct Api {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    token: Option<String>,
}

impl Api {
    async fn call(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(http::StatusCode, Bytes)> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base.trim_end_matches('/')));
        if let Some(token) = &self.token {
            request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header(http::header::CONTENT_TYPE, "application/json");
        }
        let request = request.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
        let response = self
            .client
            .request(request)
            .await
            .with_context(|| format!("calling {}", self.base))?;
        let status = response.status();
        Ok((status, response.into_body().collect().await?.to_bytes()))
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T> {
        let (status, bytes) = self.call(method, path, body).await?;
        if !status.is_success() {
            bail!("{path}: {status}: {}", String::from_utf8_lossy(&bytes));
        }
        serde_json::from_slice(&bytes).with_context(|| format!("reading the answer of {path}"))
    }
}

/// Runs a tenant command.
pub async fn run(args: TenantArgs) -> Result<()> {
    let mut api = Api {
        client: Client::builder(TokioExecutor::new()).build_http(),
        base: args.url.clone(),
        token: None,
    };
    if !matches!(args.command, TenantCommand::List { .. }) {
        let password = std::env::var("QMI_OPERATOR_PASSWORD")
            .or_else(|_| std::env::var("QMI_DEMO_PASSWORD"))
            .unwrap_or_else(|_| crate::keys::DEFAULT_DEMO_PASSWORD.to_owned());
        let request = serde_json::to_vec(&TokenRequest {
            email: args.email.clone(),
            password,
        })?;
        let token: TokenResponse = api
            .json(http::Method::POST, "/api/auth/token", Some(request))
            .await
            .context("signing in")?;
        api.token = Some(token.access_token);
    }
    match args.command {
        TenantCommand::List { status } => {
            let mut cursor: Option<String> = None;
            let mut count = 0;
            println!(
                "{:<6} {:<32} {:<4} {:>10}  status",
                "insee", "name", "dép", "population"
            );
            loop {
                let mut path = "/api/communes?limit=500".to_owned();
                if let Some(status) = &status {
                    path.push_str(&format!("&status={status}"));
                }
                if let Some(cursor) = &cursor {
                    path.push_str(&format!("&cursor={cursor}"));
                }
                let page: Page<Commune> = api.json(http::Method::GET, &path, None).await?;
                for c in &page.items {
                    let population = c.population.map(|p| p.to_string()).unwrap_or_default();
                    println!(
                        "{:<6} {:<32} {:<4} {:>10}  {}",
                        c.insee,
                        c.name,
                        c.departement,
                        population,
                        status_name(c.status)
                    );
                }
                count += page.items.len();
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            println!("{count} commune(s)");
        }
        TenantCommand::Add {
            insee,
            name,
            population,
            metropolis,
            territory,
        } => {
            let (ept_code, ept_name) = match territory {
                Some(t) if t.len() == 2 => (Some(t[0].clone()), Some(t[1].clone())),
                _ => (None, None),
            };
            let body = serde_json::to_vec(&NewCommune {
                insee,
                name,
                ept_code,
                ept_name,
                metropolis_code: metropolis,
                population,
                status: None,
            })?;
            let commune: Commune = api
                .json(http::Method::POST, "/api/admin/communes", Some(body))
                .await?;
            println!(
                "added {} {} ({})",
                commune.insee,
                commune.name,
                status_name(commune.status)
            );
        }
        TenantCommand::Suspend { insee, reason } => {
            let body = serde_json::to_vec(&Suspension {
                reason: Some(reason),
            })?;
            let commune: Commune = api
                .json(
                    http::Method::POST,
                    &format!("/api/admin/communes/{insee}/suspend"),
                    Some(body),
                )
                .await?;
            println!(
                "{} {} is now {}",
                commune.insee,
                commune.name,
                status_name(commune.status)
            );
        }
        TenantCommand::Resume { insee } => {
            let commune: Commune = api
                .json(
                    http::Method::POST,
                    &format!("/api/admin/communes/{insee}/resume"),
                    None,
                )
                .await?;
            println!(
                "{} {} is now {}",
                commune.insee,
                commune.name,
                status_name(commune.status)
            );
        }
    }
    Ok(())
}

fn status_name(status: CommuneStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
