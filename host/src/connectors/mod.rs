//! Connectors a job uses: the built-in ones (Flink's `datagen`, `filesystem`, `print`,
//! `blackhole`) and adapters around plugin sinks, lookups and scans, behind one set of traits.
//!
//! Layout: this file (the traits and `TableDef`), `builtin.rs` (the built-ins' list, option
//! checks and creation), one file per built-in with its declaration (`datagen.rs`,
//! `filesystem.rs`, `print.rs`, `blackhole.rs`), `plugin.rs` (the adapters around a plugin's sinks, lookups and scans).

mod blackhole;
mod builtin;
mod csv;
mod datagen;
mod filesystem;
mod json_format;
mod plugin;
mod print;

use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use abi_stable::std_types::{RResult, RSlice, RStr, RVec};
use connector_interface::extension::Extension;
use connector_interface::{
    Column, ConnectorError, FactoryDecl, LookupBox, OptionDecl, OptionEntry, OptionType,
    PackedAnswers, PackedLookupBox, Roles, Row, RowKind, ScanBox, Schema, SinkBox, Split,
    TableContext, TableOptions, TypeKind, Value, PACKED_LOOKUP_1,
};

use crate::error::Failure;
use crate::values::{from_json, to_text};

pub use blackhole::Collect;
pub use builtin::*;
pub use plugin::*;
pub use print::flink_row;

/// A table as the catalog knows it.
#[derive(Debug, Clone)]
pub struct TableDef {
    pub name: String,
    /// Stored columns, in declaration order.
    pub columns: Vec<Column>,
    /// `x AS PROCTIME()` columns, computed by the host.
    pub proctime: Vec<String>,
    /// `x AS expr` columns, computed by the host after the PROCTIME ones: each bound to the
    /// row of the stored, PROCTIME and earlier computed columns.
    pub computed: Vec<(String, crate::expr::Bound)>,
    /// Primary key column indices (into `columns`), in key order.
    pub primary_key: Vec<usize>,
    pub options: Vec<(String, String)>,
}

impl TableDef {
    pub fn connector(&self) -> &str {
        self.option("connector").unwrap_or("")
    }

    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The context a plugin factory gets for this table.
    pub fn context(&self, lookup_keys: &[usize], task: usize, parallelism: usize) -> TableContext {
        TableContext {
            table_name: self.name.as_str().into(),
            schema: Schema {
                columns: self.columns.iter().cloned().collect(),
                primary_key: self.primary_key.iter().map(|i| *i as u32).collect(),
            },
            options: self
                .options
                .iter()
                .map(|(k, v)| OptionEntry {
                    key: k.as_str().into(),
                    value: v.as_str().into(),
                })
                .collect(),
            lookup_keys: lookup_keys.iter().map(|i| *i as u32).collect(),
            task_index: task as u32,
            parallelism: parallelism as u32,
        }
    }

    /// The columns rows are routed by: the primary key, or the first column.
    /// Whether the table's rows are a changelog that retracts (`-U`, `-D`): a file in a
    /// changelog format.
    pub fn produces_changes(&self) -> bool {
        self.connector() == "filesystem"
            && self.option("format").is_some_and(|f| {
                f.eq_ignore_ascii_case("debezium-json") || f.eq_ignore_ascii_case("canal-json")
            })
    }

    pub fn key_columns(&self) -> Vec<usize> {
        if self.primary_key.is_empty() {
            vec![0]
        } else {
            self.primary_key.clone()
        }
    }
}

pub trait Source: Send {
    /// The next batch of at most `max` rows; `None` at the end of a bounded input.
    fn next_batch(&mut self, max: usize) -> Result<Option<Vec<Row>>, Failure>;
    /// Checkpoint `id`'s barrier leaves this source now: what it read so far belongs to that
    /// checkpoint (Flink's `snapshotState`).
    fn snapshot(&mut self, _id: u64) {}
    /// Every row read before checkpoint `id`'s barrier is flushed by every sink (Flink's
    /// `notifyCheckpointComplete`): a source that acknowledges what it read does it here.
    fn checkpoint_complete(&mut self, _id: u64) {}
    fn close(&mut self) -> Result<(), Failure> {
        Ok(())
    }
}

pub trait Sink: Send {
    fn open(&mut self) -> Result<(), Failure> {
        Ok(())
    }
    fn write(&mut self, rows: &[Row]) -> Result<(), Failure>;
    /// Ok only when every row written before is durable.
    fn flush(&mut self) -> Result<(), Failure> {
        Ok(())
    }
    fn close(&mut self) -> Result<(), Failure> {
        Ok(())
    }
    fn counters(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
}

pub trait Lookup: Send {
    fn open(&mut self) -> Result<(), Failure>;
    /// Starts a lookup whose answers `collect` returns, in submission order.
    fn submit(&mut self, keys: &[Row]) -> Result<(), Failure>;
    /// For each key of the oldest submitted batch, its rows, in the form the lookup makes them:
    /// the plugin's `RVec`s (converting them to `Vec`s would copy every row, as an `RVec` from
    /// another library cannot hand over its buffer), or packed rows, which the thread that
    /// uses them unpacks.
    fn collect(&mut self) -> Result<Answers, Failure>;
    fn close(&mut self) -> Result<(), Failure>;
    fn counters(&self) -> Vec<(String, u64)>;
}

/// A batch's answers, per key in the batch's order: rows, or rows still packed.
pub enum Answers {
    Rows(Vec<RVec<Row>>),
    Packed(PackedAnswers),
}

impl Default for Answers {
    fn default() -> Answers {
        Answers::Rows(Vec::new())
    }
}

impl Answers {
    /// The rows of each key; an error names what is malformed in packed answers.
    pub fn into_rows(self) -> Result<Vec<RVec<Row>>, String> {
        match self {
            Answers::Rows(rows) => Ok(rows),
            Answers::Packed(packed) => packed
                .unpack_rows()
                .map_err(|e| format!("malformed packed answers: {e}")),
        }
    }
}
