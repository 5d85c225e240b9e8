//! Validation of the Redis options as a user meets it: the seed's options, Flink's words
//! for unknown and missing keys, bad values, fallback keys, and every default within its
//! declaration.

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
    assert_eq!(o.server.port, 6379);
    assert_eq!(o.ttl_seconds, Some(60));
    assert_eq!(o.value_type, ValueType::String);
    assert_eq!(o.server.password, Some(Secret("123456".into())));
    assert!(!format!("{o:?}").contains("123456"));
}

#[test]
fn unknown_options_are_rejected_in_flinks_words() {
    let msg = error(&[("hostname", "h"), ("hostnme", "x")]);
    assert!(msg.starts_with("table 'redis': Unsupported options found for 'redis'."));
    assert!(msg.contains("Unsupported options:\n\nhostnme\n"));
    assert!(msg.contains(
        "Supported options:\n\ncache.size\ncluster-nodes\ncluster.nodes\ncommand.timeout\nconnect.timeout\nconnector\n"
    ));
}

#[test]
fn missing_required_options_are_named() {
    let msg = error(&[("port", "6379")]);
    assert_eq!(
        msg,
        "table 'redis': One or more required options are missing.\n\n\
         Missing required options are:\n\nhostname (or url)"
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
    assert_eq!(o.server.hostname, "h");
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

#[test]
fn defaults_come_from_the_declarations() {
    let o = RedisOptions::parse(&context(&[("hostname", "h")])).unwrap();
    assert_eq!(
        (o.server.port, o.server.database, o.connect_timeout),
        (6379, 0, Duration::from_secs(5))
    );
    assert_eq!((o.key_prefix.as_str(), o.key_separator.as_str()), ("", ":"));
    assert_eq!(
        (o.command_timeout, o.retry_timeout),
        (Duration::from_secs(3), Duration::from_secs(60))
    );
    assert_eq!(
        (o.sink_max_rows, o.sink_interval, o.sink_max_retries),
        (1000, Duration::from_secs(1), None)
    );
    assert_eq!((o.lookup_max_retries, o.cache.is_none()), (None, true));
    assert_eq!(o.key_append_character, "|");
    let cached = RedisOptions::parse(&context(&[("hostname", "h"), ("lookup.cache", "PARTIAL")]))
        .unwrap()
        .cache
        .unwrap();
    assert_eq!((cached.max_rows, cached.cache_missing_key), (10_000, true));
}

#[test]
fn a_bad_value_is_refused_even_where_the_option_is_not_used() {
    // Flink checks every option it is given; an unused cache size is still a mistake.
    assert_eq!(
        error(&[("hostname", "h"), ("lookup.partial-cache.max-rows", "0")]),
        "table 'redis': invalid value '0' for option 'lookup.partial-cache.max-rows': \
         expected an integer of at least 1"
    );
}

#[test]
fn a_password_never_appears_in_an_error() {
    let msg = error(&[("hostname", "h"), ("password", "s3cret"), ("port", "x")]);
    assert!(!msg.contains("s3cret"), "{msg}");
}

#[test]
fn a_url_gives_server_user_password_and_database() {
    let o =
        RedisOptions::parse(&context(&[("url", "redis://alice:s3cret@10.0.0.7:7000/2")])).unwrap();
    assert_eq!(
        (o.server.hostname.as_str(), o.server.port, o.server.database),
        ("10.0.0.7", 7000, 2)
    );
    assert_eq!(o.server.username.as_deref(), Some("alice"));
    assert_eq!(o.server.password, Some(Secret("s3cret".into())));
    let o = RedisOptions::parse(&context(&[("url", "redis://h")])).unwrap();
    assert_eq!(
        (o.server.hostname.as_str(), o.server.port, o.server.password),
        ("h", 6379, None)
    );
}

#[test]
fn url_errors_say_what_to_do_and_never_show_the_url() {
    let both = error(&[("url", "redis://:pw@h"), ("port", "7000")]);
    assert!(
        both.starts_with("table 'redis': options 'url' and 'port' both say how to connect"),
        "{both}"
    );
    let in_hostname = error(&[("hostname", "redis://:s3cret@h:1")]);
    assert_eq!(
        in_hostname,
        "table 'redis': option 'hostname' holds a URL; give it as 'url' instead \
         ('url' = 'redis://[[user]:password@]host[:port][/database]')"
    );
    let bad = error(&[("url", "redis://:s3cret@h:1/notadb")]);
    assert!(
        bad.starts_with("table 'redis': invalid value '******' for option 'url': expected a URL"),
        "{bad}"
    );
    assert!(error(&[("url", "http://h")]).contains("'******' for option 'url'"));
    let tls = RedisOptions::parse(&context(&[("url", "rediss://h:6380")])).unwrap();
    assert_eq!(
        (tls.server.port, tls.tls.map(|t| t.insecure)),
        (6380, Some(false))
    );
    for msg in [both, in_hostname, bad] {
        assert!(!msg.contains("s3cret") && !msg.contains("pw@"), "{msg}");
    }
    assert!(error(&[]).ends_with("Missing required options are:\n\nhostname (or url)"));
}

#[test]
fn sentinel_mode_needs_its_master_name_and_sentinels_and_nothing_that_names_a_server() {
    let o = RedisOptions::parse(&context(&[
        ("redis-mode", "sentinel"),
        ("master.name", "mymaster"),
        ("sentinels.info", "10.0.0.1:26379, 10.0.0.2:26379"),
        ("sentinels.password", "spw"),
        ("password", "dpw"),
        ("database", "2"),
    ]))
    .unwrap();
    let s = o.server.sentinel.unwrap();
    assert_eq!(s.master, "mymaster");
    assert_eq!(s.nodes[1], ("10.0.0.2".to_string(), 26379));
    assert_eq!(s.password, Some(Secret("spw".into())));
    assert_eq!(
        (o.server.password, o.server.database),
        (Some(Secret("dpw".into())), 2)
    );
    assert!(error(&[("mode", "sentinel"), ("sentinel.nodes", "h:1")])
        .ends_with("Missing required options are:\n\nsentinel.master"));
    assert!(error(&[
        ("mode", "sentinel"),
        ("sentinel.master", "m"),
        ("sentinel.nodes", "h:1"),
        ("hostname", "h")
    ])
    .contains("option 'hostname' cannot be used with 'mode' = 'sentinel'"));
    assert!(error(&[("hostname", "h"), ("sentinel.master", "m")])
        .contains("option 'sentinel.master' applies to 'mode' = 'sentinel' only"));
    assert!(error(&[
        ("mode", "sentinel"),
        ("sentinel.master", "m"),
        ("sentinel.nodes", "h")
    ])
    .contains("invalid value 'h' for option 'sentinel.nodes'"));
}

#[test]
fn cluster_mode_takes_its_nodes_and_refuses_a_database() {
    let o = RedisOptions::parse(&context(&[
        ("mode", "cluster"),
        ("cluster.nodes", "a:7000,b:7001"),
    ]))
    .unwrap();
    assert_eq!(o.server.cluster.unwrap().len(), 2);
    assert!(error(&[
        ("mode", "cluster"),
        ("cluster.nodes", "a:7000"),
        ("database", "1")
    ])
    .contains("option 'database' cannot be used with 'mode' = 'cluster'"));
    assert!(error(&[("hostname", "h"), ("cluster.nodes", "a:7000")])
        .contains("option 'cluster.nodes' applies to 'mode' = 'cluster' only"));
    assert!(error(&[("mode", "cluster"), ("cluster.nodes", "a:x")])
        .contains("invalid value 'a:x' for option 'cluster.nodes'"));
}
