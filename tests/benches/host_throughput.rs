//! `datagen -> redis` through the host's job runner (the same code `connector-host run` runs),
//! at parallelism 1, against `redis-benchmark -c 1 -P 128 -t set -d 48 -n 1000000` on the same
//! server in the same run. 1,000,000 rows: a BIGINT sequence key and a 48-character string.
//! Two rounds of each, best of each. Required: ratio >= 0.5.
//!
//! `cargo bench -p connector-tests --bench host_throughput`

use std::process::Command;
use std::time::Instant;

use connector_tests::{redis_plugin, resource_dir, RedisServer};

const ROWS: u64 = 1_000_000;

fn redis_benchmark(server: &RedisServer) -> f64 {
    let out = Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &server.port().to_string()])
        .args(["-c", "1", "-P", "128", "-t", "set", "-d", "48", "-n", &ROWS.to_string(), "-q"])
        .output()
        .expect("run redis-benchmark");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(['\r', '\n'])
        .filter_map(|line| line.trim().strip_prefix("SET: "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .next_back()
        .unwrap_or_else(|| panic!("cannot read redis-benchmark's output: {text}"))
}

fn flushall(server: &RedisServer) -> i64 {
    let mut con = redis::Client::open(server.url()).unwrap().get_connection().unwrap();
    let size: i64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut con).unwrap();
    size
}

fn main() {
    let server = RedisServer::start();
    let resources = resource_dir(&[&redis_plugin()]);
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("datagen-redis.sql");
    std::fs::write(
        &job,
        format!(
            "SET 'parallelism.default' = '1';
CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}', 'fields.v.length' = '48');
CREATE TABLE r (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{}');
INSERT INTO r SELECT id, v FROM gen;",
            server.port()
        ),
    )
    .unwrap();
    let options = connector_host::job::JobOptions {
        resources: resources.path().to_path_buf(),
        parallelism: None,
        explain_only: false,
    };
    let (mut best_benchmark, mut best_job) = (0f64, 0f64);
    for round in 1..=2 {
        let ops = redis_benchmark(&server);
        flushall(&server);
        let started = Instant::now();
        connector_host::job::run_file(&job, &options).expect("the job runs");
        let rows = ROWS as f64 / started.elapsed().as_secs_f64();
        assert_eq!(flushall(&server), ROWS as i64, "every row is in Redis");
        println!("round {round}: redis-benchmark SET -c 1 -P 128: {ops:.0} ops/s; datagen -> redis job: {rows:.0} rows/s");
        best_benchmark = best_benchmark.max(ops);
        best_job = best_job.max(rows);
    }
    let ratio = best_job / best_benchmark;
    println!(
        "datagen -> redis {best_job:.0} rows/s / redis-benchmark {best_benchmark:.0} ops/s = ratio {ratio:.2} (required >= 0.50): {}",
        if ratio >= 0.5 { "PASS" } else { "FAIL" }
    );
    if ratio < 0.5 {
        std::process::exit(1);
    }
}
