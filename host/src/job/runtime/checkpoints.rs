//! Checkpoints: every `execution.checkpointing.interval` the coordinator asks the sources for a
//! barrier; each source subtask sends it after the rows it read before, to every worker; a
//! worker forwards it once every source subtask has sent it (or ended), after the rows before
//! it; each sink subtask flushes once every worker's barrier reached it, and tells the
//! coordinator; when every sink subtask has flushed, the checkpoint is complete and every source
//! subtask is told its id (Flink's `notifyCheckpointComplete`). At the end of the input, the
//! sinks' last flush completes a final checkpoint the same way.
//!
//! Barriers are not blocking (Flink's at-least-once checkpoints): a worker goes on with the
//! rows of an input that sent its barrier while it waits for the others. So when checkpoint `k`
//! is complete, every row read before its barrier is flushed, and maybe some read after.

use super::*;

/// What flows on a channel between two stages.
pub(crate) enum Message<T> {
    Data(T),
    /// Checkpoint `id`'s barrier from input `input` of the receiving stage.
    Barrier {
        input: usize,
        id: u64,
    },
    /// Input `input` sends nothing more.
    End {
        input: usize,
    },
}

/// A stage's view of its inputs' barriers: a checkpoint is aligned when every input that has
/// not ended has sent its barrier. Each input sends checkpoints in order, every one of them.
pub(crate) struct Alignment {
    /// Per input: the last checkpoint it sent a barrier for, or `None` once it ended.
    sent: Vec<Option<u64>>,
    /// The highest checkpoint any input sent.
    highest: u64,
    /// The highest checkpoint aligned so far.
    aligned: u64,
}

impl Alignment {
    pub(crate) fn new(inputs: usize) -> Alignment {
        Alignment {
            sent: vec![Some(0); inputs],
            highest: 0,
            aligned: 0,
        }
    }

    /// Input `input` sent checkpoint `id`'s barrier: the checkpoints aligned by it, in order.
    pub(crate) fn barrier(&mut self, input: usize, id: u64) -> std::ops::Range<u64> {
        let Some(Some(last)) = self.sent.get_mut(input) else {
            // An input that ended sends nothing more; this would be a bug upstream.
            return 0..0;
        };
        *last = (*last).max(id);
        self.highest = self.highest.max(id);
        self.advance()
    }

    /// Input `input` ended: the checkpoints the other inputs had all sent, in order.
    pub(crate) fn end(&mut self, input: usize) -> std::ops::Range<u64> {
        if let Some(sent) = self.sent.get_mut(input) {
            *sent = None;
        }
        self.advance()
    }

    /// Whether every input ended.
    pub(crate) fn ended(&self) -> bool {
        self.sent.iter().all(Option::is_none)
    }

    fn advance(&mut self) -> std::ops::Range<u64> {
        let upto = self
            .sent
            .iter()
            .flatten()
            .min()
            .copied()
            .unwrap_or(self.highest);
        let from = self.aligned + 1;
        self.aligned = self.aligned.max(upto);
        from..upto + 1
    }
}

/// What a sink subtask tells the coordinator.
pub(crate) enum Flushed {
    /// It flushed every row before checkpoint `id`'s barrier.
    Checkpoint(u64),
    /// It flushed every row, at the end of the input.
    Final,
}

/// The coordinator's side of the job: it triggers checkpoints, counts the sinks' flushes and
/// tells the sources about completed checkpoints.
pub(crate) struct Coordinator<'a> {
    pub(crate) interval: Duration,
    /// The last checkpoint asked for; source subtasks send a barrier for each up to it.
    pub(crate) triggered: &'a AtomicU64,
    /// The sink subtasks' flushes.
    pub(crate) flushed: Receiver<Flushed>,
    /// How many sink subtasks there are.
    pub(crate) sinks: usize,
    /// One per source subtask: the ids of completed checkpoints.
    pub(crate) completed: Vec<Sender<u64>>,
}

