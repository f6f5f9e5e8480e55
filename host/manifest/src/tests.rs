//! Manifest and runtime config tests.

use std::path::{Path, PathBuf};

use crate::*;

const HEAD: &str = "spin_manifest_version = 2\n[application]\nname = \"t\"\n";

fn parse(body: &str) -> Result<AppManifest> {
    AppManifest::parse(&format!("{HEAD}{body}"), Path::new("/app"))
}

fn err(body: &str) -> String {
    parse(body).expect_err("should be refused").to_string()
}

const ONE: &str = "[[trigger.http]]\nroute = \"/...\"\ncomponent = \"web\"\n[component.web]\nsource = \"web.wasm\"\n";

const REALISTIC: &str = r#"
spin_manifest_version = 2

[application]
name = "qmi"
version = "0.1.0"
description = "Quartiers"
authors = ["QMI <dev@example.org>"]

[variables]
jwt_public_key = { required = true, secret = true }
log_level = { default = "info" }

[[trigger.http]]
route = "/api/communes/:insee/..."
component = "applications"
dependencies.middleware = [{ component = "gateway", inherit_configuration = ["variables"] }]

[[trigger.http]]
route = "/..."
component = "web"

[[trigger.http]]
route = { private = true }
component = "policy"

[component.gateway]
source = "target/wasm32-wasip2/release/gateway.wasm"
[component.gateway.build]
command = "cargo build --target wasm32-wasip2 --release -p gateway"
watch = ["services/gateway/src/**/*.rs"]

[component.applications]
source = "target/wasm32-wasip2/release/applications.wasm"
sqlite_databases = ["applications"]
key_value_stores = ["default"]
allowed_outbound_hosts = ["http://*.spin.internal"]
variables = { jwt_public_key = "{{ jwt_public_key }}", level = "lvl-{{ log_level }}" }
environment = { RUST_LOG = "info" }
[component.applications.dependencies]
"qmi:platform/authz" = { component = "policy" }
[component.applications.build]
command = ["cargo build -p applications", "echo done"]
workdir = "services/applications"

[component.policy]
source = "target/wasm32-wasip2/release/policy.wasm"

[component.web]
source = "target/wasm32-wasip2/release/web.wasm"
files = [{ source = "frontend/dist", destination = "/" }, "static/**/*"]
exclude_files = ["static/private/*"]
"#;

#[test]
fn realistic_manifest() {
    let m = AppManifest::parse(REALISTIC, Path::new("/app")).unwrap();
    assert_eq!(m.application.name, "qmi");
    assert_eq!(m.application.authors, ["QMI <dev@example.org>"]);
    assert!(m.variables["jwt_public_key"].required && m.variables["jwt_public_key"].secret);
    assert_eq!(m.http_triggers.len(), 3);
    let api = &m.http_triggers[0];
    assert_eq!(api.route, Route::Path("/api/communes/:insee/...".into()));
    assert_eq!(api.component, "applications");
    assert_eq!(api.id, "applications-http-trigger");
    assert_eq!(api.executor, Executor::Http);
    assert_eq!(
        api.middleware,
        [DependencyRef {
            source: DependencySource::Component(ComponentId::parse("gateway").unwrap()),
            inherit_configuration: Inherit::Some(vec!["variables".into()]),
            export: None,
        }]
    );
    assert_eq!(m.http_triggers[2].route, Route::Private);
    let apps = m.component("applications").unwrap();
    assert_eq!(
        apps.source,
        PathBuf::from("/app/target/wasm32-wasip2/release/applications.wasm")
    );
    assert_eq!(apps.sqlite_databases, ["applications"]);
    assert!(apps.allowed_outbound_hosts[0].is_for_service_chaining());
    let (name, dep) = apps.dependencies.iter().next().unwrap();
    assert_eq!(name.to_string(), "qmi:platform/authz");
    assert_eq!(
        dep.wasm_path(&m),
        Some(Path::new("/app/target/wasm32-wasip2/release/policy.wasm"))
    );
    assert_eq!(dep.inherit_configuration, Inherit::None);
    let build = apps.build.as_ref().unwrap();
    assert_eq!(build.command, ["cargo build -p applications", "echo done"]);
    assert_eq!(
        build.workdir.as_deref(),
        Some(Path::new("/app/services/applications"))
    );
    assert_eq!(
        m.component("gateway")
            .unwrap()
            .build
            .as_ref()
            .unwrap()
            .command
            .len(),
        1
    );
    let web = m.component("web").unwrap();
    assert_eq!(
        web.files[0],
        FilesSpec::Placement {
            source: "frontend/dist".into(),
            destination: "/".into()
        }
    );
    assert_eq!(web.files[1], FilesSpec::Pattern("static/**/*".into()));

    let env = |k: &str| (k == "SPIN_VARIABLE_JWT_PUBLIC_KEY").then(|| "PEM".to_owned());
    let values = m.resolve_variables(env).unwrap();
    assert_eq!(values.get("log_level"), Some("info"));
    assert!(values.is_secret("jwt_public_key"));
    assert!(
        !format!("{values:?}").contains("PEM"),
        "secrets are redacted"
    );
    let vars = m.component_variables("applications", &values).unwrap();
    assert_eq!(vars["jwt_public_key"], "PEM");
    assert_eq!(vars["level"], "lvl-info");
    assert_eq!(
        m.resolve_variables(|_| None).unwrap_err().to_string(),
        "no provider resolved required variable(s): [\"jwt_public_key\"]"
    );
}

