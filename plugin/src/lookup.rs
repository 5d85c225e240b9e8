//! The Redis lookup (dimension table): batches of probe keys answered in one round trip.
//!
//! Keys are built exactly as the sink builds them. A batch is de-duplicated, answered from the
//! cache where possible, and the rest fetched with one `MGET` (`type` = `string`) or one
//! pipeline of `HGETALL` (`type` = `hash`). Values are converted to the declared column types;
//! a value that cannot be converted fails with the table, key, column and value named. A miss
//! is no row. Connection errors are retried with backoff up to `lookup.max-retries`, then fail
//! with the table, server and cause: never a silent miss.
//!
//! With the seed's `write.open`, the probe is `v1|v2|...|key`: the Redis key is the last token
//! and the lookup first writes the other tokens (a string table: the token before the key; a
//! hash table: token pairs as fields), atomically with `SET NX` / `HSETNX` for `if_not_exist`,
//! and returns the value after the write.

use std::cell::Cell;
use std::collections::VecDeque;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::num::NonZeroUsize;
use std::ops::Range;
use std::time::{Duration, Instant};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec};
use connector_interface::counters;
use connector_interface::packed::{pack, unpack};
use connector_interface::{
    guard, Column, ConnectorError, Counter, ExtensionBox, Lookup, PackedAnswers, PackedLookup,
    PackedLookup_TO, Row, RowKind, TableContext, Value, PACKED_LOOKUP_1,
};
use hashbrown::HashTable;
use lru::LruCache;
use smallvec::SmallVec;

use crate::codec::{write_text, RowCodec, ValueMode};
use crate::connection::{connect, pack_args, pack_command, pack_header, RedisFailure, Retry};
use crate::decode::{from_json, from_text};
use crate::factory::key_columns;
use crate::options::{CacheOptions, RedisOptions, StoreKeyStrategy};

/// A cache entry's bytes: its key, then its packed row; in the entry itself when they fit
/// (72 bytes: a 60-byte row, a BIGINT and a 48-character string, with a 12-byte key), so that
/// the `lru` crate's node holding the entry is 128 bytes, two cache lines.
type EntryBytes = SmallVec<[u8; 72]>;

/// A looked-up table row, or `None` for a key absent from Redis.
type Answer = Option<Found>;

/// A table row found for a key: decoded for this batch, or a cached row, packed, at this range
/// of its batch's `cached_rows`. Cached rows are handed over when the answers are collected:
/// copied as they are into packed answers (`"packed-lookup/1"`), or unpacked into rows (1.0).
#[derive(Clone)]
enum Found {
    Fresh(Vec<Value>),
    Packed(Range<usize>),
}

struct Entry {
    /// The Redis key (the cache is indexed by its hash; a hit compares the key itself), then
    /// the table row, packed.
    bytes: EntryBytes,
    key_len: u32,
    /// The key is absent from Redis (a cached miss): there is no row.
    absent: bool,
    /// Whether the entry was used since it was last put at the front (see [`Cache`]).
    used: Cell<bool>,
    /// When the entry was written and last used (read only with `expire-after-access`), in
    /// nanoseconds since the cache was made (`Cache::ticks`).
    written: u64,
    accessed: Cell<u64>,
}

impl Entry {
    fn key(&self) -> &[u8] {
        &self.bytes[..self.key_len as usize]
    }

    fn row(&self) -> Option<&[u8]> {
        (!self.absent).then(|| &self.bytes[self.key_len as usize..])
    }
}

/// The lookup cache: an LRU of at most `max-rows` entries (the `lru` crate), each of which
/// expires after write and/or access as configured.
///
/// A hit marks its entry as used instead of moving it to the front (a move rewrites two other
/// entries' links, random memory far from the entry); the order is corrected when room is
/// needed: a used entry at the back gets a second chance, moved to the front unmarked, and the
/// first unused one is evicted (the "second chance" or CLOCK approximation of LRU). So the
/// evicted key is the least recently placed of those not used since they were placed (unless
/// the back holds a run of more than `MAX_SECOND_CHANCES` used entries); with the cache holding
/// every key, hits never touch the list.
struct Cache {
    options: CacheOptions,
    /// Entries by the hash of their key: finding one hashes nothing more and compares one
    /// number, so the lookups of a batch overlap in the CPU (each is a chain of memory reads).
    /// Callers pass each key's hash (`RedisLookup::hasher`), computed once per batch.
    entries: LruCache<u64, Entry, BuildHasherDefault<Prehashed>>,
    /// Where entries' times count from.
    made: Instant,
}

/// Used entries one eviction moves to the front at most (see `Cache::second_chances`).
const MAX_SECOND_CHANCES: usize = 64;

impl Cache {
    fn new(options: CacheOptions) -> Cache {
        let capacity = NonZeroUsize::new(options.max_rows).unwrap_or(NonZeroUsize::MIN);
        Cache {
            options,
            entries: LruCache::with_hasher(capacity, BuildHasherDefault::default()),
            made: Instant::now(),
        }
    }

