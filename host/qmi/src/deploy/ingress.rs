//! Spin routes as Kubernetes Ingress paths (`networking.k8s.io/v1`).
//!
//! An Ingress path is `Exact` (the whole path, trailing slash significant) or
//! `Prefix` (whole `/`-separated elements: `/a` matches `/a`, `/a/`, `/a/b`,
//! never `/ab`); the longest matching path wins, `Exact` before `Prefix` on a
//! tie. Spin's wildcard `/a/...` matches exactly what `Prefix /a` matches, and
//! an exact route `/a` what `Exact /a` and `Exact /a/` match (Spin ignores one
//! trailing slash). A `:param` segment has no portable Ingress form (regular
//! expressions are `ImplementationSpecific`, each controller its own dialect):
//! such a route is sent by the `Prefix` of its literal segments to a SpinApp
//! whose own Spin router makes the split (see `plan`).

use std::fmt;

/// How an Ingress path matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathType {
    /// The whole path, case-sensitive.
    Exact,
    /// Whole path elements.
    Prefix,
}

impl fmt::Display for PathType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Exact => "Exact",
            Self::Prefix => "Prefix",
        })
    }
}

/// One Ingress path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IngressKey {
    /// The path, starting with `/`.
    pub path: String,
    /// How it matches.
    pub path_type: PathType,
}

impl IngressKey {
    fn new(path: impl Into<String>, path_type: PathType) -> Self {
        Self {
            path: path.into(),
            path_type,
        }
    }
}

/// The Ingress paths standing for one Spin route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteKeys {
    /// The paths.
    pub keys: Vec<IngressKey>,
    /// Whether the route has a `:param` segment: its `Prefix` also takes paths
    /// that Spin gives to other routes under the same literal prefix.
    pub shared: bool,
    /// The literal segments before any parameter or wildcard (`/` for none).
    pub literal: String,
    /// Whether the route ends in a wildcard (`/...`).
    pub wildcard: bool,
}

/// The Ingress paths of a Spin route as written (`/a`, `/a/...`, `/a/:id/b`).
pub fn keys_of(route: &str) -> RouteKeys {
    let based = based(route);
    let (body, wildcard) = match based.strip_suffix("/...") {
        Some(body) => (body.to_owned(), true),
        None if based == "/..." => (String::new(), true),
        None => (based.clone(), false),
    };
    let mut literal = String::new();
    let mut shared = false;
    for segment in body.split('/').filter(|s| !s.is_empty()) {
        if segment.contains(':') || segment == "*" {
            shared = true;
            break;
        }
        literal.push('/');
        literal.push_str(segment);
    }
    let root = if literal.is_empty() {
        "/".to_owned()
    } else {
        literal.clone()
    };
    let keys = if shared || wildcard {
        vec![IngressKey::new(root.clone(), PathType::Prefix)]
    } else if literal.is_empty() {
        vec![IngressKey::new("/", PathType::Exact)]
    } else {
        vec![
            IngressKey::new(literal.clone(), PathType::Exact),
            IngressKey::new(format!("{literal}/"), PathType::Exact),
        ]
    };
    RouteKeys {
        keys,
        shared,
        literal: root,
        wildcard,
    }
}

/// Whether `path` lies under the Ingress prefix `prefix` (whole elements).
pub fn under(prefix: &str, path: &str) -> bool {
    prefix == "/"
        || path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Spin's normalisation: absolute, one trailing slash dropped (not from `/`).
fn based(route: &str) -> String {
    let abs = if route.starts_with('/') {
        route.to_owned()
    } else {
        format!("/{route}")
    };
    match abs.strip_suffix('/') {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => abs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(route: &str) -> Vec<(String, PathType)> {
        keys_of(route)
            .keys
            .into_iter()
            .map(|k| (k.path, k.path_type))
            .collect()
    }

    #[test]
    fn wildcards_are_prefixes() {
        assert_eq!(keys("/..."), [("/".into(), PathType::Prefix)]);
        assert_eq!(keys("/api/me/..."), [("/api/me".into(), PathType::Prefix)]);
    }

    #[test]
    fn exact_routes_take_both_slashes() {
        assert_eq!(
            keys("/api/figures"),
            [
                ("/api/figures".into(), PathType::Exact),
                ("/api/figures/".into(), PathType::Exact)
            ]
        );
        assert_eq!(keys("/"), [("/".into(), PathType::Exact)]);
    }

    #[test]
    fn parameters_share_their_literal_prefix() {
        let k = keys_of("/api/organisations/:id/members/...");
        assert!(k.shared);
        assert_eq!(
            k.keys,
            [IngressKey::new("/api/organisations", PathType::Prefix)]
        );
        assert!(keys_of("/:x").shared);
        assert_eq!(keys("/:x"), [("/".into(), PathType::Prefix)]);
    }

    #[test]
    fn prefixes_match_whole_elements() {
        assert!(under("/a", "/a"));
        assert!(under("/a", "/a/"));
        assert!(under("/a", "/a/b"));
        assert!(!under("/a", "/ab"));
        assert!(under("/", "/anything"));
    }
}
