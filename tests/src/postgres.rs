//! A PostgreSQL database for a test: a fresh database on the server of
//! `$QMI_TEST_DATABASE_URL` (an admin's URL; the database is dropped at the
//! end), else a throwaway server of its own (`scripts/postgres` on a free port
//! in a temporary directory, fsync off, stopped and removed at the end).

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{Connection as _, PgConnection};

/// The variable naming an existing server to test against.
pub const DATABASE_URL_VAR: &str = "QMI_TEST_DATABASE_URL";

/// The variable choosing the backend the application's tests run on:
/// `postgres`, or SQLite (anything else, or unset).
pub const BACKEND_VAR: &str = "QMI_TEST_BACKEND";

/// Whether the application's tests run on PostgreSQL ([`BACKEND_VAR`]).
pub fn backend_is_postgres() -> bool {
    std::env::var(BACKEND_VAR).is_ok_and(|b| b == "postgres")
}

/// A database a test owns; dropped (or its whole server stopped) on drop.
pub struct TestDatabase {
    url: String,
    kind: Kind,
}

enum Kind {
    /// `(admin URL of the server, database name)`: dropped on drop.
    Shared(String, String),
    /// A server started for this test.
    Own(tempfile::TempDir),
}

/// The databases of servers started in a given directory, while one lives.
static BY_DIR: std::sync::Mutex<BTreeMap<PathBuf, std::sync::Weak<TestDatabase>>> =
    std::sync::Mutex::new(BTreeMap::new());

impl TestDatabase {
    /// The database of the servers running in `dir`: the one a live server
    /// there uses, else a fresh one.
    pub fn for_dir(dir: &Path) -> std::sync::Arc<Self> {
        let mut by_dir = BY_DIR
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(db) = by_dir.get(dir).and_then(std::sync::Weak::upgrade) {
            return db;
        }
        let db = std::sync::Arc::new(Self::new());
        by_dir.insert(dir.to_owned(), std::sync::Arc::downgrade(&db));
        db
    }

    /// A fresh, empty database and its admin (superuser) URL.
    pub fn new() -> Self {
        match std::env::var(DATABASE_URL_VAR) {
            Ok(server) if !server.is_empty() => Self::on_server(server),
            _ => Self::own_server(true),
        }
    }

    /// Like [`TestDatabase::new`], but a server of its own keeps every commit
    /// on disk (fsync and synchronous commits on, as in production), for the
    /// benchmarks that count durable writes.
    pub fn durable() -> Self {
        match std::env::var(DATABASE_URL_VAR) {
            Ok(server) if !server.is_empty() => Self::on_server(server),
            _ => Self::own_server(false),
        }
    }

    /// The admin's URL of the database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of the database as another role (trust auth locally; give a
    /// password in the URL of `$QMI_TEST_DATABASE_URL` servers that need one).
    pub fn url_as(&self, role: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").expect("a URL");
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{role}@{host}")
    }

    /// One connection as the admin.
    pub async fn admin(&self) -> PgConnection {
        PgConnection::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.url))
    }

    fn on_server(server: String) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "qmi_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        block_on(|| async {
            let mut admin = PgConnection::connect(&server)
                .await
                .unwrap_or_else(|e| panic!("connecting to ${DATABASE_URL_VAR}: {e}"));
            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("dropping a leftover test database");
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("creating the test database");
        });
        let url = match server.rsplit_once('/') {
            Some((base, path)) if !base.ends_with('/') => {
                let query = path.split_once('?').map(|(_, q)| format!("?{q}"));
                format!("{base}/{name}{}", query.unwrap_or_default())
            }
            _ => format!("{}/{name}", server.trim_end_matches('/')),
        };
        Self {
            url,
            kind: Kind::Shared(server, name),
        }
    }

    fn own_server(fast: bool) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("qmi-pg-")
            .tempdir()
            .expect("a temporary directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut start = Command::new(script());
        start.arg("start");
        if fast {
            start.arg("--fast");
        }
        let output = start
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .output()
            .expect("running scripts/postgres");
        assert!(
            output.status.success(),
            "scripts/postgres start failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let url = String::from_utf8(output.stdout)
            .expect("a URL")
            .trim()
            .to_owned();
        Self {
            url,
            kind: Kind::Own(dir),
        }
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.kind {
            Kind::Shared(server, name) => block_on(|| async {
                if let Ok(mut admin) = PgConnection::connect(server).await {
                    let _dropped =
                        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin)
                            .await;
                }
            }),
            Kind::Own(dir) => {
                let _stopped = Command::new(script())
                    .args(["stop", "--dir"])
                    .arg(dir.path())
                    .output();
            }
        }
    }
}

