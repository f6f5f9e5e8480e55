//! Composition with `wac-graph`, as Spin composes: component dependencies
//! plugged into a component's imports, then the trigger's middleware chain
//! wrapped around it (outermost first). A dependency or middleware gets no
//! capability of its own: each host interface it imports and does not
//! inherit is re-routed to a `qmi-deny-*` import that the runtime fills with
//! trapping functions, as Spin's deny adapter does.

use anyhow::{Context as _, Result, bail};
use wac_graph::types::{ItemKind, Package};
use wac_graph::{CompositionGraph, EncodeOptions, NodeId, PackageId};

/// The `wasi:http` handler interface middleware imports and exports.
pub const HANDLER_INTERFACE: &str = "wasi:http/handler@0.3.0";

/// The prefix of import names that the runtime satisfies with traps.
pub const DENY_PREFIX: &str = "qmi-deny-";

/// Spin's capability sets: the host interfaces each inheritable name covers.
const CAPABILITY_SETS: &[(&str, &[&str])] = &[
    (
        "allowed_outbound_hosts",
        &[
            "wasi:http/client@0.3.0",
            "wasi:http/outgoing-handler@0.2.6",
            "wasi:sockets/ip-name-lookup@0.2.6",
            "wasi:sockets/ip-name-lookup@0.3.0",
            "wasi:sockets/tcp-create-socket@0.2.6",
            "wasi:sockets/tcp@0.2.6",
            "wasi:sockets/udp-create-socket@0.2.6",
            "wasi:sockets/udp@0.2.6",
        ],
    ),
    (
        "environment",
        &["wasi:cli/environment@0.2.6", "wasi:cli/environment@0.3.0"],
    ),
    (
        "files",
        &[
            "wasi:filesystem/preopens@0.2.6",
            "wasi:filesystem/preopens@0.3.0",
        ],
    ),
    (
        "key_value_stores",
        &[
            "spin:key-value/key-value@3.0.0",
            "fermyon:spin/key-value@2.0.0",
        ],
    ),
    (
        "sqlite_databases",
        &["spin:sqlite/sqlite@3.1.0", "fermyon:spin/sqlite@2.0.0"],
    ),
    (
        "variables",
        &[
            "spin:variables/variables@3.0.0",
            "fermyon:spin/variables@2.0.0",
        ],
    ),
];

/// Which capability sets a dependency inherits from the component it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inherit {
    /// Every capability (`inherit_configuration = true`).
    All,
    /// The named sets (`inherit_configuration = ["variables", …]`); empty
    /// means none, Spin's default.
    Some(Vec<String>),
}

impl Inherit {
    fn allows(&self, import: &str) -> bool {
        match self {
            Inherit::All => true,
            Inherit::Some(names) => CAPABILITY_SETS
                .iter()
                .filter(|(set, _)| names.iter().any(|n| n == set))
                .any(|(_, interfaces)| interfaces.contains(&import)),
        }
    }
}

fn is_capability(import: &str) -> bool {
    CAPABILITY_SETS
        .iter()
        .any(|(_, interfaces)| interfaces.contains(&import))
}

/// A component dependency: the import it satisfies and the component bytes.
pub struct Dependency {
    /// The dependency key as written in the manifest: an interface
    /// (`qmi:platform/authz`, optionally versioned) or a package (`qmi:platform`).
    pub key: String,
    /// The dependency's component bytes.
    pub bytes: Vec<u8>,
    /// What the dependency inherits.
    pub inherit: Inherit,
}

/// A middleware in a trigger's chain.
pub struct Middleware {
    /// The middleware's component bytes.
    pub bytes: Vec<u8>,
    /// What the middleware inherits.
    pub inherit: Inherit,
}

