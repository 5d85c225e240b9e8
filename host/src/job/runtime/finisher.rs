//! The second stage of a subtask: joined rows, further joins, the filter after the joins and
//! the projection.

use super::*;

/// The second stage of a subtask (another thread, so a subtask's lookups and the rest of its
/// work run side by side): the first join's rows, the other joins, the filter after the joins
/// and the projection.
pub(crate) struct Finisher {
    /// The lookups of the joins after the first.
    pub(crate) rest: Vec<Box<dyn Lookup>>,
    /// The keys of the joins after the first, reused from batch to batch.
    pub(crate) keys: JoinKeys,
    pub(crate) post_filter: Option<Bound>,
    pub(crate) projection: Vec<Bound>,
    pub(crate) casts: Vec<Option<DataType>>,
    /// For each projected item that is a column used by no other item: that column, so its
    /// value can be moved out of the row.
    pub(crate) takes: Vec<Option<usize>>,
    /// Whether the first join's answers go straight into the projected rows, without joined
    /// rows in between (see `direct`).
    pub(crate) direct: bool,
    /// A row's projected values, before they move into the row's memory.
    pub(crate) projected: Vec<Value>,
    /// Scratch for a dimension row unpacked from packed answers (`SlotAnswers::each`), reused
    /// from row to row and batch to batch.
    pub(crate) dim: Vec<Value>,
}

/// Whether a job's joined rows can be skipped: one join, no filter after it, and a projection
/// of columns only (with casts), so each output row is picked from a probe row and its answer.
pub(crate) fn direct(
    joins: &[JoinPlan],
    post_filter: &Option<Bound>,
    projection: &[Bound],
) -> bool {
    joins.len() == 1 && post_filter.is_none() && projection.iter().all(|p| p.input().is_some())
}

/// The projected items that can move their column out of the row (see `Finisher::takes`):
/// plain columns that no other item reads. Items are evaluated in order, so an item that
/// reads a column must not come after one that moved it; moving only columns used exactly
/// once across all items guarantees that.
pub(crate) fn takes(projection: &[Bound]) -> Vec<Option<usize>> {
    pub(crate) fn inputs(b: &Bound, out: &mut Vec<usize>) {
        match b {
            Bound::Input(i, _) => out.push(*i),
            Bound::Literal(..) => {}
            Bound::Cast(e, _) | Bound::Not(e) | Bound::Negate(e, _) | Bound::IsNull(e, _) => {
                inputs(e, out)
            }
            Bound::Binary(_, l, r, _) => {
                inputs(l, out);
                inputs(r, out);
            }
            Bound::Call(_, args, _) => args.iter().for_each(|a| inputs(a, out)),
            Bound::Case(whens, otherwise, _) => {
                for (c, v) in whens {
                    inputs(c, out);
                    inputs(v, out);
                }
                if let Some(e) = otherwise {
                    inputs(e, out);
                }
            }
        }
    }
    let mut all = Vec::new();
    for p in projection {
        inputs(p, &mut all);
    }
    projection
        .iter()
        .map(|p| {
            p.input()
                .filter(|i| all.iter().filter(|j| *j == i).count() == 1)
        })
        .collect()
}

/// Joins rows with their answers: a row per matching dimension row; a left join pads a miss
/// with NULLs, an inner join drops it.
pub(crate) fn assemble(
    plan: &JoinPlan,
    rows: Rows,
    key_of: Vec<Option<usize>>,
    mut answers: SlotAnswers,
    now: &Value,
    scratch: &mut Vec<Value>,
) -> Result<Rows, Failure> {
    let width = plan.width;
    let mut next = Vec::with_capacity(rows.len());
    for ((kind, values), slot) in rows.into_iter().zip(key_of) {
        // The row's values move into the last joined row; earlier ones copy.
        let mut values = Some(values);
        let count = answers.each(slot, scratch, |dim, last| {
            let mut joined = if last {
                values.take().unwrap_or_default()
            } else {
                values.clone().unwrap_or_default()
            };
            joined.reserve_exact(width);
            joined.extend(dim.iter_mut().map(|v| std::mem::replace(v, Value::Null)));
            joined.extend(std::iter::repeat_n(now.clone(), width - dim.len()));
            next.push((kind, joined));
            Ok(())
        })?;
        if let (0, true, Some(mut joined)) = (count, plan.left, values) {
            joined.reserve_exact(width);
            joined.extend(std::iter::repeat_n(Value::Null, width));
            next.push((kind, joined));
        }
    }
    Ok(next)
}

impl Finisher {
    pub(crate) fn new(
        rest: Vec<Box<dyn Lookup>>,
        post_filter: Option<Bound>,
        projection: Vec<Bound>,
        casts: Vec<Option<DataType>>,
        direct: bool,
    ) -> Finisher {
        Finisher {
            rest,
            keys: JoinKeys::default(),
            post_filter,
            takes: takes(&projection),
            projection,
            casts,
            direct,
            projected: Vec::new(),
            dim: Vec::new(),
        }
    }

