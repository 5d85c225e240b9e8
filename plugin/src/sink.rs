//! The Redis sink: changelog rows to pipelined, idempotent commands.
//!
//! `write` encodes rows into one RESP buffer (`SET k v [EX ttl]`, `DEL k`, `HSET`/`HDEL`, with
//! `MULTI ... EXPIRE ... EXEC` for a hash with a TTL) in changelog order. The buffer is sent
//! as one pipeline when it holds `sink.buffer-flush.max-rows` rows, when the oldest row has
//! waited `sink.buffer-flush.interval` (a background thread, so a quiet input is written too),
//! and on `flush`. Every reply is checked: `flush` returns Ok only when Redis acknowledged every
//! row written before it. A connection error reconnects and resends the whole buffer (every
//! command is idempotent) with exponential backoff, up to `sink.max-retries`; an error no retry
//! can fix (`WRONGTYPE`, `OOM`, authentication) fails at once. A failure of the background
//! flush is returned by the next `write` or `flush`; nothing is dropped silently.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec};
use connector_interface::counters;
use connector_interface::{guard, ConnectorError, Counter, ExtensionBox, Row, Sink, TableContext};

use crate::codec::{Change, RowCodec};
use crate::connection::{backoff, connect, pack_command, send_pipeline};
use crate::options::RedisOptions;

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    upserted: u64,
    deleted: u64,
    ignored: u64,
}

struct State {
    connection: Option<redis::Connection>,
    packed: Vec<u8>,
    commands: usize,
    rows: usize,
    pending: Counts,
    oldest: Option<Instant>,
    done: Counts,
    flushes: u64,
    flush_micros: u64,
    retries: u64,
    errors: u64,
    failure: Option<ConnectorError>,
    closed: bool,
}

struct Shared {
    options: RedisOptions,
    codec: RowCodec,
    state: Mutex<State>,
    wake: Condvar,
}

pub struct RedisSink {
    shared: Arc<Shared>,
    flusher: Option<JoinHandle<()>>,
}

impl RedisSink {
    pub fn new(context: &TableContext, options: RedisOptions) -> RedisSink {
        let codec = RowCodec::new(context, &options);
        RedisSink {
            shared: Arc::new(Shared {
                codec,
                state: Mutex::new(State {
                    connection: None,
                    packed: Vec::with_capacity(64 * options.sink_max_rows),
                    commands: 0,
                    rows: 0,
                    pending: Counts::default(),
                    oldest: None,
                    done: Counts::default(),
                    flushes: 0,
                    flush_micros: 0,
                    retries: 0,
                    errors: 0,
                    failure: None,
                    closed: false,
                }),
                wake: Condvar::new(),
                options,
            }),
            flusher: None,
        }
    }

