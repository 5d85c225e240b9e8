//! Collecting a batch: its replies decoded (and cached), then one answer per probe handed
//! out, as rows (the 1.0 `collect`) or packed rows (`"packed-lookup/1"`).

use abi_stable::std_types::RVec;
use connector_interface::packed::unpack;
use connector_interface::{ConnectorError, PackedAnswers, Row, RowKind, Value};

use super::batch::{Answer, Found, Pending};
use super::RedisLookup;
use crate::client::{Replies, ReplyAt};

/// The reply at `at` (an item of a multi-key reply, or a whole reply).
/// The Redis key of the batch's `fetch`-th fetched key.
fn fetched_key(batch: &Pending, fetch: usize) -> &[u8] {
    match batch.redis_keys.get(fetch) {
        Some(key) => key,
        None => batch.key(batch.first_probe[batch.to_fetch[fetch]]),
    }
}

fn reply_at(replies: &Replies, at: ReplyAt) -> Option<&redis::Value> {
    let reply = replies.get(at.node)?.get(at.command)?;
    match (at.item, reply) {
        (None, reply) => Some(reply),
        (Some(i), redis::Value::Array(items)) => items.get(i),
        (Some(_), _) => None,
    }
}

impl RedisLookup {
    /// Starts a batch: its commands go out now, its answers are read by `collect`.
    pub fn submit_batch(&mut self, probes: &[Row]) -> Result<(), ConnectorError> {
        let (pipeline, batch) = self.plan(probes)?;
        self.client.submit(pipeline, batch);
        Ok(())
    }

    /// The answers of the oldest submitted batch, into `out`.
    pub fn collect_batch(&mut self, out: &mut impl AnswerSink) -> Result<(), ConnectorError> {
        let (mut batch, replies) = match self.client.collect_keeping("looking up in") {
            Ok(collected) => collected,
            Err((e, batch)) => return Err(self.named_wrong_type(e, batch)),
        };
        if !batch.to_fetch.is_empty() {
            self.counts.round_trips += 1;
        }
        if self.kind.reads_other_types_as_absent() {
            let absent: Vec<&[u8]> = (0..batch.to_fetch.len())
                .filter(|f| {
                    matches!(
                        reply_at(&replies, batch.reply_at[*f]),
                        Some(redis::Value::Nil)
                    )
                })
                .map(|f| fetched_key(&batch, f))
                .collect();
            self.check_types(&absent)?;
        }
        let mut rows = std::mem::take(&mut batch.cached_rows);
        for (fetch, slot) in batch.to_fetch.iter().enumerate() {
            let reply = reply_at(&replies, batch.reply_at[fetch]).ok_or_else(|| {
                ConnectorError::internal(format!(
                    "table '{}': fewer replies than keys",
                    self.table()
                ))
            })?;
            let cache_key = batch.key(batch.first_probe[*slot]);
            let redis_key = fetched_key(&batch, fetch);
            let answer = self.settle(
                &batch.key_values[fetch],
                redis_key,
                cache_key,
                batch.hashes[*slot],
                reply,
                batch.now,
                &mut rows,
            )?;
            batch.answers[*slot] = Some(answer);
        }
        batch.cached_rows = rows;
        let mut uses = vec![0usize; batch.answers.len()];
        for slot in &batch.slot_of {
            uses[*slot] += 1;
        }
        for (i, slot) in batch.slot_of.iter().enumerate() {
            uses[*slot] -= 1;
            let last = uses[*slot] == 0;
            let answer = if last {
                batch.answers[*slot].take()
            } else {
                batch.answers[*slot].clone()
            };
            let filter_values = batch.filter_values.get(i).map_or(&[][..], |v| v.as_slice());
            self.answer(filter_values, answer.flatten(), &batch.cached_rows, out)?;
        }
        Ok(())
    }

    /// The oldest submitted batch's answers as the 1.0 interface returns them.
    pub fn collect_rows(&mut self) -> Result<RVec<RVec<Row>>, ConnectorError> {
        let probes = self.client.front().map_or(0, |b| b.slot_of.len());
        let mut out = RowAnswers::with_capacity(probes);
        self.collect_batch(&mut out)?;
        Ok(RVec::from(out.out))
    }

