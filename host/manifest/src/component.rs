//! `[component.<id>]` tables.

use std::{
    collections::BTreeMap,
    path::{Component as PathPart, Path, PathBuf},
};

use toml::Value;

use crate::{
    allowed_host::{AllowedHost, HostEntry},
    dependency::{DependencyName, DependencyRef, Inherit, check_names},
    error::{Result, invalid, unsupported},
    ids::{ComponentId, VariableName, check_label},
    template::Template,
    variables::ResolvedVariables,
    walk::{Fields, join, string_list, string_map, wrong},
};

/// One `files` entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesSpec {
    /// A path or glob relative to the app directory (`"static/**/*"`); matches appear in
    /// the guest at the same relative path under `/`.
    Pattern(String),
    /// `{ source = "dir", destination = "/" }`: a host directory (or file) placed at an
    /// absolute guest path.
    Placement {
        /// Host path, relative to the app directory.
        source: String,
        /// Absolute guest path.
        destination: String,
    },
}

/// `[component.<id>.build]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildConfig {
    /// The commands, run in order (Spin accepts a string or a list).
    pub command: Vec<String>,
    /// The working directory, resolved against the app directory (None: the app directory).
    pub workdir: Option<PathBuf>,
    /// Globs watched by `spin watch`, relative to the working directory.
    pub watch: Vec<String>,
}

/// A component.
#[derive(Debug, Clone)]
pub struct Component {
    /// The component id.
    pub id: ComponentId,
    /// A description.
    pub description: String,
    /// The Wasm file, resolved against the app directory.
    pub source: PathBuf,
    /// The `files` entries as written; see [`Component::file_mounts`].
    pub files: Vec<FilesSpec>,
    /// Globs (relative to the app directory) of files never to mount.
    pub exclude_files: Vec<String>,
    /// Environment variables of the guest.
    pub environment: BTreeMap<String, String>,
    /// Component variables, templates over application variables.
    pub variables: BTreeMap<VariableName, Template>,
    /// SQLite database labels the component may open.
    pub sqlite_databases: Vec<String>,
    /// Key-value store labels the component may open.
    pub key_value_stores: Vec<String>,
    /// Where the component may connect, as written (templates unresolved); see
    /// [`Component::allowed_hosts`].
    pub allowed_outbound_hosts: Vec<HostEntry>,
    /// Imports satisfied by other components or Wasm files.
    pub dependencies: BTreeMap<DependencyName, DependencyRef>,
    /// `dependencies_inherit_configuration = true` (already applied to `dependencies`).
    pub dependencies_inherit_configuration: bool,
    /// How `qmi build` builds it.
    pub build: Option<BuildConfig>,
}

impl Component {
    pub(crate) fn parse(id: &str, value: &Value, dir: &Path) -> Result<Self> {
        let at = join("component", id);
        let id = ComponentId::parse(id)
            .map_err(|e| invalid(&at, format!("invalid component id {id:?}: {e}")))?;
        let mut f = Fields::of(value, &at)?;
        let source = match f.get("source") {
            None => return Err(f.missing("source")),
            Some(Value::String(s)) => dir.join(s),
            Some(Value::Table(_)) => {
                return Err(unsupported(
                    f.at("source"),
                    "a remote (url or registry) component source",
                ));
            }
            Some(v) => return Err(wrong(&f.at("source"), "a path string", v)),
        };
        let description = f.string("description")?.unwrap_or_default().to_owned();
        let mut variables = BTreeMap::new();
        if let Some(v) = f.get("variables") {
            for (name, text) in string_map(v, &f.at("variables"))? {
                let name_at = join(&f.at("variables"), &name);
                let name = VariableName::parse(&name).map_err(|e| invalid(&name_at, e))?;
                let template =
                    Template::parse(&text).map_err(|e| invalid(&name_at, e.to_string()))?;
                variables.insert(name, template);
            }
        }
        let environment = match f.get("environment") {
            None => BTreeMap::new(),
            Some(v) => string_map(v, &f.at("environment"))?.into_iter().collect(),
        };
        let files = parse_files(&mut f)?;
        let exclude_files = f.strings("exclude_files")?;
        for (i, pattern) in exclude_files.iter().enumerate() {
            glob::Pattern::new(pattern).map_err(|e| {
                invalid(
                    format!("{}[{i}]", f.at("exclude_files")),
                    format!("invalid glob {pattern:?}: {e}"),
                )
            })?;
        }
        let allowed_outbound_hosts = f
            .strings("allowed_outbound_hosts")?
            .iter()
            .enumerate()
            .map(|(i, h)| {
                HostEntry::parse(h)
                    .map_err(|e| invalid(format!("{}[{i}]", f.at("allowed_outbound_hosts")), e))
            })
            .collect::<Result<_>>()?;
        let labels = |f: &mut Fields<'_>, key: &str| -> Result<Vec<String>> {
            let list = f.strings(key)?;
            for l in &list {
                check_label(l).map_err(|e| invalid(f.at(key), e))?;
            }
            Ok(list)
        };
        let key_value_stores = labels(&mut f, "key_value_stores")?;
        let sqlite_databases = labels(&mut f, "sqlite_databases")?;
        let build = f
            .get("build")
            .map(|v| parse_build(v, &f.at("build"), dir))
            .transpose()?;
        let inherit_all = f.bool("dependencies_inherit_configuration")?;
        let mut dependencies = BTreeMap::new();
        let mut per_dep_inherit = false;
        if let Some(deps) = f.table("dependencies")? {
            let deps_at = f.at("dependencies");
            for (key, value) in deps {
                let dep_at = join(&deps_at, key);
                let name = DependencyName::parse(key).map_err(|e| invalid(&dep_at, e))?;
                let dep = DependencyRef::parse(value, &dep_at, dir, true)?;
                per_dep_inherit |= value.get("inherit_configuration").is_some();
                dependencies.insert(name, dep);
            }
            check_names(&dependencies, &deps_at)?;
        }
        if inherit_all.is_some() && per_dep_inherit {
            return Err(invalid(
                &at,
                format!(
                    "Component `{id}` specifies both `dependencies_inherit_configuration` and per-dependency `inherit_configuration`. These are mutually exclusive; use one or the other."
                ),
            ));
        }
        if inherit_all == Some(true) {
            for d in dependencies.values_mut() {
                d.inherit_configuration = Inherit::All;
            }
        }
        f.ignore("tool");
        f.refuse(
            "allowed_http_hosts",
            "the deprecated `allowed_http_hosts` (use allowed_outbound_hosts)",
        )?;
        f.refuse("ai_models", "`ai_models`")?;
        f.refuse("targets", "`targets`")?;
        f.refuse("profile", "build profiles")?;
        f.finish()?;
        Ok(Self {
            id,
            description,
            source,
            files,
            exclude_files,
            environment,
            variables,
            sqlite_databases,
            key_value_stores,
            allowed_outbound_hosts,
            dependencies,
            dependencies_inherit_configuration: inherit_all == Some(true),
            build,
        })
    }

    /// Where the component may connect, its templates resolved with the
    /// application variables `values` (entries resolving to nothing dropped).
    /// Fails naming the entry when one resolves to an invalid host.
    pub fn allowed_hosts(&self, values: &ResolvedVariables) -> Result<Vec<AllowedHost>> {
        let mut hosts = Vec::new();
        for (i, entry) in self.allowed_outbound_hosts.iter().enumerate() {
            let resolved = entry
                .resolve(|name| values.get(name).map(str::to_owned))
                .map_err(|e| {
                    invalid(
                        format!("component.{}.allowed_outbound_hosts[{i}]", self.id),
                        format!("`allowed_outbound_hosts` is malformed: {e}"),
                    )
                })?;
            hosts.extend(resolved);
        }
        Ok(hosts)
    }

    /// The settings that a component used as a dependency or middleware may not have
    /// (Spin refuses them: they would silently not apply).
    pub(crate) fn own_resources(&self) -> Vec<&'static str> {
        let mut found = Vec::new();
        let checks: [(&'static str, bool); 7] = [
            (
                "allowed_outbound_hosts",
                !self.allowed_outbound_hosts.is_empty(),
            ),
            ("dependencies", !self.dependencies.is_empty()),
            ("environment", !self.environment.is_empty()),
            ("files", !self.files.is_empty()),
            ("key_value_stores", !self.key_value_stores.is_empty()),
            ("sqlite_databases", !self.sqlite_databases.is_empty()),
            ("variables", !self.variables.is_empty()),
        ];
        for (name, present) in checks {
            if present {
                found.push(name);
            }
        }
        found
    }
}

