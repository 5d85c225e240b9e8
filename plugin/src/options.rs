//! Every option of the Redis connector, declared once ([`OPTIONS`]), and their validation
//! ([`RedisOptions::parse`]) which runs before any connection.
//!
//! The table drives validation, the embedded manifest, `plugins describe redis` and the
//! options table of docs/redis.md. Option keys follow Flink (`sink.`, `lookup.` prefixes, durations as
//! `'500ms'`); the seed connector's keys (`hostname`, `port`, `password`, `type`, `ttl`,
//! `write.open`, `store.key.strategy`, `key.append.character`, `open.cache`, `cache.size`) are
//! all accepted.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::time::Duration;

use connector_interface::text;
use connector_interface::{ConnectorError, OptionDecl, OptionType, TableContext};

const fn opt(key: &'static str, kind: OptionType, description: &'static str) -> OptionDecl {
    OptionDecl::new(key, kind, description)
}

/// The Redis connector's options, in the order `plugins describe redis` shows them.
pub const OPTIONS: &[OptionDecl] = &[
    OptionDecl {
        required: true,
        fallback_keys: &["host"],
        ..opt(
            "hostname",
            OptionType::STRING,
            "Host name or address of the Redis server.",
        )
    },
    OptionDecl {
        default: Some("6379"),
        ..opt("port", OptionType::INT, "Port of the Redis server.")
    },
    opt(
        "username",
        OptionType::STRING,
        "ACL user name (Redis 6+). Without it, `password` authenticates the default user.",
    ),
    OptionDecl {
        sensitive: true,
        ..opt(
            "password",
            OptionType::STRING,
            "Password for AUTH. Empty or absent: no authentication. Never printed.",
        )
    },
    OptionDecl {
        default: Some("0"),
        ..opt(
            "database",
            OptionType::INT,
            "Database index selected after connecting.",
        )
    },
    OptionDecl {
        default: Some("5s"),
        ..opt(
            "connect.timeout",
            OptionType::DURATION,
            "How long to wait for a connection to the server.",
        )
    },
    OptionDecl {
        default: Some("string"),
        choices: &["string", "hash"],
        ..opt(
            "type",
            OptionType::ENUM,
            "Redis data type of a row: `string` (one value per key: the single non-key column, \
             or a JSON object of the non-key columns) or `hash` (one field per non-key column).",
        )
    },
    OptionDecl {
        default: Some(""),
        ..opt(
            "key.prefix",
            OptionType::STRING,
            "Text put before every key.",
        )
    },
    OptionDecl {
        default: Some(":"),
        ..opt(
            "key.separator",
            OptionType::STRING,
            "Text between the values of a multi-column primary key in the key.",
        )
    },
    OptionDecl {
        choices: &["json", "raw"],
        ..opt(
            "value.format",
            OptionType::ENUM,
            "For `type` = `string`: `json` (an object of the non-key columns) or `raw` (the \
             single non-key column as text). Default: `raw` for one non-key column, `json` for \
             several.",
        )
    },
    opt(
        "ttl",
        OptionType::INT,
        "Seconds until a written key expires, set in the same round trip as the write. \
         Absent, 0 or negative: keys do not expire.",
    ),
    OptionDecl {
        default: Some("1000"),
        ..opt(
            "sink.buffer-flush.max-rows",
            OptionType::INT,
            "Rows buffered before the sink writes them in one pipeline.",
        )
    },
    OptionDecl {
        default: Some("1s"),
        ..opt(
            "sink.buffer-flush.interval",
            OptionType::DURATION,
            "Longest time a row stays buffered, even when the input goes quiet.",
        )
    },
    OptionDecl {
        default: Some("3"),
        ..opt(
            "sink.max-retries",
            OptionType::INT,
            "Retries, with exponential backoff, after a connection error while writing.",
        )
    },
    OptionDecl {
        default: Some("NONE"),
        choices: &["NONE", "PARTIAL"],
        ..opt(
            "lookup.cache",
            OptionType::ENUM,
            "Lookup cache: `NONE` or `PARTIAL` (an LRU cache of looked-up keys).",
        )
    },
    OptionDecl {
        default: Some("10000"),
        fallback_keys: &["cache.size"],
        ..opt(
            "lookup.partial-cache.max-rows",
            OptionType::INT,
            "Most keys the lookup cache holds.",
        )
    },
    opt(
        "lookup.partial-cache.expire-after-write",
        OptionType::DURATION,
        "A cached key expires this long after it was read from Redis.",
    ),
    opt(
        "lookup.partial-cache.expire-after-access",
        OptionType::DURATION,
        "A cached key expires this long after it was last used.",
    ),
    OptionDecl {
        default: Some("true"),
        ..opt(
            "lookup.partial-cache.cache-missing-key",
            OptionType::BOOLEAN,
            "Whether keys absent from Redis are cached too.",
        )
    },
    OptionDecl {
        default: Some("3"),
        ..opt(
            "lookup.max-retries",
            OptionType::INT,
            "Retries, with exponential backoff, after a connection error while looking up.",
        )
    },
    OptionDecl {
        default: Some("false"),
        ..opt(
            "open.cache",
            OptionType::BOOLEAN,
            "Seed option: `true` means `lookup.cache` = `PARTIAL`.",
        )
    },
    OptionDecl {
        default: Some("false"),
        ..opt(
            "write.open",
            OptionType::BOOLEAN,
            "Seed option: write back on lookup. The join key is `v1|v2|...|key`; the Redis key \
             is its last token.",
        )
    },
    OptionDecl {
        default: Some("if_not_exist"),
        choices: &["if_not_exist", "always"],
        ..opt(
            "store.key.strategy",
            OptionType::ENUM,
            "Seed option, with `write.open`: `if_not_exist` (atomic SET NX / HSETNX) or \
             `always`.",
        )
    },
    OptionDecl {
        default: Some("|"),
        ..opt(
            "key.append.character",
            OptionType::STRING,
            "Seed option, with `write.open`: the separator of the tokens of the join key.",
        )
    },
];

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
    pub hostname: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub database: i64,
    pub connect_timeout: Duration,
    pub value_type: ValueType,
    pub key_prefix: String,
    pub key_separator: String,
    pub value_format: Option<ValueFormat>,
    pub ttl_seconds: Option<u64>,
    pub sink_max_rows: usize,
    pub sink_interval: Duration,
    pub sink_max_retries: u32,
    pub cache: Option<CacheOptions>,
    pub lookup_max_retries: u32,
    pub write_open: bool,
    pub store_key_strategy: StoreKeyStrategy,
    pub key_append_character: String,
}

