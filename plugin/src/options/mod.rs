//! The Redis connector's options: declared once in `declarations.rs` ([`OPTIONS`]), checked and
//! typed by the interface's [`TableOptions`], and turned into [`RedisOptions`] (with the rules
//! that involve more than one option) before any connection.

mod declarations;
#[cfg(test)]
mod docs;
mod server;
mod tls;

pub use server::{Sentinels, Server};
pub use tls::Tls;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use connector_interface::{ConnectorError, TableContext, TableOptions};

pub use declarations::OPTIONS;

/// A value that is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Hash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    Json,
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKeyStrategy {
    IfNotExist,
    Always,
}

/// The lookup cache settings; `None` in [`RedisOptions::cache`] means no cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptions {
    pub max_rows: usize,
    pub expire_after_write: Option<Duration>,
    pub expire_after_access: Option<Duration>,
    pub cache_missing_key: bool,
}

/// The validated options of one Redis table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisOptions {
    pub table: String,
    /// Where to connect and as whom (one server, a cluster's seeds, or the sentinels).
    pub server: Server,
    pub tls: Option<Tls>,
    pub connect_timeout: Duration,
    pub command_timeout: Duration,
    pub retry_timeout: Duration,
    pub value_type: ValueType,
    pub key_prefix: String,
    pub key_separator: String,
    pub value_format: Option<ValueFormat>,
    pub ttl_seconds: Option<u64>,
    pub sink_max_rows: usize,
    pub sink_interval: Duration,
    pub sink_max_retries: Option<u32>,
    pub cache: Option<CacheOptions>,
    pub lookup_max_retries: Option<u32>,
    pub write_open: bool,
    pub store_key_strategy: StoreKeyStrategy,
    pub key_append_character: String,
}

impl RedisOptions {
    /// Validates the options of a table without connecting anywhere.
    pub fn parse(context: &TableContext) -> Result<RedisOptions, ConnectorError> {
        let o = TableOptions::from_context("redis", OPTIONS, context)?;
        let table = o.table();
        let server = Server::of(&o)?;
        let value_type = match o.choice("type") {
            Some("hash") => ValueType::Hash,
            _ => ValueType::String,
        };
        let value_format = match o.choice("value.format") {
            Some("json") => Some(ValueFormat::Json),
            Some("raw") => Some(ValueFormat::Raw),
            _ => None,
        };
        if value_format.is_some() && value_type == ValueType::Hash {
            return Err(ConnectorError::config(format!(
                "table '{table}': option 'value.format' applies to 'type' = 'string' only, \
                 and this table has 'type' = 'hash'"
            )));
        }
        let cache =
            (o.choice("lookup.cache") == Some("PARTIAL") || flag(&o, "open.cache")).then(|| {
                CacheOptions {
                    max_rows: count(&o, "lookup.partial-cache.max-rows"),
                    expire_after_write: o.duration("lookup.partial-cache.expire-after-write"),
                    expire_after_access: o.duration("lookup.partial-cache.expire-after-access"),
                    cache_missing_key: flag(&o, "lookup.partial-cache.cache-missing-key"),
                }
            });
        let store_key_strategy = match o.choice("store.key.strategy") {
            Some("always") => StoreKeyStrategy::Always,
            _ => StoreKeyStrategy::IfNotExist,
        };
        let write_open = flag(&o, "write.open");
        if write_open && store_key_strategy == StoreKeyStrategy::Always && cache.is_some() {
            return Err(ConnectorError::config(format!(
                "table '{table}': 'store.key.strategy' = 'always' writes on every lookup and \
                 cannot be combined with a lookup cache ('lookup.cache' = 'PARTIAL' or \
                 'open.cache' = 'true')"
            )));
        }
        let key_append_character = text(&o, "key.append.character");
        if key_append_character.is_empty() {
            return Err(o.invalid("key.append.character", "a non-empty separator"));
        }
        Ok(RedisOptions {
            table: table.to_string(),
            tls: Tls::of(&o, server.tls)?,
            server,
            connect_timeout: o.duration("connect.timeout").unwrap_or_default(),
            command_timeout: o.duration("command.timeout").unwrap_or_default(),
            retry_timeout: o.duration("retry.timeout").unwrap_or_default(),
            value_type,
            key_prefix: text(&o, "key.prefix"),
            key_separator: text(&o, "key.separator"),
            value_format,
            ttl_seconds: o.int("ttl").filter(|t| *t > 0).map(|t| t as u64),
            sink_max_rows: count(&o, "sink.buffer-flush.max-rows"),
            sink_interval: o.duration("sink.buffer-flush.interval").unwrap_or_default(),
            sink_max_retries: o.int("sink.max-retries").map(|n| n as u32),
            cache,
            lookup_max_retries: o.int("lookup.max-retries").map(|n| n as u32),
            write_open,
            store_key_strategy,
            key_append_character,
        })
    }
}

// Options with a default always have a value; their declared range keeps the casts exact.

fn count(o: &TableOptions, key: &str) -> usize {
    o.int(key).unwrap_or_default().max(0) as usize
}

fn flag(o: &TableOptions, key: &str) -> bool {
    o.boolean(key).unwrap_or_default()
}

fn text(o: &TableOptions, key: &str) -> String {
    o.text(key).unwrap_or_default().to_string()
}
