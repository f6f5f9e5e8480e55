//! Loading an application: the manifest and runtime config become composed,
//! compiled, pre-instantiated handlers behind Spin's router.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use http_body_util::BodyExt;
use qmi_manifest::{
    AppManifest, Component as ManifestComponent, DependencyRef, DependencySource, HttpTrigger,
    Location, Route, RuntimeConfig,
};
use qmi_routes::{RouteMatch, Router};
use wasmtime_wasi_http::WasiBody;
use wasmtime_wasi_http::handler::ProxyHandler;

use crate::compose::{self, Dependency, Inherit, Middleware};
use crate::engine;
use crate::factors::key_value::Stores;
use crate::factors::outbound_http::self_request::{GuestResponse, SelfRequests};
use crate::factors::outbound_http::{DispatchSlot, InternalDispatch, OutboundPolicy, error_code};
use crate::factors::sqlite::Databases;
use crate::factors::variables::ComponentVariables;
use crate::metrics::Metrics;
use crate::runtime::{ComponentHandler, Grants, ReuseConfig, Shared};
use crate::stall::HttpLimits;
use crate::state;

/// How to load an application.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// The manifest.
    pub manifest: PathBuf,
    /// Spin's state directory (`.spin`).
    pub data_dir: PathBuf,
    /// The runtime config file, if any.
    pub runtime_config: Option<PathBuf>,
    /// Serve only these components (`--component-id`); empty means all.
    pub components: Vec<String>,
    /// Instance reuse and protection.
    pub reuse: ReuseConfig,
    /// Where compiled components are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Variable values that take precedence over the environment, keyed
    /// like it (`SPIN_VARIABLE_<NAME>`).
    pub variable_overrides: HashMap<String, String>,
    /// The server's limits on slow clients.
    pub http: HttpLimits,
    /// The wall clock the guests see.
    pub clock: crate::clock::Clock,
    /// Keep the operator's metrics (`--metrics-listen`).
    pub metrics: Option<MetricsOptions>,
}

/// What the operator's metrics need to know beyond the application.
#[derive(Clone, Debug, Default)]
pub struct MetricsOptions {
    /// The administrator's PostgreSQL URL when the services run on it (the
    /// schemas' sizes are read with it).
    pub database_url: Option<String>,
}

/// A loaded application, ready to serve.
pub struct App {
    router: Router,
    /// Handler by route as written (routes are unique).
    by_route: HashMap<String, Arc<ProxyHandler<ComponentHandler>>>,
    /// The handler used for service chaining, by component id.
    by_component: HashMap<String, Arc<ProxyHandler<ComponentHandler>>>,
    shared: Arc<Shared>,
    http: HttpLimits,
    metrics: Option<Arc<Metrics>>,
}

