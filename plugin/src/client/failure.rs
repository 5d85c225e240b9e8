//! What a failure talking to Redis means, decided once: its kind, whether a retry can fix it,
//! and the message (table, server, cause; never the password).

use connector_interface::{ConnectorError, ErrorKind};

/// A failure talking to Redis, classified once.
#[derive(Debug)]
pub struct RedisFailure {
    pub retriable: bool,
    pub kind: ErrorKind,
    pub cause: String,
}

/// Error codes of replies that a later attempt can succeed past: the server is starting, busy
/// with a script, or its master is down; or, in a cluster, the key's slot is served elsewhere
/// (`MOVED`, `ASK`: the slot map is asked again) or not served right now (`CLUSTERDOWN`, during
/// a failover).
const TRANSIENT_CODES: &[&str] = &[
    "LOADING",
    "TRYAGAIN",
    "MASTERDOWN",
    "BUSY",
    "MOVED",
    "ASK",
    "CLUSTERDOWN",
];
const AUTH_CODES: &[&str] = &["WRONGPASS", "NOAUTH", "NOPERM"];

impl RedisFailure {
    fn classified(auth: bool, retriable: bool, cause: String) -> RedisFailure {
        let kind = if auth {
            ErrorKind::AUTH
        } else if retriable {
            ErrorKind::CONNECTION
        } else {
            ErrorKind::DATA
        };
        RedisFailure {
            retriable: retriable && !auth,
            kind,
            cause,
        }
    }

    /// A timeout that expired: retriable; `cause` names the timeout and its value.
    pub fn timed_out(cause: String) -> RedisFailure {
        RedisFailure {
            retriable: true,
            kind: ErrorKind::CONNECTION,
            cause,
        }
    }

    /// A TLS failure while connecting (a certificate not trusted or not for this host name, a
    /// handshake refused): not retried, a retry would fail the same way.
    pub fn tls(err: &redis::RedisError) -> Option<RedisFailure> {
        let text = err.to_string();
        let what = if text.contains("not valid for name") {
            "the server's certificate is not for this host name"
        } else if text.contains("invalid peer certificate") {
            "the server's certificate is not trusted"
        } else if text.contains("CertificateRequired") {
            "the server requires a client certificate ('tls.client-cert', 'tls.client-key')"
        } else if text.contains("certificate") || text.contains("Certificate") {
            "a certificate was refused"
        } else if text.contains("handshake")
            || text.contains("HandshakeFailure")
            || text.contains("alert")
            || text.contains("tls")
            || text.contains("TLS")
        {
            "the handshake failed"
        } else {
            return None;
        };
        Some(RedisFailure {
            retriable: false,
            kind: ErrorKind::CONNECTION,
            cause: format!("TLS: {what}: {text}"),
        })
    }

    /// A value longer than the server accepts: never sent, not retried.
    pub fn too_large(bytes: usize, key: &[u8], limit: usize) -> RedisFailure {
        RedisFailure {
            retriable: false,
            kind: ErrorKind::DATA,
            cause: format!(
                "the value of key '{}' is {bytes} bytes, more than the server's \
                 proto-max-bulk-len ({limit} bytes)",
                String::from_utf8_lossy(key)
            ),
        }
    }

    /// TLS settings that cannot be used (an unreadable PEM file's contents).
    pub fn tls_setup(err: &redis::RedisError) -> RedisFailure {
        RedisFailure {
            retriable: false,
            kind: ErrorKind::CONFIG,
            cause: format!("TLS settings: {err}"),
        }
    }

    pub fn from_redis(err: &redis::RedisError) -> RedisFailure {
        let code = err.code().unwrap_or("");
        let auth =
            err.kind() == redis::ErrorKind::AuthenticationFailed || AUTH_CODES.contains(&code);
        let retriable = err.is_io_error()
            || err.is_connection_dropped()
            || err.is_connection_refusal()
            || err.is_timeout()
            || TRANSIENT_CODES.contains(&code);
        RedisFailure::classified(auth, retriable, err.to_string())
    }

    /// A server error reply to one command of a pipeline (`WRONGTYPE`, `OOM`, ...).
    pub fn from_server_reply(err: &redis::ServerError) -> RedisFailure {
        let code = err.code();
        let cause = match err.details() {
            Some(d) => format!("{code} {d}"),
            None => code.to_string(),
        };
        RedisFailure::classified(
            AUTH_CODES.contains(&code),
            TRANSIENT_CODES.contains(&code),
            cause,
        )
    }

    /// The first error reply among the replies of one command (an `EXEC` reply holds one
    /// per queued command).
    pub fn in_reply(reply: &redis::Value) -> Option<RedisFailure> {
        match reply {
            redis::Value::ServerError(err) => Some(RedisFailure::from_server_reply(err)),
            redis::Value::Array(items) => items.iter().find_map(RedisFailure::in_reply),
            _ => None,
        }
    }

    /// The error for the host: `table 't': <doing> redis at host:port failed: <cause>`.
    /// With `gave_up` (how the retry budget was spent), the message ends with it in
    /// parentheses: `... failed: Connection refused (os error 111) (14 attempts over 52.1 s;
    /// 'retry.timeout' = 60s)`.
    pub fn into_error(
        self,
        table: &str,
        server: &str,
        doing: &str,
        gave_up: Option<&str>,
    ) -> ConnectorError {
        let budget = gave_up.map(|g| format!(" ({g})")).unwrap_or_default();
        ConnectorError::new(
            self.kind,
            format!(
                "table '{table}': {doing} redis at {server} failed: {}{budget}",
                self.cause
            ),
        )
    }
}

impl RedisFailure {
    /// A connection that should be open is not (it was dropped after a failure).
    pub fn lost() -> RedisFailure {
        RedisFailure {
            retriable: true,
            kind: ErrorKind::CONNECTION,
            cause: "the connection was lost".to_string(),
        }
    }
}
