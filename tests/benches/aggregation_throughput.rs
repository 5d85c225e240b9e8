//! A streaming `GROUP BY` through the host's job runner (the code `connector-host run` runs),
//! parallelism 1, against the same job without the aggregate in the same run:
//!
//! - `datagen -> blackhole`: 2,000,000 rows (a BIGINT user over 100,000 values, an INT
//!   amount), `SELECT user_id, amount` vs `SELECT user_id, COUNT(*), SUM(amount) ... GROUP BY
//!   user_id` (every input row changes its group: one `+U` out per row). The aggregate's own
//!   cost.
//! - The same two jobs into a Redis hash table (PRIMARY KEY user_id) on a local server: what a
//!   user runs.
//!
//! Five rounds, alternating; the median ratio (aggregate / plain) and its spread. Then the
//! state size: the process's peak RSS (`VmHWM`) before and after a `GROUP BY` over 1,000,000
//! distinct users (blackhole sink), divided by the groups: bytes per group, the hash table,
//! keys, accumulators and the allocator's overhead included.
//!
//! `cargo bench -p connector-tests --bench aggregation_throughput`

use std::time::Instant;

use connector_tests::{peak_rss_kb, redis_plugin, resource_dir, RedisServer};

const ROWS: u64 = 2_000_000;
const USERS: u64 = 100_000;
const ROUNDS: usize = 5;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn job(port: u16, sink: &str, grouped: bool, rows: u64, users: u64) -> String {
    let (out, with) = match sink {
        "redis" => (
            "CREATE TABLE out (user_id BIGINT, n BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)",
            format!("WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'type' = 'hash')"),
        ),
        _ => (
            "CREATE TABLE out (user_id BIGINT, n BIGINT, total BIGINT)",
            "WITH ('connector' = 'blackhole')".to_string(),
        ),
    };
    let query = match grouped {
        true => "INSERT INTO out SELECT user_id, COUNT(*), SUM(CAST(amount AS BIGINT)) FROM clicks GROUP BY user_id;",
        false => "INSERT INTO out SELECT user_id, CAST(1 AS BIGINT), CAST(amount AS BIGINT) FROM clicks;",
    };
    format!(
        "CREATE TABLE clicks (user_id BIGINT, amount INT) WITH ('connector' = 'datagen', 'rows-per-second' = '0', 'number-of-rows' = '{rows}',
  'fields.user_id.min' = '0', 'fields.user_id.max' = '{}', 'fields.amount.min' = '0', 'fields.amount.max' = '1000');
{out} {with};
{query}",
        users - 1
    )
}

fn main() {
    let server = RedisServer::start();
    let resources = resource_dir(&[&redis_plugin()]);
    let dir = tempfile::tempdir().unwrap();
    let options = connector_host::job::JobOptions {
        resources: resources.path().to_path_buf(),
        parallelism: Some(1),
        explain_only: false,
    };
    let run = |name: &str, sql: &str| -> f64 {
        let path = dir.path().join(format!("{name}.sql"));
        std::fs::write(&path, sql).unwrap();
        let started = Instant::now();
        connector_host::job::run_file(&path, &options).expect("the job runs");
        ROWS as f64 / started.elapsed().as_secs_f64()
    };
    for sink in ["blackhole", "redis"] {
        let mut ratios = Vec::new();
        let mut rates = Vec::new();
        for round in 1..=ROUNDS {
            server.flushall();
            let plain = run("plain", &job(server.port(), sink, false, ROWS, USERS));
            server.flushall();
            let grouped = run("grouped", &job(server.port(), sink, true, ROWS, USERS));
            println!(
                "round {round}: {sink}: without the aggregate {plain:.0} rows/s, GROUP BY {grouped:.0} rows/s, ratio {:.2}",
                grouped / plain
            );
            ratios.push(grouped / plain);
            rates.push((grouped, plain));
        }
        if sink == "redis" {
            assert_eq!(server.dbsize(), USERS as i64, "one hash per user");
        }
        let mut sorted = ratios.clone();
        sorted.sort_by(f64::total_cmp);
        rates.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!(
            "{sink}: GROUP BY / without the aggregate, median of {ROUNDS} rounds {:.2} (spread {:.2}-{:.2}); GROUP BY median {:.0} rows/s",
            sorted[ROUNDS / 2],
            sorted[0],
            sorted[ROUNDS - 1],
            rates[ROUNDS / 2].0
        );
    }
    let pid = std::process::id();
    let before = peak_rss_kb(pid).unwrap_or(0);
    let groups = 1_000_000;
    // A sequence of users: exactly `groups` groups.
    let state = job(server.port(), "blackhole", true, groups, groups).replace(
        "'fields.user_id.min' = '0', 'fields.user_id.max' = '999999'",
        "'fields.user_id.kind' = 'sequence', 'fields.user_id.start' = '0', 'fields.user_id.end' = '999999'",
    );
    assert!(state.contains("sequence"));
    run("state", &state);
    let after = peak_rss_kb(pid).unwrap_or(0);
    println!(
        "state: peak RSS {before} kB -> {after} kB over a GROUP BY of {groups} groups (COUNT(*), SUM): {:.0} bytes per group",
        (after.saturating_sub(before) * 1024) as f64 / groups as f64
    );
}