impl App {
    /// Loads, composes, compiles and pre-instantiates the application.
    pub async fn load(options: &LoadOptions) -> Result<Arc<App>> {
        let manifest = qmi_manifest::load(&options.manifest)
            .with_context(|| format!("loading {}", options.manifest.display()))?;
        let runtime_config = RuntimeConfig::load(options.runtime_config.as_deref())?;
        runtime_config.check_labels(&manifest)?;
        let variables = manifest
            .resolve_variables(|name| {
                options
                    .variable_overrides
                    .get(name)
                    .cloned()
                    .or_else(|| std::env::var(name).ok())
            })
            .context("resolving application variables")?;

        // Spin's loader gives a component shared by several triggers, where
        // some carry middleware, a synthetic id per such trigger; selection
        // and service chaining see those ids.
        let trigger_ids = manifest.trigger_component_ids();
        if !options.components.is_empty() {
            select_components(&manifest, &trigger_ids, &options.components).context(
                "failed to resolve application with only components selected with --component",
            )?;
        }
        let selected =
            |id: &str| options.components.is_empty() || options.components.iter().any(|c| c == id);
        let served: Vec<(&HttpTrigger, &str)> = manifest
            .http_triggers
            .iter()
            .zip(trigger_ids.iter().map(String::as_str))
            .filter(|(_, id)| selected(id))
            .collect();
        if served.is_empty() {
            bail!("No triggers in app");
        }
        // The component ids of the app as Spin runs it (wildcard service
        // chaining expands to these): every locked component, or only those
        // of the retained triggers with `--component-id`.
        let app_component_ids: BTreeSet<String> = if options.components.is_empty() {
            manifest.locked_component_ids().into_iter().collect()
        } else {
            served.iter().map(|(_, id)| (*id).to_owned()).collect()
        };

        // Databases and stores: the labels some served component declares.
        let mut sqlite_labels = BTreeSet::new();
        let mut kv_labels = BTreeSet::new();
        for (id, component) in &manifest.components {
            let served_here = options.components.is_empty()
                || served
                    .iter()
                    .any(|(t, _)| t.component.as_str() == id.as_str());
            if served_here {
                sqlite_labels.extend(component.sqlite_databases.iter().cloned());
                kv_labels.extend(component.key_value_stores.iter().cloned());
            }
        }
        let databases = Databases::open(
            sqlite_labels
                .iter()
                .map(|label| {
                    Ok((
                        label.clone(),
                        file_of(
                            runtime_config.sqlite_location(label, Some(&options.data_dir)),
                            label,
                        )?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?,
        )
        .await?;
        let stores = Stores::new(
            kv_labels
                .iter()
                .map(|label| {
                    runtime_config
                        .key_value_store(label, Some(&options.data_dir))
                        .map(|store| (label.clone(), store))
                        .with_context(|| {
                            format!("store {label:?} is not defined in the runtime config")
                        })
                })
                .collect::<Result<Vec<_>>>()?,
        )?;

        let engine = engine::build(&engine::EngineLimits {
            max_instance_memory: options.reuse.max_memory,
            ..Default::default()
        })?;
        let dispatch: DispatchSlot = Arc::new(OnceLock::new());
        let shared = Arc::new(Shared {
            engine: engine.clone(),
            databases: Arc::new(databases),
            stores: Arc::new(stores),
            postgres: Default::default(),
            dispatch: dispatch.clone(),
            self_requests: Arc::new(SelfRequests::new(options.http.self_request_pool_idle())),
            reuse: options.reuse.clone(),
            clock: options.clock.clone(),
        });
        let linker = state::linker(&engine)?;
        let metrics = options.metrics.as_ref().map(|metrics| {
            let components: BTreeSet<String> = served
                .iter()
                .map(|(trigger, _)| trigger.component.as_str().to_owned())
                .collect();
            Arc::new(Metrics::new(
                components,
                crate::metrics::Databases::new(
                    shared.databases.clone(),
                    shared.postgres.clone(),
                    metrics.database_url.clone(),
                ),
            ))
        });

        let mut routes = Vec::new();
        let mut by_route = HashMap::new();
        let mut by_component: HashMap<String, Arc<ProxyHandler<ComponentHandler>>> = HashMap::new();
        // Identical compositions are compiled once; each component id still
        // gets its own handler, hence its own instances, as in Spin.
        let mut compiled: HashMap<String, wasmtime::component::Component> = HashMap::new();
        for (trigger, id) in served {
            let handler = match by_component.get(id) {
                Some(handler) => handler.clone(),
                None => {
                    let started = Instant::now();
                    let source = trigger.component.as_str();
                    let component = &manifest.components[source];
                    let key = format!("{source}|{:?}", trigger.middleware);
                    let code = match compiled.get(&key) {
                        Some(code) => code.clone(),
                        None => {
                            let bytes = compose_for(&manifest, component, &trigger.middleware)?;
                            let code = engine::load_component(
                                &engine,
                                &bytes,
                                options.cache_dir.as_deref(),
                            )
                            .with_context(|| format!("compiling component {id:?}"))?;
                            compiled.insert(key, code.clone());
                            code
                        }
                    };
                    let grants = Arc::new(grants(
                        &manifest,
                        id,
                        component,
                        &variables,
                        &app_component_ids,
                        &options.data_dir,
                    )?);
                    let handler = Arc::new(ComponentHandler::new(
                        shared.clone(),
                        &linker,
                        &code,
                        grants,
                        metrics.as_ref().and_then(|m| m.component(source)),
                    )?);
                    tracing::debug!(
                        component = id,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "component ready"
                    );
                    by_component.insert(id.to_owned(), handler.clone());
                    handler
                }
            };
            if let Route::Path(route) = &trigger.route {
                routes.push((route.to_owned(), id.to_owned()));
                by_route.insert(route.to_owned(), handler);
            }
        }
        let router = Router::build(routes)?;
        let app = Arc::new(App {
            router,
            by_route,
            by_component,
            shared,
            http: options.http.clone(),
            metrics,
        });
        let weak: Weak<dyn InternalDispatch> =
            Arc::downgrade(&(app.clone() as Arc<dyn InternalDispatch>));
        let _ = dispatch.set(weak);
        Ok(app)
    }

    /// The route and handler for a request path.
    pub fn route(&self, path: &str) -> Option<(RouteMatch, &ProxyHandler<ComponentHandler>)> {
        let m = self.router.route(path)?;
        let handler = self.by_route.get(m.raw_route())?;
        Some((m, handler))
    }

    /// The server's limits on slow clients.
    pub fn http_limits(&self) -> &HttpLimits {
        &self.http
    }

    /// The operator's metrics, when kept.
    pub fn metrics(&self) -> Option<&Arc<Metrics>> {
        self.metrics.as_ref()
    }

    /// Records the address the server is bound to, the origin of
    /// self-requests (Spin's `SelfRequestOrigin`, `http://<bound address>`).
    pub fn set_origin(&self, addr: std::net::SocketAddr) {
        self.shared.self_requests.set_origin(addr);
    }

    /// Times `n` instantiations of the composition serving `path`.
    pub async fn measure_instantiation(
        &self,
        path: &str,
        n: usize,
    ) -> Result<Vec<std::time::Duration>> {
        let (_, handler) = self
            .route(path)
            .with_context(|| format!("no route for {path}"))?;
        handler.state().time_instantiations(n.max(1)).await
    }

    /// The served routes, as written, with their component.
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.router.routes()
    }

    /// Releases the databases and key-value stores (checkpointing WAL files).
    pub async fn close(&self) {
        self.shared.databases.close().await;
        self.shared.stores.close().await;
        self.shared.postgres.close();
    }
}

impl InternalDispatch for App {
    fn dispatch(
        self: Arc<Self>,
        component: String,
        request: http::Request<WasiBody>,
    ) -> Option<futures::future::BoxFuture<'static, GuestResponse>> {
        // Spin looks the host up among the triggers' component ids; a miss
        // fails the host call, trapping the calling instance.
        let handler = self.by_component.get(&component)?.clone();
        Some(Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let path = parts.uri.path().to_owned();
            let m = RouteMatch::service_chaining(&component, &path);
            // As in Spin: the `host` header (which names the component, not a
            // server) is dropped before dispatch, so `spin-full-url` falls back
            // to host `localhost`, and the client address is `0.0.0.0:0`.
            parts.headers.remove(http::header::HOST);
            let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            let full_url = format!("http://localhost{path_and_query}");
            let client: std::net::SocketAddr = ([0, 0, 0, 0], 0).into();
            for (name, value) in qmi_routes::spin_headers(&m, &full_url, client) {
                if let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_str(&value),
                ) {
                    parts.headers.append(name, value);
                }
            }
            let request = http::Request::from_parts(parts, body);
            let started = Instant::now();
            let component_metrics = handler.state().metrics();
            // A failure of the chained component is its own: the caller gets
            // Spin's 500 with an empty body, as a client would.
            let response = match handler.handle((), request).await {
                // The caller sees a failure of the body as an internal error
                // naming the chained component's code.
                Ok(response) => response.map(|body| {
                    body.map_err(|e| {
                        wasmtime_wasi_http::Error::InternalError(Some(format!(
                            "{:?}",
                            error_code(&e)
                        )))
                    })
                    .boxed_unsync()
                }),
                Err(error) => {
                    tracing::error!(component, "Error processing request: {error:#}");
                    if let Some(m) = component_metrics
                        && crate::metrics::is_expired(&error)
                    {
                        m.deadlines(1);
                    }
                    let mut response = http::Response::new(
                        http_body_util::Empty::new()
                            .map_err(|never| match never {})
                            .boxed_unsync(),
                    );
                    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
                    response
                }
            };
            if let Some(metrics) = &self.metrics {
                let status = response.status().as_u16();
                metrics.response(
                    component_metrics,
                    status,
                    response.headers(),
                    started.elapsed(),
                );
            }
            response
        }))
    }
}

