//! Component dependencies and trigger middleware.

use std::{
    fmt,
    path::{Path, PathBuf},
};

use toml::Value;

use crate::{
    error::{Result, invalid, unsupported},
    ids::{ComponentId, check_kebab},
    walk::{Fields, string_list, wrong},
};

/// A semantic version, as used in dependency names (`@0.1.0`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
    /// Pre-release (after `-`), empty if none.
    pub pre: String,
    /// Build metadata (after `+`), empty if none.
    pub build: String,
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH[-pre][+build]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (rest, build) = s.split_once('+').unwrap_or((s, ""));
        let (core, pre) = rest.split_once('-').unwrap_or((rest, ""));
        let nums: Vec<_> = core.split('.').collect();
        let num = |n: &str| {
            n.parse::<u64>()
                .map_err(|_| format!("invalid version {s:?}"))
        };
        let [major, minor, patch] = nums.as_slice() else {
            return Err(format!("invalid version {s:?}"));
        };
        Ok(Self {
            major: num(major)?,
            minor: num(minor)?,
            patch: num(patch)?,
            pre: pre.into(),
            build: build.into(),
        })
    }

    /// The version reduced to its semver-compatibility class (as Spin compares them).
    fn compat(&self) -> Self {
        let mut v = Self {
            build: String::new(),
            ..self.clone()
        };
        if !v.pre.is_empty() {
            return v;
        }
        if v.major > 0 {
            (v.minor, v.patch) = (0, 0);
        } else if v.minor > 0 {
            v.patch = 0;
        }
        v
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

/// The key of a component dependency: the import it satisfies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DependencyName {
    /// A plain kebab-case import name (`my-import`).
    Plain(String),
    /// A package import: `namespace:package[/interface][@version]`.
    Package {
        /// `namespace:package`.
        package: String,
        /// The interface, when the key names one.
        interface: Option<String>,
        /// The version, when the key has one.
        version: Option<Version>,
    },
}

impl DependencyName {
    /// Parses a dependency key with Spin's rules.
    pub fn parse(s: &str) -> Result<Self, String> {
        if !s.contains([':', '/']) {
            return check_kebab(s).map(|()| Self::Plain(s.to_owned()));
        }
        let (name, version) = match s.split_once('@') {
            Some((n, v)) => (n, Some(Version::parse(v)?)),
            None => (s, None),
        };
        let (package, interface) = match name.split_once('/') {
            Some((p, i)) => (p, Some(i)),
            None => (name, None),
        };
        let (ns, pkg) = package
            .split_once(':')
            .ok_or_else(|| format!("{package:?} is not a package name (namespace:name)"))?;
        for label in [ns, pkg] {
            let ok = !label.is_empty()
                && label.split('-').all(|w| {
                    w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                });
            if !ok {
                return Err(format!(
                    "invalid package name label {label:?}: expected lowercase kebab-case"
                ));
            }
        }
        if let Some(i) = interface {
            check_kebab(i).map_err(|e| format!("invalid interface name {i:?}: {e}"))?;
        }
        Ok(Self::Package {
            package: package.into(),
            interface: interface.map(Into::into),
            version,
        })
    }

    /// Spin's rule: two keys of one package must differ in compatible version or interface.
    fn conflicts_with(&self, other: &Self) -> bool {
        let (
            Self::Package {
                package: p1,
                interface: i1,
                version: v1,
            },
            Self::Package {
                package: p2,
                interface: i2,
                version: v2,
            },
        ) = (self, other)
        else {
            return false;
        };
        if p1 != p2 {
            return false;
        }
        if let (Some(a), Some(b)) = (v1, v2)
            && a.compat() != b.compat()
        {
            return false;
        }
        !matches!((i1, i2), (Some(a), Some(b)) if a != b)
    }
}

impl fmt::Display for DependencyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain(p) => f.write_str(p),
            Self::Package {
                package,
                interface,
                version,
            } => {
                f.write_str(package)?;
                if let Some(i) = interface {
                    write!(f, "/{i}")?;
                }
                if let Some(v) = version {
                    write!(f, "@{v}")?;
                }
                Ok(())
            }
        }
    }
}

/// Where a dependency's Wasm comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DependencySource {
    /// Another component of the app (its `source` is used; its other settings are not).
    Component(ComponentId),
    /// A Wasm file (absolute: resolved against the manifest directory).
    Path(PathBuf),
}

/// Which of the parent component's configuration a dependency may use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Inherit {
    /// `true`: everything.
    All,
    /// `false` or absent: nothing.
    #[default]
    None,
    /// The listed keys (e.g. `["variables"]`); Spin ignores unknown names.
    Some(Vec<String>),
}

/// A component dependency or a trigger middleware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyRef {
    /// Where the Wasm comes from.
    pub source: DependencySource,
    /// The configuration the dependency inherits from the component it serves.
    pub inherit_configuration: Inherit,
    /// The export to use instead of the import's own name (component dependencies only).
    pub export: Option<String>,
}

