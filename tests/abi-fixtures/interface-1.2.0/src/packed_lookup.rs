//! `"packed-lookup/1"` (added in 1.1): a lookup whose answers come as packed rows.
//!
//! Through the 1.0 [`Lookup::collect`](crate::Lookup::collect) every answer is an `RVec` of
//! [`Row`]s of [`Value`]s, made by the plugin on the thread that collects: three
//! allocations per answer and a value-by-value copy, which a host's prober thread pays while
//! the rest of its job waits. Through this extension the plugin appends each answer row's
//! bytes ([`crate::packed`]) to one buffer per batch (a row it keeps packed, such as a cached
//! one, is a copy of bytes), and the host unpacks them where it uses them.
//!
//! How a host uses it: before `open`, it asks the lookup for
//! `extension(PACKED_LOOKUP_1)` and downcasts the box to [`PackedLookupBox`]. A plugin that
//! offers it hands the lookup over to the returned object: from then on the host calls only
//! that object, and the original lookup's methods fail (its `close` does nothing). A plugin
//! that does not offer it answers `RNone`, and the host goes on with the 1.0 calls. The type is
//! released: it never changes; a successor gets a new name (`"packed-lookup/2"`).

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RResult, RSlice, RStr, RVec};
use abi_stable::StableAbi;

use crate::counters::Counter;
use crate::error::ConnectorError;
use crate::extension::ExtensionBox;
use crate::packed::{pack, unpack};
use crate::types::{Row, RowKind, Value};

/// The versioned name of this extension of [`Lookup`](crate::Lookup).
pub const PACKED_LOOKUP_1: &str = "packed-lookup/1";

/// A lookup handed over from a [`Lookup`](crate::Lookup): the same calls, with the answers of
/// a batch packed. Frozen with its name.
#[sabi_trait]
pub trait PackedLookup: Send {
    /// As [`Lookup::open`](crate::Lookup::open).
    fn open(&mut self) -> RResult<(), ConnectorError>;

    /// As [`Lookup::submit`](crate::Lookup::submit).
    fn submit(&mut self, keys: RSlice<'_, Row>) -> RResult<(), ConnectorError>;

    /// The answers of the oldest submitted batch, one entry per key in the order of `keys`
    /// (an entry without rows is a miss); each row has the table's columns and is an insert.
    fn collect(&mut self) -> RResult<PackedAnswers, ConnectorError>;

    fn close(&mut self) -> RResult<(), ConnectorError>;

    /// As [`Lookup::counters`](crate::Lookup::counters).
    fn counters(&self) -> RVec<Counter>;

    /// A capability added later, by versioned name; `RNone` when not offered.
    #[sabi(last_prefix_field)]
    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox>;
}

pub type PackedLookupBox = PackedLookup_TO<'static, RBox<()>>;

/// The answers of one batch: packed rows end to end, where each row ends, and where each key's
/// rows end. Frozen with [`PACKED_LOOKUP_1`].
#[repr(C)]
#[derive(StableAbi, Debug, Default, Clone, PartialEq)]
pub struct PackedAnswers {
    /// The rows, each packed by [`pack`], end to end.
    pub bytes: RVec<u8>,
    /// Where each row ends in `bytes`.
    pub row_ends: RVec<u64>,
    /// For each key, in order: where its rows end in `row_ends`.
    pub key_ends: RVec<u64>,
}

impl PackedAnswers {
    /// Empty answers with room for `keys` keys and `bytes` bytes of rows.
    pub fn with_capacity(keys: usize, bytes: usize) -> PackedAnswers {
        PackedAnswers {
            bytes: RVec::with_capacity(bytes),
            row_ends: RVec::with_capacity(keys),
            key_ends: RVec::with_capacity(keys),
        }
    }

    /// Appends a row of the current key, already packed.
    pub fn push_packed(&mut self, row: &[u8]) {
        self.bytes.extend_from_copy_slice(row);
        self.row_ends.push(self.bytes.len() as u64);
    }

    /// Appends a row of the current key.
    pub fn push_values(&mut self, values: &[Value]) {
        pack(values, &mut self.bytes);
        self.row_ends.push(self.bytes.len() as u64);
    }

    /// Ends the current key: the rows appended since the last call are its rows.
    pub fn end_key(&mut self) {
        self.key_ends.push(self.row_ends.len() as u64);
    }

    /// How many keys were answered.
    pub fn keys(&self) -> usize {
        self.key_ends.len()
    }