    fn stop_flusher(&mut self) {
        if let Ok(mut state) = self.shared.state.lock() {
            state.closed = true;
        }
        self.shared.wake.notify_all();
        if let Some(handle) = self.flusher.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for RedisSink {
    fn drop(&mut self) {
        self.stop_flusher();
    }
}

impl Shared {
    fn lock(&self) -> Result<MutexGuard<'_, State>, ConnectorError> {
        self.state
            .lock()
            .map_err(|_| ConnectorError::internal("the redis sink's state was poisoned"))
    }

    /// Encodes rows into the buffer, flushing whenever it is full.
    fn write(&self, batch: &[Row]) -> Result<(), ConnectorError> {
        let mut state = self.lock()?;
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        let ttl = self.options.ttl_seconds.map(|t| t.to_string());
        for row in batch {
            let Some(change) = self.codec.encode(row)? else {
                state.pending.ignored += 1;
                continue;
            };
            let state = &mut *state;
            match change {
                Change::Set { key, value } => {
                    match &ttl {
                        Some(ttl) => pack_command(
                            &mut state.packed,
                            &[b"SET", &key, &value, b"EX", ttl.as_bytes()],
                        ),
                        None => pack_command(&mut state.packed, &[b"SET", &key, &value]),
                    }
                    state.commands += 1;
                    state.pending.upserted += 1;
                }
                Change::Delete { key } => {
                    pack_command(&mut state.packed, &[b"DEL", &key]);
                    state.commands += 1;
                    state.pending.deleted += 1;
                }
                Change::Hash { key, set, remove } => {
                    if ttl.is_some() {
                        pack_command(&mut state.packed, &[b"MULTI"]);
                        state.commands += 1;
                    }
                    if !set.is_empty() {
                        let mut args: Vec<&[u8]> = Vec::with_capacity(2 + 2 * set.len());
                        args.push(b"HSET");
                        args.push(&key);
                        for (column, value) in &set {
                            args.push(self.codec.column_name(*column).as_bytes());
                            args.push(value);
                        }
                        pack_command(&mut state.packed, &args);
                        state.commands += 1;
                    }
                    if !remove.is_empty() {
                        let mut args: Vec<&[u8]> = Vec::with_capacity(2 + remove.len());
                        args.push(b"HDEL");
                        args.push(&key);
                        for column in &remove {
                            args.push(self.codec.column_name(*column).as_bytes());
                        }
                        pack_command(&mut state.packed, &args);
                        state.commands += 1;
                    }
                    if let Some(ttl) = &ttl {
                        pack_command(&mut state.packed, &[b"EXPIRE", &key, ttl.as_bytes()]);
                        pack_command(&mut state.packed, &[b"EXEC"]);
                        state.commands += 2;
                    }
                    state.pending.upserted += 1;
                }
            }
            state.rows += 1;
            if state.oldest.is_none() {
                state.oldest = Some(Instant::now());
                self.wake.notify_all();
            }
            if state.rows >= self.options.sink_max_rows {
                self.flush_locked(state)?;
            }
        }
        if self.options.sink_interval.is_zero() {
            self.flush_locked(&mut state)?;
        }
        Ok(())
    }

    /// Sends the buffer as one pipeline, retrying connection errors; Ok once acknowledged.
    fn flush_locked(&self, state: &mut State) -> Result<(), ConnectorError> {
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        let started = Instant::now();
        if state.commands > 0 {
            let mut attempt = 0;
            loop {
                let sent = match state.connection.as_mut() {
                    Some(connection) => send_pipeline(connection, &state.packed, state.commands),
                    None => connect(&self.options).and_then(|mut connection| {
                        let sent = send_pipeline(&mut connection, &state.packed, state.commands);
                        state.connection = Some(connection);
                        sent
                    }),
                };
                let Err(failure) = sent else { break };
                state.connection = None;
                if !failure.retriable || attempt >= self.options.sink_max_retries {
                    state.errors += 1;
                    let err = failure.into_error(&self.options, "writing to");
                    log::error!("{err}");
                    return Err(err);
                }
                attempt += 1;
                state.retries += 1;
                log::warn!(
                    "table '{}': writing to redis at {}:{} failed ({}), retry {attempt} of {}",
                    self.options.table,
                    self.options.hostname,
                    self.options.port,
                    failure.cause,
                    self.options.sink_max_retries
                );
                std::thread::sleep(backoff(attempt));
            }
        }
        state.done.upserted += state.pending.upserted;
        state.done.deleted += state.pending.deleted;
        state.done.ignored += state.pending.ignored;
        state.pending = Counts::default();
        state.packed.clear();
        state.commands = 0;
        state.rows = 0;
        state.oldest = None;
        state.flushes += 1;
        state.flush_micros += started.elapsed().as_micros() as u64;
        Ok(())
    }

    /// The background flusher: writes rows that waited longer than the interval.
    fn run_flusher(&self) {
        let interval = self.options.sink_interval;
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        loop {
            if state.closed {
                return;
            }
            let wait = match state.oldest {
                Some(oldest) if state.failure.is_none() => {
                    let due = oldest + interval;
                    let now = Instant::now();
                    if now >= due {
                        if let Err(err) = self.flush_locked(&mut state) {
                            state.failure = Some(err);
                        }
                        continue;
                    }
                    Some(due - now)
                }
                _ => None,
            };
            state = match wait {
                Some(wait) => match self.wake.wait_timeout(state, wait) {
                    Ok((state, _)) => state,
                    Err(_) => return,
                },
                None => match self.wake.wait(state) {
                    Ok(state) => state,
                    Err(_) => return,
                },
            };
        }
    }
}

impl Sink for RedisSink {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        guard("sink open", || {
            let mut state = self.shared.lock()?;
            let mut attempt = 0;
            let connection = loop {
                match connect(&self.shared.options) {
                    Ok(connection) => break connection,
                    Err(f) if f.retriable && attempt < self.shared.options.sink_max_retries => {
                        attempt += 1;
                        state.retries += 1;
                        std::thread::sleep(backoff(attempt));
                    }
                    Err(f) => {
                        state.errors += 1;
                        return Err(f.into_error(&self.shared.options, "connecting to"));
                    }
                }
            };
            state.connection = Some(connection);
            drop(state);
            if self.flusher.is_none() && !self.shared.options.sink_interval.is_zero() {
                let shared = self.shared.clone();
                let handle = std::thread::Builder::new()
                    .name(format!("redis-sink-{}", self.shared.options.table))
                    .spawn(move || shared.run_flusher())
                    .map_err(|e| {
                        ConnectorError::internal(format!("cannot start the flush thread: {e}"))
                    })?;
                self.flusher = Some(handle);
            }
            Ok(())
        })
    }

    fn write(&mut self, batch: RSlice<'_, Row>) -> RResult<(), ConnectorError> {
        guard("sink write", || self.shared.write(batch.as_slice()))
    }

    fn flush(&mut self) -> RResult<(), ConnectorError> {
        guard("sink flush", || {
            let mut state = self.shared.lock()?;
            self.shared.flush_locked(&mut state)
        })
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        guard("sink close", || {
            self.stop_flusher();
            if let Ok(mut state) = self.shared.state.lock() {
                state.connection = None;
            }
            Ok(())
        })
    }

    fn counters(&self) -> RVec<Counter> {
        let Ok(state) = self.shared.state.lock() else {
            return RVec::new();
        };
        RVec::from(vec![
            Counter::new(counters::ROWS_WRITTEN, state.done.upserted),
            Counter::new(counters::ROWS_DELETED, state.done.deleted),
            Counter::new(counters::ROWS_IGNORED, state.done.ignored),
            Counter::new(counters::FLUSHES, state.flushes),
            Counter::new(counters::FLUSH_MICROS, state.flush_micros),
            Counter::new(counters::RETRIES, state.retries),
            Counter::new(counters::ERRORS, state.errors),
        ])
    }

    fn extension(&mut self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}
