//! Errors that cross the boundary, and the panic guard every plugin entry point uses.

use std::panic::{catch_unwind, AssertUnwindSafe};

use abi_stable::std_types::{RResult, RString};
use abi_stable::StableAbi;

/// What went wrong, as an integer "enum" so that 1.x may add kinds.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorKind(pub u8);

impl ErrorKind {
    /// A bad option, schema or query: fixing the job fixes it.
    pub const CONFIG: ErrorKind = ErrorKind(1);
    /// The external system could not be reached or dropped the connection.
    pub const CONNECTION: ErrorKind = ErrorKind(2);
    /// The external system refused the credentials.
    pub const AUTH: ErrorKind = ErrorKind(3);
    /// A value could not be written or read as declared.
    pub const DATA: ErrorKind = ErrorKind(4);
    /// A bug or an unexpected state in the connector.
    pub const INTERNAL: ErrorKind = ErrorKind(5);
    /// The connector does not support what was asked (a role, a type, an option value).
    pub const UNSUPPORTED: ErrorKind = ErrorKind(6);
    /// The connector panicked; the panic was caught at the boundary.
    pub const PANIC: ErrorKind = ErrorKind(7);

    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::CONFIG => "config",
            ErrorKind::CONNECTION => "connection",
            ErrorKind::AUTH => "auth",
            ErrorKind::DATA => "data",
            ErrorKind::INTERNAL => "internal",
            ErrorKind::UNSUPPORTED => "unsupported",
            ErrorKind::PANIC => "panic",
            _ => "unknown",
        }
    }
}

/// An error returned by a plugin: its kind and a message that names the table, the option or
/// the server involved. Messages never contain secrets.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ConnectorError {
    pub kind: ErrorKind,
    pub message: RString,
}

impl ConnectorError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ConnectorError {
        ConnectorError {
            kind,
            message: RString::from(message.into()),
        }
    }

    pub fn config(message: impl Into<String>) -> ConnectorError {
        ConnectorError::new(ErrorKind::CONFIG, message)
    }

    pub fn connection(message: impl Into<String>) -> ConnectorError {
        ConnectorError::new(ErrorKind::CONNECTION, message)
    }

    pub fn data(message: impl Into<String>) -> ConnectorError {
        ConnectorError::new(ErrorKind::DATA, message)
    }

    pub fn internal(message: impl Into<String>) -> ConnectorError {
        ConnectorError::new(ErrorKind::INTERNAL, message)
    }

    /// "table 't' does not support the sink role: ..." for a factory asked for a role it lacks.
    pub fn unsupported_role(table: &str, identifier: &str, role: &str) -> ConnectorError {
        ConnectorError::new(
            ErrorKind::UNSUPPORTED,
            format!("table '{table}': connector '{identifier}' does not support the {role} role"),
        )
    }
}

impl std::fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectorError {}

/// Runs a plugin entry point, turning a panic into an error of kind [`ErrorKind::PANIC`].
///
/// abi_stable ends the whole process when a panic reaches its boundary, so every method a
/// plugin exposes runs its body through this: `guard("sink write", || self.write_rows(batch))`.
pub fn guard<T>(
    what: &str,
    body: impl FnOnce() -> Result<T, ConnectorError>,
) -> RResult<T, ConnectorError> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result.into(),
        Err(payload) => {
            let detail = if let Some(s) = payload.downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "unknown panic payload".to_string()
            };
            RResult::RErr(ConnectorError::new(
                ErrorKind::PANIC,
                format!("the connector panicked in {what}: {detail}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_a_panic_into_an_error() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result: RResult<(), ConnectorError> = guard("sink write", || panic!("boom"));
        std::panic::set_hook(previous);
        let err = result.unwrap_err();
        assert_eq!(err.kind, ErrorKind::PANIC);
        assert_eq!(
            err.message.as_str(),
            "the connector panicked in sink write: boom"
        );
    }
}
