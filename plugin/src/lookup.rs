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

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::time::Instant;

use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec};
use connector_interface::counters;
use connector_interface::{
    guard, Column, ConnectorError, Counter, ExtensionBox, Lookup, Row, RowKind, TableContext, Value,
};
use lru::LruCache;

use crate::codec::{write_text, RowCodec, ValueMode};
use crate::connection::{backoff, connect, RedisFailure};
use crate::decode::{from_json, from_text};
use crate::factory::key_columns;
use crate::options::{CacheOptions, RedisOptions, StoreKeyStrategy};

struct Entry {
    /// The table row, or `None` for a key absent from Redis.
    row: Option<Vec<Value>>,
    written: Instant,
    accessed: Instant,
}

struct Cache {
    options: CacheOptions,
    entries: LruCache<Vec<u8>, Entry>,
}

impl Cache {
    fn new(options: CacheOptions) -> Cache {
        let capacity = NonZeroUsize::new(options.max_rows).unwrap_or(NonZeroUsize::MIN);
        Cache {
            options,
            entries: LruCache::new(capacity),
        }
    }

    /// The cached answer for a key, if present and not expired.
    fn get(&mut self, key: &[u8], now: Instant) -> Option<Option<Vec<Value>>> {
        let entry = self.entries.get_mut(key)?;
        let expired = self
            .options
            .expire_after_write
            .is_some_and(|ttl| now.duration_since(entry.written) >= ttl)
            || self
                .options
                .expire_after_access
                .is_some_and(|ttl| now.duration_since(entry.accessed) >= ttl);
        if expired {
            self.entries.pop(key);
            return None;
        }
        entry.accessed = now;
        Some(entry.row.clone())
    }

