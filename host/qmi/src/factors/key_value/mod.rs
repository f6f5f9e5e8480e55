//! `spin:key-value@3.0.0`: the stores the runtime config declares, one file
//! per store type — [`sqlite`] for `type = "spin"` (the default), [`redis`]
//! for `type = "redis"` — and the host trait implementation, which opens a
//! label the component declared and hands each call to the store's type.

mod redis;
mod sqlite;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use anyhow::Result;
use qmi_manifest::KeyValueStore;
use wasmtime::component::{
    Accessor, FutureReader, HasData, Linker, Resource, ResourceTable, StreamReader,
};

use self::redis::{RedisOpened, RedisStore};
use self::sqlite::{SqliteOpened, SqliteStore};
use super::bindings::spin::key_value::key_value::{self, Error};

/// A store of the application, of one of the types qmi implements.
enum Backend {
    Sqlite(SqliteStore),
    Redis(RedisStore),
}

/// Every key-value store of the application, by label.
#[derive(Default)]
pub struct Stores {
    stores: HashMap<String, Backend>,
}

impl Stores {
    /// Registers the given stores as the runtime config declares them: a
    /// SQLite file's directory is created (as Spin does at start-up), a Redis
    /// URL is checked; nothing is opened before a component opens the label.
    pub fn new(labels: impl IntoIterator<Item = (String, KeyValueStore)>) -> Result<Self> {
        let mut stores = HashMap::new();
        for (label, store) in labels {
            let backend = match store {
                KeyValueStore::Spin(location) => Backend::Sqlite(SqliteStore::new(
                    &label,
                    crate::app::file_of(Some(location), &label)?,
                )?),
                KeyValueStore::Redis { url } => {
                    let store = RedisStore::new(&label, &url)?;
                    tracing::info!(label, store = store.summary(), "key-value store");
                    Backend::Redis(store)
                }
            };
            stores.insert(label, backend);
        }
        Ok(Self { stores })
    }

    /// Opens `label`; `None` if the label is not defined.
    async fn open(&self, label: &str) -> Option<Result<Store, Error>> {
        Some(
            match self.stores.get(label)? {
                Backend::Sqlite(store) => store.open(label).await.map(Opened::Sqlite),
                Backend::Redis(store) => store.open().await.map(Opened::Redis),
            }
            .map(Store),
        )
    }

    /// Closes the SQLite stores opened so far (checkpointing their WAL
    /// files), once the statements running off the executor are done.
    pub async fn close(&self) {
        for store in self.stores.values() {
            if let Backend::Sqlite(store) = store {
                store.close().await;
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

/// An open store (the interface's `store` resource).
#[derive(Clone)]
pub struct Store(Opened);

/// An open store of one of the types.
#[derive(Clone)]
enum Opened {
    Sqlite(SqliteOpened),
    Redis(RedisOpened),
}

impl Store {
    async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        match &self.0 {
            Opened::Sqlite(store) => store.get(key).await,
            Opened::Redis(store) => store.get(key).await,
        }
    }

    async fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        match &self.0 {
            Opened::Sqlite(store) => store.set(key, value).await,
            Opened::Redis(store) => store.set(key, value).await,
        }
    }

    async fn delete(&self, key: String) -> Result<(), Error> {
        match &self.0 {
            Opened::Sqlite(store) => store.delete(key).await,
            Opened::Redis(store) => store.delete(key).await,
        }
    }

    async fn exists(&self, key: String) -> Result<bool, Error> {
        match &self.0 {
            Opened::Sqlite(store) => store.exists(key).await,
            Opened::Redis(store) => store.exists(key).await,
        }
    }

    async fn keys(&self) -> Result<Vec<String>, Error> {
        match &self.0 {
            Opened::Sqlite(store) => store.keys().await,
            Opened::Redis(store) => store.keys().await,
        }
    }
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

/// Any failure of a store, as the interface's `other` error.
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
        let store = match stores.open(&label).await {
            None => return Ok(Err(Error::NoSuchStore)),
            Some(Err(e)) => return Ok(Err(e)),
            Some(Ok(store)) => store,
        };
        accessor.with(|mut access| Ok(Ok(access.get().table.push(store)?)))
    }

    async fn get(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        Ok(store(accessor, &this)?.get(key).await)
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        Ok(store(accessor, &this)?.set(key, value).await)
    }

    async fn delete(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        Ok(store(accessor, &this)?.delete(key).await)
    }

    async fn exists(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        Ok(store(accessor, &this)?.exists(key).await)
    }

    async fn get_keys(
        accessor: &Accessor<T, Self>,
        this: Resource<Store>,
    ) -> wasmtime::Result<(StreamReader<String>, FutureReader<Result<(), Error>>)> {
        let keys = store(accessor, &this)?.keys().await;
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
