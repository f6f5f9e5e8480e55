//! Application variables: declaration rules and resolution from the environment.

use std::{collections::BTreeMap, fmt};

use crate::{
    error::{ManifestError, Result, invalid},
    ids::VariableName,
    walk::Fields,
};

/// An application variable from `[variables]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The value used when no provider gives one; `None` exactly when `required`.
    pub default: Option<String>,
    /// Whether a provider must give a value (then there is no default).
    pub required: bool,
    /// Whether the value is sensitive (never log it).
    pub secret: bool,
    /// A human-readable description.
    pub description: Option<String>,
}

impl Variable {
    pub(crate) fn parse(f: &mut Fields<'_>) -> Result<Self> {
        let description = f.string("description")?.map(str::to_owned);
        let required = f.bool("required")?.unwrap_or(false);
        let default = f.string("default")?.map(str::to_owned);
        let secret = f.bool("secret")?.unwrap_or(false);
        if required == default.is_some() {
            return Err(invalid(f.path(), "must be `required` OR have a `default`"));
        }
        Ok(Self {
            default,
            required,
            secret,
            description,
        })
    }
}

/// The environment variable Spin's default provider reads for an application variable:
/// `SPIN_VARIABLE_` followed by the name in upper case.
pub fn env_var_name(name: &str) -> String {
    format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())
}

/// One resolved application variable.
#[derive(Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The value.
    pub value: String,
    /// Whether it must be kept out of logs.
    pub secret: bool,
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.secret {
            f.write_str("<redacted>")
        } else {
            write!(f, "{:?}", self.value)
        }
    }
}

/// Every application variable with its value; its `Debug` output redacts secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedVariables(BTreeMap<VariableName, Resolved>);

impl ResolvedVariables {
    /// Resolves each variable from `env(SPIN_VARIABLE_<NAME>)`, else its default; fails
    /// naming every required variable left without a value.
    pub(crate) fn resolve(
        vars: &BTreeMap<VariableName, Variable>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let mut out = BTreeMap::new();
        let mut missing = Vec::new();
        for (name, var) in vars {
            match env(&env_var_name(name.as_str())).or_else(|| var.default.clone()) {
                Some(value) => {
                    out.insert(
                        name.clone(),
                        Resolved {
                            value,
                            secret: var.secret,
                        },
                    );
                }
                None => missing.push(name.to_string()),
            }
        }
        if missing.is_empty() {
            Ok(Self(out))
        } else {
            Err(ManifestError::UnresolvedVariables(missing))
        }
    }

    /// The value of a variable.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|r| r.value.as_str())
    }

    /// Whether a variable is secret.
    pub fn is_secret(&self, name: &str) -> bool {
        self.0.get(name).is_some_and(|r| r.secret)
    }

    /// All variables, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&VariableName, &Resolved)> {
        self.0.iter()
    }

    /// Renders a component variable template with these values.
    pub fn render(&self, template: &crate::Template) -> Result<String> {
        template.render(|name| self.get(name).map(str::to_owned))
    }
}
