//! Which SpinApps serve which components, and where the Ingress sends each
//! path: derived from the manifest's HTTP triggers.
//!
//! Every component with a trigger is served by exactly one SpinApp. Two
//! components share one only when an Ingress path must reach both: a route
//! with a `:param` segment is sent by the `Prefix` of its literal segments
//! (see `ingress`), so the SpinApp behind that prefix must hold every
//! component Spin may pick under it — the routes with the same prefix and the
//! wildcard route that catches the rest — and Spin's router inside it splits
//! the requests exactly as `spin.toml` says.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use qmi_manifest::{AppManifest, Route};

use super::ingress::{IngressKey, PathType, keys_of, under};

/// Routes under this prefix are reachable inside the cluster only (through
/// each SpinApp's own Service): the Ingress never sends them anywhere but to
/// the catch-all route's SpinApp, which does not serve them.
pub const INTERNAL_PREFIX: &str = "/internal/";

/// The deployment of an application.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The SpinApps, in the order of their components' first triggers.
    pub apps: Vec<AppPlan>,
    /// The Ingress paths, longest first.
    pub paths: Vec<IngressPath>,
}

/// One SpinApp.
#[derive(Debug, Clone)]
pub struct AppPlan {
    /// Its Kubernetes name (also its Deployment's and its Service's).
    pub name: String,
    /// The manifest components it serves.
    pub components: Vec<String>,
    /// What its `components:` selects: the ids Spin's loader gives the
    /// triggers of those components.
    pub selected: Vec<String>,
    /// The routes with a `:param` segment that keep its components together.
    pub grouped_by: Vec<String>,
}

/// One Ingress path and the SpinApp it reaches.
#[derive(Debug, Clone)]
pub struct IngressPath {
    /// The path.
    pub key: IngressKey,
    /// The SpinApp.
    pub app: String,
}

/// Plans the deployment of `manifest`; SpinApps are named
/// `<prefix>-<component>[-<component>…]`.
pub fn plan(manifest: &AppManifest, prefix: &str) -> Result<Plan> {
    let trigger_ids = manifest.trigger_component_ids();
    let exposed: Vec<(&str, &str)> = manifest
        .http_triggers
        .iter()
        .filter_map(|t| match &t.route {
            Route::Path(route) if !is_internal(route) => {
                Some((route.as_str(), t.component.as_str()))
            }
            _ => None,
        })
        .collect();

    // The components Spin may pick for the paths of each Ingress key.
    let mut reach: BTreeMap<IngressKey, BTreeSet<&str>> = BTreeMap::new();
    let mut shared_routes: BTreeMap<IngressKey, Vec<&str>> = BTreeMap::new();
    for &(route, component) in &exposed {
        let keys = keys_of(route);
        for key in &keys.keys {
            reach.entry(key.clone()).or_default().insert(component);
        }
        if keys.shared {
            let key = IngressKey {
                path: keys.literal.clone(),
                path_type: PathType::Prefix,
            };
            if let Some(fallback) = catch_all(&exposed, &keys.literal) {
                reach.entry(key.clone()).or_default().insert(fallback);
            }
            shared_routes.entry(key).or_default().push(route);
        }
    }

    // Components reached through one key stay together.
    let mut order: Vec<&str> = Vec::new();
    for t in &manifest.http_triggers {
        if !order.contains(&t.component.as_str()) {
            order.push(t.component.as_str());
        }
    }
    let mut group_of: BTreeMap<&str, usize> =
        order.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    for components in reach.values() {
        let mut it = components.iter();
        let Some(first) = it.next() else { continue };
        let target = group_of[first];
        for c in it {
            let from = group_of[c];
            for g in group_of.values_mut().filter(|g| **g == from) {
                *g = target;
            }
        }
    }

    let mut apps: Vec<AppPlan> = Vec::new();
    let mut app_of: BTreeMap<&str, String> = BTreeMap::new();
    for component in &order {
        if app_of.contains_key(component) {
            continue;
        }
        let group = group_of[component];
        let members: Vec<&str> = order
            .iter()
            .copied()
            .filter(|c| group_of[c] == group)
            .collect();
        let name = format!("{prefix}-{}", members.join("-"));
        check_name(&name)?;
        let mut selected: Vec<String> = Vec::new();
        for (t, id) in manifest.http_triggers.iter().zip(&trigger_ids) {
            if members.contains(&t.component.as_str()) && !selected.contains(id) {
                selected.push(id.clone());
            }
        }
        crate::app::check_service_chaining_targets(manifest, &trigger_ids, &selected)?;
        let grouped_by = if members.len() > 1 {
            shared_routes
                .iter()
                .filter(|(key, _)| reach[*key].iter().any(|c| members.contains(c)))
                .flat_map(|(_, routes)| routes.iter().map(|r| (*r).to_owned()))
                .collect()
        } else {
            Vec::new()
        };
        for m in &members {
            app_of.insert(m, name.clone());
        }
        apps.push(AppPlan {
            name,
            components: members.iter().map(|c| (*c).to_owned()).collect(),
            selected,
            grouped_by,
        });
    }

    let mut paths: Vec<IngressPath> = Vec::new();
    for (key, components) in &reach {
        let Some(first) = components.iter().next() else {
            continue;
        };
        let app = app_of[first].clone();
        // An exact path the prefix of the same path already sends there.
        let covered = key.path_type == PathType::Exact && {
            let bare = key.path.strip_suffix('/').unwrap_or(&key.path);
            let bare = if bare.is_empty() { "/" } else { bare };
            reach.iter().any(|(k, cs)| {
                k.path_type == PathType::Prefix
                    && k.path == bare
                    && cs.iter().next().is_some_and(|c| app_of[c] == app)
            })
        };
        if !covered {
            paths.push(IngressPath {
                key: key.clone(),
                app,
            });
        }
    }
    paths.sort_by(|a, b| {
        b.key
            .path
            .len()
            .cmp(&a.key.path.len())
            .then(a.key.path.cmp(&b.key.path))
            .then(a.key.path_type.cmp(&b.key.path_type))
    });
    Ok(Plan { apps, paths })
}

