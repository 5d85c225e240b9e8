//! Streaming `GROUP BY` as a user meets it, through the real binary, the real Redis plugin and
//! a real `redis-server`: a Debezium changelog (inserts, an update, deletes) grouped into a
//! Redis hash table leaves exactly the rows of Flink's result table (the table Flink 1.20.3's
//! changelog in `flink/group_by.out` describes) at parallelism 1 and 2; a group that leaves a
//! HAVING is deleted from Redis; a bounded `SELECT ... GROUP BY` prints its final table; and the
//! queries and sinks a group aggregation cannot run are refused before running, exit 2, in
//! Flink's words.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use connector_tests::{outcome, redis_plugin, resource_dir, RedisServer};
use redis::Commands;

/// The folder of the real-Flink golden files; SQL run there names `data/clicks.json`.
fn flink_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/flink")
}

/// Runs `sql` in the golden folder with the Redis plugin installed: exit code, stdout, stderr.
fn run(sql: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.sql");
    std::fs::write(&job, sql).unwrap();
    let resources = resource_dir(&[&redis_plugin()]);
    let out = Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .arg("run")
        .arg(&job)
        .arg("--resources")
        .arg(resources.path())
        .args(extra)
        .current_dir(flink_dir())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    outcome(out)
}

/// The table a changelog of print lines (`+I[a, 1]`, `-U[...]`, ...) describes, by its first
/// column: what a Flink user reads as the query's result.
fn materialize(changelog: &str) -> BTreeMap<String, Vec<String>> {
    let mut table = BTreeMap::new();
    for line in changelog.lines().filter(|l| !l.starts_with('#')) {
        let (kind, rest) = line.split_at(2);
        let fields: Vec<String> = rest
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(", ")
            .map(str::to_string)
            .collect();
        match kind {
            "+I" | "+U" => {
                table.insert(fields[0].clone(), fields[1..].to_vec());
            }
            "-U" | "-D" => {
                let removed = table.remove(&fields[0]);
                assert_eq!(removed.as_deref(), Some(&fields[1..]), "{line}");
            }
            other => panic!("unexpected row kind {other} in {line}"),
        }
    }
    table
}

const CLICKS: &str = "CREATE TABLE clicks (user_id STRING, amount INT, price DOUBLE, cost DECIMAL(10, 2), url STRING) WITH ('connector' = 'filesystem', 'path' = 'data/clicks.json', 'format' = 'debezium-json');";

const COLUMNS: [&str; 11] = [
    "clicks",
    "amounts",
    "urls",
    "total",
    "low",
    "high",
    "mean",
    "mean_price",
    "total_cost",
    "mean_cost",
    "first_url",
];

/// The per-user aggregation of `flink/group_by.sql` into a Redis hash table on `port`.
fn per_user_into_redis(port: u16, having: &str) -> String {
    format!(
        "{CLICKS}
CREATE TABLE per_user (user_id STRING, clicks BIGINT, amounts BIGINT, urls BIGINT, total INT, low INT, high INT, mean INT, mean_price DOUBLE, total_cost DECIMAL(38, 2), mean_cost DECIMAL(38, 6), first_url STRING, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'type' = 'hash', 'key.prefix' = 'user:');
INSERT INTO per_user SELECT user_id, COUNT(*), COUNT(amount), COUNT(DISTINCT url), SUM(amount), MIN(amount), MAX(amount), AVG(amount), AVG(price), SUM(cost), AVG(cost), MIN(url) FROM clicks GROUP BY user_id {having};"
    )
}

/// Every `user:*` hash in Redis, as the rows of the result table (fields in column order).
fn hashes(server: &RedisServer) -> BTreeMap<String, Vec<String>> {
    let mut c = redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let keys: Vec<String> = c.keys("user:*").unwrap();
    keys.into_iter()
        .map(|k| {
            let fields: BTreeMap<String, String> = c.hgetall(&k).unwrap();
            let row = COLUMNS
                .iter()
                .map(|name| fields.get(*name).cloned().unwrap_or_else(|| "null".into()))
                .collect();
            (k.trim_start_matches("user:").to_string(), row)
        })
        .collect()
}

#[test]
fn a_debezium_changelog_grouped_into_redis_leaves_flinks_result_table_at_parallelism_1_and_2() {
    let golden = std::fs::read_to_string(flink_dir().join("group_by.out")).unwrap();
    let expected = materialize(&golden);
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        ["alice", "bob", "carol"],
        "bob was deleted and came back; the golden file's result table"
    );
    for parallelism in ["1", "2"] {
        let server = RedisServer::start();
        let (code, _, err) = run(
            &per_user_into_redis(server.port(), ""),
            &["--parallelism", parallelism],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(hashes(&server), expected, "parallelism {parallelism}");
        assert!(err.contains("groups 3"), "{err}");
    }
}

