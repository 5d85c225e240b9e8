//! `mode` = `cluster` through the real `.so` against a real Redis Cluster started by the test
//! (`redis-server --cluster-enabled yes` nodes joined by `redis-cli --cluster create`): rows
//! spread over every master, lookups answered from every master, a hash with a TTL (a
//! `MULTI` per key), and a master killed mid-job whose replica takes over while the job goes
//! on and loses nothing.

use std::time::{Duration, Instant};

use abi_stable::std_types::RSlice;
use connector_host::loader::load;
use connector_interface::{DataType, LookupBox, Row, SinkBox, TableContext, TypeKind, Value};
use connector_tests::{counter, table_context, RedisCluster};

fn table(cluster: &RedisCluster, extra: &[(&str, &str)]) -> TableContext {
    let nodes = cluster.nodes_option();
    let mut options = vec![
        ("connector", "redis"),
        ("mode", "cluster"),
        ("cluster.nodes", nodes.as_str()),
    ];
    options.extend_from_slice(extra);
    table_context(
        "t",
        &[
            ("id", DataType::new(TypeKind::BIGINT)),
            ("v", DataType::string()),
        ],
        &[0],
        &options,
    )
}

fn sink(context: &TableContext) -> SinkBox {
    let plugin = load(&connector_tests::redis_plugin()).unwrap();
    let mut sink = plugin
        .factory("redis")
        .unwrap()
        .create_sink(context)
        .unwrap();
    sink.open().unwrap();
    sink
}

fn lookup(context: &TableContext) -> LookupBox {
    let plugin = load(&connector_tests::redis_plugin()).unwrap();
    plugin
        .factory("redis")
        .unwrap()
        .create_lookup(context)
        .unwrap()
}

fn rows(ids: std::ops::Range<i64>) -> Vec<Row> {
    ids.map(|i| Row::insert(vec![Value::BigInt(i), format!("v{i}").as_str().into()]))
        .collect()
}

fn total_keys(cluster: &RedisCluster) -> i64 {
    cluster.masters().iter().map(|m| cluster.dbsize(*m)).sum()
}

#[test]
fn a_sink_spreads_rows_over_every_master_and_a_lookup_reads_them_back() {
    let cluster = RedisCluster::start(3, 0);
    let context = table(&cluster, &[]);
    let mut sink = sink(&context);
    for chunk in rows(0..100_000).chunks(5000) {
        sink.write(RSlice::from_slice(chunk)).unwrap();
    }
    sink.flush().unwrap();
    let masters = cluster.masters();
    assert_eq!(masters.len(), 3);
    for m in &masters {
        let keys = cluster.dbsize(*m);
        assert!(
            (25_000..42_000).contains(&keys),
            "master {m} holds {keys} of 100,000 keys"
        );
    }
    assert_eq!(total_keys(&cluster), 100_000);
    assert_eq!(counter(&sink.counters(), "rows_written"), 100_000);

    let mut lookup = lookup(&context);
    let probes: Vec<Row> = (0..2000)
        .map(|i| Row::insert(vec![Value::BigInt(i * 50 + 7)]))
        .chain([Row::insert(vec![Value::BigInt(-1)])])
        .collect();
    let answers = lookup.lookup(RSlice::from_slice(&probes)).unwrap();
    assert_eq!(answers.len(), probes.len());
    for (probe, answer) in probes.iter().zip(answers.iter()).take(2000) {
        let Value::BigInt(id) = probe.values[0] else {
            unreachable!()
        };
        assert_eq!(answer.len(), 1, "key {id}");
        assert_eq!(answer[0].values[1], Value::from(format!("v{id}").as_str()));
    }
    assert!(answers[2000].is_empty(), "a missing key is a miss");
}

#[test]
fn a_hash_with_a_ttl_is_written_in_one_transaction_per_key_on_its_master() {
    let cluster = RedisCluster::start(3, 0);
    let context = table(&cluster, &[("type", "hash"), ("ttl", "300")]);
    let mut sink = sink(&context);
    sink.write(RSlice::from_slice(&rows(0..3000))).unwrap();
    sink.flush().unwrap();
    assert_eq!(total_keys(&cluster), 3000);
    let mut lookup = lookup(&context);
    let answers = lookup
        .lookup(RSlice::from_slice(&[Row::insert(vec![Value::BigInt(
            2999,
        )])]))
        .unwrap();
    assert_eq!(answers[0][0].values[1], Value::from("v2999"));
    // Every master holds some of the keys, each with its TTL.
    for m in cluster.masters() {
        let node = &cluster.nodes[m];
        let info = node.bulk("INFO keyspace").unwrap();
        assert!(info.contains("expires="), "{info}");
        assert!(!info.contains("expires=0,"), "keys without a TTL: {info}");
    }
}

