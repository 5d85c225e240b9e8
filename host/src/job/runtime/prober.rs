//! The first stage of a subtask: the filter on the source's columns and the first join's
//! batched lookups, with the batches' keys and answers.

use super::*;

/// How many batches the prober submits to the first join's lookup before it collects the
/// oldest: the external system answers them while the prober prepares the next.
pub(crate) const IN_FLIGHT: usize = 2;

/// The first stage of a subtask (one thread): the filter on the source's columns and the
/// first join's lookups: each batch's keys are submitted, and its answers collected when
/// `IN_FLIGHT` newer batches were submitted (or at the end). Only this thread calls the
/// lookup, so it needs no lock: a lock held by a thread that the system pauses stalls the
/// other (measured: 0.5 s of a 2.9 s job when the finisher collected).
pub(crate) struct Prober {
    pub(crate) pre_filter: Option<Bound>,
    /// The first join's lookup, if the job joins.
    pub(crate) first: Option<Box<dyn Lookup>>,
    /// The first join's keys, reused from batch to batch.
    pub(crate) keys: JoinKeys,
    /// Submitted batches whose answers are not collected yet, oldest first.
    pub(crate) in_flight: VecDeque<Started>,
}

/// Rows between the stages of a worker: kind and values in the job's layout.
pub(crate) type Rows = Vec<(RowKind, Vec<Value>)>;

/// A batch after the first join's lookup: its rows, each row's key slot, and (once
/// collected) the answers per slot.
pub(crate) struct Started {
    pub(crate) rows: Rows,
    pub(crate) key_of: Vec<Option<usize>>,
    /// How many distinct keys were submitted (0: none).
    pub(crate) keys: usize,
    pub(crate) answers: Answers,
}

/// A join's key rows for a batch, and the index that finds equal keys; both keep their memory
/// from batch to batch.
#[derive(Default)]
pub(crate) struct JoinKeys {
    pub(crate) rows: Vec<Row>,
    /// Slots by key hash (equal keys share a slot).
    pub(crate) index: HashTable<usize>,
    /// Each slot's key hash.
    pub(crate) hashes: Vec<u64>,
}

impl JoinKeys {
    /// The distinct key rows of a join for these rows (the first of `self.rows`): returns how
    /// many there are and each row's key slot (`None` for a NULL key, which never matches).
    pub(crate) fn build(
        &mut self,
        plan: &JoinPlan,
        rows: &Rows,
    ) -> Result<(usize, Vec<Option<usize>>), Failure> {
        let keys = &mut self.rows;
        self.index.clear();
        self.hashes.clear();
        let mut used = 0;
        let mut key_of: Vec<Option<usize>> = Vec::with_capacity(rows.len());
        for (_, values) in rows {
            // The next slot's row takes the key; it is kept only if the key is new.
            if keys.len() == used {
                keys.push(Row::insert(Vec::with_capacity(plan.keys.len())));
            }
            let key = &mut keys[used].values;
            key.clear();
            for (k, t) in plan.keys.iter().zip(&plan.key_types) {
                // A column already of the key's type is copied as it is (most join keys).
                match k.input().and_then(|i| values.get(i)) {
                    Some(v) if cast_is_identity(v, t) => key.push(v.clone()),
                    _ => key.push(cast(k.eval(values)?, t)?),
                }
            }
            if key.iter().any(Value::is_null) {
                key_of.push(None);
                continue;
            }
            let key = keys[used].values.as_slice();
            let hash = hash_values(key);
            let found = self
                .index
                .find(hash, |slot| keys[*slot].values.as_slice() == key);
            let slot = match found {
                Some(slot) => *slot,
                None => {
                    let hashes = &self.hashes;
                    self.index.insert_unique(hash, used, |slot| hashes[*slot]);
                    self.hashes.push(hash);
                    used += 1;
                    used - 1
                }
            };
            key_of.push(Some(slot));
        }
        Ok((used, key_of))
    }
}

/// A batch's answers by key slot, handed to the batch's rows in order: rows (the last row of a
/// slot takes its answer, the rows before it copy it), or packed rows, unpacked for each row
/// that uses them into one reused buffer (no row per answer).
pub(crate) enum SlotAnswers<'a> {
    Rows {
        answers: Vec<RVec<Row>>,
        /// How many rows still need each answer.
        uses: Vec<usize>,
    },
    Packed {
        answers: PackedAnswers,
        /// The looked-up table, for errors in the answers.
        table: &'a str,
    },
}

