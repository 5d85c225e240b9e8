//! `mode` = `sentinel` through the real `.so` against a real master, its replica and a
//! sentinel started by the test, each with its own password (the sentinel's differs from the
//! data nodes'): the master found through the sentinel, a master killed mid-job and the job
//! going on with the promoted replica, losing nothing, and the errors when the name is wrong.

use std::time::{Duration, Instant};

use abi_stable::std_types::RSlice;
use connector_host::loader::load;
use connector_interface::{DataType, ErrorKind, Row, SinkBox, TableContext, TypeKind, Value};
use connector_tests::{counter, redis_plugin, table_context, RedisServer};

const DATA_PASSWORD: &str = "data-pw";
const SENTINEL_PASSWORD: &str = "sentinel-pw";

struct Setup {
    master: RedisServer,
    replica: RedisServer,
    sentinel: RedisServer,
}

fn setup() -> Setup {
    let master = RedisServer::with_args(&[
        "--requirepass",
        DATA_PASSWORD,
        "--masterauth",
        DATA_PASSWORD,
    ]);
    let master_port = master.port().to_string();
    let replica = RedisServer::with_args(&[
        "--requirepass",
        DATA_PASSWORD,
        "--masterauth",
        DATA_PASSWORD,
        "--replicaof",
        "127.0.0.1",
        &master_port,
    ]);
    let auth = format!("sentinel auth-pass mymaster {DATA_PASSWORD}");
    let require = format!("requirepass {SENTINEL_PASSWORD}");
    let sentinel = RedisServer::sentinel(master.port(), "mymaster", &[&auth, &require]);
    let setup = Setup {
        master,
        replica,
        sentinel,
    };
    // The sentinel must know the replica before it can promote it.
    wait_for(
        Duration::from_secs(20),
        "the sentinel to see the replica",
        || {
            let replicas: Vec<redis::Value> = redis::cmd("SENTINEL")
                .arg("replicas")
                .arg("mymaster")
                .query(&mut sentinel_con(&setup.sentinel))
                .unwrap_or_default();
            !replicas.is_empty()
        },
    );
    setup
}

fn wait_for(within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "waited {within:?} for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sentinel_con(sentinel: &RedisServer) -> redis::Connection {
    redis::Client::open(format!(
        "redis://:{SENTINEL_PASSWORD}@127.0.0.1:{}/",
        sentinel.port()
    ))
    .unwrap()
    .get_connection()
    .unwrap()
}

fn data_keys(server: &RedisServer) -> i64 {
    let mut con = redis::Client::open(format!(
        "redis://:{DATA_PASSWORD}@127.0.0.1:{}/",
        server.port()
    ))
    .unwrap()
    .get_connection()
    .unwrap();
    redis::cmd("DBSIZE").query(&mut con).unwrap()
}

fn context(sentinel: &RedisServer, master_name: &str) -> TableContext {
    let nodes = format!("127.0.0.1:{}", sentinel.port());
    table_context(
        "t",
        &[
            ("id", DataType::new(TypeKind::BIGINT)),
            ("v", DataType::string()),
        ],
        &[0],
        &[
            ("connector", "redis"),
            ("mode", "sentinel"),
            ("sentinel.master", master_name),
            ("sentinel.nodes", &nodes),
            ("sentinel.password", SENTINEL_PASSWORD),
            ("password", DATA_PASSWORD),
        ],
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

fn rows(ids: std::ops::Range<i64>) -> Vec<Row> {
    ids.map(|i| Row::insert(vec![Value::BigInt(i), "v".into()]))
        .collect()
}

#[test]
fn the_master_is_found_through_the_sentinel_and_found_again_after_a_failover() {
    let mut s = setup();
    let mut sink = sink(&context(&s.sentinel, "mymaster"));
    sink.open().unwrap();
    sink.write(RSlice::from_slice(&rows(0..10_000))).unwrap();
    sink.flush().unwrap();
    assert_eq!(data_keys(&s.master), 10_000);
    // The replica holds what the master acknowledged before it dies.
    wait_for(Duration::from_secs(10), "the replica to catch up", || {
        data_keys(&s.replica) == 10_000
    });
    s.master.kill();
    let killed = Instant::now();
    for chunk in rows(10_000..20_000).chunks(1000) {
        sink.write(RSlice::from_slice(chunk)).unwrap();
    }
    sink.flush().unwrap();
    let took = killed.elapsed();
    assert_eq!(
        data_keys(&s.replica),
        20_000,
        "every row, on the promoted replica"
    );
    assert!(counter(&sink.counters(), "retries") >= 1);
    assert!(took < Duration::from_secs(60), "{took:?}");
    let master: (String, u16) = redis::cmd("SENTINEL")
        .arg("get-master-addr-by-name")
        .arg("mymaster")
        .query(&mut sentinel_con(&s.sentinel))
        .unwrap();
    assert_eq!(master.1, s.replica.port());
}

#[test]
fn a_name_the_sentinel_does_not_monitor_is_a_configuration_error() {
    let s = setup();
    let mut sink = sink(&context(&s.sentinel, "othermaster"));
    let err = sink.open().unwrap_err();
    assert_eq!(err.kind, ErrorKind::CONFIG, "{}", err.message);
    assert!(
        err.message.contains(&format!(
            "the sentinel at 127.0.0.1:{} monitors no master named 'othermaster' \
             ('sentinel.master')",
            s.sentinel.port()
        )),
        "{}",
        err.message
    );
    assert!(!err.message.contains(SENTINEL_PASSWORD) && !err.message.contains(DATA_PASSWORD));
}
