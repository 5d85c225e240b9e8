//! The Redis sink through the real `.so` and the real loader, against a real `redis-server`:
//! what lands in Redis for each kind of table and row, TTLs, the interval flush, the flush
//! contract, retries across restarts and killed connections, and the errors users see.

use std::time::{Duration, Instant};

use abi_stable::std_types::RSlice;
use connector_host::loader::load;
use connector_interface::{
    DataType, ErrorKind, Row, RowKind, SinkBox, TableContext, TypeKind, Value,
};
use connector_tests::{redis_plugin, table_context as table, RedisServer};
use redis::Commands;

fn s() -> DataType {
    DataType::string()
}

fn int() -> DataType {
    DataType::new(TypeKind::INT)
}

fn server_options(server: &RedisServer) -> Vec<(&'static str, String)> {
    vec![
        ("connector", "redis".to_string()),
        ("hostname", "127.0.0.1".to_string()),
        ("port", server.port().to_string()),
    ]
}

fn options<'a>(
    base: &'a [(&'static str, String)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut all: Vec<(&str, &str)> = base.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(extra);
    all
}

/// Table `t` (id BIGINT, v STRING) keyed on `id`, on this server, with these options too.
fn id_v_table(server: &RedisServer, extra: &[(&str, &str)]) -> TableContext {
    let base = server_options(server);
    table(
        "t",
        &[("id", DataType::new(TypeKind::BIGINT)), ("v", s())],
        &[0],
        &options(&base, extra),
    )
}

/// Rows of `id_v_table`: these ids, each with the value `v`.
fn id_v_rows(ids: std::ops::Range<i64>, v: &str) -> Vec<Row> {
    ids.map(|i| ins(vec![Value::BigInt(i), v.into()])).collect()
}

fn create_sink(context: &TableContext) -> SinkBox {
    let plugin = load(&redis_plugin()).unwrap();
    let factory = plugin.factory("redis").unwrap();
    factory.create_sink(context).unwrap()
}

fn open_sink(context: &TableContext) -> SinkBox {
    let mut sink = create_sink(context);
    sink.open().unwrap();
    sink
}

fn write(sink: &mut SinkBox, rows: &[Row]) {
    sink.write(RSlice::from_slice(rows)).unwrap();
}

fn redis_con(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn counter(sink: &SinkBox, name: &str) -> u64 {
    connector_tests::counter(&sink.counters(), name)
}

fn ins(values: Vec<Value>) -> Row {
    Row::insert(values)
}

#[test]
fn several_value_columns_become_a_json_object() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let ctx = table(
        "redis",
        &[("id", s()), ("name", s()), ("sex", s())],
        &[0],
        &options(&base, &[]),
    );
    let mut sink = open_sink(&ctx);
    write(
        &mut sink,
        &[
            ins(vec!["1".into(), "Alice".into(), "F".into()]),
            ins(vec!["2".into(), "张三".into(), Value::Null]),
        ],
    );
    sink.flush().unwrap();
    let mut con = redis_con(&server);
    let one: String = con.get("1").unwrap();
    assert_eq!(one, r#"{"name":"Alice","sex":"F"}"#);
    let two: String = con.get("2").unwrap();
    assert_eq!(
        two, r#"{"name":"张三","sex":null}"#,
        "non-ASCII text and NULL as null"
    );
}

#[test]
fn a_single_value_column_is_written_raw_and_json_format_can_be_forced() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let raw = table(
        "raw",
        &[("k", s()), ("n", int())],
        &[0],
        &options(&base, &[("key.prefix", "raw:")]),
    );
    let mut sink = open_sink(&raw);
    write(&mut sink, &[ins(vec!["a".into(), Value::Int(42)])]);
    sink.flush().unwrap();
    let json = table(
        "json",
        &[("k", s()), ("n", int())],
        &[0],
        &options(&base, &[("key.prefix", "json:"), ("value.format", "json")]),
    );
    let mut sink = open_sink(&json);
    write(&mut sink, &[ins(vec!["a".into(), Value::Int(42)])]);
    sink.flush().unwrap();
    let mut con = redis_con(&server);
    assert_eq!(con.get::<_, String>("raw:a").unwrap(), "42");
    assert_eq!(con.get::<_, String>("json:a").unwrap(), r#"{"n":42}"#);
}

#[test]
fn hash_tables_write_one_field_per_column_and_null_removes_the_field() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let ctx = table(
        "h",
        &[("id", s()), ("name", s()), ("age", int())],
        &[0],
        &options(&base, &[("type", "hash")]),
    );
    let mut sink = open_sink(&ctx);
    write(
        &mut sink,
        &[ins(vec!["u1".into(), "Bob".into(), Value::Int(30)])],
    );
    sink.flush().unwrap();
    let mut con = redis_con(&server);
    let fields: std::collections::HashMap<String, String> = con.hgetall("u1").unwrap();
    assert_eq!(fields.get("name").map(String::as_str), Some("Bob"));
    assert_eq!(fields.get("age").map(String::as_str), Some("30"));
    write(
        &mut sink,
        &[Row::new(
            RowKind::UpdateAfter,
            vec!["u1".into(), "Bob".into(), Value::Null],
        )],
    );
    sink.flush().unwrap();
    let fields: std::collections::HashMap<String, String> = con.hgetall("u1").unwrap();
    assert_eq!(fields.len(), 1, "age removed: {fields:?}");
}

