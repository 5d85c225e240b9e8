//! Golden files recorded with real Apache Flink 1.20.3 (`host/tests/flink/record.sh`): for each
//! `host/tests/flink/*.sql`, connector-host must print the same rows as Flink's print
//! connector did (`*.out`, whose `#` lines say how it was recorded). Both run in that folder,
//! so the SQL names its data files (`data/`) relative to it.

use std::path::Path;
use std::process::Command;

use connector_tests::{files_with_extension, resource_dir};

#[test]
fn connector_host_prints_what_flink_printed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/flink");
    let resources = resource_dir(&[]);
    let files = files_with_extension(&dir, "sql");
    assert!(!files.is_empty());
    for sql in files {
        let golden = std::fs::read_to_string(sql.with_extension("out")).unwrap();
        let expected: Vec<&str> = golden.lines().filter(|l| !l.starts_with('#')).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_connector-host"))
            .arg("run")
            .arg(&sql)
            .arg("--resources")
            .arg(resources.path())
            .env_remove("RUST_LOG")
            // Files named in the SQL are relative to it, as for record.sh.
            .current_dir(&dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let got: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            got,
            expected,
            "{}: {}",
            sql.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
