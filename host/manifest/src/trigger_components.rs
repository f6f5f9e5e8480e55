//! Which component each trigger runs once Spin's loader has locked the app
//! (`crates/loader/src/local/trigger_components.rs`, `reassign_trigger_deps`).
//!
//! Spin keeps a composition per component id, so middleware, written on a
//! trigger, moves onto the component it names. When several triggers name
//! one component and at least one of them carries middleware, each trigger
//! with middleware gets a copy of the component under a synthetic id,
//! `<component>-for-<trigger id>` (`-d<N>` appended on a clash), composed with
//! that trigger's middleware; the triggers without middleware keep the plain
//! id. A component named by a single trigger keeps its id and takes that
//! trigger's middleware.
//!
//! Service chaining (`http://<id>.spin.internal`) and `--component-id` look
//! ids up after this step, so a component all of whose triggers carry
//! middleware and share it with another trigger is no longer reachable by its
//! own id.

use std::collections::{BTreeMap, HashSet};

use crate::AppManifest;

impl AppManifest {
    /// The component id each `[[trigger.http]]` runs (in trigger order) after
    /// Spin's loader split shared components: the plain id, or a synthetic
    /// `<component>-for-<trigger id>` one.
    pub fn trigger_component_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .http_triggers
            .iter()
            .map(|t| t.component.to_string())
            .collect();
        let mut by_component: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, trigger) in self.http_triggers.iter().enumerate() {
            by_component
                .entry(trigger.component.as_str())
                .or_default()
                .push(index);
        }
        // Components in the order of their first trigger, as the lock file
        // lists them (Spin walks a hash map here: the order only matters for
        // the `-dN` suffix of a clash).
        let mut components: Vec<(&str, Vec<usize>)> = by_component.into_iter().collect();
        components.sort_by_key(|(_, triggers)| triggers[0]);
        let mut dispenser = SyntheticIds::default();
        for (component, triggers) in components {
            let has_middleware = |i: &usize| !self.http_triggers[*i].middleware.is_empty();
            if triggers.len() < 2 || !triggers.iter().any(has_middleware) {
                continue;
            }
            for index in triggers.into_iter().filter(has_middleware) {
                ids[index] = dispenser.create(&self.http_triggers[index].id, component);
            }
        }
        ids
    }

    /// Every component id of the locked app: the manifest's components and
    /// the synthetic ones of [`Self::trigger_component_ids`].
    pub fn locked_component_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.components.keys().cloned().collect();
        for id in self.trigger_component_ids() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

/// Spin's `SyntheticIdDispenser`.
#[derive(Default)]
struct SyntheticIds {
    seen: HashSet<String>,
    disambiguator: u32,
}

impl SyntheticIds {
    fn create(&mut self, trigger_id: &str, component_id: &str) -> String {
        let mut id = format!("{component_id}-for-{trigger_id}");
        if self.seen.contains(&id) {
            self.disambiguator += 1;
            id = format!("{id}-d{}", self.disambiguator);
        }
        self.seen.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::AppManifest;

    fn ids(body: &str) -> Vec<String> {
        let text = format!("spin_manifest_version = 2\n[application]\nname = \"t\"\n{body}");
        AppManifest::parse(&text, Path::new("/app"))
            .unwrap_or_else(|e| panic!("{e}"))
            .trigger_component_ids()
    }

    const COMPONENTS: &str = r#"
[component.a]
source = "a.wasm"
[component.b]
source = "b.wasm"
[component.m1]
source = "m1.wasm"
[component.m2]
source = "m2.wasm"
[component.m3]
source = "m3.wasm"
"#;

    /// Spin's `crates/loader/tests/extra-components/three-to-one.toml`: three
    /// triggers with middleware share `a` (each gets its own copy), `b` has a
    /// single trigger and keeps its id.
    #[test]
    fn three_to_one_splits_the_shared_component() {
        let manifest = format!(
            r#"
[[trigger.http]]
route = "/a1"
component = "a"
dependencies.middleware = [{{ component = "m1" }}, {{ component = "m2" }}]
[[trigger.http]]
route = "/a2"
component = "a"
dependencies.middleware = [{{ component = "m2" }}, {{ component = "m3" }}]
[[trigger.http]]
route = "/a3"
component = "a"
dependencies.middleware = [{{ component = "m3" }}, {{ component = "m2" }}, {{ component = "m1" }}]
[[trigger.http]]
route = "/b"
component = "b"
dependencies.middleware = [{{ component = "m1" }}, {{ component = "m3" }}]
{COMPONENTS}"#
        );
        assert_eq!(
            ids(&manifest),
            [
                "a-for-a-http-trigger",
                "a-for-http-trigger1",
                "a-for-http-trigger2",
                "b"
            ]
        );
        let text = format!("spin_manifest_version = 2\n[application]\nname = \"t\"\n{manifest}");
        let locked = AppManifest::parse(&text, Path::new("/app"))
            .unwrap_or_else(|e| panic!("{e}"))
            .locked_component_ids();
        assert_eq!(locked.len(), 8, "{locked:?}");
    }

    /// Spin's `crates/loader/tests/ui/middleware.toml`: the component with a
    /// single trigger keeps its id even with middleware; the one shared by two
    /// triggers with different middleware is split in two.
    #[test]
    fn middleware_lock_ids() {
        let manifest = r#"
[[trigger.http]]
route = "/has-middleware"
component = "a"
dependencies.middleware = [{ component = "m1" }]
[[trigger.http]]
route = "/doesnt-have-middleware"
component = "b"
[[trigger.http]]
route = "/same-comp-different-mw1"
component = "m3"
dependencies.middleware = [{ component = "m1" }]
[[trigger.http]]
route = "/same-comp-different-mw2"
component = "m3"
dependencies.middleware = [{ component = "m2" }]
"#;
        assert_eq!(
            ids(&format!("{manifest}{COMPONENTS}")),
            ["a", "b", "m3-for-m3-http-trigger", "m3-for-http-trigger1"]
        );
    }

    /// Triggers without middleware keep the plain id beside split ones; no
    /// middleware anywhere splits nothing; explicit trigger ids name the copies.
    #[test]
    fn plain_triggers_keep_the_plain_id() {
        let manifest = r#"
[[trigger.http]]
route = "/plain/..."
component = "a"
[[trigger.http]]
id = "guarded"
route = "/guarded/..."
component = "a"
dependencies.middleware = [{ component = "m1" }]
[[trigger.http]]
route = { private = true }
component = "a"
[[trigger.http]]
route = "/b1"
component = "b"
[[trigger.http]]
route = "/b2"
component = "b"
"#;
        assert_eq!(
            ids(&format!("{manifest}{COMPONENTS}")),
            ["a", "a-for-guarded", "a", "b", "b"]
        );
    }

    /// A clash of synthetic ids takes Spin's `-dN` suffix.
    #[test]
    fn clashing_synthetic_ids_are_disambiguated() {
        let mut ids = super::SyntheticIds::default();
        assert_eq!(ids.create("t", "a"), "a-for-t");
        assert_eq!(ids.create("t", "a"), "a-for-t-d1");
        assert_eq!(ids.create("u", "a"), "a-for-u");
        assert_eq!(ids.create("u", "a"), "a-for-u-d2");
    }
}
