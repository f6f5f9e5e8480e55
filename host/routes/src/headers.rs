//! The request headers Spin 4 adds for the component (see Spin's `trigger-http` headers).

use std::{borrow::Cow, net::SocketAddr};

use crate::RouteMatch;

/// `spin-full-url`: scheme, authority and path with query of the request.
pub const FULL_URL: &str = "spin-full-url";
/// `spin-path-info`: the path below a wildcard route's prefix.
pub const PATH_INFO: &str = "spin-path-info";
/// `spin-matched-route`: the matched route, absolute, without trailing slash.
pub const MATCHED_ROUTE: &str = "spin-matched-route";
/// `spin-base-path`: always `/` (Spin 2+ has no application base).
pub const BASE_PATH: &str = "spin-base-path";
/// `spin-raw-component-route`: the route exactly as written.
pub const RAW_COMPONENT_ROUTE: &str = "spin-raw-component-route";
/// `spin-component-route`: the route as written, without a trailing `/...`.
pub const COMPONENT_ROUTE: &str = "spin-component-route";
/// `spin-client-addr`: the client's socket address.
pub const CLIENT_ADDR: &str = "spin-client-addr";
/// Prefix of one header per `:param`: `spin-path-match-<name>`, the name lowercased with
/// `_` turned into `-`.
pub const PATH_MATCH_PREFIX: &str = "spin-path-match-";

/// The `spin-full-url` value as Spin builds it: `scheme` is the server's (`http` or
/// `https`), `host` the request's `Host` header (Spin uses `localhost` when absent),
/// `path_and_query` the request target's path and query.
pub fn full_url(scheme: &str, host: Option<&str>, path_and_query: &str) -> String {
    format!("{scheme}://{}{path_and_query}", host.unwrap_or("localhost"))
}

/// Every header Spin sets on the request it hands to the component, in Spin's order.
///
/// Spin *appends* these after the client's own headers (it does not replace a client's
/// copy of the same name). `full_url` is typically built with [`full_url`].
pub fn spin_headers(
    m: &RouteMatch,
    full_url: &str,
    client_addr: SocketAddr,
) -> Vec<(Cow<'static, str>, String)> {
    let mut headers: Vec<(Cow<'static, str>, String)> = vec![
        (PATH_INFO.into(), m.path_info().to_owned()),
        (FULL_URL.into(), full_url.to_owned()),
        (MATCHED_ROUTE.into(), m.matched_route().to_owned()),
        (BASE_PATH.into(), "/".to_owned()),
        (RAW_COMPONENT_ROUTE.into(), m.raw_route().to_owned()),
        (COMPONENT_ROUTE.into(), m.component_route().to_owned()),
        (CLIENT_ADDR.into(), client_addr.to_string()),
    ];
    for (name, value) in m.params() {
        let name = name.replace('_', "-").to_ascii_lowercase();
        headers.push((
            format!("{PATH_MATCH_PREFIX}{name}").into(),
            value.to_owned(),
        ));
    }
    headers
}