    /// Nanoseconds from the cache's making to `now` (0 for an earlier `now`).
    fn ticks(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.made).as_nanos() as u64
    }

    /// Whether an entry expired at `now` (in `ticks`).
    fn expired(&self, entry: &Entry, now: u64) -> bool {
        let past = |since: u64, ttl: Duration| now.saturating_sub(since) as u128 >= ttl.as_nanos();
        self.options
            .expire_after_write
            .is_some_and(|ttl| past(entry.written, ttl))
            || self
                .options
                .expire_after_access
                .is_some_and(|ttl| past(entry.accessed.get(), ttl))
    }

    /// The cached answers for a batch of keys (and their hashes): `None`
    /// where a key is not cached or its entry expired (expired entries are removed),
    /// `Some(None)` for a key cached as absent, else the range of `rows` where its packed row
    /// was appended. Hits are marked used (and their access time set, with
    /// `expire-after-access`).
    ///
    /// Entries are found first, then their rows copied, so that the memory reads of many keys
    /// overlap instead of each waiting for the last.
    fn get_batch(
        &mut self,
        keys: &[&[u8]],
        hashes: &[u64],
        now: Instant,
        rows: &mut Vec<u8>,
    ) -> Vec<Option<Option<Range<usize>>>> {
        let track_access = self.options.expire_after_access.is_some();
        let now = self.ticks(now);
        let mut answers = Vec::with_capacity(keys.len());
        let mut expired = Vec::new();
        {
            let found: Vec<Option<&Entry>> = hashes.iter().map(|h| self.entries.peek(h)).collect();
            // A row spans up to two more cache lines than the key (or lives on the heap).
            for row in found.iter().flatten().filter_map(|e| e.row()) {
                prefetch(row.as_ptr());
                prefetch(row.as_ptr().wrapping_add(row.len().saturating_sub(1)));
            }
            for (i, (entry, key)) in found.iter().zip(keys).enumerate() {
                answers.push(match entry {
                    // Another key with the same hash is not this key's answer.
                    Some(entry) if entry.key() != *key => None,
                    Some(entry) if !self.expired(entry, now) => {
                        // Written only when it changes: a clean line stays clean.
                        if !entry.used.get() {
                            entry.used.set(true);
                        }
                        if track_access {
                            entry.accessed.set(now);
                        }
                        Some(entry.row().map(|row| {
                            let start = rows.len();
                            rows.extend_from_slice(row);
                            start..rows.len()
                        }))
                    }
                    Some(_) => {
                        expired.push(hashes[i]);
                        None
                    }
                    None => None,
                });
            }
        }
        for hash in &expired {
            self.entries.pop(hash);
        }
        answers
    }

    /// Caches an answer for a key (and its hash): its row packed, or `None` for a key absent
    /// from Redis; returns whether another entry was evicted to make room.
    fn put(&mut self, key: &[u8], hash: u64, row: Option<&[u8]>, now: Instant) -> bool {
        if row.is_none() && !self.options.cache_missing_key {
            return false;
        }
        if self.entries.len() == self.entries.cap().get() && !self.entries.contains(&hash) {
            self.second_chances();
        }
        let mut bytes = EntryBytes::with_capacity(key.len() + row.map_or(0, <[u8]>::len));
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(row.unwrap_or_default());
        let now = self.ticks(now);
        let entry = Entry {
            bytes,
            key_len: key.len() as u32,
            absent: row.is_none(),
            used: Cell::new(false),
            written: now,
            accessed: Cell::new(now),
        };
        // An entry replaced for the same key is no eviction; one of another key with the same
        // hash is.
        matches!(self.entries.push(hash, entry), Some((old, e)) if old != hash || e.key() != key)
    }

    /// Before an eviction: moves the used entries at the back to the front, unmarked, until
    /// the back one is unused, at most `MAX_SECOND_CHANCES` of them: one put never pays for
    /// more than that many earlier hits (each move reads two other entries), and a used entry
    /// is evicted only behind a run of as many used ones.
    fn second_chances(&mut self) {
        for _ in 0..self.entries.len().min(MAX_SECOND_CHANCES) {
            match self.entries.peek_lru() {
                Some((&hash, entry)) if entry.used.get() => {
                    entry.used.set(false);
                    self.entries.promote(&hash);
                }
                _ => break,
            }
        }
    }
}

#[derive(Default)]
struct Counts {
    lookups: u64,
    hits: u64,
    misses: u64,
    cache_hits: u64,
    cache_evictions: u64,
    round_trips: u64,
    retries: u64,
    errors: u64,
}

pub struct RedisLookup {
    options: RedisOptions,
    codec: RowCodec,
    columns: Vec<Column>,
    /// For each Redis key column (in key order), its position in a probe row.
    key_positions: Vec<usize>,
    /// Table columns bound by the join besides the key: (column, position in a probe row).
    filters: Vec<(usize, usize)>,
    key_columns: Vec<usize>,
    value_columns: Vec<usize>,
    connection: Option<redis::Connection>,
    cache: Option<Cache>,
    /// Hashes keys, once each per batch: for the batch's equal keys and the cache's entries.
    hasher: BuildFast,
    counts: Counts,
    /// Submitted batches whose answers are not collected yet, oldest first.
    pending: VecDeque<Pending>,
    /// How many of `pending` were sent on the current connection.
    sent: usize,
}

/// A batch planned by `submit`, whose answers `collect` reads.
struct Pending {
    now: Instant,
    /// For each key to fetch (in `to_fetch` order): the key columns' values, from its first
    /// probe, for the answer row.
    key_values: Vec<Vec<Value>>,
    /// For each probe, when the join binds columns besides the key: their values.
    filter_values: Vec<Vec<Value>>,
    /// The batch's Redis keys end to end; `ends[i]` is where probe `i`'s key ends.
    keys: Vec<u8>,
    ends: Vec<usize>,
    slot_of: Vec<usize>,
    first_probe: Vec<usize>,
    /// Each slot's key hash.
    hashes: Vec<u64>,
    answers: Vec<Option<Answer>>,
    /// The packed rows of the answers found in the cache (`Found::Packed`), end to end.
    cached_rows: Vec<u8>,
    to_fetch: Vec<usize>,
    /// The keys per command (MGET group or one HGETALL), in order.
    groups: Vec<usize>,
    packed: Vec<u8>,
}