#[test]
fn env_overrides_default() {
    let m = parse(&format!(
        "[variables]\nlog_level = {{ default = \"info\" }}\n{ONE}"
    ))
    .unwrap();
    let v = m
        .resolve_variables(|k| (k == "SPIN_VARIABLE_LOG_LEVEL").then(|| "debug".into()))
        .unwrap();
    assert_eq!(v.get("log_level"), Some("debug"));
    assert_eq!(env_var_name("log_level"), "SPIN_VARIABLE_LOG_LEVEL");
}

#[test]
fn unknown_fields_name_their_table() {
    assert_eq!(
        err(&format!("{ONE}sqlite_databse = [\"x\"]\n")),
        "unknown field \"sqlite_databse\" in [component.web]"
    );
    assert_eq!(
        err(&format!(
            "{ONE}[component.web.build]\ncommand = \"x\"\nwatchh = []\n"
        )),
        "unknown field \"watchh\" in [component.web.build]"
    );
    assert_eq!(
        err(&format!(
            "{ONE}[variables]\nx = {{ default = \"1\", secrte = true }}\n"
        )),
        "unknown field \"secrte\" in [variables.x]"
    );
    assert!(err(&format!("{ONE}colour = 1\n")).contains("[component.web]"));
    let e = AppManifest::parse(&format!("{HEAD}bogus = 1\n{ONE}"), Path::new("/")).unwrap_err();
    assert!(e.to_string().contains("unknown field \"bogus\""), "{e}");
    assert!(
        err(&ONE.replace("component = \"web\"", "component = \"web\"\nroutes = \"/\""))
            .contains("unknown field \"routes\" in [trigger.http[0]]")
    );
    assert!(
        err(&format!("[application.extra]\n{ONE}"))
            .contains("unknown field \"extra\" in [application]")
    );
}

#[test]
fn manifest_version_and_shape() {
    let e = AppManifest::parse("spin_manifest_version = \"1\"\n", Path::new("/")).unwrap_err();
    assert!(e.to_string().contains("spin_manifest_version"), "{e}");
    let e = AppManifest::parse("[application]\nname = \"x\"\n", Path::new("/")).unwrap_err();
    assert!(
        e.to_string()
            .contains("missing field \"spin_manifest_version\""),
        "{e}"
    );
    assert!(err("").contains("missing field \"trigger\""));
    assert!(
        err(&ONE.replace("source = \"web.wasm\"\n", ""))
            .contains("missing field \"source\" in [component.web]")
    );
    assert!(
        err(&format!("{ONE}files = \"x\"\n"))
            .contains("component.web.files: expected an array, found string")
    );
    assert!(
        AppManifest::parse("not toml [", Path::new("/"))
            .unwrap_err()
            .to_string()
            .contains("not valid TOML")
    );
}

#[test]
fn variables_follow_spin_rules() {
    assert!(
        err(&format!(
            "[variables]\nx = {{ required = true, default = \"1\" }}\n{ONE}"
        ))
        .contains("must be `required` OR have a `default`")
    );
    assert!(
        err(&format!("[variables]\nx = {{ secret = true }}\n{ONE}"))
            .contains("must be `required` OR have a `default`")
    );
    assert!(
        err(&format!("[variables]\nBad = {{ default = \"1\" }}\n{ONE}"))
            .contains("invalid variables.Bad")
    );
    assert!(
        err(&format!("[variables]\na__b = {{ default = \"1\" }}\n{ONE}"))
            .contains("consecutive underscores")
    );
}

