//! Where a table connects and as whom: from `url`, or from `hostname`, `port`, `username`,
//! `password` and `database`, never from both.

use connector_interface::{ConnectorError, TableOptions};
use redis::{ConnectionAddr, IntoConnectionInfo};

use super::Secret;

/// The options a `url` replaces.
const REPLACED_BY_URL: &[&str] = &["hostname", "port", "username", "password", "database"];

/// How to find the master through Redis Sentinel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentinels {
    /// The name the sentinels monitor the master under.
    pub master: String,
    pub nodes: Vec<(String, u16)>,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

/// The server of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub hostname: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub database: i64,
    /// For `mode` = `cluster`: the nodes to learn the cluster from.
    pub cluster: Option<Vec<(String, u16)>>,
    /// For `mode` = `sentinel`: where to ask for the master.
    pub sentinel: Option<Sentinels>,
    /// The `url` was `rediss://`.
    pub tls: bool,
}

impl Server {
    /// The server of `mode` = `single`, or the seeds of `mode` = `cluster`.
    pub fn of(o: &TableOptions) -> Result<Server, ConnectorError> {
        let table = o.table();
        let sentinel_keys = [
            "sentinel.master",
            "sentinel.nodes",
            "sentinel.username",
            "sentinel.password",
        ];
        if o.choice("mode") == Some("sentinel") {
            return Server::sentinel(o);
        }
        if let Some(key) = sentinel_keys.iter().find(|k| o.given(k)) {
            return Err(ConnectorError::config(format!(
                "table '{table}': option '{key}' applies to 'mode' = 'sentinel' only"
            )));
        }
        let cluster = o.choice("mode") == Some("cluster");
        let nodes = o.text("cluster.nodes").filter(|n| !n.trim().is_empty());
        if !cluster && o.given("cluster.nodes") {
            return Err(ConnectorError::config(format!(
                "table '{table}': option 'cluster.nodes' applies to 'mode' = 'cluster' only"
            )));
        }
        if cluster && o.int("database").unwrap_or_default() != 0 {
            return Err(ConnectorError::config(format!(
                "table '{table}': option 'database' cannot be used with 'mode' = 'cluster' \
                 (a Redis Cluster has database 0 only)"
            )));
        }
        let (Some(nodes), true) = (nodes, cluster) else {
            let mut server = Server::single(o)?;
            if cluster {
                server.cluster = Some(vec![(server.hostname.clone(), server.port)]);
            }
            return Ok(server);
        };
        let seeds = parse_nodes(nodes).ok_or_else(|| {
            o.invalid(
                "cluster.nodes",
                "a list host:port,host:port,... of the cluster's nodes",
            )
        })?;
        if let Some(both) = ["hostname", "port", "url"].iter().find(|k| o.given(k)) {
            return Err(ConnectorError::config(format!(
                "table '{table}': options 'cluster.nodes' and '{both}' both say where to \
                 connect; give the cluster's nodes in 'cluster.nodes' only"
            )));
        }
        Ok(Server {
            hostname: seeds[0].0.clone(),
            port: seeds[0].1,
            username: username(o),
            password: password(o),
            database: 0,
            cluster: Some(seeds),
            sentinel: None,
            tls: false,
        })
    }

    /// `mode` = `sentinel`: the sentinels and the master's name; the data nodes' credentials
    /// and database. The master's address comes from the sentinels when connecting.
    fn sentinel(o: &TableOptions) -> Result<Server, ConnectorError> {
        let table = o.table();
        let text = |k: &str| o.text(k).map(str::trim).filter(|v| !v.is_empty());
        let missing: Vec<&str> = ["sentinel.master", "sentinel.nodes"]
            .into_iter()
            .filter(|k| text(k).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(ConnectorError::config(format!(
                "table '{table}': One or more required options are missing.\n\n\
                 Missing required options are:\n\n{}",
                missing.join("\n")
            )));
        }
        if let Some(both) = ["hostname", "port", "url", "cluster.nodes"]
            .iter()
            .find(|k| o.given(k))
        {
            return Err(ConnectorError::config(format!(
                "table '{table}': option '{both}' cannot be used with 'mode' = 'sentinel': the \
                 sentinels say where the master is ('sentinel.nodes', 'sentinel.master')"
            )));
        }
        let nodes = parse_nodes(text("sentinel.nodes").unwrap_or_default()).ok_or_else(|| {
            o.invalid(
                "sentinel.nodes",
                "a list host:port,host:port,... of the sentinels",
            )
        })?;
        let secret = |k: &str| text(k).map(|p| Secret(p.to_string()));
        Ok(Server {
            hostname: nodes[0].0.clone(),
            port: nodes[0].1,
            username: text("username").map(str::to_string),
            password: secret("password"),
            database: o.int("database").unwrap_or_default(),
            cluster: None,
            sentinel: Some(Sentinels {
                master: text("sentinel.master").unwrap_or_default().to_string(),
                nodes,
                username: text("sentinel.username").map(str::to_string),
                password: secret("sentinel.password"),
            }),
            tls: false,
        })
    }