/// Whether an import name is meant by a dependency key: exactly, without
/// version, or as a member of the keyed package.
fn key_matches(key: &str, import: &str) -> bool {
    let unversioned = import.split('@').next().unwrap_or(import);
    if key == import || key == unversioned {
        return true;
    }
    if !key.contains('/') {
        // A package key: `ns:pkg` or `ns:pkg@version`.
        let (pkg, version) = match key.split_once('@') {
            Some((p, v)) => (p, Some(v)),
            None => (key, None),
        };
        let Some((import_pkg, rest)) = import.split_once('/') else {
            return false;
        };
        let import_version = rest.split_once('@').map(|(_, v)| v);
        return import_pkg == pkg && (version.is_none() || version == import_version);
    }
    false
}

struct Graph {
    graph: CompositionGraph,
    /// The number of the next deny import. A composition may wrap another
    /// (middleware around a component with dependencies), so numbering
    /// continues after the inner one's: names stay unique and the output
    /// stays deterministic (the compile cache is keyed by its hash).
    next_denial: usize,
}

impl Graph {
    fn new() -> Self {
        Self {
            graph: CompositionGraph::new(),
            next_denial: 0,
        }
    }

    /// Registers the component being wrapped, noting its deny imports.
    fn register_inner(&mut self, bytes: Vec<u8>) -> Result<PackageId> {
        let package = self.register("primary", bytes)?;
        for import in self.imports(package) {
            let number = import
                .strip_prefix(DENY_PREFIX)
                .and_then(|rest| rest.strip_prefix('d'))
                .and_then(|rest| rest.split_once('-'))
                .and_then(|(n, _)| n.parse::<usize>().ok());
            if let Some(n) = number {
                self.next_denial = self.next_denial.max(n + 1);
            }
        }
        Ok(package)
    }

    fn register(&mut self, name: &str, bytes: Vec<u8>) -> Result<PackageId> {
        let package = Package::from_bytes(name, None, bytes, self.graph.types_mut())
            .with_context(|| format!("parsing {name} as a component"))?;
        Ok(self.graph.register_package(package)?)
    }

    fn imports(&self, package: PackageId) -> Vec<String> {
        let ty = self.graph[package].ty();
        self.graph.types()[ty].imports.keys().cloned().collect()
    }

    fn exports(&self, package: PackageId) -> Vec<String> {
        let ty = self.graph[package].ty();
        self.graph.types()[ty].exports.keys().cloned().collect()
    }

    /// Instantiates a dependency, re-routing the capabilities it does not
    /// inherit to deny imports.
    fn instantiate_confined(&mut self, package: PackageId, inherit: &Inherit) -> Result<NodeId> {
        let instance = self.graph.instantiate(package);
        let ty = self.graph[package].ty();
        let denied: Vec<_> = self.graph.types()[ty]
            .imports
            .iter()
            .filter(|(name, _)| is_capability(name) && !inherit.allows(name))
            .map(|(name, kind)| (name.clone(), *kind))
            .collect();
        for (name, kind) in denied {
            let renamed = format!("{DENY_PREFIX}d{}-{name}", self.next_denial);
            self.next_denial += 1;
            // The encoder shares imports of one interface id, so the denied
            // copy needs an interface of its own.
            let kind = match kind {
                ItemKind::Instance(id) => {
                    let mut interface = self.graph.types()[id].clone();
                    interface.id = Some(renamed.clone());
                    ItemKind::Instance(self.graph.types_mut().add_interface(interface))
                }
                other => other,
            };
            let import = self.graph.import(renamed, kind)?;
            self.graph
                .set_instantiation_argument(instance, &name, import)?;
        }
        Ok(instance)
    }
}