#[test]
fn templates_must_name_declared_variables() {
    let e = err(&format!(
        "{ONE}variables = {{ key = \"{{{{ missing }}}}\" }}\n"
    ));
    assert_eq!(
        e,
        "invalid component.web.variables.key: invalid variable template: unknown variable \"missing\""
    );
    assert!(err(&format!("{ONE}variables = {{ key = \"{{{{ open\" }}\n")).contains("unmatched"));
    assert!(
        err(&format!("{ONE}variables = {{ Key = \"v\" }}\n"))
            .contains("component.web.variables.Key")
    );
}

#[test]
fn component_ids_and_references() {
    assert!(err("[[trigger.http]]\nroute = \"/\"\ncomponent = \"web\"\n[component.Web_x]\nsource = \"a\"\n").contains("invalid component id \"Web_x\""));
    assert!(err("[[trigger.http]]\nroute = \"/\"\ncomponent = \"nope\"\n[component.web]\nsource = \"a\"\n").contains("component \"nope\" is not defined"));
    let e = err("[[trigger.http]]\nroute = \"/\"\ncomponent = { source = \"a.wasm\" }\n");
    assert!(
        e.contains("trigger.http[0].component") && e.contains("inline component"),
        "{e}"
    );
}

#[test]
fn sources_must_be_local() {
    let e = err(&ONE.replace(
        "source = \"web.wasm\"",
        "source = { url = \"https://x/a.wasm\", digest = \"sha256:0\" }",
    ));
    assert_eq!(
        e,
        "component.web.source: a remote (url or registry) component source is not supported by qmi"
    );
}

#[test]
fn triggers() {
    assert!(
        err("[[trigger.redis]]\nchannel = \"x\"\ncomponent = \"a\"\n")
            .contains("\"redis\" trigger type")
    );
    assert!(
        err(&ONE.replace(
            "component = \"web\"",
            "component = \"web\"\nexecutor = { type = \"wagi\" }"
        ))
        .contains("Wagi")
    );
    assert!(
        err(&ONE.replace(
            "component = \"web\"",
            "component = \"web\"\nexecutor = { type = \"wasi\" }"
        ))
        .contains("unknown executor type \"wasi\"")
    );
    for ok in ["{ type = \"spin\" }", "{ type = \"http\" }"] {
        parse(&ONE.replace(
            "component = \"web\"",
            &format!("component = \"web\"\nexecutor = {ok}"),
        ))
        .unwrap();
    }
    assert!(
        err(&ONE.replace("route = \"/...\"", "route = { private = false }"))
            .contains("private = true")
    );
    assert!(
        err(&ONE.replace(
            "route = \"/...\"",
            "route = \"/...\"\nstatic_response = { body = \"x\" }"
        ))
        .contains("static response")
    );
    let mw = ONE.replace(
        "component = \"web\"",
        "component = \"web\"\ndependencies.other = [{ path = \"m.wasm\" }]",
    );
    assert!(err(&mw).contains("only allowed trigger dependency is `middleware`"));
    let mw = ONE.replace("component = \"web\"", "component = \"web\"\ndependencies.middleware = [{ path = \"m.wasm\" }, { url = \"https://x\", digest = \"d\" }]");
    assert!(err(&mw).contains(
        "trigger.http[0].dependencies.middleware[1].url: a URL dependency is not supported by qmi"
    ));
    let m = parse(&ONE.replace("component = \"web\"", "component = \"web\"\nid = \"front\"\ndependencies.middleware = [{ path = \"m.wasm\", inherit_configuration = true }]")).unwrap();
    assert_eq!(m.http_triggers[0].id, "front");
    assert_eq!(
        m.http_triggers[0].middleware[0].source,
        DependencySource::Path("/app/m.wasm".into())
    );
    assert_eq!(
        m.http_triggers[0].middleware[0].inherit_configuration,
        Inherit::All
    );
}

