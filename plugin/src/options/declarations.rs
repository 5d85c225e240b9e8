//! Every option of the Redis connector, declared once ([`OPTIONS`]): its type, default, range,
//! section, fallback keys and description. The table drives validation
//! ([`RedisOptions::parse`](super::RedisOptions::parse) through the interface's
//! `TableOptions`), the embedded manifest, `plugins describe redis` and the options tables of
//! docs/redis.md. Keys follow Flink (`sink.`, `lookup.` prefixes, durations as `'500ms'`); the
//! seed connector's keys (`hostname`, `port`, `password`, `type`, `ttl`, `write.open`,
//! `store.key.strategy`, `key.append.character`, `open.cache`, `cache.size`) are all accepted.

use connector_interface::{OptionDecl, OptionType};

const fn opt(key: &'static str, kind: OptionType, description: &'static str) -> OptionDecl {
    OptionDecl::new(key, kind, description)
}

/// How the connector reaches the server.
const CONNECTION: &str = "connection";
/// How a row becomes a key and a value.
const KEYS: &str = "keys and values";
/// TLS to the server.
const TLS: &str = "tls";
/// Finding the master through Redis Sentinel.
const SENTINEL: &str = "sentinel";
const SINK: &str = "sink";
const LOOKUP: &str = "lookup";

