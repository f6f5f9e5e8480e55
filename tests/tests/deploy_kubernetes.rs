//! The SpinKube deployment (`deploy/kubernetes/`, written by `qmi deploy
//! kubernetes`): the files are what the command generates from `spin.toml`
//! now; the SpinApps and the executor validate against spin-operator's CRD
//! schemas (vendored in tests/vendor/spin-operator) and its webhook's rules;
//! every component is deployed once with the ids Spin's loader gives its
//! triggers; secret variables come from a Secret; and the Ingress sends every
//! request to a SpinApp whose Spin router picks the component that Spin's
//! router over the whole of `spin.toml` picks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use qmi_manifest::{AppManifest, Route};
use qmi_routes::Router;
use qmi_tests::{crd, ingress, qmi_bin, workspace_root};
use serde_json::Value;

fn deploy_dir() -> PathBuf {
    workspace_root().join("deploy/kubernetes")
}

fn manifest() -> AppManifest {
    qmi_manifest::load(&workspace_root().join("spin.toml")).expect("load spin.toml")
}

/// Every document of every YAML file in `dir`, with its file name.
fn documents(dir: &Path) -> Vec<(String, Value)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read deploy/kubernetes")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for path in names {
        let text = std::fs::read_to_string(&path).expect("read a manifest");
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let value: Value = serde::Deserialize::deserialize(doc).expect("valid YAML");
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            out.push((name, value));
        }
    }
    out
}

fn of_kind<'a>(docs: &'a [(String, Value)], kind: &str) -> Vec<&'a Value> {
    docs.iter()
        .map(|(_, v)| v)
        .filter(|v| v["kind"] == kind)
        .collect()
}

fn crd_schema(file: &str) -> Value {
    let path = workspace_root()
        .join("tests/vendor/spin-operator")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("read a vendored CRD");
    let crd: Value = serde_yaml::from_str(&text).expect("CRD YAML");
    crd::schema_of(&crd, "v1alpha1")
        .expect("v1alpha1 schema")
        .clone()
}

#[test]
fn committed_files_are_what_qmi_generates_from_spin_toml() {
    let out = tempfile::tempdir().expect("temp dir");
    let status = Command::new(qmi_bin())
        .args(["deploy", "kubernetes", "-f"])
        .arg(workspace_root().join("spin.toml"))
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("run qmi deploy kubernetes");
    assert!(
        status.status.success(),
        "qmi deploy kubernetes failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let read = |dir: &Path| -> BTreeMap<String, String> {
        std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| {
                let name = p.file_name().expect("name").to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).expect("read"))
            })
            .collect()
    };
    let generated = read(out.path());
    let committed = read(&deploy_dir());
    assert_eq!(
        generated.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "deploy/kubernetes has other files than `qmi deploy kubernetes` writes: regenerate it"
    );
    for (name, text) in &generated {
        let first_difference = text
            .lines()
            .zip(committed[name].lines())
            .position(|(a, b)| a != b)
            .map(|i| i + 1);
        assert!(
            &committed[name] == text,
            "deploy/kubernetes/{name} drifted from spin.toml (first at line {first_difference:?}): \
             run `qmi deploy kubernetes`"
        );
    }
}

