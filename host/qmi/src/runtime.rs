//! Instances as Spin 4.1 runs WASIp3 HTTP components: pre-instantiated,
//! reused for up to N concurrent and M total requests, dropped when idle,
//! each request bounded by a deadline that epoch interruption enforces even
//! inside a guest that never yields.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use wasmtime::component::{Component, GuestTaskId, Linker};
use wasmtime::{Engine, Store, StoreContextMut, StoreLimitsBuilder, UpdateDeadline};
use wasmtime_wasi::{FsPerms, WasiCtx};
use wasmtime_wasi_http::WasiHttpCtx;
use wasmtime_wasi_http::handler::{
    self, HandlerState, Proxy, ProxyHandler, ProxyPre, ShouldAccept, WorkerExpiration, WorkerState,
    WorkerStatus,
};
use wasmtime_wasi_http::p3::bindings::ServicePre;

use crate::factors::key_value::{KeyValueState, Stores};
use crate::factors::outbound_http::self_request::SelfRequests;
use crate::factors::outbound_http::{DispatchSlot, OutboundHttp, OutboundPolicy};
use crate::factors::postgres::{Pools, PostgresState};
use crate::factors::sqlite::{Databases, SqliteState};
use crate::factors::variables::ComponentVariables;
use crate::metrics::{ComponentMetrics, MeteredLimits};
use crate::state::{InstanceState, RequestClock};

/// Spin 4.1's defaults for WASIp3 instance reuse.
#[derive(Clone, Debug)]
pub struct ReuseConfig {
    /// Concurrent requests one instance may serve.
    pub max_concurrent: usize,
    /// Requests one instance serves before it is retired.
    pub max_total: usize,
    /// How long an idle instance is kept.
    pub idle_timeout: Duration,
    /// The request deadline, if any.
    pub request_timeout: Option<Duration>,
    /// Memory cap per linear memory of an instance.
    pub max_memory: usize,
}

impl Default for ReuseConfig {
    fn default() -> Self {
        Self {
            max_concurrent: 16,
            max_total: 128,
            idle_timeout: Duration::from_secs(1),
            request_timeout: None,
            max_memory: 128 << 20,
        }
    }
}

/// What a component is granted: its resolved configuration.
pub struct Grants {
    /// The component id.
    pub id: String,
    /// Its variables, rendered.
    pub variables: ComponentVariables,
    /// SQLite labels it declared.
    pub sqlite: Arc<BTreeSet<String>>,
    /// Key-value labels it declared.
    pub key_value: Arc<BTreeSet<String>>,
    /// Read-only directory mounts: host directory → guest path.
    pub mounts: Vec<(PathBuf, String)>,
    /// Environment variables.
    pub environment: Vec<(String, String)>,
    /// Its outbound HTTP policy.
    pub outbound: Arc<OutboundPolicy>,
    /// Which PostgreSQL servers (`postgres://host:port`) it may reach.
    pub postgres: Arc<dyn Fn(&qmi_manifest::OutboundUrl) -> bool + Send + Sync>,
}

/// Application-wide resources every instance draws on.
pub struct Shared {
    /// The engine.
    pub engine: Engine,
    /// SQLite databases by label.
    pub databases: Arc<Databases>,
    /// Key-value stores by label.
    pub stores: Arc<Stores>,
    /// PostgreSQL connection pools, by component and address.
    pub postgres: Arc<Pools>,
    /// Where service-chained requests go.
    pub dispatch: DispatchSlot,
    /// Where self-requests go.
    pub self_requests: Arc<SelfRequests>,
    /// Reuse and protection settings.
    pub reuse: ReuseConfig,
    /// The wall clock the guests see.
    pub clock: crate::clock::Clock,
}

/// One servable composition (a component with its dependencies and a
/// trigger's middleware), pre-instantiated.
pub struct ComponentHandler {
    shared: Arc<Shared>,
    grants: Arc<Grants>,
    pre: ProxyPre<InstanceState>,
    /// The figures of the component it serves, with metrics on.
    metrics: Option<Arc<ComponentMetrics>>,
}