/// The options of a table as written, resolved against [`OPTIONS`] (fallback keys included).
struct Resolved<'a> {
    table: &'a str,
    values: HashMap<&'static str, (&'a str, &'a str)>,
}

impl<'a> Resolved<'a> {
    /// Rejects unknown keys and missing required ones, in Flink's words.
    fn new(context: &'a TableContext) -> Result<Resolved<'a>, ConnectorError> {
        let table = context.table_name.as_str();
        let mut values = HashMap::new();
        let mut unknown = BTreeSet::new();
        for entry in context.options.iter() {
            let key = entry.key.as_str();
            if key == "connector" || key == "property-version" {
                continue;
            }
            let decl = OPTIONS
                .iter()
                .find(|d| d.key == key || d.fallback_keys.contains(&key));
            match decl {
                // The main key wins over a fallback key given as well.
                Some(d) if d.key == key || !values.contains_key(d.key) => {
                    values.insert(d.key, (key, entry.value.as_str()));
                }
                Some(_) => {}
                None => {
                    unknown.insert(key);
                }
            }
        }
        if !unknown.is_empty() {
            let mut supported: BTreeSet<&str> = ["connector"].into();
            for d in OPTIONS {
                supported.insert(d.key);
                supported.extend(d.fallback_keys.iter().copied());
            }
            return Err(ConnectorError::config(format!(
                "table '{table}': Unsupported options found for 'redis'.\n\n\
                 Unsupported options:\n\n{}\n\nSupported options:\n\n{}",
                unknown.into_iter().collect::<Vec<_>>().join("\n"),
                supported.into_iter().collect::<Vec<_>>().join("\n"),
            )));
        }
        let missing: Vec<&str> = OPTIONS
            .iter()
            .filter(|d| d.required && !values.contains_key(d.key))
            .map(|d| d.key)
            .collect();
        if !missing.is_empty() {
            return Err(ConnectorError::config(format!(
                "table '{table}': One or more required options are missing.\n\n\
                 Missing required options are:\n\n{}",
                missing.join("\n")
            )));
        }
        Ok(Resolved { table, values })
    }

    fn decl(key: &str) -> &'static OptionDecl {
        OPTIONS
            .iter()
            .find(|d| d.key == key)
            .unwrap_or_else(|| panic!("option '{key}' is not declared"))
    }

