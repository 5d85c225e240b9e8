//! `connector-host plugins ...` as an operator runs it: the real binary, the real `.so`, exit
//! codes and the words of its messages.

use std::path::Path;
use std::process::{Command, Output};

use connector_tests::{abi_fixtures, redis_plugin, resource_dir};

fn host(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connector-host"));
    cmd.args(args)
        .env_remove("CONNECTOR_RESOURCES")
        .env_remove("RUST_LOG");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

fn dir_arg(dir: &Path) -> String {
    dir.display().to_string()
}

/// The redis plugin, a random-bytes `libjunk.so` and a plain library whose constructor would
/// write a marker file.
fn mixed_dir() -> tempfile::TempDir {
    let plain = abi_fixtures().so("fixture_plain");
    let dir = resource_dir(&[&redis_plugin(), &plain]);
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join("libjunk.so"), junk).unwrap();
    dir
}

#[test]
fn list_shows_the_plugin_and_why_the_other_files_are_not_plugins_without_loading_any() {
    let dir = mixed_dir();
    let marker = dir.path().join("marker");
    let (code, out, err) = run(
        host(&["plugins", "list", "--resources", &dir_arg(dir.path())])
            .env("FIXTURE_MARKER", &marker),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "libredis_connector.so  redis-connector 0.1.0 (connector-interface {})",
            connector_interface::INTERFACE_VERSION
        )),
        "{out}"
    );
    assert!(out.contains("    redis  [sink, lookup]  Redis:"), "{out}");
    assert!(
        out.contains("libjunk.so: not a shared library (not an ELF object file)"),
        "{out}"
    );
    assert!(
        out.contains("libfixture_plain.so: no connector manifest"),
        "{out}"
    );
    assert!(
        !marker.exists(),
        "listing loaded a library: its constructor ran"
    );

    // The same library, loaded for real, does write the marker: the check above can fail.
    let status = Command::new("python3")
        .arg("-c")
        .arg("import ctypes,sys; ctypes.CDLL(sys.argv[1])")
        .arg(dir.path().join("libfixture_plain.so"))
        .env("FIXTURE_MARKER", &marker)
        .status();
    if status.is_ok_and(|s| s.success()) {
        assert!(
            marker.exists(),
            "the marker library did not write its marker when loaded"
        );
    }
}

