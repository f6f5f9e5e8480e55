//! Key-value stores of `type = "redis"`, kept as Spin's `key-value-redis`
//! keeps them: each key is a Redis string under its own name — not prefixed by
//! label, so labels given one server share its keys —, `get-keys` lists every
//! key of the server's database (`SCAN`), and the connection (a
//! [`ConnectionManager`], multiplexed and reconnecting by itself) is made when
//! a component first opens the store, then shared by every instance. The URL
//! is checked at start-up, as Spin checks it when it reads the runtime config.

use std::fmt::Display;

use anyhow::Context as _;
use redis::{AsyncCommands as _, Client, aio::ConnectionManager};
use tokio::sync::OnceCell;

use super::Error;

/// What the host buffers for a guest at most (Spin's `MAX_HOST_BUFFERED_BYTES`):
/// a larger value is refused on `get`, as Spin refuses it.
const MAX_HOST_BUFFERED_BYTES: usize = 128 << 20;

/// A Redis server and, once some component has opened the store, the
/// connection to it.
pub(super) struct RedisStore {
    client: Client,
    connection: OnceCell<ConnectionManager>,
}

impl RedisStore {
    /// The store of `label` on the server at `url`; fails on a URL Redis
    /// cannot connect with (malformed, unknown scheme, `rediss://` — qmi is
    /// built without TLS).
    pub(super) fn new(label: &str, url: &str) -> anyhow::Result<Self> {
        let client = Client::open(url)
            .with_context(|| format!("key-value store {label:?}: invalid Redis URL"))?;
        Ok(Self {
            client,
            connection: OnceCell::new(),
        })
    }

    /// The server's address, for logs (never the URL: it may hold a password).
    pub(super) fn summary(&self) -> String {
        format!("Redis at {}", self.client.get_connection_info().addr())
    }

    /// The shared connection, made on first use (a failure is retried on the
    /// next open).
    pub(super) async fn open(&self) -> Result<RedisOpened, Error> {
        let connection = self
            .connection
            .get_or_try_init(|| self.client.get_connection_manager())
            .await
            .map_err(log_error)?;
        Ok(RedisOpened(connection.clone()))
    }
}

/// An open Redis store: a handle on the shared connection.
#[derive(Clone)]
pub(super) struct RedisOpened(ConnectionManager);

impl RedisOpened {
    /// The value of `key`, if any.
    pub(super) async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        let value: Option<Vec<u8>> = self.0.clone().get(key).await.map_err(log_error)?;
        match value {
            Some(v) if v.len() > MAX_HOST_BUFFERED_BYTES => Err(Error::Other(format!(
                "query result exceeds limit of {MAX_HOST_BUFFERED_BYTES} bytes"
            ))),
            value => Ok(value),
        }
    }

    /// Sets `key` to `value`.
    pub(super) async fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.0.clone().set(key, value).await.map_err(log_error)
    }

    /// Deletes `key` (absent or not).
    pub(super) async fn delete(&self, key: String) -> Result<(), Error> {
        self.0.clone().del(key).await.map_err(log_error)
    }

    /// Whether `key` has a value.
    pub(super) async fn exists(&self, key: String) -> Result<bool, Error> {
        self.0.clone().exists(key).await.map_err(log_error)
    }

    /// Every key of the server's database, whichever label wrote it.
    pub(super) async fn keys(&self) -> Result<Vec<String>, Error> {
        let mut connection = self.0.clone();
        let mut scan = connection.scan::<String>().await.map_err(log_error)?;
        let mut keys = Vec::new();
        let mut bytes = 0usize;
        while let Some(key) = scan.next_item().await {
            let key = key.map_err(log_error)?;
            bytes = bytes.saturating_add(key.len());
            if bytes > MAX_HOST_BUFFERED_BYTES {
                return Err(Error::Other(format!(
                    "query result exceeds limit of {MAX_HOST_BUFFERED_BYTES} bytes"
                )));
            }
            keys.push(key);
        }
        Ok(keys)
    }
}

/// A Redis failure as the interface's `other` error, logged as Spin logs it.
fn log_error(error: impl Display) -> Error {
    tracing::warn!("key-value error: {error}");
    Error::Other(error.to_string())
}

#[cfg(test)]
mod tests {
    use qmi_tests::redis::RedisServer;
    use redis::Commands as _;

    use super::*;

    #[tokio::test]
    async fn keys_and_values_are_kept_as_spin_keeps_them() {
        let server = RedisServer::start();
        let store = RedisStore::new("default", &server.url()).unwrap();
        let kv = store.open().await.unwrap();

        assert_eq!(kv.get("missing".into()).await.unwrap(), None);
        assert!(!kv.exists("missing".into()).await.unwrap());
        assert_eq!(kv.keys().await.unwrap(), Vec::<String>::new());

        let bytes: Vec<u8> = (0..=255).rev().collect();
        kv.set("bin".into(), bytes.clone()).await.unwrap();
        kv.set("empty".into(), Vec::new()).await.unwrap();
        kv.set("clé / 1".into(), b"first".to_vec()).await.unwrap();
        kv.set("clé / 1".into(), b"second".to_vec()).await.unwrap();
        assert_eq!(kv.get("bin".into()).await.unwrap(), Some(bytes.clone()));
        assert_eq!(kv.get("empty".into()).await.unwrap(), Some(Vec::new()));
        assert!(kv.exists("empty".into()).await.unwrap());
        assert_eq!(
            kv.get("clé / 1".into()).await.unwrap(),
            Some(b"second".to_vec())
        );
        let mut keys = kv.keys().await.unwrap();
        keys.sort();
        assert_eq!(keys, ["bin", "clé / 1", "empty"]);

        // Stored under their own names: no label prefix, so another label on
        // the same server reads the same keys.
        let mut conn = server.connect();
        let raw: Vec<u8> = conn.get("bin").unwrap();
        assert_eq!(raw, bytes);
        let other = RedisStore::new("cache", &server.url()).unwrap();
        let other = other.open().await.unwrap();
        assert_eq!(
            other.get("clé / 1".into()).await.unwrap(),
            Some(b"second".to_vec())
        );

        kv.delete("bin".into()).await.unwrap();
        kv.delete("bin".into()).await.unwrap();
        assert_eq!(kv.get("bin".into()).await.unwrap(), None);
        assert!(!other.exists("bin".into()).await.unwrap());
        let raw: Option<Vec<u8>> = conn.get("bin").unwrap();
        assert_eq!(raw, None);
    }

    #[tokio::test]
    async fn urls_are_checked_at_start_up_and_an_unreachable_server_fails_the_open() {
        for url in [
            "http://127.0.0.1:6379",
            "rediss://127.0.0.1:6379",
            "not a url",
        ] {
            let error = RedisStore::new("default", url).err().map(|e| e.to_string());
            assert_eq!(
                error.as_deref(),
                Some("key-value store \"default\": invalid Redis URL"),
                "{url}"
            );
        }
        let server = RedisServer::start();
        let url = server.url();
        drop(server);
        let store = RedisStore::new("default", &url).unwrap();
        assert!(store.summary().contains("127.0.0.1"), "{}", store.summary());
        assert!(matches!(store.open().await, Err(Error::Other(_))));
    }
}
