//! Matching a request's method and path against the catalogue, without
//! allocating on a hit (the gateway does it on every request).

use super::{ROUTES, RouteDoc, ServiceOp, TABLES};

/// The most path parameters a route template may have (a test keeps every
/// template within it).
pub const MAX_PARAMS: usize = 3;

/// The path parameters of a matched route, borrowed from the path: template
/// name → value, in template order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params<'p> {
    items: [(&'static str, &'p str); MAX_PARAMS],
    len: usize,
}

impl<'p> Params<'p> {
    const EMPTY: Self = Self {
        items: [("", ""); MAX_PARAMS],
        len: 0,
    };

    /// The value of the parameter `name`, if the template has it.
    pub fn get(&self, name: &str) -> Option<&'p str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The parameters, in template order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'p str)> + '_ {
        self.items[..self.len].iter().copied()
    }

    /// Whether the template has no parameter.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The parameters as the services keep them.
    pub fn to_owned_params(&self) -> PathParams {
        self.iter().map(|(n, v)| (n, v.to_owned())).collect()
    }
}

/// Path parameters of a matched route, owned: template name → value.
pub type PathParams = Vec<(&'static str, String)>;

/// Matches a path against a template (a trailing slash is ignored; a parameter
/// never matches an empty segment). A parameter (`{name}`, a whole segment of the
/// template) takes the path's segment; everything else must be equal, byte for byte.
fn match_params<'p>(template: &'static str, path: &'p str) -> Option<Params<'p>> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let (t, p) = (template.as_bytes(), path.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut params = Params::EMPTY;
    while i < t.len() {
        if t[i] == b'{' {
            let close = i + t[i..].iter().position(|&b| b == b'}')?;
            let end = j + p[j..]
                .iter()
                .position(|&b| b == b'/')
                .unwrap_or(p.len() - j);
            if end == j || params.len == MAX_PARAMS {
                return None;
            }
            params.items[params.len] = (template.get(i + 1..close)?, path.get(j..end)?);
            params.len += 1;
            i = close + 1;
            j = end;
        } else if p.get(j) == Some(&t[i]) {
            i += 1;
            j += 1;
        } else {
            return None;
        }
    }
    (j == p.len()).then_some(params)
}

/// Matches a path against a template; returns the parameters (a trailing
/// slash is ignored).
pub fn match_template(template: &'static str, path: &str) -> Option<PathParams> {
    match_params(template, path).map(|p| p.to_owned_params())
}

/// Why a lookup matched nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteMiss {
    /// No route has this path.
    NotFound,
    /// The path exists with other methods (listed for `Allow`).
    MethodNotAllowed(Vec<&'static str>),
}

/// The route of `routes` for `method` and `path`, with its parameters.
fn find_in<'p>(
    routes: &'static [RouteDoc],
    method: &str,
    path: &'p str,
) -> Result<(&'static RouteDoc, Params<'p>), RouteMiss> {
    let hit = routes
        .iter()
        .filter(|r| r.method.eq_ignore_ascii_case(method) && r.starts(path))
        .find_map(|r| match_params(r.path, path).map(|params| (r, params)));
    if let Some(found) = hit {
        return Ok(found);
    }
    let allowed: Vec<&'static str> = routes
        .iter()
        .filter(|r| r.starts(path) && match_params(r.path, path).is_some())
        .map(|r| r.method)
        .collect();
    if allowed.is_empty() {
        Err(RouteMiss::NotFound)
    } else {
        Err(RouteMiss::MethodNotAllowed(allowed))
    }
}

impl RouteDoc {
    /// Whether this route answers `method` (as catalogued: ask `GET` for `HEAD`)
    /// and `path`.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && self.starts(path)
            && match_params(self.path, path).is_some()
    }

    /// Whether `path` starts with the route's literal start (before its first
    /// parameter): most routes differ from a path there, tested in one comparison.
    fn starts(&self, path: &str) -> bool {
        path.as_bytes()
            .starts_with(&self.path.as_bytes()[..self.literal])
    }
}

/// The route of any service for `method` (as catalogued: `HEAD` is not, ask
/// for `GET`) and `path`, with its parameters borrowed from the path: what the
/// gateway classifies a request by. Allocates nothing on a hit.
pub fn lookup<'p>(
    method: &str,
    path: &'p str,
) -> Result<(&'static RouteDoc, Params<'p>), RouteMiss> {
    find_in(ROUTES, method, path)
}

/// The route of `service` for `method` and `path`, with its parameters.
pub fn find(
    service: &str,
    method: &str,
    path: &str,
) -> Result<(&'static RouteDoc, PathParams), RouteMiss> {
    let routes = TABLES
        .iter()
        .find(|t| t.first().is_some_and(|r| r.service() == service))
        .map_or(&[][..], |t| *t);
    find_in(routes, method, path).map(|(doc, params)| (doc, params.to_owned_params()))
}

/// The operation of the service `O` for `method` and `path`, its route and its
/// parameters: what a service dispatches on.
pub fn find_op<O: ServiceOp>(
    method: &str,
    path: &str,
) -> Result<(O, &'static RouteDoc, PathParams), RouteMiss> {
    let (doc, params) = find_in(O::ROUTES, method, path)?;
    match O::of(doc.op) {
        Some(op) => Ok((op, doc, params.to_owned_params())),
        // A table holds only its own service's operations (a test checks it).
        None => Err(RouteMiss::NotFound),
    }
}