impl ComponentHandler {
    /// Links `component` (denied capabilities become traps) and
    /// pre-instantiates it; its requests and instances count in `metrics`.
    pub fn new(
        shared: Arc<Shared>,
        base_linker: &Linker<InstanceState>,
        component: &Component,
        grants: Arc<Grants>,
        metrics: Option<Arc<ComponentMetrics>>,
    ) -> Result<ProxyHandler<Self>> {
        let mut linker = base_linker.clone();
        define_denials(&mut linker, component, &shared.engine)?;
        let pre = linker
            .instantiate_pre(component)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "component {:?} imports something the runtime does not provide",
                    grants.id
                )
            })?;
        let pre = ProxyPre::P3(
            ServicePre::new(pre)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!(
                        "component {:?} does not export wasi:http/handler@0.3.0",
                        grants.id
                    )
                })?,
        );
        Ok(ProxyHandler::new(Self {
            shared,
            grants,
            pre,
            metrics,
        }))
    }

    /// The figures of the component it serves, with metrics on.
    pub fn metrics(&self) -> Option<&ComponentMetrics> {
        self.metrics.as_deref()
    }

    /// Times `n` instantiations (store and instance, as each new worker
    /// pays), sorted ascending.
    pub async fn time_instantiations(&self, n: usize) -> Result<Vec<Duration>> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let started = Instant::now();
            let mut store = self.store()?;
            let _proxy = self
                .pre
                .instantiate_async(&mut store)
                .await
                .map_err(anyhow::Error::from)?;
            times.push(started.elapsed());
        }
        times.sort();
        Ok(times)
    }

    fn store(&self) -> Result<Store<InstanceState>> {
        let grants = &self.grants;
        // No `wasi:sockets`: components reach the network through `wasi:http`
        // and Spin's interfaces only. (wasmtime-wasi 48 denies TCP and UDP by
        // default; 47 let sockets be created but its default address check
        // refused every bind, connect and send.)
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stdout().inherit_stderr();
        if let Some(clock) = self.shared.clock.guest_clock() {
            wasi.wall_clock(clock);
        }
        for (key, value) in &grants.environment {
            wasi.env(key, value);
        }
        for (host, guest) in &grants.mounts {
            wasi.preopened_dir(host, guest, FsPerms::ReadOnly)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("mounting {} at {guest}", host.display()))?;
        }
        let state = InstanceState {
            table: Default::default(),
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            outbound: OutboundHttp::new(
                grants.outbound.clone(),
                self.shared.dispatch.clone(),
                self.shared.self_requests.clone(),
            ),
            limits: MeteredLimits::new(
                StoreLimitsBuilder::new()
                    .memory_size(self.shared.reuse.max_memory)
                    .trap_on_grow_failure(true)
                    .build(),
                self.metrics.as_ref(),
            ),
            variables: grants.variables.clone(),
            sqlite: SqliteState::new(grants.sqlite.clone(), self.shared.databases.clone()),
            key_value: KeyValueState::new(grants.key_value.clone(), self.shared.stores.clone()),
            postgres: PostgresState::new(
                grants.id.as_str().into(),
                grants.postgres.clone(),
                self.shared.postgres.clone(),
            ),
            inbound: Default::default(),
            clock: Arc::new(RequestClock::default()),
        };
        let mut store = Store::new(&self.shared.engine, state);
        store.limiter(|s| &mut s.limits);
        let timeout = self.shared.reuse.request_timeout;
        let metrics = self.metrics.clone();
        store.epoch_deadline_callback(move |ctx| {
            let overdue = match timeout {
                Some(timeout) => ctx.data().clock.overdue(timeout),
                None => 0,
            };
            if overdue == 0 {
                return Ok(UpdateDeadline::Continue(1));
            }
            // The instance traps here, failing its overdue requests: the
            // deadline cut them (its other requests fail with them).
            if let Some(metrics) = &metrics {
                metrics.deadlines(overdue);
            }
            Ok(UpdateDeadline::Interrupt)
        });
        store.set_epoch_deadline(1);
        Ok(store)
    }
}

