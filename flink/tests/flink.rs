//! The Redis plugin inside real Apache Flink 1.20.3 through the bridge, as a Flink user meets
//! it: the connector JAR `flink/package.sh` builds, on Flink's classpath, running the seed's
//! SQL (`examples/seed.sql`: the seed's DDL verbatim) at parallelism 2. Each test compares
//! with what our host leaves for the same SQL, against its own `redis-server`: the keys, their
//! values and TTLs, the lookup join's rows (sync and async), the error of a wrong password and
//! of a bad option. A checkpointed unbounded job killed after some checkpoints has every row
//! of its last completed checkpoint in Redis.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use connector_tests::RedisServer;
use redis::Commands;
use support::{printed, run_flink, run_host, seed_sql, spawn_flink};

/// A connection to a server of these tests (password `123456`).
fn connect(server: &RedisServer) -> redis::Connection {
    let url = format!("redis://:123456@127.0.0.1:{}/", server.port());
    redis::Client::open(url).unwrap().get_connection().unwrap()
}

/// Every key of a server with its value (strings; hashes as sorted `field=value` pairs) and
/// whether it has a TTL within `0 < ttl <= 60` (`ttl`), none (`-`), or another one.
fn contents(server: &RedisServer) -> BTreeMap<String, (String, String)> {
    let mut con = connect(server);
    let keys: Vec<String> = con.keys("*").unwrap();
    keys.into_iter()
        .map(|key| {
            let kind: String = redis::cmd("TYPE").arg(&key).query(&mut con).unwrap();
            let value = match kind.as_str() {
                "string" => con.get::<_, String>(&key).unwrap(),
                "hash" => {
                    let h: BTreeMap<String, String> = con.hgetall(&key).unwrap();
                    let pairs: Vec<String> = h.iter().map(|(f, v)| format!("{f}={v}")).collect();
                    pairs.join(",")
                }
                other => format!("<{other}>"),
            };
            let ttl: i64 = con.ttl(&key).unwrap();
            let ttl = match ttl {
                -1 => "-".to_string(),
                1..=60 => "ttl".to_string(),
                other => other.to_string(),
            };
            (key, (value, ttl))
        })
        .collect()
}

#[test]
fn the_seed_job_leaves_in_redis_what_the_host_leaves_at_parallelism_2() {
    let in_flink = RedisServer::with_password("123456");
    let in_host = RedisServer::with_password("123456");
    let (code, out, err) = run_flink(&seed_sql(in_flink.port()), &["parallelism.default=2"]);
    assert_eq!(code, 0, "Flink: {err}");
    let (host_code, host_out, host_err) = run_host(&seed_sql(in_host.port()), 2);
    assert_eq!(host_code, 0, "host: {host_err}");

    let flink_keys = contents(&in_flink);
    assert_eq!(flink_keys, contents(&in_host));
    // The changelog's current rows (user 3 was deleted) with the seed's TTL, the dimension
    // rows without one.
    assert_eq!(
        flink_keys.keys().collect::<Vec<_>>(),
        ["1", "2", "F", "M"],
        "{flink_keys:?}"
    );
    assert_eq!(flink_keys["1"].1, "ttl");
    assert_eq!(flink_keys["M"], ("male".to_string(), "-".to_string()));

    let rows = printed(&out);
    assert_eq!(rows, printed(&host_out));
    assert_eq!(
        rows,
        ["+I[1, M, male]", "+I[2, F, female]", "+I[9, X, null]"]
    );
}

#[test]
fn the_async_lookup_gives_the_hosts_rows() {
    let server = RedisServer::with_password("123456");
    let sql = seed_sql(server.port()).replacen(
        "'password' = '123456'\n",
        "'password' = '123456',\n        'lookup.async' = 'true'\n",
        1,
    );
    assert!(sql.contains("'lookup.async' = 'true'"));
    let (code, out, err) = run_flink(&sql, &["parallelism.default=2"]);
    assert_eq!(code, 0, "Flink: {err}");
    let (host_code, host_out, host_err) = run_host(&sql, 2);
    assert_eq!(host_code, 0, "host: {host_err}");
    assert_eq!(printed(&out), printed(&host_out));
    assert_eq!(printed(&out).len(), 3, "{out}");
}

/// The words after `error: ` of the host's message.
fn host_message(err: &str) -> String {
    let line = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or(err);
    let text = line.trim_start_matches("error: ");
    // `run` names the file first.
    text.split_once(".sql: ")
        .map(|(_, m)| m)
        .unwrap_or(text)
        .to_string()
}

#[test]
fn a_wrong_password_fails_the_job_with_the_plugins_message() {
    let server = RedisServer::with_password("not-the-seeds");
    let sql = seed_sql(server.port());
    let (code, _, err) = run_flink(&sql, &[]);
    assert_eq!(code, 1, "{err}");
    let (host_code, _, host_err) = run_host(&sql, 1);
    assert_eq!(host_code, 1, "{host_err}");
    let message = host_message(&host_err);
    assert!(message.contains("table 'redis"), "{message}");
    assert!(message.contains("authentication failed"), "{message}");
    assert!(
        err.contains(&message),
        "Flink's error lacks {message:?}:\n{err}"
    );
    assert!(!err.contains("123456"), "the password was printed:\n{err}");
}