    /// Caches an answer; returns whether another entry was evicted to make room.
    fn put(&mut self, key: Vec<u8>, row: Option<Vec<Value>>, now: Instant) -> bool {
        if row.is_none() && !self.options.cache_missing_key {
            return false;
        }
        let entry = Entry {
            row,
            written: now,
            accessed: now,
        };
        matches!(self.entries.push(key.clone(), entry), Some((old, _)) if old != key)
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
    counts: Counts,
}

/// What one distinct probe needs from Redis.
struct Fetch {
    cache_key: Vec<u8>,
    redis_key: Vec<u8>,
    /// The probe's key values, placed into the key columns of the answer.
    key_values: Vec<(usize, Value)>,
    /// For write-back: the value or fields to write before reading.
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
            codec,
            columns: context.schema.columns.to_vec(),
            key_positions,
            filters,
            key_columns,
            value_columns,
            connection: None,
            counts: Counts::default(),
            options,
        }
    }

    fn table(&self) -> &str {
        &self.options.table
    }

    /// Builds the fetch of one probe row.
    fn plan(&self, probe: &Row) -> Result<Fetch, ConnectorError> {
        if self.options.write_open {
            return self.plan_write_back(probe);
        }
        let key_values: Vec<(usize, Value)> = self
            .key_columns
            .iter()
            .zip(&self.key_positions)
            .map(|(column, position)| {
                (
                    *column,
                    probe.values.get(*position).cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        let ordered: Vec<Value> = key_values.iter().map(|(_, v)| v.clone()).collect();
        let redis_key = self.codec.key(&ordered, true)?;
        Ok(Fetch {
            cache_key: redis_key.clone(),
            redis_key,
            key_values,
            write: None,
        })
    }

    /// The seed's write-back: `v1|v2|...|key` (empty tokens keep their position).
    fn plan_write_back(&self, probe: &Row) -> Result<Fetch, ConnectorError> {
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
        let first_key = self.key_columns.first().copied().unwrap_or(0);
        Ok(Fetch {
            cache_key: composite,
            redis_key,
            key_values: vec![(first_key, probe.values[0].clone())],
            write,
        })
    }

    /// One round trip for every fetch; the raw replies in order.
    fn round_trip(&mut self, fetches: &[&Fetch]) -> Result<Vec<redis::Value>, ConnectorError> {
        let mut pipe = redis::pipe();
        let hash = self.codec.mode() == ValueMode::Hash;
        if !hash && !self.options.write_open {
            let mut mget = redis::cmd("MGET");
            for f in fetches {
                mget.arg(&f.redis_key);
            }
            pipe.add_command(mget);
        } else {
            let nx = self.options.store_key_strategy == StoreKeyStrategy::IfNotExist;
            for f in fetches {
                match &f.write {
                    Some(WriteBack::Value(v)) => {
                        let mut set = redis::cmd("SET");
                        set.arg(&f.redis_key).arg(v);
                        if nx {
                            set.arg("NX");
                        }
                        pipe.add_command(set).ignore();
                    }
                    Some(WriteBack::Fields(fields)) if nx => {
                        for (field, value) in fields {
                            pipe.cmd("HSETNX")
                                .arg(&f.redis_key)
                                .arg(field)
                                .arg(value)
                                .ignore();
                        }
                    }
                    Some(WriteBack::Fields(fields)) => {
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&f.redis_key);
                        for (field, value) in fields {
                            hset.arg(field).arg(value);
                        }
                        pipe.add_command(hset).ignore();
                    }
                    None => {}
                }
                pipe.cmd(if hash { "HGETALL" } else { "GET" })
                    .arg(&f.redis_key);
            }
        }
        let mut attempt = 0;
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
                        if let Some(err) = self.give_up(failure, &mut attempt) {
                            return Err(err);
                        }
                        continue;
                    }
                },
            };
            match result {
                Ok(mut replies) => {
                    self.counts.round_trips += 1;
                    if !hash && !self.options.write_open {
                        return match replies.pop() {
                            Some(redis::Value::Array(items)) => Ok(items),
                            other => Err(ConnectorError::internal(format!(
                                "table '{}': unexpected MGET reply {other:?}",
                                self.table()
                            ))),
                        };
                    }
                    return Ok(replies);
                }
                Err(e) => {
                    self.connection = None;
                    if let Some(err) = self.give_up(RedisFailure::from_redis(&e), &mut attempt) {
                        return Err(err);
                    }
                }
            }
        }
    }

    /// `Some(error)` when a failure is final; otherwise waits before the next attempt.
    fn give_up(&mut self, failure: RedisFailure, attempt: &mut u32) -> Option<ConnectorError> {
        if !failure.retriable || *attempt >= self.options.lookup_max_retries {
            self.counts.errors += 1;
            let err = failure.into_error(&self.options, "looking up in");
            log::error!("{err}");
            return Some(err);
        }
        *attempt += 1;
        self.counts.retries += 1;
        log::warn!(
            "table '{}': looking up in redis at {}:{} failed ({}), retry {attempt} of {}",
            self.options.table,
            self.options.hostname,
            self.options.port,
            failure.cause,
            self.options.lookup_max_retries
        );
        std::thread::sleep(backoff(*attempt));
        None
    }

    fn conversion_error(&self, key: &[u8], column: usize, raw: &str, why: &str) -> ConnectorError {
        ConnectorError::data(format!(
            "table '{}': key '{}': column '{}': cannot convert '{raw}' to {why}",
            self.table(),
            String::from_utf8_lossy(key),
            self.columns[column].name
        ))
    }

    /// The table row for one reply, or `None` for a miss.
    fn decode(
        &self,
        fetch: &Fetch,
        reply: &redis::Value,
    ) -> Result<Option<Vec<Value>>, ConnectorError> {
        let mut row = vec![Value::Null; self.columns.len()];
        for (column, value) in &fetch.key_values {
            row[*column] = value.clone();
        }
        let key = &fetch.redis_key;
        match self.codec.mode() {
            ValueMode::Hash => {
                let fields = hash_fields(reply);
                if fields.is_empty() {
                    return Ok(None);
                }
                for column in &self.value_columns {
                    let name = self.columns[*column].name.as_bytes();
                    if let Some((_, raw)) = fields.iter().find(|(f, _)| f.as_slice() == name) {
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

    fn lookup_batch(&mut self, probes: &[Row]) -> Result<Vec<Vec<Row>>, ConnectorError> {
        let now = Instant::now();
        self.counts.lookups += probes.len() as u64;
        let fetches: Vec<Fetch> = probes
            .iter()
            .map(|p| self.plan(p))
            .collect::<Result<_, _>>()?;
        // The answer of each distinct key: from the cache, or fetched below.
        let mut answers: HashMap<&[u8], Option<Vec<Value>>> = HashMap::new();
        let mut fetched: HashSet<&[u8]> = HashSet::new();
        let mut to_fetch: Vec<&Fetch> = Vec::new();
        for fetch in &fetches {
            let key = fetch.cache_key.as_slice();
            if answers.contains_key(key) || fetched.contains(key) {
                continue;
            }
            match self.cache.as_mut().and_then(|c| c.get(key, now)) {
                Some(row) => {
                    answers.insert(key, row);
                }
                None => {
                    fetched.insert(key);
                    to_fetch.push(fetch);
                }
            }
        }
        if !to_fetch.is_empty() {
            let replies = self.round_trip(&to_fetch)?;
            if replies.len() != to_fetch.len() {
                return Err(ConnectorError::internal(format!(
                    "table '{}': {} replies for {} keys",
                    self.table(),
                    replies.len(),
                    to_fetch.len()
                )));
            }
            for (fetch, reply) in to_fetch.iter().zip(&replies) {
                if let redis::Value::ServerError(err) = reply {
                    self.counts.errors += 1;
                    return Err(RedisFailure::from_server_reply(err)
                        .into_error(&self.options, "looking up in"));
                }
                let row = self.decode(fetch, reply)?;
                if let Some(cache) = self.cache.as_mut() {
                    if cache.put(fetch.cache_key.clone(), row.clone(), now) {
                        self.counts.cache_evictions += 1;
                    }
                }
                answers.insert(&fetch.cache_key, row);
            }
        }
        let mut out = Vec::with_capacity(probes.len());
        let mut cache_hits = 0;
        for (probe, fetch) in probes.iter().zip(&fetches) {
            let answer = answers.get(fetch.cache_key.as_slice()).cloned().flatten();
            let matched = answer.filter(|row| {
                self.filters
                    .iter()
                    .all(|(column, position)| probe.values.get(*position) == Some(&row[*column]))
            });
            match matched {
                Some(row) => {
                    self.counts.hits += 1;
                    out.push(vec![Row::new(RowKind::Insert, row)]);
                }
                None => {
                    self.counts.misses += 1;
                    out.push(Vec::new());
                }
            }
            if self.cache.is_some() && !fetched.contains(fetch.cache_key.as_slice()) {
                cache_hits += 1;
            }
        }
        self.counts.cache_hits += cache_hits;
        Ok(out)
    }
}

/// The bytes of a bulk string reply; `None` for nil.
fn bulk(reply: &redis::Value) -> Option<&[u8]> {
    match reply {
        redis::Value::BulkString(b) => Some(b),
        redis::Value::SimpleString(s) => Some(s.as_bytes()),
        _ => None,
    }
}

/// The field-value pairs of an `HGETALL` reply (RESP2 flat array or RESP3 map).
fn hash_fields(reply: &redis::Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    match reply {
        redis::Value::Array(items) => items
            .chunks(2)
            .filter_map(|pair| match pair {
                [f, v] => Some((bulk(f)?.to_vec(), bulk(v)?.to_vec())),
                _ => None,
            })
            .collect(),
        redis::Value::Map(pairs) => pairs
            .iter()
            .filter_map(|(f, v)| Some((bulk(f)?.to_vec(), bulk(v)?.to_vec())))
            .collect(),
        _ => Vec::new(),
    }
}

impl Lookup for RedisLookup {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        guard("lookup open", || {
            let mut attempt = 0;
            loop {
                match connect(&self.options) {
                    Ok(connection) => {
                        self.connection = Some(connection);
                        return Ok(());
                    }
                    Err(failure) => {
                        if let Some(err) = self.give_up(failure, &mut attempt) {
                            return Err(err);
                        }
                    }
                }
            }
        })
    }

    fn lookup(&mut self, keys: RSlice<'_, Row>) -> RResult<RVec<RVec<Row>>, ConnectorError> {
        guard("lookup", || {
            self.lookup_batch(keys.as_slice())
                .map(|rows| rows.into_iter().map(RVec::from).collect())
        })
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        self.connection = None;
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
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

    fn extension(&mut self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}