    /// The server from `url`, or from `hostname`, `port`, `username`, `password`, `database`.
    fn single(o: &TableOptions) -> Result<Server, ConnectorError> {
        let table = o.table();
        let hostname = o.text("hostname").unwrap_or_default();
        if hostname.contains("://") {
            // Shown without its value: a URL may hold a password.
            return Err(ConnectorError::config(format!(
                "table '{table}': option 'hostname' holds a URL; give it as 'url' instead \
                 ('url' = 'redis://[[user]:password@]host[:port][/database]')"
            )));
        }
        let Some(url) = o.text("url").filter(|u| !u.trim().is_empty()) else {
            if !o.given("hostname") {
                return Err(ConnectorError::config(format!(
                    "table '{table}': One or more required options are missing.\n\n\
                     Missing required options are:\n\nhostname (or url)"
                )));
            }
            if hostname.trim().is_empty() {
                return Err(o.invalid("hostname", "a host name or address"));
            }
            return Ok(Server {
                hostname: hostname.to_string(),
                port: o.int("port").unwrap_or_default() as u16,
                username: username(o),
                password: password(o),
                database: o.int("database").unwrap_or_default(),
                cluster: None,
                sentinel: None,
                tls: false,
            });
        };
        if let Some(both) = REPLACED_BY_URL.iter().find(|k| o.given(k)) {
            return Err(ConnectorError::config(format!(
                "table '{table}': options 'url' and '{both}' both say how to connect; give \
                 the server either as 'url' or as 'hostname', 'port', 'username', 'password' \
                 and 'database'"
            )));
        }
        from_url(o, url.trim())
    }
}

fn from_url(o: &TableOptions, url: &str) -> Result<Server, ConnectorError> {
    let expected = "a URL redis://[[user]:password@]host[:port][/database] (or rediss:// for TLS)";
    if !url.starts_with("redis://") && !url.starts_with("rediss://") {
        return Err(o.invalid("url", expected));
    }
    let info = url.into_connection_info().map_err(|e| {
        // redis-rs's reasons are fixed texts ("Invalid database number"), never the URL.
        let reason = e.detail().unwrap_or(e.category()).to_string();
        o.invalid("url", &format!("{expected} ({reason})"))
    })?;
    let (hostname, port, tls) = match info.addr().clone() {
        ConnectionAddr::Tcp(hostname, port) => (hostname, port, false),
        ConnectionAddr::TcpTls { host, port, .. } => (host, port, true),
        _ => return Err(o.invalid("url", expected)),
    };
    let settings = info.redis_settings();
    Ok(Server {
        hostname,
        port,
        username: settings.username().map(str::to_string),
        password: settings.password().map(|p| Secret(p.to_string())),
        database: settings.db(),
        cluster: None,
        sentinel: None,
        tls,
    })
}

/// The data nodes' `username`, when not empty.
fn username(o: &TableOptions) -> Option<String> {
    o.text("username")
        .filter(|u| !u.is_empty())
        .map(str::to_string)
}

/// The data nodes' `password`, when not empty.
fn password(o: &TableOptions) -> Option<Secret> {
    o.text("password")
        .filter(|p| !p.is_empty())
        .map(|p| Secret(p.to_string()))
}

/// `host:port,host:port`; `None` when an entry is not `host:port` with a valid port.
fn parse_nodes(text: &str) -> Option<Vec<(String, u16)>> {
    text.split(',')
        .map(|entry| {
            let (host, port) = entry.trim().rsplit_once(':')?;
            let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
            (!host.is_empty()).then(|| (host.to_string(), port))
        })
        .collect()
}