/// Plugs `dependencies` into `primary`'s imports. Returns `primary`
/// unchanged when there are none.
pub fn compose_dependencies(primary: Vec<u8>, dependencies: Vec<Dependency>) -> Result<Vec<u8>> {
    if dependencies.is_empty() {
        return Ok(primary);
    }
    let mut g = Graph::new();
    let primary_pkg = g.register_inner(primary)?;
    let primary_instance = g.graph.instantiate(primary_pkg);
    let primary_imports = g.imports(primary_pkg);
    for (index, dependency) in dependencies.into_iter().enumerate() {
        let targets: Vec<&String> = primary_imports
            .iter()
            .filter(|import| key_matches(&dependency.key, import))
            .collect();
        if targets.is_empty() {
            bail!(
                "dependency {:?} matches no import of the component",
                dependency.key
            );
        }
        let package = g.register(&format!("dependency{index}"), dependency.bytes)?;
        let exports = g.exports(package);
        let instance = g.instantiate_confined(package, &dependency.inherit)?;
        for target in targets {
            let unversioned = target.split('@').next().unwrap_or(target);
            let export = exports
                .iter()
                .find(|e| *e == target)
                .or_else(|| {
                    exports
                        .iter()
                        .find(|e| e.split('@').next() == Some(unversioned))
                })
                .with_context(|| {
                    format!("dependency {:?} does not export {target}", dependency.key)
                })?;
            let alias = g.graph.alias_instance_export(instance, export)?;
            g.graph
                .set_instantiation_argument(primary_instance, target, alias)
                .with_context(|| format!("plugging {export} into {target}"))?;
        }
    }
    for export in g.exports(primary_pkg) {
        let alias = g.graph.alias_instance_export(primary_instance, &export)?;
        g.graph.export(alias, export)?;
    }
    Ok(g.graph.encode(EncodeOptions::default())?)
}

/// Wraps `component` in `middleware` (outermost first): each middleware's
/// `wasi:http/handler` import is the next one's export.
pub fn compose_middleware(component: Vec<u8>, middleware: Vec<Middleware>) -> Result<Vec<u8>> {
    if middleware.is_empty() {
        return Ok(component);
    }
    let mut g = Graph::new();
    let inner = g.register_inner(component)?;
    let mut instance = g.graph.instantiate(inner);
    let mut handler = g
        .graph
        .alias_instance_export(instance, HANDLER_INTERFACE)
        .with_context(|| format!("the component does not export {HANDLER_INTERFACE}"))?;
    for (index, mw) in middleware.into_iter().enumerate().rev() {
        let package = g.register(&format!("middleware{index}"), mw.bytes)?;
        instance = g.instantiate_confined(package, &mw.inherit)?;
        g.graph
            .set_instantiation_argument(instance, HANDLER_INTERFACE, handler)
            .with_context(|| format!("middleware {index} must import {HANDLER_INTERFACE}"))?;
        handler = g
            .graph
            .alias_instance_export(instance, HANDLER_INTERFACE)
            .with_context(|| format!("middleware {index} must export {HANDLER_INTERFACE}"))?;
    }
    g.graph.export(handler, HANDLER_INTERFACE)?;
    Ok(g.graph.encode(EncodeOptions::default())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_keys_match_as_spin_matches_them() {
        assert!(key_matches(
            "qmi:platform/authz",
            "qmi:platform/authz@0.1.0"
        ));
        assert!(key_matches(
            "qmi:platform/authz@0.1.0",
            "qmi:platform/authz@0.1.0"
        ));
        assert!(key_matches("qmi:platform", "qmi:platform/authz@0.1.0"));
        assert!(key_matches(
            "qmi:platform@0.1.0",
            "qmi:platform/types@0.1.0"
        ));
        assert!(!key_matches(
            "qmi:platform@0.2.0",
            "qmi:platform/types@0.1.0"
        ));
        assert!(!key_matches(
            "qmi:platform/authz",
            "qmi:platform/types@0.1.0"
        ));
        assert!(!key_matches("qmi:plat", "qmi:platform/authz"));
    }

    #[test]
    fn inheritance_covers_only_the_named_sets() {
        let vars = Inherit::Some(vec!["variables".into()]);
        assert!(vars.allows("spin:variables/variables@3.0.0"));
        assert!(!vars.allows("spin:sqlite/sqlite@3.1.0"));
        assert!(!Inherit::Some(vec![]).allows("spin:variables/variables@3.0.0"));
        assert!(Inherit::All.allows("spin:sqlite/sqlite@3.1.0"));
        // A misspelled set name is silently ignored, as in Spin.
        assert!(!Inherit::Some(vec!["variable".into()]).allows("spin:variables/variables@3.0.0"));
    }
}
