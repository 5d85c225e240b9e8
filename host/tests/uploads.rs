//! Uploaded plugin files the host must not trust blindly, through the real binary: a copy of
//! the plugin marked for another machine, a manifest that is not JSON, a manifest whose
//! interface version was edited after the build, and entries of the resource directory that
//! are not plugin files (a directory named `y.so`, a dangling symlink, a symlink loop). Each is
//! named with its reason; none is loaded.

use std::path::{Path, PathBuf};
use std::process::Command;

use connector_tests::{redis_plugin, resource_dir};

fn host(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .args(args)
        .env_remove("CONNECTOR_RESOURCES")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the Redis plugin named `name` in `dir`, with `edit` applied to its bytes.
fn edited_copy(dir: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(redis_plugin()).unwrap();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn replace_once(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the bytes to replace");
    bytes[at..at + from.len()].copy_from_slice(to);
}

#[test]
fn a_plugin_for_another_machine_is_refused_at_install_and_in_the_list() {
    let work = tempfile::tempdir().unwrap();
    // e_machine (offset 18, little-endian) = 183: AArch64.
    let file = edited_copy(work.path(), "libarm.so", |b| {
        b[18..20].copy_from_slice(&[183, 0])
    });
    let resources = resource_dir(&[]);
    let dir = resources.path().display().to_string();
    let (code, _, err) = host(&[
        "plugins",
        "install",
        file.to_str().unwrap(),
        "--resources",
        &dir,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refusing to install: built for another machine: Aarch64"),
        "{err}"
    );
    std::fs::copy(&file, resources.path().join("libarm.so")).unwrap();
    let (code, out, _) = host(&["plugins", "list", "--resources", &dir]);
    assert_eq!(code, 0);
    assert!(
        out.contains("libarm.so: built for another machine: Aarch64"),
        "{out}"
    );
}

#[test]
fn a_manifest_that_is_not_json_is_reported_as_broken() {
    let resources = resource_dir(&[]);
    edited_copy(resources.path(), "libbroken.so", |b| {
        replace_once(b, b"{\"manifest_version\"", b"{{manifest_version\"")
    });
    let (_, out, _) = host(&[
        "plugins",
        "list",
        "--resources",
        resources.path().to_str().unwrap(),
    ]);
    assert!(
        out.contains("libbroken.so: invalid connector manifest: "),
        "{out}"
    );
}

#[test]
fn a_manifest_edited_after_the_build_is_refused_when_loading() {
    let resources = resource_dir(&[]);
    let version = format!(
        "\"interface_version\":\"{}\"",
        connector_interface::INTERFACE_VERSION
    );
    let edited = version.replace(
        connector_interface::INTERFACE_VERSION,
        &format!("1.9{}", &connector_interface::INTERFACE_VERSION[3..]),
    );
    edited_copy(resources.path(), "libredis_connector.so", |b| {
        replace_once(b, version.as_bytes(), edited.as_bytes())
    });
    let sql = resources.path().join("job.sql");
    std::fs::write(
        &sql,
        "CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis', 'hostname' = '127.0.0.1', 'port' = '1');
INSERT INTO r SELECT a, b FROM src;",
    )
    .unwrap();
    let dir = resources.path().display().to_string();
    let (code, _, err) = host(&["run", sql.to_str().unwrap(), "--resources", &dir]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("its embedded manifest says connector-interface 1.9")
            && err.contains("the manifest was changed after the build"),
        "{err}"
    );
}

#[test]
fn entries_that_are_not_plugin_files_are_each_named_with_the_reason() {
    let resources = resource_dir(&[&redis_plugin()]);
    let dir = resources.path();
    std::fs::create_dir(dir.join("y.so")).unwrap();
    std::os::unix::fs::symlink(dir.join("nowhere.so"), dir.join("dangling.so")).unwrap();
    std::os::unix::fs::symlink(dir.join("loop-b.so"), dir.join("loop-a.so")).unwrap();
    std::os::unix::fs::symlink(dir.join("loop-a.so"), dir.join("loop-b.so")).unwrap();
    let (code, out, _) = host(&["plugins", "list", "--resources", dir.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.contains("libredis_connector.so  redis-connector"),
        "{out}"
    );
    assert!(
        out.contains("y.so: a directory, so not a plugin file"),
        "{out}"
    );
    assert!(
        out.contains("dangling.so: a symbolic link that leads to no file: "),
        "{out}"
    );
    assert!(
        out.contains("loop-a.so: a symbolic link that leads to no file: "),
        "{out}"
    );
    assert!(
        out.contains("loop-b.so: a symbolic link that leads to no file: "),
        "{out}"
    );
}

/// A plugin that panics in `write` and in `lookup`: the job fails naming the call and the
/// table, exit 1, and the host never aborts.
#[test]
fn a_plugin_that_panics_fails_the_job_naming_the_call_never_the_host() {
    let resources = resource_dir(&[&connector_tests::abi_fixtures().so("fixture_panic")]);
    let dir = resources.path().display().to_string();
    let data = resources.path().join("rows.jsonl");
    std::fs::write(&data, "").unwrap();
    let sql = resources.path().join("job.sql");
    for (what, statement) in [
        (
            "write",
            "INSERT INTO p SELECT a, b FROM src;",
        ),
        (
            "lookup",
            "INSERT INTO out SELECT s.a, d.b FROM probes AS s JOIN p FOR SYSTEM_TIME AS OF s.t AS d ON s.a = d.a;",
        ),
    ] {
        std::fs::write(
            &sql,
            format!(
                "CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE probes (a STRING, t AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE p (a STRING, b STRING) WITH ('connector' = 'panics', 'path' = '{}');
CREATE TABLE out (a STRING, b STRING) WITH ('connector' = 'blackhole');
{statement}",
                data.display()
            ),
        )
        .unwrap();
        let (code, _, err) = host(&["run", sql.to_str().unwrap(), "--resources", &dir]);
        assert_eq!(code, 1, "{what}: {err}");
        assert!(
            err.contains(&format!(
                "table 'p' (plugin fixture-panic 0.1.0, libfixture_panic.so): the connector panicked in {what}"
            )),
            "{what}: {err}"
        );
        assert!(!err.contains("panicked at") || err.contains("fixture"), "{what}: {err}");
        assert!(!err.contains("RUST_BACKTRACE"), "{what}: the host did not abort: {err}");
    }
}
