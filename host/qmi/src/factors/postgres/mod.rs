//! `spin:postgres@4.2.0`, as Spin's outbound-pg factor serves it: the guest
//! names the server in its own connection string, every host:port of which
//! must be allowed by the component's `allowed_outbound_hosts` with the
//! `postgres` scheme (no Unix sockets); connections come from a pool per
//! component and address ([`pool`]); values map as in Spin ([`types`]).

mod pool;
mod types;

use std::sync::Arc;

use futures::TryStreamExt as _;
use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;
use wasmtime::component::{
    Accessor, FutureReader, HasData, Linker, Resource, ResourceTable, StreamReader,
};

use super::bindings::spin::postgres::postgres::{
    self, Column, DbError, DbValue, Error, ParameterValue, QueryError, Row, RowSet,
};
pub use pool::Pools;
use pool::{Leased, RootCa};

/// The most a query's rows may hold in host memory (as Spin's cap).
const MAX_RESULT_BYTES: usize = 128 << 20;

/// The per-instance state: the component, what it may reach, the pools.
#[derive(Clone)]
pub struct PostgresState {
    component: Arc<str>,
    allowed: Arc<dyn Fn(&qmi_manifest::OutboundUrl) -> bool + Send + Sync>,
    pools: Arc<Pools>,
}

impl PostgresState {
    /// State for `component`, whose `allowed` says which addresses it may reach.
    pub fn new(
        component: Arc<str>,
        allowed: Arc<dyn Fn(&qmi_manifest::OutboundUrl) -> bool + Send + Sync>,
        pools: Arc<Pools>,
    ) -> Self {
        Self {
            component,
            allowed,
            pools,
        }
    }

    /// Refuses an address one of whose hosts the component may not reach.
    fn check(&self, address: &str) -> Result<(), Error> {
        let config: tokio_postgres::Config = address
            .parse()
            .map_err(|e: tokio_postgres::Error| Error::ConnectionFailed(e.to_string()))?;
        let ports = config.get_ports();
        for (i, host) in config.get_hosts().iter().enumerate() {
            let name = match host {
                tokio_postgres::config::Host::Tcp(name) => name,
                #[cfg(unix)]
                tokio_postgres::config::Host::Unix(_) => {
                    return Err(Error::ConnectionFailed(
                        "Unix sockets are not supported on WebAssembly".into(),
                    ));
                }
            };
            // The port of the same index, or the only one given.
            let port = ports
                .get(i)
                .or_else(|| (ports.len() == 1).then(|| &ports[0]));
            let authority = match port {
                Some(port) => format!("{name}:{port}"),
                None => name.clone(),
            };
            let allowed = qmi_manifest::OutboundUrl::parse(&format!("postgres://{authority}"))
                .is_ok_and(|url| (self.allowed)(&url));
            if !allowed {
                return Err(Error::ConnectionFailed(format!(
                    "address postgres://{authority} is not permitted"
                )));
            }
        }
        Ok(())
    }

    async fn open(&self, address: &str, root: Option<RootCa>) -> Result<Connection, Error> {
        self.check(address)?;
        let (client, statements) = self
            .pools
            .get(&self.component, address, root)
            .await
            .map_err(|e| Error::ConnectionFailed(format!("{e:?}")))?;
        Ok(Connection {
            inner: Arc::new(Mutex::new(Leased::new(client, statements))),
        })
    }
}

/// An open connection: one pooled connection held for the resource's lifetime.
pub struct Connection {
    inner: Arc<Mutex<Leased>>,
}

/// A connection not yet opened: its address and the root certificate to trust.
pub struct ConnectionBuilder {
    address: String,
    root: Option<RootCa>,
}

