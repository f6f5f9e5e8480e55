//! Spin's runtime config file (`--runtime-config-file`): SQLite databases, key-value
//! stores and the state directory.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use crate::{
    AppManifest,
    error::{ManifestError, Result, invalid, unsupported},
    walk::{Fields, join},
};

/// Where a store's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (absolute).
    File(PathBuf),
    /// In memory, lost on exit (Spin's choice when no path or state directory is known).
    InMemory,
}

/// `[sqlite_database.<label>] type = "spin"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteDatabase {
    /// Where the database is.
    pub location: Location,
    /// `allow_attach_file`: whether `ATTACH` of other files is allowed.
    pub allow_attach_file: bool,
}

/// `[key_value_store.<label>]`: the store's type and where its data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValueStore {
    /// `type = "spin"`: a SQLite file (or memory, without a path).
    Spin(Location),
    /// `type = "redis"`, `url = "redis://…"`: a Redis server. As in Spin, keys are
    /// stored as they are, not prefixed by label: labels given one server share its keys.
    Redis {
        /// The server's URL, as written.
        url: String,
    },
}

/// The state directory setting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum StateDir {
    /// Not set: `<app dir>/.spin`.
    #[default]
    Default,
    /// `state_dir = ""`: none (default stores are in memory).
    Unset,
    /// An explicit directory (absolute).
    Path(PathBuf),
}

/// A parsed runtime config. All paths are already absolute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeConfig {
    state_dir: StateDir,
    /// `[sqlite_database.<label>]`.
    pub sqlite_databases: BTreeMap<String, SqliteDatabase>,
    /// `[key_value_store.<label>]`.
    pub key_value_stores: BTreeMap<String, KeyValueStore>,
}

/// File name of the `default` SQLite database in the state directory.
pub const DEFAULT_SQLITE_FILE: &str = "sqlite_db.db";
/// File name of the `default` key-value store in the state directory.
pub const DEFAULT_KEY_VALUE_FILE: &str = "sqlite_key_value.db";

