//! Sink throughput against a 3-master Redis Cluster, next to Redis's own pipelined speed on
//! the same cluster in the same run.
//!
//! Starts its own cluster (three `redis-server --cluster-enabled yes` masters), writes 1,000,000
//! rows (a BIGINT key and a 48-byte string) through the real `libredis_connector.so` at
//! parallelism 1 with `mode` = `cluster` and otherwise default options, and runs
//! `redis-benchmark --cluster -c 3 -P 128 -t set -d 48 -n 1000000` against the same cluster
//! (three connections, one per master; it writes one key per master), and the same with
//! `-r 1000000` (1,000,000 distinct keys, as the sink writes). Three rounds, alternating;
//! prints each round's figures and the ratios of the medians. Required: ratio >= 0.5 against
//! the first. `MAX_ROWS` sets `sink.buffer-flush.max-rows` (default: the option's default).
//!
//! `cargo bench -p connector-tests --bench cluster_sink_throughput`

use std::process::Command;
use std::time::Instant;

use abi_stable::std_types::RSlice;
use connector_interface::{DataType, Row, TypeKind, Value};
use connector_tests::{redis_plugin, table_context, RedisCluster};

const ROWS: i64 = 1_000_000;
const BATCH: i64 = 1024;

fn sink_rows_per_second(cluster: &RedisCluster) -> f64 {
    let plugin = connector_host::loader::load(&redis_plugin()).expect("load the plugin");
    let factory = plugin.factory("redis").expect("redis factory");
    let nodes = cluster.nodes_option();
    let context = table_context(
        "bench",
        &[
            ("id", DataType::new(TypeKind::BIGINT).not_null()),
            ("v", DataType::string()),
        ],
        &[0],
        &[
            ("connector", "redis"),
            ("mode", "cluster"),
            ("cluster.nodes", &nodes),
            (
                "sink.buffer-flush.max-rows",
                &std::env::var("MAX_ROWS").unwrap_or("1000".into()),
            ),
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

/// `redis-benchmark --cluster`'s SET rate; with `distinct`, over 1,000,000 distinct keys
/// (`-r`), as the sink writes, instead of one key per master.
fn benchmark_ops_per_second(cluster: &RedisCluster, distinct: bool) -> f64 {
    let port = cluster.nodes[0].port().to_string();
    let mut command = Command::new("redis-benchmark");
    command
        .args(["-h", "127.0.0.1", "-p", &port, "--cluster"])
        .args(["-c", "3", "-P", "128", "-t", "set", "-d", "48", "-q"])
        .args(["-n", &ROWS.to_string()]);
    if distinct {
        command.args(["-r", &ROWS.to_string()]);
    }
    let out = command.output().expect("run redis-benchmark");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(['\r', '\n'])
        .filter_map(|line| line.trim().strip_prefix("SET: "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .next_back()
        .unwrap_or_else(|| panic!("cannot read redis-benchmark's output: {text}"))
}

fn flush(cluster: &RedisCluster) -> i64 {
    let keys: i64 = (0..cluster.nodes.len()).map(|i| cluster.dbsize(i)).sum();
    for node in &cluster.nodes {
        node.flushall();
    }
    keys
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The exit code is returned, not `process::exit`ed, so the servers are stopped on drop.
fn main() -> std::process::ExitCode {
    let cluster = RedisCluster::start(3, 0);
    let (mut benchmarks, mut distinct, mut sinks) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=3 {
        let ops = benchmark_ops_per_second(&cluster, false);
        flush(&cluster);
        let ops_distinct = benchmark_ops_per_second(&cluster, true);
        flush(&cluster);
        let rows = sink_rows_per_second(&cluster);
        assert_eq!(flush(&cluster), ROWS, "every row is in the cluster");
        println!(
            "round {round}: redis-benchmark --cluster SET -c 3 -P 128: {ops:.0} ops/s \
             (-r 1000000: {ops_distinct:.0}); redis sink (mode cluster): {rows:.0} rows/s; \
             ratio {:.2} ({:.2})",
            rows / ops,
            rows / ops_distinct
        );
        benchmarks.push(ops);
        distinct.push(ops_distinct);
        sinks.push(rows);
    }
    let d = median(distinct.clone());
    let spread = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        format!("[{lo:.0}-{hi:.0}]")
    };
    let (b, s) = (median(benchmarks.clone()), median(sinks.clone()));
    let ratio = s / b;
    println!(
        "sink median {s:.0} rows/s {} / redis-benchmark median {b:.0} ops/s {} = ratio {ratio:.2} \
         (required >= 0.50): {}",
        spread(&sinks),
        spread(&benchmarks),
        if ratio >= 0.5 { "PASS" } else { "FAIL" }
    );
    println!(
        "against 1,000,000 distinct keys as the sink writes (-r 1000000): median {d:.0} ops/s {} \
         = ratio {:.2}",
        spread(&distinct),
        s / d
    );
    if ratio < 0.5 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
