//! Sink throughput against Redis's own pipelined speed, on the same server in the same run.
//!
//! Starts its own `redis-server`, writes 1,000,000 rows (a BIGINT key and a 48-byte string)
//! through the real `libredis_connector.so` at parallelism 1 with the default options (rows
//! are generated batch by batch, as a job would), and runs
//! `redis-benchmark -c 1 -P 128 -t set -d 48 -n 1000000` against the same server. Two rounds
//! of each, alternating; the best of each is compared. Required: ratio >= 0.5.
//!
//! `cargo bench -p connector-tests --bench sink_throughput`

use std::time::Instant;

use abi_stable::std_types::RSlice;
use connector_interface::{DataType, Row, TypeKind, Value};
use connector_tests::{redis_plugin, table_context, RedisServer};

const ROWS: i64 = 1_000_000;
const BATCH: i64 = 1024;

fn sink_rows_per_second(server: &RedisServer) -> f64 {
    let plugin = connector_host::loader::load(&redis_plugin()).expect("load the plugin");
    let factory = plugin.factory("redis").expect("redis factory");
    let port = server.port().to_string();
    let context = table_context(
        "bench",
        &[
            ("id", DataType::new(TypeKind::BIGINT).not_null()),
            ("v", DataType::string()),
        ],
        &[0],
        &[
            ("connector", "redis"),
            ("hostname", "127.0.0.1"),
            ("port", &port),
        ],
    );
    let mut sink = factory.create_sink(&context).expect("create sink");
    sink.open().expect("open");
    let value = "x".repeat(48);
    let started = Instant::now();
    let mut next = 0;
    while next < ROWS {
        let end = (next + BATCH).min(ROWS);
        let batch: Vec<Row> = (next..end)
            .map(|i| Row::insert(vec![Value::BigInt(i), value.as_str().into()]))
            .collect();
        sink.write(RSlice::from_slice(&batch)).expect("write");
        next = end;
    }
    sink.flush().expect("flush");
    let seconds = started.elapsed().as_secs_f64();
    sink.close().expect("close");
    ROWS as f64 / seconds
}

/// The exit code is returned, not `process::exit`ed, so the servers are stopped on drop.
fn main() -> std::process::ExitCode {
    let server = RedisServer::start();
    let mut best_benchmark: f64 = 0.0;
    let mut best_sink: f64 = 0.0;
    for round in 1..=2 {
        let ops = server.benchmark("set", ROWS as u64, Some(48));
        server.flushall();
        let rows = sink_rows_per_second(&server);
        assert_eq!(server.flushall(), ROWS, "every row is in Redis");
        println!("round {round}: redis-benchmark SET -c 1 -P 128: {ops:.0} ops/s; redis sink: {rows:.0} rows/s");
        best_benchmark = best_benchmark.max(ops);
        best_sink = best_sink.max(rows);
    }
    let ratio = best_sink / best_benchmark;
    println!(
        "sink {best_sink:.0} rows/s / redis-benchmark {best_benchmark:.0} ops/s = ratio {ratio:.2} (required >= 0.50): {}",
        if ratio >= 0.5 { "PASS" } else { "FAIL" }
    );
    if ratio < 0.5 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
