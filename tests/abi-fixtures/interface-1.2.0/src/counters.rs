//! Named counters: how sinks, lookups and scans report what they did. Names are open-ended
//! (a new counter is a new name, never a layout change); the well-known ones are below.

use abi_stable::std_types::RString;
use abi_stable::StableAbi;

#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub name: RString,
    pub value: u64,
}

impl Counter {
    pub fn new(name: &str, value: u64) -> Counter {
        Counter {
            name: RString::from(name),
            value,
        }
    }
}

/// Rows upserted (`+I`, `+U`) by a sink.
pub const ROWS_WRITTEN: &str = "rows_written";
/// Rows deleted (`-D`) by a sink.
pub const ROWS_DELETED: &str = "rows_deleted";
/// Rows a sink ignored on purpose (`-U` with a primary key).
pub const ROWS_IGNORED: &str = "rows_ignored";
/// Completed `flush()` calls.
pub const FLUSHES: &str = "flushes";
/// Total time spent in `flush()`, in microseconds.
pub const FLUSH_MICROS: &str = "flush_micros";
/// Attempts repeated after a retriable error.
pub const RETRIES: &str = "retries";
/// Errors returned to the host.
pub const ERRORS: &str = "errors";
/// Keys looked up.
pub const LOOKUPS: &str = "lookups";
/// Keys found (in the cache or the external system).
pub const HITS: &str = "hits";
/// Keys not found.
pub const MISSES: &str = "misses";
/// Keys answered from the cache.
pub const CACHE_HITS: &str = "cache_hits";
/// Entries evicted from the cache.
pub const CACHE_EVICTIONS: &str = "cache_evictions";
/// Round trips to the external system.
pub const ROUND_TRIPS: &str = "round_trips";
/// Rows produced by a scan.
pub const ROWS_READ: &str = "rows_read";