/// The Redis connector's options, in the order `plugins describe redis` shows them.
pub const OPTIONS: &[OptionDecl] = &[
    OptionDecl {
        section: CONNECTION,
        default: Some("single"),
        choices: &["single", "cluster", "sentinel"],
        fallback_keys: &["redis-mode"],
        ..opt(
            "mode",
            OptionType::ENUM,
            "`single`: one server; `cluster`: a Redis Cluster, reached through `cluster.nodes` \
             (or `hostname`/`port`/`url` as its one seed), commands sent to the master of each \
             key's slot; `sentinel`: the master that `sentinel.nodes` name for \
             `sentinel.master`, found again after a failover.",
        )
    },
    OptionDecl {
        section: CONNECTION,
        fallback_keys: &["cluster-nodes"],
        ..opt(
            "cluster.nodes",
            OptionType::STRING,
            "For `mode` = `cluster`: some of its nodes, `host:port,host:port,...`; the rest are \
             found through them.",
        )
    },
    OptionDecl {
        section: SENTINEL,
        fallback_keys: &["master.name"],
        ..opt(
            "sentinel.master",
            OptionType::STRING,
            "For `mode` = `sentinel`: the name the sentinels monitor the master under.",
        )
    },
    OptionDecl {
        section: SENTINEL,
        fallback_keys: &["sentinels.info"],
        ..opt(
            "sentinel.nodes",
            OptionType::STRING,
            "For `mode` = `sentinel`: the sentinels, `host:port,host:port,...`, asked in turn.",
        )
    },
    OptionDecl {
        section: SENTINEL,
        ..opt(
            "sentinel.username",
            OptionType::STRING,
            "ACL user for the sentinels (the data nodes use `username`).",
        )
    },
    OptionDecl {
        section: SENTINEL,
        sensitive: true,
        fallback_keys: &["sentinels.password"],
        ..opt(
            "sentinel.password",
            OptionType::STRING,
            "Password for the sentinels (the data nodes use `password`). Never printed.",
        )
    },
    OptionDecl {
        section: CONNECTION,
        fallback_keys: &["host"],
        ..opt(
            "hostname",
            OptionType::STRING,
            "Host name or address of the Redis server. Required unless `url` is given.",
        )
    },
    OptionDecl {
        section: CONNECTION,
        sensitive: true,
        ..opt(
            "url",
            OptionType::STRING,
            "The server as a URL, instead of `hostname`, `port`, `username`, `password` and \
             `database`: `redis://[[user]:password@]host[:port][/database]`. Never printed \
             (it may hold a password).",
        )
    },
    OptionDecl {
        section: CONNECTION,
        min: Some(1),
        max: Some(65535),
        default: Some("6379"),
        ..opt("port", OptionType::INT, "Port of the Redis server.")
    },
    OptionDecl {
        section: CONNECTION,
        ..opt(
            "username",
            OptionType::STRING,
            "ACL user name (Redis 6+). Without it, `password` authenticates the default user.",
        )
    },
    OptionDecl {
        section: CONNECTION,
        sensitive: true,
        ..opt(
            "password",
            OptionType::STRING,
            "Password for AUTH. Empty or absent: no authentication. Never printed.",
        )
    },
    OptionDecl {
        section: CONNECTION,
        min: Some(0),
        max: Some(i32::MAX as i64),
        default: Some("0"),
        ..opt(
            "database",
            OptionType::INT,
            "Database index selected after connecting.",
        )
    },
    OptionDecl {
        section: CONNECTION,
        default: Some("5s"),
        min: Some(1),
        ..opt(
            "connect.timeout",
            OptionType::DURATION,
            "Longest time one attempt to connect may take (TCP, AUTH, SELECT and a PING).",
        )
    },
    OptionDecl {
        section: CONNECTION,
        default: Some("3s"),
        min: Some(1),
        ..opt(
            "command.timeout",
            OptionType::DURATION,
            "Longest wait for a reply from the server; then the connection is dropped and the \
             commands are sent again on a new one (they are idempotent).",
        )
    },
    OptionDecl {
        section: CONNECTION,
        default: Some("60s"),
        ..opt(
            "retry.timeout",
            OptionType::DURATION,
            "How long connecting, a flush or a batch of lookups keeps retrying after connection \
             failures (a restart, a failover) before the job fails; no attempt is started that \
             could not end within it. 0: no retries.",
        )
    },
    OptionDecl {
        section: TLS,
        default: Some("false"),
        ..opt(
            "tls",
            OptionType::BOOLEAN,
            "Connect with TLS (as a `rediss://` `url` does), verifying the server's certificate \
             and host name.",
        )
    },
    OptionDecl {
        section: TLS,
        ..opt(
            "tls.ca-cert",
            OptionType::STRING,
            "PEM file of the certificate authorities the server's certificate must come from. \
             Absent: the system's roots.",
        )
    },
    OptionDecl {
        section: TLS,
        ..opt(
            "tls.client-cert",
            OptionType::STRING,
            "PEM file of a client certificate, for a server that requires one (mutual TLS); \
             with `tls.client-key`.",
        )
    },
    OptionDecl {
        section: TLS,
        ..opt(
            "tls.client-key",
            OptionType::STRING,
            "PEM file of the client certificate's private key.",
        )
    },
    OptionDecl {
        section: TLS,
        default: Some("false"),
        ..opt(
            "tls.insecure",
            OptionType::BOOLEAN,
            "Accept any server certificate for any host name: no verification (a warning says \
             so). For tests, never production.",
        )
    },
    OptionDecl {
        section: KEYS,
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
        section: KEYS,
        default: Some(""),
        ..opt(
            "key.prefix",
            OptionType::STRING,
            "Text put before every key.",
        )
    },
    OptionDecl {
        section: KEYS,
        default: Some(":"),
        ..opt(
            "key.separator",
            OptionType::STRING,
            "Text between the values of a multi-column primary key in the key.",
        )
    },
    OptionDecl {
        section: KEYS,
        choices: &["json", "raw"],
        ..opt(
            "value.format",
            OptionType::ENUM,
            "For `type` = `string`: `json` (an object of the non-key columns) or `raw` (the \
             single non-key column as text). Default: `raw` for one non-key column, `json` for \
             several.",
        )
    },
    OptionDecl {
        max: Some(1_000_000_000_000_000),
        section: SINK,
        ..opt(
            "ttl",
            OptionType::INT,
            "Seconds until a written key expires, set in the same round trip as the write. \
             Absent, 0 or negative: keys do not expire. At most 10^15 (Redis keeps expiry \
             times in milliseconds).",
        )
    },
    OptionDecl {
        section: SINK,
        min: Some(1),
        max: Some(10000000),
        default: Some("1000"),
        ..opt(
            "sink.buffer-flush.max-rows",
            OptionType::INT,
            "Rows buffered before the sink writes them in one pipeline.",
        )
    },
    OptionDecl {
        section: SINK,
        default: Some("1s"),
        ..opt(
            "sink.buffer-flush.interval",
            OptionType::DURATION,
            "Longest time a row stays buffered, even when the input goes quiet.",
        )
    },
    OptionDecl {
        section: SINK,
        min: Some(0),
        max: Some(1000),
        ..opt(
            "sink.max-retries",
            OptionType::INT,
            "Most retries after a connection error while writing, besides `retry.timeout`. \
             Absent: as many as `retry.timeout` allows.",
        )
    },
    OptionDecl {
        section: LOOKUP,
        default: Some("NONE"),
        choices: &["NONE", "PARTIAL"],
        ..opt(
            "lookup.cache",
            OptionType::ENUM,
            "Lookup cache: `NONE` or `PARTIAL` (an LRU cache of looked-up keys).",
        )
    },
    OptionDecl {
        section: LOOKUP,
        default: Some("false"),
        ..opt(
            "lookup.async",
            OptionType::BOOLEAN,
            "In Apache Flink (the bridge, `flink/`): `true` looks up through Flink's async \
             lookup function, which gathers concurrent probes into batches. The host looks up \
             in batches either way.",
        )
    },
    OptionDecl {
        section: LOOKUP,
        min: Some(1),
        default: Some("10000"),
        fallback_keys: &["cache.size"],
        ..opt(
            "lookup.partial-cache.max-rows",
            OptionType::INT,
            "Most keys the lookup cache holds.",
        )
    },
    OptionDecl {
        min: Some(1),
        section: LOOKUP,
        ..opt(
            "lookup.partial-cache.expire-after-write",
            OptionType::DURATION,
            "A cached key expires this long after it was read from Redis.",
        )
    },
    OptionDecl {
        min: Some(1),
        section: LOOKUP,
        ..opt(
            "lookup.partial-cache.expire-after-access",
            OptionType::DURATION,
            "A cached key expires this long after it was last used.",
        )
    },
    OptionDecl {
        section: LOOKUP,
        default: Some("true"),
        ..opt(
            "lookup.partial-cache.cache-missing-key",
            OptionType::BOOLEAN,
            "Whether keys absent from Redis are cached too.",
        )
    },
    OptionDecl {
        section: LOOKUP,
        min: Some(0),
        max: Some(1000),
        ..opt(
            "lookup.max-retries",
            OptionType::INT,
            "Most retries after a connection error while looking up, besides `retry.timeout`. \
             Absent: as many as `retry.timeout` allows.",
        )
    },
    OptionDecl {
        section: LOOKUP,
        default: Some("false"),
        ..opt(
            "open.cache",
            OptionType::BOOLEAN,
            "Seed option: `true` means `lookup.cache` = `PARTIAL`.",
        )
    },
    OptionDecl {
        section: LOOKUP,
        default: Some("false"),
        ..opt(
            "write.open",
            OptionType::BOOLEAN,
            "Seed option: write back on lookup. The join key is `v1|v2|...|key`; the Redis key \
             is its last token.",
        )
    },
    OptionDecl {
        section: LOOKUP,
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
        section: LOOKUP,
        default: Some("|"),
        ..opt(
            "key.append.character",
            OptionType::STRING,
            "Seed option, with `write.open`: the separator of the tokens of the join key.",
        )
    },
];
