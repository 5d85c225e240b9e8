//! The Redis lookup through the real `.so`, against a real `redis-server`: declared schemas and
//! types, misses, batches, the cache, retries, errors, and the seed's write-back.

use std::time::Duration;

use abi_stable::std_types::{RSlice, RStr, RVec};
use connector_host::loader::load;
use connector_interface::extension::Extension;
use connector_interface::{
    DataType, Decimal, ErrorKind, LookupBox, PackedLookupBox, Row, SinkBox, TableContext,
    Timestamp, TypeKind, Value, PACKED_LOOKUP_1,
};
use connector_tests::{redis_plugin, table_context, RedisServer};
use redis::Commands;

fn ty(kind: TypeKind, precision: u32, scale: u32) -> DataType {
    DataType {
        precision,
        scale,
        ..DataType::new(kind)
    }
}

fn s() -> DataType {
    DataType::string()
}

struct Table {
    name: &'static str,
    columns: Vec<(&'static str, DataType)>,
    pk: Vec<u32>,
    lookup_keys: Vec<u32>,
    options: Vec<(String, String)>,
}

impl Table {
    fn new(
        server: &RedisServer,
        name: &'static str,
        columns: Vec<(&'static str, DataType)>,
        pk: &[u32],
    ) -> Table {
        Table {
            name,
            columns,
            pk: pk.to_vec(),
            lookup_keys: if pk.is_empty() { vec![0] } else { pk.to_vec() },
            options: vec![
                ("connector".into(), "redis".into()),
                ("hostname".into(), "127.0.0.1".into()),
                ("port".into(), server.port().to_string()),
            ],
        }
    }

    fn with(mut self, key: &str, value: &str) -> Table {
        self.options.push((key.into(), value.into()));
        self
    }

    fn context(&self) -> TableContext {
        let options: Vec<(&str, &str)> = self
            .options
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut context = table_context(self.name, &self.columns, &self.pk, &options);
        context.lookup_keys = RVec::from(self.lookup_keys.clone());
        context
    }

    /// A lookup of the table, not opened yet.
    fn create_lookup(&self) -> LookupBox {
        let plugin = load(&redis_plugin()).unwrap();
        plugin
            .factory("redis")
            .unwrap()
            .create_lookup(&self.context())
            .unwrap()
    }

    fn lookup(&self) -> LookupBox {
        let mut lookup = self.create_lookup();
        lookup.open().unwrap();
        lookup
    }

    fn sink(&self) -> SinkBox {
        let plugin = load(&redis_plugin()).unwrap();
        let mut sink = plugin
            .factory("redis")
            .unwrap()
            .create_sink(&self.context())
            .unwrap();
        sink.open().unwrap();
        sink
    }
}

/// A lookup handed over to its `"packed-lookup/1"` extension (as the host's runner uses it),
/// opened, and the original it was handed over from.
fn packed_lookup(table: &Table) -> (Extension<PackedLookupBox>, LookupBox) {
    let mut original = table.create_lookup();
    let mut packed = original
        .extension(RStr::from_str(PACKED_LOOKUP_1))
        .into_option()
        .expect("the Redis lookup offers packed-lookup/1")
        .downcast::<PackedLookupBox>()
        .unwrap();
    packed.open().unwrap();
    (packed, original)
}

/// `probe` through a packed lookup: one batch submitted and collected, its answers unpacked.
fn probe_packed(
    lookup: &mut Extension<PackedLookupBox>,
    keys: Vec<Vec<Value>>,
) -> Vec<Vec<Vec<Value>>> {
    let rows: Vec<Row> = keys.into_iter().map(Row::insert).collect();
    lookup.submit(RSlice::from_slice(&rows)).unwrap();
    let answers = lookup.collect().unwrap();
    assert_eq!(answers.keys(), rows.len(), "one answer per key");
    answers
        .unpack_rows()
        .unwrap()
        .into_iter()
        .map(|answer| answer.into_iter().map(|r| r.values.into_vec()).collect())
        .collect()
}

fn probe(lookup: &mut LookupBox, keys: Vec<Vec<Value>>) -> Vec<Vec<Vec<Value>>> {
    let rows: Vec<Row> = keys.into_iter().map(Row::insert).collect();
    lookup
        .lookup(RSlice::from_slice(&rows))
        .unwrap()
        .into_iter()
        .map(|answer| answer.into_iter().map(|r| r.values.into_vec()).collect())
        .collect()
}

fn counter(lookup: &LookupBox, name: &str) -> u64 {
    connector_tests::counter(&lookup.counters(), name)
}

fn con(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn typed_table(server: &RedisServer) -> Table {
    Table::new(
        server,
        "products",
        vec![
            ("id", ty(TypeKind::BIGINT, 0, 0)),
            ("qty", ty(TypeKind::INT, 0, 0)),
            ("weight", ty(TypeKind::DOUBLE, 0, 0)),
            ("active", ty(TypeKind::BOOLEAN, 0, 0)),
            ("price", ty(TypeKind::DECIMAL, 10, 2)),
            ("since", ty(TypeKind::DATE, 0, 0)),
            ("updated", ty(TypeKind::TIMESTAMP, 3, 0)),
            ("name", s()),
        ],
        &[0],
    )
    .with("key.prefix", "product:")
}

fn typed_row() -> Vec<Value> {
    vec![
        Value::BigInt(7),
        Value::Int(3),
        Value::Double(1.25),
        Value::Boolean(true),
        Value::Decimal(Decimal::new(1999, 10, 2)),
        Value::Date(19_723),
        Value::Timestamp(Timestamp {
            seconds: 1_700_000_000,
            nanos: 123_000_000,
        }),
        "Tea 茶".into(),
    ]
}

#[test]
fn string_dimension_reads_back_what_the_sink_wrote_with_declared_types() {
    let server = RedisServer::start();
    for table in [
        typed_table(&server),
        typed_table(&server).with("type", "hash"),
    ] {
        let _: () = redis::cmd("FLUSHALL").query(&mut con(&server)).unwrap();
        let mut sink = table.sink();
        sink.write(RSlice::from_slice(&[Row::insert(typed_row())]))
            .unwrap();
        sink.flush().unwrap();
        let mut lookup = table.lookup();
        let answers = probe(
            &mut lookup,
            vec![vec![Value::BigInt(7)], vec![Value::BigInt(8)]],
        );
        assert_eq!(answers[0], vec![typed_row()], "the row, typed as declared");
        assert!(answers[1].is_empty(), "a miss is no row");
        assert_eq!(counter(&lookup, "hits"), 1);
        assert_eq!(counter(&lookup, "misses"), 1);
    }
}

#[test]
fn cached_rows_come_back_typed_as_declared() {
    let server = RedisServer::start();
    for table in [
        typed_table(&server),
        typed_table(&server).with("type", "hash"),
    ] {
        let table = table
            .with("lookup.cache", "PARTIAL")
            .with("lookup.partial-cache.max-rows", "10");
        let _: () = redis::cmd("FLUSHALL").query(&mut con(&server)).unwrap();
        let mut sink = table.sink();
        sink.write(RSlice::from_slice(&[Row::insert(typed_row())]))
            .unwrap();
        sink.flush().unwrap();
        let mut lookup = table.lookup();
        let keys = vec![vec![Value::BigInt(7)], vec![Value::BigInt(8)]];
        let first = probe(&mut lookup, keys.clone());
        let _: () = redis::cmd("FLUSHALL").query(&mut con(&server)).unwrap();
        let second = probe(&mut lookup, keys);
        assert_eq!(second, first, "the cache answers as Redis did");
        assert_eq!(second[0], vec![typed_row()], "every type as declared");
        assert!(second[1].is_empty(), "a cached miss is no row");
        assert_eq!(counter(&lookup, "cache_hits"), 2);
        assert_eq!(counter(&lookup, "round_trips"), 1);
    }
}

#[test]
fn seed_dimension_without_primary_key_reads_the_raw_value() {
    let server = RedisServer::start();
    let _: () = con(&server).set("F", "female").unwrap();
    let table = Table::new(&server, "redis_dim", vec![("sex", s()), ("desc", s())], &[]);
    let mut lookup = table.lookup();
    let answers = probe(&mut lookup, vec![vec!["F".into()], vec!["M".into()]]);
    assert_eq!(
        answers[0],
        vec![vec![Value::from("F"), Value::from("female")]]
    );
    assert!(answers[1].is_empty());
}

#[test]
fn multi_column_keys_and_extra_join_columns() {
    let server = RedisServer::start();
    let _: () = con(&server)
        .set("shop:north#7", r#"{"amount":99,"status":"paid"}"#)
        .unwrap();
    let mut table = Table::new(
        &server,
        "orders",
        vec![
            ("amount", ty(TypeKind::INT, 0, 0)),
            ("shop", s()),
            ("order_id", ty(TypeKind::BIGINT, 0, 0)),
            ("status", s()),
        ],
        &[1, 2],
    )
    .with("key.prefix", "shop:")
    .with("key.separator", "#");
    // ON o.order_id = d.order_id AND o.shop = d.shop AND o.status = d.status
    table.lookup_keys = vec![2, 1, 3];
    let mut lookup = table.lookup();
    let answers = probe(
        &mut lookup,
        vec![
            vec![Value::BigInt(7), "north".into(), "paid".into()],
            vec![Value::BigInt(7), "north".into(), "open".into()],
        ],
    );
    assert_eq!(
        answers[0],
        vec![vec![
            Value::Int(99),
            "north".into(),
            Value::BigInt(7),
            "paid".into()
        ]]
    );
    assert!(
        answers[1].is_empty(),
        "the extra join column does not match"
    );
}

#[test]
fn duplicate_keys_in_a_batch_take_one_round_trip() {
    let server = RedisServer::start();
    let _: () = con(&server).set("a", "1").unwrap();
    let table = Table::new(
        &server,
        "d",
        vec![("k", s()), ("v", ty(TypeKind::INT, 0, 0))],
        &[0],
    );
    let mut lookup = table.lookup();
    let keys: Vec<Vec<Value>> = ["a", "b", "a", "a", "b"]
        .iter()
        .map(|k| vec![Value::from(*k)])
        .collect();
    let answers = probe(&mut lookup, keys);
    assert_eq!(answers.len(), 5, "one answer per probe, in order");
    for i in [0, 2, 3] {
        assert_eq!(answers[i], vec![vec![Value::from("a"), Value::Int(1)]]);
    }
    assert!(answers[1].is_empty() && answers[4].is_empty());
    assert_eq!(counter(&lookup, "round_trips"), 1);
    assert_eq!(counter(&lookup, "lookups"), 5);
}

#[test]
fn a_value_that_cannot_be_converted_names_table_key_column_and_value() {
    let server = RedisServer::start();
    let _: () = con(&server).set("k1", r#"{"qty":"many"}"#).unwrap();
    let table = Table::new(
        &server,
        "stock",
        vec![("id", s()), ("qty", ty(TypeKind::INT, 0, 0)), ("note", s())],
        &[0],
    );
    let mut lookup = table.lookup();
    let rows = [Row::insert(vec!["k1".into()])];
    let err = lookup.lookup(RSlice::from_slice(&rows)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::DATA);
    assert_eq!(
        err.message.as_str(),
        "table 'stock': key 'k1': column 'qty': cannot convert '\"many\"' to a INT value"
    );
}

#[test]
fn the_cache_answers_repeats_expires_and_evicts() {
    let server = RedisServer::start();
    let mut c = con(&server);
    let _: () = c.set("a", "1").unwrap();
    let _: () = c.set("b", "2").unwrap();
    let table = Table::new(&server, "d", vec![("k", s()), ("v", s())], &[0])
        .with("lookup.cache", "PARTIAL")
        .with("lookup.partial-cache.max-rows", "2")
        .with("lookup.partial-cache.expire-after-write", "300ms");
    let mut lookup = table.lookup();
    assert_eq!(
        probe(&mut lookup, vec![vec!["a".into()]])[0][0][1],
        Value::from("1")
    );
    let _: () = c.set("a", "changed").unwrap();
    assert_eq!(
        probe(&mut lookup, vec![vec!["a".into()]])[0][0][1],
        Value::from("1"),
        "cached"
    );
    assert_eq!(counter(&lookup, "cache_hits"), 1);
    assert_eq!(counter(&lookup, "round_trips"), 1);

    // A miss is cached too (cache-missing-key defaults to true).
    assert!(probe(&mut lookup, vec![vec!["z".into()]])[0].is_empty());
    let _: () = c.set("z", "late").unwrap();
    assert!(
        probe(&mut lookup, vec![vec!["z".into()]])[0].is_empty(),
        "cached miss"
    );

    // 'a' and 'z' fill the two places; 'b' evicts the least recently used ('a').
    probe(&mut lookup, vec![vec!["b".into()]]);
    assert_eq!(counter(&lookup, "cache_evictions"), 1);

    // After expire-after-write everything is read again.
    std::thread::sleep(Duration::from_millis(350));
    let answers = probe(&mut lookup, vec![vec!["a".into()], vec!["z".into()]]);
    assert_eq!(answers[0][0][1], Value::from("changed"));
    assert_eq!(answers[1][0][1], Value::from("late"));
}

#[test]
fn seed_cache_options_and_missing_keys_left_uncached() {
    let server = RedisServer::start();
    let table = Table::new(&server, "d", vec![("k", s()), ("v", s())], &[0])
        .with("open.cache", "true")
        .with("cache.size", "10")
        .with("lookup.partial-cache.cache-missing-key", "false");
    let mut lookup = table.lookup();
    assert!(probe(&mut lookup, vec![vec!["z".into()]])[0].is_empty());
    let _: () = con(&server).set("z", "now").unwrap();
    assert_eq!(
        probe(&mut lookup, vec![vec!["z".into()]])[0][0][1],
        Value::from("now")
    );
    assert_eq!(
        probe(&mut lookup, vec![vec!["z".into()]])[0][0][1],
        Value::from("now")
    );
    assert_eq!(counter(&lookup, "cache_hits"), 1);
}

#[test]
fn lookups_retry_across_a_server_restart() {
    let mut server = RedisServer::start();
    let table = Table::new(&server, "d", vec![("k", s()), ("v", s())], &[0])
        .with("lookup.max-retries", "8");
    let mut lookup = table.lookup();
    server.kill();
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        server.restart();
        let _: () = con(&server).set("k", "back").unwrap();
        server
    });
    std::thread::sleep(Duration::from_millis(50));
    let answers = probe(&mut lookup, vec![vec!["k".into()]]);
    let _server = restarter.join().unwrap();
    // The key was set right after the restart; a retry may have raced it, so allow a miss
    // but require the retry.
    assert!(counter(&lookup, "retries") >= 1);
    assert!(answers[0].is_empty() || answers[0][0][1] == Value::from("back"));
    let answers = probe(&mut lookup, vec![vec!["k".into()]]);
    assert_eq!(answers[0][0][1], Value::from("back"));
}

#[test]
fn an_unreachable_server_fails_after_the_retries_never_a_silent_miss() {
    let mut server = RedisServer::start();
    let table = Table::new(&server, "dim", vec![("k", s()), ("v", s())], &[0])
        .with("lookup.max-retries", "1");
    let mut lookup = table.lookup();
    server.kill();
    let rows = [Row::insert(vec!["k".into()])];
    let err = lookup.lookup(RSlice::from_slice(&rows)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::CONNECTION);
    let expected = format!(
        "table 'dim': looking up in redis at 127.0.0.1:{} failed: ",
        server.port()
    );
    assert!(err.message.starts_with(&expected), "{}", err.message);
    assert_eq!(counter(&lookup, "retries"), 1);
}

#[test]
fn write_back_if_not_exist_is_atomic_and_returns_the_value_after_the_write() {
    let server = RedisServer::start();
    let table =
        Table::new(&server, "wb", vec![("k", s()), ("v", s())], &[]).with("write.open", "true");
    let mut lookup = table.lookup();
    let answers = probe(
        &mut lookup,
        vec![vec!["first|user1".into()], vec!["second|user1".into()]],
    );
    assert_eq!(
        answers[0],
        vec![vec![Value::from("first|user1"), Value::from("first")]]
    );
    assert_eq!(
        answers[1],
        vec![vec![Value::from("second|user1"), Value::from("first")]],
        "not overwritten"
    );
    assert_eq!(con(&server).get::<_, String>("user1").unwrap(), "first");
}

#[test]
fn write_back_always_overwrites() {
    let server = RedisServer::start();
    let _: () = con(&server).set("user1", "old").unwrap();
    let table = Table::new(&server, "wb", vec![("k", s()), ("v", s())], &[])
        .with("write.open", "true")
        .with("store.key.strategy", "always");
    let mut lookup = table.lookup();
    let answers = probe(&mut lookup, vec![vec!["new|user1".into()]]);
    assert_eq!(
        answers[0],
        vec![vec![Value::from("new|user1"), Value::from("new")]]
    );
    assert_eq!(con(&server).get::<_, String>("user1").unwrap(), "new");
}

#[test]
fn cache_hits_count_each_probe_answered_from_the_cache_in_both_kinds_of_batch() {
    let server = RedisServer::start();
    let _: () = con(&server).set("a", "1").unwrap();
    let dim = Table::new(&server, "d", vec![("k", s()), ("v", s())], &[0])
        .with("lookup.cache", "PARTIAL");
    let write_back = Table::new(&server, "wb", vec![("k", s()), ("v", s())], &[])
        .with("write.open", "true")
        .with("lookup.cache", "PARTIAL");
    for (table, key, value) in [(&dim, "a", "1"), (&write_back, "x|u1", "x")] {
        let mut lookup = table.lookup();
        let batch = || vec![vec![Value::from(key)]; 3];
        // The first batch fetches its key once: its duplicates are answered by that fetch.
        let first = probe(&mut lookup, batch());
        let row = vec![Value::from(key), Value::from(value)];
        assert_eq!(first, vec![vec![row]; 3], "{key}");
        assert_eq!(counter(&lookup, "cache_hits"), 0, "{key}");
        assert_eq!(counter(&lookup, "round_trips"), 1, "{key}");
        // The second is answered from the cache: three probes, three cache hits.
        assert_eq!(probe(&mut lookup, batch()), first, "{key}");
        assert_eq!(counter(&lookup, "cache_hits"), 3, "{key}");
        assert_eq!(counter(&lookup, "round_trips"), 1, "{key}");
        assert_eq!(counter(&lookup, "lookups"), 6, "{key}");
    }
}

#[test]
fn write_back_to_a_hash_keeps_empty_tokens_in_place() {
    let server = RedisServer::start();
    let table = Table::new(
        &server,
        "wb",
        vec![("k", s()), ("name", s()), ("city", s())],
        &[],
    )
    .with("write.open", "true")
    .with("type", "hash");
    let mut lookup = table.lookup();
    let answers = probe(&mut lookup, vec![vec!["name||city|Paris|u9".into()]]);
    assert_eq!(
        answers[0],
        vec![vec![
            Value::from("name||city|Paris|u9"),
            Value::from(""),
            Value::from("Paris")
        ]]
    );
    let fields: std::collections::HashMap<String, String> = con(&server).hgetall("u9").unwrap();
    assert_eq!(fields.get("name").map(String::as_str), Some(""));
    assert_eq!(fields.get("city").map(String::as_str), Some("Paris"));
}

#[test]
fn submitted_batches_are_collected_in_order_even_across_a_restart() {
    let mut server = RedisServer::start();
    let mut c = con(&server);
    for (k, v) in [("a", "1"), ("b", "2"), ("c", "3")] {
        let _: () = c.set(k, v).unwrap();
    }
    let table = Table::new(&server, "d", vec![("k", s()), ("v", s())], &[0])
        .with("lookup.max-retries", "8");
    let mut lookup = table.lookup();
    let batch = |keys: &[&str]| -> Vec<Row> {
        keys.iter()
            .map(|k| Row::insert(vec![Value::from(*k)]))
            .collect()
    };
    let first = batch(&["a", "x"]);
    let second = batch(&["c", "b", "c"]);
    lookup.submit(RSlice::from_slice(&first)).unwrap();
    lookup.submit(RSlice::from_slice(&second)).unwrap();
    let values = |answers: abi_stable::std_types::RVec<abi_stable::std_types::RVec<Row>>| {
        answers
            .into_iter()
            .map(|a| {
                a.into_iter()
                    .map(|r| r.values[1].clone())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values(lookup.collect().unwrap()),
        vec![vec![Value::from("1")], vec![]]
    );
    assert_eq!(
        values(lookup.collect().unwrap()),
        vec![
            vec![Value::from("3")],
            vec![Value::from("2")],
            vec![Value::from("3")]
        ]
    );

    // Submitted while the server is down, collected after it is back: sent again on a new
    // connection, nothing answered from before.
    server.kill();
    lookup.submit(RSlice::from_slice(&first)).unwrap();
    server.restart();
    let _: () = con(&server).set("a", "again").unwrap();
    assert_eq!(
        values(lookup.collect().unwrap()),
        vec![vec![Value::from("again")], vec![]]
    );
    assert!(counter(&lookup, "retries") >= 1);
    assert_eq!(counter(&lookup, "round_trips"), 3);
}

#[test]
fn packed_answers_are_the_rows_of_the_1_0_calls() {
    let server = RedisServer::start();
    let mut c = con(&server);
    let multi = |server: &RedisServer| {
        let mut table = Table::new(
            server,
            "orders",
            vec![
                ("amount", ty(TypeKind::INT, 0, 0)),
                ("shop", s()),
                ("status", s()),
            ],
            &[1],
        )
        .with("key.prefix", "shop:");
        // ON o.shop = d.shop AND o.status = d.status: the status is checked on the row.
        table.lookup_keys = vec![1, 2];
        table
    };
    let cached = |t: Table| {
        t.with("lookup.cache", "PARTIAL")
            .with("lookup.partial-cache.max-rows", "10")
    };
    let typed_keys = || [7, 8, 7, 9, 7].map(|k| vec![Value::BigInt(k)]).to_vec();
    let multi_keys = || {
        vec![
            vec!["north".into(), "paid".into()],
            vec!["north".into(), "open".into()],
            vec!["south".into(), "paid".into()],
            vec!["north".into(), "paid".into()],
        ]
    };
    let cases: Vec<(Table, Vec<Vec<Value>>)> = vec![
        (typed_table(&server), typed_keys()),
        (typed_table(&server).with("type", "hash"), typed_keys()),
        (cached(typed_table(&server)), typed_keys()),
        (
            cached(typed_table(&server).with("type", "hash")),
            typed_keys(),
        ),
        (multi(&server), multi_keys()),
        (cached(multi(&server)), multi_keys()),
    ];
    for (table, keys) in cases {
        let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
        if table.name == "products" {
            let mut sink = table.sink();
            sink.write(RSlice::from_slice(&[Row::insert(typed_row())]))
                .unwrap();
            sink.flush().unwrap();
        } else {
            let _: () = c
                .set("shop:north", r#"{"amount":99,"status":"paid"}"#)
                .unwrap();
        }
        let mut rows = table.lookup();
        let (mut packed, mut original) = packed_lookup(&table);
        // Twice: the second time from the cache, when there is one.
        for round in 0..2 {
            let expected = probe(&mut rows, keys.clone());
            let found = probe_packed(&mut packed, keys.clone());
            assert_eq!(found, expected, "{}, round {round}", table.name);
            assert!(
                found.iter().any(Vec::is_empty) && found.iter().any(|a| !a.is_empty()),
                "hits and misses in {}",
                table.name
            );
        }
        for name in ["lookups", "hits", "misses", "cache_hits", "round_trips"] {
            assert_eq!(
                connector_tests::counter(&packed.counters(), name),
                counter(&rows, name),
                "{name} of {}",
                table.name
            );
        }
        // The original lookup was handed over: every call fails and says so.
        let err = original
            .lookup(RSlice::from_slice(&[Row::insert(keys[0].clone())]))
            .unwrap_err();
        assert_eq!(
            err.message.as_str(),
            format!(
                "table '{}': this lookup was handed over to its \"packed-lookup/1\" extension",
                table.name
            )
        );
        assert!(original
            .extension(RStr::from_str(PACKED_LOOKUP_1))
            .is_none());
        assert!(original.close().is_ok() && packed.close().is_ok());
    }
}

#[test]
fn packed_write_back_answers_are_the_rows_of_the_1_0_calls() {
    let server = RedisServer::start();
    for hash in [false, true] {
        let _: () = redis::cmd("FLUSHALL").query(&mut con(&server)).unwrap();
        let mut table =
            Table::new(&server, "wb", vec![("k", s()), ("v", s())], &[]).with("write.open", "true");
        let keys: Vec<Vec<Value>> = if hash {
            table = table.with("type", "hash");
            vec![vec!["v|one|u1".into()], vec!["v||u2".into()]]
        } else {
            vec![
                vec!["first|u1".into()],
                vec!["second|u1".into()],
                vec!["|u2".into()],
            ]
        };
        let (mut packed, _original) = packed_lookup(&table);
        // The packed lookup writes first; the 1.0 lookup then finds what it wrote, and both
        // answer with the value after the write.
        let found = probe_packed(&mut packed, keys.clone());
        let expected = probe(&mut table.lookup(), keys);
        assert_eq!(found, expected, "hash: {hash}");
        assert!(
            found.iter().all(|a| a.len() == 1),
            "a row per probe: {found:?}"
        );
    }
    assert_eq!(con(&server).hget::<_, _, String>("u1", "v").unwrap(), "one");
}

#[test]
fn a_key_of_another_type_is_an_error_naming_the_key_and_its_type_never_a_miss() {
    let server = RedisServer::start();
    let mut c = con(&server);
    let _: () = c.rpush("listed", "x").unwrap();
    let _: () = c.set("texted", "y").unwrap();
    let _: () = c.set("present", "v").unwrap();

    // A string table: MGET answers nil for the list.
    let mut lookup = Table::new(&server, "dim", vec![("k", s()), ("v", s())], &[0]).lookup();
    let hit = probe(
        &mut lookup,
        vec![vec!["present".into()], vec!["absent".into()]],
    );
    assert_eq!(
        (hit[0].len(), hit[1].len()),
        (1, 0),
        "a hit and a true miss"
    );
    let rows = [
        Row::insert(vec!["present".into()]),
        Row::insert(vec!["listed".into()]),
    ];
    let err = lookup.lookup(RSlice::from_slice(&rows)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::DATA);
    assert_eq!(
        err.message.as_str(),
        "table 'dim': key 'listed' holds a list, not a string ('type' = 'string'): a lookup \
         cannot read it"
    );

    // A hash table: HGETALL answers WRONGTYPE, and the key is named.
    let mut lookup = Table::new(&server, "dim", vec![("k", s()), ("v", s())], &[0])
        .with("type", "hash")
        .lookup();
    let rows = [
        Row::insert(vec!["absent".into()]),
        Row::insert(vec!["texted".into()]),
    ];
    let err = lookup.lookup(RSlice::from_slice(&rows)).unwrap_err();
    assert_eq!(
        err.message.as_str(),
        "table 'dim': key 'texted' holds a string, not a hash ('type' = 'hash'): a lookup cannot \
         read it"
    );
}

#[test]
fn every_reconnect_after_a_killed_connection_counts_as_a_retry() {
    let server = RedisServer::start();
    let mut c = con(&server);
    let _: () = c.set("k", "v").unwrap();
    let mut lookup = Table::new(&server, "dim", vec![("k", s()), ("v", s())], &[0]).lookup();
    for _ in 0..5 {
        assert_eq!(probe(&mut lookup, vec![vec!["k".into()]])[0].len(), 1);
        let killed: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("TYPE")
            .arg("normal")
            .arg("SKIPME")
            .arg("yes")
            .query(&mut c)
            .unwrap();
        assert_eq!(killed, 1, "the lookup's one connection");
    }
    assert_eq!(probe(&mut lookup, vec![vec!["k".into()]])[0].len(), 1);
    assert_eq!(counter(&lookup, "retries"), 5, "one per killed connection");
}