#[test]
fn duplicate_and_invalid_routes() {
    let body = "[[trigger.http]]\nroute = \"/a\"\ncomponent = \"x\"\n[[trigger.http]]\nroute = \"/a/\"\ncomponent = \"y\"\n[component.x]\nsource = \"x\"\n[component.y]\nsource = \"y\"\n";
    let e = err(body);
    assert!(
        e.contains("duplicate route") && e.contains("\"x\"") && e.contains("\"y\""),
        "{e}"
    );
    assert!(err(&ONE.replace("/...", "/a/:/b")).contains("Error parsing route"));
}

#[test]
fn dependencies() {
    let dep = |d: &str| {
        format!("{ONE}[component.web.dependencies]\n{d}\n[component.lib]\nsource = \"lib.wasm\"\n")
    };
    assert!(err(&dep("\"qmi:platform/authz\" = \">= 0.1.0\"")).contains("registry dependency"));
    assert!(
        err(&dep("\"qmi:platform/authz\" = { version = \"0.1.0\" }"))
            .contains("registry dependency")
    );
    assert!(
        err(&dep("\"qmi:platform/authz\" = { component = \"nope\" }"))
            .contains("dependency ID nope does not exist")
    );
    assert!(
        err(&dep("\"Bad:x\" = { component = \"lib\" }"))
            .contains("component.web.dependencies.\"Bad:x\"")
    );
    assert!(
        err(&dep(
            "\"qmi:platform\" = { path = \"a.wasm\", export = \"e\" }"
        ))
        .contains("not currently permitted")
    );
    assert!(
        err(&dep(
            "\"foo:bar@0.1.0\" = { path = \"a.wasm\" }\n\"foo:bar\" = { path = \"b.wasm\" }"
        ))
        .contains("conflicts with")
    );
    assert!(
        err(&dep("\"a:b\" = { component = \"lib\", colour = 1 }"))
            .contains("unknown field \"colour\"")
    );
    let m = parse(&dep("\"a:b/c\" = { path = \"c.wasm\", export = \"a:b/d\" }\nplain-dep = { component = \"lib\" }")).unwrap();
    let web = m.component("web").unwrap();
    assert_eq!(web.dependencies.len(), 2);
    let both = format!(
        "{ONE}dependencies_inherit_configuration = true\n[component.web.dependencies]\n\"a:b\" = {{ component = \"lib\", inherit_configuration = true }}\n[component.lib]\nsource = \"l\"\n"
    );
    assert!(err(&both).contains("mutually exclusive"));
    let all = format!(
        "{ONE}dependencies_inherit_configuration = true\n[component.web.dependencies]\n\"a:b\" = {{ component = \"lib\" }}\n[component.lib]\nsource = \"l\"\n"
    );
    let m = parse(&all).unwrap();
    assert_eq!(
        m.component("web")
            .unwrap()
            .dependencies
            .values()
            .next()
            .unwrap()
            .inherit_configuration,
        Inherit::All
    );
}

#[test]
fn dependencies_may_not_own_resources() {
    let body = "[[trigger.http]]\nroute = \"/...\"\ncomponent = \"web\"\ndependencies.middleware = [{ component = \"gw\" }]\n[component.web]\nsource = \"w\"\n[component.gw]\nsource = \"g\"\nsqlite_databases = [\"default\"]\nenvironment = { A = \"b\" }\n";
    assert_eq!(
        err(body),
        "invalid trigger.http[0].dependencies.middleware[0]: Dependencies may not have their own resources or permissions. Component gw cannot be used as a dependency of web-http-trigger because it specifies: environment, sqlite_databases"
    );
}

