//! Plugin tables as sources: a fixture plugin's scan (`numbers`, `tests/abi-fixtures/plugin-scan`)
//! read through the real binary and loader, its splits shared out among parallel source
//! subtasks.

use std::collections::BTreeMap;
use std::process::Command;

use connector_tests::{abi_fixtures, resource_dir, workspace_root};

/// Runs `sql` with the scan fixture installed: exit code, stdout, stderr.
fn run(sql: &str) -> (i32, String, String) {
    let resources = resource_dir(&[&abi_fixtures().so("fixture_scan")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("job.sql");
    std::fs::write(&path, sql).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .arg("run")
        .arg(&path)
        .arg("--resources")
        .arg(resources.path())
        .current_dir(workspace_root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const NUMBERS: &str = "CREATE TABLE numbers (n BIGINT, split STRING, task INT) \
    WITH ('connector' = 'numbers', 'splits' = '5', 'rows-per-split' = '7');";

/// The `+I[n, split, task]` rows a print sink wrote, by number.
fn printed(out: &str) -> BTreeMap<i64, Vec<(String, String)>> {
    let mut rows: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    for line in out.lines() {
        let fields = line
            .split_once("+I[")
            .and_then(|(_, rest)| rest.strip_suffix(']'))
            .unwrap_or_else(|| panic!("not a row: {line:?}"));
        let f: Vec<&str> = fields.split(", ").collect();
        rows.entry(f[0].parse().unwrap())
            .or_default()
            .push((f[1].to_string(), f[2].to_string()));
    }
    rows
}

#[test]
fn a_plugin_scan_is_read_at_parallelism_2_every_split_once() {
    let sql = format!(
        "SET 'parallelism.default' = '2';\n{NUMBERS}\n\
         CREATE TABLE out (n BIGINT, split STRING, task INT) WITH ('connector' = 'print');\n\
         INSERT INTO out SELECT n, split, task FROM numbers;\n"
    );
    let (code, out, err) = run(&sql);
    assert_eq!(code, 0, "{err}");
    let rows = printed(&out);
    // Every number of every split, once.
    assert_eq!(
        rows.keys().copied().collect::<Vec<_>>(),
        (0..35).collect::<Vec<_>>()
    );
    assert!(rows.values().all(|r| r.len() == 1), "{rows:?}");
    // Each split read by one subtask, and both subtasks read: splits 0, 2, 4 by subtask 0.
    let mut readers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows.values().flatten() {
        readers.entry(r.0.clone()).or_default().push(r.1.clone());
    }
    for (split, tasks) in &readers {
        let mut tasks = tasks.clone();
        tasks.dedup();
        let expected =
            (split.trim_start_matches("split-").parse::<usize>().unwrap() % 2).to_string();
        assert_eq!(tasks, vec![expected], "split {split}");
    }
    assert_eq!(readers.len(), 5);
    assert!(
        err.contains("summary: 35 rows read from 'numbers'"),
        "{err}"
    );
}

#[test]
fn a_plugin_scan_can_be_selected_and_filtered() {
    let sql = format!("{NUMBERS}\nSELECT n, split FROM numbers WHERE n >= 33;\n");
    let (code, out, err) = run(&sql);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("33") && out.contains("34") && out.contains("split-4"),
        "{out}"
    );
    assert!(!out.contains("| 32"), "{out}");
}

#[test]
fn a_scan_only_table_cannot_be_a_sink() {
    let sql = format!(
        "{NUMBERS}\nCREATE TABLE src (n BIGINT, split STRING, task INT) WITH ('connector' = 'numbers');\n\
         INSERT INTO numbers SELECT * FROM src;\n"
    );
    let (code, _, err) = run(&sql);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("table 'numbers': connector 'numbers' does not support the sink role"),
        "{err}"
    );
}