#[test]
fn multi_column_primary_keys_use_key_order_prefix_and_separator() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let ctx = table(
        "orders",
        &[
            ("amount", int()),
            ("shop", s()),
            ("order_id", DataType::new(TypeKind::BIGINT)),
        ],
        &[2, 1],
        &options(&base, &[("key.prefix", "order:"), ("key.separator", "#")]),
    );
    let mut sink = open_sink(&ctx);
    write(
        &mut sink,
        &[ins(vec![Value::Int(99), "north".into(), Value::BigInt(7)])],
    );
    sink.flush().unwrap();
    let mut con = redis_con(&server);
    assert_eq!(con.get::<_, String>("order:7#north").unwrap(), "99");
}

#[test]
fn seed_table_without_primary_key_keys_by_the_first_column() {
    let server = RedisServer::start();
    let base = server_options(&server);
    // The seed's `redis_dim (sex STRING, desc STRING)`.
    let ctx = table(
        "redis_dim",
        &[("sex", s()), ("desc", s())],
        &[],
        &options(&base, &[("password", "")]),
    );
    let mut sink = open_sink(&ctx);
    write(&mut sink, &[ins(vec!["F".into(), "female".into()])]);
    sink.flush().unwrap();
    assert_eq!(redis_con(&server).get::<_, String>("F").unwrap(), "female");
}

#[test]
fn update_before_is_ignored_and_delete_removes_the_key_in_changelog_order() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let ctx = table("t", &[("id", s()), ("v", s())], &[0], &options(&base, &[]));
    let mut sink = open_sink(&ctx);
    write(
        &mut sink,
        &[
            ins(vec!["a".into(), "1".into()]),
            ins(vec!["b".into(), "1".into()]),
            Row::new(RowKind::UpdateBefore, vec!["a".into(), "1".into()]),
            Row::new(RowKind::UpdateAfter, vec!["a".into(), "2".into()]),
            Row::new(RowKind::Delete, vec!["b".into(), "1".into()]),
            Row::new(RowKind::UpdateAfter, vec!["c".into(), "3".into()]),
            Row::new(RowKind::Delete, vec!["c".into(), Value::Null]),
            Row::new(RowKind::Insert, vec!["c".into(), "4".into()]),
        ],
    );
    sink.flush().unwrap();
    let mut con = redis_con(&server);
    assert_eq!(
        con.get::<_, Option<String>>("a").unwrap().as_deref(),
        Some("2")
    );
    assert_eq!(con.get::<_, Option<String>>("b").unwrap(), None);
    assert_eq!(
        con.get::<_, Option<String>>("c").unwrap().as_deref(),
        Some("4")
    );
    assert_eq!(counter(&sink, "rows_written"), 5);
    assert_eq!(counter(&sink, "rows_deleted"), 2);
    assert_eq!(counter(&sink, "rows_ignored"), 1);
    assert_eq!(counter(&sink, "flushes"), 1);
}

#[test]
fn a_null_raw_value_deletes_the_key() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let ctx = table("t", &[("id", s()), ("v", s())], &[0], &options(&base, &[]));
    let mut sink = open_sink(&ctx);
    write(&mut sink, &[ins(vec!["a".into(), "1".into()])]);
    sink.flush().unwrap();
    write(
        &mut sink,
        &[Row::new(
            RowKind::UpdateAfter,
            vec!["a".into(), Value::Null],
        )],
    );
    sink.flush().unwrap();
    assert_eq!(
        redis_con(&server).get::<_, Option<String>>("a").unwrap(),
        None
    );
}

