//! The ABI test matrix, through the real loader (`connector_host::loader`): every way a file
//! can fail to load, asserted by its message, and the compatibility rules of the 1.x line
//! proven with plugins built against frozen and simulated interface versions.

use std::path::Path;

use abi_stable::std_types::{RSlice, RVec};
use connector_host::connectors::{plugin_result, Answers, Lookup, PluginLookup};
use connector_host::discovery::inspect;
use connector_host::loader::load;
use connector_host::HostError;
use connector_interface::{
    Column, DataType, ErrorKind, OptionEntry, Roles, Row, Schema, TableContext, Value,
    INTERFACE_VERSION,
};
use connector_tests::{abi_fixtures, redis_plugin};

fn load_error(path: &Path) -> String {
    match load(path) {
        Ok(_) => panic!("{} loaded, but should not", path.display()),
        Err(e @ HostError::Plugin { .. }) => e.to_string(),
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
}

fn collect_context(table: &str, path: &Path) -> TableContext {
    TableContext {
        table_name: table.into(),
        schema: Schema {
            columns: RVec::from(vec![
                Column::new("id", DataType::string()),
                Column::new("name", DataType::string()),
            ]),
            primary_key: RVec::from(vec![0]),
        },
        options: RVec::from(vec![
            OptionEntry {
                key: "connector".into(),
                value: "collect".into(),
            },
            OptionEntry {
                key: "path".into(),
                value: path.display().to_string().into(),
            },
        ]),
        lookup_keys: RVec::from(vec![0]),
        task_index: 0,
        parallelism: 1,
    }
}

/// Writes two rows and a delete through the plugin's sink, then looks three keys up.
fn write_and_look_up(plugin_file: &Path, identifier: &str) -> Vec<Vec<Row>> {
    let plugin = load(plugin_file).unwrap();
    let factory = plugin.factory(identifier).unwrap();
    let data = tempfile::tempdir().unwrap();
    let context = collect_context("t", &data.path().join("rows.jsonl"));
    factory.validate(&context, Roles::SINK).unwrap();
    let mut sink = factory.create_sink(&context).unwrap();
    sink.open().unwrap();
    let rows = vec![
        Row::insert(vec!["1".into(), "one".into()]),
        Row::insert(vec!["2".into(), "two".into()]),
        Row::new(
            connector_interface::RowKind::Delete,
            vec!["1".into(), Value::Null],
        ),
    ];
    sink.write(RSlice::from_slice(&rows)).unwrap();
    sink.flush().unwrap();
    sink.close().unwrap();
    let written = sink
        .counters()
        .into_iter()
        .find(|c| c.name.as_str() == "rows_written")
        .unwrap();
    assert_eq!(written.value, 3);
    let mut lookup = factory.create_lookup(&context).unwrap();
    lookup.open().unwrap();
    let keys = vec![
        Row::insert(vec!["2".into()]),
        Row::insert(vec!["1".into()]),
        Row::insert(vec!["3".into()]),
    ];
    let found = lookup.lookup(RSlice::from_slice(&keys)).unwrap();
    lookup.close().unwrap();
    let found: Vec<Vec<Row>> = found.into_iter().map(RVec::into_vec).collect();

    // As the host's runner looks up: a plugin without "packed-lookup/1" (these fixtures
    // predate it), or with another type under that name, is used through the 1.0 calls,
    // with the same answers.
    let mut lookup =
        PluginLookup::create("t", || plugin_result(factory.create_lookup(&context))).unwrap();
    assert!(matches!(lookup, PluginLookup::Rows(_)), "the 1.0 calls");
    lookup.open().unwrap();
    lookup.submit(&keys).unwrap();
    let answers = lookup.collect().unwrap();
    assert!(matches!(answers, Answers::Rows(_)), "answers as rows");
    let through_runner: Vec<Vec<Row>> = answers
        .into_rows()
        .unwrap()
        .into_iter()
        .map(RVec::into_vec)
        .collect();
    assert_eq!(through_runner, found);
    lookup.close().unwrap();
    found
}

fn assert_lookup_answers(found: &[Vec<Row>]) {
    assert_eq!(found.len(), 3, "one answer per key");
    assert_eq!(
        found[0],
        vec![Row::insert(vec!["2".into(), "two".into()])],
        "key 2 was written"
    );
    assert!(found[1].is_empty(), "key 1 was deleted: a miss");
    assert!(found[2].is_empty(), "key 3 was never written: a miss");
}

#[test]
fn plugin_built_against_frozen_interface_1_0_writes_and_looks_up() {
    let found = write_and_look_up(&abi_fixtures().so("fixture_v1_0"), "collect-v10");
    assert_lookup_answers(&found);
}

#[test]
fn plugin_built_against_a_newer_minor_loads_with_the_features_this_host_knows() {
    let file = abi_fixtures().so("fixture_v1_3");
    let found = write_and_look_up(&file, "collect-v13");
    assert_lookup_answers(&found);
    let plugin = load(&file).unwrap();
    assert_eq!(plugin.manifest.interface_version, "1.3.0");
    // Its lookups offer "packed-lookup/1" with another type: refused, and (above) looked up
    // through the 1.0 calls.
    let lookup = plugin
        .factory("collect-v13")
        .unwrap()
        .create_lookup(&collect_context("t", Path::new("unused")))
        .unwrap();
    let err = PluginLookup::new(lookup).err().expect("a mismatch");
    assert!(
        err.contains("PackedLookup_TO"),
        "abi_stable's report: {err}"
    );
}

#[test]
fn plugin_built_against_interface_2_is_refused_with_both_versions() {
    let file = abi_fixtures().so("fixture_v2_0");
    let msg = load_error(&file);
    assert!(
        msg.contains(&format!("incompatible interface version: the plugin was built against connector-interface 2.0.0; this host supports 1.x (built against {INTERFACE_VERSION})")),
        "{msg}"
    );
    assert!(msg.starts_with(&file.display().to_string()), "{msg}");
    assert_eq!(msg.lines().count(), 1, "one line: {msg}");
    // Listing says the same without loading it.
    assert!(inspect(&file)
        .unwrap_err()
        .contains("connector-interface 2.0.0"));
}

#[test]
fn plugin_with_another_layout_is_refused_in_one_line() {
    let msg = load_error(&abi_fixtures().so("fixture_bad_layout"));
    assert!(
        msg.contains(&format!("incompatible layout: the plugin's interface types differ from this host's connector-interface {INTERFACE_VERSION}")),
        "{msg}"
    );
    assert_eq!(
        msg.lines().count(),
        1,
        "abi_stable's report stays in the debug log: {msg}"
    );
}

#[test]
fn panicking_plugin_is_reported_and_the_host_goes_on() {
    let plugin = load(&abi_fixtures().so("fixture_panic")).unwrap();
    let factory = plugin.factory("panics").unwrap();
    let data = tempfile::tempdir().unwrap();

    let err = factory
        .create_sink(&collect_context("explode", &data.path().join("x")))
        .into_result()
        .err()
        .unwrap();
    assert_eq!(err.kind, ErrorKind::PANIC);
    assert_eq!(
        err.message.as_str(),
        "the connector panicked in create_sink: fixture factory panicked for table explode"
    );

    let mut sink = factory
        .create_sink(&collect_context("calm", &data.path().join("y")))
        .unwrap();
    let rows = vec![Row::insert(vec!["1".into(), "one".into()])];
    let err = sink.write(RSlice::from_slice(&rows)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::PANIC);
    assert!(
        err.message.contains("fixture sink panicked on write"),
        "{}",
        err.message
    );
    // Still alive, and the plugin still answers.
    assert_eq!(factory.identifier().as_str(), "panics");
}

#[test]
fn missing_file_is_refused() {
    let msg = load_error(Path::new("/nonexistent/libnothing.so"));
    assert_eq!(
        msg,
        "/nonexistent/libnothing.so: cannot open: No such file or directory (os error 2)"
    );
}

#[test]
fn file_that_is_not_elf_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("libjunk.so");
    std::fs::write(&junk, b"this is not a shared library at all, just text\n").unwrap();
    let msg = load_error(&junk);
    assert!(msg.contains("cannot load the library"), "{msg}");
    assert_eq!(msg.lines().count(), 1, "{msg}");
    assert_eq!(
        inspect(&junk).unwrap_err(),
        "not a shared library (not an ELF object file)"
    );
}

