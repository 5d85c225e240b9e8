//! Opening one connection to one Redis node (AUTH and SELECT included).

use std::time::{Duration, Instant};

use connector_interface::ErrorKind;
use redis::{ConnectionAddr, IntoConnectionInfo, RedisConnectionInfo};

use super::failure::RedisFailure;
use super::retry::seconds;
use crate::options::{RedisOptions, Secret, Sentinels, Tls};

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
    pub command_timeout: Duration,
    /// For a cluster: the nodes to learn it from.
    pub cluster: Option<Vec<(String, u16)>>,
    pub tls: Option<Tls>,
    /// For Sentinel: where to ask for the master.
    pub sentinel: Option<Sentinels>,
}

impl Endpoint {
    pub fn of(options: &RedisOptions) -> Endpoint {
        Endpoint {
            table: options.table.clone(),
            hostname: options.server.hostname.clone(),
            port: options.server.port,
            username: options.server.username.clone(),
            password: options.server.password.clone(),
            database: options.server.database,
            connect_timeout: options.connect_timeout,
            command_timeout: options.command_timeout,
            cluster: options.server.cluster.clone(),
            tls: options.tls.clone(),
            sentinel: options.server.sentinel.clone(),
        }
    }

    /// Says, once per sink or lookup, what `tls.insecure` gives up.
    pub fn warn_if_insecure(&self) {
        if self.tls.as_ref().is_some_and(|t| t.insecure) {
            log::warn!(
                "table '{}': 'tls.insecure' = 'true': the certificate and host name of {} are \
                 not verified",
                self.table,
                self.server()
            );
        }
    }

    /// The same credentials and timeouts for the node at `hostname:port`.
    pub fn at(&self, hostname: &str, port: u16) -> Endpoint {
        Endpoint {
            hostname: hostname.to_string(),
            port,
            cluster: None,
            sentinel: None,
            ..self.clone()
        }
    }

    /// The sentinel at `hostname:port`, with the sentinels' own credentials.
    pub fn sentinel_at(&self, sentinels: &Sentinels, hostname: &str, port: u16) -> Endpoint {
        Endpoint {
            username: sentinels.username.clone(),
            password: sentinels.password.clone(),
            database: 0,
            ..self.at(hostname, port)
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

    /// A failure while connecting; a timeout names `connect.timeout`, a TLS failure says so.
    fn connect_failure(&self, err: &redis::RedisError) -> RedisFailure {
        if self.tls.is_some() {
            if let Some(failure) = RedisFailure::tls(err) {
                return failure;
            }
        }
        if err.is_timeout() {
            return RedisFailure::timed_out(format!(
                "no connection within 'connect.timeout' = {}",
                seconds(self.connect_timeout)
            ));
        }
        RedisFailure::from_redis(err)
    }

    /// A failure of a command on an open connection; a timeout names `command.timeout`.
    pub fn command_failure(&self, err: &redis::RedisError) -> RedisFailure {
        if err.is_timeout() {
            return RedisFailure::timed_out(format!(
                "no reply within 'command.timeout' = {}",
                seconds(self.command_timeout)
            ));
        }
        RedisFailure::from_redis(err)
    }

    /// Opens one connection within `connect.timeout` (TCP, AUTH, SELECT, a PING), then sets
    /// `command.timeout` as the timeout of every read and write.
    fn open(&self) -> Result<redis::Connection, RedisFailure> {
        let started = Instant::now();
        let mut settings = RedisConnectionInfo::default()
            .set_db(self.database)
            .set_skip_set_lib_name();
        if let Some(user) = &self.username {
            settings = settings.set_username(user);
        }
        if let Some(password) = &self.password {
            settings = settings.set_password(&password.0);
        }
        let address = match &self.tls {
            None => ConnectionAddr::Tcp(self.hostname.clone(), self.port),
            Some(tls) => ConnectionAddr::TcpTls {
                host: self.hostname.clone(),
                port: self.port,
                insecure: tls.insecure,
                tls_params: None,
            },
        };
        let info = address
            .into_connection_info()
            .map_err(|e| RedisFailure::from_redis(&e))?
            .set_redis_settings(settings);
        let client = match &self.tls {
            Some(Tls {
                insecure: false,
                ca,
                client,
            }) if ca.is_some() || client.is_some() => redis::Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: client.as_ref().map(|(cert, key)| redis::ClientTlsConfig {
                        client_cert: cert.clone(),
                        client_key: key.clone(),
                    }),
                    root_cert: ca.clone(),
                },
            ),
            _ => redis::Client::open(info),
        }
        .map_err(|e| RedisFailure::tls_setup(&e))?;
        let mut connection = client
            .get_connection_with_timeout(self.connect_timeout)
            .map_err(|e| self.connect_failure(&e))?;
        // Without a password the server has not answered anything yet: a PING within what is
        // left of the connect timeout.
        let left = self
            .connect_timeout
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(1));
        set_timeouts(&mut connection, left).map_err(|e| self.connect_failure(&e))?;
        redis::cmd("PING")
            .query::<()>(&mut connection)
            .map_err(|e| self.connect_failure(&e))?;
        set_timeouts(&mut connection, self.command_timeout)
            .map_err(|e| self.connect_failure(&e))?;
        Ok(connection)
    }
}

fn set_timeouts(connection: &mut redis::Connection, timeout: Duration) -> redis::RedisResult<()> {
    connection.set_read_timeout(Some(timeout))?;
    connection.set_write_timeout(Some(timeout))
}

/// The server's `proto-max-bulk-len` (the longest argument it accepts), or `None` when it does
/// not tell (`CONFIG` refused, as managed services and ACL users often do).
pub fn max_bulk_len(connection: &mut redis::Connection) -> Option<usize> {
    let reply: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("proto-max-bulk-len")
        .query(connection)
        .ok()?;
    reply.get(1)?.parse().ok()
}
