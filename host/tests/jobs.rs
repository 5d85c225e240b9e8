//! Jobs run by the real binary with the real Redis plugin against a real `redis-server`: the
//! seed's job, changelog replays, lookup joins, parallelism, checkpoints, Ctrl-C, built-in
//! connectors, and a failure while running.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use connector_tests::{redis_plugin, resource_dir, workspace_root, RedisServer};
use redis::Commands;

struct Job {
    dir: tempfile::TempDir,
    resources: tempfile::TempDir,
}

impl Job {
    fn new() -> Job {
        Job {
            dir: tempfile::tempdir().unwrap(),
            resources: resource_dir(&[&redis_plugin()]),
        }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn command(&self, sql: &Path, extra: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_connector-host"));
        cmd.arg("run")
            .arg(sql)
            .arg("--resources")
            .arg(self.resources.path())
            .args(extra)
            .current_dir(workspace_root())
            .env_remove("RUST_LOG");
        cmd
    }

    fn run(&self, sql: &str, extra: &[&str]) -> (i32, String, String) {
        let path = self.file("job.sql", sql);
        let Output {
            status,
            stdout,
            stderr,
        } = self.command(&path, extra).output().unwrap();
        (
            status.code().unwrap_or(-1),
            String::from_utf8(stdout).unwrap(),
            String::from_utf8(stderr).unwrap(),
        )
    }
}

fn con(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn all_keys(server: &RedisServer, pattern: &str) -> BTreeMap<String, String> {
    let mut c = con(server);
    let keys: Vec<String> = c.keys(pattern).unwrap();
    keys.into_iter()
        .map(|k| {
            let v: String = c.get(&k).unwrap();
            (k, v)
        })
        .collect()
}

#[test]
fn the_seed_job_replays_a_changelog_into_redis_and_enriches_visits() {
    let server = RedisServer::with_password("123456");
    let seed = std::fs::read_to_string(workspace_root().join("examples/seed.sql")).unwrap();
    let sql = seed.replace("'port' = '6379'", &format!("'port' = '{}'", server.port()));
    let (code, out, err) = Job::new().run(&sql, &[]);
    assert_eq!(code, 0, "{err}");
    for line in [
        "enriched> +I[1, M, male]",
        "enriched> +I[2, F, female]",
        "enriched> +I[9, X, null]",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
    let mut c = redis::Client::open(format!("redis://:123456@127.0.0.1:{}/", server.port()))
        .unwrap()
        .get_connection()
        .unwrap();
    assert_eq!(
        c.get::<_, String>("1").unwrap(),
        r#"{"name":"张三","sex":"M"}"#
    );
    assert_eq!(
        c.get::<_, String>("2").unwrap(),
        r#"{"name":"李四四","sex":"F"}"#,
        "the update"
    );
    assert_eq!(c.get::<_, Option<String>>("3").unwrap(), None, "the delete");
    let ttl: i64 = c.ttl("1").unwrap();
    assert!((1..=60).contains(&ttl), "the seed's ttl: {ttl}");
    assert_eq!(c.get::<_, String>("M").unwrap(), "male");
    assert!(err.contains("summary: 6 rows read"), "{err}");
    assert!(err.contains("rows_deleted 1"), "{err}");
}

#[test]
fn the_seed_job_runs_against_a_server_without_a_password_with_a_warning() {
    let server = RedisServer::start();
    let seed = std::fs::read_to_string(workspace_root().join("examples/seed.sql")).unwrap();
    let sql = seed.replace("'port' = '6379'", &format!("'port' = '{}'", server.port()));
    let (code, out, err) = Job::new().run(&sql, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("enriched> +I[1, M, male]"), "{out}");
    assert!(
        err.contains(&format!(
            "table 'redis': the server at localhost:{} has no password set; 'password' was not used",
            server.port()
        )),
        "{err}"
    );
    assert!(!err.contains("123456"), "{err}");
    assert_eq!(all_keys(&server, "1")["1"], r#"{"name":"张三","sex":"M"}"#);
}

#[test]
fn a_wrong_password_for_a_server_that_has_one_is_still_an_error() {
    let server = RedisServer::with_password("right");
    let sql = format!(
        "CREATE TABLE r (id STRING, v STRING) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1',
  'port' = '{}', 'password' = 'wrong', 'sink.max-retries' = '0');
CREATE TABLE g (id STRING, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3');
INSERT INTO r SELECT id, v FROM g;",
        server.port()
    );
    let (code, _, err) = Job::new().run(&sql, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Password authentication failed"), "{err}");
    assert!(!err.contains("wrong'"), "{err}");
}

#[test]
fn explain_of_the_seed_prints_the_plan_and_never_the_password() {
    let job = Job::new();
    let out = Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .args(["explain", "examples/seed.sql", "--resources"])
        .arg(job.resources.path())
        .current_dir(workspace_root())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("redis (sink, connector 'redis'): (id STRING NOT NULL, name STRING, sex STRING, PRIMARY KEY (id))"), "{stdout}");
    assert!(stdout.contains("'password' = '******'"), "{stdout}");
    assert!(
        stdout.contains("left lookup join redis_dim on (sex), batched"),
        "{stdout}"
    );
    assert!(!stdout.contains("123456") && !String::from_utf8_lossy(&out.stderr).contains("123456"));
}

fn join_sql(server: &RedisServer, kind: &str, data: &Path) -> String {
    format!(
        "CREATE TABLE dim (k STRING, v STRING) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'key.prefix' = 'dim:');
CREATE TABLE s (id INT, k STRING, p AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = '{data}', 'format' = 'csv');
CREATE TABLE out (id INT, k STRING, v STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT s.id, s.k, UPPER(d.v) FROM s {kind} JOIN dim FOR SYSTEM_TIME AS OF s.p AS d ON s.k = d.k WHERE s.id > 0;",
        port = server.port(),
        data = data.display()
    )
}

#[test]
fn inner_joins_drop_misses_and_left_joins_pad_nulls() {
    let server = RedisServer::start();
    let _: () = con(&server).set("dim:a", "alpha").unwrap();
    let job = Job::new();
    let data = job.file("s.csv", "1,a\n2,b\n0,a\n3,a\n");
    let (code, out, err) = job.run(&join_sql(&server, "", &data), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1, a, ALPHA]\n+I[3, a, ALPHA]\n");
    let (code, out, err) = job.run(&join_sql(&server, "LEFT", &data), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1, a, ALPHA]\n+I[2, b, null]\n+I[3, a, ALPHA]\n");
    assert!(
        err.contains("2 keys looked up"),
        "one lookup per distinct key and batch: {err}"
    );
}

#[test]
fn a_join_projecting_columns_picks_them_from_probe_and_answer() {
    // Columns only (one twice, one cast to BIGINT): rows are picked without joined rows.
    let server = RedisServer::start();
    let _: () = con(&server).set("dim:a", "alpha").unwrap();
    let job = Job::new();
    let data = job.file("s.csv", "1,a\n2,b\n0,a\n3,a\n");
    let sql = |kind: &str| {
        format!(
            "CREATE TABLE dim (k STRING, v STRING) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'key.prefix' = 'dim:');
CREATE TABLE s (id INT, k STRING, p AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = '{data}', 'format' = 'csv');
CREATE TABLE out (id BIGINT, v STRING, dk STRING, k STRING, k2 STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT s.id, d.v, d.k, s.k, s.k FROM s {kind} JOIN dim FOR SYSTEM_TIME AS OF s.p AS d ON s.k = d.k WHERE s.id > 0;",
            port = server.port(),
            data = data.display()
        )
    };
    let (code, out, err) = job.run(&sql(""), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1, alpha, a, a, a]\n+I[3, alpha, a, a, a]\n");
    let (code, out, err) = job.run(&sql("LEFT"), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "+I[1, alpha, a, a, a]\n+I[2, null, null, b, b]\n+I[3, alpha, a, a, a]\n"
    );
}

#[test]
fn a_join_over_many_batches_keeps_every_row_in_order() {
    // 5,000 rows are 5 batches, answered while the next ones are submitted.
    let server = RedisServer::start();
    let mut c = con(&server);
    let mut pipe = redis::pipe();
    for id in (2..=5000).step_by(2) {
        pipe.set(format!("d:{id}"), format!("v{id}")).ignore();
    }
    let _: () = pipe.query(&mut c).unwrap();
    let job = Job::new();
    let expected: String = (2..=5000)
        .step_by(2)
        .map(|id| format!("+I[{id}, v{id}]\n"))
        .collect();
    for cache in ["", ", 'lookup.cache' = 'PARTIAL'"] {
        let sql = format!(
            "CREATE TABLE s (id BIGINT, p AS PROCTIME()) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5000');
CREATE TABLE dim (id BIGINT, v STRING) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'key.prefix' = 'd:'{cache});
CREATE TABLE out (id BIGINT, v STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT s.id, d.v FROM s JOIN dim FOR SYSTEM_TIME AS OF s.p AS d ON s.id = d.id;",
            port = server.port()
        );
        let (code, out, err) = job.run(&sql, &[]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out == expected,
            "cache '{cache}': {} rows, {err}",
            out.lines().count()
        );
        assert!(err.contains("5000 keys looked up"), "{err}");
    }
}

#[test]
fn two_joins_chain_the_second_on_a_column_of_the_first() {
    let server = RedisServer::start();
    let mut c = con(&server);
    let _: () = c.set("user:1", "fr").unwrap();
    let _: () = c.set("user:2", "de").unwrap();
    let _: () = c.set("user:3", "xx").unwrap();
    let _: () = c
        .hset_multiple("country:fr", &[("name", "France"), ("zone", "1")])
        .unwrap();
    let _: () = c
        .hset_multiple("country:de", &[("name", "Germany"), ("zone", "1")])
        .unwrap();
    let job = Job::new();
    let data = job.file("s.csv", "10,1\n11,2\n12,3\n13,4\n14,1\n");
    let sql = format!(
        "CREATE TABLE users (uid INT, country STRING, PRIMARY KEY (uid) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'key.prefix' = 'user:');
CREATE TABLE countries (code STRING, name STRING, zone INT, PRIMARY KEY (code) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'key.prefix' = 'country:', 'type' = 'hash');
CREATE TABLE s (id INT, uid INT, p AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = '{data}', 'format' = 'csv');
CREATE TABLE out (id INT, code STRING, name STRING, zone INT) WITH ('connector' = 'print');
INSERT INTO out SELECT s.id, u.country, c.name, c.zone FROM s
  JOIN users FOR SYSTEM_TIME AS OF s.p AS u ON s.uid = u.uid
  LEFT JOIN countries FOR SYSTEM_TIME AS OF s.p AS c ON u.country = c.code;",
        port = server.port(),
        data = data.display()
    );
    let expected = "+I[10, fr, France, 1]\n+I[11, de, Germany, 1]\n+I[12, xx, null, null]\n+I[14, fr, France, 1]\n";
    for parallelism in ["1", "3"] {
        let (code, out, err) = job.run(&sql, &["--parallelism", parallelism]);
        assert_eq!(code, 0, "{err}");
        // At parallelism > 1 print prefixes each row with its subtask (`2> +I[...]`), as Flink.
        let mut lines: Vec<&str> = out
            .lines()
            .map(|l| l.split_once("> ").map_or(l, |(_, row)| row))
            .collect();
        lines.sort();
        assert_eq!(
            lines.join("\n") + "\n",
            expected,
            "parallelism {parallelism}: {err}"
        );
        assert!(
            err.contains("lookup 'users'") && err.contains("lookup 'countries'"),
            "{err}"
        );
    }
}

/// A Debezium changelog with many changes per key, ending with a known state.
fn changelog(job: &Job) -> (PathBuf, BTreeMap<String, String>) {
    let mut lines = String::new();
    let mut state: BTreeMap<String, String> = BTreeMap::new();
    for round in 0..5 {
        for id in 0..200 {
            let key = id.to_string();
            let value = format!("v{round}-{id}");
            match (state.get(&key).cloned(), (id + round) % 7) {
                (Some(old), 0) => {
                    lines.push_str(&format!(
                        r#"{{"before":{{"id":"{key}","v":"{old}"}},"after":null,"op":"d"}}"#
                    ));
                    state.remove(&key);
                }
                (Some(old), _) => {
                    lines.push_str(&format!(r#"{{"before":{{"id":"{key}","v":"{old}"}},"after":{{"id":"{key}","v":"{value}"}},"op":"u"}}"#));
                    state.insert(key, value);
                }
                (None, _) => {
                    lines.push_str(&format!(
                        r#"{{"before":null,"after":{{"id":"{key}","v":"{value}"}},"op":"c"}}"#
                    ));
                    state.insert(key, value);
                }
            }
            lines.push('\n');
        }
    }
    (job.file("changes.json", &lines), state)
}

#[test]
fn parallelism_1_and_4_give_the_same_redis_state() {
    let server = RedisServer::start();
    let job = Job::new();
    let (data, expected) = changelog(&job);
    for (parallelism, prefix) in [("1", "p1:"), ("4", "p4:")] {
        let sql = format!(
            "CREATE TABLE src (id STRING, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'debezium-json');
CREATE TABLE r (id STRING, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{}', 'key.prefix' = '{prefix}', 'sink.buffer-flush.max-rows' = '7');
INSERT INTO r SELECT id, v FROM src;",
            data.display(),
            server.port()
        );
        let (code, _, err) = job.run(&sql, &["--parallelism", parallelism]);
        assert_eq!(code, 0, "{err}");
        let got: BTreeMap<String, String> = all_keys(&server, &format!("{prefix}*"))
            .into_iter()
            .map(|(k, v)| (k[prefix.len()..].to_string(), v))
            .collect();
        assert_eq!(got, expected, "parallelism {parallelism}");
    }
}

fn spawn(job: &Job, sql: &str) -> Child {
    let path = job.file("job.sql", sql);
    job.command(&path, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn interrupt(child: &mut Child) {
    signal(child, "INT");
}

fn signal(child: &mut Child, name: &str) {
    // The shell's own `kill`, so no procps is needed.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{name} {}", child.id()))
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn datagen_to_redis(server: &RedisServer, checkpoint: &str) -> String {
    format!(
        "SET 'execution.checkpointing.interval' = '{checkpoint}';
CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.v.length' = '8');
CREATE TABLE r (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{}', 'sink.buffer-flush.interval' = '1h', 'sink.buffer-flush.max-rows' = '1000000');
INSERT INTO r SELECT id, v FROM gen;",
        server.port()
    )
}

fn dbsize(server: &RedisServer) -> i64 {
    redis::cmd("DBSIZE").query(&mut con(server)).unwrap()
}

#[test]
fn checkpoints_flush_every_sink_while_the_job_runs() {
    let server = RedisServer::start();
    let job = Job::new();
    let mut child = spawn(&job, &datagen_to_redis(&server, "200ms"));
    let started = Instant::now();
    while dbsize(&server) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no checkpoint flushed the buffered rows"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    interrupt(&mut child);
    let (code, err) = wait(child);
    assert_eq!(code, 130, "{err}");
    let completed: u64 = err
        .split(" checkpoints completed")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no checkpoint count in {err}"));
    assert!(completed >= 2, "{err}");
}

#[test]
fn ctrl_c_flushes_buffered_rows_and_exits_130() {
    let server = RedisServer::start();
    let job = Job::new();
    let mut child = spawn(&job, &datagen_to_redis(&server, "1h"));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        dbsize(&server),
        0,
        "rows stay buffered: no checkpoint, no full buffer"
    );
    let stopped = Instant::now();
    interrupt(&mut child);
    let (code, err) = wait(child);
    assert_eq!(code, 130, "{err}");
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "stopped within seconds"
    );
    assert!(err.contains("stopped by Ctrl-C"), "{err}");
    let read: i64 = err
        .split("summary: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary in {err}"));
    assert!(read > 0);
    // Random ids may repeat: every row read is in Redis, as keys.
    let distinct = dbsize(&server);
    assert!(
        distinct > 0 && distinct <= read,
        "{distinct} keys for {read} rows"
    );
    assert!(
        err.contains(&format!("rows_written {read}")),
        "every row handed to the sink was written: {err}"
    );
}

#[test]
fn builtin_connectors_datagen_filesystem_print_and_select() {
    let job = Job::new();
    let out_dir = job.dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let csv = job.dir.path().join("out.csv");
    let canal = job.file(
        "canal.json",
        r#"{"data":[{"id":"1","n":"10"}],"type":"INSERT"}
{"data":[{"id":"1","n":"11"}],"old":[{"n":"10"}],"type":"UPDATE"}
{"data":[{"id":"1","n":"11"}],"type":"DELETE"}
"#,
    );
    let sql = format!(
        "SET 'parallelism.default' = '1';
CREATE TABLE gen (id INT, name STRING) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3', 'fields.name.length' = '5');
CREATE TABLE jout (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'json');
CREATE TABLE cout (id INT, label STRING) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'csv');
CREATE TABLE changes (id STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'canal-json');
CREATE TABLE shown (id STRING, n INT) WITH ('connector' = 'print', 'print-identifier' = 'cdc');
CREATE TABLE nothing (id INT) WITH ('connector' = 'blackhole');
INSERT INTO jout SELECT id, name FROM gen;
INSERT INTO cout SELECT id, CASE WHEN id = 2 THEN 'two, \"quoted\"' ELSE CONCAT('n', CAST(id AS STRING)) END FROM gen;
INSERT INTO shown SELECT id, n FROM changes;
INSERT INTO nothing SELECT id FROM gen;
SELECT id, id * 10 AS tens, COALESCE(NULL, 'x') AS c FROM gen WHERE id <> 2;",
        out_dir.display(),
        csv.display(),
        canal.display()
    );
    let (code, out, err) = job.run(&sql, &[]);
    assert_eq!(code, 0, "{err}");
    let part = std::fs::read_dir(&out_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let json = std::fs::read_to_string(part).unwrap();
    let ids: Vec<i64> = json
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert!(
        json.lines()
            .all(|l| l.contains("\"name\":\"") && l.len() > 20),
        "{json}"
    );
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "1,n1\n2,\"two, \"\"quoted\"\"\"\n3,n3\n"
    );
    assert!(
        out.contains("cdc> +I[1, 10]\ncdc> -U[1, 10]\ncdc> +U[1, 11]\ncdc> -D[1, 11]\n"),
        "{out}"
    );
    assert!(out.contains("| op | id | tens | c |"), "{out}");
    assert!(out.contains("| +I | 3  | 30   | x |"), "{out}");
    assert!(out.contains("2 row(s) in set"), "{out}");
}

#[test]
fn a_redis_failure_while_running_exits_1_with_the_server_named() {
    let mut server = RedisServer::start();
    let port = server.port();
    server.kill();
    let job = Job::new();
    let sql = format!(
        "CREATE TABLE gen (id INT, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE r (id INT, v STRING) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'sink.max-retries' = '1');
INSERT INTO r SELECT id, v FROM gen;"
    );
    let (code, _, err) = job.run(&sql, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "table 'r': connecting to redis at 127.0.0.1:{port} failed"
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn insert_with_a_column_list_reorders_casts_and_leaves_the_rest_null() {
    let job = Job::new();
    let sql = "CREATE TABLE gen (id INT, name STRING) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '2', 'fields.name.length' = '3');
CREATE TABLE out (name STRING, id BIGINT, tag STRING) WITH ('connector' = 'print');
INSERT INTO out (id, name) SELECT id, 'n' || CAST(id AS STRING) FROM gen;";
    let (code, out, err) = job.run(sql, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[n1, 1, null]\n+I[n2, 2, null]\n");
}

#[test]
fn a_row_written_as_a_json_file_line_and_as_a_redis_json_value_is_the_same_bytes() {
    let server = RedisServer::start();
    let job = Job::new();
    let input = job.file(
        "in.json",
        "{\"id\":\"k1\",\"amount\":123.40,\"payload\":\"aGkh\",\"at\":\"2026-12-02 04:27:35.425\",\"note\":\"\"}\n\
         {\"id\":\"k2\",\"amount\":-0.05,\"payload\":\"\",\"at\":\"1970-01-01 00:00:00\",\"note\":\"x \\\"y\\\"\"}\n",
    );
    let out = job.file("out.json", "");
    let columns = "amount DECIMAL(10, 2), payload BYTES, at TIMESTAMP(3), note STRING";
    let sql = format!(
        "CREATE TABLE src (id STRING, {columns}) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'json');
CREATE TABLE r (id STRING, {columns}, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{}', 'value.format' = 'json');
CREATE TABLE f ({columns}) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'json');
INSERT INTO r SELECT * FROM src;
INSERT INTO f SELECT amount, payload, at, note FROM src;",
        input.display(),
        server.port(),
        out.display()
    );
    let (code, _, stderr) = job.run(&sql, &[]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let redis = all_keys(&server, "k*");
    assert_eq!(lines, [redis["k1"].clone(), redis["k2"].clone()]);
    // A DECIMAL as Flink's json format writes it (host/tests/flink/sink_files.out): 123.4.
    assert_eq!(
        lines[0],
        r#"{"amount":123.4,"payload":"aGkh","at":"2026-12-02 04:27:35.425","note":""}"#
    );
    assert_eq!(
        lines[1],
        r#"{"amount":-0.05,"payload":"","at":"1970-01-01 00:00:00","note":"x \"y\""}"#
    );
}

#[test]
fn a_job_writes_into_a_redis_cluster_and_joins_against_it_at_parallelism_2() {
    let cluster = connector_tests::RedisCluster::start(3, 0);
    let job = Job::new();
    let out = job.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let nodes = cluster.nodes_option();
    let sql = format!(
        "SET 'parallelism.default' = '2';
CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '20000');
CREATE TABLE dim (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'mode' = 'cluster', 'cluster.nodes' = '{nodes}');
INSERT INTO dim SELECT id, CONCAT('v', CAST(id AS STRING)) FROM gen;
CREATE TABLE probes (id BIGINT, p AS PROCTIME()) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '20000');
CREATE TABLE joined (id BIGINT, v STRING) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'csv');
INSERT INTO joined SELECT s.id, d.v FROM probes AS s JOIN dim FOR SYSTEM_TIME AS OF s.p AS d ON s.id = d.id;",
        out.display()
    );
    let (code, _, err) = job.run(&sql, &[]);
    assert_eq!(code, 0, "{err}");
    let masters = cluster.masters();
    let keys: Vec<i64> = masters.iter().map(|m| cluster.dbsize(*m)).collect();
    assert_eq!(keys.iter().sum::<i64>(), 20_000, "{keys:?}");
    assert!(
        keys.iter().all(|k| *k > 5000),
        "spread over every master: {keys:?}"
    );
    let mut lines: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flat_map(|f| {
            std::fs::read_to_string(f.unwrap().path())
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    lines.sort();
    assert_eq!(lines.len(), 20_000);
    assert!(
        lines.contains(&"12345,v12345".to_string()),
        "{:?}",
        &lines[..3]
    );
    assert!(lines.iter().all(|l| {
        let (id, v) = l.split_once(',').unwrap();
        v == format!("v{id}")
    }));
}

/// The rows the summary says were handed to the sink.
fn handed(err: &str) -> i64 {
    err.split("rows handed to 'r'")
        .next()
        .and_then(|s| s.rsplit(", ").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no rows handed to 'r' in {err}"))
}

#[test]
fn sigterm_and_sighup_stop_a_job_as_ctrl_c_does_with_every_row_flushed() {
    for (name, code) in [("TERM", 143), ("HUP", 129)] {
        let server = RedisServer::start();
        let job = Job::new();
        let mut child = spawn(&job, &datagen_to_redis(&server, "1h"));
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(dbsize(&server), 0, "rows stay buffered until the stop");
        signal(&mut child, name);
        let (exit, err) = wait(child);
        assert_eq!(exit, code, "SIG{name}: {err}");
        assert!(
            err.contains(&format!(
                "stopped by SIG{name}: every sink was flushed and closed"
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!("SIG{name} received: stopping the job")),
            "{err}"
        );
        let handed = handed(&err);
        let distinct = dbsize(&server);
        assert!(handed > 0, "{err}");
        // Random BIGINT ids over 0..2^63: every row handed to the sink is a key in Redis.
        assert_eq!(distinct, handed, "{err}");
    }
}

#[test]
fn a_second_signal_exits_at_once_while_the_final_flush_waits_on_a_stuck_server() {
    let server = RedisServer::start();
    let job = Job::new();
    let mut child = spawn(&job, &datagen_to_redis(&server, "1h"));
    std::thread::sleep(Duration::from_millis(1500));
    server.pause();
    signal(&mut child, "TERM");
    std::thread::sleep(Duration::from_millis(500));
    let second = Instant::now();
    signal(&mut child, "TERM");
    let (exit, err) = wait(child);
    server.resume();
    assert_eq!(exit, 143, "{err}");
    assert!(
        second.elapsed() < Duration::from_secs(3),
        "{:?}",
        second.elapsed()
    );
    assert!(
        err.contains("error: a second signal: exiting now; ")
            && err.contains(" rows handed to sinks were not acknowledged by them"),
        "{err}"
    );
    let unacknowledged: u64 = err
        .split("exiting now; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(unacknowledged > 0, "{err}");
}

#[test]
fn the_grace_period_bounds_a_stop_that_cannot_finish() {
    let server = RedisServer::start();
    let job = Job::new();
    let path = job.file("job.sql", &datagen_to_redis(&server, "1h"));
    let mut child = job
        .command(&path, &["--grace-period", "1s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    server.pause();
    let stopped = Instant::now();
    signal(&mut child, "TERM");
    let (exit, err) = wait(child);
    server.resume();
    assert_eq!(exit, 143, "{err}");
    let took = stopped.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert!(
        err.contains("error: the job did not stop within the grace period: exiting now; "),
        "{err}"
    );
}

/// Runs `sql` with stdout read for one line and then closed, as `| head -1` does.
fn run_into_head(job: &Job, sql: &str) -> (i32, String, String) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = spawn(job, sql);
    let mut first = String::new();
    {
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
    } // closed here
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (code, first, err)
}

#[test]
fn a_closed_stdout_ends_a_job_quietly_and_counts_only_what_was_written() {
    let job = Job::new();
    let (code, first, err) = run_into_head(
        &job,
        "CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '2000000', 'rows-per-second' = '0');
CREATE TABLE out (id BIGINT, v STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT id, v FROM gen;",
    );
    assert_eq!(code, 0, "{err}");
    assert!(first.starts_with("+I["), "{first}");
    assert!(!err.contains("panicked"), "{err}");
    let written: u64 = err
        .split("rows_written ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no rows_written in {err}"));
    assert!(
        written < 2_000_000,
        "rows that went nowhere are not counted: {err}"
    );

    let (code, first, err) = run_into_head(
        &job,
        "CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '200000', 'rows-per-second' = '0');
SELECT id, v FROM gen;",
    );
    assert_eq!(code, 0, "{err}");
    assert!(first.starts_with("+--"), "{first}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn hash_fields_hold_flinks_cast_text_and_a_lookup_reads_them_back() {
    let server = RedisServer::start();
    let job = Job::new();
    let port = server.port();
    let sql = format!(
        "CREATE TABLE src (id INT, p AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1');
CREATE TABLE r (id INT, b BOOLEAN, ts TIMESTAMP(3), d DOUBLE, m DECIMAL(5, 2), PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'type' = 'hash');
CREATE TABLE out_t (id INT, b BOOLEAN, ts TIMESTAMP(3), d DOUBLE, m DECIMAL(5, 2)) WITH ('connector' = 'print');
INSERT INTO r SELECT id, TRUE, TIMESTAMP '2020-01-02 03:04:05', 1.0E0, 2.50 FROM src;
INSERT INTO out_t SELECT s.id, r.b, r.ts, r.d, r.m FROM src AS s JOIN r FOR SYSTEM_TIME AS OF s.p AS r ON s.id = r.id;"
    );
    let (code, out, err) = job.run(&sql, &[]);
    assert_eq!(code, 0, "{err}");
    // Flink 1.20.3's CAST(x AS STRING) of each (host/tests/flink/boolean_text.out,
    // like_and_literals.out, text_forms.out, decimal_arithmetic.out).
    let field = |f: &str| server.bulk(&format!("HGET 1 {f}")).unwrap();
    assert_eq!(field("b"), "TRUE");
    assert_eq!(field("ts"), "2020-01-02 03:04:05.000");
    assert_eq!(field("d"), "1.0");
    assert_eq!(field("m"), "2.50");
    assert_eq!(out, "+I[1, true, 2020-01-02T03:04:05, 1.0, 2.50]\n");
}

#[test]
fn a_json_value_with_flinks_decimal_text_is_looked_up_as_the_decimal_written() {
    let server = RedisServer::start();
    let job = Job::new();
    let port = server.port();
    let sql = format!(
        "CREATE TABLE src (id INT, p AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1');
CREATE TABLE r (id INT, m DECIMAL(5, 2), s STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}');
CREATE TABLE out_t (id INT, m DECIMAL(5, 2), s STRING) WITH ('connector' = 'print');
INSERT INTO r SELECT id, 100.00, 'x' FROM src;
INSERT INTO out_t SELECT s.id, r.m, r.s FROM src AS s JOIN r FOR SYSTEM_TIME AS OF s.p AS r ON s.id = r.id;"
    );
    let (code, out, err) = job.run(&sql, &[]);
    assert_eq!(code, 0, "{err}");
    // Flink's json format writes 100.00 as 1E+2 (host/tests/flink/sink_files.out).
    assert_eq!(server.bulk("GET 1").unwrap(), r#"{"m":1E+2,"s":"x"}"#);
    assert_eq!(out, "+I[1, 100.00, x]\n");
}
