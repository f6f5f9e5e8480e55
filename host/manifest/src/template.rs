//! Spin's `{{ variable }}` templates for component variables.

use std::fmt;

use crate::ids::VariableName;

/// A piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Lit(String),
    /// `{{ name }}`: the value of an application variable.
    Var(VariableName),
}

/// A component variable value such as `"prefix-{{ name }}-suffix"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Why a template could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{{` without a closing `}}`.
    #[error("invalid variable template: unmatched '{{{{' in template")]
    Unmatched,
    /// The expression is not a variable name.
    #[error("invalid variable template: unknown variable {0:?}")]
    UnknownVariable(String),
}

impl Template {
    /// Parses a template the way Spin does: `{{` up to the next `}}` is an expression
    /// (trimmed), everything else is literal.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("{{") {
                let (expr, tail) = after.split_once("}}").ok_or(TemplateError::Unmatched)?;
                let expr = expr.trim();
                let name = VariableName::parse(expr)
                    .map_err(|_| TemplateError::UnknownVariable(expr.to_owned()))?;
                parts.push(Part::Var(name));
                rest = tail;
            } else {
                let end = rest.find("{{").unwrap_or(rest.len());
                parts.push(Part::Lit(rest[..end].to_owned()));
                rest = &rest[end..];
            }
        }
        Ok(Self { parts })
    }

    /// The parts in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The application variables the template refers to.
    pub fn variables(&self) -> impl Iterator<Item = &VariableName> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v),
            Part::Lit(_) => None,
        })
    }

    /// Whether the template has no `{{ }}` expression.
    pub fn is_literal(&self) -> bool {
        self.variables().next().is_none()
    }

    /// Renders the template; `resolve` gives the value of an application variable.
    /// Fails with the first variable that has no value.
    pub fn render(
        &self,
        resolve: impl Fn(&str) -> Option<String>,
    ) -> Result<String, crate::ManifestError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(l) => out.push_str(l),
                Part::Var(v) => out.push_str(
                    &resolve(v.as_str())
                        .ok_or_else(|| crate::ManifestError::UnresolvedVariable(v.to_string()))?,
                ),
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Lit(l) => f.write_str(l)?,
                Part::Var(v) => write!(f, "{{{{ {v} }}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(s: &str) -> Part {
        Part::Var(VariableName::parse(s).unwrap())
    }

    #[test]
    fn parts() {
        assert_eq!(Template::parse("").unwrap().parts(), &[]);
        assert_eq!(
            Template::parse("a").unwrap().parts(),
            &[Part::Lit("a".into())]
        );
        assert_eq!(
            Template::parse("a-{{ expr }}-b").unwrap().parts(),
            &[Part::Lit("a-".into()), var("expr"), Part::Lit("-b".into())]
        );
        assert_eq!(
            Template::parse("{{x}}{{ y }}").unwrap().parts(),
            &[var("x"), var("y")]
        );
        assert!(Template::parse("plain").unwrap().is_literal());
    }

    #[test]
    fn bad_templates() {
        assert_eq!(
            Template::parse("{{ a }} {{ b").unwrap_err(),
            TemplateError::Unmatched
        );
        assert_eq!(
            Template::parse("{{ Bad }}").unwrap_err().to_string(),
            "invalid variable template: unknown variable \"Bad\""
        );
    }

    #[test]
    fn render() {
        let t = Template::parse("prefix-{{ name }}-suffix").unwrap();
        let got = t.render(|n| (n == "name").then(|| "v".to_owned())).unwrap();
        assert_eq!(got, "prefix-v-suffix");
        let err = t.render(|_| None).unwrap_err();
        assert_eq!(err.to_string(), "no value for variable \"name\"");
        assert_eq!(t.to_string(), "prefix-{{ name }}-suffix");
    }
}