fn parse_build(v: &Value, at: &str, dir: &Path) -> Result<BuildConfig> {
    let mut f = Fields::of(v, at)?;
    let command = match f.get("command") {
        None => return Err(f.missing("command")),
        Some(Value::String(s)) => vec![s.clone()],
        Some(v @ Value::Array(_)) => string_list(v, &f.at("command"))?,
        Some(v) => {
            return Err(wrong(
                &f.at("command"),
                "a string or an array of strings",
                v,
            ));
        }
    };
    let workdir = f.string("workdir")?.map(|w| dir.join(w));
    let watch = f.strings("watch")?;
    f.finish()?;
    Ok(BuildConfig {
        command,
        workdir,
        watch,
    })
}

fn parse_files(f: &mut Fields<'_>) -> Result<Vec<FilesSpec>> {
    let at = f.at("files");
    let Some(v) = f.get("files") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(wrong(&at, "an array", v));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_at = format!("{at}[{i}]");
        let spec = match item {
            Value::String(p) => {
                check_pattern(p).map_err(|e| invalid(&item_at, e))?;
                FilesSpec::Pattern(p.clone())
            }
            Value::Table(_) => {
                let mut m = Fields::of(item, &item_at)?;
                let source = m.req_string("source")?.to_owned();
                let destination = m.req_string("destination")?.to_owned();
                m.finish()?;
                check_relative(&source).map_err(|e| invalid(&item_at, e))?;
                if !destination.starts_with('/') {
                    return Err(invalid(
                        &item_at,
                        format!("destination {destination:?} must be an absolute guest path"),
                    ));
                }
                FilesSpec::Placement {
                    source,
                    destination,
                }
            }
            other => {
                return Err(wrong(
                    &item_at,
                    "a string or a { source, destination } table",
                    other,
                ));
            }
        };
        out.push(spec);
    }
    Ok(out)
}

const FILES_HELP: &str = "If you want to include a directory, use source-destination form, or a glob pattern ending in **/*.";

fn check_pattern(p: &str) -> Result<(), String> {
    if p == ".." || p.ends_with("/..") {
        return Err(format!(
            "A file pattern can't end in a parent directory path (..)\n{FILES_HELP}"
        ));
    }
    if p == "." || p.ends_with("/.") {
        return Err(format!(
            "A file pattern can't end in a current directory path (.)\n{FILES_HELP}"
        ));
    }
    check_relative(p)
}

/// Refuses paths that could leave the app directory.
pub(crate) fn check_relative(p: &str) -> Result<(), String> {
    let path = Path::new(p);
    if path.is_absolute() {
        return Err(format!(
            "{p:?} must be relative to the application directory"
        ));
    }
    if path.components().any(|c| matches!(c, PathPart::ParentDir)) {
        return Err(format!(
            "{p:?} is outside the application directory. Files must be within the application directory."
        ));
    }
    Ok(())
}
