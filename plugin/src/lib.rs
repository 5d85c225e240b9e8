//! `redis-connector`: the Redis connector plugin, loaded at run time by a connector host.
//!
//! Built as `libredis_connector.so`; dropping that one file into a host's resource directory
//! registers the `redis` factory (its manifest is embedded, see `connector_interface::manifest`).
//!
//! Layout:
//! - `options.rs`: every option, declared once, and their validation;
//! - `factory.rs`: the `redis` factory: roles, schema checks, creation of sinks and lookups;
//! - `layout.rs`: a table's key and value columns, and how its keys are written;
//! - `client/`: the client seam: connections, pipelines grouped by node, replies, the one
//!   retry policy and error classification;
//! - `types/`: one file per Redis data type (row to commands, reply to row, write-back);
//! - `sink/`: the sink (buffering, pipelining, interval flush);
//! - `lookup/`: the lookup (batches, cache, write-back, answers, the ABI adapters).
//!
//! Values take their text and JSON forms from `connector-format`, the rule set the host uses
//! too.

pub mod client;
pub mod factory;
pub mod layout;
pub mod lookup;
pub mod options;
pub mod sink;
pub mod types;

use connector_interface::{FactoryBox, FactoryDecl, PluginDecl, Roles};

/// The plugin's declaration: the source of its embedded manifest.
pub const PLUGIN: PluginDecl = PluginDecl {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
    factories: &[FactoryDecl {
        identifier: "redis",
        description: "Redis: changelog sink into string or hash keys, and lookup (dimension) table",
        roles: Roles::SINK.union(Roles::LOOKUP),
        options: options::OPTIONS,
    }],
};

fn factories() -> Vec<FactoryBox> {
    vec![factory::RedisFactory::boxed()]
}

connector_interface::export_plugin!(PLUGIN, factories);

/// The plugin's own allocator (values it hands to the host carry it in their vtables, so the
/// host frees them with it): the lookup allocates every answer row, which the host frees on
/// another thread, and glibc's malloc spends a fifth of a cached lookup on that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
