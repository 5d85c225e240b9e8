//! How the connector reaches Redis, through the real `.so` against real `redis-server`s: a
//! `url` with an ACL user and a database; timeouts and the retry budget with a server that is
//! paused (SIGSTOP: it accepts connections and answers nothing, as a hung server does), killed
//! or restarted: how long a sink and a lookup take to fail, what the error says, and that a
//! restart within 10 s loses nothing with the default options.

use std::time::{Duration, Instant};

use abi_stable::std_types::RSlice;
use connector_host::loader::load;
use connector_interface::{DataType, ErrorKind, LookupBox, Row, SinkBox, TableContext, Value};
use connector_tests::{redis_plugin, table_context, RedisServer};

/// Table `t` (k STRING, v STRING) keyed on `k`, on this server, with these options too.
fn kv_table(server: &RedisServer, extra: &[(&str, &str)]) -> TableContext {
    let port = server.port().to_string();
    let mut options = vec![
        ("connector", "redis"),
        ("hostname", "127.0.0.1"),
        ("port", port.as_str()),
    ];
    options.extend_from_slice(extra);
    table_context(
        "t",
        &[("k", DataType::string()), ("v", DataType::string())],
        &[0],
        &options,
    )
}

fn sink(context: &TableContext) -> SinkBox {
    let plugin = load(&redis_plugin()).unwrap();
    plugin
        .factory("redis")
        .unwrap()
        .create_sink(context)
        .unwrap()
}

fn lookup(context: &TableContext) -> LookupBox {
    let plugin = load(&redis_plugin()).unwrap();
    plugin
        .factory("redis")
        .unwrap()
        .create_lookup(context)
        .unwrap()
}

fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| Row::insert(vec![Value::from(format!("k{i}").as_str()), "v".into()]))
        .collect()
}

#[test]
fn a_url_with_an_acl_user_and_a_database_reaches_that_database_as_that_user() {
    let server = RedisServer::with_args(&[
        "--user", "default", "off", "--user", "writer", "on", ">s3cret", "~*", "&*", "+@all",
    ]);
    let url = format!("redis://writer:s3cret@127.0.0.1:{}/3", server.port());
    let context = table_context(
        "t",
        &[("k", DataType::string()), ("v", DataType::string())],
        &[0],
        &[("connector", "redis"), ("url", url.as_str())],
    );
    let mut sink = sink(&context);
    sink.open().unwrap();
    sink.write(RSlice::from_slice(&rows(3))).unwrap();
    sink.flush().unwrap();
    let mut con = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let v: String = redis::cmd("GET").arg("k2").query(&mut con).unwrap();
    assert_eq!(v, "v");
    let in_db0: i64 = redis::cmd("SELECT")
        .arg(0)
        .query::<()>(&mut con)
        .and_then(|_| redis::cmd("DBSIZE").query(&mut con))
        .unwrap();
    assert_eq!(in_db0, 0, "written to database 3 only");
    let mut lookup = lookup(&context);
    let answers = lookup
        .lookup(RSlice::from_slice(&[Row::insert(vec!["k1".into()])]))
        .unwrap();
    assert_eq!(answers[0][0].values[1], Value::from("v"));

    // A wrong password in the URL: an AUTH error that shows neither password.
    let wrong = format!("redis://writer:nope@127.0.0.1:{}/3", server.port());
    let context = table_context(
        "t",
        &[("k", DataType::string()), ("v", DataType::string())],
        &[0],
        &[("connector", "redis"), ("url", wrong.as_str())],
    );
    let err = sink_of(&context).open().unwrap_err();
    assert_eq!(err.kind, ErrorKind::AUTH, "{}", err.message);
    assert!(!err.message.contains("nope") && !err.message.contains("s3cret"));
}

fn sink_of(context: &TableContext) -> SinkBox {
    sink(context)
}

const SHORT: &[(&str, &str)] = &[
    ("connect.timeout", "300ms"),
    ("command.timeout", "300ms"),
    ("retry.timeout", "2s"),
];

/// The time a failure took must be within the budget, give or take the machine's noise.
fn assert_within_budget(took: Duration) {
    assert!(
        took >= Duration::from_millis(900) && took <= Duration::from_millis(3500),
        "took {took:?} for a 2 s retry budget"
    );
}

#[test]
fn a_paused_server_fails_a_flush_within_the_budget_naming_the_command_timeout() {
    let server = RedisServer::start();
    let mut sink = sink(&kv_table(&server, SHORT));
    sink.open().unwrap();
    server.pause();
    sink.write(RSlice::from_slice(&rows(10))).unwrap();
    let started = Instant::now();
    let err = sink.flush().unwrap_err();
    let took = started.elapsed();
    server.resume();
    assert_eq!(err.kind, ErrorKind::CONNECTION);
    let message = err.message.as_str();
    let server_named = format!("redis at 127.0.0.1:{} failed: ", server.port());
    assert!(message.starts_with("table 't': "), "{message}");
    assert!(message.contains(&server_named), "{message}");
    // The first attempt waits for a reply; the retries find no connection either.
    assert!(
        message.contains("no reply within 'command.timeout' = 300ms")
            || message.contains("no connection within 'connect.timeout' = 300ms"),
        "{message}"
    );
    assert!(message.ends_with("; 'retry.timeout' = 2s)"), "{message}");
    assert_within_budget(took);
}

