//! Spin's HTTP routing and the request headers Spin sets for a component.
//!
//! Routes are matched exactly as Spin 4 does (with the same `routefinder` matcher):
//! exact segments beat `:param` segments, which beat a trailing wildcard (`/...`);
//! among wildcards the longest prefix wins. A trailing slash on the route or the path
//! does not matter, except that the wildcard capture (`spin-path-info`) keeps it.

#![deny(missing_docs)]

mod headers;
mod router;

pub use headers::{
    BASE_PATH, CLIENT_ADDR, COMPONENT_ROUTE, FULL_URL, MATCHED_ROUTE, PATH_INFO, PATH_MATCH_PREFIX,
    RAW_COMPONENT_ROUTE, full_url, spin_headers,
};
pub use router::{RouteError, RouteMatch, Router, WELL_KNOWN_PREFIX};
