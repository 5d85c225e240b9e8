//! What the bridge's tests share: the connector JAR built by `flink/package.sh` from this
//! build's plugin, bridge and host; real Flink 1.20.3 (its jars fetched from PyPI when missing,
//! `flink/flink-jars.sh`) run by `RunSql` on Java 17; the same SQL run by our host.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use connector_tests::{
    outcome, plugin_so, profile_dir, redis_plugin, resource_dir, workspace_root,
};

/// Flink's jars and the connector JAR.
pub struct Flink {
    pub jars: PathBuf,
    pub connector: PathBuf,
    _dir: tempfile::TempDir,
}

fn host_binary() -> PathBuf {
    let host = profile_dir().join("connector-host");
    assert!(
        host.exists(),
        "{} is missing: the bridge's tests run with `cargo test --workspace`",
        host.display()
    );
    host
}

/// Builds the connector JAR once per test binary (and fetches Flink's jars when missing).
pub fn flink() -> &'static Flink {
    static FLINK: OnceLock<Flink> = OnceLock::new();
    FLINK.get_or_init(|| {
        for tool in ["java", "javac", "jar"] {
            let found = Command::new(tool).arg("--version").output().is_ok();
            assert!(
                found,
                "'{tool}' not found: the Flink tests need Java 17 (.ci/run installs it)"
            );
        }
        let root = workspace_root();
        let jars = Command::new("bash")
            .arg(root.join("flink/flink-jars.sh"))
            .output()
            .unwrap();
        assert!(
            jars.status.success(),
            "{}",
            String::from_utf8_lossy(&jars.stderr)
        );
        let jars = PathBuf::from(String::from_utf8(jars.stdout).unwrap().trim());
        let dir = tempfile::tempdir().unwrap();
        let connector = dir.path().join("flink-connector-redis.jar");
        let (code, _, err) = outcome(
            Command::new("bash")
                .arg(root.join("flink/package.sh"))
                .arg(redis_plugin())
                .arg("-o")
                .arg(&connector)
                .arg("--bridge")
                .arg(plugin_so("connector_flink"))
                .arg("--host")
                .arg(host_binary())
                .output()
                .unwrap(),
        );
        assert_eq!(code, 0, "flink/package.sh failed: {err}");
        Flink {
            jars,
            connector,
            _dir: dir,
        }
    })
}

/// The command running `sql` (a file) in a local Flink with `settings` (`key=value`), from
/// the workspace root (the examples' data paths are relative to it).
pub fn flink_command(sql: &Path, settings: &[&str]) -> Command {
    let flink = flink();
    let mut command = Command::new("java");
    command
        .args([
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-cp",
        ])
        .arg(format!(
            "{}/*:{}",
            flink.jars.display(),
            flink.connector.display()
        ))
        .arg("dev.connectors.flink.RunSql")
        .arg(sql)
        .args(settings)
        .current_dir(workspace_root())
        .env_remove("RUST_LOG");
    command
}

/// Runs `sql` in Flink: exit code, stdout, stderr.
pub fn run_flink(sql: &str, settings: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("job.sql");
    std::fs::write(&file, sql).unwrap();
    outcome(flink_command(&file, settings).output().unwrap())
}

/// Starts `sql` in Flink in the background (stdout and stderr to files in `dir`).
pub fn spawn_flink(sql: &str, settings: &[&str], dir: &Path) -> Child {
    let file = dir.join("job.sql");
    std::fs::write(&file, sql).unwrap();
    let out = std::fs::File::create(dir.join("stdout")).unwrap();
    let err = std::fs::File::create(dir.join("stderr")).unwrap();
    flink_command(&file, settings)
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap()
}

/// Runs `sql` in our host at `parallelism`, the Redis plugin installed: exit code, stdout,
/// stderr.
pub fn run_host(sql: &str, parallelism: u32) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("job.sql");
    std::fs::write(&file, sql).unwrap();
    let resources = resource_dir(&[&redis_plugin()]);
    let out: Output = Command::new(host_binary())
        .arg("run")
        .arg(&file)
        .arg("--resources")
        .arg(resources.path())
        .arg("--parallelism")
        .arg(parallelism.to_string())
        .current_dir(workspace_root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    outcome(out)
}

/// `examples/seed.sql` (the seed's DDL verbatim, a Debezium changelog into `redis`, a lookup
/// join through `redis_dim`) against the Redis server on `port`.
pub fn seed_sql(port: u16) -> String {
    let sql = std::fs::read_to_string(workspace_root().join("examples/seed.sql")).unwrap();
    assert!(sql.contains("'port' = '6379'"));
    sql.replace("'port' = '6379'", &format!("'port' = '{port}'"))
}

/// The rows a print sink printed, without the `name:subtask> ` prefix, sorted.
pub fn printed(stdout: &str) -> Vec<String> {
    let mut rows: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split_once("> ").map(|(_, row)| row.to_string()))
        .filter(|row| row.len() > 2 && row[2..].starts_with('['))
        .collect();
    rows.sort();
    rows
}