/// Fills the `qmi-deny-*` imports of a composition as Spin's deny adapter
/// does for the capabilities a dependency did not inherit: each call answers
/// the interface's own refusal (`access-denied`, `undefined`, an empty list,
/// a denied HTTP request), or traps where the interface has none.
fn define_denials(
    linker: &mut Linker<InstanceState>,
    component: &Component,
    engine: &Engine,
) -> Result<()> {
    use wasmtime::component::types::ComponentItem;
    let ty = component.component_type();
    for (name, item) in ty.imports(engine) {
        if !name.starts_with(crate::compose::DENY_PREFIX) {
            continue;
        }
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            continue;
        };
        let denied = name
            .trim_start_matches(crate::compose::DENY_PREFIX)
            .split_once('-')
            .map_or(name, |(_, n)| n)
            .to_owned();
        let mut target = linker.instance(name).map_err(anyhow::Error::from)?;
        for (export, item) in instance.exports(engine) {
            match item.ty {
                ComponentItem::ComponentFunc(func) => {
                    let what = format!("{denied}#{export}");
                    let defined = if func.async_() {
                        target.func_new_concurrent(export, move |_, func, params, results| {
                            let outcome = refuse(&what, &func, params, results);
                            Box::pin(async move { outcome })
                        })
                    } else {
                        target.func_new(export, move |_, func, params, results| {
                            refuse(&what, &func, params, results)
                        })
                    };
                    defined.map_err(anyhow::Error::from)?;
                }
                ComponentItem::Resource(_) => {
                    target
                        .resource(
                            export,
                            wasmtime::component::ResourceType::host::<Denied>(),
                            |_, _| Ok(()),
                        )
                        .map_err(anyhow::Error::from)?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The refusal a denied function answers with.
fn refuse(
    what: &str,
    func: &wasmtime::component::types::ComponentFunc,
    params: &[wasmtime::component::Val],
    results: &mut [wasmtime::component::Val],
) -> wasmtime::Result<()> {
    use wasmtime::component::Val;
    use wasmtime::component::types::Type;
    let result_types: Vec<Type> = func.results().collect();
    let value = match result_types.as_slice() {
        [Type::List(_)] => Some(Val::List(Vec::new())),
        [Type::Option(_)] => Some(Val::Option(None)),
        [Type::Result(result)] => match result.err() {
            Some(Type::Variant(variant)) => {
                let cases: Vec<_> = variant
                    .cases()
                    .map(|c| (c.name.to_owned(), c.ty.is_some()))
                    .collect();
                let first_string = params.iter().find_map(|p| match p {
                    Val::String(s) => Some(s.clone()),
                    _ => None,
                });
                ["access-denied", "HTTP-request-denied"]
                    .iter()
                    .find_map(|case| {
                        cases
                            .iter()
                            .find(|(name, payload)| name == case && !payload)
                    })
                    .map(|(name, _)| Val::Variant(name.clone(), None))
                    .or_else(|| {
                        cases
                            .iter()
                            .find(|(name, payload)| name == "undefined" && *payload)
                            .map(|(name, _)| {
                                Val::Variant(
                                    name.clone(),
                                    Some(Box::new(Val::String(first_string.unwrap_or_default()))),
                                )
                            })
                    })
                    .map(|err| Val::Result(Err(Some(Box::new(err)))))
            }
            _ => None,
        },
        _ => None,
    };
    match value {
        Some(value) if results.len() == 1 => {
            results[0] = value;
            Ok(())
        }
        _ => Err(wasmtime::format_err!(
            "{what} is not permitted: the configuration was not inherited"
        )),
    }
}

/// The resource type of denied interfaces; never instantiated.
struct Denied;

impl HandlerState for ComponentHandler {
    type StoreData = InstanceState;
    type WorkerExpiration = Expiration;
    type WorkerState = Worker;

    async fn instantiate(
        &self,
    ) -> wasmtime::Result<handler::Instance<InstanceState, Expiration, Worker>> {
        let mut store = self.store().map_err(wasmtime::Error::from_anyhow)?;
        let proxy: Proxy = self.pre.instantiate_async(&mut store).await?;
        let reuse = &self.shared.reuse;
        let request_timeout = reuse.request_timeout.unwrap_or(Duration::MAX);
        Ok(handler::Instance {
            store,
            proxy,
            view: InstanceState::inbound_http,
            expiration: Expiration {
                idle_timeout: reuse.idle_timeout,
                request_timeout,
                sleep: Box::pin(tokio::time::sleep(Duration::from_secs(86400 * 365))),
            },
            state: Worker {
                request_timeout,
                max_total: reuse.max_total,
                max_concurrent: reuse.max_concurrent,
                component: self.grants.id.clone(),
                metrics: self.metrics.clone(),
            },
        })
    }
}

/// When an instance expires: idle too long, or its requests overdue.
pub struct Expiration {
    idle_timeout: Duration,
    request_timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl WorkerExpiration for Expiration {
    fn poll(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        status: WorkerStatus,
        start: Instant,
    ) -> Poll<()> {
        let me = self.get_mut();
        let timeout = match status {
            WorkerStatus::Idle => me.idle_timeout,
            WorkerStatus::Requests | WorkerStatus::PostReturn => me.request_timeout,
        };
        match start.checked_add(timeout) {
            Some(deadline) => {
                let deadline = tokio::time::Instant::from_std(deadline);
                if me.sleep.deadline() != deadline {
                    me.sleep.as_mut().reset(deadline);
                }
                me.sleep.as_mut().poll(cx)
            }
            None => Poll::Pending,
        }
    }
}

/// How many requests an instance accepts, and what happens when it ends.
pub struct Worker {
    request_timeout: Duration,
    max_total: usize,
    max_concurrent: usize,
    component: String,
    metrics: Option<Arc<ComponentMetrics>>,
}

impl WorkerState for Worker {
    type StoreData = InstanceState;
    type RequestData = ();

    fn should_accept_request(&self, concurrent: usize, total: usize) -> ShouldAccept {
        if total >= self.max_total {
            ShouldAccept::Never
        } else if concurrent >= self.max_concurrent {
            ShouldAccept::No
        } else {
            ShouldAccept::Yes
        }
    }

    fn on_request_start(
        &self,
        store: StoreContextMut<'_, InstanceState>,
        _: (),
        _: GuestTaskId,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + Sync + 'static>> {
        let guard = store.data().clock.start();
        let timeout = self.request_timeout;
        Box::pin(async move {
            let _guard = guard;
            if timeout == Duration::MAX {
                std::future::pending::<()>().await
            } else {
                tokio::time::sleep(timeout).await
            }
        })
    }

    fn drop(&self, store: Store<InstanceState>, result: wasmtime::Result<()>) {
        if let Err(error) = result {
            tracing::warn!(component = %self.component, "instance discarded: {error:#}");
            if let Some(metrics) = &self.metrics
                && crate::metrics::is_trap(&error)
            {
                metrics.trap();
            }
        }
        drop(store);
    }
}