#[test]
fn a_bad_option_is_refused_before_running_with_the_hosts_message() {
    let server = RedisServer::with_password("123456");
    let sql = seed_sql(server.port()).replace("'ttl' = '60'", "'ttl' = 'soon'");
    let (code, _, err) = run_flink(&sql, &[]);
    let (host_code, _, host_err) = run_host(&sql, 1);
    assert_eq!(host_code, 2, "{host_err}");
    assert_eq!(code, 2, "{err}");
    let message = host_message(&host_err);
    assert!(message.contains("'ttl'"), "{message}");
    assert!(
        err.contains(&message),
        "Flink's error lacks {message:?}:\n{err}"
    );
    let keys: i64 = redis::cmd("DBSIZE").query(&mut connect(&server)).unwrap();
    assert_eq!(keys, 0);
}

/// A job writing `id -> id` for ids 1, 2, 3, ... (a datagen sequence, 100 rows/s: a batch of
/// the bridge's writer takes seconds to fill) into Redis, checkpointing every 500 ms into
/// `checkpoints`, optionally restored from a checkpoint.
fn sequence_job(port: u16) -> String {
    format!(
        "CREATE TABLE seq (id BIGINT) WITH (
    'connector' = 'datagen',
    'rows-per-second' = '100',
    'fields.id.kind' = 'sequence',
    'fields.id.start' = '1',
    'fields.id.end' = '1000000'
);
CREATE TABLE out_table (id STRING, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
    'connector' = 'redis',
    'hostname' = '127.0.0.1',
    'port' = '{port}',
    'password' = '123456'
);
INSERT INTO out_table SELECT CAST(id AS STRING), CAST(id AS STRING) FROM seq;
"
    )
}

/// The newest completed checkpoint's folder (`chk-N` holding `_metadata`) and its number.
fn latest_checkpoint(dir: &std::path::Path) -> Option<(u64, std::path::PathBuf)> {
    let jobs = std::fs::read_dir(dir).ok()?;
    let mut best = None;
    for job in jobs.flatten() {
        for chk in std::fs::read_dir(job.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = chk.file_name().to_string_lossy().into_owned();
            let Some(n) = name
                .strip_prefix("chk-")
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            if chk.path().join("_metadata").exists() && best.as_ref().is_none_or(|(b, _)| n > *b) {
                best = Some((n, chk.path()));
            }
        }
    }
    best
}

/// The ids a server holds.
fn ids(server: &RedisServer) -> Vec<u64> {
    let mut con = connect(server);
    let keys: Vec<String> = con.keys("*").unwrap();
    let mut ids: Vec<u64> = keys.iter().map(|k| k.parse().unwrap()).collect();
    ids.sort_unstable();
    ids
}

/// Kills the job (SIGKILL: no flush, no clean shutdown) once `ready` holds, or fails after a
/// minute with its stderr.
fn kill_when(mut job: std::process::Child, dir: &std::path::Path, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        if let Some(status) = job.try_wait().unwrap() {
            panic!(
                "the job ended early ({status}):\n{}",
                std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the job made no progress:\n{}",
            std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    job.kill().unwrap();
    job.wait().unwrap();
}

/// Flink's promise through the bridge: when a checkpoint completes, every row before its
/// barrier is in Redis (the writer's flush before the barrier is the plugin's flush). The job
/// is killed right after its third completed checkpoint; where that checkpoint's source stood
/// is read back by restoring the same job from it into an empty Redis: the first id it writes
/// is the first one after the checkpoint. Every id before it must have been in Redis at the
/// kill.
#[test]
fn a_completed_checkpoint_has_every_earlier_row_in_redis() {
    let server = RedisServer::with_password("123456");
    let work = tempfile::tempdir().unwrap();
    let checkpoints = work.path().join("checkpoints");
    let storage = format!("state.checkpoints.dir=file://{}", checkpoints.display());
    let settings = [
        "parallelism.default=1",
        "execution.checkpointing.interval=500ms",
        storage.as_str(),
        "execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION",
    ];
    let sql = sequence_job(server.port());
    let first = work.path().join("first");
    std::fs::create_dir(&first).unwrap();
    let job = spawn_flink(&sql, &settings, &first);
    kill_when(job, &first, || {
        latest_checkpoint(&checkpoints).is_some_and(|(n, _)| n >= 3)
    });
    let (n, checkpoint) = latest_checkpoint(&checkpoints).unwrap();
    let held = ids(&server);
    // Fewer rows than a batch of the writer: without the flush at the barrier none would be
    // in Redis.
    assert!(!held.is_empty() && held.len() < 1024, "{} ids", held.len());

    let _: () = redis::cmd("FLUSHALL").query(&mut connect(&server)).unwrap();
    let restore = format!("execution.savepoint.path={}", checkpoint.display());
    let mut restored_settings = settings.to_vec();
    restored_settings.push(&restore);
    let second = work.path().join("second");
    std::fs::create_dir(&second).unwrap();
    let job = spawn_flink(&sql, &restored_settings, &second);
    kill_when(job, &second, || !ids(&server).is_empty());
    // The restored source goes on after the checkpoint's position; what it writes first is
    // flushed together with what follows, so the smallest id is the checkpoint's next one.
    let after = ids(&server)[0];
    assert!(
        after > 1,
        "the restored job started from the beginning (checkpoint {n})"
    );
    let missing: Vec<u64> = (1..after)
        .filter(|id| held.binary_search(id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "checkpoint {n} covers ids 1 to {}; Redis lacked {} of them at the kill (first {:?})",
        after - 1,
        missing.len(),
        &missing[..missing.len().min(5)]
    );
}
