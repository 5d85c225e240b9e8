//! Sink subtasks: each writes the rows routed to it, flushes when a checkpoint's barrier has
//! come from every worker (and at the end of the input), and tells the coordinator.

use super::*;

/// One sink subtask.
pub(crate) struct SinkTask {
    pub(crate) sink: Box<dyn Sink>,
    /// How many workers send to it.
    pub(crate) inputs: usize,
    /// A `GROUP BY`'s aggregation, before the sink.
    pub(crate) aggregator: Option<Aggregator>,
}

impl SinkTask {
    /// Writes until every worker ended, then flushes, closes and hands in its counters.
    pub(crate) fn run(
        self,
        rows: Receiver<Message<Vec<Row>>>,
        flushed: Sender<Flushed>,
        metrics: &Metrics,
    ) -> Counters {
        let mut sink = self.sink;
        let mut aggregator = self.aggregator;
        let mut alignment = Alignment::new(self.inputs);
        let mut result = Ok(());
        // Rows written since the last flush that succeeded.
        let mut pending = 0u64;
        let flush = |sink: &mut Box<dyn Sink>, pending: &mut u64| {
            let flushed = sink.flush();
            if flushed.is_ok() {
                UNACKNOWLEDGED.fetch_sub(std::mem::take(pending), Ordering::SeqCst);
            }
            flushed
        };
        for message in rows {
            let aligned = match message {
                Message::Data(rows) => {
                    if metrics.failed() {
                        continue;
                    }
                    let rows = match &mut aggregator {
                        Some(a) => a.apply(rows),
                        None => Ok(rows),
                    };
                    // An aggregation may turn a batch into no rows: nothing to write then.
                    result = rows.and_then(|rows| {
                        if !rows.is_empty() {
                            sink.write(&rows)?;
                        }
                        let n = rows.len() as u64;
                        metrics.written.fetch_add(n, Ordering::Relaxed);
                        UNACKNOWLEDGED.fetch_add(n, Ordering::SeqCst);
                        pending += n;
                        Ok(())
                    });
                    0..0
                }
                Message::Barrier { input, id } => alignment.barrier(input, id),
                Message::End { input } => alignment.end(input),
            };
            if result.is_ok() && !aligned.is_empty() {
                result = flush(&mut sink, &mut pending);
                if result.is_ok() {
                    for id in aligned {
                        let _ = flushed.send(Flushed::Checkpoint(id));
                    }
                }
            }
            if let Err(e) = &result {
                metrics.fail(e.clone());
                break;
            }
            if alignment.ended() {
                break;
            }
        }
        if result.is_ok() && !metrics.failed() {
            match flush(&mut sink, &mut pending) {
                Ok(()) => {
                    let _ = flushed.send(Flushed::Final);
                }
                Err(e) => metrics.fail(e),
            }
        }
        if let Err(e) = sink.close() {
            metrics.fail(e);
        }
        let mut counters = sink.counters();
        if let Some(a) = &aggregator {
            let (groups, bytes) = a.state();
            counters.push(("groups".into(), groups as u64));
            counters.push(("group_state_bytes".into(), bytes as u64));
        }
        counters
    }
}
