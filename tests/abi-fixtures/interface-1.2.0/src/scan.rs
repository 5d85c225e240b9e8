//! The scan: reads a table as a bounded source, split by split.

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RResult, RStr, RString, RVec};
use abi_stable::StableAbi;

use crate::counters::Counter;
use crate::error::ConnectorError;
use crate::extension::ExtensionBox;
use crate::types::Row;

/// A part of a table that one subtask reads: an id for messages and an opaque payload the
/// connector encodes as it likes.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub id: RString,
    pub payload: RString,
}

/// One subtask's scan. Frozen for 1.x.
#[sabi_trait]
pub trait Scan: Send {
    /// Divides the table into splits for `parallelism` subtasks.
    fn splits(&mut self, parallelism: u32) -> RResult<RVec<Split>, ConnectorError>;

    /// Starts reading one split.
    fn open(&mut self, split: &Split) -> RResult<(), ConnectorError>;

    /// The next batch of rows, or `RNone` at the end of the split.
    fn next_batch(&mut self) -> RResult<ROption<RVec<Row>>, ConnectorError>;

    fn close(&mut self) -> RResult<(), ConnectorError>;

    fn counters(&self) -> RVec<Counter>;

    /// A capability added after 1.0, by versioned name; `RNone` when not offered.
    #[sabi(last_prefix_field)]
    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox>;
}

pub type ScanBox = Scan_TO<'static, RBox<()>>;
