//! `redis-connector`: the Redis connector plugin, loaded at run time by a connector host.
//!
//! Built as `libredis_connector.so`; dropping that one file into a host's resource directory
//! registers the `redis` factory (its manifest is embedded, see `connector_interface::manifest`).
//!
//! Layout:
//! - `options.rs`: every option, declared once, and their validation;
//! - `factory.rs`: the `redis` factory: roles, schema checks, creation of sinks and lookups;
//! - `codec.rs`: rows to keys and values (pure);
//! - `connection.rs`: connecting, RESP pipelines, what an error means and whether to retry;
//! - `decode.rs`: text and JSON from Redis to the declared column types (pure);
//! - `sink.rs`: the sink (buffering, pipelining, interval flush, retries);
//! - `lookup.rs`: the lookup (batched round trips, LRU cache of packed rows, write-back), with
//!   answers as rows (1.0) or packed (the `"packed-lookup/1"` extension of interface 1.1);

pub mod codec;
pub mod connection;
pub mod decode;
pub mod factory;
pub mod lookup;
pub mod options;
pub mod sink;

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