impl RuntimeConfig {
    /// Reads the file if given (none: every setting at Spin's default).
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Io {
            path: path.to_owned(),
            source,
        })?;
        let io = |source| ManifestError::Io {
            path: path.to_owned(),
            source,
        };
        let abs = std::path::absolute(path).map_err(io)?;
        let cwd = std::env::current_dir().map_err(io)?;
        Self::parse(&text, abs.parent().unwrap_or(Path::new("/")), &cwd).map_err(|e| match e {
            ManifestError::Toml { message, .. } => ManifestError::Toml {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Parses runtime config text. As in Spin, a relative SQLite `path` is resolved against
    /// `cwd` (the working directory of `spin up`), a relative key-value `path` against
    /// `config_dir` (the directory of the runtime config file), and `state_dir` against `cwd`.
    pub fn parse(text: &str, config_dir: &Path, cwd: &Path) -> Result<Self> {
        let root: toml::Table = toml::from_str(text).map_err(|e| ManifestError::Toml {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
        let mut f = Fields::new(&root, "");
        let mut config = Self::default();
        if let Some(dir) = f.string("state_dir")? {
            config.state_dir = if dir.is_empty() {
                StateDir::Unset
            } else {
                StateDir::Path(cwd.join(dir))
            };
        }
        if let Some(dbs) = f.table("sqlite_database")? {
            for (label, v) in dbs {
                let mut t = Fields::of(v, join("sqlite_database", label))?;
                sqlite_type(&mut t)?;
                let location = t
                    .string("path")?
                    .map_or(Location::InMemory, |p| Location::File(cwd.join(p)));
                let allow_attach_file = t.bool("allow_attach_file")?.unwrap_or(false);
                t.finish()?;
                config.sqlite_databases.insert(
                    label.clone(),
                    SqliteDatabase {
                        location,
                        allow_attach_file,
                    },
                );
            }
        }
        if let Some(stores) = f.table("key_value_store")? {
            for (label, v) in stores {
                let mut t = Fields::of(v, join("key_value_store", label))?;
                let store = match key_value_type(&mut t)? {
                    KeyValueType::Spin => KeyValueStore::Spin(
                        t.string("path")?
                            .map_or(Location::InMemory, |p| Location::File(config_dir.join(p))),
                    ),
                    KeyValueType::Redis => KeyValueStore::Redis {
                        url: t.req_string("url")?.to_owned(),
                    },
                };
                t.finish()?;
                config.key_value_stores.insert(label.clone(), store);
            }
        }
        f.finish()?;
        Ok(config)
    }

    /// The state directory: `state_dir` if set, else `<app_dir>/.spin`; `None` when set
    /// to "" (then the default stores are in memory).
    pub fn state_dir(&self, app_dir: &Path) -> Option<PathBuf> {
        match &self.state_dir {
            StateDir::Default => Some(app_dir.join(".spin")),
            StateDir::Unset => None,
            StateDir::Path(p) => Some(p.clone()),
        }
    }

    /// Where the SQLite database `label` lives, or `None` if the label is not defined.
    /// `default` is always defined: `<state_dir>/sqlite_db.db` unless overridden.
    pub fn sqlite_location(&self, label: &str, state_dir: Option<&Path>) -> Option<Location> {
        match self.sqlite_databases.get(label) {
            Some(db) => Some(db.location.clone()),
            None if label == "default" => Some(default_location(state_dir, DEFAULT_SQLITE_FILE)),
            None => None,
        }
    }

    /// The key-value store `label`, or `None` if the label is not defined. `default` is
    /// always defined: a SQLite file, `<state_dir>/sqlite_key_value.db`, unless overridden.
    pub fn key_value_store(&self, label: &str, state_dir: Option<&Path>) -> Option<KeyValueStore> {
        match self.key_value_stores.get(label) {
            Some(store) => Some(store.clone()),
            None if label == "default" => Some(KeyValueStore::Spin(default_location(
                state_dir,
                DEFAULT_KEY_VALUE_FILE,
            ))),
            None => None,
        }
    }

    /// Fails, with Spin's messages, if a component uses a SQLite or key-value label that
    /// is neither `default` nor defined here.
    pub fn check_labels(&self, manifest: &AppManifest) -> Result<()> {
        let defined = |map_has: bool, label: &str| map_has || label == "default";
        let mut missing = Vec::new();
        for c in manifest.components.values() {
            for label in &c.sqlite_databases {
                if !defined(self.sqlite_databases.contains_key(label), label) {
                    missing.push((c.id.to_string(), label.clone()));
                }
            }
        }
        if !missing.is_empty() {
            return Err(ManifestError::UndefinedSqliteDatabases(missing));
        }
        for c in manifest.components.values() {
            for label in &c.key_value_stores {
                if !defined(self.key_value_stores.contains_key(label), label) {
                    return Err(ManifestError::UndefinedKeyValueStore {
                        label: label.clone(),
                        component: c.id.to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

fn default_location(state_dir: Option<&Path>, file: &str) -> Location {
    state_dir.map_or(Location::InMemory, |d| Location::File(d.join(file)))
}

/// The key-value store types qmi implements.
enum KeyValueType {
    Spin,
    Redis,
}

fn key_value_type(t: &mut Fields<'_>) -> Result<KeyValueType> {
    match t.req_string("type")? {
        "spin" => Ok(KeyValueType::Spin),
        "redis" => Ok(KeyValueType::Redis),
        other @ ("azure_cosmos" | "aws_dynamo") => {
            Err(unsupported(t.at("type"), format!("store type {other:?}")))
        }
        other => Err(invalid(
            t.at("type"),
            format!("unknown store type {other:?} (qmi supports \"spin\" and \"redis\")"),
        )),
    }
}

fn sqlite_type(t: &mut Fields<'_>) -> Result<()> {
    match t.req_string("type")? {
        "spin" => Ok(()),
        other @ "libsql" => Err(unsupported(t.at("type"), format!("store type {other:?}"))),
        other => Err(invalid(
            t.at("type"),
            format!("unknown store type {other:?} (qmi supports \"spin\")"),
        )),
    }
}