#[test]
fn spin_apps_and_executor_validate_against_the_spin_operator_crds() {
    let docs = documents(&deploy_dir());
    let apps = of_kind(&docs, "SpinApp");
    let executors = of_kind(&docs, "SpinAppExecutor");
    assert!(!apps.is_empty() && !executors.is_empty());
    let app_schema = crd_schema("core.spinkube.dev_spinapps.yaml");
    let executor_schema = crd_schema("core.spinkube.dev_spinappexecutors.yaml");
    for (kind, schema, objects) in [
        ("SpinApp", &app_schema, &apps),
        ("SpinAppExecutor", &executor_schema, &executors),
    ] {
        for object in objects {
            assert_eq!(object["apiVersion"], "core.spinkube.dev/v1alpha1");
            let errors = crd::validate(schema, object);
            assert!(
                errors.is_empty(),
                "{kind} {}: {errors:#?}",
                object["metadata"]["name"]
            );
        }
    }
    // The webhook's rules (internal/webhook/spinapp_validating.go): the
    // executor exists; replicas and autoscaling exclude each other.
    let executor_names: BTreeSet<&str> = executors
        .iter()
        .filter_map(|e| e["metadata"]["name"].as_str())
        .collect();
    for app in &apps {
        let spec = &app["spec"];
        let name = app["metadata"]["name"].as_str().expect("name");
        let executor = spec["executor"].as_str().expect("executor");
        assert!(
            executor_names.contains(executor),
            "{name}: no executor {executor}"
        );
        let autoscaled = spec["enableAutoscaling"] == true;
        let replicas = spec["replicas"].as_i64().unwrap_or(0);
        assert!(
            autoscaled != (replicas > 0),
            "{name}: replicas {replicas}, autoscaling {autoscaled}"
        );
    }
    // Spin >= 4.1 through the spintainer executor (the shim embeds Spin 3.6).
    for executor in &executors {
        let image = executor["spec"]["deploymentConfig"]["spinImage"]
            .as_str()
            .expect("spinImage");
        let version = image
            .rsplit(':')
            .next()
            .expect("a tag")
            .trim_start_matches('v');
        let mut parts = version
            .split('.')
            .map(|p| p.parse::<u32>().expect("numeric tag"));
        let (major, minor) = (parts.next().expect("major"), parts.next().expect("minor"));
        assert!((major, minor) >= (4, 1), "{image} is older than Spin 4.1");
        assert!(executor["spec"]["deploymentConfig"]["runtimeClassName"].is_null());
    }
}

#[test]
fn each_component_is_deployed_once_and_scaled_by_its_own_autoscaler() {
    let manifest = manifest();
    let docs = documents(&deploy_dir());
    let apps = of_kind(&docs, "SpinApp");
    let locked = manifest.trigger_component_ids();
    let mut deployed: BTreeMap<String, String> = BTreeMap::new();
    for app in &apps {
        let name = app["metadata"]["name"].as_str().expect("name");
        for id in app["spec"]["components"].as_array().expect("components") {
            let id = id.as_str().expect("an id");
            assert!(
                locked.iter().any(|l| l == id),
                "{name}: {id} is no trigger's component id"
            );
            if let Some(other) = deployed.insert(id.to_owned(), name.to_owned()) {
                panic!("{id} is deployed by both {other} and {name}");
            }
        }
    }
    for id in &locked {
        assert!(
            deployed.contains_key(id),
            "the trigger component {id} is deployed nowhere"
        );
    }
    let autoscalers = of_kind(&docs, "HorizontalPodAutoscaler");
    for app in &apps {
        let name = &app["metadata"]["name"];
        let hpa = autoscalers
            .iter()
            .find(|h| h["spec"]["scaleTargetRef"]["name"] == *name)
            .unwrap_or_else(|| panic!("no autoscaler for {name}"));
        assert_eq!(hpa["apiVersion"], "autoscaling/v2");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["apiVersion"], "apps/v1");
        let (min, max) = (&hpa["spec"]["minReplicas"], &hpa["spec"]["maxReplicas"]);
        assert!(min.as_u64() >= Some(1) && max.as_u64() >= min.as_u64());
        // A CPU utilisation target needs a CPU request.
        assert!(
            app["spec"]["resources"]["requests"]["cpu"].is_string(),
            "{name}: no CPU request"
        );
    }
    assert_eq!(autoscalers.len(), apps.len());
}