#[test]
fn a_paused_server_fails_connecting_within_the_budget_naming_the_connect_timeout() {
    let server = RedisServer::start();
    server.pause();
    let mut sink = sink(&kv_table(&server, SHORT));
    let started = Instant::now();
    let err = sink.open().unwrap_err();
    let took = started.elapsed();
    server.resume();
    let message = err.message.as_str();
    assert!(
        message.starts_with(&format!(
            "table 't': connecting to redis at 127.0.0.1:{} failed: no connection within \
             'connect.timeout' = 300ms (",
            server.port()
        )),
        "{message}"
    );
    assert!(message.contains(" attempts over "), "{message}");
    assert_within_budget(took);
}

#[test]
fn a_paused_server_fails_a_lookup_within_the_budget() {
    let server = RedisServer::start();
    let mut lookup = lookup(&kv_table(&server, SHORT));
    let keys = [Row::insert(vec!["k1".into()])];
    // Connected and answering first.
    assert_eq!(lookup.lookup(RSlice::from_slice(&keys)).unwrap().len(), 1);
    server.pause();
    let started = Instant::now();
    let err = lookup.lookup(RSlice::from_slice(&keys)).unwrap_err();
    let took = started.elapsed();
    server.resume();
    let message = err.message.as_str();
    assert!(
        message.starts_with(&format!(
            "table 't': looking up in redis at 127.0.0.1:{} failed: ",
            server.port()
        )),
        "{message}"
    );
    assert!(
        message.contains("'command.timeout' = 300ms")
            || message.contains("'connect.timeout' = 300ms"),
        "{message}"
    );
    assert!(message.ends_with("; 'retry.timeout' = 2s)"), "{message}");
    assert_within_budget(took);
}

#[test]
fn a_server_restarted_within_10_s_loses_nothing_with_the_default_options() {
    let mut server = RedisServer::start();
    let mut sink = sink(&kv_table(&server, &[("sink.buffer-flush.interval", "1h")]));
    sink.open().unwrap();
    server.kill();
    let down = Instant::now();
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(10));
        server.restart();
        server
    });
    // 2,000 rows: the first 1,000 (`sink.buffer-flush.max-rows`) are flushed by `write`
    // itself, while the server is down.
    sink.write(RSlice::from_slice(&rows(2000))).unwrap();
    sink.flush().unwrap();
    let server = restarter.join().unwrap();
    assert!(down.elapsed() >= Duration::from_secs(10));
    let mut con = redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let written: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(written, 2000, "every row, written after the restart");
    let retries = connector_tests::counter(&sink.counters(), "retries");
    assert!(
        retries >= 10,
        "retried while the server was down: {retries}"
    );
}

#[test]
fn a_count_still_limits_the_retries_and_is_named() {
    let mut server = RedisServer::start();
    server.kill();
    let mut sink = sink(&kv_table(&server, &[("sink.max-retries", "2")]));
    let err = sink.open().unwrap_err();
    let message = err.message.as_str();
    assert!(
        message.contains(" (3 attempts over ") && message.ends_with("; 'sink.max-retries' = 2)"),
        "{message}"
    );
    assert_eq!(connector_tests::counter(&sink.counters(), "retries"), 2);
}

#[test]
fn no_retries_when_the_budget_is_zero() {
    let mut server = RedisServer::start();
    server.kill();
    let mut sink = sink(&kv_table(&server, &[("retry.timeout", "0s")]));
    let started = Instant::now();
    let err = sink.open().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(err.message.contains("(1 attempt over "), "{}", err.message);
    assert_eq!(connector_tests::counter(&sink.counters(), "retries"), 0);
}

#[test]
fn a_value_too_large_for_the_server_fails_at_once_with_its_reason_and_the_key() {
    let server = RedisServer::with_args(&["--proto-max-bulk-len", "1mb"]);
    let mut sink = sink(&kv_table(&server, &[]));
    sink.open().unwrap();
    let big = "x".repeat(2 << 20);
    let rows = [
        Row::insert(vec!["small".into(), "v".into()]),
        Row::insert(vec!["huge".into(), big.as_str().into()]),
    ];
    sink.write(RSlice::from_slice(&rows)).unwrap();
    let started = Instant::now();
    let err = sink.flush().unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.kind, ErrorKind::DATA, "{}", err.message);
    assert!(
        err.message.contains("key 'huge'") && err.message.contains("proto-max-bulk-len"),
        "{}",
        err.message
    );
    assert_eq!(connector_tests::counter(&sink.counters(), "retries"), 0);
}