#[test]
fn plain_shared_library_is_refused() {
    let plain = abi_fixtures().so("fixture_plain");
    let msg = load_error(&plain);
    assert!(
        msg.ends_with("not a connector plugin: the library exports no connector root module"),
        "{msg}"
    );
    assert!(inspect(&plain)
        .unwrap_err()
        .starts_with("no connector manifest"));
}

#[test]
fn two_plugins_in_one_process_each_answer_as_themselves() {
    let redis = load(&redis_plugin()).unwrap();
    let fixture = load(&abi_fixtures().so("fixture_v1_0")).unwrap();
    assert_eq!(redis.manifest.name, "redis-connector");
    assert_eq!(fixture.manifest.name, "fixture-v1_0");
    assert!(redis.factory("redis").is_some());
    assert!(redis.factory("collect-v10").is_none());
    assert!(fixture.factory("collect-v10").is_some());
    assert!(fixture.factory("redis").is_none());
    // Loading the same file again gives the same library.
    let again = load(&redis_plugin()).unwrap();
    assert!(std::sync::Arc::ptr_eq(&redis, &again));
}

#[test]
fn embedded_manifest_matches_what_the_loaded_factory_reports() {
    for (file, identifier) in [
        (redis_plugin(), "redis"),
        (abi_fixtures().so("fixture_v1_0"), "collect-v10"),
    ] {
        let from_file = inspect(&file).unwrap().manifest;
        let plugin = load(&file).unwrap();
        assert_eq!(from_file, plugin.manifest, "{}", file.display());
        let declared = from_file
            .factories
            .iter()
            .find(|f| f.identifier == identifier)
            .unwrap();
        let factory = plugin.factory(identifier).unwrap();
        let reported = factory.options();
        assert_eq!(declared.options.len(), reported.len(), "{identifier}");
        for (o, spec) in declared.options.iter().zip(reported.iter()) {
            assert!(o.agrees_with(spec), "{identifier}: {o:?} vs {spec:?}");
        }
        assert_eq!(declared.roles, factory.roles().names(), "{identifier}");
    }
}

