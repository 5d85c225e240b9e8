//! Plugin log lines reach the host's log output with the plugin's name as target.

use std::io::Write;
use std::sync::{Arc, Mutex};

use abi_stable::std_types::RVec;
use connector_host::loader::load;
use connector_interface::{Column, DataType, OptionEntry, Schema, TableContext};
use connector_tests::abi_fixtures;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn plugin_log_lines_come_out_of_the_host_log_with_the_plugin_name_as_target() {
    let captured = Captured::default();
    let writer = captured.clone();
    connector_host::logging::init_with("info", move || writer.clone());

    let plugin = load(&abi_fixtures().so("fixture_v1_0")).unwrap();
    let data = tempfile::tempdir().unwrap();
    let context = TableContext {
        table_name: "audit".into(),
        schema: Schema {
            columns: RVec::from(vec![
                Column::new("id", DataType::string()),
                Column::new("v", DataType::string()),
            ]),
            primary_key: RVec::new(),
        },
        options: RVec::from(vec![OptionEntry {
            key: "path".into(),
            value: data.path().join("rows").display().to_string().into(),
        }]),
        lookup_keys: RVec::new(),
        task_index: 0,
        parallelism: 1,
    };
    plugin
        .factory("collect-v10")
        .unwrap()
        .create_sink(&context)
        .unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("collect sink for table 'audit'"))
        .unwrap_or_else(|| panic!("no plugin log line in:\n{text}"));
    assert!(line.contains(" INFO "), "{line}");
    assert!(
        line.contains("fixture-v1_0:"),
        "target is the plugin name: {line}"
    );
}