#[test]
fn a_killed_master_fails_over_and_the_job_goes_on_losing_nothing() {
    let mut cluster = RedisCluster::start(3, 1);
    let context = table(&cluster, &[]);
    let mut sink = sink(&context);
    sink.write(RSlice::from_slice(&rows(0..20_000))).unwrap();
    sink.flush().unwrap();
    // Let the replicas catch up with what the masters acknowledged (replication is
    // asynchronous in Redis: a master that dies first takes its last writes with it).
    std::thread::sleep(Duration::from_millis(200));
    let victim = cluster.masters()[0];
    cluster.nodes[victim].kill();
    let killed = Instant::now();
    for chunk in rows(20_000..40_000).chunks(2000) {
        sink.write(RSlice::from_slice(chunk)).unwrap();
    }
    sink.flush().unwrap();
    let took = killed.elapsed();
    cluster.wait_until_ok(Duration::from_secs(30));
    assert_eq!(cluster.masters().len(), 3, "a replica took over");
    assert_eq!(
        total_keys(&cluster),
        40_000,
        "every row, after the failover"
    );
    assert!(
        counter(&sink.counters(), "retries") >= 1,
        "the failover was ridden through"
    );
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn a_slot_being_migrated_is_followed_with_asking_to_the_importing_master() {
    let cluster = RedisCluster::start(3, 0);
    let con = |i: usize| {
        redis::Client::open(cluster.nodes[i].url())
            .unwrap()
            .get_connection()
            .unwrap()
    };
    // Key "4242" (the id's text), its slot, its master, and another master to import it.
    let slot: i64 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg("4242")
        .query(&mut con(0))
        .unwrap();
    let owner = (0..3)
        .find(|i| {
            let nodes: String = redis::cmd("CLUSTER")
                .arg("NODES")
                .query(&mut con(*i))
                .unwrap();
            nodes.lines().any(|l| {
                l.contains("myself")
                    && l.split_whitespace().skip(8).any(|range| {
                        let (a, b) = range.split_once('-').unwrap_or((range, range));
                        a.parse::<i64>().is_ok_and(|a| a <= slot)
                            && b.parse::<i64>().is_ok_and(|b| slot <= b)
                    })
            })
        })
        .expect("the slot's master");
    let importer = (owner + 1) % 3;
    let id = |i: usize| -> String {
        redis::cmd("CLUSTER")
            .arg("MYID")
            .query(&mut con(i))
            .unwrap()
    };
    let (owner_id, importer_id) = (id(owner), id(importer));
    let _: () = redis::cmd("CLUSTER")
        .arg("SETSLOT")
        .arg(slot)
        .arg("IMPORTING")
        .arg(&owner_id)
        .query(&mut con(importer))
        .unwrap();
    let _: () = redis::cmd("CLUSTER")
        .arg("SETSLOT")
        .arg(slot)
        .arg("MIGRATING")
        .arg(&importer_id)
        .query(&mut con(owner))
        .unwrap();

    // The owner no longer has the key, so it answers ASK: the sink writes it on the importer.
    let context = table(&cluster, &[]);
    let mut sink = sink(&context);
    let row = Row::insert(vec![Value::BigInt(4242), "migrating".into()]);
    sink.write(RSlice::from_slice(&[row])).unwrap();
    sink.flush().unwrap();
    assert_eq!(
        (cluster.dbsize(owner), cluster.dbsize(importer)),
        (0, 1),
        "written on the importing master"
    );
    assert_eq!(
        counter(&sink.counters(), "retries"),
        0,
        "followed, not retried"
    );
    // And a lookup finds it there the same way.
    let mut lookup = lookup(&context);
    let answers = lookup
        .lookup(RSlice::from_slice(&[Row::insert(vec![Value::BigInt(
            4242,
        )])]))
        .unwrap();
    assert_eq!(answers[0][0].values[1], Value::from("migrating"));
}
