//! The Redis sink inside Apache Flink through the bridge, against Flink's own rate, same run,
//! same server:
//!
//! - `datagen -> redis` in a local Flink 1.20.3 at parallelism 1 (`RunSql`, the bridge's JAR
//!   built by `flink/package.sh` from this build), against the same Flink job into `blackhole`
//!   (Flink's own rate: what the bridge and Redis cost comes out as the ratio). Required: at
//!   least 0.5. The job's rate is Flink's net runtime of the job (from its submission to its end,
//!   without the JVM's and the local cluster's start), `ROWS` rows each.
//! - For the same rows, the same job through our host (`connector-host run`'s code, in this
//!   process) into `redis` and into `blackhole`, and `redis-benchmark -c 1 -P 128 -t set -d 48`.
//!
//! `ROUNDS` rounds, the jobs alternating; medians and spreads of the per-round figures.
//!
//! `cargo build --release -p connector-host && cargo bench -p connector-flink --bench flink_throughput`
//! (the JAR's build reads the plugin's manifest with `target/release/connector-host`; Java 17 is
//! needed, Flink's jars are fetched from PyPI when missing).

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::time::Instant;

use connector_tests::{redis_plugin, resource_dir, RedisServer};

const ROWS: u64 = 3_000_000;
const ROUNDS: usize = 3;

/// The host binary's allocator, so the host's jobs here run as `connector-host run` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The job: a BIGINT sequence key and a 48-character random string, as `host_throughput`'s sink
/// job, into `sink` (its DDL's WITH options). Flink's datagen is limited to 10,000 rows/s unless
/// `rows-per-second` says otherwise; the host reads the same option.
fn job(sink: &str) -> String {
    format!(
        "SET 'parallelism.default' = '1';
CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '1000000000',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}', 'fields.v.length' = '48');
CREATE TABLE dest (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ({sink});
INSERT INTO dest SELECT id, v FROM gen;
"
    )
}

/// Rows per second of `sql` in Flink, from the net runtime `RunSql` prints.
fn flink_rate(sql: &str) -> f64 {
    let (code, _, err) = support::run_flink(sql, &[]);
    assert_eq!(code, 0, "the Flink job failed: {err}");
    let ms: f64 = err
        .lines()
        .find_map(|l| l.strip_prefix("job finished: net runtime "))
        .and_then(|l| l.strip_suffix(" ms"))
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("no net runtime in RunSql's output: {err}"));
    ROWS as f64 / (ms / 1000.0)
}

/// The values sorted.
fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Median and range, as `median [min-max]`.
fn spread(values: &[f64], digits: usize) -> String {
    let v = sorted(values);
    format!(
        "{:.digits$} [{:.digits$}-{:.digits$}]",
        v[v.len() / 2],
        v[0],
        v[v.len() - 1]
    )
}

/// The exit code is returned, not `process::exit`ed, so the server is stopped on drop.
fn main() -> std::process::ExitCode {
    let server = RedisServer::start();
    support::flink();
    let redis = format!(
        "'connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{}'",
        server.port()
    );
    let (to_redis, to_blackhole) = (job(&redis), job("'connector' = 'blackhole'"));
    let resources = resource_dir(&[&redis_plugin()]);
    let dir = tempfile::tempdir().unwrap();
    let options = connector_host::job::JobOptions {
        resources: resources.path().to_path_buf(),
        parallelism: None,
        explain_only: false,
    };
    let host_rate = |name: &str, sql: &str| -> f64 {
        let path = dir.path().join(format!("{name}.sql"));
        std::fs::write(&path, sql).unwrap();
        let started = Instant::now();
        connector_host::job::run_file(&path, &options).expect("the host's job runs");
        ROWS as f64 / started.elapsed().as_secs_f64()
    };
    // JIT and page cache, not measured.
    flink_rate(&to_blackhole);
    server.flushall();
    let mut figures: [Vec<f64>; 6] = Default::default();
    for round in 1..=ROUNDS {
        let bench = server.benchmark("set", ROWS, Some(48));
        server.flushall();
        let blackhole = flink_rate(&to_blackhole);
        let sink = flink_rate(&to_redis);
        assert_eq!(server.flushall(), ROWS as i64, "every row is in Redis");
        let host = host_rate("host-redis", &to_redis);
        assert_eq!(server.flushall(), ROWS as i64, "every row is in Redis");
        let host_blackhole = host_rate("host-blackhole", &to_blackhole);
        println!(
            "round {round}: Flink datagen -> blackhole {blackhole:.0} rows/s, -> redis {sink:.0} rows/s \
             (ratio {:.2}); host -> redis {host:.0} rows/s, -> blackhole {host_blackhole:.0} rows/s; \
             redis-benchmark SET -c 1 -P 128 {bench:.0} ops/s",
            sink / blackhole
        );
        for (i, v) in [
            sink / blackhole,
            sink,
            blackhole,
            host,
            host_blackhole,
            bench,
        ]
        .into_iter()
        .enumerate()
        {
            figures[i].push(v);
        }
    }
    let ratios = &figures[0];
    println!(
        "Flink datagen -> redis / -> blackhole, parallelism 1, {ROWS} rows, {ROUNDS} rounds: ratio {}",
        spread(ratios, 2)
    );
    println!(
        "rows/s: Flink -> redis {}, Flink -> blackhole {}, host -> redis {}, host -> blackhole {}; \
         redis-benchmark SET {} ops/s",
        spread(&figures[1], 0),
        spread(&figures[2], 0),
        spread(&figures[3], 0),
        spread(&figures[4], 0),
        spread(&figures[5], 0)
    );
    let median = sorted(ratios)[ratios.len() / 2];
    let pass = median >= 0.5;
    println!(
        "median ratio {median:.2} (required >= 0.50): {}",
        if pass { "PASS" } else { "FAIL" }
    );
    if pass {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
