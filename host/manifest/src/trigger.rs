//! `[[trigger.http]]` entries.

use std::path::Path;

use toml::Value;

use crate::{
    dependency::DependencyRef,
    error::{Result, invalid, unsupported},
    ids::ComponentId,
    walk::{Fields, wrong},
};

/// Where an HTTP trigger is reachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A route pattern as written (`/api/...`, `/users/:id`).
    Path(String),
    /// `{ private = true }`: reachable only through service chaining.
    Private,
}

/// The HTTP executor. Spin's default (`type = "http"`, alias `"spin"`) is the only one qmi
/// runs: it serves `wasi:http` (and Spin's HTTP interface) components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Executor {
    /// `wasi:http/handler` (WASIp3) or `wasi:http/incoming-handler` (WASIp2).
    #[default]
    Http,
}

/// One `[[trigger.http]]` entry.
#[derive(Debug, Clone)]
pub struct HttpTrigger {
    /// The trigger id: as written, else Spin's generated `<component>-http-trigger`.
    pub id: String,
    /// The route.
    pub route: Route,
    /// The component serving it.
    pub component: ComponentId,
    /// The executor.
    pub executor: Executor,
    /// `dependencies.middleware`, outermost first.
    pub middleware: Vec<DependencyRef>,
}

impl HttpTrigger {
    pub(crate) fn parse(value: &Value, at: &str, dir: &Path) -> Result<Self> {
        let mut f = Fields::of(value, at)?;
        let id = f.string("id")?.unwrap_or_default().to_owned();
        let route = match f.get("route") {
            None => return Err(f.missing("route")),
            Some(Value::String(r)) => Route::Path(r.clone()),
            Some(v @ Value::Table(_)) => {
                let mut p = Fields::of(v, f.at("route"))?;
                let private = p.bool("private")?.ok_or_else(|| p.missing("private"))?;
                p.finish()?;
                if !private {
                    return Err(invalid(
                        f.at("route"),
                        "route must be a string pattern or '{ private = true }'",
                    ));
                }
                Route::Private
            }
            Some(v) => return Err(wrong(&f.at("route"), "a string or { private = true }", v)),
        };
        let component = match f.get("component") {
            None if f.has("static_response") => {
                return Err(unsupported(
                    f.at("static_response"),
                    "a static response trigger",
                ));
            }
            None => return Err(f.missing("component")),
            Some(Value::String(c)) => {
                ComponentId::parse(c).map_err(|e| invalid(f.at("component"), e))?
            }
            Some(Value::Table(_)) => {
                return Err(unsupported(
                    f.at("component"),
                    "an inline component table (declare it as [component.<id>] and refer to its id)",
                ));
            }
            Some(v) => return Err(wrong(&f.at("component"), "a component id", v)),
        };
        let executor = match f.get("executor") {
            None => Executor::Http,
            Some(v) => {
                let mut e = Fields::of(v, f.at("executor"))?;
                let kind = e.req_string("type")?;
                match kind {
                    "http" | "spin" => {}
                    "wagi" => return Err(unsupported(e.at("type"), "the Wagi executor")),
                    other => {
                        return Err(invalid(
                            e.at("type"),
                            format!(
                                "unknown executor type {other:?} (expected \"http\" or \"spin\")"
                            ),
                        ));
                    }
                }
                e.finish()?;
                Executor::Http
            }
        };
        let mut middleware = Vec::new();
        if let Some(deps) = f.table("dependencies")? {
            let deps_at = f.at("dependencies");
            for (key, v) in deps {
                if key != "middleware" {
                    return Err(invalid(
                        &deps_at,
                        "the HTTP trigger's only allowed trigger dependency is `middleware`",
                    ));
                }
                let mw_at = format!("{deps_at}.middleware");
                let Value::Array(items) = v else {
                    return Err(wrong(&mw_at, "an array", v));
                };
                for (i, item) in items.iter().enumerate() {
                    middleware.push(DependencyRef::parse(
                        item,
                        &format!("{mw_at}[{i}]"),
                        dir,
                        false,
                    )?);
                }
            }
        }
        f.refuse("static_response", "a static response trigger")?;
        f.refuse("components", "trigger `components`")?;
        f.finish()?;
        Ok(Self {
            id,
            route,
            component,
            executor,
            middleware,
        })
    }
}