#[test]
fn labels_and_hosts() {
    assert!(
        err(&format!("{ONE}sqlite_databases = [\"my db\"]\n"))
            .contains("expected kebab-case or snake_case")
    );
    let e = err(&format!(
        "{ONE}allowed_outbound_hosts = [\"https://ok.com\", \"example.com\"]\n"
    ));
    assert!(
        e.starts_with("invalid component.web.allowed_outbound_hosts[1]:"),
        "{e}"
    );
    // Templates: kept as written, checked with their defaults when all have one.
    let m = parse(&format!(
        "[variables]\nmail_api_origin = {{ default = \"http://127.0.0.1:3025\" }}\ndb_host = {{ required = true }}\n{ONE}allowed_outbound_hosts = [\"{{{{ mail_api_origin }}}}\", \"postgres://{{{{ db_host }}}}:5432\"]\n"
    ))
    .unwrap();
    let web = m.component("web").unwrap();
    assert_eq!(
        web.allowed_outbound_hosts[0].to_string(),
        "{{ mail_api_origin }}"
    );
    let values = m
        .resolve_variables(|name| {
            (name == "SPIN_VARIABLE_DB_HOST").then(|| "db.internal".to_owned())
        })
        .unwrap();
    let hosts = web.allowed_hosts(&values).unwrap();
    assert_eq!(hosts.len(), 2);
    assert!(hosts[0].allows(&OutboundUrl::parse("http://127.0.0.1:3025/messages").unwrap()));
    assert!(hosts[1].allows(&OutboundUrl::parse("postgres://db.internal:5432").unwrap()));
    // A value that is no host fails when resolved, naming the entry.
    let values = m
        .resolve_variables(|name| (name == "SPIN_VARIABLE_DB_HOST").then(|| "a/b/c".to_owned()))
        .unwrap();
    let e = web.allowed_hosts(&values).unwrap_err().to_string();
    assert!(
        e.starts_with("invalid component.web.allowed_outbound_hosts[1]: `allowed_outbound_hosts` is malformed: the template \"postgres://{{ db_host }}:5432\" resolves to \"postgres://a/b/c:5432\""),
        "{e}"
    );
    // An empty value allows nothing (Spin's optional endpoint).
    let values = m
        .resolve_variables(|name| match name {
            "SPIN_VARIABLE_DB_HOST" => Some("x".to_owned()),
            "SPIN_VARIABLE_MAIL_API_ORIGIN" => Some(String::new()),
            _ => None,
        })
        .unwrap();
    assert_eq!(web.allowed_hosts(&values).unwrap().len(), 1);
    // Invalid with its default: refused at load time with Spin's message.
    let e = err(&format!(
        "[variables]\nh = {{ default = \"example.com\" }}\n{ONE}allowed_outbound_hosts = [\"{{{{ h }}}}\"]\n"
    ));
    assert!(
        e.starts_with("invalid component.web.allowed_outbound_hosts[0]: `allowed_outbound_hosts` is malformed: using default variable value(s) with template \"{{ h }}\" results in invalid config \"example.com\""),
        "{e}"
    );
    // An undeclared variable.
    assert!(
        err(&format!(
            "{ONE}allowed_outbound_hosts = [\"https://{{{{ host }}}}\"]\n"
        ))
        .contains("unknown variable \"host\"")
    );
    assert!(
        err(&format!("{ONE}ai_models = [\"llama\"]\n"))
            .contains("`ai_models` is not supported by qmi")
    );
    parse(&format!("{ONE}[component.web.tool.x]\nanything = 1\n")).unwrap();
}

#[test]
fn files_validation_at_load() {
    assert!(
        err(&format!("{ONE}files = [\"../secret\"]\n"))
            .contains("outside the application directory")
    );
    assert!(err(&format!("{ONE}files = [\"static/..\"]\n")).contains("parent directory path"));
    assert!(err(&format!("{ONE}files = [\".\"]\n")).contains("current directory path"));
    assert!(
        err(&format!(
            "{ONE}files = [{{ source = \"/etc\", destination = \"/\" }}]\n"
        ))
        .contains("relative")
    );
    assert!(
        err(&format!(
            "{ONE}files = [{{ source = \"a\", destination = \"rel\" }}]\n"
        ))
        .contains("absolute guest path")
    );
    assert!(
        err(&format!("{ONE}files = [{{ source = \"a\" }}]\n"))
            .contains("missing field \"destination\" in [component.web.files[0]]")
    );
    assert!(err(&format!("{ONE}exclude_files = [\"[\"]\n")).contains("exclude_files[0]"));
}

fn write(root: &Path, rel: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, rel).unwrap();
}