#[test]
fn secrets_come_from_kubernetes_secrets_and_required_variables_are_set() {
    let manifest = manifest();
    let docs = documents(&deploy_dir());
    let locked = manifest.trigger_component_ids();
    for app in of_kind(&docs, "SpinApp") {
        let name = app["metadata"]["name"].as_str().expect("name");
        assert!(
            app["spec"]["runtimeConfig"]["loadFromSecret"].is_string(),
            "{name}: runtime config"
        );
        let set: BTreeMap<&str, &Value> = app["spec"]["variables"]
            .as_array()
            .expect("variables")
            .iter()
            .map(|v| (v["name"].as_str().expect("variable name"), v))
            .collect();
        for (variable, entry) in &set {
            let declared = manifest
                .variables
                .get(*variable)
                .unwrap_or_else(|| panic!("{name}: {variable} is not a variable of spin.toml"));
            if declared.secret {
                assert!(
                    entry.get("value").is_none(),
                    "{name}: secret {variable} as a literal"
                );
                assert!(
                    entry["valueFrom"]["secretKeyRef"]["name"].is_string(),
                    "{name}: secret {variable} not from a Secret"
                );
            }
        }
        // Every required variable a served component uses is set.
        let selected: BTreeSet<&str> = app["spec"]["components"]
            .as_array()
            .expect("components")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for (trigger, id) in manifest.http_triggers.iter().zip(&locked) {
            if !selected.contains(id.as_str()) {
                continue;
            }
            let component = &manifest.components[trigger.component.as_str()];
            for template in component.variables.values() {
                for v in template.variables() {
                    if manifest.variables[v.as_str()].required {
                        let entry = set
                            .get(v.as_str())
                            .unwrap_or_else(|| panic!("{name}: required {v} is not set"));
                        let optional = &entry["valueFrom"]
                            .as_object()
                            .and_then(|f| f.values().next().cloned())
                            .unwrap_or_default()["optional"];
                        assert_ne!(*optional, true, "{name}: required {v} is optional");
                    }
                }
            }
        }
    }
}

/// The component serving each locked trigger id, and the routes of each.
fn routes_by_locked_id(manifest: &AppManifest) -> Vec<(String, String, Route)> {
    manifest
        .http_triggers
        .iter()
        .zip(manifest.trigger_component_ids())
        .map(|(t, id)| (id, t.component.to_string(), t.route.clone()))
        .collect()
}

fn router(routes: impl Iterator<Item = (String, String)>) -> Router {
    Router::build(routes).expect("a valid route table")
}

/// Concrete request paths for a route: parameters given a number or the
/// literal segments other routes have at that place, wildcards given nothing,
/// a slash, one and two segments; each with and without a trailing slash.
fn samples(route: &str, literals: &BTreeSet<String>) -> Vec<String> {
    let (body, wildcard) = match route.strip_suffix("/...") {
        Some(b) => (b, true),
        None => (route, false),
    };
    let mut prefixes = vec![String::new()];
    for segment in body.split('/').filter(|s| !s.is_empty()) {
        let choices: Vec<String> = if segment.starts_with(':') {
            let mut c = vec!["42".to_owned()];
            c.extend(literals.iter().cloned());
            c
        } else {
            vec![segment.to_owned()]
        };
        prefixes = prefixes
            .iter()
            .flat_map(|p| choices.iter().map(move |c| format!("{p}/{c}")))
            .collect();
    }
    let tails: &[&str] = if wildcard {
        &["", "/", "/x", "/x/y", "/members", "/42/members"]
    } else {
        &["", "/"]
    };
    let mut out = Vec::new();
    for p in &prefixes {
        for t in tails {
            let path = format!("{p}{t}");
            out.push(if path.is_empty() {
                "/".to_owned()
            } else {
                path
            });
        }
    }
    out
}

