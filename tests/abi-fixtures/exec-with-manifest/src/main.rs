//! An executable (position-independent, so ELF type "shared object" like a library) that
//! embeds a connector manifest but exports no root module: discovery must not take it for a
//! plugin.

#[path = "../../collect.rs"]
mod collect;

use abi_stable::std_types::ROption;
use connector_interface::{
    ExtensionBox, FactoryBox, FactoryDecl, PluginDecl, Roles, Row, TableContext,
};

pub const PLUGIN: PluginDecl = PluginDecl {
    name: "fixture-exec",
    version: "0.1.0",
    factories: &[FactoryDecl {
        identifier: "collect-exec",
        description: "an executable, not a plugin",
        roles: Roles::SINK,
        options: collect::OPTIONS,
    }],
};

fn factories() -> Vec<FactoryBox> {
    vec![collect::factory("collect-exec")]
}

fn before_create_sink(_context: &TableContext) {}

fn before_write(_batch: &[Row]) {}
fn before_lookup(_keys: &[Row]) {}

fn sink_extension(_sink: &mut collect::CollectSink, _name: &str) -> ROption<ExtensionBox> {
    ROption::RNone
}

fn lookup_extension(_name: &str) -> ROption<ExtensionBox> {
    ROption::RNone
}

connector_interface::export_plugin!(PLUGIN, factories);

fn main() {
    // Referencing the manifest keeps its section in the executable.
    println!("{} manifest bytes", embedded_manifest().len());
    let _ = get_connector_module;
}
