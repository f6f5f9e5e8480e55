//! Which backend a Kubernetes Ingress (`networking.k8s.io/v1`) picks for a
//! request path, as its specification says: an `Exact` path matches the whole
//! path (case-sensitive, trailing slash significant); a `Prefix` path matches
//! by whole `/`-separated elements, ignoring its own trailing slash (`/a`
//! matches `/a`, `/a/`, `/a/b`, not `/ab`); the longest matching path wins,
//! `Exact` before `Prefix` on a tie. Other path types are not modelled.

use serde_json::Value;

/// One path of an Ingress rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngressPath {
    /// The path.
    pub path: String,
    /// `Exact` or `Prefix`.
    pub path_type: String,
    /// The backend Service's name.
    pub service: String,
}

/// The paths of every rule of an Ingress object; panics on a shape the model
/// does not cover (another path type, a backend that is not a Service).
pub fn paths(ingress: &Value) -> Vec<IngressPath> {
    let mut out = Vec::new();
    for rule in ingress["spec"]["rules"].as_array().expect("spec.rules") {
        for p in rule["http"]["paths"].as_array().expect("http.paths") {
            let path_type = p["pathType"].as_str().expect("pathType").to_owned();
            assert!(
                path_type == "Exact" || path_type == "Prefix",
                "path type {path_type} is implementation-specific"
            );
            out.push(IngressPath {
                path: p["path"].as_str().expect("path").to_owned(),
                path_type,
                service: p["backend"]["service"]["name"]
                    .as_str()
                    .expect("backend.service.name")
                    .to_owned(),
            });
        }
    }
    out
}

/// The Service a request for `request_path` goes to, if any path matches.
pub fn route<'a>(paths: &'a [IngressPath], request_path: &str) -> Option<&'a str> {
    paths
        .iter()
        .filter(|p| matches(p, request_path))
        .max_by_key(|p| (p.path.len(), p.path_type == "Exact"))
        .map(|p| p.service.as_str())
}

fn matches(p: &IngressPath, request: &str) -> bool {
    if p.path_type == "Exact" {
        return p.path == request;
    }
    let prefix: Vec<&str> = elements(&p.path);
    let path: Vec<&str> = elements(request);
    path.len() >= prefix.len() && prefix.iter().zip(&path).all(|(a, b)| a == b)
}

/// The non-empty `/`-separated elements.
fn elements(path: &str) -> Vec<&str> {
    path.split('/').filter(|e| !e.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(path: &str, path_type: &str, service: &str) -> IngressPath {
        IngressPath {
            path: path.into(),
            path_type: path_type.into(),
            service: service.into(),
        }
    }

    #[test]
    fn the_specifications_examples() {
        let paths = [
            p("/", "Prefix", "root"),
            p("/aaa", "Prefix", "aaa"),
            p("/foo", "Exact", "foo"),
            p("/foo", "Prefix", "foo-prefix"),
            p("/aaa/bbb/", "Prefix", "bbb"),
        ];
        assert_eq!(route(&paths, "/aaa/bb"), Some("aaa"));
        assert_eq!(route(&paths, "/aaa/bbb"), Some("bbb"));
        assert_eq!(route(&paths, "/aaa/bbb/"), Some("bbb"));
        assert_eq!(route(&paths, "/aaa/bbbxyz"), Some("aaa"));
        assert_eq!(route(&paths, "/foo"), Some("foo"));
        assert_eq!(route(&paths, "/foo/"), Some("foo-prefix"));
        assert_eq!(route(&paths, "/fooz"), Some("root"));
        assert_eq!(route(&[p("/foo", "Exact", "x")], "/foo/"), None);
    }
}
