//! The Spin manifest (version 2) and Spin's runtime config file, read strictly.
//!
//! Everything qmi runs is checked at load time with Spin's own rules (and Spin's error
//! texts where Spin has them). Any field outside the supported set is an error naming
//! the field and its table, never silently ignored; Spin features qmi does not run
//! (remote sources, registry dependencies, other triggers, other store types) are
//! refused by name.

#![deny(missing_docs)]

mod allowed_host;
mod component;
mod dependency;
mod error;
mod files;
mod ids;
mod manifest;
mod runtime_config;
mod template;
mod trigger;
mod trigger_components;
mod variables;
mod walk;

pub use allowed_host::{
    AllowedHost, Host, HostEntry, OutboundUrl, Port, SERVICE_CHAINING_SUFFIX, Scheme,
    service_chaining_component,
};
pub use component::{BuildConfig, Component, FilesSpec};
pub use dependency::{DependencyName, DependencyRef, DependencySource, Inherit, Version};
pub use error::{ManifestError, Result};
pub use files::FileMount;
pub use ids::{ComponentId, VariableName};
pub use manifest::{AppManifest, Application, load};
pub use runtime_config::{
    DEFAULT_KEY_VALUE_FILE, DEFAULT_SQLITE_FILE, KeyValueStore, Location, RuntimeConfig,
    SqliteDatabase,
};
pub use template::{Part, Template, TemplateError};
pub use trigger::{Executor, HttpTrigger, Route};
pub use variables::{Resolved, ResolvedVariables, Variable, env_var_name};

#[cfg(test)]
mod tests;
