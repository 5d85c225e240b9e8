//! The host's errors and how they map to exit codes.

use std::path::PathBuf;

pub use connector_interface::ErrorKind;

/// Exit code when the input (usage, SQL, options, a plugin file) was rejected.
pub const EXIT_REJECTED: i32 = 2;
/// Exit code when a job failed while running.
pub const EXIT_FAILED: i32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// A plugin file could not be used; the message names the file and the reason.
    #[error("{}: {reason}", path.display())]
    Plugin { path: PathBuf, reason: String },

    /// No plugin registers the identifier.
    #[error("could not find any factory for identifier '{identifier}' in {}; available identifiers: {}", dir.display(), if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    UnknownIdentifier {
        identifier: String,
        dir: PathBuf,
        available: Vec<String>,
    },

    /// Several plugin files register the identifier (Flink: "Multiple factories for identifier").
    #[error("multiple factories for identifier '{identifier}': {}", files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(" and "))]
    DuplicateIdentifier {
        identifier: String,
        files: Vec<PathBuf>,
    },

    /// The resource directory or a file could not be read or written.
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },

    /// Anything the user asked for that cannot be done.
    #[error("{0}")]
    Rejected(String),

    /// A job failed while running, or a connector refused to start; its kind decides the
    /// exit code.
    #[error("{0}")]
    Failed(Failure),
}

/// A connector's or the runtime's error with its kind: a plugin's own kind, kept from the
/// plugin to `main`, or the host's for its built-in connectors and its runtime.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
}

impl Failure {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// A bad option, schema or query, found only when the connector starts.
    pub fn config(message: impl Into<String>) -> Failure {
        Failure::new(ErrorKind::CONFIG, message)
    }
}

/// The host's own errors while running are about the data (a value that cannot be cast,
/// parsed or computed) unless they say otherwise.
impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::new(ErrorKind::DATA, message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::from(message.to_string())
    }
}

impl From<connector_interface::ConnectorError> for Failure {
    fn from(e: connector_interface::ConnectorError) -> Failure {
        Failure::new(e.kind, e.message.to_string())
    }
}

impl HostError {
    /// The one place exit codes are decided: 2 for what the job's input decides (usage, SQL,
    /// options, plugin files, and a connector's configuration or unsupported request even when
    /// found only as it starts), 1 for a failure while running (connection, credentials,
    /// data, a connector's bug or panic).
    pub fn exit_code(&self) -> i32 {
        match self {
            HostError::Failed(f)
                if matches!(f.kind, ErrorKind::CONFIG | ErrorKind::UNSUPPORTED) =>
            {
                EXIT_REJECTED
            }
            HostError::Failed(_) => EXIT_FAILED,
            _ => EXIT_REJECTED,
        }
    }

    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> HostError {
        HostError::Io {
            path: path.into(),
            message: err.to_string(),
        }
    }
}

/// The refusal of a table whose connector lacks `role`, in the host's and the Flink bridge's
/// words.
pub fn role_not_supported(
    table: &str,
    connector: &str,
    role: connector_interface::Roles,
) -> String {
    format!(
        "table '{table}': connector '{connector}' does not support the {} role",
        role.names().join("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connectors_kind_decides_the_exit_code() {
        let failed = |kind| HostError::Failed(Failure::new(kind, "m")).exit_code();
        assert_eq!(failed(ErrorKind::CONFIG), EXIT_REJECTED);
        assert_eq!(failed(ErrorKind::UNSUPPORTED), EXIT_REJECTED);
        for kind in [
            ErrorKind::CONNECTION,
            ErrorKind::AUTH,
            ErrorKind::DATA,
            ErrorKind::INTERNAL,
            ErrorKind::PANIC,
        ] {
            assert_eq!(failed(kind), EXIT_FAILED, "{}", kind.name());
        }
        assert_eq!(HostError::Rejected("m".into()).exit_code(), EXIT_REJECTED);
    }

    #[test]
    fn a_plugins_error_keeps_its_kind() {
        let e = connector_interface::ConnectorError::connection("table 't': refused");
        let f = Failure::from(e);
        assert_eq!(
            (f.kind, f.message.as_str()),
            (ErrorKind::CONNECTION, "table 't': refused")
        );
    }
}
