//! The lookup: answers batches of probe keys for `JOIN ... FOR SYSTEM_TIME AS OF`.

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RResult, RSlice, RStr, RVec};

use crate::counters::Counter;
use crate::error::ConnectorError;
use crate::extension::ExtensionBox;
use crate::types::Row;

/// One subtask's lookup. Frozen for 1.x.
#[sabi_trait]
pub trait Lookup: Send {
    /// Connects to the external system.
    fn open(&mut self) -> RResult<(), ConnectorError>;

    /// For each key row (values of the context's `lookup_keys`, in that order) the matching
    /// rows of the table's schema; an empty list is a miss. The result has one entry per key,
    /// in the order of `keys`. An error is never turned into a miss.
    fn lookup(&mut self, keys: RSlice<'_, Row>) -> RResult<RVec<RVec<Row>>, ConnectorError>;

    /// Starts looking up a batch without waiting for its answers, so that the external system
    /// works while the host prepares the next batch. `collect` returns the answers of submitted
    /// batches in submission order, exactly as `lookup` would have. A lookup that cannot
    /// pipeline may answer here at once and hand the answers over in `collect`. `lookup` is not
    /// called while submitted batches wait to be collected.
    fn submit(&mut self, keys: RSlice<'_, Row>) -> RResult<(), ConnectorError>;

    /// The answers of the oldest batch passed to `submit`.
    fn collect(&mut self) -> RResult<RVec<RVec<Row>>, ConnectorError>;

    fn close(&mut self) -> RResult<(), ConnectorError>;

    /// Counters (see `counters`): lookups, hits, misses, cache hits, ...
    fn counters(&self) -> RVec<Counter>;

    /// A capability added after 1.0, by versioned name; `RNone` when not offered.
    #[sabi(last_prefix_field)]
    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox>;
}

pub type LookupBox = Lookup_TO<'static, RBox<()>>;
