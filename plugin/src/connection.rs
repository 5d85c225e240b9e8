//! Connections to Redis and the one place that decides what an error means: its kind, whether
//! a retry can fix it, and the message (table, server, cause; never the password).

use std::time::Duration;

use connector_interface::{ConnectorError, ErrorKind};
use redis::{ConnectionAddr, ConnectionLike, IntoConnectionInfo, RedisConnectionInfo};

use crate::options::RedisOptions;

/// A failure talking to Redis, classified once.
#[derive(Debug)]
pub struct RedisFailure {
    pub retriable: bool,
    pub kind: ErrorKind,
    pub cause: String,
}

impl RedisFailure {
    pub fn from_redis(err: &redis::RedisError) -> RedisFailure {
        let code = err.code().unwrap_or("");
        let auth = err.kind() == redis::ErrorKind::AuthenticationFailed
            || matches!(code, "WRONGPASS" | "NOAUTH" | "NOPERM");
        let retriable = !auth
            && (err.is_io_error()
                || err.is_connection_dropped()
                || err.is_connection_refusal()
                || err.is_timeout()
                || matches!(code, "LOADING" | "TRYAGAIN" | "MASTERDOWN" | "BUSY"));
        let kind = if auth {
            ErrorKind::AUTH
        } else if retriable {
            ErrorKind::CONNECTION
        } else {
            ErrorKind::DATA
        };
        RedisFailure {
            retriable,
            kind,
            cause: err.to_string(),
        }
    }

    /// A server error reply to one command of a pipeline (`WRONGTYPE`, `OOM`, ...).
    pub fn from_server_reply(err: &redis::ServerError) -> RedisFailure {
        let code = err.code();
        let auth = matches!(code, "WRONGPASS" | "NOAUTH" | "NOPERM");
        let retriable = matches!(code, "LOADING" | "TRYAGAIN" | "MASTERDOWN" | "BUSY");
        RedisFailure {
            retriable,
            kind: if auth {
                ErrorKind::AUTH
            } else if retriable {
                ErrorKind::CONNECTION
            } else {
                ErrorKind::DATA
            },
            cause: match err.details() {
                Some(d) => format!("{code} {d}"),
                None => code.to_string(),
            },
        }
    }

    /// The error for the host: `table 't': <doing> redis at host:port failed: <cause>`.
    pub fn into_error(self, options: &RedisOptions, doing: &str) -> ConnectorError {
        ConnectorError::new(
            self.kind,
            format!(
                "table '{}': {doing} redis at {}:{} failed: {}",
                options.table, options.hostname, options.port, self.cause
            ),
        )
    }
}

/// Opens one connection (AUTH and SELECT included) with the connect timeout as the timeout of
/// every read and write too.
pub fn connect(options: &RedisOptions) -> Result<redis::Connection, RedisFailure> {
    let mut settings = RedisConnectionInfo::default()
        .set_db(options.database)
        .set_skip_set_lib_name();
    if let Some(user) = &options.username {
        settings = settings.set_username(user);
    }
    if let Some(password) = &options.password {
        settings = settings.set_password(&password.0);
    }
    let info = ConnectionAddr::Tcp(options.hostname.clone(), options.port)
        .into_connection_info()
        .map_err(|e| RedisFailure::from_redis(&e))?
        .set_redis_settings(settings);
    let client = redis::Client::open(info).map_err(|e| RedisFailure::from_redis(&e))?;
    let mut connection = client
        .get_connection_with_timeout(options.connect_timeout)
        .map_err(|e| RedisFailure::from_redis(&e))?;
    let timeout = Some(options.connect_timeout.max(Duration::from_secs(1)) * 6);
    connection
        .set_read_timeout(timeout)
        .and_then(|_| connection.set_write_timeout(timeout))
        .map_err(|e| RedisFailure::from_redis(&e))?;
    // Without a password the connection is not checked until the first command: check now.
    if !connection.check_connection() {
        let err = redis::cmd("PING")
            .query::<()>(&mut connection)
            .err()
            .map(|e| RedisFailure::from_redis(&e))
            .unwrap_or(RedisFailure {
                retriable: true,
                kind: ErrorKind::CONNECTION,
                cause: "the server did not answer PING".to_string(),
            });
        return Err(err);
    }
    Ok(connection)
}

/// The retries of one operation, and the decision after each failure.
pub struct Retry {
    attempts: u32,
    max: u32,
}

impl Retry {
    pub fn new(max: u32) -> Retry {
        Retry { attempts: 0, max }
    }

    /// After a failure: `Err` with the error for the host when it is final (not retriable, or
    /// the retries are used up); otherwise logs it, waits the backoff and returns `Ok`.
    pub fn after(
        &mut self,
        failure: RedisFailure,
        options: &RedisOptions,
        doing: &str,
    ) -> Result<(), ConnectorError> {
        if !failure.retriable || self.attempts >= self.max {
            let err = failure.into_error(options, doing);
            // Returned to the host, which reports it: logged here at debug level only.
            log::debug!("{err}");
            return Err(err);
        }
        self.attempts += 1;
        log::warn!(
            "table '{}': {doing} redis at {}:{} failed ({}), retry {} of {}",
            options.table,
            options.hostname,
            options.port,
            failure.cause,
            self.attempts,
            self.max
        );
        std::thread::sleep(backoff(self.attempts));
        Ok(())
    }
}

/// Backoff before retry `attempt` (1-based): 100 ms, 200 ms, 400 ms, ... up to 5 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << attempt.saturating_sub(1).min(6)))
        .min(Duration::from_secs(5))
}

/// RESP encoding of one command into a pipeline buffer.
pub fn pack_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.push(b'*');
    push_len(out, args.len());
    pack_args(out, args);
}

/// The header of a command whose `arg_count` arguments follow (packed by [`pack_args`]).
pub fn pack_header(out: &mut Vec<u8>, name: &[u8], arg_count: usize) {
    out.push(b'*');
    push_len(out, arg_count + 1);
    pack_args(out, &[name]);
}

/// RESP bulk strings, for arguments of a command packed in parts.
pub fn pack_args(out: &mut Vec<u8>, args: &[&[u8]]) {
    for arg in args {
        out.push(b'$');
        push_len(out, arg.len());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

fn push_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_pack_as_resp() {
        let mut out = Vec::new();
        pack_command(&mut out, &[b"SET", b"k", b"hello world"]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$11\r\nhello world\r\n");
        let mut parts = Vec::new();
        pack_header(&mut parts, b"SET", 2);
        pack_args(&mut parts, &[b"k", b"hello world"]);
        assert_eq!(parts, out);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(20), Duration::from_secs(5));
    }
}