impl Pending {
    fn new(now: Instant) -> Pending {
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
            groups: Vec::new(),
            packed: Vec::new(),
        }
    }

    fn key(&self, probe: usize) -> &[u8] {
        key_at(&self.keys, &self.ends, probe)
    }
}

/// Probe `i`'s key in a batch's keys, end to end, where `ends[i]` is where it ends.
fn key_at<'a>(keys: &'a [u8], ends: &[usize], i: usize) -> &'a [u8] {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &keys[start..ends[i]]
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

/// One write-back probe: the composite join key, the Redis key, and what to write.
struct WriteBackProbe {
    composite: Vec<u8>,
    redis_key: Vec<u8>,
    write: Option<WriteBack>,
}

enum WriteBack {
    Value(Vec<u8>),
    Fields(Vec<(Vec<u8>, Vec<u8>)>),
}

impl RedisLookup {
    pub fn new(context: &TableContext, options: RedisOptions) -> RedisLookup {
        let codec = RowCodec::new(context, &options);
        let key_columns = key_columns(context);
        let bound: Vec<usize> = context.lookup_keys.iter().map(|k| *k as usize).collect();
        let key_positions = key_columns
            .iter()
            .map(|k| bound.iter().position(|b| b == k).unwrap_or(0))
            .collect();
        let filters = bound
            .iter()
            .enumerate()
            .filter(|(_, column)| !key_columns.contains(column))
            .map(|(position, column)| (*column, position))
            .collect();
        let value_columns = (0..context.schema.columns.len())
            .filter(|i| !key_columns.contains(i))
            .collect();
        RedisLookup {
            cache: options.cache.clone().map(Cache::new),
            hasher: BuildFast::default(),
            codec,
            columns: context.schema.columns.to_vec(),
            key_positions,
            filters,
            key_columns,
            value_columns,
            connection: None,
            counts: Counts::default(),
            pending: VecDeque::new(),
            sent: 0,
            options,
        }
    }

    fn table(&self) -> &str {
        &self.options.table
    }

    /// The seed's write-back probe `v1|v2|...|key` (empty tokens keep their position).
    fn plan_write_back(&self, probe: &Row) -> Result<WriteBackProbe, ConnectorError> {
        let mut composite = Vec::new();
        match probe.values.first() {
            Some(Value::Null) | None => {
                return Err(ConnectorError::data(format!(
                    "table '{}': the lookup key is NULL",
                    self.table()
                )))
            }
            Some(v) => write_text(&mut composite, v),
        }
        let text = String::from_utf8_lossy(&composite).into_owned();
        let tokens: Vec<&str> = text
            .split(self.options.key_append_character.as_str())
            .collect();
        let (last, rest) = tokens.split_last().unwrap_or((&"", &[]));
        let mut redis_key = self.options.key_prefix.as_bytes().to_vec();
        redis_key.extend_from_slice(last.as_bytes());
        let write = match self.codec.mode() {
            ValueMode::Hash => {
                let pairs: Vec<(Vec<u8>, Vec<u8>)> = rest
                    .chunks(2)
                    .filter(|pair| pair.len() == 2)
                    .map(|pair| (pair[0].as_bytes().to_vec(), pair[1].as_bytes().to_vec()))
                    .collect();
                (!pairs.is_empty()).then_some(WriteBack::Fields(pairs))
            }
            _ => rest
                .last()
                .map(|value| WriteBack::Value(value.as_bytes().to_vec())),
        };
        Ok(WriteBackProbe {
            composite,
            redis_key,
            write,
        })
    }

    /// Runs a pipeline, reconnecting and retrying connection errors; the replies in order.
    fn query(&mut self, pipe: &redis::Pipeline) -> Result<Vec<redis::Value>, ConnectorError> {
        let mut retry = Retry::new(self.options.lookup_max_retries);
        loop {
            let result = match self.connection.as_mut() {
                Some(connection) => pipe.query::<Vec<redis::Value>>(connection),
                None => match connect(&self.options) {
                    Ok(mut connection) => {
                        let r = pipe.query::<Vec<redis::Value>>(&mut connection);
                        self.connection = Some(connection);
                        r
                    }
                    Err(failure) => {
                        if let Some(err) = self.give_up(failure, &mut retry) {
                            return Err(err);
                        }
                        continue;
                    }
                },
            };
            match result {
                Ok(replies) => {
                    self.counts.round_trips += 1;
                    return Ok(replies);
                }
                Err(e) => {
                    self.connection = None;
                    if let Some(err) = self.give_up(RedisFailure::from_redis(&e), &mut retry) {
                        return Err(err);
                    }
                }
            }
        }
    }

