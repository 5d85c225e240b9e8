//! Golden SQL files (`host/tests/sql/*.sql`): the first line `--fail=<text>` names the error a
//! user must see. Each file is explained and run through the real binary with the real Redis
//! plugin installed: exit code 2, the text on stderr, no panic.

use std::path::Path;
use std::process::Command;

use connector_tests::{files_with_extension, redis_plugin, resource_dir};

#[test]
fn every_golden_file_is_rejected_with_its_message() {
    let resources = resource_dir(&[&redis_plugin()]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql");
    let files = files_with_extension(&dir, "sql");
    assert!(
        files.len() >= 20,
        "golden files missing from {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("--fail="))
            .unwrap_or_else(|| panic!("{}: the first line must be --fail=<text>", file.display()));
        for command in ["explain", "run"] {
            let out = Command::new(env!("CARGO_BIN_EXE_connector-host"))
                .arg(command)
                .arg(file)
                .arg("--resources")
                .arg(resources.path())
                .env_remove("RUST_LOG")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(2)
                || !stderr.contains(expected)
                || stderr.contains("panicked")
            {
                failures.push(format!(
                    "{} ({command}): exit {:?}, expected {expected:?} in:\n{stderr}",
                    file.display(),
                    out.status.code()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