fn failed(e: tokio_postgres::Error) -> Error {
    let text = format!("{e:?}");
    Error::QueryFailed(match e.as_db_error() {
        None => QueryError::Text(text),
        Some(db) => {
            let mut extras = Vec::new();
            let mut extra = |name: &str, value: Option<String>| {
                if let Some(value) = value {
                    extras.push((name.to_owned(), value));
                }
            };
            extra("column", db.column().map(str::to_owned));
            extra("constraint", db.constraint().map(str::to_owned));
            extra("routine", db.routine().map(str::to_owned));
            extra("hint", db.hint().map(str::to_owned));
            extra("table", db.table().map(str::to_owned));
            extra("datatype", db.datatype().map(str::to_owned));
            extra("schema", db.schema().map(str::to_owned));
            extra("file", db.file().map(str::to_owned));
            extra("line", db.line().map(|l| l.to_string()));
            extra("where_", db.where_().map(str::to_owned));
            QueryError::DbError(DbError {
                as_text: text,
                severity: db.severity().to_owned(),
                code: db.code().code().to_owned(),
                message: db.message().to_owned(),
                detail: db.detail().map(str::to_owned),
                extras,
            })
        }
    })
}

fn bind(params: Vec<ParameterValue>) -> Result<Vec<Box<dyn ToSql + Send + Sync>>, Error> {
    params
        .into_iter()
        .map(types::parameter)
        .collect::<Result<_, _>>()
        .map_err(|e| Error::BadParameter(e.to_string()))
}

impl Connection {
    /// Runs a statement that returns rows, collecting them.
    async fn query(&self, sql: &str, params: Vec<ParameterValue>) -> Result<RowSet, Error> {
        tracing::debug!(target: "qmi::sql", "{sql}");
        let params = bind(params)?;
        let mut leased = self.inner.lock().await;
        let client = leased.client().ok_or_else(closed)?;
        let statement = client.prepare_cached(sql).await.map_err(failed)?;
        let columns = statement
            .columns()
            .iter()
            .map(|c| Column {
                name: c.name().to_owned(),
                data_type: types::data_type(c.type_()),
            })
            .collect();
        let stream = client
            .query_raw(
                &statement,
                params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)),
            )
            .await
            .map_err(failed);
        leased.ran(sql);
        let mut stream = std::pin::pin!(stream?);
        let mut rows: Vec<Row> = Vec::new();
        let mut bytes = 0;
        while let Some(row) = stream.try_next().await.map_err(failed)? {
            let values = (0..row.len())
                .map(|i| types::value(&row, i))
                .collect::<Result<Vec<DbValue>, _>>()
                .map_err(|e| Error::QueryFailed(QueryError::Text(e.to_string())))?;
            bytes += values.iter().map(types::size).sum::<usize>();
            if bytes > MAX_RESULT_BYTES {
                return Err(Error::QueryFailed(QueryError::Text(format!(
                    "query result exceeds limit of {MAX_RESULT_BYTES} bytes"
                ))));
            }
            rows.push(values);
        }
        Ok(RowSet { columns, rows })
    }

    /// Runs a statement, answering how many rows it changed.
    async fn execute(&self, sql: &str, params: Vec<ParameterValue>) -> Result<u64, Error> {
        tracing::debug!(target: "qmi::sql", "{sql}");
        let params = bind(params)?;
        let mut leased = self.inner.lock().await;
        let client = leased.client().ok_or_else(closed)?;
        let statement = client.prepare_cached(sql).await.map_err(failed)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let changed = client.execute(&statement, &refs).await.map_err(failed);
        leased.ran(sql);
        changed
    }
}

fn closed() -> Error {
    Error::ConnectionFailed("the connection is closed".into())
}

/// What the interface sees of the store.
pub struct PostgresView<'a> {
    /// The component's PostgreSQL state.
    pub state: &'a PostgresState,
    /// The instance's resource table.
    pub table: &'a mut ResourceTable,
}

/// Marker type through which the interface is linked.
pub struct SpinPostgres;

impl HasData for SpinPostgres {
    type Data<'a> = PostgresView<'a>;
}

/// Adds `spin:postgres` to a linker.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> PostgresView<'_>,
) -> wasmtime::Result<()> {
    postgres::add_to_linker::<T, SpinPostgres>(linker, get)
}

fn connection(
    table: &ResourceTable,
    this: &Resource<Connection>,
) -> wasmtime::Result<Arc<Mutex<Leased>>> {
    Ok(table.get(this)?.inner.clone())
}

