//! The Redis lookup (dimension table): batches of probe keys answered in one round trip.
//!
//! Keys are built exactly as the sink builds them (`layout.rs`). A batch is de-duplicated,
//! answered from the cache where possible, and the rest read through the table's Redis type
//! (`types/`: one `MGET` per 128 keys of a node for strings, one `HGETALL` per key for
//! hashes), in one pipeline. Values are converted to the declared column types; a value that
//! cannot be converted fails with the table, key, column and value named. A miss is no row.
//! Failures are retried by the client's one retry policy, then fail with the table, server and
//! cause: never a silent miss.
//!
//! Layout:
//! - `batch.rs`: planning a batch (keys, distinct slots, cached answers, the pipeline);
//! - `write_back.rs`: the seed's write-back (`write.open`), planned into a batch like any other;
//! - `cache.rs`: the LRU cache of packed rows;
//! - `answers.rs`: collecting a batch's replies and handing its answers out, as rows (1.0) or
//!   packed (`"packed-lookup/1"`);
//! - `handles.rs`: the ABI adapters ([`LookupHandle`], [`PackedHandle`]).

mod answers;
mod batch;
mod cache;
mod handles;
mod write_back;
mod wrong_type;

use std::ops::Range;
use std::time::Instant;

use abi_stable::std_types::RVec;
use connector_interface::counters;
use connector_interface::packed::pack;
use connector_interface::{ConnectorError, Counter, TableContext, Value};

pub use handles::{LookupHandle, PackedHandle};

use crate::client::{Client, Endpoint, RetryPolicy};
use crate::layout::TableLayout;
use crate::options::RedisOptions;
use crate::types::{self, RedisType};
use batch::{Answer, Found, Pending};
use cache::{BuildFast, Cache, EntryBytes};

#[derive(Default)]
struct Counts {
    lookups: u64,
    hits: u64,
    misses: u64,
    cache_hits: u64,
    cache_evictions: u64,
    round_trips: u64,
}

pub struct RedisLookup {
    options: RedisOptions,
    layout: TableLayout,
    kind: Box<dyn RedisType>,
    /// For each Redis key column (in key order), its position in a probe row.
    key_positions: Vec<usize>,
    /// Table columns bound by the join besides the key: (column, position in a probe row).
    filters: Vec<(usize, usize)>,
    /// Submitted batches whose answers are not collected yet, oldest first.
    client: Client<Pending>,
    /// Asks what keys hold, when a key read as absent or `WRONGTYPE` (`wrong_type.rs`).
    types: Client<()>,
    cache: Option<Cache>,
    /// Hashes keys, once each per batch: for the batch's equal keys and the cache's entries.
    hasher: BuildFast,
    counts: Counts,
}

impl RedisLookup {
    pub fn new(context: &TableContext, options: RedisOptions) -> RedisLookup {
        let layout = TableLayout::new(context, &options);
        let bound: Vec<usize> = context.lookup_keys.iter().map(|k| *k as usize).collect();
        let filters = bound
            .iter()
            .enumerate()
            .filter(|(_, column)| !layout.key_columns.contains(column))
            .map(|(position, column)| (*column, position))
            .collect();
        RedisLookup {
            cache: options.cache.clone().map(Cache::new),
            hasher: BuildFast::default(),
            kind: types::for_table(&options, &layout),
            key_positions: layout.probe_positions(&bound),
            filters,
            client: Client::new(
                Endpoint::of(&options),
                RetryPolicy::of(&options, options.lookup_max_retries, "lookup.max-retries"),
            ),
            types: Client::quiet(
                Endpoint::of(&options),
                RetryPolicy::of(&options, options.lookup_max_retries, "lookup.max-retries"),
            ),
            layout,
            counts: Counts::default(),
            options,
        }
    }

    fn table(&self) -> &str {
        &self.options.table
    }

    fn counter_list(&self) -> RVec<Counter> {
        let c = &self.counts;
        RVec::from(vec![
            Counter::new(counters::LOOKUPS, c.lookups),
            Counter::new(counters::HITS, c.hits),
            Counter::new(counters::MISSES, c.misses),
            Counter::new(counters::CACHE_HITS, c.cache_hits),
            Counter::new(counters::CACHE_EVICTIONS, c.cache_evictions),
            Counter::new(counters::ROUND_TRIPS, c.round_trips),
            Counter::new(counters::RETRIES, self.client.retries()),
            Counter::new(counters::ERRORS, self.client.errors()),
        ])
    }

    /// Decodes the reply for one fetched key (the key columns come from the probe that asked
    /// for it) and caches the answer (see `keep`).
    /// `redis_key` is the key that was read, `key` the cache's.
    #[allow(clippy::too_many_arguments)]
    fn settle(
        &mut self,
        key_values: &[Value],
        redis_key: &[u8],
        key: &[u8],
        hash: u64,
        reply: &redis::Value,
        now: Instant,
        rows: &mut Vec<u8>,
    ) -> Result<Answer, ConnectorError> {
        let mut row = vec![Value::Null; self.layout.columns.len()];
        for (column, value) in self.layout.key_columns.iter().zip(key_values) {
            row[*column] = value.clone();
        }
        let row = self.kind.decode(redis_key, reply, row)?;
        Ok(self.keep(key, hash, row, now, rows))
    }

    /// The answer for a fetched row, which the cache (if any) keeps too: then the row is packed
    /// once, at the end of `rows` (the batch's packed rows), for the cache and the answer.
    fn keep(
        &mut self,
        key: &[u8],
        hash: u64,
        row: Option<Vec<Value>>,
        now: Instant,
        rows: &mut Vec<u8>,
    ) -> Answer {
        let Some(cache) = self.cache.as_mut() else {
            return row.map(Found::Fresh);
        };
        let packed = row.map(|values| {
            let start = rows.len();
            pack(&values, rows);
            start..rows.len()
        });
        if cache.put(key, hash, packed.clone().map(|r| &rows[r]), now) {
            self.counts.cache_evictions += 1;
        }
        packed.map(Found::Packed)
    }

    /// The cached answers of a batch's distinct keys (and their hashes), `None` where not
    /// cached, and the packed rows they refer to. Counts the probes answered (`slot_of`: each
    /// probe's key): a key probed twice counts twice.
    pub fn cached_answers(
        &mut self,
        keys: &[&[u8]],
        hashes: &[u64],
        slot_of: &[usize],
        now: Instant,
    ) -> (Vec<Option<Answer>>, Vec<u8>) {
        let Some(cache) = self.cache.as_mut() else {
            return (vec![None; keys.len()], Vec::new());
        };
        // Room for as many rows as fit in place in their entries.
        let mut rows = Vec::with_capacity(keys.len() * EntryBytes::new().inline_size());
        let answers = cache.get_batch(keys, hashes, now, &mut rows);
        let answered = slot_of.iter().filter(|s| answers[**s].is_some());
        self.counts.cache_hits += answered.count() as u64;
        let packed = |a: Option<Option<Range<usize>>>| a.map(|r| r.map(Found::Packed));
        (answers.into_iter().map(packed).collect(), rows)
    }
}
