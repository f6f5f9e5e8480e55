//! The Kubernetes objects of a plan, as JSON values: the SpinAppExecutor, one
//! SpinApp and one HorizontalPodAutoscaler per SpinApp, and the Ingress.

use serde_json::{Value, json};

use super::plan::{AppPlan, IngressPath};
use super::variables::Source;

/// What the objects do not take from spin.toml.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The OCI reference of the app pushed with `spin registry push`.
    pub image: String,
    /// The namespace of every object.
    pub namespace: String,
    /// The application's name (labels, the Ingress, Secret and ConfigMap names).
    pub app_name: String,
    /// The executor's name.
    pub executor: String,
    /// The Spin image the executor runs (Spin ≥ 4.1).
    pub spin_image: String,
    /// The Ingress's host; `None`: every host.
    pub host: Option<String>,
    /// The Ingress class; `None`: the cluster's default.
    pub ingress_class: Option<String>,
    /// Fewest replicas of each SpinApp.
    pub min_replicas: u32,
    /// Most replicas of each SpinApp.
    pub max_replicas: u32,
    /// The average CPU use (percent of the request) the autoscaler aims at.
    pub cpu_utilization: u32,
}

impl Settings {
    /// The Secret holding the secret variables.
    pub fn variables_secret(&self) -> String {
        format!("{}-variables", self.app_name)
    }

    /// The ConfigMap holding the other variables.
    pub fn config_map(&self) -> String {
        format!("{}-config", self.app_name)
    }

    /// The Secret holding Spin's runtime config (key `runtime-config.toml`).
    pub fn runtime_config_secret(&self) -> String {
        format!("{}-runtime-config", self.app_name)
    }

    fn metadata(&self, name: &str) -> Value {
        json!({
            "name": name,
            "namespace": self.namespace,
            "labels": {
                "app.kubernetes.io/name": name,
                "app.kubernetes.io/part-of": self.app_name,
                "app.kubernetes.io/managed-by": "qmi-deploy-kubernetes",
            },
        })
    }
}

/// The executor running a Spin ≥ 4.1 image (`spin up --component-id …` in a
/// plain container: the containerd shim embeds an older Spin).
pub fn executor(s: &Settings) -> Value {
    json!({
        "apiVersion": "core.spinkube.dev/v1alpha1",
        "kind": "SpinAppExecutor",
        "metadata": s.metadata(&s.executor),
        "spec": {
            "createDeployment": true,
            "deploymentConfig": {
                "installDefaultCACerts": true,
                "spinImage": s.spin_image,
            },
        },
    })
}

/// The SpinApp of `app`, autoscaled (its replicas are the autoscaler's).
pub fn spin_app(s: &Settings, app: &AppPlan, variables: &[(String, Source)]) -> Value {
    let variables: Vec<Value> = variables
        .iter()
        .map(|(name, source)| match source {
            Source::Value(value) => json!({ "name": name, "value": value }),
            Source::Secret { optional } => json!({
                "name": name,
                "valueFrom": { "secretKeyRef": {
                    "name": s.variables_secret(), "key": name, "optional": optional,
                }},
            }),
            Source::ConfigMap { optional } => json!({
                "name": name,
                "valueFrom": { "configMapKeyRef": {
                    "name": s.config_map(), "key": name, "optional": optional,
                }},
            }),
        })
        .collect();
    json!({
        "apiVersion": "core.spinkube.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": s.metadata(&app.name),
        "spec": {
            "image": s.image,
            "executor": s.executor,
            "components": app.selected,
            "enableAutoscaling": true,
            "resources": {
                "requests": { "cpu": "250m", "memory": "256Mi" },
                "limits": { "memory": "1Gi" },
            },
            "runtimeConfig": { "loadFromSecret": s.runtime_config_secret() },
            "variables": variables,
        },
    })
}

/// The autoscaler of `app`'s Deployment (named after the SpinApp).
pub fn autoscaler(s: &Settings, app: &AppPlan) -> Value {
    json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": s.metadata(&app.name),
        "spec": {
            "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": app.name },
            "minReplicas": s.min_replicas,
            "maxReplicas": s.max_replicas,
            "metrics": [{
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": { "type": "Utilization", "averageUtilization": s.cpu_utilization },
                },
            }],
        },
    })
}

/// The Ingress sending each path to its SpinApp's Service (port 80).
pub fn ingress(s: &Settings, paths: &[IngressPath]) -> Value {
    let paths: Vec<Value> = paths
        .iter()
        .map(|p| {
            json!({
                "path": p.key.path,
                "pathType": p.key.path_type.to_string(),
                "backend": { "service": { "name": p.app, "port": { "number": 80 } } },
            })
        })
        .collect();
    let mut rule = json!({ "http": { "paths": paths } });
    if let (Some(host), Some(rule)) = (&s.host, rule.as_object_mut()) {
        rule.insert("host".into(), host.as_str().into());
    }
    let mut spec = json!({ "rules": [rule] });
    if let (Some(class), Some(spec)) = (&s.ingress_class, spec.as_object_mut()) {
        spec.insert("ingressClassName".into(), class.as_str().into());
    }
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": s.metadata(&s.app_name),
        "spec": spec,
    })
}
