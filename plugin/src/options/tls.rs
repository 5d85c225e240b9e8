//! TLS to the server: whether (`tls`, or a `rediss://` `url`), whom to trust (`tls.ca-cert`, or
//! the system's roots), the client's own certificate (`tls.client-cert`, `tls.client-key`), and
//! `tls.insecure`. The PEM files are read while the options are checked, so a missing file is a
//! configuration error before anything runs.

use std::fmt;

use connector_interface::{ConnectorError, TableOptions};

/// How a table's connections use TLS.
#[derive(Clone, PartialEq, Eq)]
pub struct Tls {
    /// No verification of the server's certificate or host name.
    pub insecure: bool,
    /// The certificate authorities to trust (PEM); `None`: the system's roots.
    pub ca: Option<Vec<u8>>,
    /// The client certificate and its key (PEM).
    pub client: Option<(Vec<u8>, Vec<u8>)>,
}

/// The key is never printed.
impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("insecure", &self.insecure)
            .field("ca", &self.ca.as_ref().map(Vec::len))
            .field("client", &self.client.is_some())
            .finish()
    }
}

const FILES: &[&str] = &["tls.ca-cert", "tls.client-cert", "tls.client-key"];

impl Tls {
    /// The TLS settings of a table; `from_url` when its `url` is `rediss://`.
    pub fn of(o: &TableOptions, from_url: bool) -> Result<Option<Tls>, ConnectorError> {
        let table = o.table();
        let on = from_url || o.boolean("tls").unwrap_or_default();
        if !on {
            let file = FILES
                .iter()
                .find(|k| o.text(k).is_some_and(|v| !v.trim().is_empty()));
            let insecure = (o.boolean("tls.insecure") == Some(true)).then_some(&"tls.insecure");
            if let Some(key) = file.or(insecure) {
                return Err(ConnectorError::config(format!(
                    "table '{table}': option '{key}' applies to TLS connections only; set \
                     'tls' = 'true' (or use a 'rediss://' url)"
                )));
            }
            return Ok(None);
        }
        let read = |key: &str| -> Result<Option<Vec<u8>>, ConnectorError> {
            let Some(path) = o.text(key).filter(|p| !p.trim().is_empty()) else {
                return Ok(None);
            };
            std::fs::read(path.trim()).map(Some).map_err(|e| {
                ConnectorError::config(format!(
                    "table '{table}': option '{key}': cannot read '{}': {e}",
                    path.trim()
                ))
            })
        };
        let client = match (read("tls.client-cert")?, read("tls.client-key")?) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            (Some(_), None) => return Err(missing(table, "tls.client-cert", "tls.client-key")),
            (None, Some(_)) => return Err(missing(table, "tls.client-key", "tls.client-cert")),
        };
        Ok(Some(Tls {
            insecure: o.boolean("tls.insecure").unwrap_or_default(),
            ca: read("tls.ca-cert")?,
            client,
        }))
    }
}

fn missing(table: &str, given: &str, absent: &str) -> ConnectorError {
    ConnectorError::config(format!(
        "table '{table}': option '{given}' needs '{absent}' too (a client certificate and its \
         key)"
    ))
}