/// Spin's `retain_components` checks for `--component-id`: every id names a
/// component of the locked app (synthetic ids included), and no retained
/// trigger's component may chain to a component left out (nor use wildcard
/// chaining); same messages.
fn select_components(
    manifest: &AppManifest,
    trigger_ids: &[String],
    selected: &[String],
) -> Result<()> {
    let locked = manifest.locked_component_ids();
    for id in selected {
        if !locked.contains(id) {
            bail!("Specified component \"{id}\" not found in application");
        }
    }
    check_service_chaining_targets(manifest, trigger_ids, selected)
}

/// With `--component-id`, Spin refuses to start when a selected component may
/// chain to a component that is not selected (or may chain to any, through
/// `http://*.spin.internal`); same messages.
pub(crate) fn check_service_chaining_targets(
    manifest: &AppManifest,
    trigger_ids: &[String],
    selected: &[String],
) -> Result<()> {
    for (trigger, id) in manifest.http_triggers.iter().zip(trigger_ids) {
        if !selected.iter().any(|c| c == id) {
            continue;
        }
        // As in Spin, templated entries are not known yet and are skipped.
        let hosts = &manifest.components[trigger.component.as_str()].allowed_outbound_hosts;
        for host in hosts.iter().filter_map(qmi_manifest::HostEntry::exact) {
            let target = match &host.host {
                qmi_manifest::Host::AnySubdomain(suffix)
                    if suffix == qmi_manifest::SERVICE_CHAINING_SUFFIX =>
                {
                    "*"
                }
                qmi_manifest::Host::Domain(domain) => {
                    match qmi_manifest::service_chaining_component(domain) {
                        Some(target) => target,
                        None => continue,
                    }
                }
                _ => continue,
            };
            if target == "*" {
                bail!(
                    "Selected component '{id}' cannot use wildcard service chaining: allowed_outbound_hosts = [\"http://*.spin.internal\"]"
                );
            }
            if !selected.iter().any(|c| c == target) {
                bail!(
                    "Selected component '{id}' cannot use service chaining to unselected component: allowed_outbound_hosts = [\"http://{target}.spin.internal\"]"
                );
            }
        }
    }
    Ok(())
}

