//! Property tests (proptest): random input to every parser never panics and ends in a value or
//! a clear error. Targets: the SQL parser, the Redis options (through the real `.so`'s
//! `validate`, where a panic would come back as a PANIC error), the manifest reader, the packed
//! row reader, the value decoders (text and JSON, every type) and the file formats' line
//! decoders (`json`, `csv`, `debezium-json`, `canal-json`). Case counts: `CASES` each (the
//! proptest default, 256), more for the cheap ones.

use connector_host::connectors::{builtin_source, TableDef};
use connector_interface::manifest::Manifest;
use connector_interface::{packed, Column, DataType, ErrorKind, Roles, TypeKind};
use connector_tests::{redis_plugin, table_context};
use proptest::prelude::*;

const CASES: u32 = 256;

/// Words SQL is made of, so random statements get past the first token often.
const SQL_WORDS: &[&str] = &[
    "CREATE",
    "TABLE",
    "t",
    "(",
    ")",
    ",",
    "a",
    "b",
    "INT",
    "STRING",
    "BIGINT",
    "DECIMAL(10, 2)",
    "TIMESTAMP(3)",
    "WITH",
    "'connector'",
    "=",
    "'redis'",
    ";",
    "INSERT",
    "INTO",
    "SELECT",
    "*",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "IS",
    "CAST",
    "AS",
    "JOIN",
    "FOR",
    "SYSTEM_TIME",
    "OF",
    "ON",
    "PROCTIME()",
    "PRIMARY",
    "KEY",
    "ENFORCED",
    "SET",
    "'x'",
    "1",
    "-1.5",
    "'",
    "\"",
    "`",
    "--",
    "/*",
    "*/",
    "+",
    "||",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "COUNT(*)",
    "GROUP",
    "BY",
    "LIKE",
    "\u{feff}",
    "é",
];

fn sql_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        proptest::collection::vec(proptest::sample::select(SQL_WORDS), 0..40)
            .prop_map(|w| w.join(" ")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES * 4))]

    #[test]
    fn the_sql_parser_never_panics(sql in sql_text()) {
        if let Err(e) = connector_host::sql::parser::parse(&sql) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn the_manifest_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Manifest::parse(&bytes);
    }

    #[test]
    fn the_manifest_reader_survives_a_damaged_manifest(cut in 0usize..400, byte in any::<u8>(), at in 0usize..400) {
        let good = br#"{"manifest_version":1,"name":"p","version":"1","interface_version":"1.2.0","factories":[{"identifier":"x","description":"d","roles":["sink"],"options":[{"key":"k","type":"int","required":false,"default":"1","description":"","fallback_keys":[],"sensitive":false,"choices":[],"section":"s","min":0,"max":9}]}]}"#;
        let mut bytes = good[..cut.min(good.len())].to_vec();
        if !bytes.is_empty() {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        let _ = Manifest::parse(&bytes);
    }

    #[test]
    fn the_packed_row_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = packed::unpack(&bytes);
    }

    #[test]
    fn value_decoders_never_panic(text in ".{0,40}", kind in 1u8..=16, precision in 0u32..40, scale in 0u32..40) {
        let t = DataType { precision, scale, ..DataType::new(TypeKind(kind)) };
        let _ = connector_format::from_text(text.as_bytes(), &t);
        let _ = connector_host::values::from_text(&text, &t);
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
            let _ = connector_format::from_json(&json, &t);
            let _ = connector_host::values::from_json(&json, &t);
        }
    }
}

/// Redis option keys and values, mixed with random ones.
const KEYS: &[&str] = &[
    "hostname",
    "host",
    "port",
    "url",
    "mode",
    "cluster.nodes",
    "sentinel.master",
    "sentinel.nodes",
    "password",
    "database",
    "ttl",
    "type",
    "value.format",
    "key.separator",
    "connect.timeout",
    "command.timeout",
    "retry.timeout",
    "sink.max-retries",
    "lookup.cache",
    "lookup.partial-cache.max-rows",
    "write.open",
    "store.key.strategy",
    "tls",
    "tls.ca-cert",
    "tls.client-cert",
    "tls.insecure",
    "key.append.character",
    "open.cache",
    "redis-mode",
];
const VALUES: &[&str] = &[
    "",
    "h",
    "0",
    "-1",
    "65536",
    "6379",
    "1s",
    "0s",
    "1 min",
    "soon",
    "true",
    "TRUE",
    "yes",
    "redis://:p@h:1/2",
    "rediss://h",
    "redis://h:x",
    "http://h",
    "cluster",
    "sentinel",
    "single",
    "a:1,b:2",
    "a",
    "hash",
    "string",
    "json",
    "raw",
    "PARTIAL",
    "always",
    "9223372036854775807",
    "/no/such/file",
    "::",
    "|",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn redis_option_checks_never_panic(
        options in proptest::collection::vec(
            (
                prop_oneof![proptest::sample::select(KEYS).prop_map(str::to_string), "[a-z.]{1,12}"],
                prop_oneof![proptest::sample::select(VALUES).prop_map(str::to_string), ".{0,20}"],
            ),
            0..8,
        ),
        role in 0usize..2,
    ) {
        let plugin = connector_host::loader::load(&redis_plugin()).unwrap();
        let factory = plugin.factory("redis").unwrap();
        let mut all: Vec<(&str, &str)> = vec![("connector", "redis")];
        all.extend(options.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let context = table_context(
            "t",
            &[("k", DataType::string()), ("v", DataType::string())],
            &[0],
            &all,
        );
        let role = [Roles::SINK, Roles::LOOKUP][role];
        if let Err(e) = factory.validate(&context, role).into_result() {
            prop_assert_ne!(e.kind, ErrorKind::PANIC, "{}", e.message);
            prop_assert!(e.message.starts_with("table 't': "), "{}", e.message);
        }
    }

    #[test]
    fn file_line_decoders_never_panic(
        lines in proptest::collection::vec(
            prop_oneof![
                ".{0,60}",
                Just(r#"{"op":"u","before":{"a":1},"after":{"a":"x"}}"#.to_string()),
                Just(r#"{"type":"UPDATE","data":[{"a":1}],"old":[{"a":null}]}"#.to_string()),
                Just(r#"{"payload":{"op":"d","before":[1]}}"#.to_string()),
                "\\{\"a\": ?[-0-9.e\"tfnul]{0,10}\\}",
                "[0-9,\" ]{0,20}",
            ],
            1..6,
        ),
        format in proptest::sample::select(&["json", "csv", "debezium-json", "canal-json"][..]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in");
        std::fs::write(&path, lines.join("\n")).unwrap();
        let table = TableDef {
            name: "src".into(),
            columns: vec![
                Column::new("a", DataType::new(TypeKind::INT)),
                Column::new("b", DataType::string()),
            ],
            proctime: Vec::new(),
            computed: Vec::new(),
            primary_key: Vec::new(),
            options: vec![
                ("connector".into(), "filesystem".into()),
                ("path".into(), path.display().to_string()),
                ("format".into(), format.to_string()),
            ],
        };
        let mut source = builtin_source(&table).unwrap();
        loop {
            match source.next_batch(100) {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) => {
                    prop_assert!(e.message.starts_with("table 'src': "), "{}", e.message);
                    break;
                }
            }
        }
    }
}