#[test]
fn host_built_against_a_newer_minor_runs_plugins_built_against_older_ones() {
    let f = abi_fixtures();
    let data = tempfile::tempdir().unwrap();
    let files = [
        f.so("fixture_v1_0"),
        f.so("fixture_v1_3"),
        redis_plugin(),
        f.so("fixture_v2_0"),
    ];
    let out = std::process::Command::new(f.bin("host-v1_3"))
        .arg(data.path())
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let redis = format!("ok identifier=redis interface={INTERFACE_VERSION} options=");
    let expect = [
        "ok identifier=collect-v10 interface=1.0.0 flush-stats=fallback:2 lookup(2)=two",
        "ok identifier=collect-v13 interface=1.3.0 flush-stats=extension:2 lookup(2)=two",
        &redis,
        "error incompatible version: host 1.3.0, plugin 2.0.0",
    ];
    assert_eq!(lines.len(), expect.len(), "{text}");
    for ((line, file), expected) in lines.iter().zip(&files).zip(expect) {
        let rest = line
            .strip_prefix(&format!("{}: ", file.display()))
            .unwrap_or_else(|| panic!("{line}"));
        assert!(
            rest.starts_with(expected),
            "{rest} should start with {expected}"
        );
    }
}

#[test]
fn executable_with_a_manifest_is_not_a_plugin() {
    // A PIE executable is an ELF "shared object" too; without the root module export it is
    // refused before anything loads it.
    let exec = abi_fixtures().bin("fixture-exec");
    let reason = inspect(&exec).unwrap_err();
    assert!(
        reason.starts_with("not a connector plugin: it has a connector manifest but exports no connector root module"),
        "{reason}"
    );
}

/// The interface as built is its released snapshot, file for file: a released interface is
/// never edited in place (a change is a new version, with a snapshot of its own).
#[test]
fn the_interface_is_identical_to_its_released_snapshot() {
    let root = connector_tests::workspace_root();
    let live = root.join("interface/src");
    let snapshot = root.join(format!(
        "tests/abi-fixtures/interface-{}/src",
        connector_interface::INTERFACE_VERSION
    ));
    let files = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(files(&live), files(&snapshot), "the same files");
    for name in files(&live) {
        assert!(
            std::fs::read(live.join(&name)).unwrap()
                == std::fs::read(snapshot.join(&name)).unwrap(),
            "interface/src/{name} differs from {}/{name}: a released interface changed",
            snapshot.display()
        );
    }
}