#[test]
fn file_mounts_resolve_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    for f in [
        "dist/index.html",
        "dist/app/app.js",
        "static/a.css",
        "static/img/b.png",
        "static/private/k.pem",
        "notes.txt",
    ] {
        write(&root, f);
    }
    let text = format!(
        "{HEAD}{ONE}files = [{{ source = \"dist\", destination = \"/\" }}, \"static/**/*\", \"notes.txt\"]\nexclude_files = [\"static/private/*\"]\n"
    );
    let m = AppManifest::parse(&text, &root).unwrap();
    let mounts = m.component("web").unwrap().file_mounts(&root).unwrap();
    let guests: Vec<_> = mounts
        .iter()
        .map(|m| match m {
            FileMount::Dir { guest, .. } => format!("dir {guest}"),
            FileMount::File { guest, .. } => guest.clone(),
        })
        .collect();
    // With exclusions, the directory is mounted file by file.
    assert_eq!(
        guests,
        [
            "/app/app.js",
            "/index.html",
            "/static/a.css",
            "/static/img/b.png",
            "/notes.txt"
        ]
    );
    assert!(mounts.contains(&FileMount::File {
        host: root.join("notes.txt"),
        guest: "/notes.txt".into()
    }));

    let text = format!(
        "{HEAD}{ONE}files = [{{ source = \"dist\", destination = \"/www\" }}, \"static\"]\n"
    );
    let m = AppManifest::parse(&text, &root).unwrap();
    let mounts = m.component("web").unwrap().file_mounts(&root).unwrap();
    assert_eq!(
        mounts,
        [
            FileMount::Dir {
                host: root.join("dist"),
                guest: "/www".into()
            },
            FileMount::Dir {
                host: root.join("static"),
                guest: "/static".into()
            },
        ]
    );

    let text = format!("{HEAD}{ONE}files = [\"missing.txt\"]\n");
    let e = AppManifest::parse(&text, &root)
        .unwrap()
        .component("web")
        .unwrap()
        .file_mounts(&root)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("does not exist and doesn't appear to be a glob pattern"),
        "{e}"
    );
    let text = format!("{HEAD}{ONE}files = [{{ source = \"nope\", destination = \"/\" }}]\n");
    let e = AppManifest::parse(&text, &root)
        .unwrap()
        .component("web")
        .unwrap()
        .file_mounts(&root)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("File or directory \"nope\" does not exist"),
        "{e}"
    );
}

#[cfg(unix)]
#[test]
fn file_mounts_refuse_symlink_escapes() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.txt");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
    let text = format!("{HEAD}{ONE}files = [\"link/*\"]\n");
    let e = AppManifest::parse(&text, &root)
        .unwrap()
        .component("web")
        .unwrap()
        .file_mounts(&root)
        .unwrap_err();
    assert!(
        e.to_string().contains("outside the application directory"),
        "{e}"
    );
}

#[test]
fn load_resolves_against_manifest_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("spin.toml");
    std::fs::write(&path, format!("{HEAD}{ONE}")).unwrap();
    let m = load(&path).unwrap();
    assert_eq!(
        m.component("web").unwrap().source,
        tmp.path().join("web.wasm")
    );
    assert_eq!(m.dir, tmp.path());
    let e = load(&tmp.path().join("none.toml")).unwrap_err();
    assert!(matches!(e, ManifestError::Io { .. }));
}

mod runtime_config {
    use super::*;

    fn rc(text: &str) -> Result<RuntimeConfig> {
        RuntimeConfig::parse(text, Path::new("/etc/qmi"), Path::new("/work"))
    }

    #[test]
    fn defaults() {
        let c = RuntimeConfig::load(None).unwrap();
        let state = c.state_dir(Path::new("/app")).unwrap();
        assert_eq!(state, Path::new("/app/.spin"));
        assert_eq!(
            c.sqlite_location("default", Some(&state)),
            Some(Location::File("/app/.spin/sqlite_db.db".into()))
        );
        assert_eq!(
            c.key_value_store("default", Some(&state)),
            Some(KeyValueStore::Spin(Location::File(
                "/app/.spin/sqlite_key_value.db".into()
            )))
        );
        assert_eq!(c.sqlite_location("default", None), Some(Location::InMemory));
        assert_eq!(c.sqlite_location("identity", Some(&state)), None);
    }