    /// The value as written (or the default), with the key it was written under.
    fn raw(&self, key: &'static str) -> Option<(&'a str, &'a str)> {
        match self.values.get(key) {
            Some(v) => Some(*v),
            None => Self::decl(key).default.map(|d| (key, d)),
        }
    }

    fn invalid(&self, written_key: &str, value: &str, expected: &str) -> ConnectorError {
        let shown = if OPTIONS.iter().any(|d| {
            d.sensitive && (d.key == written_key || d.fallback_keys.contains(&written_key))
        }) {
            "******"
        } else {
            value
        };
        ConnectorError::config(format!(
            "table '{}': invalid value '{shown}' for option '{written_key}': expected {expected}",
            self.table
        ))
    }

    fn string(&self, key: &'static str) -> Option<String> {
        self.raw(key).map(|(_, v)| v.to_string())
    }

    fn int(&self, key: &'static str, min: i64, max: i64) -> Result<Option<i64>, ConnectorError> {
        let Some((k, v)) = self.raw(key) else {
            return Ok(None);
        };
        match v.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ if max == i64::MAX => {
                Err(self.invalid(k, v, &format!("an integer of at least {min}")))
            }
            _ => Err(self.invalid(k, v, &format!("an integer between {min} and {max}"))),
        }
    }

    fn boolean(&self, key: &'static str) -> Result<bool, ConnectorError> {
        let Some((k, v)) = self.raw(key) else {
            return Ok(false);
        };
        match v.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.invalid(k, v, "'true' or 'false'")),
        }
    }

    fn duration(&self, key: &'static str) -> Result<Option<Duration>, ConnectorError> {
        let Some((k, v)) = self.raw(key) else {
            return Ok(None);
        };
        text::parse_duration(v)
            .map(Some)
            .ok_or_else(|| self.invalid(k, v, "a duration such as '500ms', '1s', '2 min' or '1h'"))
    }

    /// The choice the value names, compared without regard to case.
    fn choice(&self, key: &'static str) -> Result<Option<&'static str>, ConnectorError> {
        let Some((k, v)) = self.raw(key) else {
            return Ok(None);
        };
        let choices = Self::decl(key).choices;
        choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(v.trim()))
            .map(|c| Some(*c))
            .ok_or_else(|| self.invalid(k, v, &format!("one of: {}", choices.join(", "))))
    }
}

