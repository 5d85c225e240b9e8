//! A stand-in for a future host built against connector-interface 1.3 (simulated): loads each plugin file
//! given on the command line the way `connector-host` does, and for `collect*` factories writes
//! two rows, looks one up, and asks the sink for the 1.3 extension `fixture.flush-stats/1`,
//! falling back to the 1.0 counters when the plugin predates it. One line per file:
//! `<file>: ok ...` or `<file>: error ...`.
//!
//! Usage: `host-v1_3 DATA_DIR PLUGIN.so...`

use abi_stable::library::{lib_header_from_path, LibraryError};
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RStr, RVec};
use connector_interface::flush_stats::{FlushStats, FLUSH_STATS};
use connector_interface::{
    Column, ConnectorModuleRef, DataType, ExtensionBox, HostCallbacks, HostCallbacks_TO, LogLevel,
    Manifest, OptionEntry, Row, Schema, TableContext, Value,
};

struct Quiet;

impl HostCallbacks for Quiet {
    fn log(&self, _level: LogLevel, _target: RStr<'_>, _message: RStr<'_>) {}
    fn max_level(&self) -> LogLevel {
        LogLevel::OFF
    }
    fn extension(&self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let data_dir = args.next().expect("usage: host-v1_3 DATA_DIR PLUGIN.so...");
    for path in args {
        match run(&path, &data_dir) {
            Ok(text) => println!("{path}: ok {text}"),
            Err(text) => println!("{path}: error {text}"),
        }
    }
}

fn run(path: &str, data_dir: &str) -> Result<String, String> {
    let module = lib_header_from_path(path.as_ref())
        .and_then(|h| h.init_root_module::<ConnectorModuleRef>())
        .map_err(|e| match e {
            LibraryError::IncompatibleVersionNumber {
                expected_version,
                actual_version,
                ..
            } => format!("incompatible version: host {expected_version}, plugin {actual_version}"),
            other => format!("{}", other.to_string().trim().lines().next().unwrap_or("")),
        })?;
    let manifest = Manifest::parse((module.manifest())().as_bytes()).map_err(|e| e.to_string())?;
    (module.init())(HostCallbacks_TO::from_value(Quiet, TD_Opaque))
        .into_result()
        .map_err(|e| e.to_string())?;
    let factories = (module.factories())()
        .into_result()
        .map_err(|e| e.to_string())?;
    let factory = factories.first().ok_or("no factory")?;
    let identifier = factory.identifier().to_string();
    let mut out = format!(
        "identifier={identifier} interface={}",
        manifest.interface_version
    );
    if !identifier.starts_with("collect") {
        out.push_str(&format!(" options={}", factory.options().len()));
        return Ok(out);
    }
    let context = TableContext {
        table_name: "t".into(),
        schema: Schema {
            columns: RVec::from(vec![
                Column::new("id", DataType::string()),
                Column::new("name", DataType::string()),
            ]),
            primary_key: RVec::from(vec![0]),
        },
        options: RVec::from(vec![OptionEntry {
            key: "path".into(),
            value: format!("{data_dir}/{identifier}-v1_3-host.jsonl").into(),
        }]),
        lookup_keys: RVec::from(vec![0]),
        task_index: 0,
        parallelism: 1,
    };
    let mut sink = factory
        .create_sink(&context)
        .into_result()
        .map_err(|e| e.to_string())?;
    sink.open().into_result().map_err(|e| e.to_string())?;
    let rows = vec![
        Row::insert(vec!["1".into(), "one".into()]),
        Row::insert(vec!["2".into(), "two".into()]),
    ];
    sink.write(rows.as_slice().into())
        .into_result()
        .map_err(|e| e.to_string())?;
    sink.flush().into_result().map_err(|e| e.to_string())?;
    match sink.extension(FLUSH_STATS.into()) {
        ROption::RSome(ext) => match ext.downcast::<FlushStats>() {
            Ok(stats) => out.push_str(&format!(" flush-stats=extension:{}", stats.flushed_rows)),
            Err(_) => out.push_str(" flush-stats=incompatible"),
        },
        ROption::RNone => {
            let written = sink
                .counters()
                .iter()
                .find(|c| c.name.as_str() == "rows_written")
                .map(|c| c.value)
                .unwrap_or(0);
            out.push_str(&format!(" flush-stats=fallback:{written}"));
        }
    }
    sink.close().into_result().map_err(|e| e.to_string())?;
    let mut lookup = factory
        .create_lookup(&context)
        .into_result()
        .map_err(|e| e.to_string())?;
    let keys = vec![Row::insert(vec!["2".into()])];
    let found = lookup
        .lookup(keys.as_slice().into())
        .into_result()
        .map_err(|e| e.to_string())?;
    let name = found
        .first()
        .and_then(|rows| rows.first())
        .and_then(|r| r.values.get(1).cloned());
    match name {
        Some(Value::String(s)) => out.push_str(&format!(" lookup(2)={s}")),
        other => out.push_str(&format!(" lookup(2)={other:?}")),
    }
    Ok(out)
}