impl<'a> SlotAnswers<'a> {
    /// The answers of a join's `keys` distinct keys, for rows with these slots; an error when
    /// the lookup answered another number of keys (a missing answer would be a silent miss).
    pub(crate) fn new(
        plan: &'a JoinPlan,
        answers: Answers,
        keys: usize,
        key_of: &[Option<usize>],
    ) -> Result<SlotAnswers<'a>, Failure> {
        let answered = match &answers {
            Answers::Rows(rows) => rows.len(),
            Answers::Packed(packed) => packed.keys(),
        };
        self::answered(&plan.table.name, answered, keys)?;
        Ok(match answers {
            Answers::Rows(answers) => {
                let mut uses = vec![0usize; answers.len()];
                for slot in key_of.iter().flatten() {
                    if let Some(n) = uses.get_mut(*slot) {
                        *n += 1;
                    }
                }
                SlotAnswers::Rows { answers, uses }
            }
            Answers::Packed(answers) => SlotAnswers::Packed {
                answers,
                table: &plan.table.name,
            },
        })
    }

    /// Hands each dimension row of the next row with this slot (none for a NULL key) to
    /// `each`, with whether it is the last; returns how many there were. `each` may move the
    /// values out; `scratch` holds an unpacked row.
    pub(crate) fn each(
        &mut self,
        slot: Option<usize>,
        scratch: &mut Vec<Value>,
        mut each: impl FnMut(&mut [Value], bool) -> Result<(), Failure>,
    ) -> Result<usize, Failure> {
        let Some(slot) = slot else {
            return Ok(0);
        };
        match self {
            SlotAnswers::Rows { answers, uses } => {
                uses[slot] -= 1;
                let found = if uses[slot] == 0 {
                    std::mem::take(&mut answers[slot])
                } else {
                    answers[slot].clone()
                };
                let count = found.len();
                for (n, mut dim) in found.into_iter().enumerate() {
                    each(&mut dim.values, n + 1 == count)?;
                }
                Ok(count)
            }
            SlotAnswers::Packed { answers, table } => {
                let bad = |e: String| format!("table '{table}': malformed packed answers: {e}");
                let found = answers.rows_of(slot).map_err(bad)?;
                let count = found.len();
                for (n, bytes) in found.enumerate() {
                    scratch.clear();
                    unpack_into(bytes.map_err(bad)?, scratch).map_err(bad)?;
                    each(scratch, n + 1 == count)?;
                }
                Ok(count)
            }
        }
    }
}

impl Prober {
    pub(crate) fn new(pre_filter: Option<Bound>, first: Option<Box<dyn Lookup>>) -> Prober {
        Prober {
            pre_filter,
            first,
            keys: JoinKeys::default(),
            in_flight: VecDeque::new(),
        }
    }

    /// Filters on the source's columns and submits the first lookup of a batch.
    pub(crate) fn start(
        &mut self,
        rows: Vec<Row>,
        joins: &[JoinPlan],
        metrics: &Metrics,
    ) -> Result<Started, Failure> {
        let mut current: Rows = Vec::with_capacity(rows.len());
        for row in rows {
            let values = row.values.into_vec();
            if let Some(f) = &self.pre_filter {
                if !f.test(&values)? {
                    continue;
                }
            }
            current.push((row.kind, values));
        }
        let (Some(plan), Some(lookup)) = (joins.first(), self.first.as_mut()) else {
            return Ok(Started {
                rows: current,
                key_of: Vec::new(),
                keys: 0,
                answers: Answers::default(),
            });
        };
        let (count, key_of) = self.keys.build(plan, &current)?;
        if count > 0 {
            metrics.lookups.fetch_add(count as u64, Ordering::Relaxed);
            lookup.submit(&self.keys.rows[..count])?;
        }
        Ok(Started {
            rows: current,
            key_of,
            keys: count,
            answers: Answers::default(),
        })
    }

    /// Starts a batch; returns the oldest started batch, its answers collected, once more than
    /// `IN_FLIGHT` are out (or every one left when `batch` is `None`, at the end).
    pub(crate) fn next(
        &mut self,
        batch: Option<Vec<Row>>,
        joins: &[JoinPlan],
        metrics: &Metrics,
    ) -> Result<Vec<Started>, Failure> {
        let last = batch.is_none();
        if let Some(rows) = batch {
            let started = self.start(rows, joins, metrics)?;
            self.in_flight.push_back(started);
        }
        let keep = if last { 0 } else { IN_FLIGHT };
        let mut ready = Vec::new();
        while self.in_flight.len() > keep {
            let Some(mut started) = self.in_flight.pop_front() else {
                break;
            };
            if let (true, Some(lookup)) = (started.keys > 0, self.first.as_mut()) {
                started.answers = lookup.collect()?;
            }
            ready.push(started);
        }
        Ok(ready)
    }
}

impl Prober {
    /// The prober's thread: batches from the source subtasks (`sources` inputs) to the
    /// finisher, and each checkpoint's barrier once every source subtask sent it, after the
    /// batches before it (their answers collected). Ends the first join's lookup at the end.
    pub(crate) fn run(
        mut self,
        input: Receiver<Message<Vec<Row>>>,
        sources: usize,
        output: SyncSender<Message<Started>>,
        joins: &[JoinPlan],
        metrics: &Metrics,
        lookup_counters: &Mutex<Vec<(usize, Counters)>>,
    ) {
        let mut alignment = Alignment::new(sources);
        let failed = || metrics.failed();
        // Sends what is ready; false when the finisher is gone (only when the sinks are).
        let send = |ready: Result<Vec<Started>, Failure>| match ready {
            Ok(ready) => ready
                .into_iter()
                .all(|s| output.send(Message::Data(s)).is_ok()),
            Err(e) => {
                metrics.fail(e);
                true
            }
        };
        for message in input {
            let aligned = match message {
                Message::Data(batch) => {
                    if !failed() && !send(self.next(Some(batch), joins, metrics)) {
                        break;
                    }
                    continue;
                }
                Message::Barrier { input, id } => alignment.barrier(input, id),
                Message::End { input } => alignment.end(input),
            };
            if !aligned.is_empty() {
                if !failed() && !send(self.next(None, joins, metrics)) {
                    break;
                }
                let barriers = aligned.map(|id| Message::Barrier { input: 0, id });
                if barriers.into_iter().any(|b| output.send(b).is_err()) {
                    break;
                }
            }
            if alignment.ended() {
                break;
            }
        }
        if !failed() {
            send(self.next(None, joins, metrics));
        }
        if let Some(lookup) = self.first.as_mut() {
            end_lookup(lookup_counters, metrics, 0, &mut **lookup);
        }
    }
}
