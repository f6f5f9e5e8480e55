//! The application manifest: parsing and the whole-app rules.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use toml::Value;

use crate::{
    allowed_host::AllowedHost,
    component::Component,
    dependency::{DependencyRef, DependencySource},
    error::{ManifestError, Result, invalid, unsupported},
    ids::VariableName,
    trigger::{HttpTrigger, Route},
    variables::{ResolvedVariables, Variable},
    walk::{Fields, join, wrong},
};

/// `[application]`.
#[derive(Debug, Clone, Default)]
pub struct Application {
    /// The name.
    pub name: String,
    /// The version (free text; semver by convention).
    pub version: String,
    /// A description.
    pub description: String,
    /// The authors.
    pub authors: Vec<String>,
}

/// A Spin manifest (`spin_manifest_version = 2`), checked with Spin's rules.
#[derive(Debug, Clone)]
pub struct AppManifest {
    /// `[application]`.
    pub application: Application,
    /// `[variables]`.
    pub variables: BTreeMap<VariableName, Variable>,
    /// `[[trigger.http]]`, in file order.
    pub http_triggers: Vec<HttpTrigger>,
    /// `[component.<id>]`, by id.
    pub components: BTreeMap<String, Component>,
    /// The directory of the manifest; relative paths were resolved against it.
    pub dir: PathBuf,
}

/// Reads, parses and checks the manifest at `path`.
pub fn load(path: &Path) -> Result<AppManifest> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Io {
        path: path.to_owned(),
        source,
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let dir = std::path::absolute(&dir).map_err(|source| ManifestError::Io {
        path: dir.clone(),
        source,
    })?;
    AppManifest::parse(&text, &dir).map_err(|e| match e {
        ManifestError::Toml { message, .. } => ManifestError::Toml {
            path: path.to_owned(),
            message,
        },
        other => other,
    })
}