    /// The packed rows of the key at `key` (in the batch's order), each as its bytes. An error
    /// names a malformed offset (the answers came from another library: every offset is
    /// checked).
    pub fn rows_of(&self, key: usize) -> Result<PackedRows<'_>, String> {
        let end_of = |key: usize| -> Result<usize, String> {
            let at = self
                .key_ends
                .get(key)
                .ok_or_else(|| format!("no answer for key {key} of {}", self.key_ends.len()))?;
            offset(*at, self.row_ends.len(), "key end")
        };
        let row = if key == 0 { 0 } else { end_of(key - 1)? };
        let end = end_of(key)?;
        if end < row {
            return Err(format!("key ends at row {end}, before row {row}"));
        }
        Ok(PackedRows {
            answers: self,
            row,
            end,
        })
    }

    /// The rows of each key, unpacked (inserts), in key order: what the 1.0 `collect` returns.
    /// An error names what is malformed.
    pub fn unpack_rows(&self) -> Result<Vec<RVec<Row>>, String> {
        (0..self.keys())
            .map(|key| {
                self.rows_of(key)?
                    .map(|bytes| {
                        Ok(Row {
                            kind: RowKind::Insert,
                            values: RVec::from(unpack(bytes?)?),
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

/// The packed rows of one key ([`PackedAnswers::rows_of`]).
pub struct PackedRows<'a> {
    answers: &'a PackedAnswers,
    row: usize,
    end: usize,
}

impl<'a> Iterator for PackedRows<'a> {
    type Item = Result<&'a [u8], String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.row >= self.end {
            return None;
        }
        let ends = &self.answers.row_ends;
        let start = if self.row == 0 { 0 } else { ends[self.row - 1] };
        let end = ends[self.row];
        self.row += 1;
        Some(
            usize::try_from(start)
                .ok()
                .zip(usize::try_from(end).ok())
                .and_then(|(start, end)| self.answers.bytes.get(start..end))
                .ok_or_else(|| {
                    format!(
                        "a row at bytes {start}..{end} of {}",
                        self.answers.bytes.len()
                    )
                }),
        )
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.row;
        (n, Some(n))
    }
}

impl ExactSizeIterator for PackedRows<'_> {}

fn offset(at: u64, len: usize, what: &str) -> Result<usize, String> {
    usize::try_from(at)
        .ok()
        .filter(|at| *at <= len)
        .ok_or_else(|| format!("a {what} at {at}, past the end ({len})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_per_key_in_order() {
        let mut answers = PackedAnswers::default();
        answers.push_values(&[Value::BigInt(1), Value::from("one")]);
        answers.end_key();
        answers.end_key(); // a miss
        let mut packed = Vec::new();
        pack(&[Value::BigInt(2), Value::Null], &mut packed);
        answers.push_packed(&packed);
        answers.push_values(&[Value::BigInt(3), Value::from("three")]);
        answers.end_key();
        assert_eq!(answers.keys(), 3);
        let values = |rows: &RVec<Row>| -> Vec<Vec<Value>> {
            assert!(rows.iter().all(|r| r.kind == RowKind::Insert));
            rows.iter().map(|r| r.values.to_vec()).collect()
        };
        let unpacked = answers.unpack_rows().unwrap();
        assert_eq!(
            unpacked.iter().map(values).collect::<Vec<_>>(),
            vec![
                vec![vec![Value::BigInt(1), Value::from("one")]],
                vec![],
                vec![
                    vec![Value::BigInt(2), Value::Null],
                    vec![Value::BigInt(3), Value::from("three")]
                ],
            ]
        );
    }

    #[test]
    fn bad_offsets_are_errors_not_reads_out_of_bounds() {
        let mut answers = PackedAnswers::default();
        answers.push_values(&[Value::Int(1)]);
        answers.end_key();
        let mut past = answers.clone();
        past.row_ends[0] = 99;
        assert!(past
            .unpack_rows()
            .unwrap_err()
            .contains("a row at bytes 0..99 of 6"));
        let mut backwards = answers.clone();
        backwards.key_ends.push(0);
        assert!(backwards.unpack_rows().unwrap_err().contains("before row"));
        let mut past_rows = answers.clone();
        past_rows.key_ends[0] = 5;
        assert!(past_rows
            .unpack_rows()
            .unwrap_err()
            .contains("past the end"));
        assert!(answers
            .rows_of(1)
            .err()
            .unwrap()
            .contains("no answer for key 1 of 1"));
        let mut short = answers.clone();
        short.row_ends[0] -= 1;
        assert!(short
            .unpack_rows()
            .unwrap_err()
            .contains("ends inside a value"));
    }
}
