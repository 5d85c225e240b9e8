//! Lookup throughput against Redis's own pipelined speed, on the same server in the same run.
//!
//! Starts its own `redis-server` holding 100,000 keys (BIGINT key, 48-byte string, written by
//! the sink), then through the real `libredis_connector.so` at parallelism 1:
//!
//! 1. uncached: 1,000,000 probe rows over those keys (pseudo-random, batches of 1024) against
//!    `redis-benchmark -c 1 -P 128 -t get -n 1000000` (its key holds a 48-byte value too).
//!    Required: ratio >= 0.5.
//! 2. cached (`lookup.cache` = `PARTIAL`, room for every key, warmed): the same probes joined
//!    (probe row + dimension columns) against the same job without the join (probe rows passed
//!    on as they are). Required: ratio >= 0.5.
//!
//! Two rounds of each, best of each. `cargo bench -p connector-tests --bench lookup_throughput`

use std::hint::black_box;
use std::time::Instant;

use abi_stable::std_types::RSlice;
use connector_interface::{DataType, LookupBox, Row, TableContext, TypeKind, Value};
use connector_tests::{redis_plugin, table_context, RedisServer};

const KEYS: i64 = 100_000;
const PROBES: usize = 1_000_000;
const BATCH: usize = 1024;

fn context(server: &RedisServer, cached: bool) -> TableContext {
    let port = server.port().to_string();
    let max_rows = KEYS.to_string();
    let mut options = vec![
        ("connector", "redis"),
        ("hostname", "127.0.0.1"),
        ("port", port.as_str()),
    ];
    if cached {
        options.push(("lookup.cache", "PARTIAL"));
        options.push(("lookup.partial-cache.max-rows", &max_rows));
    }
    table_context(
        "dim",
        &[
            ("id", DataType::new(TypeKind::BIGINT).not_null()),
            ("v", DataType::string()),
        ],
        &[0],
        &options,
    )
}

fn populate(server: &RedisServer) {
    let plugin = connector_host::loader::load(&redis_plugin()).expect("load");
    let mut sink = plugin
        .factory("redis")
        .unwrap()
        .create_sink(&context(server, false))
        .unwrap();
    sink.open().unwrap();
    let value = "x".repeat(48);
    let rows: Vec<Row> = (0..KEYS)
        .map(|i| Row::insert(vec![Value::BigInt(i), value.as_str().into()]))
        .collect();
    sink.write(RSlice::from_slice(&rows)).unwrap();
    sink.flush().unwrap();
    let mut con = redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("key:__rand_int__")
        .arg(&value)
        .query(&mut con)
        .unwrap();
}

/// The probe keys of one batch: a pseudo-random walk over the keys.
fn probe_batch(seed: &mut u64) -> Vec<Row> {
    (0..BATCH)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = ((*seed >> 33) % KEYS as u64) as i64;
            Row::insert(vec![Value::BigInt(key), Value::from("probe payload")])
        })
        .collect()
}

/// Joins probes with their answers; the number of values emitted.
fn join(
    probes: &[Row],
    answers: abi_stable::std_types::RVec<abi_stable::std_types::RVec<Row>>,
) -> usize {
    let mut emitted = 0;
    for (probe, answer) in probes.iter().zip(answers) {
        for dim in answer {
            let mut joined: Vec<Value> = probe.values.iter().cloned().collect();
            joined.extend(dim.values);
            emitted += black_box(joined).len();
        }
    }
    emitted
}