impl AppManifest {
    /// Parses and checks manifest text; relative paths are resolved against `dir`.
    pub fn parse(text: &str, dir: &Path) -> Result<Self> {
        let root: toml::Table = toml::from_str(text).map_err(|e| ManifestError::Toml {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
        let mut f = Fields::new(&root, "");
        match f.get("spin_manifest_version") {
            Some(Value::Integer(2)) => {}
            None => return Err(f.missing("spin_manifest_version")),
            Some(v) => {
                return Err(invalid(
                    "spin_manifest_version",
                    format!("invalid manifest version: {v} (qmi reads version 2)"),
                ));
            }
        }
        let application = parse_application(
            f.get("application")
                .ok_or_else(|| f.missing("application"))?,
        )?;
        let mut variables = BTreeMap::new();
        if let Some(vars) = f.table("variables")? {
            for (name, v) in vars {
                let at = join("variables", name);
                let parsed = VariableName::parse(name).map_err(|e| invalid(&at, e))?;
                let mut vf = Fields::of(v, &at)?;
                let var = Variable::parse(&mut vf)?;
                vf.finish()?;
                variables.insert(parsed, var);
            }
        }
        let mut components = BTreeMap::new();
        if let Some(table) = f.table("component")? {
            for (id, v) in table {
                components.insert(id.clone(), Component::parse(id, v, dir)?);
            }
        }
        let triggers = f.table("trigger")?.ok_or_else(|| f.missing("trigger"))?;
        let mut http_triggers = Vec::new();
        for (kind, list) in triggers {
            let at = join("trigger", kind);
            if kind != "http" {
                return Err(unsupported(
                    at,
                    format!("the {kind:?} trigger type (qmi runs only \"http\")"),
                ));
            }
            let Value::Array(items) = list else {
                return Err(wrong(&at, "an array of tables ([[trigger.http]])", list));
            };
            for (i, item) in items.iter().enumerate() {
                http_triggers.push(HttpTrigger::parse(item, &format!("{at}[{i}]"), dir)?);
            }
        }
        f.finish()?;
        let mut manifest = Self {
            application,
            variables,
            http_triggers,
            components,
            dir: dir.to_owned(),
        };
        manifest.name_triggers();
        manifest.check()?;
        Ok(manifest)
    }

    /// Spin's generated ids for triggers without one: `<component>-http-trigger`, else
    /// `http-trigger<N>`.
    fn name_triggers(&mut self) {
        let mut taken: Vec<String> = self.http_triggers.iter().map(|t| t.id.clone()).collect();
        let mut counter = 1;
        for t in self.http_triggers.iter_mut().filter(|t| t.id.is_empty()) {
            let natural = format!("{}-http-trigger", t.component);
            t.id = if taken.contains(&natural) {
                loop {
                    let id = format!("http-trigger{counter}");
                    counter += 1;
                    if !taken.contains(&id) {
                        break id;
                    }
                }
            } else {
                natural
            };
            taken.push(t.id.clone());
        }
    }

    /// The whole-app rules: references, dependency hygiene, templates, routes.
    fn check(&self) -> Result<()> {
        for (i, t) in self.http_triggers.iter().enumerate() {
            let at = format!("trigger.http[{i}]");
            if !self.components.contains_key(t.component.as_str()) {
                return Err(invalid(
                    format!("{at}.component"),
                    format!("component {:?} is not defined", t.component.as_str()),
                ));
            }
            for (j, mw) in t.middleware.iter().enumerate() {
                self.check_dependency(mw, &format!("{at}.dependencies.middleware[{j}]"), &t.id)?;
            }
        }
        for c in self.components.values() {
            let at = join("component", c.id.as_str());
            for (name, dep) in &c.dependencies {
                self.check_dependency(
                    dep,
                    &join(&join(&at, "dependencies"), &name.to_string()),
                    c.id.as_str(),
                )?;
            }
            self.check_host_templates(c, &at)?;
            for (name, template) in &c.variables {
                if let Some(unknown) = template
                    .variables()
                    .find(|v| !self.variables.contains_key(v.as_str()))
                {
                    return Err(invalid(
                        join(&join(&at, "variables"), name.as_str()),
                        format!(
                            "invalid variable template: unknown variable {:?}",
                            unknown.as_str()
                        ),
                    ));
                }
            }
        }
        let routes = self.http_triggers.iter().filter_map(|t| match &t.route {
            Route::Path(p) => Some((p.clone(), t.component.to_string())),
            Route::Private => None,
        });
        qmi_routes::Router::build(routes).map_err(|e| invalid("trigger.http", e.to_string()))?;
        Ok(())
    }

    /// Spin's load-time check of templated `allowed_outbound_hosts`: a template
    /// whose variables all have defaults must give a valid entry with them. qmi
    /// also refuses a template naming an undeclared variable (Spin would fail
    /// every outbound request of the component instead).
    fn check_host_templates(&self, c: &Component, at: &str) -> Result<()> {
        for (i, entry) in c.allowed_outbound_hosts.iter().enumerate() {
            let Some(template) = entry.template() else {
                continue;
            };
            let entry_at = format!("{}[{i}]", join(at, "allowed_outbound_hosts"));
            if let Some(unknown) = template
                .variables()
                .find(|v| !self.variables.contains_key(v.as_str()))
            {
                return Err(invalid(
                    entry_at,
                    format!(
                        "invalid variable template: unknown variable {:?}",
                        unknown.as_str()
                    ),
                ));
            }
            let default = |name: &str| self.variables.get(name).and_then(|v| v.default.clone());
            let Ok(resolved) = template.render(default) else {
                // A required variable: only its provided value can be checked.
                continue;
            };
            let skipped = matches!(resolved.trim(), "" | "http://" | "https://");
            if !skipped && let Err(e) = AllowedHost::parse(&resolved) {
                return Err(invalid(
                    entry_at,
                    format!(
                        "`allowed_outbound_hosts` is malformed: using default variable value(s) with template {:?} results in invalid config {resolved:?}: {e}",
                        template.to_string()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_dependency(&self, dep: &DependencyRef, at: &str, depender: &str) -> Result<()> {
        let DependencySource::Component(id) = &dep.source else {
            return Ok(());
        };
        let Some(target) = self.components.get(id.as_str()) else {
            return Err(invalid(at, format!("dependency ID {id} does not exist")));
        };
        let own = target.own_resources();
        if !own.is_empty() {
            return Err(invalid(
                at,
                format!(
                    "Dependencies may not have their own resources or permissions. Component {id} cannot be used as a dependency of {depender} because it specifies: {}",
                    own.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// A component by id.
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.get(id)
    }

    /// Resolves every application variable as Spin's environment provider does:
    /// `env("SPIN_VARIABLE_<NAME>")`, else the default. Fails naming the required
    /// variables left without a value.
    pub fn resolve_variables(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ResolvedVariables> {
        ResolvedVariables::resolve(&self.variables, env)
    }

    /// The component variables of `component`, rendered with `values`.
    pub fn component_variables(
        &self,
        component: &str,
        values: &ResolvedVariables,
    ) -> Result<BTreeMap<String, String>> {
        let Some(c) = self.components.get(component) else {
            return Ok(BTreeMap::new());
        };
        c.variables
            .iter()
            .map(|(k, t)| Ok((k.to_string(), values.render(t)?)))
            .collect()
    }
}

fn parse_application(v: &Value) -> Result<Application> {
    let mut f = Fields::of(v, "application")?;
    let app = Application {
        name: f.req_string("name")?.to_owned(),
        version: f.string("version")?.unwrap_or_default().to_owned(),
        description: f.string("description")?.unwrap_or_default().to_owned(),
        authors: f.strings("authors")?,
    };
    f.ignore("tool");
    f.refuse("trigger", "application-level trigger settings")?;
    f.refuse("targets", "`targets`")?;
    f.finish()?;
    Ok(app)
}
