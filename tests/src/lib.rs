//! `connector-tests`: shared test support.
//!
//! - [`RedisServer`]: a real `redis-server` on a free port in a temp dir, killed on drop;
//! - [`plugin_so`]: where `cargo test` put a workspace plugin's `.so`;
//! - [`abi_fixtures`]: builds the ABI fixture workspace (`tests/abi-fixtures`, frozen interface
//!   copies and the plugins built against them) once and returns its `.so` files;
//! - [`resource_dir`]: a temp resource directory holding the given files;
//! - [`table_context`]: the context a factory gets for a table;
//! - [`RedisCluster`]: a Redis Cluster of such servers, made by `redis-cli --cluster create`;
//! - [`tls`]: certificates made by the test and a `redis-server` speaking TLS with them;
//! - [`docs`]: options tables rendered from declarations, and the check that a doc holds them.
//!
//! The integration tests themselves are in `tests/tests/` (one binary per concern) and, for the
//! CLI, in `host/tests/`.

pub mod cluster;
pub mod docs;
pub mod tls;

pub use cluster::RedisCluster;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use connector_interface::abi_stable::std_types::RVec;
use connector_interface::{Column, Counter, DataType, OptionEntry, Schema, TableContext};

/// A `redis-server` started for one test: free port, temp dir, `--save ''`. Killed and reaped
/// on drop.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    args: Vec<String>,
    /// A config file read first (a sentinel's, which Sentinel rewrites).
    config: Option<PathBuf>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on 127.0.0.1")
}

impl RedisServer {
    /// A server without a password.
    pub fn start() -> RedisServer {
        RedisServer::with_args(&[])
    }

    /// A server with `requirepass`.
    pub fn with_password(password: &str) -> RedisServer {
        RedisServer::with_args(&["--requirepass", password])
    }

    /// A server with extra `redis-server` arguments.
    pub fn with_args(args: &[&str]) -> RedisServer {
        let dir = tempfile::tempdir().expect("temp dir for redis-server");
        RedisServer {
            child: None,
            port: 0,
            dir,
            args: args.iter().map(|a| a.to_string()).collect(),
            config: None,
        }
        .started_on_a_free_port("redis-server")
    }

    /// Spawns the server on a free port, trying again (another port) a few times.
    fn started_on_a_free_port(mut self, what: &str) -> RedisServer {
        let mut last_error = String::new();
        for _ in 0..5 {
            self.port = free_port();
            match self.spawn() {
                Ok(()) => return self,
                Err(e) => last_error = e,
            }
        }
        panic!("{what} did not start: {last_error}");
    }

    /// A server on this port (for a cluster node, whose bus port must be free too).
    pub fn on_port(port: u16, args: &[&str]) -> Result<RedisServer, String> {
        let mut server = RedisServer {
            child: None,
            port,
            dir: tempfile::tempdir().map_err(|e| e.to_string())?,
            args: args.iter().map(|a| a.to_string()).collect(),
            config: None,
        };
        server.spawn()?;
        Ok(server)
    }

    /// A sentinel (`redis-server <conf> --sentinel`) on a free port, monitoring the master on
    /// `master_port` as `name` with quorum 1, a master down after 1 s, and these extra lines of
    /// sentinel configuration (`requirepass ...`, `sentinel auth-pass ...`).
    pub fn sentinel(master_port: u16, name: &str, extra: &[&str]) -> RedisServer {
        let dir = tempfile::tempdir().expect("temp dir for a sentinel");
        let config = dir.path().join("sentinel.conf");
        let mut text = format!(
            "sentinel monitor {name} 127.0.0.1 {master_port} 1\n\
             sentinel down-after-milliseconds {name} 1000\n\
             sentinel failover-timeout {name} 5000\n"
        );
        for line in extra {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&config, text).expect("write sentinel.conf");
        RedisServer {
            child: None,
            port: 0,
            dir,
            args: vec!["--sentinel".to_string()],
            config: Some(config),
        }
        .started_on_a_free_port("the sentinel")
    }

