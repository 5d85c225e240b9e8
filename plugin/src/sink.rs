//! The Redis sink: changelog rows to pipelined, idempotent commands.
//!
//! `write` encodes rows into one RESP buffer in changelog order: `SET k v EX ttl`, or, without a
//! TTL, consecutive upserts as one `MSET`; `DEL k`; `HSET`/`HDEL`, with `MULTI ... EXPIRE ...
//! EXEC` for a hash with a TTL. While Redis works on one sent batch the next is encoded. The buffer is sent
//! as one pipeline when it holds `sink.buffer-flush.max-rows` rows, when the oldest row has
//! waited `sink.buffer-flush.interval` (a background thread, so a quiet input is written too),
//! and on `flush`. Every reply is checked: `flush` returns Ok only when Redis acknowledged every
//! row written before it. A connection error reconnects and resends the whole buffer (every
//! command is idempotent) with exponential backoff, up to `sink.max-retries`; an error no retry
//! can fix (`WRONGTYPE`, `OOM`, authentication) fails at once. A failure of the background
//! flush is returned by the next `write` or `flush`; nothing is dropped silently.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec};
use connector_interface::counters;
use connector_interface::{guard, ConnectorError, Counter, ExtensionBox, Row, Sink, TableContext};

use crate::codec::{Change, RowCodec};
use crate::connection::{connect, pack_args, pack_command, pack_header, RedisFailure, Retry};
use crate::options::RedisOptions;

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    upserted: u64,
    deleted: u64,
    ignored: u64,
}

/// Encoded rows sent as one pipeline and acknowledged reply by reply.
#[derive(Default)]
struct Batch {
    packed: Vec<u8>,
    commands: usize,
    rows: usize,
    counts: Counts,
    /// Consecutive `SET`s without a TTL, packed as the arguments of one `MSET` (one command
    /// and one reply instead of one per row; same effect, in the same order).
    run: Vec<u8>,
    run_pairs: usize,
}

impl Batch {
    fn add_to_run(&mut self, key: &[u8], value: &[u8]) {
        pack_args(&mut self.run, &[key, value]);
        self.run_pairs += 1;
    }

    /// Ends the current `MSET` run, before any other command and before sending.
    fn close_run(&mut self) {
        if self.run_pairs == 0 {
            return;
        }
        if self.run_pairs == 1 {
            pack_header(&mut self.packed, b"SET", 2);
        } else {
            pack_header(&mut self.packed, b"MSET", 2 * self.run_pairs);
        }
        self.packed.extend_from_slice(&self.run);
        self.run.clear();
        self.run_pairs = 0;
        self.commands += 1;
    }
}

/// Batches sent but not yet acknowledged, at most: while the server works on one, the next
/// is encoded. The buffer holds at most (1 + this) x `sink.buffer-flush.max-rows` rows.
const MAX_IN_FLIGHT: usize = 1;

struct State {
    connection: Option<redis::Connection>,
    current: Batch,
    oldest: Option<Instant>,
    in_flight: VecDeque<Batch>,
    /// How many of `in_flight` were sent on `connection`.
    sent: usize,
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
                    current: Batch::default(),
                    oldest: None,
                    in_flight: VecDeque::new(),
                    sent: 0,
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

/// The first error reply among the replies of one command (an `EXEC` reply holds one per
/// queued command).
fn error_reply(reply: &redis::Value) -> Option<RedisFailure> {
    match reply {
        redis::Value::ServerError(err) => Some(RedisFailure::from_server_reply(err)),
        redis::Value::Array(items) => items.iter().find_map(error_reply),
        _ => None,
    }
}

impl Shared {
    fn lock(&self) -> Result<MutexGuard<'_, State>, ConnectorError> {
        self.state
            .lock()
            .map_err(|_| ConnectorError::internal("the redis sink's state was poisoned"))
    }