/// The file behind a store label; qmi keeps every store on disk.
pub fn file_of(location: Option<Location>, label: &str) -> Result<PathBuf> {
    match location {
        Some(Location::File(path)) => Ok(path),
        Some(Location::InMemory) => {
            bail!("store {label:?} would be in memory (no state directory): qmi needs a path")
        }
        None => bail!("store {label:?} is not defined in the runtime config"),
    }
}

fn inherit(dep: &DependencyRef) -> Inherit {
    match &dep.inherit_configuration {
        qmi_manifest::Inherit::All => Inherit::All,
        qmi_manifest::Inherit::None => Inherit::Some(Vec::new()),
        qmi_manifest::Inherit::Some(names) => Inherit::Some(names.clone()),
    }
}

fn read_source(manifest: &AppManifest, dep: &DependencyRef) -> Result<(Vec<u8>, String)> {
    match &dep.source {
        DependencySource::Component(id) => {
            let component = manifest
                .components
                .get(id.as_str())
                .with_context(|| format!("no component {id:?}"))?;
            Ok((read_wasm(&component.source)?, id.to_string()))
        }
        DependencySource::Path(path) => Ok((read_wasm(path)?, path.display().to_string())),
    }
}

fn read_wasm(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| {
        format!(
            "reading {} (has the component been built? run `qmi build`)",
            path.display()
        )
    })
}