#[test]
fn list_json_is_json() {
    let dir = mixed_dir();
    let (code, out, _) = run(&mut host(&[
        "plugins",
        "list",
        "--json",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["plugins"][0]["file"], "libredis_connector.so");
    assert_eq!(v["plugins"][0]["factories"][0]["identifier"], "redis");
    assert_eq!(
        v["plugins"][0]["factories"][0]["roles"],
        serde_json::json!(["sink", "lookup"])
    );
    let rejected: Vec<&str> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(rejected, vec!["libfixture_plain.so", "libjunk.so"]);
}

#[test]
fn list_reports_incompatible_versions_and_duplicate_identifiers() {
    let dir = resource_dir(&[&redis_plugin(), &abi_fixtures().so("fixture_v2_0")]);
    std::fs::copy(redis_plugin(), dir.path().join("libredis_copy.so")).unwrap();
    let (code, out, _) = run(&mut host(&[
        "plugins",
        "list",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 0);
    assert!(out.contains("libfixture_v2_0.so: incompatible interface version: the plugin was built against connector-interface 2.0.0; this host supports 1.x"), "{out}");
    assert!(out.contains("conflict: identifier 'redis' is registered by libredis_connector.so and libredis_copy.so"), "{out}");

    let (code, _, err) = run(&mut host(&[
        "plugins",
        "describe",
        "redis",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("multiple factories for identifier 'redis': "),
        "{err}"
    );
    assert!(
        err.contains("libredis_connector.so and ") && err.contains("libredis_copy.so"),
        "{err}"
    );
}

#[test]
fn describe_shows_every_option_with_its_docs() {
    let dir = resource_dir(&[&redis_plugin()]);
    let (code, out, err) = run(&mut host(&[
        "plugins",
        "describe",
        "redis",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 0, "{err}");
    for expected in [
        "\nconnection options:\n  mode (enum, default 'single', one of: single, cluster, sentinel, also accepted as: redis-mode)",
        "  hostname (string, also accepted as: host)\n      Host name or address of the Redis server. Required unless `url` is given.",
        "  url (string, sensitive)\n      The server as a URL",
        "  port (int, default '6379', 1 to 65535)\n      Port of the Redis server.",
        "\nkeys and values options:\n  type (enum, default 'string', one of: string, hash)",
        "\nsink options:\n  ttl (int, at most 1000000000000000)",
        "\nlookup options:\n  lookup.cache (enum, default 'NONE', one of: NONE, PARTIAL)",
        "  password (string, sensitive)\n      Password for AUTH.",
        "  ttl (int, at most 1000000000000000)\n      Seconds until a written key expires",
        "  lookup.partial-cache.max-rows (int, default '10000', at least 1, also accepted as: cache.size)",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }

    let (code, out, _) = run(&mut host(&[
        "plugins",
        "describe",
        "redis",
        "--json",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    for key in [
        "hostname",
        "port",
        "password",
        "type",
        "ttl",
        "write.open",
        "store.key.strategy",
        "key.append.character",
        "open.cache",
        "cache.size",
    ] {
        assert!(
            keys.contains(&key)
                || v["options"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|o| o["fallback_keys"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k == key)),
            "seed option {key} not declared"
        );
    }
}

#[test]
fn describe_shows_a_built_in_connector_from_its_declaration() {
    let dir = resource_dir(&[]);
    let (code, out, err) = run(&mut host(&[
        "plugins",
        "describe",
        "datagen",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 0, "{err}");
    for expected in [
        "datagen  [scan]  Generated rows",
        "\nbuilt into connector-host\n",
        "\noptions:\n  rows-per-second (int, default '10000', at least 0)\n",
        "\nfields options:\n  fields.#.kind (enum, default 'random', one of: random, sequence)\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let (code, out, _) = run(&mut host(&[
        "plugins",
        "describe",
        "blackhole",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!((code, out.contains("no options")), (0, true), "{out}");
    let (code, out, _) = run(&mut host(&[
        "plugins",
        "describe",
        "filesystem",
        "--json",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["plugin"]["builtin"], true);
    assert_eq!(v["roles"], serde_json::json!(["sink", "scan"]));
    assert_eq!(v["options"][1]["key"], "format");
    assert_eq!(v["options"][1]["required"], true);
}

#[test]
fn unknown_identifier_lists_the_available_ones() {
    let dir = resource_dir(&[&redis_plugin(), &abi_fixtures().so("fixture_v1_0")]);
    let (code, _, err) = run(&mut host(&[
        "plugins",
        "describe",
        "kafka",
        "--resources",
        &dir_arg(dir.path()),
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("could not find any factory for identifier 'kafka'"),
        "{err}"
    );
    assert!(
        err.contains("available identifiers: collect-v10, redis"),
        "{err}"
    );
}

#[test]
fn resources_come_from_the_environment_when_not_given() {
    let dir = resource_dir(&[&redis_plugin()]);
    let (code, out, _) = run(host(&["plugins", "list"]).env("CONNECTOR_RESOURCES", dir.path()));
    assert_eq!(code, 0);
    assert!(out.contains("libredis_connector.so"), "{out}");
}

#[test]
fn missing_resource_directory_is_rejected() {
    let (code, _, err) = run(&mut host(&[
        "plugins",
        "list",
        "--resources",
        "/nonexistent/resources",
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/resources: cannot read the resource directory"),
        "{err}"
    );
}

#[test]
fn install_refuses_junk_and_installs_the_real_plugin_atomically() {
    let src = mixed_dir();
    let target = tempfile::tempdir().unwrap();
    let resources = target.path().join("resources");
    let res = dir_arg(&resources);

    let (code, _, err) = run(&mut host(&[
        "plugins",
        "install",
        &dir_arg(&src.path().join("libjunk.so")),
        "--resources",
        &res,
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("libjunk.so: refusing to install: not a shared library"),
        "{err}"
    );
    let (code, _, err) = run(&mut host(&[
        "plugins",
        "install",
        &dir_arg(&src.path().join("libfixture_plain.so")),
        "--resources",
        &res,
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("refusing to install: no connector manifest"),
        "{err}"
    );

    let so = dir_arg(&src.path().join("libredis_connector.so"));
    let (code, out, err) = run(&mut host(&["plugins", "install", &so, "--resources", &res]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed redis-connector 0.1.0"), "{out}");
    assert_eq!(
        std::fs::read(resources.join("libredis_connector.so")).unwrap(),
        std::fs::read(src.path().join("libredis_connector.so")).unwrap()
    );
    let leftovers: Vec<_> = std::fs::read_dir(&resources)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temp files left: {leftovers:?}");

    // The same identifier from another file is refused unless --replace.
    let renamed = src.path().join("libredis_v2.so");
    std::fs::copy(src.path().join("libredis_connector.so"), &renamed).unwrap();
    let (code, _, err) = run(&mut host(&[
        "plugins",
        "install",
        &dir_arg(&renamed),
        "--resources",
        &res,
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("identifier 'redis' is already provided by"),
        "{err}"
    );
    assert!(err.contains("use --replace"), "{err}");
    let (code, out, err) = run(&mut host(&[
        "plugins",
        "install",
        &dir_arg(&renamed),
        "--replace",
        "--resources",
        &res,
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("removed"), "{out}");
    assert!(resources.join("libredis_v2.so").exists());
    assert!(!resources.join("libredis_connector.so").exists());
}

#[test]
fn unknown_command_is_a_usage_error() {
    let (code, _, err) = run(&mut host(&["plugins", "frobnicate"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("unrecognized subcommand 'frobnicate'"),
        "{err}"
    );
}

#[test]
fn run_seed_says_how_to_install_redis_before_building_when_it_is_missing() {
    // A PATH with what the script needs before its check, and neither redis nor cargo: a
    // script that went on to build would fail differently.
    let bin = tempfile::tempdir().unwrap();
    let dirname = ["/usr/bin/dirname", "/bin/dirname"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("dirname");
    std::os::unix::fs::symlink(dirname, bin.path().join("dirname")).unwrap();
    let out = Command::new("/bin/bash")
        .arg(connector_tests::workspace_root().join("examples/run-seed.sh"))
        .env("PATH", bin.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: redis-server redis-cli not found")
            && stderr.contains("sudo apt-get install redis-server"),
        "{stderr}"
    );
}

#[test]
fn run_dash_reads_the_job_from_standard_input() {
    use std::io::Write;
    let resources = resource_dir(&[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .args(["run", "-", "--resources"])
        .arg(resources.path())
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3');
CREATE TABLE p (id BIGINT) WITH ('connector' = 'print');
INSERT INTO p SELECT id FROM g;",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "+I[1]\n+I[2]\n+I[3]\n"
    );
}