impl DependencyRef {
    /// Parses `{ component = "x" }` or `{ path = "x.wasm" }` (with `inherit_configuration`,
    /// and `export` when `allow_export`). Registry and URL forms are refused.
    pub(crate) fn parse(value: &Value, at: &str, dir: &Path, allow_export: bool) -> Result<Self> {
        if let Value::String(_) = value {
            return Err(unsupported(
                at,
                "a registry dependency (version requirement)",
            ));
        }
        let mut f = Fields::of(value, at)?;
        for key in ["version", "registry", "package"] {
            f.refuse(key, "a registry dependency")?;
        }
        f.refuse("url", "a URL dependency")?;
        f.refuse("digest", "a URL dependency")?;
        let component = f.string("component")?;
        let path = f.string("path")?;
        let source = match (component, path) {
            (Some(c), None) => DependencySource::Component(
                ComponentId::parse(c).map_err(|e| invalid(f.at("component"), e))?,
            ),
            (None, Some(p)) => DependencySource::Path(dir.join(p)),
            (Some(_), Some(_)) => {
                return Err(invalid(at, "give either `component` or `path`, not both"));
            }
            (None, None) => {
                return Err(invalid(
                    at,
                    "expected `component = \"<id>\"` or `path = \"<file.wasm>\"`",
                ));
            }
        };
        let inherit_configuration = match f.get("inherit_configuration") {
            None | Some(Value::Boolean(false)) => Inherit::None,
            Some(Value::Boolean(true)) => Inherit::All,
            Some(v @ Value::Array(_)) => {
                Inherit::Some(string_list(v, &f.at("inherit_configuration"))?)
            }
            Some(v) => {
                return Err(wrong(
                    &f.at("inherit_configuration"),
                    "a boolean or an array of strings",
                    v,
                ));
            }
        };
        let export = if allow_export {
            f.string("export")?.map(str::to_owned)
        } else {
            None
        };
        f.finish()?;
        Ok(Self {
            source,
            inherit_configuration,
            export,
        })
    }

    /// The Wasm file of the dependency: its own path, or the source of the app component.
    pub fn wasm_path<'a>(&'a self, manifest: &'a crate::AppManifest) -> Option<&'a Path> {
        match &self.source {
            DependencySource::Path(p) => Some(p),
            DependencySource::Component(c) => manifest
                .components
                .get(c.as_str())
                .map(|c| c.source.as_path()),
        }
    }
}

/// Spin's checks over one component's dependency keys.
pub(crate) fn check_names<'a>(
    deps: impl IntoIterator<Item = (&'a DependencyName, &'a DependencyRef)>,
    at: &str,
) -> Result<()> {
    let deps: Vec<_> = deps.into_iter().collect();
    for (name, dep) in &deps {
        if let DependencyName::Package {
            interface: None, ..
        } = name
            && dep.export.is_some()
        {
            return Err(invalid(
                at,
                format!(
                    "using an export to satisfy the package dependency \"{name}\" is not currently permitted"
                ),
            ));
        }
    }
    for (i, (a, _)) in deps.iter().enumerate() {
        for (b, _) in &deps[i + 1..] {
            if a.conflicts_with(b) {
                return Err(invalid(
                    at,
                    format!("\"{a}\" dependency conflicts with \"{b}\""),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(a: &str, b: &str) -> bool {
        DependencyName::parse(a)
            .unwrap()
            .conflicts_with(&DependencyName::parse(b).unwrap())
    }

    #[test]
    fn names() {
        assert_eq!(
            DependencyName::parse("my-dep").unwrap(),
            DependencyName::Plain("my-dep".into())
        );
        let n = DependencyName::parse("qmi:platform/authz@0.1.0").unwrap();
        assert_eq!(n.to_string(), "qmi:platform/authz@0.1.0");
        let DependencyName::Package {
            package,
            interface,
            version,
        } = n
        else {
            panic!()
        };
        assert_eq!(
            (package.as_str(), interface.as_deref()),
            ("qmi:platform", Some("authz"))
        );
        assert_eq!(version.unwrap().minor, 1);
        DependencyName::parse("qmi:platform").unwrap();
        DependencyName::parse("qmi:platform@1.2.3-rc.1").unwrap();
        for bad in [
            "My_dep",
            "qmi/authz",
            "qmi:Platform",
            ":x",
            "qmi:platform@1.2",
            "qmi:platform/Authz_x",
        ] {
            assert!(DependencyName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn conflicts_follow_spin() {
        assert!(conflict("foo:bar/baz@0.1.0", "foo:bar/baz@0.1.1"));
        assert!(conflict("foo:bar@0.1.0", "foo:bar"));
        assert!(conflict("foo:bar/baz@0.1.0", "foo:bar@0.1.0"));
        assert!(conflict("foo:bar/baz", "foo:bar"));
        assert!(conflict("foo:bar@1.2.0", "foo:bar@1.9.9"));
        assert!(!conflict("foo:bar@0.1.0", "foo:bar@0.2.0"));
        assert!(!conflict("foo:bar/baz@0.1.0", "foo:bar@0.2.0"));
        assert!(!conflict("foo:bar/a", "foo:bar/b"));
        assert!(!conflict("foo:bar", "foo:baz"));
        assert!(!conflict("plain", "plain-two"));
    }
}
