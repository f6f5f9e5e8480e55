//! The data of one component instance's store, and the linker that serves
//! every interface a Spin component may import.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::Engine;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{
    ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks,
    WasiHttpView,
};

use crate::factors::key_value::{self, KeyValueState, KeyValueView};
use crate::factors::outbound_http::{self, OutboundHttp};
use crate::factors::postgres::{self, PostgresState, PostgresView};
use crate::factors::sqlite::{self, SqliteState, SqliteView};
use crate::factors::variables::{self, ComponentVariables};

/// Everything a store holds for one instance.
pub struct InstanceState {
    pub(crate) table: ResourceTable,
    pub(crate) wasi: WasiCtx,
    pub(crate) http: WasiHttpCtx,
    pub(crate) outbound: OutboundHttp,
    pub(crate) inbound: Inbound,
    pub(crate) limits: crate::metrics::MeteredLimits,
    pub(crate) variables: ComponentVariables,
    pub(crate) sqlite: SqliteState,
    pub(crate) key_value: KeyValueState,
    pub(crate) postgres: PostgresState,
    pub(crate) clock: Arc<RequestClock>,
}

impl WasiView for InstanceState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for InstanceState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

impl InstanceState {
    /// The view the request handler converts incoming requests (and the
    /// guest's responses) with: as in Spin, the guest sees every header the
    /// request arrived with (`host` included).
    pub fn inbound_http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.inbound,
        }
    }
}

/// The hooks of [`InstanceState::inbound_http`]. wasmtime-wasi-http 48 strips
/// its forbidden headers (`host`, hop-by-hop headers) from an incoming request
/// before the guest sees it; 47, like the Spin qmi follows, did not. Outbound
/// requests drop them instead (`outbound_http`), so a guest that forwards the
/// request it received cannot pass them on.
#[derive(Default)]
pub struct Inbound;

impl WasiHttpHooks for Inbound {
    fn is_forbidden_header(&mut self, _: &http::HeaderName) -> bool {
        false
    }

    fn forbidden_header_filter(&mut self) -> ForbiddenHeaderFilter {
        Arc::new(|_| false)
    }

    /// Never used: the guest's requests go through [`OutboundHttp`].
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        _: Option<RequestOptions>,
        _: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> outbound_http::Sent {
        tracing::error!(uri = %request.uri(), "outbound request through the inbound view refused");
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// Builds the linker shared by every component of the application.
pub fn linker(engine: &Engine) -> anyhow::Result<Linker<InstanceState>> {
    let mut linker = Linker::<InstanceState>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    // wasi:http@0.3.0, its client trapping on unknown routing destinations.
    outbound_http::add_to_linker(&mut linker)?;
    variables::add_to_linker(&mut linker, |s| &s.variables)?;
    sqlite::add_to_linker(&mut linker, |s| SqliteView {
        state: &s.sqlite,
        table: &mut s.table,
    })?;
    key_value::add_to_linker(&mut linker, |s| KeyValueView {
        state: &s.key_value,
        table: &mut s.table,
    })?;
    postgres::add_to_linker(&mut linker, |s| PostgresView {
        state: &s.postgres,
        table: &mut s.table,
    })?;
    Ok(linker)
}

/// The start times of the requests an instance is serving, read by the
/// epoch callback to enforce the request deadline even while guest code
/// spins without yielding.
#[derive(Default)]
pub struct RequestClock {
    started: Mutex<Vec<(u64, Instant)>>,
    next: std::sync::atomic::AtomicU64,
}

impl RequestClock {
    /// Records a request's start; the guard forgets it when dropped.
    pub fn start(self: &Arc<Self>) -> RequestGuard {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((id, Instant::now()));
        RequestGuard {
            clock: self.clone(),
            id,
        }
    }

    /// How many requests have run longer than `timeout`.
    pub fn overdue(&self, timeout: Duration) -> usize {
        self.started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|(_, t)| t.elapsed() > timeout)
            .count()
    }
}

/// Marks one request as in flight on an instance.
pub struct RequestGuard {
    clock: Arc<RequestClock>,
    id: u64,
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.clock
            .started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|(id, _)| *id != self.id);
    }
}