/// Probe rows per second: generated, looked up (when `lookup` is given) and joined.
fn run(lookup: Option<&mut LookupBox>) -> f64 {
    let mut seed = 42u64;
    let mut emitted = 0usize;
    let started = Instant::now();
    let mut lookup = lookup;
    let mut waiting: Option<Vec<Row>> = None;
    let mut done = 0;
    while done < PROBES {
        let probes = probe_batch(&mut seed);
        match lookup.as_deref_mut() {
            Some(lookup) => {
                // Pipelined as the job runner does it: this batch is submitted before the
                // previous one is joined.
                let keys: Vec<Row> = probes
                    .iter()
                    .map(|p| Row::insert(vec![p.values[0].clone()]))
                    .collect();
                lookup.submit(RSlice::from_slice(&keys)).expect("submit");
                if let Some(previous) = waiting.replace(probes) {
                    emitted += join(&previous, lookup.collect().expect("collect"));
                }
            }
            None => {
                // The same job without the join still emits an output row per probe.
                for probe in &probes {
                    let out: Vec<Value> = probe.values.iter().cloned().collect();
                    emitted += black_box(out).len();
                }
            }
        }
        done += BATCH;
    }
    if let (Some(lookup), Some(previous)) = (lookup, waiting.take()) {
        emitted += join(&previous, lookup.collect().expect("collect"));
    }
    black_box(emitted);
    done as f64 / started.elapsed().as_secs_f64()
}

/// CPU seconds this process has used (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|u| u.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0);
    ticks / 100.0
}

/// The exit code is returned, not `process::exit`ed, so the servers are stopped on drop.
fn main() -> std::process::ExitCode {
    let server = RedisServer::start();
    populate(&server);
    let plugin = connector_host::loader::load(&redis_plugin()).expect("load");
    let factory = plugin.factory("redis").unwrap();
    let (mut best_get, mut best_uncached, mut best_plain, mut best_cached) =
        (0f64, 0f64, 0f64, 0f64);
    let open = |cached: bool| {
        let mut lookup = factory.create_lookup(&context(&server, cached)).unwrap();
        lookup.open().unwrap();
        lookup
    };
    // `uncached` or `cached` runs just those lookups (the cached ones warmed), for profiling.
    if let Some(only) = std::env::args().find(|a| a == "uncached" || a == "cached") {
        let cached = only == "cached";
        let mut lookup = open(cached);
        if cached {
            run(Some(&mut lookup));
        }
        for _ in 0..if cached { 3 } else { 1 } {
            println!("{only} lookup: {:.0} probes/s", run(Some(&mut lookup)));
        }
        return std::process::ExitCode::SUCCESS;
    }
    let mut cached = open(true);
    run(Some(&mut cached)); // warm the cache
    for round in 1..=2 {
        let get = server.benchmark("get", PROBES as u64, None);
        let mut uncached = open(false);
        let cpu_before = cpu_seconds();
        let wall = Instant::now();
        let probes = run(Some(&mut uncached));
        println!(
            "  uncached: client cpu {:.2} s of {:.2} s wall",
            cpu_seconds() - cpu_before,
            wall.elapsed().as_secs_f64()
        );
        let misses = uncached
            .counters()
            .iter()
            .find(|c| c.name.as_str() == "misses")
            .map(|c| c.value);
        assert_eq!(misses, Some(0), "every probe key exists");
        let plain = run(None);
        let joined = run(Some(&mut cached));
        println!(
            "round {round}: redis-benchmark GET -c 1 -P 128: {get:.0} ops/s; uncached lookup: {probes:.0} probes/s; \
             job without the join: {plain:.0} rows/s; with the cached join: {joined:.0} rows/s"
        );
        best_get = best_get.max(get);
        best_uncached = best_uncached.max(probes);
        best_plain = best_plain.max(plain);
        best_cached = best_cached.max(joined);
    }
    let uncached_ratio = best_uncached / best_get;
    let cached_ratio = best_cached / best_plain;
    let verdict = |r: f64| if r >= 0.5 { "PASS" } else { "FAIL" };
    println!(
        "uncached: {best_uncached:.0} probes/s / redis-benchmark GET {best_get:.0} ops/s = ratio {uncached_ratio:.2} (required >= 0.50): {}",
        verdict(uncached_ratio)
    );
    println!(
        "cached: join {best_cached:.0} rows/s / no join {best_plain:.0} rows/s = ratio {cached_ratio:.2} (required >= 0.50): {}",
        verdict(cached_ratio)
    );
    if uncached_ratio < 0.5 || cached_ratio < 0.5 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