/// The component's bytes with its dependencies plugged in and the trigger's
/// middleware around it.
fn compose_for(
    manifest: &AppManifest,
    component: &ManifestComponent,
    middleware: &[DependencyRef],
) -> Result<Vec<u8>> {
    let mut bytes = read_wasm(&component.source)?;
    let mut dependencies = Vec::new();
    for (key, dep) in &component.dependencies {
        let (dep_bytes, _) = read_source(manifest, dep)?;
        let inherit = if component.dependencies_inherit_configuration {
            Inherit::All
        } else {
            inherit(dep)
        };
        dependencies.push(Dependency {
            key: key.to_string(),
            bytes: dep_bytes,
            inherit,
        });
    }
    bytes = compose::compose_dependencies(bytes, dependencies)
        .context("composing component dependencies")?;
    let mut chain = Vec::new();
    for mw in middleware {
        let (mw_bytes, name) = read_source(manifest, mw)?;
        chain.push(Middleware {
            bytes: mw_bytes,
            inherit: inherit(mw),
        });
        tracing::debug!(middleware = name, "composing middleware");
    }
    compose::compose_middleware(bytes, chain).context("composing middleware")
}

/// What the component is granted, resolved from the manifest.
fn grants(
    manifest: &AppManifest,
    id: &str,
    component: &ManifestComponent,
    variables: &qmi_manifest::ResolvedVariables,
    app_component_ids: &BTreeSet<String>,
    data_dir: &Path,
) -> Result<Grants> {
    let mut values = HashMap::new();
    for (name, template) in &component.variables {
        let value = variables
            .render(template)
            .with_context(|| format!("rendering variable {name:?} of component {id:?}"))?;
        values.insert(name.to_string(), value);
    }
    let mounts = crate::files::mounts(manifest, id, component, data_dir)?;
    // Templates (`{{ mail_api_origin }}`) resolve with the application
    // variables, as the component's own variables do; a value that is no valid
    // host stops the start-up.
    let hosts = component
        .allowed_hosts(variables)
        .with_context(|| format!("resolving allowed_outbound_hosts of component {id:?}"))?;
    // Spin expands `*.spin.internal` into one entry per component of the app:
    // chaining to a host that names no component is denied.
    let component_ids = app_component_ids.clone();
    // Spin's `check_relative_url(&["http", "https"])`: `self`, `self.alt` or
    // `*` hosts with one of those schemes (any port).
    let allow_self = hosts.iter().any(|h| h.allows_relative(&["http", "https"]));
    let hosts = Arc::new(hosts);
    let postgres_hosts = hosts.clone();
    Ok(Grants {
        id: id.to_owned(),
        variables: ComponentVariables::new(values),
        sqlite: Arc::new(component.sqlite_databases.iter().cloned().collect()),
        key_value: Arc::new(component.key_value_stores.iter().cloned().collect()),
        mounts,
        environment: component
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        // Spin's `check_url(.., "postgres")`: an entry with the `postgres`
        // scheme (or `*`) that matches the host and port.
        postgres: Arc::new(move |url: &qmi_manifest::OutboundUrl| {
            postgres_hosts.iter().any(|h| h.allows(url))
        }),
        outbound: Arc::new(OutboundPolicy {
            allow_self,
            allow: Arc::new(move |uri: &http::Uri| {
                let Ok(url) = qmi_manifest::OutboundUrl::parse(&uri.to_string()) else {
                    return false;
                };
                let names_a_component = || {
                    qmi_manifest::service_chaining_component(&url.host)
                        .is_some_and(|c| component_ids.contains(c))
                };
                hosts.iter().any(|h| match &h.host {
                    qmi_manifest::Host::AnySubdomain(suffix)
                        if suffix == qmi_manifest::SERVICE_CHAINING_SUFFIX =>
                    {
                        names_a_component() && h.allows(&url)
                    }
                    _ => h.allows(&url),
                })
            }),
        }),
    })
}