    #[test]
    fn labels_and_paths() {
        let c = rc(r#"
state_dir = "data"
[sqlite_database.identity]
type = "spin"
path = "data/identity.db"
[sqlite_database.default]
type = "spin"
path = "/abs/main.db"
allow_attach_file = true
[sqlite_database.scratch]
type = "spin"
[key_value_store.cache]
type = "spin"
path = "kv/cache.db"
"#)
        .unwrap();
        assert_eq!(
            c.state_dir(Path::new("/app")),
            Some(PathBuf::from("/work/data"))
        );
        // SQLite: relative to the working directory; key-value: to the config file's dir.
        assert_eq!(
            c.sqlite_location("identity", None),
            Some(Location::File("/work/data/identity.db".into()))
        );
        assert_eq!(
            c.sqlite_location("default", None),
            Some(Location::File("/abs/main.db".into()))
        );
        assert!(c.sqlite_databases["default"].allow_attach_file);
        assert_eq!(c.sqlite_location("scratch", None), Some(Location::InMemory));
        assert_eq!(
            c.key_value_store("cache", None),
            Some(KeyValueStore::Spin(Location::File(
                "/etc/qmi/kv/cache.db".into()
            )))
        );
        assert_eq!(
            rc("state_dir = \"\"").unwrap().state_dir(Path::new("/app")),
            None
        );
    }

    #[test]
    fn redis_key_value_stores() {
        let c = rc(r#"
[key_value_store.default]
type = "redis"
url = "redis://127.0.0.1:6379/2"
[key_value_store.cache]
type = "redis"
url = "redis://cache.internal"
"#)
        .unwrap();
        assert_eq!(
            c.key_value_store("default", Some(Path::new("/app/.spin"))),
            Some(KeyValueStore::Redis {
                url: "redis://127.0.0.1:6379/2".into()
            })
        );
        assert_eq!(
            c.key_value_store("cache", None),
            Some(KeyValueStore::Redis {
                url: "redis://cache.internal".into()
            })
        );
        assert_eq!(c.key_value_store("other", None), None);
    }

    #[test]
    fn strictness() {
        assert!(
            rc("[sqlite_database.x]\ntype = \"libsql\"\nurl = \"u\"\ntoken = \"t\"\n")
                .unwrap_err()
                .to_string()
                .contains("not supported by qmi")
        );
        assert!(
            rc("[sqlite_database.x]\ntype = \"nope\"\n")
                .unwrap_err()
                .to_string()
                .contains("unknown store type")
        );
        assert!(
            rc("[sqlite_database.x]\npath = \"a\"\n")
                .unwrap_err()
                .to_string()
                .contains("missing field \"type\" in [sqlite_database.x]")
        );
        assert_eq!(
            rc("[sqlite_database.x]\ntype = \"spin\"\npaht = \"a\"\n")
                .unwrap_err()
                .to_string(),
            "unknown field \"paht\" in [sqlite_database.x]"
        );
        assert!(
            rc("[key_value_store.x]\ntype = \"azure_cosmos\"\n")
                .unwrap_err()
                .to_string()
                .contains("not supported by qmi")
        );
        assert_eq!(
            rc("[key_value_store.x]\ntype = \"redis\"\n")
                .unwrap_err()
                .to_string(),
            "missing field \"url\" in [key_value_store.x]"
        );
        assert_eq!(
            rc("[key_value_store.x]\ntype = \"redis\"\nurl = \"redis://h\"\npath = \"a\"\n")
                .unwrap_err()
                .to_string(),
            "unknown field \"path\" in [key_value_store.x]"
        );
        assert!(
            rc("[sqlite_database.x]\ntype = \"redis\"\nurl = \"u\"\n")
                .unwrap_err()
                .to_string()
                .contains("unknown store type")
        );
        assert!(
            rc("[[config_provider]]\ntype = \"vault\"\n")
                .unwrap_err()
                .to_string()
                .contains("unknown field \"config_provider\"")
        );
    }

    #[test]
    fn check_labels_uses_spin_messages() {
        let m = parse(&format!("{ONE}sqlite_databases = [\"default\", \"identity\", \"audit\"]\nkey_value_stores = [\"default\", \"cache\"]\n")).unwrap();
        let e = RuntimeConfig::default()
            .check_labels(&m)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "One or more components use SQLite databases which are not defined.\n\
             Check the spelling, or pass a runtime configuration file that defines these stores.\n\
             See https://spinframework.dev/dynamic-configuration#sqlite-storage-runtime-configuration\n\
             Details:\n\
             - Component web uses database 'identity'\n\
             - Component web uses database 'audit'"
        );
        let c = rc("[sqlite_database.identity]\ntype = \"spin\"\n[sqlite_database.audit]\ntype = \"spin\"\n").unwrap();
        assert_eq!(
            c.check_labels(&m).unwrap_err().to_string(),
            "unknown key_value_stores label \"cache\" for component \"web\""
        );
        let c = rc("[sqlite_database.identity]\ntype = \"spin\"\n[sqlite_database.audit]\ntype = \"spin\"\n[key_value_store.cache]\ntype = \"spin\"\n").unwrap();
        c.check_labels(&m).unwrap();
    }
}