    /// Whether the server runs (it was not killed).
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Sends one command in the inline form and returns a bulk-string reply's text.
    pub fn bulk(&self, command: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        stream.write_all(format!("{command}\r\n").as_bytes()).ok()?;
        let mut header = Vec::new();
        let mut byte = [0u8; 1];
        while !header.ends_with(b"\r\n") {
            if stream.read(&mut byte).ok()? != 1 {
                return None;
            }
            header.push(byte[0]);
        }
        let len: usize = std::str::from_utf8(&header)
            .ok()?
            .trim()
            .strip_prefix('$')?
            .parse()
            .ok()?;
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).ok()?;
        Some(String::from_utf8_lossy(&body).into_owned())
    }

    /// The number of keys (`DBSIZE`); 0 when the server does not answer.
    pub fn dbsize(&self) -> i64 {
        self.inline("DBSIZE")
            .strip_prefix(':')
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log = self.log_path();
        let child = Command::new("redis-server")
            .args(self.config.iter())
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(&log)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run redis-server (is it installed?): {e}"))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                self.child = None;
                return Err(format!("redis-server exited with {status}\n{}", self.log()));
            }
            if self.answers_ping() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        Err(format!(
            "redis-server did not answer PING within 10 s\n{}",
            self.log()
        ))
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        if stream.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut buf = [0u8; 64];
        match stream.read(&mut buf) {
            Ok(n) => buf[..n].starts_with(b"+PONG") || buf[..n].starts_with(b"-NOAUTH"),
            Err(_) => false,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>/`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        format!("--- redis-server log (port {}) ---\n{text}", self.port)
    }

    /// Sends one command in the inline form and returns the first line of the reply.
    fn inline(&self, command: &str) -> String {
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server");
        stream
            .write_all(format!("{command}\r\n").as_bytes())
            .expect("send to redis-server");
        let mut reply = Vec::new();
        let mut byte = [0u8; 1];
        while !reply.ends_with(b"\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            reply.push(byte[0]);
        }
        String::from_utf8_lossy(&reply).trim().to_string()
    }

    /// Empties the server (no password); returns how many keys it held.
    pub fn flushall(&self) -> i64 {
        let size = self
            .inline("DBSIZE")
            .trim_start_matches(':')
            .parse()
            .unwrap_or_else(|_| panic!("DBSIZE failed\n{}", self.log()));
        assert_eq!(self.inline("FLUSHALL"), "+OK");
        size
    }

    /// Redis's own pipelined speed on this server, the reference of every benchmark:
    /// `redis-benchmark -c 1 -P 128 -t <test> -n <requests> [-d <data_size>]`, in requests/s.
    pub fn benchmark(&self, test: &str, requests: u64, data_size: Option<u32>) -> f64 {
        let mut cmd = Command::new("redis-benchmark");
        cmd.args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args([
                "-c",
                "1",
                "-P",
                "128",
                "-t",
                test,
                "-n",
                &requests.to_string(),
                "-q",
            ]);
        if let Some(size) = data_size {
            cmd.args(["-d", &size.to_string()]);
        }
        let out = cmd.output().expect("run redis-benchmark");
        let text = String::from_utf8_lossy(&out.stdout);
        // "SET: 1234567.00 requests per second, p50=..." (after carriage-return progress lines)
        let prefix = format!("{}: ", test.to_ascii_uppercase());
        text.split(['\r', '\n'])
            .filter_map(|line| line.trim().strip_prefix(prefix.as_str()))
            .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
            .next_back()
            .unwrap_or_else(|| panic!("cannot read redis-benchmark's output: {text}"))
    }

    /// Stops the server (the port stays this server's for [`RedisServer::restart`]).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Pauses the server (SIGSTOP): it keeps accepting connections (the kernel does) and
    /// answers nothing, as a hung server does. [`RedisServer::resume`] continues it; dropping
    /// it kills it either way.
    pub fn pause(&self) {
        self.signal("STOP");
    }

    /// Continues a paused server (SIGCONT).
    pub fn resume(&self) {
        self.signal("CONT");
    }

    /// The shell's own `kill` (no procps needed), by this server's process id.
    fn signal(&self, name: &str) {
        let pid = self.child.as_ref().expect("a running server").id();
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -{name} {pid}"))
            .status()
            .expect("sh");
        assert!(status.success(), "kill -{name} {pid} failed");
    }

    /// Starts the server again on the same port.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.spawn() {
                Ok(()) => return,
                Err(e) if Instant::now() > deadline => panic!("redis-server did not restart: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `target/<profile>`, from the running test binary (`target/<profile>/deps/<test>`), so that
/// `CARGO_TARGET_DIR` is honoured.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe.parent().expect("test binary has a directory");
    if deps.file_name().is_some_and(|n| n == "deps") {
        deps.parent().expect("deps has a parent").to_path_buf()
    } else {
        deps.to_path_buf()
    }
}

/// The `.so` of a workspace plugin (`lib<name>.so`) built by `cargo test` (it lands in
/// `target/<profile>/deps`; `cargo build` puts it in `target/<profile>`): the newest of the two.
pub fn plugin_so(lib_name: &str) -> PathBuf {
    let file = format!("lib{lib_name}.so");
    let dir = profile_dir();
    [dir.join("deps").join(&file), dir.join(&file)]
        .into_iter()
        .filter_map(|p| {
            let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            Some((modified, p))
        })
        .max()
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("{file} was not built: is its crate a dev-dependency?"))
}

/// The real Redis plugin.
pub fn redis_plugin() -> PathBuf {
    plugin_so("redis_connector")
}

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The ABI fixtures, built once per test process from `tests/abi-fixtures` (a workspace of
/// its own, target dir `target/abi-fixtures`).
pub struct AbiFixtures {
    dir: PathBuf,
}

impl AbiFixtures {
    /// `lib<name>.so` of a fixture crate.
    pub fn so(&self, lib_name: &str) -> PathBuf {
        let p = self.dir.join(format!("lib{lib_name}.so"));
        assert!(p.exists(), "fixture {} was not built", p.display());
        p
    }

    /// A binary of the fixture workspace (the stand-in hosts).
    pub fn bin(&self, name: &str) -> PathBuf {
        let p = self.dir.join(name);
        assert!(p.exists(), "fixture binary {} was not built", p.display());
        p
    }
}

pub fn abi_fixtures() -> &'static AbiFixtures {
    static FIXTURES: OnceLock<AbiFixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let root = workspace_root();
        let target = profile_dir()
            .parent()
            .expect("target dir")
            .join("abi-fixtures");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let output = Command::new(cargo)
            .arg("build")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(root.join("tests/abi-fixtures/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("run cargo to build the ABI fixtures");
        assert!(
            output.status.success(),
            "building tests/abi-fixtures failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        AbiFixtures {
            dir: target.join("debug"),
        }
    })
}

/// A temp resource directory holding copies of `files` (file names kept).
pub fn resource_dir(files: &[&Path]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp resource dir");
    for f in files {
        let name = f.file_name().expect("file name");
        std::fs::copy(f, dir.path().join(name)).expect("copy into resource dir");
    }
    dir
}

/// The context of a table with these columns (name and type), primary key (column indices in
/// key order) and `WITH` options, for subtask 0 of 1; for a lookup, the join binds the key
/// columns (the first column without a primary key).
pub fn table_context(
    name: &str,
    columns: &[(&str, DataType)],
    primary_key: &[u32],
    options: &[(&str, &str)],
) -> TableContext {
    TableContext {
        table_name: name.into(),
        schema: Schema {
            columns: columns
                .iter()
                .map(|(n, t)| Column::new(n, t.clone()))
                .collect(),
            primary_key: RVec::from(primary_key.to_vec()),
        },
        options: options
            .iter()
            .map(|(k, v)| OptionEntry {
                key: (*k).into(),
                value: (*v).into(),
            })
            .collect(),
        lookup_keys: RVec::from(if primary_key.is_empty() {
            vec![0]
        } else {
            primary_key.to_vec()
        }),
        task_index: 0,
        parallelism: 1,
    }
}

/// The process's peak resident memory so far (`VmHWM` of `/proc/<pid>/status`), in kB;
/// `None` once the process is gone.
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The value of a named counter (a sink's or a lookup's `counters()`).
pub fn counter(counters: &[Counter], name: &str) -> u64 {
    counters
        .iter()
        .find(|c| c.name.as_str() == name)
        .map(|c| c.value)
        .unwrap_or_else(|| panic!("no counter {name}"))
}

/// A finished command's exit code (-1 when a signal ended it), stdout and stderr, as text.
pub fn outcome(out: std::process::Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The files in `dir` whose names end in `.ext`, sorted (the golden files of a folder).
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}
