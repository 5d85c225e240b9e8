//! connector-interface 1.3.0 (simulated): the released 1.2.0 modules, unchanged, plus one new
//! capability, `FlushStats`, published as the extension `"fixture.flush-stats/1"`.

#[path = "../../interface-1.2.0/src/context.rs"]
pub mod context;
#[path = "../../interface-1.2.0/src/counters.rs"]
pub mod counters;
#[path = "../../interface-1.2.0/src/error.rs"]
pub mod error;
#[path = "../../interface-1.2.0/src/extension.rs"]
pub mod extension;
#[path = "../../interface-1.2.0/src/factory.rs"]
pub mod factory;
#[path = "../../interface-1.2.0/src/logging.rs"]
pub mod logging;
#[path = "../../interface-1.2.0/src/lookup.rs"]
pub mod lookup;
#[path = "../../interface-1.2.0/src/manifest.rs"]
pub mod manifest;
#[path = "../../interface-1.2.0/src/module.rs"]
pub mod module;
#[path = "../../interface-1.2.0/src/options.rs"]
pub mod options;
#[path = "../../interface-1.2.0/src/packed.rs"]
pub mod packed;
#[path = "../../interface-1.2.0/src/packed_lookup.rs"]
pub mod packed_lookup;
#[path = "../../interface-1.2.0/src/scan.rs"]
pub mod scan;
#[path = "../../interface-1.2.0/src/sink.rs"]
pub mod sink;
#[path = "../../interface-1.2.0/src/table_options.rs"]
pub mod table_options;
#[path = "../../interface-1.2.0/src/text.rs"]
pub mod text;
#[path = "../../interface-1.2.0/src/types.rs"]
pub mod types;

pub use abi_stable;
pub use context::{OptionEntry, TableContext};
pub use counters::Counter;
pub use error::{guard, ConnectorError, ErrorKind};
pub use extension::ExtensionBox;
pub use factory::{ConnectorFactory, ConnectorFactory_TO, FactoryBox};
pub use logging::{HostBox, HostCallbacks, HostCallbacks_TO, LogLevel};
pub use lookup::{Lookup, LookupBox, Lookup_TO};
pub use manifest::{FactoryDecl, Manifest, PluginDecl};
pub use module::{ConnectorModule, ConnectorModuleRef};
pub use options::{OptionDecl, OptionSpec, OptionType, Roles};
pub use packed_lookup::{
    PackedAnswers, PackedLookup, PackedLookupBox, PackedLookup_TO, PACKED_LOOKUP_1,
};
pub use scan::{Scan, ScanBox, Scan_TO, Split};
pub use sink::{Sink, SinkBox, Sink_TO};
pub use table_options::TableOptions;
pub use types::{
    Column, DataType, Decimal, MapEntry, OtherValue, Row, RowKind, Schema, Timestamp, TypeKind,
    Value,
};

pub const INTERFACE_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const INTERFACE_MAJOR: &str = env!("CARGO_PKG_VERSION_MAJOR");

/// New in 1.3: what a sink has flushed, reached through `Sink::extension(FLUSH_STATS)`.
pub mod flush_stats {
    use abi_stable::StableAbi;

    /// The versioned extension name.
    pub const FLUSH_STATS: &str = "fixture.flush-stats/1";

    #[repr(C)]
    #[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
    pub struct FlushStats {
        pub flushed_rows: u64,
        pub flushes: u64,
    }
}