#[test]
fn a_null_key_fails_naming_table_and_column() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let ctx = table(
        "users",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[]),
    );
    let mut sink = open_sink(&ctx);
    let err = sink
        .write(RSlice::from_slice(&[ins(vec![Value::Null, "x".into()])]))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DATA);
    assert_eq!(
        err.message.as_str(),
        "table 'users': key column 'id' is NULL"
    );
}

#[test]
fn ttl_is_set_with_every_write_for_strings_and_hashes() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let strings = table(
        "s",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[("ttl", "60"), ("key.prefix", "s:")]),
    );
    let hashes = table(
        "h",
        &[("id", s()), ("v", s())],
        &[0],
        &options(
            &base,
            &[("ttl", "60"), ("key.prefix", "h:"), ("type", "hash")],
        ),
    );
    for ctx in [&strings, &hashes] {
        let mut sink = open_sink(ctx);
        write(
            &mut sink,
            &[
                ins(vec!["1".into(), "x".into()]),
                ins(vec!["2".into(), "y".into()]),
            ],
        );
        sink.flush().unwrap();
    }
    let mut con = redis_con(&server);
    for key in ["s:1", "s:2", "h:1", "h:2"] {
        let ttl: i64 = con.ttl(key).unwrap();
        assert!((1..=60).contains(&ttl), "{key} has TTL {ttl}");
    }
    // A later write refreshes the TTL in the same round trip.
    let _: () = con.expire("s:1", 5).unwrap();
    let mut sink = open_sink(&strings);
    write(&mut sink, &[ins(vec!["1".into(), "z".into()])]);
    sink.flush().unwrap();
    let ttl: i64 = con.ttl("s:1").unwrap();
    assert!(ttl > 5, "TTL refreshed by the write: {ttl}");
}

#[test]
fn rows_are_written_after_the_interval_when_the_input_goes_quiet() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let ctx = table(
        "t",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[("sink.buffer-flush.interval", "200ms")]),
    );
    let mut sink = open_sink(&ctx);
    write(&mut sink, &[ins(vec!["quiet".into(), "1".into()])]);
    let mut con = redis_con(&server);
    let started = Instant::now();
    while con.get::<_, Option<String>>("quiet").unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the buffered row was never written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "written before the interval"
    );
    assert_eq!(counter(&sink, "flushes"), 1);
}

#[test]
fn flush_returns_only_when_every_row_is_in_redis() {
    let server = RedisServer::start();
    let ctx = id_v_table(
        &server,
        &[
            ("sink.buffer-flush.interval", "1h"),
            ("sink.buffer-flush.max-rows", "100000"),
        ],
    );
    let mut sink = open_sink(&ctx);
    let rows = id_v_rows(0..5000, "v");
    write(&mut sink, &rows);
    let mut con = redis_con(&server);
    let buffered: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(buffered, 0, "rows stay buffered until a flush");
    sink.flush().unwrap();
    let written: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(written, 5000);
}

#[test]
fn max_rows_bounds_the_buffer() {
    let server = RedisServer::start();
    let ctx = id_v_table(
        &server,
        &[
            ("sink.buffer-flush.interval", "1h"),
            ("sink.buffer-flush.max-rows", "100"),
        ],
    );
    let mut sink = open_sink(&ctx);
    let rows = id_v_rows(0..250, "v");
    write(&mut sink, &rows);
    // Two full buffers were sent without a flush; the last 50 rows stay buffered.
    let mut con = redis_con(&server);
    let started = Instant::now();
    let mut written: i64 = 0;
    while written < 200 && started.elapsed() < Duration::from_secs(5) {
        written = redis::cmd("DBSIZE").query(&mut con).unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    let written: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(
        written, 200,
        "two full buffers written, 50 rows still buffered"
    );
    assert_eq!(counter(&sink, "flushes"), 0);
    sink.flush().unwrap();
    let written: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(written, 250);
    assert_eq!(counter(&sink, "rows_written"), 250);
}

#[test]
fn a_server_restart_during_a_flush_loses_nothing() {
    let mut server = RedisServer::start();
    let ctx = id_v_table(
        &server,
        &[
            ("sink.buffer-flush.interval", "1h"),
            ("sink.max-retries", "8"),
        ],
    );
    let mut sink = open_sink(&ctx);
    server.kill();
    let rows = id_v_rows(0..500, "after");
    write(&mut sink, &rows);
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        server.restart();
        server
    });
    sink.flush().unwrap();
    let server = restarter.join().unwrap();
    let written: i64 = redis::cmd("DBSIZE").query(&mut redis_con(&server)).unwrap();
    assert_eq!(written, 500, "every row written after the restart");
    assert!(counter(&sink, "retries") >= 1);
}