    /// The oldest submitted batch's answers, packed.
    pub fn collect_packed(&mut self) -> Result<PackedAnswers, ConnectorError> {
        let (keys, bytes) = self.client.front().map_or((0, 0), |b| {
            (b.slot_of.len(), b.cached_rows.len() + 64 * b.to_fetch.len())
        });
        let mut out = PackedAnswers::with_capacity(keys, bytes);
        self.collect_batch(&mut out)?;
        Ok(out)
    }

    /// The answer for a probe, into `out`: one row, or none for a miss (or a row whose other
    /// join columns do not match). `cached_rows` holds the packed rows of `Found::Packed`.
    fn answer(
        &mut self,
        filter_values: &[Value],
        answer: Answer,
        cached_rows: &[u8],
        out: &mut impl AnswerSink,
    ) -> Result<(), ConnectorError> {
        let matches = |row: &[Value]| {
            self.filters
                .iter()
                .zip(filter_values)
                .all(|((column, _), value)| *value == row[*column])
        };
        let bad = |e: String| self.cache_error(e);
        let hit = match answer {
            None => false,
            Some(Found::Fresh(row)) => {
                let hit = matches(&row);
                if hit {
                    out.row(row);
                }
                hit
            }
            Some(Found::Packed(range)) => {
                let bytes = cached_rows
                    .get(range)
                    .ok_or_else(|| bad("a packed row outside its batch".to_string()))?;
                if self.filters.is_empty() {
                    out.packed(bytes).map_err(bad)?;
                    true
                } else {
                    let row = unpack(bytes).map_err(bad)?;
                    let hit = matches(&row);
                    if hit {
                        out.row(row);
                    }
                    hit
                }
            }
        };
        out.end_key();
        if hit {
            self.counts.hits += 1;
        } else {
            self.counts.misses += 1;
        }
        Ok(())
    }

    /// A `WRONGTYPE` failure names the key that caused it (the batch's keys are asked their
    /// type); any other failure is returned as it is.
    fn named_wrong_type(&mut self, e: ConnectorError, batch: Option<Pending>) -> ConnectorError {
        let (true, Some(batch)) = (e.message.contains("WRONGTYPE"), batch) else {
            return e;
        };
        let keys: Vec<&[u8]> = (0..batch.to_fetch.len())
            .map(|f| fetched_key(&batch, f))
            .collect();
        match self.check_types(&keys) {
            Ok(()) => e,
            Err(named) => named,
        }
    }

    fn cache_error(&self, why: String) -> ConnectorError {
        ConnectorError::internal(format!(
            "table '{}': the lookup cache holds a bad row: {why}",
            self.table()
        ))
    }
}

/// Where a batch's answers go: rows (the 1.0 `collect`) or packed rows (`"packed-lookup/1"`).
pub trait AnswerSink {
    /// A row of the current key.
    fn row(&mut self, values: Vec<Value>);
    /// A row of the current key, packed.
    fn packed(&mut self, bytes: &[u8]) -> Result<(), String>;
    /// The current key has all its rows.
    fn end_key(&mut self);
}

/// Answers as the 1.0 `collect` returns them.
struct RowAnswers {
    out: Vec<RVec<Row>>,
    current: RVec<Row>,
}

impl RowAnswers {
    fn with_capacity(keys: usize) -> RowAnswers {
        RowAnswers {
            out: Vec::with_capacity(keys),
            current: RVec::new(),
        }
    }
}

impl AnswerSink for RowAnswers {
    fn row(&mut self, values: Vec<Value>) {
        self.current.push(Row {
            kind: RowKind::Insert,
            values: RVec::from(values),
        });
    }
    fn packed(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.row(unpack(bytes)?);
        Ok(())
    }
    fn end_key(&mut self) {
        self.out.push(std::mem::take(&mut self.current));
    }
}

impl AnswerSink for PackedAnswers {
    fn row(&mut self, values: Vec<Value>) {
        self.push_values(&values);
    }
    fn packed(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.push_packed(bytes);
        Ok(())
    }
    fn end_key(&mut self) {
        PackedAnswers::end_key(self);
    }
}
