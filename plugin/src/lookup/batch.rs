//! A batch of probes planned by `submit`: its keys, their distinct slots, the answers the
//! cache holds, and the pipeline that fetches the rest.

use std::hash::BuildHasher;
use std::ops::Range;
use std::time::Instant;

use connector_interface::{ConnectorError, Row, Value};
use hashbrown::HashTable;

use super::cache::BuildFast;
use super::RedisLookup;
use crate::client::{Pipeline, ReplyAt};

/// A looked-up table row, or `None` for a key absent from Redis.
pub type Answer = Option<Found>;

/// A table row found for a key: decoded for this batch, or a cached row, packed, at this range
/// of its batch's `cached_rows`. Cached rows are handed over when the answers are collected:
/// copied as they are into packed answers (`"packed-lookup/1"`), or unpacked into rows (1.0).
#[derive(Clone)]
pub enum Found {
    Fresh(Vec<Value>),
    Packed(Range<usize>),
}

/// A batch planned by `submit`, whose answers `collect` reads.
pub struct Pending {
    pub now: Instant,
    /// For each key to fetch (in `to_fetch` order): the key columns' values, from its first
    /// probe, for the answer row.
    pub key_values: Vec<Vec<Value>>,
    /// For each probe, when the join binds columns besides the key: their values.
    pub filter_values: Vec<Vec<Value>>,
    /// The batch's keys (the cache's: Redis keys, or write-back's whole join keys) end to
    /// end; `ends[i]` is where probe `i`'s key ends.
    pub keys: Vec<u8>,
    pub ends: Vec<usize>,
    pub slot_of: Vec<usize>,
    pub first_probe: Vec<usize>,
    /// Each slot's key hash.
    pub hashes: Vec<u64>,
    pub answers: Vec<Option<Answer>>,
    /// The packed rows of the answers found in the cache (`Found::Packed`), end to end.
    pub cached_rows: Vec<u8>,
    pub to_fetch: Vec<usize>,
    /// For each key to fetch: where its reply is.
    pub reply_at: Vec<ReplyAt>,
    /// For each key to fetch, where it differs from the cache's key (write-back): its Redis
    /// key.
    pub redis_keys: Vec<Vec<u8>>,
}

impl Pending {
    pub fn new(now: Instant) -> Pending {
        Pending {
            now,
            key_values: Vec::new(),
            filter_values: Vec::new(),
            keys: Vec::new(),
            ends: Vec::new(),
            slot_of: Vec::new(),
            first_probe: Vec::new(),
            hashes: Vec::new(),
            answers: Vec::new(),
            cached_rows: Vec::new(),
            to_fetch: Vec::new(),
            reply_at: Vec::new(),
            redis_keys: Vec::new(),
        }
    }

    /// Probe `i`'s key.
    pub fn key(&self, probe: usize) -> &[u8] {
        let start = if probe == 0 { 0 } else { self.ends[probe - 1] };
        &self.keys[start..self.ends[probe]]
    }

    /// Finds the batch's slots (its distinct keys) and their cached answers; what is not
    /// cached is left in `to_fetch`.
    pub fn find_slots(&mut self, lookup: &mut RedisLookup) {
        let Slots {
            slot_of,
            first_probe,
            hashes,
        } = Slots::of(self.ends.len(), |i| self.key(i), &lookup.hasher);
        self.slot_of = slot_of;
        self.first_probe = first_probe;
        self.hashes = hashes;
        let keys: Vec<&[u8]> = self.first_probe.iter().map(|p| self.key(*p)).collect();
        let (answers, rows) = lookup.cached_answers(&keys, &self.hashes, &self.slot_of, self.now);
        self.answers = answers;
        self.cached_rows = rows;
        self.to_fetch = (0..self.answers.len())
            .filter(|s| self.answers[*s].is_none())
            .collect();
    }
}

/// A batch's distinct keys ("slots"): each probe's slot, and each slot's first probe and key
/// hash (for the cache: a key is hashed once per batch).
struct Slots {
    slot_of: Vec<usize>,
    first_probe: Vec<usize>,
    hashes: Vec<u64>,
}

impl Slots {
    /// The slots of `n` probes whose keys `key_of` gives, in the order of their first probes.
    fn of<'a>(n: usize, key_of: impl Fn(usize) -> &'a [u8], hasher: &BuildFast) -> Slots {
        let mut slots = Slots {
            slot_of: Vec::with_capacity(n),
            first_probe: Vec::new(),
            hashes: Vec::new(),
        };
        let mut index: HashTable<usize> = HashTable::with_capacity(n);
        for i in 0..n {
            let key = key_of(i);
            let hash = hasher.hash_one(key);
            let found = index
                .find(hash, |s| key_of(slots.first_probe[*s]) == key)
                .copied();
            let slot = match found {
                Some(slot) => slot,
                None => {
                    let hashes = &slots.hashes;
                    index.insert_unique(hash, slots.first_probe.len(), |s| hashes[*s]);
                    slots.first_probe.push(i);
                    slots.hashes.push(hash);
                    slots.first_probe.len() - 1
                }
            };
            slots.slot_of.push(slot);
        }
        slots
    }
}

impl RedisLookup {
    /// Plans a batch: its keys, their distinct slots, cached answers, and the pipeline that
    /// fetches the rest.
    pub fn plan(&mut self, probes: &[Row]) -> Result<(Pipeline, Pending), ConnectorError> {
        self.counts.lookups += probes.len() as u64;
        let now = Instant::now();
        if self.options.write_open {
            return self.plan_write_back(probes, now);
        }
        let mut batch = Pending::new(now);
        batch.keys.reserve(probes.len() * 12);
        batch.ends.reserve(probes.len());
        for probe in probes {
            let positions = &self.key_positions;
            self.layout
                .write_key(&mut batch.keys, |n, _| probe.values.get(positions[n]))?;
            batch.ends.push(batch.keys.len());
        }
        batch.find_slots(self);
        // Only what the answers need is kept of the probes, not the probes themselves.
        for slot in &batch.to_fetch {
            let probe = &probes[batch.first_probe[*slot]];
            batch.key_values.push(
                self.key_positions
                    .iter()
                    .map(|p| probe.values.get(*p).cloned().unwrap_or(Value::Null))
                    .collect(),
            );
        }
        if !self.filters.is_empty() {
            batch.filter_values = probes.iter().map(|p| self.filter_values(p)).collect();
        }
        let mut pipeline = self.client.pipeline();
        for slot in &batch.to_fetch {
            let key = batch.key(batch.first_probe[*slot]);
            let node = self.client.node_of(key);
            batch
                .reply_at
                .push(self.kind.read(key, node, &mut pipeline));
        }
        Ok((pipeline, batch))
    }

    /// The probe's values of the join columns besides the key, in `filters` order.
    pub fn filter_values(&self, probe: &Row) -> Vec<Value> {
        self.filters
            .iter()
            .map(|(_, position)| probe.values.get(*position).cloned().unwrap_or(Value::Null))
            .collect()
    }
}
