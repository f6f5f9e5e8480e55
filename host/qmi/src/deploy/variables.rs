//! Where each SpinApp's application variables come from in Kubernetes (they
//! reach Spin as `SPIN_VARIABLE_<NAME>`).
//!
//! - a secret variable: a key of the app's Secret, never a literal;
//! - a variable whose default is a service-chaining origin
//!   (`http://<component>.spin.internal`): nothing when that component is
//!   served by the same SpinApp (chaining stays in-process), else the
//!   in-cluster Service of the SpinApp serving it;
//! - a variable whose default is a self-request origin (`http://self.alt`):
//!   a required key of the app's ConfigMap, since a selective deployment's
//!   own router does not hold the other components' routes (the operator
//!   points it at the Ingress);
//! - any other: a key of the ConfigMap, optional when spin.toml gives a
//!   default (a missing key keeps it).

use std::collections::BTreeSet;

use anyhow::{Context as _, Result};
use qmi_manifest::{AllowedHost, AppManifest, Host, service_chaining_component};

use super::plan::{AppPlan, Plan};

/// The source of one variable of a SpinApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A key of the app's Secret.
    Secret {
        /// Whether spin.toml has a default for it.
        optional: bool,
    },
    /// A key of the app's ConfigMap.
    ConfigMap {
        /// Whether spin.toml has a usable default for it.
        optional: bool,
    },
    /// A literal value.
    Value(String),
}

/// Where the in-cluster Services live.
pub struct Cluster<'a> {
    /// The namespace.
    pub namespace: &'a str,
    /// The cluster's DNS domain (`cluster.local`).
    pub domain: &'a str,
}

/// The variables `app` sets, by name, with their sources.
pub fn sources(
    manifest: &AppManifest,
    plan: &Plan,
    app: &AppPlan,
    cluster: &Cluster<'_>,
) -> Result<Vec<(String, Source)>> {
    let mut used = BTreeSet::new();
    for id in &app.components {
        let Some(component) = manifest.component(id) else {
            continue;
        };
        for template in component.variables.values() {
            used.extend(template.variables().map(|v| v.to_string()));
        }
        for entry in &component.allowed_outbound_hosts {
            if let Some(template) = entry.template() {
                used.extend(template.variables().map(|v| v.to_string()));
            }
        }
    }
    let mut out = Vec::new();
    for name in used {
        let variable = manifest
            .variables
            .get(name.as_str())
            .with_context(|| format!("variable {name:?} is not declared"))?;
        let default_host = variable
            .default
            .as_deref()
            .and_then(|d| AllowedHost::parse(d).ok())
            .map(|h| h.host);
        let chained = match &default_host {
            Some(Host::Domain(domain)) => service_chaining_component(domain),
            _ => None,
        };
        let source = if variable.secret {
            Source::Secret {
                optional: !variable.required,
            }
        } else if default_host == Some(Host::ToSelf) {
            Source::ConfigMap { optional: false }
        } else if let Some(target) = chained {
            let serving = plan.app_of(target).with_context(|| {
                format!("variable {name:?} chains to {target:?}, which no trigger serves")
            })?;
            if serving.name == app.name {
                continue;
            }
            Source::Value(format!(
                "http://{}.{}.svc.{}",
                serving.name, cluster.namespace, cluster.domain
            ))
        } else {
            Source::ConfigMap {
                optional: !variable.required,
            }
        };
        out.push((name, source));
    }
    Ok(out)
}