    /// Writes back and reads every probe's key in one round trip.
    fn fetch_write_back(
        &mut self,
        probes: &[&WriteBackProbe],
    ) -> Result<Vec<redis::Value>, ConnectorError> {
        let hash = self.codec.mode() == ValueMode::Hash;
        let nx = self.options.store_key_strategy == StoreKeyStrategy::IfNotExist;
        let mut pipe = redis::pipe();
        for p in probes {
            match &p.write {
                Some(WriteBack::Value(v)) => {
                    let mut set = redis::cmd("SET");
                    set.arg(&p.redis_key).arg(v);
                    if nx {
                        set.arg("NX");
                    }
                    pipe.add_command(set).ignore();
                }
                Some(WriteBack::Fields(fields)) if nx => {
                    for (field, value) in fields {
                        pipe.cmd("HSETNX")
                            .arg(&p.redis_key)
                            .arg(field)
                            .arg(value)
                            .ignore();
                    }
                }
                Some(WriteBack::Fields(fields)) => {
                    let mut hset = redis::cmd("HSET");
                    hset.arg(&p.redis_key);
                    for (field, value) in fields {
                        hset.arg(field).arg(value);
                    }
                    pipe.add_command(hset).ignore();
                }
                None => {}
            }
            pipe.cmd(if hash { "HGETALL" } else { "GET" })
                .arg(&p.redis_key);
        }
        self.query(&pipe)
    }

    /// `Some(error)` when a failure is final; otherwise waits before the next attempt.
    fn give_up(&mut self, failure: RedisFailure, retry: &mut Retry) -> Option<ConnectorError> {
        match retry.after(failure, &self.options, "looking up in") {
            Ok(()) => {
                self.counts.retries += 1;
                None
            }
            Err(err) => {
                self.counts.errors += 1;
                Some(err)
            }
        }
    }

    fn conversion_error(&self, key: &[u8], column: usize, raw: &str, why: &str) -> ConnectorError {
        ConnectorError::data(format!(
            "table '{}': key '{}': column '{}': cannot convert '{raw}' to {why}",
            self.table(),
            String::from_utf8_lossy(key),
            self.columns[column].name
        ))
    }

