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
    for sql in files.into_iter().filter(|f| !is_sink_golden(f)) {
        let golden = std::fs::read_to_string(sql.with_extension("out")).unwrap();
        let expected: Vec<&str> = golden.lines().filter(|l| !l.starts_with('#')).collect();
        // Files named in the SQL are relative to it, as for record.sh.
        let out = run_host(&sql, resources.path(), &dir);
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

/// `connector-host run job --resources resources`, in `dir`.
fn run_host(job: &Path, resources: &Path, dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .arg("run")
        .arg(job)
        .arg("--resources")
        .arg(resources)
        .env_remove("RUST_LOG")
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A `sink_*.sql` golden: files written under `{out}`, not printed rows.
fn is_sink_golden(sql: &Path) -> bool {
    sql.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("sink_"))
}

/// For each `sink_*.sql`: connector-host's filesystem sinks write, under `{out}/<folder>`, what
/// Flink's did (the `.out` holds each folder's files after a `## <folder>` line).
#[test]
fn connector_host_writes_the_files_flink_wrote() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/flink");
    let resources = resource_dir(&[]);
    let goldens: Vec<_> = files_with_extension(&dir, "sql")
        .into_iter()
        .filter(|f| is_sink_golden(f))
        .collect();
    assert!(!goldens.is_empty());
    for sql in goldens {
        let golden = std::fs::read_to_string(sql.with_extension("out")).unwrap();
        let expected: Vec<&str> = golden.lines().filter(|l| !l.starts_with("# ")).collect();
        let out = tempfile::tempdir().unwrap();
        // The host writes part files into an existing folder, as Flink does into its path.
        let folders: Vec<&str> = expected
            .iter()
            .filter_map(|l| l.strip_prefix("## "))
            .collect();
        for folder in &folders {
            std::fs::create_dir(out.path().join(folder)).unwrap();
        }
        let job = out.path().join("job.sql");
        let text = std::fs::read_to_string(&sql).unwrap();
        std::fs::write(
            &job,
            text.replace("{out}", &out.path().display().to_string()),
        )
        .unwrap();
        let run = run_host(&job, resources.path(), out.path());
        assert!(
            run.status.success(),
            "{}: {}",
            sql.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        let mut written = String::new();
        for folder in &folders {
            written.push_str(&format!("## {folder}\n"));
            let mut parts: Vec<_> = std::fs::read_dir(out.path().join(folder))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            parts.sort();
            for part in parts {
                written.push_str(&std::fs::read_to_string(part).unwrap());
            }
        }
        let got: Vec<&str> = written.lines().collect();
        assert_eq!(got, expected, "{}", sql.display());
    }
}
