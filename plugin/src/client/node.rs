//! Opening one connection to one Redis node (AUTH and SELECT included).

use std::time::Duration;

use connector_interface::ErrorKind;
use redis::{ConnectionAddr, ConnectionLike, IntoConnectionInfo, RedisConnectionInfo};

use super::failure::RedisFailure;
use crate::options::{RedisOptions, Secret};

/// Where and as whom a table's client connects.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The table, for messages.
    pub table: String,
    pub hostname: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub database: i64,
    pub connect_timeout: Duration,
}

impl Endpoint {
    pub fn of(options: &RedisOptions) -> Endpoint {
        Endpoint {
            table: options.table.clone(),
            hostname: options.hostname.clone(),
            port: options.port,
            username: options.username.clone(),
            password: options.password.clone(),
            database: options.database,
            connect_timeout: options.connect_timeout,
        }
    }

    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        format!("{}:{}", self.hostname, self.port)
    }

    /// Opens one connection. A password given for a server that has none is not an error
    /// (as with `redis-cli -a`): it is dropped with a warning, once, and the connection made
    /// without it. A wrong password for a server that has one stays an error.
    pub fn connect(&mut self) -> Result<redis::Connection, RedisFailure> {
        match self.open() {
            Err(failure) if failure.kind == ErrorKind::AUTH && self.password.is_some() => {
                // The server's AUTH error does not say why; a server that requires a password
                // refuses a PING without one (NOAUTH), a server without one answers it.
                let without = Endpoint {
                    password: None,
                    ..self.clone()
                };
                match without.open() {
                    Ok(connection) => {
                        log::warn!(
                            "table '{}': the server at {} has no password set; 'password' was \
                             not used",
                            self.table,
                            self.server()
                        );
                        self.password = None;
                        Ok(connection)
                    }
                    Err(_) => Err(failure),
                }
            }
            other => other,
        }
    }

    /// Opens one connection with the connect timeout as the timeout of every read and write
    /// too.
    fn open(&self) -> Result<redis::Connection, RedisFailure> {
        let mut settings = RedisConnectionInfo::default()
            .set_db(self.database)
            .set_skip_set_lib_name();
        if let Some(user) = &self.username {
            settings = settings.set_username(user);
        }
        if let Some(password) = &self.password {
            settings = settings.set_password(&password.0);
        }
        let info = ConnectionAddr::Tcp(self.hostname.clone(), self.port)
            .into_connection_info()
            .map_err(|e| RedisFailure::from_redis(&e))?
            .set_redis_settings(settings);
        let client = redis::Client::open(info).map_err(|e| RedisFailure::from_redis(&e))?;
        let mut connection = client
            .get_connection_with_timeout(self.connect_timeout)
            .map_err(|e| RedisFailure::from_redis(&e))?;
        let timeout = Some(self.connect_timeout.max(Duration::from_secs(1)) * 6);
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
}