impl Plan {
    /// The SpinApp serving `component`.
    pub fn app_of(&self, component: &str) -> Option<&AppPlan> {
        self.apps
            .iter()
            .find(|a| a.components.iter().any(|c| c == component))
    }
}

/// Whether a route is reachable inside the cluster only.
pub fn is_internal(route: &str) -> bool {
    let abs = if route.starts_with('/') {
        route.to_owned()
    } else {
        format!("/{route}")
    };
    abs.starts_with(INTERNAL_PREFIX) || abs == INTERNAL_PREFIX.trim_end_matches('/')
}

/// The component of the wildcard route Spin falls back to for the paths under
/// `prefix` that no more specific route takes: the literal wildcard with the
/// longest prefix containing `prefix`.
fn catch_all<'a>(exposed: &[(&str, &'a str)], prefix: &str) -> Option<&'a str> {
    exposed
        .iter()
        .map(|(route, component)| (keys_of(route), *component))
        .filter(|(k, _)| k.wildcard && !k.shared && under(&k.literal, prefix))
        .max_by_key(|(k, _)| k.literal.len())
        .map(|(_, component)| component)
}

/// A Kubernetes Service name: a DNS-1035 label.
fn check_name(name: &str) -> Result<()> {
    let valid = name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        bail!(
            "{name:?} is not a valid Kubernetes Service name (lowercase letters, digits and `-`, at most 63)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(triggers: &[(&str, &str)]) -> AppManifest {
        let mut text = String::from("spin_manifest_version = 2\n[application]\nname = \"app\"\n");
        let mut components = BTreeSet::new();
        for (route, component) in triggers {
            text.push_str(&format!(
                "[[trigger.http]]\nroute = {route:?}\ncomponent = {component:?}\n"
            ));
            components.insert(*component);
        }
        for c in components {
            text.push_str(&format!("[component.{c}]\nsource = \"{c}.wasm\"\n"));
        }
        AppManifest::parse(&text, std::path::Path::new("/app")).unwrap()
    }

    fn apps(plan: &Plan) -> Vec<(&str, Vec<&str>)> {
        plan.apps
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.components.iter().map(String::as_str).collect(),
                )
            })
            .collect()
    }

    fn paths(plan: &Plan) -> Vec<(String, PathType, &str)> {
        plan.paths
            .iter()
            .map(|p| (p.key.path.clone(), p.key.path_type, p.app.as_str()))
            .collect()
    }

    #[test]
    fn one_app_per_component_when_every_route_has_its_own_path() {
        let plan = plan(
            &manifest(&[
                ("/...", "web"),
                ("/a/...", "a"),
                ("/c", "c"),
                ("/internal/c/...", "c"),
            ]),
            "app",
        )
        .unwrap();
        assert_eq!(
            apps(&plan),
            [
                ("app-web", vec!["web"]),
                ("app-a", vec!["a"]),
                ("app-c", vec!["c"])
            ]
        );
        assert_eq!(
            paths(&plan),
            [
                ("/c/".into(), PathType::Exact, "app-c"),
                ("/a".into(), PathType::Prefix, "app-a"),
                ("/c".into(), PathType::Exact, "app-c"),
                ("/".into(), PathType::Prefix, "app-web"),
            ]
        );
        assert!(plan.apps.iter().all(|a| a.grouped_by.is_empty()));
    }

    #[test]
    fn a_parameter_keeps_the_routes_under_its_prefix_together() {
        let plan = plan(
            &manifest(&[
                ("/...", "web"),
                ("/a/...", "a"),
                ("/a/:id/b", "b"),
                ("/x/:id", "x"),
            ]),
            "app",
        )
        .unwrap();
        // `/a/:id/b` shares `Prefix /a` with `/a/...`; `/x/:id` falls back on `/...`.
        assert_eq!(
            apps(&plan),
            [("app-web-x", vec!["web", "x"]), ("app-a-b", vec!["a", "b"])]
        );
        assert_eq!(plan.apps[1].grouped_by, ["/a/:id/b"]);
        assert!(paths(&plan).contains(&("/a".into(), PathType::Prefix, "app-a-b")));
        assert!(paths(&plan).contains(&("/x".into(), PathType::Prefix, "app-web-x")));
    }
}