impl RedisOptions {
    /// Validates the options of a table without connecting anywhere.
    pub fn parse(context: &TableContext) -> Result<RedisOptions, ConnectorError> {
        let r = Resolved::new(context)?;
        let hostname = r.string("hostname").unwrap_or_default();
        if hostname.trim().is_empty() {
            return Err(r.invalid("hostname", &hostname, "a host name or address"));
        }
        let port = r.int("port", 1, 65535)?.unwrap_or(6379) as u16;
        let value_type = match r.choice("type")? {
            Some("hash") => ValueType::Hash,
            _ => ValueType::String,
        };
        let value_format = match r.choice("value.format")? {
            Some("json") => Some(ValueFormat::Json),
            Some("raw") => Some(ValueFormat::Raw),
            _ => None,
        };
        if value_format.is_some() && value_type == ValueType::Hash {
            return Err(ConnectorError::config(format!(
                "table '{}': option 'value.format' applies to 'type' = 'string' only, \
                 and this table has 'type' = 'hash'",
                r.table
            )));
        }
        let cache_mode = r.choice("lookup.cache")?;
        let cache = if cache_mode == Some("PARTIAL") || r.boolean("open.cache")? {
            Some(CacheOptions {
                max_rows: r
                    .int("lookup.partial-cache.max-rows", 1, i64::MAX)?
                    .unwrap_or(10_000) as usize,
                expire_after_write: r.duration("lookup.partial-cache.expire-after-write")?,
                expire_after_access: r.duration("lookup.partial-cache.expire-after-access")?,
                cache_missing_key: r.boolean("lookup.partial-cache.cache-missing-key")?,
            })
        } else {
            None
        };
        let store_key_strategy = match r.choice("store.key.strategy")? {
            Some("always") => StoreKeyStrategy::Always,
            _ => StoreKeyStrategy::IfNotExist,
        };
        let write_open = r.boolean("write.open")?;
        if write_open && store_key_strategy == StoreKeyStrategy::Always && cache.is_some() {
            return Err(ConnectorError::config(format!(
                "table '{}': 'store.key.strategy' = 'always' writes on every lookup and cannot \
                 be combined with a lookup cache ('lookup.cache' = 'PARTIAL' or 'open.cache' = \
                 'true')",
                r.table
            )));
        }
        let key_append_character = r.string("key.append.character").unwrap_or_default();
        if key_append_character.is_empty() {
            return Err(r.invalid("key.append.character", "", "a non-empty separator"));
        }
        Ok(RedisOptions {
            table: r.table.to_string(),
            hostname,
            port,
            username: r.string("username").filter(|u| !u.is_empty()),
            password: r.string("password").filter(|p| !p.is_empty()).map(Secret),
            database: r.int("database", 0, i64::from(i32::MAX))?.unwrap_or(0),
            connect_timeout: r
                .duration("connect.timeout")?
                .unwrap_or(Duration::from_secs(5)),
            value_type,
            key_prefix: r.string("key.prefix").unwrap_or_default(),
            key_separator: r.string("key.separator").unwrap_or_default(),
            value_format,
            ttl_seconds: r
                .int("ttl", i64::MIN, i64::MAX)?
                .filter(|t| *t > 0)
                .map(|t| t as u64),
            sink_max_rows: r
                .int("sink.buffer-flush.max-rows", 1, 10_000_000)?
                .unwrap_or(1000) as usize,
            sink_interval: r
                .duration("sink.buffer-flush.interval")?
                .unwrap_or(Duration::from_secs(1)),
            sink_max_retries: r.int("sink.max-retries", 0, 100)?.unwrap_or(3) as u32,
            cache,
            lookup_max_retries: r.int("lookup.max-retries", 0, 100)?.unwrap_or(3) as u32,
            write_open,
            store_key_strategy,
            key_append_character,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(options: &[(&str, &str)]) -> TableContext {
        connector_tests::table_context("redis", &[], &[], options)
    }

    fn error(options: &[(&str, &str)]) -> String {
        RedisOptions::parse(&context(options))
            .unwrap_err()
            .message
            .to_string()
    }

    #[test]
    fn seed_options_are_accepted() {
        let o = RedisOptions::parse(&context(&[
            ("connector", "redis"),
            ("hostname", "localhost"),
            ("port", "6379"),
            ("password", "123456"),
            ("ttl", "60"),
        ]))
        .unwrap();
        assert_eq!(o.port, 6379);
        assert_eq!(o.ttl_seconds, Some(60));
        assert_eq!(o.value_type, ValueType::String);
        assert_eq!(o.password, Some(Secret("123456".into())));
        assert!(!format!("{o:?}").contains("123456"));
    }

    #[test]
    fn unknown_options_are_rejected_in_flinks_words() {
        let msg = error(&[("hostname", "h"), ("hostnme", "x")]);
        assert!(msg.starts_with("table 'redis': Unsupported options found for 'redis'."));
        assert!(msg.contains("Unsupported options:\n\nhostnme\n"));
        assert!(msg.contains("Supported options:\n\ncache.size\nconnect.timeout\nconnector\n"));
    }

    #[test]
    fn missing_required_options_are_named() {
        let msg = error(&[("port", "6379")]);
        assert_eq!(
            msg,
            "table 'redis': One or more required options are missing.\n\n\
             Missing required options are:\n\nhostname"
        );
    }

    #[test]
    fn bad_values_name_option_value_and_expectation() {
        assert_eq!(
            error(&[("hostname", "h"), ("port", "abc")]),
            "table 'redis': invalid value 'abc' for option 'port': expected an integer between 1 and 65535"
        );
        assert_eq!(
            error(&[("hostname", "h"), ("type", "list")]),
            "table 'redis': invalid value 'list' for option 'type': expected one of: string, hash"
        );
        assert!(
            error(&[("hostname", "h"), ("sink.buffer-flush.interval", "soon")])
                .contains("'sink.buffer-flush.interval': expected a duration")
        );
    }

    #[test]
    fn fallback_keys_and_seed_cache_options_work() {
        let o = RedisOptions::parse(&context(&[
            ("host", "h"),
            ("open.cache", "true"),
            ("cache.size", "42"),
        ]))
        .unwrap();
        assert_eq!(o.hostname, "h");
        assert_eq!(o.cache.unwrap().max_rows, 42);
    }

    #[test]
    fn always_with_a_cache_is_rejected() {
        assert!(error(&[
            ("hostname", "h"),
            ("write.open", "true"),
            ("store.key.strategy", "always"),
            ("lookup.cache", "partial"),
        ])
        .contains("cannot be combined with a lookup cache"));
    }
}

/// The options table of docs/redis.md, generated from [`OPTIONS`] (a test keeps the README in step).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| option | type | default | required | also accepted as | description |\n\
         |---|---|---|---|---|---|\n",
    );
    for o in OPTIONS {
        let kind = if o.choices.is_empty() {
            o.kind.name().to_string()
        } else {
            o.choices.join(" \\| ")
        };
        let default = match o.default {
            Some("") => "(empty)".to_string(),
            Some(d) => format!("`{}`", d.replace('|', "\\|")),
            None => String::new(),
        };
        let fallbacks = o
            .fallback_keys
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "| `{}` | {kind} | {default} | {} | {fallbacks} | {}{} |\n",
            o.key,
            if o.required { "yes" } else { "no" },
            o.description.replace('|', "\\|"),
            if o.sensitive { " (sensitive)" } else { "" },
        ));
    }
    out
}

#[cfg(test)]
mod readme {
    #[test]
    fn readme_options_table_matches_the_declarations() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/redis.md"))
                .expect("docs/redis.md");
        let start = "<!-- options:start -->\n";
        let end = "<!-- options:end -->";
        let from = readme.find(start).expect("options:start marker") + start.len();
        let to = readme.find(end).expect("options:end marker");
        let expected = super::markdown_table();
        assert!(
            readme[from..to] == expected,
            "docs/redis.md's options table is out of date; replace it with:\n{expected}"
        );
    }
}