#[test]
fn the_ingress_sends_every_request_where_spin_toml_routes_it() {
    let manifest = manifest();
    let docs = documents(&deploy_dir());
    let ingresses = of_kind(&docs, "Ingress");
    assert_eq!(ingresses.len(), 1);
    assert_eq!(ingresses[0]["apiVersion"], "networking.k8s.io/v1");
    let paths = ingress::paths(ingresses[0]);
    let routes = routes_by_locked_id(&manifest);
    let path_routes = || {
        routes.iter().filter_map(|(id, _, r)| match r {
            Route::Path(p) => Some((p.clone(), id.clone())),
            Route::Private => None,
        })
    };
    let whole = router(path_routes());
    let component_of: BTreeMap<&str, &str> = routes
        .iter()
        .map(|(id, c, _)| (id.as_str(), c.as_str()))
        .collect();
    let apps: BTreeMap<&str, BTreeSet<&str>> = of_kind(&docs, "SpinApp")
        .into_iter()
        .map(|a| {
            let ids = a["spec"]["components"]
                .as_array()
                .expect("components")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            (a["metadata"]["name"].as_str().expect("name"), ids)
        })
        .collect();
    let app_router: BTreeMap<&str, Router> = apps
        .iter()
        .map(|(name, ids)| {
            (
                *name,
                router(path_routes().filter(|(_, id)| ids.contains(id.as_str()))),
            )
        })
        .collect();

    let mut literals = BTreeSet::new();
    for (route, _) in path_routes() {
        literals.extend(
            route
                .split('/')
                .filter(|s| !s.is_empty() && !s.starts_with(':') && *s != "...")
                .map(str::to_owned),
        );
    }
    let mut requests: BTreeSet<String> = path_routes()
        .flat_map(|(route, _)| samples(&route, &literals))
        .collect();
    requests.extend(
        [
            "/api/organisations/42/members",
            "/api/organisations/42",
            "/api/organisations/42/",
            "/api/organisations/42/members/7",
            "/api/organisations/42/logo",
            "/api/organisations",
            "/api/organisationsx",
            "/api/open-data/experiments.json",
            "/api/open-data/experiments.csv",
            "/api/open-data/applications.csv",
            "/api/me",
            "/api/me/",
            "/api/memo",
            "/api/figures/",
            "/api/figures/x",
            "/",
            "/index.html",
            "/communes/75056",
        ]
        .map(str::to_owned),
    );
    let mut checked = 0;
    for request in &requests {
        let expected = whole.route(request);
        let Some(service) = ingress::route(&paths, request) else {
            assert!(
                expected.is_none(),
                "{request}: the Ingress drops what Spin serves"
            );
            continue;
        };
        let served = app_router
            .get(service)
            .unwrap_or_else(|| panic!("{request}: the Ingress sends it to {service}, no SpinApp"));
        let got = served.route(request);
        match &expected {
            Some(m) if is_internal(m.raw_route()) => {
                // Internal routes never get through the Ingress.
                assert!(
                    got.as_ref().is_none_or(|g| !is_internal(g.raw_route())),
                    "{request}: an internal route is reachable through the Ingress"
                );
            }
            Some(m) => {
                let got = got.unwrap_or_else(|| {
                    panic!(
                        "{request}: Spin routes it to {}, {service} serves nothing",
                        m.raw_route()
                    )
                });
                assert_eq!(
                    component_of[got.component_id()],
                    component_of[m.component_id()],
                    "{request}: Spin picks {} ({}), the Ingress sends it to {service}, which picks {}",
                    m.raw_route(),
                    m.component_id(),
                    got.raw_route()
                );
                assert_eq!(got.raw_route(), m.raw_route(), "{request}: another route");
            }
            None => assert!(
                got.is_none(),
                "{request}: served in Kubernetes, 404 under Spin"
            ),
        }
        checked += 1;
    }
    assert!(checked > 200, "only {checked} requests checked");
}

/// Whether a route is reachable inside the cluster only (never through the Ingress).
fn is_internal(route: &str) -> bool {
    route.starts_with("/internal/")
}
