//! `connector-interface`: the stable ABI between a connector host and the connector plugins it
//! loads at run time (the Rust analogue of Flink's `DynamicTableFactory` + `META-INF/services`).
//!
//! A plugin is a `cdylib` that exports one root module ([`ConnectorModule`]) with
//! [`export_plugin!`] and embeds a JSON manifest ([`manifest`]) that a host reads from the file
//! without running any plugin code. Through the root module the host reaches the plugin's
//! factories ([`ConnectorFactory`]), which create sinks ([`Sink`]), lookups ([`Lookup`]) and
//! scans ([`Scan`]). Rows cross the boundary in batches ([`Row`], [`Value`]); every call returns
//! `RResult<_, ConnectorError>`; nothing unwinds across the boundary ([`guard`]).
//!
//! Layout:
//! - `types.rs`: rows, values, logical types, schemas;
//! - `error.rs`: [`ConnectorError`], [`ErrorKind`], the panic [`guard`];
//! - `options.rs`: option declarations ([`OptionDecl`]) and their FFI form ([`OptionSpec`]);
//! - `table_options.rs` (1.2): a table's options checked against the declarations, typed
//!   ([`TableOptions`]);
//! - `context.rs`: [`TableContext`], what a factory is handed;
//! - `factory.rs`, `sink.rs`, `lookup.rs`, `scan.rs`: the `#[sabi_trait]` traits;
//! - `extension.rs`: [`ExtensionBox`], the checked way to add capabilities in 1.x;
//! - `logging.rs`: the host callbacks ([`HostCallbacks`]) and the plugin-side log bridge;
//! - `manifest.rs`: the embedded manifest, written at compile time and parsed by hosts;
//! - `packed.rs`, `packed_lookup.rs` (1.1): rows packed into bytes and the `"packed-lookup/1"`
//!   extension of a lookup, whose answers come packed ([`PackedLookup`]);
//! - `text.rs`: text forms of dates, times, timestamps and decimals shared by hosts and plugins;
//! - `module.rs`: the root module and [`export_plugin!`].
//!
//! # Evolution rules (read before changing anything here)
//!
//! abi_stable accepts a plugin whose types have *more* prefix fields than the host's and
//! rejects one with *fewer*, and it rejects any change to an exhaustive enum in both
//! directions. So that a plugin built against 1.0 loads in every 1.x host *and* a plugin built
//! against a newer 1.x loads in an older 1.y host, the 1.x line follows these rules:
//!
//! - **Frozen in 1.x**: the root module, every `#[sabi_trait]` (methods, their order and
//!   signatures), every `#[repr(C)]` struct and every enum that crosses the boundary, including
//!   [`Value`] (which already covers every SQL type of the roadmap, plus [`Value::Other`] as an
//!   escape hatch). Not even a defaulted trait method or a prefix field may be appended.
//! - **Allowed in 1.x**: new integer constants of the newtype "enums" ([`ErrorKind`],
//!   [`TypeKind`], [`OptionType`], [`Roles`], [`LogLevel`]); new well-known counter names; new
//!   manifest fields (hosts ignore unknown ones); new helper functions and macros; and new
//!   capabilities as **extensions**: a new `#[repr(C)]` type reached through an
//!   `extension(name)` hook under a versioned name such as `"metrics/1"`, whose layout the host
//!   checks before use ([`ExtensionBox`]). A released extension type is never changed: its
//!   successor gets a new name (`"metrics/2"`).
//! - **Needs 2.0**: anything else (removing or changing a method, a field or a variant). A 2.0
//!   plugin is refused by a 1.x host with a message naming both versions, and the other way
//!   round.
//!
//! Tests in `tests/abi-fixtures` keep a verbatim copy of each released interface (1.0.0,
//! 1.1.0, 1.2.0), a simulated next minor (1.3.0) and next major (2.0.0), and prove these rules
//! on every run.
//!
//! [`OptionDecl`] is compile-time data that never crosses the boundary: a minor may add a
//! field with a neutral default to it, so build it with [`OptionDecl::new`] and struct update
//! syntax.
//!
//! Released minors: **1.1** added the packed row format ([`packed`]) and the
//! `"packed-lookup/1"` extension of [`Lookup`] ([`PackedLookup`]). **1.2** added each option's
//! section and range (`OptionDecl::section`, `min`, `max`, and the manifest's `section`, `min`,
//! `max`) and the shared check of a table's options ([`TableOptions`]).

pub mod context;
pub mod counters;
pub mod error;
pub mod extension;
pub mod factory;
pub mod logging;
pub mod lookup;
pub mod manifest;
pub mod module;
pub mod options;
pub mod packed;
pub mod packed_lookup;
pub mod scan;
pub mod sink;
pub mod table_options;
pub mod text;
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

/// The version of this interface crate, as written into every manifest and checked at load.
pub const INTERFACE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The major version of this interface: hosts accept plugins of the same major only.
pub const INTERFACE_MAJOR: &str = env!("CARGO_PKG_VERSION_MAJOR");
