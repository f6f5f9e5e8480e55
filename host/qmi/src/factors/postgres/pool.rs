//! Connection pools, as Spin keeps them: one per component and address (and
//! root certificate), 64 connections each, on deadpool-postgres.
//!
//! Spin's pool cleans a connection when it is next checked out (`RESET ALL`
//! and friends) but never rolls back, so a transaction a guest leaves open
//! survives into the next request (TOOLCHAIN.md, trap 2). qmi cleans a
//! connection as the guest drops it, starting with `ROLLBACK`, and only then
//! returns it to the pool ([`Leased`]): the next guest gets a clean connection
//! without waiting for the clean-up, and one that cannot be cleaned is
//! discarded.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context as _, Result};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use sha2::{Digest as _, Sha256};
use tokio_postgres::config::SslMode;
use tokio_postgres::{Config, NoTls};

/// Connections per pool, as in Spin.
const POOL_SIZE: usize = 64;

/// What a connection runs before it returns to the pool: nothing a guest did
/// (an open transaction, a session setting, a role, a cursor, a listener, an
/// advisory lock, a temporary table) reaches the next guest.
const CLEAN: &str = "ROLLBACK; CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; \
                     UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP; \
                     DISCARD SEQUENCES;";

/// A root certificate a guest trusts, with the digest that keys its pool.
#[derive(Clone)]
pub struct RootCa {
    der: rustls_pki_types::CertificateDer<'static>,
    digest: String,
}

impl RootCa {
    /// Parses a PEM certificate.
    pub fn from_pem(pem: &str) -> Result<Self> {
        use rustls_pki_types::pem::PemObject as _;
        let der = rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
            .context("invalid root certificate")?;
        Ok(Self {
            digest: hex::encode(Sha256::digest(pem.as_bytes())),
            der,
        })
    }
}

type Key = (String, String, Option<String>);

/// A pool, with the label its statements count under and their count.
type Entry = (Pool, String, Arc<AtomicU64>);

/// Every pool of the application.
#[derive(Default)]
pub struct Pools {
    pools: Mutex<HashMap<Key, Entry>>,
}

impl Pools {
    /// A connection to `address` for `component`, from its pool (created on
    /// first use), with the counter of the statements run through the pool.
    pub async fn get(
        &self,
        component: &str,
        address: &str,
        root: Option<RootCa>,
    ) -> Result<(Object, Arc<AtomicU64>)> {
        let key = (
            component.to_owned(),
            address.to_owned(),
            root.as_ref().map(|r| r.digest.clone()),
        );
        let pool = {
            let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
            match pools.get(&key) {
                Some((pool, _, statements)) => (pool.clone(), statements.clone()),
                None => {
                    let (pool, label) = create(address, root)?;
                    let statements = Arc::new(AtomicU64::new(0));
                    pools.insert(key, (pool.clone(), label, statements.clone()));
                    (pool, statements)
                }
            }
        };
        let (pool, statements) = pool;
        Ok((pool.get().await?, statements))
    }

    /// Statements run per label: the role of the pool's address without its
    /// `qmi_` prefix (`qmi_identity` → `identity`), as `qmi up --database-url`
    /// connects each service.
    pub fn statements(&self) -> BTreeMap<String, u64> {
        let mut all = BTreeMap::new();
        for (_, label, statements) in self
            .pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
        {
            *all.entry(label.clone()).or_default() += statements.load(Ordering::Relaxed);
        }
        all
    }

    /// Closes every pool.
    pub fn close(&self) {
        for pool in self
            .pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
        {
            pool.0.close();
        }
    }
}

/// A pool on `address`, and the label its statements count under.
fn create(address: &str, root: Option<RootCa>) -> Result<(Pool, String)> {
    let config: Config = address
        .parse()
        .context("parsing the PostgreSQL connection string")?;
    let role = config.get_user().unwrap_or("postgres");
    let label = role.strip_prefix("qmi_").unwrap_or(role).to_owned();
    let manager_config = ManagerConfig {
        // Cleaned as it comes back (`Leased`'s drop), not as it goes out.
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = if config.get_ssl_mode() == SslMode::Disable {
        Manager::from_config(config, NoTls, manager_config)
    } else {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(root) = root {
            roots.add(root.der).context("adding the root certificate")?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Manager::from_config(
            config,
            tokio_postgres_rustls::MakeRustlsConnect::new(tls),
            manager_config,
        )
    };
    let pool = Pool::builder(manager)
        .max_size(POOL_SIZE)
        .build()
        .context("building the PostgreSQL connection pool")?;
    Ok((pool, label))
}

/// A pooled connection a guest holds. When the guest drops it, the
/// connection is cleaned ([`CLEAN`]: a transaction left open is rolled back,
/// session settings reset) off the request's path, then returned to the pool;
/// one that cannot be cleaned is discarded. Statements that open or end a
/// transaction are tracked, to log the transactions guests leave open.
pub struct Leased {
    client: Option<Object>,
    in_transaction: bool,
    /// The statements run through the connection's pool.
    statements: Arc<AtomicU64>,
}

impl Leased {
    /// Holds `client` for a guest; its statements count in `statements`.
    pub fn new(client: Object, statements: Arc<AtomicU64>) -> Self {
        Self {
            client: Some(client),
            in_transaction: false,
            statements,
        }
    }

    /// The connection.
    pub fn client(&self) -> Option<&Object> {
        self.client.as_ref()
    }

    /// Counts a statement that ran and notes what it did to the transaction
    /// state.
    pub fn ran(&mut self, sql: &str) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        match first_word(sql).as_deref() {
            Some("begin" | "start") => self.in_transaction = true,
            Some("commit" | "end" | "rollback" | "abort") => {
                // `ROLLBACK TO SAVEPOINT` keeps the transaction open.
                let to_savepoint = sql.to_ascii_lowercase().contains(" to ");
                if !to_savepoint {
                    self.in_transaction = false;
                }
            }
            _ => {}
        }
    }
}

impl Drop for Leased {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            drop(Object::take(client));
            return;
        };
        let left_open = self.in_transaction;
        runtime.spawn(async move {
            match client.batch_execute(CLEAN).await {
                Ok(()) if left_open => {
                    tracing::debug!("rolled back a transaction the guest left open");
                }
                Ok(()) => {}
                Err(error) => {
                    tracing::warn!(%error, "discarding a PostgreSQL connection that could not be reset");
                    drop(Object::take(client));
                }
            }
        });
    }
}

/// The first SQL word of a statement, lowercased, past comments.
fn first_word(sql: &str) -> Option<String> {
    let mut rest = sql.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    (!word.is_empty()).then(|| word.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_words() {
        assert_eq!(first_word("  BEGIN").as_deref(), Some("begin"));
        assert_eq!(
            first_word("-- x\n/* y */ Commit;").as_deref(),
            Some("commit")
        );
        assert_eq!(first_word("SELECT 1").as_deref(), Some("select"));
        assert_eq!(first_word("  "), None);
    }
}
