//! The sink: receives changelog rows in batches and makes them durable on `flush`.

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RResult, RSlice, RStr, RVec};

use crate::counters::Counter;
use crate::error::ConnectorError;
use crate::extension::ExtensionBox;
use crate::types::Row;

/// One subtask's sink. Frozen for 1.x. The host calls `open` once, then `write` and `flush`
/// any number of times, then `close`; never two calls at once.
#[sabi_trait]
pub trait Sink: Send {
    /// Connects to the external system.
    fn open(&mut self) -> RResult<(), ConnectorError>;

    /// Accepts a batch of rows. It may buffer them: only `flush` promises durability.
    fn write(&mut self, batch: RSlice<'_, Row>) -> RResult<(), ConnectorError>;

    /// Returns Ok only when every row passed to `write` before this call is durable in the
    /// external system (acknowledged). The host calls it on every checkpoint and before
    /// `close`.
    fn flush(&mut self) -> RResult<(), ConnectorError>;

    /// Releases connections. It does not flush: the host flushes first.
    fn close(&mut self) -> RResult<(), ConnectorError>;

    /// Counters (see `counters`): rows written, deleted, flushes, retries, errors, ...
    fn counters(&self) -> RVec<Counter>;

    /// A capability added after 1.0, by versioned name; `RNone` when not offered.
    #[sabi(last_prefix_field)]
    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox>;
}

pub type SinkBox = Sink_TO<'static, RBox<()>>;
