//! Faults during running jobs, through the real binary and a real `redis-server` the test
//! starts and kills: every client connection killed again and again at parallelism 2, the
//! server SIGKILLed and restarted with `appendfsync always`, and the host's memory while Redis
//! is paused. Each counts what reached Redis: nothing may be lost.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connector_tests::{redis_plugin, resource_dir, RedisServer};

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

    fn spawn(&self, sql: &str, extra: &[&str]) -> Child {
        let path: PathBuf = self.dir.path().join("job.sql");
        std::fs::write(&path, sql).unwrap();
        Command::new(env!("CARGO_BIN_EXE_connector-host"))
            .arg("run")
            .arg(&path)
            .arg("--resources")
            .arg(self.resources.path())
            .args(extra)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

fn con(port: u16) -> redis::Connection {
    redis::Client::open(format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .get_connection()
        .unwrap()
}

fn dbsize(port: u16) -> i64 {
    redis::cmd("DBSIZE").query(&mut con(port)).unwrap()
}

fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sink_counter(err: &str, name: &str) -> u64 {
    err.split(&format!("{name} "))
        .skip(1)
        .filter_map(|s| s.split([',', '\n']).next()?.trim().parse::<u64>().ok())
        .sum()
}

#[test]
fn connections_killed_again_and_again_at_parallelism_2_lose_nothing() {
    let server = RedisServer::start();
    let port = server.port();
    let job = Job::new();
    let sql = format!(
        "SET 'parallelism.default' = '2';
CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '40000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '60000');
CREATE TABLE r (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'sink.buffer-flush.max-rows' = '500');
INSERT INTO r SELECT id, v FROM gen;"
    );
    let child = job.spawn(&sql, &[]);
    let done = Arc::new(AtomicBool::new(false));
    let killer = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut c = con(port);
            let mut kills = 0i64;
            while !done.load(Ordering::SeqCst) {
                kills += redis::cmd("CLIENT")
                    .arg("KILL")
                    .arg("TYPE")
                    .arg("normal")
                    .arg("SKIPME")
                    .arg("yes")
                    .query::<i64>(&mut c)
                    .unwrap_or(0);
                std::thread::sleep(Duration::from_millis(100));
            }
            kills
        })
    };
    let (code, err) = finish(child);
    done.store(true, Ordering::SeqCst);
    let kills = killer.join().unwrap();
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        dbsize(port),
        60_000,
        "every row, after {kills} killed connections"
    );
    assert!(
        kills >= 5,
        "the job ran while connections were killed ({kills})"
    );
    assert!(sink_counter(&err, "retries") >= 1, "{err}");
}

#[test]
fn a_sigkilled_server_restarted_with_appendfsync_always_loses_nothing() {
    let mut server = RedisServer::with_args(&["--appendonly", "yes", "--appendfsync", "always"]);
    let port = server.port();
    let job = Job::new();
    let sql = format!(
        "CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '10000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '30000');
CREATE TABLE r (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}', 'sink.buffer-flush.max-rows' = '200');
INSERT INTO r SELECT id, v FROM gen;"
    );
    let child = job.spawn(&sql, &[]);
    let started = Instant::now();
    while dbsize(port) < 5_000 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the job wrote nothing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill(); // SIGKILL: no shutdown, the AOF holds what was acknowledged
    std::thread::sleep(Duration::from_millis(1000));
    server.restart();
    let (code, err) = finish(child);
    assert_eq!(code, 0, "{err}");
    assert_eq!(dbsize(port), 30_000, "every row after the restart");
    assert!(sink_counter(&err, "retries") >= 1, "{err}");
}

#[test]
fn the_host_memory_stays_flat_while_redis_is_paused() {
    let server = RedisServer::start();
    let port = server.port();
    let job = Job::new();
    let sql = format!(
        "CREATE TABLE gen (id BIGINT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '0', 'fields.v.length' = '100');
CREATE TABLE r (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '{port}');
INSERT INTO r SELECT id, v FROM gen;"
    );
    let mut child = job.spawn(&sql, &["--grace-period", "2s"]);
    std::thread::sleep(Duration::from_millis(1000));
    server.pause();
    let paused = Instant::now();
    let mut peak_kb = 0;
    while paused.elapsed() < Duration::from_secs(3) {
        peak_kb = connector_tests::peak_rss_kb(child.id()).unwrap_or(peak_kb);
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    server.resume();
    eprintln!("peak RSS with Redis paused for 3 s: {peak_kb} kB");
    assert!(peak_kb > 0 && peak_kb < 150 * 1024, "peak RSS {peak_kb} kB");
}