#[test]
fn a_group_that_leaves_the_having_condition_is_deleted_from_redis() {
    // Flink's result table for HAVING COUNT(*) > 1: its changelog filtered row by row.
    let golden = std::fs::read_to_string(flink_dir().join("group_by.out")).unwrap();
    let filtered: String = golden
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.split(", ").nth(1).unwrap().parse::<i64>().unwrap() > 1)
        .map(|l| format!("{l}\n"))
        .collect();
    let expected = materialize(&filtered);
    // carol had 2 clicks, then 1: she was in the result and left it.
    assert!(filtered.contains("+U[carol, 2"), "{filtered}");
    assert_eq!(expected.keys().collect::<Vec<_>>(), ["alice", "bob"]);
    for parallelism in ["1", "2"] {
        let server = RedisServer::start();
        let (code, _, err) = run(
            &per_user_into_redis(server.port(), "HAVING COUNT(*) > 1"),
            &["--parallelism", parallelism],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(hashes(&server), expected, "parallelism {parallelism}");
    }
}

#[test]
fn a_bounded_select_with_group_by_prints_its_final_table() {
    let (code, out, err) = run(
        &format!(
            "{CLICKS}\nSELECT user_id, COUNT(*) AS n, SUM(amount) FROM clicks GROUP BY user_id;"
        ),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let rows: Vec<String> = out
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows,
        [
            "| op | user_id | n | EXPR$2 |",
            "| +I | alice | 2 | 20 |",
            "| +I | carol | 1 | 7 |",
            "| +I | bob | 2 | -2147483648 |"
        ],
        "{out}"
    );
}

#[test]
fn queries_and_sinks_a_group_aggregation_cannot_run_are_refused_before_running() {
    let redis = |pk: &str| {
        format!(
            "CREATE TABLE r (user_id STRING, n BIGINT{pk}) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '1');"
        )
    };
    let cases = [
        (
            format!("{CLICKS}\nCREATE TABLE o (user_id STRING, n INT) WITH ('connector' = 'print');\nINSERT INTO o SELECT user_id, amount FROM clicks GROUP BY user_id;"),
            "Expression 'amount' is not being grouped",
        ),
        (
            format!("{CLICKS}\nCREATE TABLE o (user_id STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '/nonexistent/out', 'format' = 'json');\nINSERT INTO o SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;"),
            "Table sink 'default_catalog.default_database.o' doesn't support consuming update and delete changes which is produced by node GroupAggregate(groupBy=[user_id])",
        ),
        (
            format!("{CLICKS}\n{}\nINSERT INTO r SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;", redis("")),
            "Table sink 'default_catalog.default_database.r' doesn't support consuming update and delete changes which is produced by node GroupAggregate(groupBy=[user_id]) (declare the GROUP BY columns as its PRIMARY KEY (...) NOT ENFORCED",
        ),
        (
            format!("{CLICKS}\n{}\nINSERT INTO r SELECT url, COUNT(*) FROM clicks GROUP BY user_id;", redis(", PRIMARY KEY (user_id) NOT ENFORCED")),
            "Expression 'url' is not being grouped",
        ),
        (
            format!("{CLICKS}\n{}\nINSERT INTO r SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;", redis(", PRIMARY KEY (n) NOT ENFORCED")),
            "not supported: the PRIMARY KEY (n) of table 'r' is not the GROUP BY columns of GroupAggregate(groupBy=[user_id])",
        ),
        (
            format!("{CLICKS}\n{}\nINSERT INTO r SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id, url;", redis(", PRIMARY KEY (user_id) NOT ENFORCED")),
            "not supported: the PRIMARY KEY (user_id) of table 'r' is not the GROUP BY columns of GroupAggregate(groupBy=[user_id, url])",
        ),
        (
            format!("{CLICKS}\nSELECT user_id FROM clicks WHERE COUNT(*) > 1;"),
            "COUNT is an aggregate function: it goes in the select list or HAVING of a query",
        ),
        (
            format!("{CLICKS}\nSELECT user_id, SUM(url) FROM clicks GROUP BY user_id;"),
            "Cannot apply 'SUM' to arguments of type 'SUM(<STRING>)'. Supported form(s): 'SUM(<NUMERIC>)'",
        ),
        (
            format!("{CLICKS}\nSELECT * FROM clicks GROUP BY user_id;"),
            "not supported: SELECT * with GROUP BY",
        ),
    ];
    for (sql, words) in cases {
        let (code, out, err) = run(&sql, &[]);
        assert_eq!(code, 2, "{sql}\n{err}");
        assert!(err.contains(words), "{sql}\nwanted: {words}\ngot: {err}");
        assert!(out.is_empty(), "{out}");
    }
}
