//! `spin:key-value@3.0.0` over SQLite files laid out as Spin lays them out:
//! label `default` is `<data-dir>/sqlite_key_value.db`, one table
//! `spin_key_value(store, key, value)`, stores separated by label.
//!
//! As in Spin, a store's file is opened (created, with its table) when a
//! component first opens the label, not at start-up: serving an app that
//! declares a store leaves no file behind until the store is used.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use sqlx::SqlitePool;
use tokio::sync::OnceCell;
use wasmtime::component::{
    Accessor, FutureReader, HasData, Linker, Resource, ResourceTable, StreamReader,
};

use super::bindings::spin::key_value::key_value::{self, Error};
use super::sqlite::open_pool;

/// Every key-value store of the application, by label.
#[derive(Default)]
pub struct Stores {
    stores: HashMap<String, LazyStore>,
}

/// A store's file and, once some component has opened it, its pool.
struct LazyStore {
    path: PathBuf,
    pool: OnceCell<SqlitePool>,
}

impl Stores {
    /// Registers the given label → file pairs, creating each file's parent
    /// directory as Spin does at start-up; the files themselves are opened on
    /// first use.
    pub fn new(labels: impl IntoIterator<Item = (String, PathBuf)>) -> Result<Self> {
        let mut stores = HashMap::new();
        for (label, path) in labels {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!(
                        "creating the directory of key-value store {label:?}: {}",
                        dir.display()
                    )
                })?;
            }
            stores.insert(
                label,
                LazyStore {
                    path,
                    pool: OnceCell::new(),
                },
            );
        }
        Ok(Self { stores })
    }

    /// The pool of `label`, opening its file and creating Spin's table on first
    /// use; `None` if the label is not defined.
    async fn pool(&self, label: &str) -> Option<Result<SqlitePool, Error>> {
        let store = self.stores.get(label)?;
        let pool = store
            .pool
            .get_or_try_init(|| async {
                let pool = open_pool(&store.path).await.map_err(|e| format!("{e:#}"))?;
                sqlx::query(
                    "CREATE TABLE IF NOT EXISTS spin_key_value (
                        store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                        PRIMARY KEY (store, key))",
                )
                .execute(&pool)
                .await
                .map_err(|e| format!("creating spin_key_value in {}: {e}", store.path.display()))?;
                Ok::<_, String>(pool)
            })
            .await;
        Some(match pool {
            Ok(pool) => Ok(pool.clone()),
            Err(message) => {
                tracing::error!(label, %message, "cannot open key-value store");
                Err(Error::Other(message))
            }
        })
    }

    /// Closes the stores opened so far (checkpointing their WAL files).
    pub async fn close(&self) {
        for store in self.stores.values() {
            if let Some(pool) = store.pool.get() {
                pool.close().await;
            }
        }
    }
}

/// The per-instance state: which labels the component declared.
#[derive(Clone)]
pub struct KeyValueState {
    allowed: Arc<BTreeSet<String>>,
    stores: Arc<Stores>,
}

impl KeyValueState {
    /// State for a component that declared `allowed`.
    pub fn new(allowed: Arc<BTreeSet<String>>, stores: Arc<Stores>) -> Self {
        Self { allowed, stores }
    }
}

/// An open store.
#[derive(Clone)]
pub struct Store {
    label: String,
    pool: SqlitePool,
}

/// What the interface sees of the store.
pub struct KeyValueView<'a> {
    /// The component's key-value state.
    pub state: &'a KeyValueState,
    /// The instance's resource table.
    pub table: &'a mut ResourceTable,
}

/// Marker type through which the interface is linked.
pub struct SpinKeyValue;

impl HasData for SpinKeyValue {
    type Data<'a> = KeyValueView<'a>;
}

/// Adds `spin:key-value` to a linker.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> KeyValueView<'_>,
) -> wasmtime::Result<()> {
    key_value::add_to_linker::<T, SpinKeyValue>(linker, get)
}

fn other(error: impl std::fmt::Display) -> Error {
    Error::Other(error.to_string())
}

impl key_value::Host for KeyValueView<'_> {}

impl key_value::HostStore for KeyValueView<'_> {
    async fn drop(&mut self, this: Resource<Store>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

fn store<T>(
    accessor: &Accessor<T, SpinKeyValue>,
    this: &Resource<Store>,
) -> wasmtime::Result<Store> {
    accessor.with(|mut access| Ok(access.get().table.get(this)?.clone()))
}

impl<T> key_value::HostStoreWithStore<T> for SpinKeyValue {
    async fn open(
        accessor: &Accessor<T, Self>,
        label: String,
    ) -> wasmtime::Result<Result<Resource<Store>, Error>> {
        let (allowed, stores) = accessor.with(|mut access| {
            let view = access.get();
            (
                view.state.allowed.contains(&label),
                view.state.stores.clone(),
            )
        });
        if !allowed {
            return Ok(Err(Error::AccessDenied));
        }
        let pool = match stores.pool(&label).await {
            None => return Ok(Err(Error::NoSuchStore)),
            Some(Err(e)) => return Ok(Err(e)),
            Some(Ok(pool)) => pool,
        };
        accessor.with(|mut access| Ok(Ok(access.get().table.push(Store { label, pool })?)))
    }

    async fn get(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let s = store(accessor, &this)?;
        Ok(
            sqlx::query_scalar("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")
                .bind(&s.label)
                .bind(&key)
                .fetch_optional(&s.pool)
                .await
                .map_err(other),
        )
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let s = store(accessor, &this)?;
        Ok(sqlx::query(
            "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT(store, key) DO UPDATE SET value = ?3",
        )
        .bind(&s.label)
        .bind(&key)
        .bind(value)
        .execute(&s.pool)
        .await
        .map(drop)
        .map_err(other))
    }

    async fn delete(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let s = store(accessor, &this)?;
        Ok(
            sqlx::query("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")
                .bind(&s.label)
                .bind(&key)
                .execute(&s.pool)
                .await
                .map(drop)
                .map_err(other),
        )
    }

    async fn exists(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let s = store(accessor, &this)?;
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2",
        )
        .bind(&s.label)
        .bind(&key)
        .fetch_optional(&s.pool)
        .await
        .map(|row| row.is_some())
        .map_err(other))
    }

    async fn get_keys(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
    ) -> wasmtime::Result<(StreamReader<String>, FutureReader<Result<(), Error>>)> {
        let s = store(accessor, &this)?;
        let keys: Result<Vec<String>, Error> =
            sqlx::query_scalar("SELECT key FROM spin_key_value WHERE store = ?1")
                .bind(&s.label)
                .fetch_all(&s.pool)
                .await
                .map_err(other);
        accessor.with(|mut access| {
            let (keys, result) = match keys {
                Ok(keys) => (keys, Ok(())),
                Err(e) => (Vec::new(), Err(e)),
            };
            Ok((
                StreamReader::new(&mut access, keys)?,
                FutureReader::new(&mut access, async move { wasmtime::error::Ok(result) })?,
            ))
        })
    }
}