    /// Joins a batch with its first lookup's answers, runs the other joins, filters and
    /// projects.
    pub(crate) fn finish(
        &mut self,
        started: Started,
        joins: &[JoinPlan],
        metrics: &Metrics,
    ) -> Result<Vec<Row>, Failure> {
        let now = proctime();
        let mut scratch = std::mem::take(&mut self.dim);
        let mut current = started.rows;
        if let Some(first) = joins.first() {
            let answers = SlotAnswers::new(first, started.answers, started.keys, &started.key_of)?;
            if self.direct {
                let (rows, key_of) = (current, started.key_of);
                let out = self.join_projected(first, rows, key_of, answers, &now, &mut scratch);
                self.dim = scratch;
                return out;
            }
            current = assemble(first, current, started.key_of, answers, &now, &mut scratch)?;
        }
        for (plan, lookup) in joins.iter().skip(1).zip(self.rest.iter_mut()) {
            let (count, key_of) = self.keys.build(plan, &current)?;
            let answers = if count == 0 {
                Answers::default()
            } else {
                metrics.lookups.fetch_add(count as u64, Ordering::Relaxed);
                lookup.submit(&self.keys.rows[..count])?;
                lookup.collect()?
            };
            let answers = SlotAnswers::new(plan, answers, count, &key_of)?;
            current = assemble(plan, current, key_of, answers, &now, &mut scratch)?;
        }
        self.dim = scratch;
        let mut out = Vec::with_capacity(current.len());
        for (kind, mut values) in current {
            if let Some(f) = &self.post_filter {
                if !f.test(&values)? {
                    continue;
                }
            }
            out.push(self.project(kind, &mut values, &mut [], &Value::Null, true)?);
        }
        Ok(out)
    }

    /// The projected rows of a batch joined with its answers, picked from each probe row and
    /// answer row (see `direct`): as `assemble` then the projection, without the joined rows.
    pub(crate) fn join_projected(
        &mut self,
        plan: &JoinPlan,
        rows: Rows,
        key_of: Vec<Option<usize>>,
        mut answers: SlotAnswers,
        now: &Value,
        scratch: &mut Vec<Value>,
    ) -> Result<Vec<Row>, Failure> {
        let mut out = Vec::with_capacity(rows.len());
        for ((kind, mut values), slot) in rows.into_iter().zip(key_of) {
            let count = answers.each(slot, scratch, |dim, last| {
                out.push(self.project(kind, &mut values, dim, now, last)?);
                Ok(())
            })?;
            // A left join's miss: the dimension's columns are NULL.
            if count == 0 && plan.left {
                out.push(self.project(kind, &mut values, &mut [], &Value::Null, true)?);
            }
        }
        Ok(out)
    }

    /// One projected row from a row and, in a direct join, the dimension row joined to it
    /// (`dim`; the columns after it, its PROCTIME ones, are `pad`); otherwise `dim` is empty and
    /// `values` is the whole row. A column read once by the projection moves, the row's only
    /// at its `last` use, and the projected row then takes the row's memory: one allocation
    /// (and one free on another thread) fewer per row.
    pub(crate) fn project(
        &mut self,
        kind: RowKind,
        values: &mut Vec<Value>,
        dim: &mut [Value],
        pad: &Value,
        last: bool,
    ) -> Result<Row, Failure> {
        let left = values.len();
        let projected = &mut self.projected;
        projected.clear();
        for ((p, c), take) in self.projection.iter().zip(&self.casts).zip(&self.takes) {
            let v = match p.input() {
                // Expressions read the whole row: a direct join projects columns only.
                None => p.eval(values)?,
                Some(i) => match (values.get_mut(i), dim.get_mut(i.wrapping_sub(left))) {
                    (Some(v), _) if last && take.is_some() => std::mem::replace(v, Value::Null),
                    (Some(v), _) => v.clone(),
                    (None, Some(d)) if take.is_some() => std::mem::replace(d, Value::Null),
                    (None, Some(d)) => d.clone(),
                    (None, None) => pad.clone(),
                },
            };
            projected.push(match c {
                Some(t) => cast(v, t)?,
                None => v,
            });
        }
        if !last {
            return Ok(Row::new(kind, std::mem::take(projected)));
        }
        let mut row = std::mem::take(values);
        row.clear();
        row.append(projected);
        Ok(Row::new(kind, row))
    }
}

impl Finisher {
    /// The finisher's thread: batches from its prober, finished and routed by the sink's key
    /// (`sink_keys`) to the sink subtasks, to which it is input `index`; barriers passed on to
    /// every sink subtask. Ends the lookups of the joins after the first at the end.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run(
        mut self,
        index: usize,
        input: Receiver<Message<Started>>,
        sinks: &[SyncSender<Message<Vec<Row>>>],
        sink_keys: &[usize],
        joins: &[JoinPlan],
        metrics: &Metrics,
        lookup_counters: &Mutex<Vec<(usize, Counters)>>,
    ) {
        let send = |rows: Vec<Row>| -> bool {
            let mut parts: Vec<Vec<Row>> = vec![Vec::new(); sinks.len()];
            for row in rows {
                parts[route(&row.values, sink_keys, sinks.len())].push(row);
            }
            sinks
                .iter()
                .zip(parts)
                .all(|(tx, part)| part.is_empty() || tx.send(Message::Data(part)).is_ok())
        };
        for message in input {
            match message {
                Message::Data(started) => {
                    if metrics.failed() {
                        continue;
                    }
                    match self.finish(started, joins, metrics) {
                        Ok(rows) => {
                            if !send(rows) {
                                break;
                            }
                        }
                        Err(e) => metrics.fail(e),
                    }
                }
                Message::Barrier { id, .. } => {
                    let barrier = || Message::Barrier { input: index, id };
                    if sinks.iter().any(|tx| tx.send(barrier()).is_err()) {
                        break;
                    }
                }
                Message::End { .. } => break,
            }
        }
        for tx in sinks {
            let _ = tx.send(Message::End { input: index });
        }
        for (i, lookup) in self.rest.iter_mut().enumerate() {
            end_lookup(lookup_counters, metrics, i + 1, &mut **lookup);
        }
    }
}
