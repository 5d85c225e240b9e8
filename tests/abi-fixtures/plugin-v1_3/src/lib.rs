//! Fixture plugin `fixture-v1_3`: the `collect` connector as `collect-v13`. Built against the simulated interface 1.3.0; offers the 1.3 extension `fixture.flush-stats/1` on its sinks, and a mismatched `packed-lookup/1` on its lookups.

#[path = "../../collect.rs"]
mod collect;

use abi_stable::std_types::ROption;
use connector_interface::{
    ExtensionBox, FactoryBox, FactoryDecl, PluginDecl, Roles, Row, TableContext,
};

pub const PLUGIN: PluginDecl = PluginDecl {
    name: "fixture-v1_3",
    version: "0.1.0",
    factories: &[FactoryDecl {
        identifier: "collect-v13",
        description: "collects rows into a file",
        roles: Roles::SINK.union(Roles::LOOKUP),
        options: collect::OPTIONS,
    }],
};

fn factories() -> Vec<FactoryBox> {
    vec![collect::factory("collect-v13")]
}

fn before_create_sink(_context: &TableContext) {}

fn before_write(_batch: &[Row]) {}

fn sink_extension(_sink: &mut collect::CollectSink, _name: &str) -> ROption<ExtensionBox> {
    use connector_interface::flush_stats::{FlushStats, FLUSH_STATS};
    if _name == FLUSH_STATS {
        ROption::RSome(ExtensionBox::new(
            FLUSH_STATS,
            FlushStats {
                flushed_rows: _sink.flushed_rows,
                flushes: _sink.flushes,
            },
        ))
    } else {
        ROption::RNone
    }
}

/// Offers `"packed-lookup/1"` (interface 1.1's extension) with another type than that
/// extension's: a broken plugin, which a host must survive by looking up through the 1.0 calls.
fn lookup_extension(name: &str) -> ROption<ExtensionBox> {
    use connector_interface::flush_stats::FlushStats;
    if name == "packed-lookup/1" {
        ROption::RSome(ExtensionBox::new(
            name,
            FlushStats {
                flushed_rows: 0,
                flushes: 0,
            },
        ))
    } else {
        ROption::RNone
    }
}

connector_interface::export_plugin!(PLUGIN, factories);

fn before_lookup(_keys: &[connector_interface::Row]) {}