impl Coordinator<'_> {
    /// Runs until every sink subtask ended: returns how many checkpoints completed, the final
    /// one included.
    pub(crate) fn run(self, metrics: &Metrics) -> u64 {
        let mut flushes: BTreeMap<u64, usize> = BTreeMap::new();
        let mut finals = 0;
        let mut next = Instant::now() + self.interval;
        let complete = |id: u64| {
            for source in &self.completed {
                let _ = source.send(id);
            }
            metrics.checkpoints.fetch_add(1, Ordering::Relaxed);
        };
        loop {
            match self
                .flushed
                .recv_timeout(next.saturating_duration_since(Instant::now()))
            {
                Ok(Flushed::Checkpoint(id)) => {
                    let count = flushes.entry(id).or_default();
                    *count += 1;
                    if *count == self.sinks {
                        flushes.remove(&id);
                        complete(id);
                    }
                }
                Ok(Flushed::Final) => finals += 1,
                Err(RecvTimeoutError::Timeout) => {
                    if !metrics.stopping() {
                        self.triggered.fetch_add(1, Ordering::SeqCst);
                    }
                    next += self.interval;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        if finals == self.sinks && !metrics.failed() {
            complete(self.triggered.load(Ordering::SeqCst) + 1);
        }
        metrics.checkpoints.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_aligned_when_every_live_input_sent_it() {
        let mut a = Alignment::new(2);
        assert!(a.barrier(0, 1).is_empty());
        assert!(a.barrier(0, 2).is_empty());
        assert_eq!(a.barrier(1, 1), 1..2);
        // Input 0 ends having sent 2: 2 still waits for input 1.
        assert!(a.end(0).is_empty());
        assert_eq!(a.barrier(1, 2), 2..3);
        assert_eq!(a.barrier(1, 3), 3..4);
        assert!(!a.ended());
        assert!(a.end(1).is_empty());
        assert!(a.ended());
    }

    #[test]
    fn an_input_that_ends_releases_what_the_others_sent() {
        let mut a = Alignment::new(3);
        assert!(a.barrier(0, 1).is_empty());
        assert!(a.barrier(1, 1).is_empty());
        assert!(a.barrier(1, 2).is_empty());
        assert_eq!(a.end(2), 1..2);
        assert_eq!(a.end(0), 2..3);
        // The input that ended first never counts again.
        assert!(a.barrier(2, 9).is_empty());
    }
}

#[cfg(test)]
mod guarantee {
    use super::*;
    use connector_interface::TypeKind;
    use std::collections::BTreeSet;

    /// What the test's sources and sinks saw.
    #[derive(Default)]
    struct Log {
        /// Rows every sink flushed.
        flushed: Mutex<BTreeSet<i64>>,
        /// Per completed checkpoint, in the order heard: the source, the id, and whether every
        /// row that source read before its barrier was flushed by then.
        completions: Mutex<Vec<(usize, u64, bool)>>,
    }

    /// Reads `rows` numbers, source `index` of `of` taking every `of`-th, a few at a time.
    struct Numbers {
        index: i64,
        of: i64,
        next: i64,
        rows: i64,
        /// Per checkpoint id: how many rows this source had read when its barrier left.
        positions: BTreeMap<u64, i64>,
        /// Rows before this one were found flushed already.
        verified: i64,
        log: Arc<Log>,
    }

    impl Source for Numbers {
        fn next_batch(&mut self, _max: usize) -> Result<Option<Vec<Row>>, Failure> {
            if self.next >= self.rows {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_micros(300));
            let mut batch = Vec::new();
            while self.next < self.rows && batch.len() < 7 {
                batch.push(Row::insert(vec![Value::BigInt(self.next)]));
                self.next += self.of;
            }
            Ok(Some(batch))
        }
        fn snapshot(&mut self, id: u64) {
            self.positions.insert(id, self.next);
        }
        fn checkpoint_complete(&mut self, id: u64) {
            // The final checkpoint has no barrier: it covers everything read.
            let upto = self.positions.get(&id).copied().unwrap_or(self.next);
            let flushed = self.log.flushed.lock().unwrap();
            let from = self.verified.max(self.index);
            let all = (from..upto)
                .step_by(self.of as usize)
                .all(|n| flushed.contains(&n));
            drop(flushed);
            self.verified = self.verified.max(upto);
            let source = self.index as usize;
            self.log.completions.lock().unwrap().push((source, id, all));
        }
    }

    /// Buffers rows; a flush makes them durable (in the log), slowly.
    struct Buffer {
        rows: Vec<i64>,
        log: Arc<Log>,
    }

    impl Sink for Buffer {
        fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
            for r in rows {
                if let Value::BigInt(n) = r.values[0] {
                    self.rows.push(n);
                }
            }
            Ok(())
        }
        fn flush(&mut self) -> Result<(), Failure> {
            std::thread::sleep(Duration::from_millis(1));
            self.log.flushed.lock().unwrap().extend(self.rows.drain(..));
            Ok(())
        }
    }

    #[test]
    fn a_completed_checkpoint_reaches_the_sources_only_after_every_sink_flushed_what_came_before() {
        let log = Arc::new(Log::default());
        let rows = 20_000;
        let n = 2;
        let bigint = DataType::new(TypeKind::BIGINT);
        let tasks = Tasks {
            sources: (0..n)
                .map(|i| {
                    Box::new(Numbers {
                        index: i as i64,
                        of: n as i64,
                        next: i as i64,
                        rows,
                        positions: BTreeMap::new(),
                        verified: 0,
                        log: log.clone(),
                    }) as Box<dyn Source>
                })
                .collect(),
            routing: Routing {
                keys: vec![0],
                proctime: 0,
                computed: Vec::new(),
                joined_width: 0,
            },
            probers: (0..n).map(|_| Prober::new(None, None)).collect(),
            finishers: (0..n)
                .map(|_| {
                    let projection = vec![Bound::Input(0, bigint.clone())];
                    Finisher::new(Vec::new(), None, projection, vec![None], false)
                })
                .collect(),
            aggregators: (0..n).map(|_| None).collect(),
            sinks: (0..n)
                .map(|_| {
                    Box::new(Buffer {
                        rows: Vec::new(),
                        log: log.clone(),
                    }) as Box<dyn Sink>
                })
                .collect(),
            sink_keys: vec![0],
            joins: Arc::new(Vec::new()),
            interval: Duration::from_millis(5),
        };
        let metrics = Metrics::default();
        run(tasks, &metrics);
        assert!(metrics.failure.lock().unwrap().is_none());
        assert_eq!(log.flushed.lock().unwrap().len(), rows as usize);
        let completions = log.completions.lock().unwrap().clone();
        let completed = metrics.checkpoints.load(Ordering::Relaxed);
        assert!(completed >= 3, "only {completed} checkpoints completed");
        for source in 0..n {
            let ids: Vec<u64> = completions
                .iter()
                .filter(|c| c.0 == source)
                .map(|c| c.1)
                .collect();
            // Every completed checkpoint, the final one last, each heard once, in order.
            assert_eq!(ids.len() as u64, completed, "source {source}: {ids:?}");
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        }
        let early: Vec<_> = completions.iter().filter(|c| !c.2).collect();
        assert!(
            early.is_empty(),
            "heard before every sink flushed: {early:?}"
        );
    }
}
