//! Rows to pipelines, sent and acknowledged through the table's client.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use connector_interface::{ConnectorError, Row, RowKind, TableContext};

use crate::client::{Client, Endpoint, Pipeline, RetryPolicy};
use crate::layout::TableLayout;
use crate::options::RedisOptions;
use crate::types::{self, RedisType, Written};

/// Rows by what they did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub upserted: u64,
    pub deleted: u64,
    pub ignored: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.upserted += other.upserted;
        self.deleted += other.deleted;
        self.ignored += other.ignored;
    }
}

/// Pipelines sent but not yet acknowledged, at most: while the server works on one, the next
/// is built. The buffer holds at most (1 + this) x `sink.buffer-flush.max-rows` rows.
const MAX_IN_FLIGHT: usize = 1;

pub struct State {
    /// Sent pipelines, each tagged with the counts of its rows.
    pub client: Client<Counts>,
    current: Pipeline,
    /// The rows in `current` and what they do.
    rows: usize,
    counts: Counts,
    pub oldest: Option<Instant>,
    /// Rows acknowledged by Redis.
    pub done: Counts,
    pub flushes: u64,
    pub flush_micros: u64,
    pub failure: Option<ConnectorError>,
    pub closed: bool,
}

pub struct Shared {
    pub options: RedisOptions,
    layout: TableLayout,
    kind: Box<dyn RedisType>,
    ttl: Option<String>,
    pub state: Mutex<State>,
    pub wake: Condvar,
}

impl Shared {
    pub fn new(context: &TableContext, options: RedisOptions) -> Shared {
        let layout = TableLayout::new(context, &options);
        let client = Client::new(
            Endpoint::of(&options),
            RetryPolicy::of(&options, options.sink_max_retries, "sink.max-retries"),
        );
        Shared {
            kind: types::for_table(&options, &layout),
            layout,
            ttl: options.ttl_seconds.map(|t| t.to_string()),
            state: Mutex::new(State {
                current: client.pipeline(),
                client,
                rows: 0,
                counts: Counts::default(),
                oldest: None,
                done: Counts::default(),
                flushes: 0,
                flush_micros: 0,
                failure: None,
                closed: false,
            }),
            wake: Condvar::new(),
            options,
        }
    }

    pub fn lock(&self) -> Result<MutexGuard<'_, State>, ConnectorError> {
        self.state
            .lock()
            .map_err(|_| ConnectorError::internal("the redis sink's state was poisoned"))
    }

    /// Turns rows into commands of the current pipeline, sending it whenever it is full.
    pub fn write(&self, rows: &[Row]) -> Result<(), ConnectorError> {
        let mut state = self.lock()?;
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        let ttl = self.ttl.as_deref().map(str::as_bytes);
        let width = self.layout.columns.len();
        for row in rows {
            if row.values.len() != width {
                return Err(ConnectorError::data(format!(
                    "table '{}': a row has {} values, the table has {width} columns",
                    self.layout.table,
                    row.values.len(),
                )));
            }
            if row.kind == RowKind::UpdateBefore {
                state.counts.ignored += 1;
                continue;
            }
            let key = self.layout.key(&row.values)?;
            let node = state.client.node_of(&key);
            let state = &mut *state;
            let written = if row.kind == RowKind::Delete {
                state.current.command(node, &[b"DEL", &key]);
                Written::Deleted
            } else {
                self.kind
                    .upsert(&key, &row.values, ttl, node, &mut state.current)
            };
            match written {
                Written::Upserted => state.counts.upserted += 1,
                Written::Deleted => state.counts.deleted += 1,
            }
            state.rows += 1;
            if state.oldest.is_none() {
                state.oldest = Some(Instant::now());
                self.wake.notify_all();
            }
            if state.rows >= self.options.sink_max_rows {
                self.submit(state);
                self.settle(state, MAX_IN_FLIGHT)?;
            }
        }
        if self.options.sink_interval.is_zero() {
            self.flush_locked(&mut state)?;
        }
        Ok(())
    }

    /// Sends the current pipeline (if it holds any command).
    fn submit(&self, state: &mut State) {
        if state.current.is_empty() {
            return;
        }
        let room = state.current.packed_len();
        let mut next = state.client.pipeline();
        next.reserve(room);
        let pipeline = std::mem::replace(&mut state.current, next);
        let counts = std::mem::take(&mut state.counts);
        state.client.submit(pipeline, counts);
        state.rows = 0;
    }

    /// Waits for the acknowledgements of all sent pipelines but the newest `keep`.
    fn settle(&self, state: &mut State, keep: usize) -> Result<(), ConnectorError> {
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        while state.client.in_flight() > keep {
            let (counts, _) = state.client.collect("writing to")?;
            state.done.add(counts);
        }
        Ok(())
    }

    /// Sends everything buffered and returns once Redis acknowledged all of it.
    pub fn flush_locked(&self, state: &mut State) -> Result<(), ConnectorError> {
        let started = Instant::now();
        self.submit(state);
        self.settle(state, 0)?;
        // Rows that changed nothing (`-U`) are done once everything before them is.
        let ignored = std::mem::take(&mut state.counts.ignored);
        state.done.ignored += ignored;
        state.oldest = None;
        state.flushes += 1;
        state.flush_micros += started.elapsed().as_micros() as u64;
        Ok(())
    }
}
