//! Source subtasks: each reads its source (a built-in's reader, or a plugin scan's splits),
//! adds the PROCTIME and computed columns, routes rows by the source table's key to the workers, and sends
//! a checkpoint barrier when the coordinator asks for one (see `checkpoints.rs`).

use super::*;

/// How rows from the sources reach the workers.
pub(crate) struct Routing {
    /// The columns rows are routed by.
    pub(crate) keys: Vec<usize>,
    /// How many PROCTIME columns the source table has.
    pub(crate) proctime: usize,
    /// The source table's computed columns, after the PROCTIME ones, each with the words
    /// naming it in an error (`table 't', computed column 'c'`).
    pub(crate) computed: Vec<(String, crate::expr::Bound)>,
    /// Room kept in each row for the joined columns, so joining moves nothing.
    pub(crate) joined_width: usize,
}

/// One source subtask: its source and the completed checkpoints it is told of.
pub(crate) struct SourceTask {
    /// Which input of the workers it is.
    pub(crate) index: usize,
    pub(crate) source: Box<dyn Source>,
    pub(crate) completed: Receiver<u64>,
}

impl SourceTask {
    /// Reads until the input ends (or the job stops), tells the workers it ended, then hears
    /// the completed checkpoints until the coordinator ends, and closes its source.
    pub(crate) fn run(
        mut self,
        routing: &Routing,
        workers: &[SyncSender<Message<Vec<Row>>>],
        triggered: &AtomicU64,
        metrics: &Metrics,
    ) {
        if let Err(e) = self.read(routing, workers, triggered, metrics) {
            metrics.fail(e);
        }
        for worker in workers {
            let _ = worker.send(Message::End { input: self.index });
        }
        for id in self.completed.iter() {
            self.source.checkpoint_complete(id);
        }
        if let Err(e) = self.source.close() {
            metrics.fail(e);
        }
    }

    fn read(
        &mut self,
        routing: &Routing,
        workers: &[SyncSender<Message<Vec<Row>>>],
        triggered: &AtomicU64,
        metrics: &Metrics,
    ) -> Result<(), Failure> {
        let mut injected = 0;
        loop {
            while let Ok(id) = self.completed.try_recv() {
                self.source.checkpoint_complete(id);
            }
            let asked = triggered.load(Ordering::SeqCst);
            while injected < asked {
                injected += 1;
                self.source.snapshot(injected);
                let barrier = || Message::Barrier {
                    input: self.index,
                    id: injected,
                };
                if workers.iter().any(|w| w.send(barrier()).is_err()) {
                    return Ok(());
                }
            }
            if metrics.stopping() {
                return Ok(());
            }
            let Some(batch) = self.source.next_batch(1024)? else {
                return Ok(());
            };
            metrics
                .read
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            let mut parts: Vec<Vec<Row>> = vec![Vec::new(); workers.len()];
            for mut row in batch {
                if routing.proctime > 0 || !routing.computed.is_empty() {
                    let mut values = row.values.into_vec();
                    values.reserve_exact(
                        routing.proctime + routing.computed.len() + routing.joined_width,
                    );
                    if routing.proctime > 0 {
                        values.extend(std::iter::repeat_n(proctime(), routing.proctime));
                    }
                    for (name, c) in &routing.computed {
                        let v = c.eval(&values).map_err(|e| format!("{name}: {e}"))?;
                        values.push(v);
                    }
                    row.values = values.into();
                }
                parts[route(&row.values, &routing.keys, workers.len())].push(row);
            }
            for (worker, part) in workers.iter().zip(parts) {
                if !part.is_empty() && worker.send(Message::Data(part)).is_err() {
                    return Ok(());
                }
            }
        }
    }
}
