//! Identifiers with Spin's spelling rules: component ids, variable names, store labels.

use std::{borrow::Borrow, fmt};

/// Checks Spin's `Id` rules: words separated by `delim`, each starting with an ASCII
/// letter, alphanumeric, and all lowercase or all UPPERCASE (only lowercase if `lower`).
fn check_id(id: &str, delim: char, lower: bool) -> Result<(), String> {
    if id.is_empty() {
        return Err("empty".into());
    }
    let wrong = if delim == '-' { '_' } else { '-' };
    if id.contains(wrong) {
        return Err(format!(
            "words must be separated with {delim:?}, not {wrong:?}"
        ));
    }
    for word in id.split(delim) {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            return Err(format!("{delim:?}-separated words must not be empty"));
        };
        if !first.is_ascii_alphabetic() {
            return Err(format!(
                "{delim:?}-separated words must start with an ASCII letter; got {first:?}"
            ));
        }
        let upper = first.is_ascii_uppercase();
        for ch in chars {
            if !ch.is_ascii_alphanumeric() {
                return Err(format!(
                    "{delim:?}-separated words may only contain alphanumeric ASCII; got {ch:?}"
                ));
            }
            if !ch.is_ascii_digit() && ch.is_ascii_uppercase() != upper {
                return Err(format!(
                    "{delim:?}-separated words must be all lowercase or all UPPERCASE; got {word:?}"
                ));
            }
        }
        if lower && upper {
            return Err(format!(
                "Lower-case identifiers must be all lowercase; got {id:?}"
            ));
        }
    }
    Ok(())
}

/// Spin's kebab-case id (`KebabId`), as used for component ids and interface names.
pub(crate) fn check_kebab(id: &str) -> Result<(), String> {
    check_id(id, '-', false)
}

/// A store label (`sqlite_databases`, `key_value_stores`): kebab-case or snake_case.
pub(crate) fn check_label(label: &str) -> Result<(), String> {
    if check_id(label, '-', false).is_ok() || check_id(label, '_', false).is_ok() {
        Ok(())
    } else {
        Err(format!("{label:?}: expected kebab-case or snake_case"))
    }
}

/// Spin's variable name rules (`LowerSnakeId` and the expression `Key` rules).
fn check_variable(name: &str) -> Result<(), String> {
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Err(format!(
            "invalid character {c:?}. Variable names may contain only lower-case letters, numbers, and underscores."
        ));
    }
    if name.ends_with('_') {
        return Err("must end with a lowercase ASCII letter or digit".into());
    }
    if name.contains("__") {
        return Err("must not contain multiple consecutive underscores".into());
    }
    check_id(name, '_', true)
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses a name, explaining what is wrong with it.
            pub fn parse(s: &str) -> Result<Self, String> {
                $check(s).map(|()| Self(s.to_owned()))
            }

            /// The name as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

string_id!(
    /// A component id: Spin's kebab-case (`web`, `api-gateway`).
    ComponentId,
    check_kebab
);

string_id!(
    /// An application or component variable name: lowercase letters, digits and single
    /// underscores, starting with a letter (`jwt_public_key`).
    VariableName,
    check_variable
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_ids() {
        for ok in ["web", "api-gateway", "a1-b2", "HTTP-thing"] {
            ComponentId::parse(ok).unwrap();
        }
        for bad in ["", "Web", "api_gateway", "-a", "a--b", "1a", "a.b", "a-1"] {
            assert!(ComponentId::parse(bad).is_err(), "{bad}");
        }
        assert!(
            ComponentId::parse("api_gw")
                .unwrap_err()
                .contains("separated with '-'")
        );
    }

    #[test]
    fn variable_names() {
        for ok in ["a", "jwt_public_key", "api2", "a_b2"] {
            VariableName::parse(ok).unwrap();
        }
        for bad in ["", "A", "a-b", "a__b", "a_", "_a", "2a", "a_2", "jwtKey"] {
            assert!(VariableName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels() {
        for ok in ["default", "my-db", "my_db", "identity"] {
            check_label(ok).unwrap();
        }
        for bad in ["", "my db", "my-db_x", "1db"] {
            assert!(check_label(bad).is_err(), "{bad}");
        }
    }
}
