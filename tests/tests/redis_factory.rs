//! The Redis factory through the real `.so`: the seed's tables validate, bad options are
//! refused with the table, option and value named, and passwords never appear.

use abi_stable::std_types::RVec;
use connector_host::loader::load;
use connector_interface::{DataType, ErrorKind, FactoryBox, Roles, TableContext};
use connector_tests::{redis_plugin, table_context};

fn with_factory<T>(f: impl FnOnce(&FactoryBox) -> T) -> T {
    let plugin = load(&redis_plugin()).unwrap();
    f(plugin.factory("redis").unwrap())
}

/// A table of STRING columns.
fn table(name: &str, columns: &[&str], pk: &[u32], options: &[(&str, &str)]) -> TableContext {
    let typed: Vec<(&str, DataType)> = columns.iter().map(|c| (*c, DataType::string())).collect();
    table_context(name, &typed, pk, options)
}

const SEED_SINK: &[(&str, &str)] = &[
    ("connector", "redis"),
    ("hostname", "localhost"),
    ("port", "6379"),
    ("password", "123456"),
    ("ttl", "60"),
];

#[test]
fn seed_tables_validate() {
    with_factory(|f| {
        let sink = table("redis", &["id", "name", "sex"], &[0], SEED_SINK);
        f.validate(&sink, Roles::SINK).unwrap();
        let mut dim = table(
            "redis_dim",
            &["sex", "desc"],
            &[],
            &[
                ("connector", "redis"),
                ("hostname", "localhost"),
                ("port", "6379"),
                ("password", "123456"),
            ],
        );
        dim.lookup_keys = RVec::from(vec![0]);
        f.validate(&dim, Roles::LOOKUP).unwrap();
    });
}

#[test]
fn unknown_option_is_refused_in_flinks_words_without_the_password() {
    with_factory(|f| {
        let mut options = SEED_SINK.to_vec();
        options.push(("sink.buffer-flush.max-row", "10"));
        let err = f
            .validate(
                &table("redis", &["id", "name"], &[0], &options),
                Roles::SINK,
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::CONFIG);
        assert!(err.message.starts_with(
            "table 'redis': Unsupported options found for 'redis'.\n\nUnsupported options:\n\nsink.buffer-flush.max-row\n"
        ), "{}", err.message);
        assert!(!err.message.contains("123456"));
    });
}

#[test]
fn bad_value_names_table_option_value_and_expectation() {
    with_factory(|f| {
        let err = f
            .validate(
                &table(
                    "t",
                    &["id", "v"],
                    &[],
                    &[("hostname", "h"), ("port", "123456")],
                ),
                Roles::SINK,
            )
            .unwrap_err();
        assert_eq!(
            err.message.as_str(),
            "table 't': invalid value '123456' for option 'port': expected an integer between 1 and 65535"
        );
    });
}

#[test]
fn lookup_must_bind_every_key_column() {
    with_factory(|f| {
        let mut dim = table(
            "dim",
            &["a", "b", "v"],
            &[0, 1],
            &[("connector", "redis"), ("hostname", "h")],
        );
        dim.lookup_keys = RVec::from(vec![0]);
        let err = f.validate(&dim, Roles::LOOKUP).unwrap_err();
        assert_eq!(
            err.message.as_str(),
            "table 'dim': a lookup join on a redis table must bind every key column; the join condition does not cover 'b'"
        );
    });
}

#[test]
fn scan_role_is_refused_naming_table_and_role() {
    with_factory(|f| {
        let t = table("redis", &["id", "name"], &[0], SEED_SINK);
        let err = f.create_scan(&t).into_result().err().unwrap();
        assert_eq!(err.kind, ErrorKind::UNSUPPORTED);
        assert_eq!(
            err.message.as_str(),
            "table 'redis': connector 'redis' does not support the scan role"
        );
    });
}

#[test]
fn sink_without_a_value_column_is_refused() {
    with_factory(|f| {
        let t = table("keys_only", &["id"], &[0], SEED_SINK);
        let err = f.validate(&t, Roles::SINK).unwrap_err();
        assert!(err
            .message
            .contains("needs at least one column besides the key column(s) 'id'"));
    });
}

#[test]
fn an_empty_separator_with_a_multi_column_key_is_refused() {
    with_factory(|f| {
        let mut options = SEED_SINK.to_vec();
        options.push(("key.separator", ""));
        let err = f
            .validate(
                &table("r", &["a", "b", "v"], &[0, 1], &options),
                Roles::SINK,
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::CONFIG);
        assert!(
            err.message.starts_with(
                "table 'r': 'key.separator' must not be empty with a multi-column primary key ('a', 'b')"
            ),
            "{}",
            err.message
        );
    });
}