#[test]
fn killed_client_connections_are_reopened_and_nothing_is_lost() {
    let server = RedisServer::start();
    let ctx = id_v_table(&server, &[("sink.buffer-flush.interval", "1h")]);
    let mut sink = open_sink(&ctx);
    let mut con = redis_con(&server);
    for round in 0..3i64 {
        let _: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("TYPE")
            .arg("normal")
            .arg("SKIPME")
            .arg("yes")
            .query(&mut con)
            .unwrap();
        let rows: Vec<Row> = (0..100)
            .map(|i| ins(vec![Value::BigInt(round * 100 + i), "v".into()]))
            .collect();
        write(&mut sink, &rows);
        sink.flush().unwrap();
    }
    let written: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(written, 300);
    assert!(
        counter(&sink, "retries") >= 3,
        "one reconnect per killed connection"
    );
}

#[test]
fn a_wrong_password_gives_one_clear_error_without_the_password() {
    let server = RedisServer::with_password("s3cret-pass");
    let base = server_options(&server);
    let ctx = table(
        "redis",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[("password", "wrong-pass")]),
    );
    let mut sink = create_sink(&ctx);
    let err = sink.open().unwrap_err();
    assert_eq!(err.kind, ErrorKind::AUTH);
    let expected = format!(
        "table 'redis': connecting to redis at 127.0.0.1:{} failed: ",
        server.port()
    );
    assert!(err.message.starts_with(&expected), "{}", err.message);
    assert!(
        err.message.to_lowercase().contains("authentication failed"),
        "{}",
        err.message
    );
    assert!(
        !err.message.contains("wrong-pass") && !err.message.contains("s3cret"),
        "{}",
        err.message
    );
    assert_eq!(
        counter(&sink, "retries"),
        0,
        "authentication errors are not retried"
    );

    // No password at all against a server that needs one.
    let ctx = table(
        "redis",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[]),
    );
    let err = create_sink(&ctx).open().unwrap_err();
    assert_eq!(err.kind, ErrorKind::AUTH, "{}", err.message);
    assert!(err.message.contains("NOAUTH"), "{}", err.message);
}

#[test]
fn the_right_password_works() {
    let server = RedisServer::with_password("123456");
    let base = server_options(&server);
    let ctx = table(
        "redis",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[("password", "123456")]),
    );
    let mut sink = open_sink(&ctx);
    write(&mut sink, &[ins(vec!["k".into(), "v".into()])]);
    sink.flush().unwrap();
    let mut con = redis::Client::open(format!("redis://:123456@127.0.0.1:{}/", server.port()))
        .unwrap()
        .get_connection()
        .unwrap();
    assert_eq!(con.get::<_, String>("k").unwrap(), "v");
}

#[test]
fn a_server_that_is_down_gives_one_clear_error_after_the_retries() {
    let mut server = RedisServer::start();
    let base = server_options(&server);
    server.kill();
    let ctx = table(
        "redis",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[("sink.max-retries", "2")]),
    );
    let mut sink = create_sink(&ctx);
    let err = sink.open().unwrap_err();
    assert_eq!(err.kind, ErrorKind::CONNECTION);
    let expected = format!(
        "table 'redis': connecting to redis at 127.0.0.1:{} failed: ",
        server.port()
    );
    assert!(err.message.starts_with(&expected), "{}", err.message);
    assert!(
        err.message.to_lowercase().contains("refused"),
        "{}",
        err.message
    );
    assert_eq!(err.message.lines().count(), 1);
    assert_eq!(counter(&sink, "retries"), 2);
}

#[test]
fn a_wrongtype_key_fails_at_once() {
    let server = RedisServer::start();
    let base = server_options(&server);
    let mut con = redis_con(&server);
    let _: () = con.set("taken", "a string").unwrap();
    let ctx = table(
        "h",
        &[("id", s()), ("v", s())],
        &[0],
        &options(&base, &[("type", "hash")]),
    );
    let mut sink = open_sink(&ctx);
    write(&mut sink, &[ins(vec!["taken".into(), "x".into()])]);
    let err = sink.flush().unwrap_err();
    assert_eq!(err.kind, ErrorKind::DATA);
    let expected = format!(
        "table 'h': writing to redis at 127.0.0.1:{} failed: WRONGTYPE",
        server.port()
    );
    assert!(err.message.starts_with(&expected), "{}", err.message);
    assert_eq!(counter(&sink, "retries"), 0);
    assert_eq!(counter(&sink, "errors"), 1);
}
