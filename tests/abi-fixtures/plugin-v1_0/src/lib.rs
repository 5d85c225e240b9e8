//! Fixture plugin `fixture-v1_0`: the `collect` connector as `collect-v10`. Built against the frozen interface 1.0.0.

#[path = "../../collect.rs"]
mod collect;

use abi_stable::std_types::ROption;
use connector_interface::{
    ExtensionBox, FactoryBox, FactoryDecl, PluginDecl, Roles, Row, TableContext,
};

pub const PLUGIN: PluginDecl = PluginDecl {
    name: "fixture-v1_0",
    version: "0.1.0",
    factories: &[FactoryDecl {
        identifier: "collect-v10",
        description: "collects rows into a file",
        roles: Roles::SINK.union(Roles::LOOKUP),
        options: collect::OPTIONS,
    }],
};

fn factories() -> Vec<FactoryBox> {
    vec![collect::factory("collect-v10")]
}

fn before_create_sink(_context: &TableContext) {}

fn before_write(_batch: &[Row]) {}

fn sink_extension(_sink: &mut collect::CollectSink, _name: &str) -> ROption<ExtensionBox> {
    ROption::RNone
}

fn lookup_extension(_name: &str) -> ROption<ExtensionBox> {
    ROption::RNone
}

connector_interface::export_plugin!(PLUGIN, factories);

fn before_lookup(_keys: &[connector_interface::Row]) {}
