//! The route table and its matches.

use std::{collections::HashMap, sync::Arc};

/// Paths under this prefix are answered by the runtime itself (`health`, `info`) and never
/// reach a component, whatever the routes say.
pub const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

/// Why a route table could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RouteError {
    /// A route is not a valid Spin route pattern.
    #[error("Error parsing route {route} associated with component {component}: {reason}")]
    Invalid {
        /// The route as written.
        route: String,
        /// The component the route belongs to.
        component: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two routes match exactly the same paths.
    #[error(
        "duplicate route: {route:?} (component {second:?}) duplicates {first_route:?} (component {first:?})"
    )]
    Duplicate {
        /// The later route, as written.
        route: String,
        /// The component of the later route.
        second: String,
        /// The earlier route, as written.
        first_route: String,
        /// The component of the earlier route.
        first: String,
    },
}

/// One routable entry: a route as written and the component serving it.
#[derive(Debug)]
struct Entry {
    component: Arc<str>,
    /// The route as written in the manifest (`spin-raw-component-route`).
    raw: Arc<str>,
    /// The route made absolute, without a trailing slash (`spin-matched-route`).
    based: Arc<str>,
    wildcard: bool,
}

/// Spin's HTTP route table: maps a request path to the component that serves it.
#[derive(Debug)]
pub struct Router {
    inner: routefinder::Router<Arc<Entry>>,
    entries: Vec<Arc<Entry>>,
}

impl Router {
    /// Builds the table from `(route as written, component id)` pairs.
    ///
    /// Fails on an invalid route, or when two routes match exactly the same paths
    /// (Spin logs such a duplicate and lets the later one win; qmi refuses it).
    pub fn build(routes: impl IntoIterator<Item = (String, String)>) -> Result<Self, RouteError> {
        let mut inner = routefinder::Router::new();
        let mut entries: Vec<Arc<Entry>> = Vec::new();
        let mut seen: HashMap<String, Arc<Entry>> = HashMap::new();
        for (raw, component) in routes {
            let based = based_route(&raw);
            let invalid = |reason: String| RouteError::Invalid {
                route: based.clone(),
                component: component.clone(),
                reason,
            };
            let (pattern, wildcard) = match based.strip_suffix("/...") {
                Some(prefix) => (format!("{prefix}/*"), true),
                None => (based.clone(), based.ends_with("/*") || based == "*"),
            };
            let spec: routefinder::RouteSpec = pattern.parse().map_err(invalid)?;
            check_segments(&spec).map_err(|r| invalid(r.to_owned()))?;
            let entry = Arc::new(Entry {
                component: component.as_str().into(),
                raw: raw.as_str().into(),
                based: based.as_str().into(),
                wildcard,
            });
            if let Some(first) = seen.insert(shape(&spec), entry.clone()) {
                return Err(RouteError::Duplicate {
                    route: raw,
                    second: component,
                    first_route: first.raw.to_string(),
                    first: first.component.to_string(),
                });
            }
            let Ok(()) = inner.add(spec, entry.clone());
            entries.push(entry);
        }
        Ok(Self { inner, entries })
    }

    /// The best route for a request path (the URI path, not percent-decoded, no query),
    /// or `None` when no route matches (Spin answers 404).
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let found = self.inner.best_match(path)?;
        let entry = found.handler().clone();
        let captures = found.captures();
        let params = captures
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let path_info = match captures.wildcard() {
            None => String::new(),
            // Spin keeps the trailing slash that routefinder drops.
            Some(rest) => match (rest.is_empty(), path.ends_with('/')) {
                (true, false) => String::new(),
                (true, true) => "/".to_owned(),
                (false, false) => format!("/{rest}"),
                (false, true) => format!("/{rest}/"),
            },
        };
        Some(RouteMatch {
            entry,
            params,
            path_info,
        })
    }

    /// The routes in the order given, as `(route as written, component id)`.
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|e| (&*e.raw, &*e.component))
    }

    /// Whether some route lies under [`WELL_KNOWN_PREFIX`] and so can never be reached
    /// (Spin logs an error for it).
    pub fn contains_reserved_route(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.based.starts_with(WELL_KNOWN_PREFIX))
    }
}

/// Spin's normalisation of a route: absolute, one trailing slash removed (`/` becomes "").
fn based_route(raw: &str) -> String {
    let abs = if raw.starts_with('/') {
        raw.to_owned()
    } else {
        format!("/{raw}")
    };
    match abs.strip_suffix('/') {
        Some(s) => s.to_owned(),
        None => abs,
    }
}

/// Rejects patterns routefinder accepts but would panic on at match time.
fn check_segments(spec: &routefinder::RouteSpec) -> Result<(), &'static str> {
    let segments = spec.segments();
    for (i, segment) in segments.iter().enumerate() {
        if matches!(segment, routefinder::Segment::Wildcard) && i + 1 != segments.len() {
            return Err("a wildcard may only end a route");
        }
    }
    Ok(())
}

/// The matching shape of a route: two routes with the same shape match the same paths
/// with the same precedence (parameter names do not matter).
fn shape(spec: &routefinder::RouteSpec) -> String {
    use routefinder::Segment::*;
    spec.segments()
        .iter()
        .map(|s| match s {
            Slash => "/".to_owned(),
            Dot => ".".to_owned(),
            Exact(e) => format!("={e}"),
            Param(_) => ":".to_owned(),
            Wildcard => "*".to_owned(),
        })
        .collect()
}

/// A request path matched to a route.
#[derive(Debug, Clone)]
pub struct RouteMatch {
    entry: Arc<Entry>,
    params: Vec<(String, String)>,
    path_info: String,
}

impl RouteMatch {
    /// A match as if `path` had hit a `/...` route of `component_id`: what Spin uses for
    /// service chaining (`http://<component>.spin.internal/<path>`).
    pub fn service_chaining(component_id: &str, path: &str) -> Self {
        Self {
            entry: Arc::new(Entry {
                component: component_id.into(),
                raw: "/...".into(),
                based: "/...".into(),
                wildcard: true,
            }),
            params: Vec::new(),
            path_info: path.to_owned(),
        }
    }

    /// The id of the component that serves the route.
    pub fn component_id(&self) -> &str {
        &self.entry.component
    }

    /// The route made absolute without a trailing slash, wildcard kept
    /// (`spin-matched-route`; the route `/` gives "").
    pub fn matched_route(&self) -> &str {
        &self.entry.based
    }

    /// The route exactly as written in the manifest (`spin-raw-component-route`).
    pub fn raw_route(&self) -> &str {
        &self.entry.raw
    }

    /// The route as written without a trailing `/...` (`spin-component-route`).
    pub fn component_route(&self) -> &str {
        self.entry
            .raw
            .strip_suffix("/...")
            .unwrap_or(&self.entry.raw)
    }

    /// Whether the route ends in a wildcard.
    pub fn is_wildcard(&self) -> bool {
        self.entry.wildcard
    }

    /// The path below the matched wildcard prefix (`spin-path-info`): "" or starting
    /// with `/`, trailing slash kept; always "" for a route without a wildcard.
    pub fn path_info(&self) -> &str {
        &self.path_info
    }

    /// The trailing wildcard capture (same as [`Self::path_info`]).
    pub fn trailing_wildcard(&self) -> &str {
        &self.path_info
    }

    /// The named `:param` captures, in route order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// One named `:param` capture.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests;
