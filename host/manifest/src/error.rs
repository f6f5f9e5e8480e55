//! The one error type of this crate.

use std::path::PathBuf;

/// Why a manifest or runtime config was refused, with the place in the file it concerns.
///
/// Places are written as TOML table paths: `[component.web]` for a table,
/// `component.web.source` for a field.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{} is not valid TOML: {message}", path.display())]
    Toml {
        /// The file (empty when parsed from a string).
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A field this crate does not know (a typo, or a Spin feature qmi does not support).
    #[error("unknown field {field:?} in [{table}]")]
    UnknownField {
        /// The field's name.
        field: String,
        /// The table holding it.
        table: String,
    },
    /// A required field is absent.
    #[error("missing field {field:?} in [{table}]")]
    MissingField {
        /// The field's name.
        field: String,
        /// The table that lacks it.
        table: String,
    },
    /// A field has the wrong TOML type.
    #[error("{at}: expected {expected}, found {found}")]
    WrongType {
        /// The field, e.g. `component.web.files`.
        at: String,
        /// What was expected.
        expected: &'static str,
        /// The TOML type found.
        found: &'static str,
    },
    /// A value breaks one of Spin's rules.
    #[error("invalid {at}: {reason}")]
    Invalid {
        /// The field or table, e.g. `component.web.source`.
        at: String,
        /// What is wrong, in Spin's words where Spin has some.
        reason: String,
    },
    /// Valid for Spin, but not supported by qmi.
    #[error("{at}: {what} is not supported by qmi")]
    Unsupported {
        /// The field or table.
        at: String,
        /// The unsupported feature.
        what: String,
    },
    /// Required application variables have no value (Spin's message).
    #[error("no provider resolved required variable(s): {0:?}")]
    UnresolvedVariables(Vec<String>),
    /// A template refers to a variable that has no value.
    #[error("no value for variable {0:?}")]
    UnresolvedVariable(String),
    /// Components use SQLite labels that are not defined (Spin's message).
    #[error(
        "One or more components use SQLite databases which are not defined.\nCheck the spelling, or pass a runtime configuration file that defines these stores.\nSee https://spinframework.dev/dynamic-configuration#sqlite-storage-runtime-configuration\nDetails:\n{}",
        .0.iter().map(|(c, l)| format!("- Component {c} uses database '{l}'")).collect::<Vec<_>>().join("\n")
    )]
    UndefinedSqliteDatabases(Vec<(String, String)>),
    /// A component uses a key-value label that is not defined (Spin's message).
    #[error("unknown key_value_stores label {label:?} for component {component:?}")]
    UndefinedKeyValueStore {
        /// The label.
        label: String,
        /// The component.
        component: String,
    },
}

/// This crate's result type.
pub type Result<T, E = ManifestError> = std::result::Result<T, E>;

pub(crate) fn invalid(at: impl Into<String>, reason: impl Into<String>) -> ManifestError {
    ManifestError::Invalid {
        at: at.into(),
        reason: reason.into(),
    }
}

pub(crate) fn unsupported(at: impl Into<String>, what: impl Into<String>) -> ManifestError {
    ManifestError::Unsupported {
        at: at.into(),
        what: what.into(),
    }
}