    /// The table row of one reply (`row` holds the key columns already), or `None` for a miss.
    fn decode(
        &self,
        key: &[u8],
        reply: &redis::Value,
        mut row: Vec<Value>,
    ) -> Result<Option<Vec<Value>>, ConnectorError> {
        if let redis::Value::ServerError(err) = reply {
            return Err(
                RedisFailure::from_server_reply(err).into_error(&self.options, "looking up in")
            );
        }
        match self.codec.mode() {
            ValueMode::Hash => {
                let fields = hash_fields(reply);
                if fields.is_empty() {
                    return Ok(None);
                }
                for column in &self.value_columns {
                    let name = self.columns[*column].name.as_bytes();
                    if let Some((_, raw)) = fields.iter().find(|(f, _)| *f == name) {
                        row[*column] =
                            from_text(raw, &self.columns[*column].data_type).map_err(|why| {
                                self.conversion_error(
                                    key,
                                    *column,
                                    &String::from_utf8_lossy(raw),
                                    &why,
                                )
                            })?;
                    }
                }
            }
            ValueMode::Raw => {
                let Some(raw) = bulk(reply) else {
                    return Ok(None);
                };
                if let Some(column) = self.value_columns.first() {
                    row[*column] =
                        from_text(raw, &self.columns[*column].data_type).map_err(|why| {
                            self.conversion_error(key, *column, &String::from_utf8_lossy(raw), &why)
                        })?;
                }
            }
            ValueMode::Json => {
                let Some(raw) = bulk(reply) else {
                    return Ok(None);
                };
                let object: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(raw).map_err(|_| {
                        ConnectorError::data(format!(
                            "table '{}': key '{}': the value is not a JSON object: '{}'",
                            self.table(),
                            String::from_utf8_lossy(key),
                            String::from_utf8_lossy(raw)
                        ))
                    })?;
                for column in &self.value_columns {
                    if let Some(json) = object.get(self.columns[*column].name.as_str()) {
                        row[*column] =
                            from_json(json, &self.columns[*column].data_type).map_err(|why| {
                                self.conversion_error(key, *column, &json.to_string(), &why)
                            })?;
                    }
                }
            }
        }
        Ok(Some(row))
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

    fn cache_error(&self, why: String) -> ConnectorError {
        ConnectorError::internal(format!(
            "table '{}': the lookup cache holds a bad row: {why}",
            self.table()
        ))
    }

    /// The probe's values of the join columns besides the key, in `filters` order.
    fn filter_values(&self, probe: &Row) -> Vec<Value> {
        self.filters
            .iter()
            .map(|(_, position)| probe.values.get(*position).cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// Decodes the reply for one fetched key (the key columns come from the probe that asked
    /// for it) and caches the answer (see `keep`).
    fn settle(
        &mut self,
        key_values: &[Value],
        key: &[u8],
        hash: u64,
        reply: &redis::Value,
        now: Instant,
        rows: &mut Vec<u8>,
    ) -> Result<Answer, ConnectorError> {
        let mut row = vec![Value::Null; self.columns.len()];
        for (column, value) in self.key_columns.iter().zip(key_values) {
            row[*column] = value.clone();
        }
        let row = self.decode(key, reply, row)?;
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
    fn cached_answers(
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

    /// Plans a batch: its keys, their distinct slots, cached answers, and the commands for the
    /// rest; write-back batches are fetched (and written) at once.
    fn plan(&mut self, probes: &[Row]) -> Result<Pending, ConnectorError> {
        self.counts.lookups += probes.len() as u64;
        let now = Instant::now();
        if self.options.write_open {
            return self.plan_write_back_batch(probes, now);
        }
        let mut keys = Vec::with_capacity(probes.len() * 12);
        let mut ends = Vec::with_capacity(probes.len());
        for probe in probes {
            let positions = &self.key_positions;
            self.codec
                .write_key(&mut keys, |n, _| probe.values.get(positions[n]))?;
            ends.push(keys.len());
        }
        let Slots {
            slot_of,
            first_probe,
            hashes,
        } = Slots::of(probes.len(), |i| key_at(&keys, &ends, i), &self.hasher);
        let mut batch = Pending {
            keys,
            ends,
            slot_of,
            first_probe,
            hashes,
            ..Pending::new(now)
        };
        let keys: Vec<&[u8]> = batch.first_probe.iter().map(|p| batch.key(*p)).collect();
        let (answers, rows) = self.cached_answers(&keys, &batch.hashes, &batch.slot_of, now);
        batch.answers = answers;
        batch.cached_rows = rows;
        for (slot, answer) in batch.answers.iter().enumerate() {
            if answer.is_none() {
                batch.to_fetch.push(slot);
            }
        }
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
        // One command per group: an MGET of up to MGET_CHUNK keys, or one HGETALL.
        let hash = self.codec.mode() == ValueMode::Hash;
        let mut packed = Vec::new();
        for group in batch.to_fetch.chunks(if hash { 1 } else { MGET_CHUNK }) {
            if hash {
                pack_command(
                    &mut packed,
                    &[b"HGETALL", batch.key(batch.first_probe[group[0]])],
                );
            } else {
                pack_header(&mut packed, b"MGET", group.len());
                for slot in group {
                    pack_args(&mut packed, &[batch.key(batch.first_probe[*slot])]);
                }
            }
            batch.groups.push(group.len());
        }
        batch.packed = packed;
        Ok(batch)
    }

    /// Sends the commands of every planned batch not yet sent on the current connection.
    fn send_unsent(&mut self) -> Result<(), RedisFailure> {
        if self.connection.is_none() {
            self.connection = Some(connect(&self.options)?);
            self.sent = 0;
        }
        let Some(connection) = self.connection.as_mut() else {
            return Ok(());
        };
        while self.sent < self.pending.len() {
            let packed = &self.pending[self.sent].packed;
            if !packed.is_empty() {
                connection
                    .send_packed_command(packed)
                    .map_err(|e| RedisFailure::from_redis(&e))?;
            }
            self.sent += 1;
        }
        Ok(())
    }

    /// Starts a batch: its commands go out now, its answers are read by `collect`.
    fn submit_batch(&mut self, probes: &[Row]) -> Result<(), ConnectorError> {
        let batch = self.plan(probes)?;
        self.pending.push_back(batch);
        // A failure here is retried by `collect`, which reconnects and resends.
        if self.send_unsent().is_err() {
            self.connection = None;
            self.sent = 0;
        }
        Ok(())
    }

    /// The answers of the oldest submitted batch, into `out`.
    fn collect_batch(&mut self, out: &mut impl AnswerSink) -> Result<(), ConnectorError> {
        let Some(mut batch) = self.pending.pop_front() else {
            return Err(ConnectorError::internal(format!(
                "table '{}': collect without a submitted batch",
                self.table()
            )));
        };
        if !batch.to_fetch.is_empty() {
            self.pending.push_front(batch);
            let mut retry = Retry::new(self.options.lookup_max_retries);
            let replies = loop {
                match self.read_front() {
                    Ok(replies) => break replies,
                    Err(failure) => {
                        self.connection = None;
                        self.sent = 0;
                        if let Some(err) = self.give_up(failure, &mut retry) {
                            self.pending.pop_front();
                            return Err(err);
                        }
                    }
                }
            };
            batch = match self.pending.pop_front() {
                Some(batch) => batch,
                None => return Err(ConnectorError::internal("the submitted batch vanished")),
            };
            self.sent = self.sent.saturating_sub(1);
            self.counts.round_trips += 1;
            let hash = self.codec.mode() == ValueMode::Hash;
            let mut slots = batch.to_fetch.iter().enumerate();
            for reply in replies {
                let items = match reply {
                    redis::Value::Array(items) if !hash => items,
                    redis::Value::ServerError(err) => {
                        self.counts.errors += 1;
                        return Err(RedisFailure::from_server_reply(&err)
                            .into_error(&self.options, "looking up in"));
                    }
                    other => vec![other],
                };
                for item in &items {
                    let Some((fetch, slot)) = slots.next() else {
                        return Err(ConnectorError::internal(format!(
                            "table '{}': more replies than keys",
                            self.table()
                        )));
                    };
                    let first = batch.first_probe[*slot];
                    let answer = self.settle(
                        &batch.key_values[fetch],
                        key_at(&batch.keys, &batch.ends, first),
                        batch.hashes[*slot],
                        item,
                        batch.now,
                        &mut batch.cached_rows,
                    )?;
                    batch.answers[*slot] = Some(answer);
                }
            }
        } else {
            self.sent = self.sent.saturating_sub(1);
        }
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

    /// Sends what is unsent and reads the replies of the oldest batch (one per command).
    fn read_front(&mut self) -> Result<Vec<redis::Value>, RedisFailure> {
        self.send_unsent()?;
        let groups = self.pending.front().map(|b| b.groups.len()).unwrap_or(0);
        let Some(connection) = self.connection.as_mut() else {
            return Ok(Vec::new());
        };
        let mut replies = Vec::with_capacity(groups);
        for _ in 0..groups {
            replies.push(
                connection
                    .recv_response()
                    .map_err(|e| RedisFailure::from_redis(&e))?,
            );
        }
        Ok(replies)
    }

    /// Plans a write-back batch: its distinct composite keys are answered from the cache or
    /// written and fetched now (one pipeline), so `collect` only hands the answers out.
    fn plan_write_back_batch(
        &mut self,
        probes: &[Row],
        now: Instant,
    ) -> Result<Pending, ConnectorError> {
        let planned: Vec<WriteBackProbe> = probes
            .iter()
            .map(|p| self.plan_write_back(p))
            .collect::<Result<_, _>>()?;
        let Slots {
            slot_of,
            first_probe,
            hashes,
        } = Slots::of(
            planned.len(),
            |i| planned[i].composite.as_slice(),
            &self.hasher,
        );
        let keys: Vec<&[u8]> = first_probe
            .iter()
            .map(|p| planned[*p].composite.as_slice())
            .collect();
        let (mut answers, mut rows) = self.cached_answers(&keys, &hashes, &slot_of, now);
        let to_fetch: Vec<usize> = (0..answers.len())
            .filter(|s| answers[*s].is_none())
            .collect();
        if !to_fetch.is_empty() {
            let fetching: Vec<&WriteBackProbe> =
                to_fetch.iter().map(|s| &planned[first_probe[*s]]).collect();
            let replies = self.fetch_write_back(&fetching)?;
            let first_key = self.key_columns.first().copied().unwrap_or(0);
            for ((slot, p), reply) in to_fetch.iter().zip(&fetching).zip(&replies) {
                let mut row = vec![Value::Null; self.columns.len()];
                row[first_key] =
                    Value::String(String::from_utf8_lossy(&p.composite).as_ref().into());
                let row = self.decode(&p.redis_key, reply, row)?;
                answers[*slot] = Some(self.keep(&p.composite, hashes[*slot], row, now, &mut rows));
            }
        }
        Ok(Pending {
            filter_values: probes.iter().map(|p| self.filter_values(p)).collect(),
            slot_of,
            answers,
            cached_rows: rows,
            ..Pending::new(now)
        })
    }
}

/// The hash of a batch's keys, for its slots and the cache's index: fast for short keys;
/// seeded per process.
type BuildFast = foldhash::fast::RandomState;

/// The hasher of the cache's index, whose keys are hashes already: the key is the hash.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Asks the CPU to load the memory at `p` into its caches (a hint; never faults).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that never reads the memory architecturally and never
        // faults, whatever the address; SSE is part of every x86_64 target.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Keys per `MGET`: several commands in one round trip let the client parse one reply while
/// the server answers the next.
const MGET_CHUNK: usize = 128;

/// The bytes of a bulk string reply; `None` for nil.
fn bulk(reply: &redis::Value) -> Option<&[u8]> {
    match reply {
        redis::Value::BulkString(b) => Some(b),
        redis::Value::SimpleString(s) => Some(s.as_bytes()),
        _ => None,
    }
}

/// The field-value pairs of an `HGETALL` reply (RESP2 flat array or RESP3 map).
fn hash_fields(reply: &redis::Value) -> Vec<(&[u8], &[u8])> {
    match reply {
        redis::Value::Array(items) => items
            .chunks(2)
            .filter_map(|pair| match pair {
                [f, v] => Some((bulk(f)?, bulk(v)?)),
                _ => None,
            })
            .collect(),
        redis::Value::Map(pairs) => pairs
            .iter()
            .filter_map(|(f, v)| Some((bulk(f)?, bulk(v)?)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Where a batch's answers go: rows (the 1.0 `collect`) or packed rows (`"packed-lookup/1"`).
trait AnswerSink {
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

impl RedisLookup {
    fn connect_with_retries(&mut self) -> Result<(), ConnectorError> {
        let mut retry = Retry::new(self.options.lookup_max_retries);
        loop {
            match connect(&self.options) {
                Ok(connection) => {
                    self.connection = Some(connection);
                    return Ok(());
                }
                Err(failure) => {
                    if let Some(err) = self.give_up(failure, &mut retry) {
                        return Err(err);
                    }
                }
            }
        }
    }

    fn close_connection(&mut self) {
        self.connection = None;
        self.pending.clear();
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
            Counter::new(counters::RETRIES, c.retries),
            Counter::new(counters::ERRORS, c.errors),
        ])
    }

    /// The oldest submitted batch's answers as the 1.0 interface returns them.
    fn collect_rows(&mut self) -> Result<RVec<RVec<Row>>, ConnectorError> {
        let probes = self.pending.front().map_or(0, |b| b.slot_of.len());
        let mut out = RowAnswers::with_capacity(probes);
        self.collect_batch(&mut out)?;
        Ok(RVec::from(out.out))
    }
}

/// The lookup the factory creates (the 1.0 `Lookup`). Asked for `"packed-lookup/1"`, it hands
/// its state over to a [`PackedHandle`]; its methods then fail.
pub struct LookupHandle {
    lookup: Option<RedisLookup>,
    table: String,
}

impl LookupHandle {
    pub fn new(lookup: RedisLookup) -> LookupHandle {
        LookupHandle {
            table: lookup.table().to_string(),
            lookup: Some(lookup),
        }
    }

    fn inner(&mut self) -> Result<&mut RedisLookup, ConnectorError> {
        self.lookup.as_mut().ok_or_else(|| {
            ConnectorError::internal(format!(
                "table '{}': this lookup was handed over to its \"{PACKED_LOOKUP_1}\" extension",
                self.table
            ))
        })
    }
}

impl Lookup for LookupHandle {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        guard("lookup open", || self.inner()?.connect_with_retries())
    }

    fn lookup(&mut self, keys: RSlice<'_, Row>) -> RResult<RVec<RVec<Row>>, ConnectorError> {
        guard("lookup", || {
            let lookup = self.inner()?;
            if !lookup.pending.is_empty() {
                return Err(ConnectorError::internal(format!(
                    "table '{}': lookup called while submitted batches wait to be collected",
                    lookup.table()
                )));
            }
            lookup.submit_batch(keys.as_slice())?;
            lookup.collect_rows()
        })
    }

    fn submit(&mut self, keys: RSlice<'_, Row>) -> RResult<(), ConnectorError> {
        guard("lookup submit", || {
            self.inner()?.submit_batch(keys.as_slice())
        })
    }

    fn collect(&mut self) -> RResult<RVec<RVec<Row>>, ConnectorError> {
        guard("lookup collect", || self.inner()?.collect_rows())
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        if let Some(lookup) = self.lookup.as_mut() {
            lookup.close_connection();
        }
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
        self.lookup
            .as_ref()
            .map_or_else(RVec::new, RedisLookup::counter_list)
    }

    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox> {
        match (name.as_str(), self.lookup.take()) {
            (PACKED_LOOKUP_1, Some(lookup)) => ROption::RSome(ExtensionBox::new(
                PACKED_LOOKUP_1,
                PackedLookup_TO::from_value(PackedHandle(lookup), TD_Opaque),
            )),
            (_, lookup) => {
                self.lookup = lookup;
                ROption::RNone
            }
        }
    }
}

/// The lookup handed over through `"packed-lookup/1"`: its answers come packed (a cached row is
/// a copy of its bytes).
pub struct PackedHandle(RedisLookup);

impl PackedLookup for PackedHandle {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        guard("lookup open", || self.0.connect_with_retries())
    }

    fn submit(&mut self, keys: RSlice<'_, Row>) -> RResult<(), ConnectorError> {
        guard("lookup submit", || self.0.submit_batch(keys.as_slice()))
    }

    fn collect(&mut self) -> RResult<PackedAnswers, ConnectorError> {
        guard("lookup collect", || {
            let (keys, bytes) = self.0.pending.front().map_or((0, 0), |b| {
                (b.slot_of.len(), b.cached_rows.len() + 64 * b.to_fetch.len())
            });
            let mut out = PackedAnswers::with_capacity(keys, bytes);
            self.0.collect_batch(&mut out)?;
            Ok(out)
        })
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        self.0.close_connection();
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
        self.0.counter_list()
    }

    fn extension(&mut self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bigint_and_a_48_character_string_fit_in_place() {
        let row = vec![Value::BigInt(7), Value::from("x".repeat(48).as_str())];
        let packed = packed(&row);
        assert_eq!(packed.len(), 1 + 9 + 2 + 48);
        let mut c = cache(1);
        c.put(b"dim:12345678", 1, Some(&packed), Instant::now());
        let entry = c.entries.peek(&1).unwrap();
        assert!(!entry.bytes.spilled(), "a 12-byte key and the row in place");
        assert_eq!(entry.key(), b"dim:12345678");
        // With the `lru` crate's key and two links, a node of 128 bytes: two cache lines.
        assert_eq!(std::mem::size_of::<Entry>() + 3 * 8, 128);
        assert_eq!(unpack(&packed), Ok(row));
    }

    fn cache(max_rows: usize) -> Cache {
        Cache::new(CacheOptions {
            max_rows,
            expire_after_write: None,
            expire_after_access: None,
            cache_missing_key: true,
        })
    }

    /// Keys' hashes in these tests (any hasher, used consistently, serves the cache).
    fn hash(key: &[u8]) -> u64 {
        foldhash::fast::FixedState::with_seed(7).hash_one(key)
    }

    fn row(text: &str) -> Vec<Value> {
        vec![Value::String(text.into()), Value::BigInt(text.len() as i64)]
    }

    fn packed(values: &[Value]) -> Vec<u8> {
        let mut bytes = Vec::new();
        pack(values, &mut bytes);
        bytes
    }

    fn put(cache: &mut Cache, key: &str) -> bool {
        cache.put(
            key.as_bytes(),
            hash(key.as_bytes()),
            Some(&packed(&row(key))),
            Instant::now(),
        )
    }

    fn get(cache: &mut Cache, key: &str) -> Option<Option<Vec<Value>>> {
        let mut rows = Vec::new();
        let found = cache.get_batch(
            &[key.as_bytes()],
            &[hash(key.as_bytes())],
            Instant::now(),
            &mut rows,
        );
        found[0]
            .clone()
            .map(|row| row.map(|range| unpack(&rows[range]).unwrap()))
    }

    fn cached(cache: &Cache) -> Vec<String> {
        let mut keys: Vec<String> = cache
            .entries
            .iter()
            .map(|(_, e)| String::from_utf8_lossy(e.key()).into_owned())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_hit_returns_the_row_and_the_least_recently_used_key_is_evicted() {
        let mut c = cache(2);
        put(&mut c, "a");
        put(&mut c, "b");
        assert_eq!(get(&mut c, "a"), Some(Some(row("a"))));
        assert!(put(&mut c, "c"), "'b' is evicted");
        assert_eq!(cached(&c), ["a", "c"]);
        assert_eq!(get(&mut c, "b"), None);
    }

    #[test]
    fn used_keys_get_a_second_chance_and_are_evicted_in_the_order_of_their_use() {
        let mut c = cache(8);
        for k in ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"] {
            put(&mut c, k);
        }
        // The oldest and the newest key are used; neither hit moves anything.
        assert!(get(&mut c, "k0").is_some());
        assert!(get(&mut c, "k7").is_some());
        assert_eq!(
            c.entries.peek_lru().map(|(_, e)| e.key().to_vec()),
            Some(b"k0".to_vec())
        );
        // Six new keys evict the six unused ones, oldest first; the used keys stay.
        for (i, k) in ["n0", "n1", "n2", "n3", "n4", "n5"].into_iter().enumerate() {
            assert!(put(&mut c, k));
            assert_eq!(
                get(&mut c, &format!("k{}", i + 1)),
                None,
                "k{} is evicted",
                i + 1
            );
        }
        assert_eq!(cached(&c), ["k0", "k7", "n0", "n1", "n2", "n3", "n4", "n5"]);
        // k0's second chance came first; used once since, k7 gets its own and k0, not used
        // again, is next: as in exact LRU, where k0 (used before k7) is the older.
        assert!(put(&mut c, "n6"));
        assert_eq!(get(&mut c, "k0"), None);
        assert!(get(&mut c, "k7").is_some());
        // Every key used: each gets its chance once, and the oldest placed goes.
        for k in ["k7", "n0", "n1", "n2", "n3", "n4", "n5", "n6"] {
            assert!(get(&mut c, k).is_some());
        }
        assert!(put(&mut c, "n7"));
        assert_eq!(get(&mut c, "n0"), None, "n0, the oldest placed, is evicted");
        assert_eq!(cached(&c), ["k7", "n1", "n2", "n3", "n4", "n5", "n6", "n7"]);
    }

    #[test]
    fn a_full_cache_replacing_a_key_evicts_nothing() {
        let mut c = cache(2);
        put(&mut c, "a");
        put(&mut c, "b");
        assert!(get(&mut c, "a").is_some());
        assert!(!put(&mut c, "b"), "the same key, replaced");
        assert_eq!(cached(&c), ["a", "b"]);
    }

    #[test]
    fn an_entry_of_another_key_with_the_same_hash_is_not_a_hit() {
        let mut c = cache(4);
        put(&mut c, "other");
        // Move "other"'s entry to where "wanted" hashes, as a collision would put it.
        let entry = c.entries.pop(&hash(b"other")).unwrap();
        c.entries.push(hash(b"wanted"), entry);
        assert_eq!(get(&mut c, "wanted"), None);
        // Caching "wanted" replaces the other key's entry: that is an eviction.
        assert!(put(&mut c, "wanted"));
        assert_eq!(get(&mut c, "wanted"), Some(Some(row("wanted"))));
        assert_eq!(cached(&c), ["wanted"]);
    }

    #[test]
    fn expired_entries_are_removed_on_read_and_missing_keys_are_cached() {
        let mut c = Cache::new(CacheOptions {
            max_rows: 4,
            expire_after_write: Some(Duration::from_millis(50)),
            expire_after_access: None,
            cache_missing_key: true,
        });
        let start = Instant::now();
        c.put(b"gone", hash(b"gone"), None, start);
        c.put(b"here", hash(b"here"), Some(&packed(&row("here"))), start);
        let mut rows = Vec::new();
        let keys: [&[u8]; 3] = [b"gone", b"here", b"other"];
        let hashes = keys.map(hash);
        let answers = c.get_batch(&keys, &hashes, start, &mut rows);
        assert_eq!(answers, vec![Some(None), Some(Some(0..rows.len())), None]);
        assert_eq!(unpack(&rows), Ok(row("here")));
        let later = start + Duration::from_millis(50);
        assert_eq!(
            c.get_batch(&keys[..2], &hashes[..2], later, &mut rows),
            vec![None, None]
        );
        assert!(cached(&c).is_empty(), "expired entries are removed");
    }

    #[test]
    fn entries_expire_a_time_after_their_last_use_with_expire_after_access() {
        let mut c = Cache::new(CacheOptions {
            max_rows: 4,
            expire_after_write: None,
            expire_after_access: Some(Duration::from_millis(50)),
            cache_missing_key: true,
        });
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        for key in ["used", "idle"] {
            c.put(
                key.as_bytes(),
                hash(key.as_bytes()),
                Some(&packed(&row(key))),
                start,
            );
        }
        let mut get_at = |key: &str, ms: u64| {
            let mut rows = Vec::new();
            let found = c.get_batch(
                &[key.as_bytes()],
                &[hash(key.as_bytes())],
                at(ms),
                &mut rows,
            );
            found[0]
                .clone()
                .map(|r| r.map(|range| unpack(&rows[range]).unwrap()))
        };
        // Each use starts the time again: 40 ms apart, "used" never expires.
        for ms in [40, 80, 120] {
            assert_eq!(get_at("used", ms), Some(Some(row("used"))), "at {ms} ms");
        }
        // Unused since it was put, "idle" expired at 50 ms and is gone.
        assert_eq!(get_at("idle", 120), None);
        assert_eq!(get_at("used", 170), None, "50 ms after its last use");
        assert!(cached(&c).is_empty());
    }

    #[test]
    fn one_eviction_gives_at_most_64_second_chances() {
        let mut c = cache(100);
        let keys: Vec<String> = (0..100).map(|i| format!("k{i:03}")).collect();
        for k in &keys {
            put(&mut c, k);
        }
        for k in &keys {
            assert!(get(&mut c, k).is_some());
        }
        // Every entry is used: 64 of them move to the front, and the 65th oldest is evicted.
        assert!(put(&mut c, "new"));
        assert_eq!(get(&mut c, "k064"), None);
        assert_eq!(c.entries.len(), 100);
        assert!(get(&mut c, "k063").is_some() && get(&mut c, "k065").is_some());
    }
}