fn handle(inner: Arc<Mutex<Leased>>) -> Connection {
    Connection { inner }
}

impl postgres::Host for PostgresView<'_> {}

impl postgres::HostConnection for PostgresView<'_> {
    async fn open(
        &mut self,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        Ok(match self.state.open(&address, None).await {
            Ok(conn) => Ok(self.table.push(conn)?),
            Err(e) => Err(e),
        })
    }

    async fn query(
        &mut self,
        this: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<RowSet, Error>> {
        let conn = handle(connection(self.table, &this)?);
        Ok(conn.query(&statement, params).await)
    }

    async fn execute(
        &mut self,
        this: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<u64, Error>> {
        let conn = handle(connection(self.table, &this)?);
        Ok(conn.execute(&statement, params).await)
    }

    async fn drop(&mut self, this: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl postgres::HostConnectionBuilder for PostgresView<'_> {
    async fn new(&mut self, address: String) -> wasmtime::Result<Resource<ConnectionBuilder>> {
        Ok(self.table.push(ConnectionBuilder {
            address,
            root: None,
        })?)
    }

    async fn set_ca_root(
        &mut self,
        this: Resource<ConnectionBuilder>,
        certificate: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let root = match RootCa::from_pem(&certificate) {
            Ok(root) => root,
            Err(e) => return Ok(Err(Error::Other(format!("{e:#}")))),
        };
        self.table.get_mut(&this)?.root = Some(root);
        Ok(Ok(()))
    }

    async fn build(
        &mut self,
        this: Resource<ConnectionBuilder>,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let builder = self.table.get(&this)?;
        let (address, root) = (builder.address.clone(), builder.root.clone());
        Ok(match self.state.open(&address, root).await {
            Ok(conn) => Ok(self.table.push(conn)?),
            Err(e) => Err(e),
        })
    }

    async fn drop(&mut self, this: Resource<ConnectionBuilder>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl<T> postgres::HostConnectionWithStore<T> for SpinPostgres {
    async fn open_async(
        accessor: &Accessor<T, Self>,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let state = accessor.with(|mut access| access.get().state.clone());
        match state.open(&address, None).await {
            Ok(conn) => accessor.with(|mut access| Ok(Ok(access.get().table.push(conn)?))),
            Err(e) => Ok(Err(e)),
        }
    }

    async fn query_async(
        accessor: &Accessor<T, Self>,
        this: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<
        Result<
            (
                Vec<Column>,
                StreamReader<Row>,
                FutureReader<Result<(), Error>>,
            ),
            Error,
        >,
    > {
        let conn = handle(accessor.with(|mut access| connection(access.get().table, &this))?);
        let RowSet { columns, rows } = match conn.query(&statement, params).await {
            Ok(set) => set,
            Err(e) => return Ok(Err(e)),
        };
        accessor.with(|mut access| {
            let rows = StreamReader::new(&mut access, rows)?;
            let done = FutureReader::new(&mut access, async {
                wasmtime::error::Ok(Ok::<(), Error>(()))
            })?;
            Ok(Ok((columns, rows, done)))
        })
    }

    async fn execute_async(
        accessor: &Accessor<T, Self>,
        this: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<u64, Error>> {
        let conn = handle(accessor.with(|mut access| connection(access.get().table, &this))?);
        Ok(conn.execute(&statement, params).await)
    }
}

impl<T> postgres::HostConnectionBuilderWithStore<T> for SpinPostgres {
    async fn build_async(
        accessor: &Accessor<T, Self>,
        this: Resource<ConnectionBuilder>,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let (state, address, root) = accessor.with(|mut access| {
            let view = access.get();
            let builder = view.table.get(&this)?;
            wasmtime::error::Ok((
                view.state.clone(),
                builder.address.clone(),
                builder.root.clone(),
            ))
        })?;
        match state.open(&address, root).await {
            Ok(conn) => accessor.with(|mut access| Ok(Ok(access.get().table.push(conn)?))),
            Err(e) => Ok(Err(e)),
        }
    }
}
