//! The host's errors and how they map to exit codes.

use std::path::PathBuf;

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

    /// A job failed while running.
    #[error("{0}")]
    Failed(String),
}

impl HostError {
    pub fn exit_code(&self) -> i32 {
        match self {
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