    /// Encodes rows into the current batch, sending it whenever it is full.
    fn write(&self, rows: &[Row]) -> Result<(), ConnectorError> {
        let mut state = self.lock()?;
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        let ttl = self.options.ttl_seconds.map(|t| t.to_string());
        for row in rows {
            let Some(change) = self.codec.encode(row)? else {
                state.current.counts.ignored += 1;
                continue;
            };
            let batch = &mut state.current;
            match change {
                Change::Set { key, value } => {
                    match &ttl {
                        Some(ttl) => {
                            pack_command(
                                &mut batch.packed,
                                &[b"SET", &key, &value, b"EX", ttl.as_bytes()],
                            );
                            batch.commands += 1;
                        }
                        None => batch.add_to_run(&key, &value),
                    }
                    batch.counts.upserted += 1;
                }
                Change::Delete { key } => {
                    batch.close_run();
                    pack_command(&mut batch.packed, &[b"DEL", &key]);
                    batch.commands += 1;
                    batch.counts.deleted += 1;
                }
                Change::Hash { key, set, remove } => {
                    batch.close_run();
                    if ttl.is_some() {
                        pack_command(&mut batch.packed, &[b"MULTI"]);
                        batch.commands += 1;
                    }
                    if !set.is_empty() {
                        let mut args: Vec<&[u8]> = Vec::with_capacity(2 + 2 * set.len());
                        args.push(b"HSET");
                        args.push(&key);
                        for (column, value) in &set {
                            args.push(self.codec.column_name(*column).as_bytes());
                            args.push(value);
                        }
                        pack_command(&mut batch.packed, &args);
                        batch.commands += 1;
                    }
                    if !remove.is_empty() {
                        let mut args: Vec<&[u8]> = Vec::with_capacity(2 + remove.len());
                        args.push(b"HDEL");
                        args.push(&key);
                        for column in &remove {
                            args.push(self.codec.column_name(*column).as_bytes());
                        }
                        pack_command(&mut batch.packed, &args);
                        batch.commands += 1;
                    }
                    if let Some(ttl) = &ttl {
                        pack_command(&mut batch.packed, &[b"EXPIRE", &key, ttl.as_bytes()]);
                        pack_command(&mut batch.packed, &[b"EXEC"]);
                        batch.commands += 2;
                    }
                    batch.counts.upserted += 1;
                }
            }
            batch.rows += 1;
            if state.oldest.is_none() {
                state.oldest = Some(Instant::now());
                self.wake.notify_all();
            }
            if state.current.rows >= self.options.sink_max_rows {
                self.submit(&mut state);
                self.settle(&mut state, MAX_IN_FLIGHT)?;
            }
        }
        if self.options.sink_interval.is_zero() {
            self.flush_locked(&mut state)?;
        }
        Ok(())
    }

    /// Queues the current batch for sending.
    fn submit(&self, state: &mut State) {
        state.current.close_run();
        if state.current.commands > 0 {
            let capacity = state.current.packed.capacity();
            let batch = std::mem::replace(
                &mut state.current,
                Batch {
                    packed: Vec::with_capacity(capacity),
                    ..Batch::default()
                },
            );
            state.in_flight.push_back(batch);
        }
    }

    /// Sends every queued batch and waits for the replies of all but the newest `keep`,
    /// reconnecting and resending (every command is idempotent) on a connection error.
    fn settle(&self, state: &mut State, keep: usize) -> Result<(), ConnectorError> {
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        let mut retry = Retry::new(self.options.sink_max_retries);
        loop {
            let Err(failure) = self.try_settle(state, keep) else {
                return Ok(());
            };
            state.connection = None;
            match retry.after(failure, &self.options, "writing to") {
                Ok(()) => state.retries += 1,
                Err(err) => {
                    state.errors += 1;
                    return Err(err);
                }
            }
        }
    }

    fn try_settle(&self, state: &mut State, keep: usize) -> Result<(), RedisFailure> {
        if state.connection.is_none() {
            state.connection = Some(connect(&self.options)?);
            state.sent = 0;
        }
        let Some(connection) = state.connection.as_mut() else {
            return Ok(());
        };
        while state.sent < state.in_flight.len() {
            connection
                .send_packed_command(&state.in_flight[state.sent].packed)
                .map_err(|e| RedisFailure::from_redis(&e))?;
            state.sent += 1;
        }
        while state.in_flight.len() > keep {
            let mut failure = None;
            for _ in 0..state.in_flight[0].commands {
                let reply = connection
                    .recv_response()
                    .map_err(|e| RedisFailure::from_redis(&e))?;
                if failure.is_none() {
                    failure = error_reply(&reply);
                }
            }
            if let Some(failure) = failure {
                return Err(failure);
            }
            if let Some(batch) = state.in_flight.pop_front() {
                state.sent -= 1;
                state.done.upserted += batch.counts.upserted;
                state.done.deleted += batch.counts.deleted;
                state.done.ignored += batch.counts.ignored;
            }
        }
        Ok(())
    }

    /// Sends everything buffered and returns once Redis acknowledged all of it.
    fn flush_locked(&self, state: &mut State) -> Result<(), ConnectorError> {
        let started = Instant::now();
        self.submit(state);
        self.settle(state, 0)?;
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
            let mut retry = Retry::new(self.shared.options.sink_max_retries);
            let connection = loop {
                match connect(&self.shared.options) {
                    Ok(connection) => break connection,
                    Err(failure) => {
                        match retry.after(failure, &self.shared.options, "connecting to") {
                            Ok(()) => state.retries += 1,
                            Err(err) => {
                                state.errors += 1;
                                return Err(err);
                            }
                        }
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
            if let Some(failure) = &state.failure {
                return Err(failure.clone());
            }
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