fn script() -> PathBuf {
    crate::workspace_root().join("scripts/postgres")
}

/// Runs a future to completion on a runtime of its own (drop and constructors
/// may run inside or outside a test's runtime).
fn block_on<F, Fut>(make: F)
where
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = ()>,
{
    std::thread::scope(|scope| {
        scope.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(make())
        });
    });
}

/// The service labels with PostgreSQL migrations (`services/<label>/migrations-postgres`).
pub fn service_labels() -> Vec<String> {
    let services = crate::workspace_root().join("services");
    let mut labels: Vec<String> = std::fs::read_dir(&services)
        .expect("reading services/")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("migrations-postgres").is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    labels.sort();
    labels
}

/// The tenant tables each service declares in its kit `Schema`, read from its
/// sources (`TenantTable::new("…")` under `services/<label>/src`, and the kit's
/// audit table `audit` where they name `qmi_kit::audit::AUDIT`), by label.
pub fn declared_tenant_tables() -> BTreeMap<String, BTreeSet<String>> {
    fn scan(dir: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("reading sources").flatten() {
            let path = entry.path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("reading a source");
                if text.contains("qmi_kit::audit::AUDIT") {
                    found.insert("audit".to_owned());
                }
                let mut rest = text.as_str();
                while let Some(at) = rest.find("TenantTable::new(\"") {
                    rest = &rest[at + "TenantTable::new(\"".len()..];
                    let end = rest.find('"').expect("a closing quote");
                    found.insert(rest[..end].to_owned());
                }
            }
        }
    }
    service_labels()
        .into_iter()
        .map(|label| {
            let mut tables = BTreeSet::new();
            scan(
                &crate::workspace_root()
                    .join("services")
                    .join(&label)
                    .join("src"),
                &mut tables,
            );
            (label, tables)
        })
        .collect()
}

/// A scratch state directory with a runtime config that puts every service's
/// SQLite database and the key-value store in it, for `qmi migrate`/`seed`.
pub struct DataDir {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl DataDir {
    /// An empty one.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = String::new();
        for label in service_labels() {
            config.push_str(&format!(
                "[sqlite_database.{label}]\ntype = \"spin\"\npath = {:?}\n\n",
                dir.path().join(format!("{label}.db"))
            ));
        }
        config.push_str(&format!(
            "[key_value_store.default]\ntype = \"spin\"\npath = {:?}\n",
            dir.path().join("key_value.db")
        ));
        let path = dir.path().join("runtime-config.toml");
        std::fs::write(&path, config).expect("writing the runtime config");
        Self { dir, config: path }
    }

    /// The SQLite database of a label.
    pub fn sqlite(&self, label: &str) -> PathBuf {
        self.dir.path().join(format!("{label}.db"))
    }

    /// The key-value store's file.
    pub fn key_value(&self) -> PathBuf {
        self.dir.path().join("key_value.db")
    }

    /// Runs `qmi <command> -f spin.toml --data-dir … --runtime-config-file …
    /// <args>` on the repository's app; panics with its output when it fails.
    pub fn qmi(&self, command: &str, args: &[&str]) {
        let output = Command::new(crate::qmi_bin())
            .arg(command)
            .arg("-f")
            .arg(crate::workspace_root().join("spin.toml"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--runtime-config-file")
            .arg(&self.config)
            .args(args)
            .env_remove("QMI_DATABASE_URL")
            .output()
            .expect("running qmi");
        assert!(
            output.status.success(),
            "qmi {command} {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Default for DataDir {
    fn default() -> Self {
        Self::new()
    }
}
