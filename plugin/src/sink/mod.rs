//! The Redis sink: changelog rows to pipelined, idempotent commands.
//!
//! `write` turns rows into commands in changelog order through the table's Redis type
//! (`types/`): `+I`/`+U` upsert, `-D` is `DEL`, `-U` changes nothing. While Redis works on one
//! sent pipeline the next is built. A pipeline is sent when it holds
//! `sink.buffer-flush.max-rows` rows, when its oldest row has waited
//! `sink.buffer-flush.interval` (a background thread, `flusher.rs`, so a quiet input is written
//! too), and on `flush`. Every reply is checked: `flush` returns Ok only when Redis
//! acknowledged every row written before it. Failures are retried by the client's one retry
//! policy (every command is idempotent, so a pipeline is resent whole); an error no retry can
//! fix (`WRONGTYPE`, `OOM`, authentication) fails at once. A failure of the background flush
//! is returned by the next `write` or `flush`; nothing is dropped silently.
//!
//! Layout: `writer.rs` (rows to pipelines, sending, acknowledging), `flusher.rs` (the interval
//! flush), this file (the ABI adapter).

mod flusher;
mod writer;

use std::sync::Arc;
use std::thread::JoinHandle;

use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec};
use connector_interface::counters;
use connector_interface::{guard, ConnectorError, Counter, ExtensionBox, Row, Sink, TableContext};

use crate::options::RedisOptions;
use writer::Shared;

pub struct RedisSink {
    shared: Arc<Shared>,
    flusher: Option<JoinHandle<()>>,
}

impl RedisSink {
    pub fn new(context: &TableContext, options: RedisOptions) -> RedisSink {
        RedisSink {
            shared: Arc::new(Shared::new(context, options)),
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

impl Sink for RedisSink {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        guard("sink open", || {
            self.shared.lock()?.client.connect()?;
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
                state.client.disconnect();
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
            Counter::new(counters::RETRIES, state.client.retries()),
            Counter::new(counters::ERRORS, state.client.errors()),
        ])
    }

    fn extension(&mut self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}
