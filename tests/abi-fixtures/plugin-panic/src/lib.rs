//! Fixture plugin `fixture-panic`: the `collect` connector as `panics`. Panics in create_sink (table `explode`), in every write and in every lookup.

#[path = "../../collect.rs"]
mod collect;

use abi_stable::std_types::ROption;
use connector_interface::{
    ExtensionBox, FactoryBox, FactoryDecl, PluginDecl, Roles, Row, TableContext,
};

pub const PLUGIN: PluginDecl = PluginDecl {
    name: "fixture-panic",
    version: "0.1.0",
    factories: &[FactoryDecl {
        identifier: "panics",
        description: "collects rows into a file",
        roles: Roles::SINK.union(Roles::LOOKUP),
        options: collect::OPTIONS,
    }],
};

fn factories() -> Vec<FactoryBox> {
    vec![collect::factory("panics")]
}

fn before_create_sink(_context: &TableContext) {
    if _context.table_name.as_str() == "explode" {
        panic!("fixture factory panicked for table explode");
    }
}

fn before_write(_batch: &[Row]) {
    panic!("fixture sink panicked on write");
}

fn sink_extension(_sink: &mut collect::CollectSink, _name: &str) -> ROption<ExtensionBox> {
    ROption::RNone
}

fn lookup_extension(_name: &str) -> ROption<ExtensionBox> {
    ROption::RNone
}

connector_interface::export_plugin!(PLUGIN, factories);

fn before_lookup(_keys: &[Row]) {
    panic!("fixture lookup panicked");
}
