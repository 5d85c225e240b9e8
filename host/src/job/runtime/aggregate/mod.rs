//! A sink subtask's group aggregation (Flink's `GroupAggFunction`): keyed state per group (the
//! group keys, a row count and each aggregate's accumulator, `accumulators.rs`), and for every
//! row the change of its group's result as an update changelog: `+I` for a new group, `-U`
//! and `+U` for a changed result (nothing when the result did not change), `-D` when the last
//! row of a group was retracted. A retraction for a group that does not exist is ignored.
//! `HAVING` then filters each changed row on its own, and the select list (with casts to the
//! sink's types) makes the rows the sink receives. State is bounded by the number of groups.

mod accumulators;

use hashbrown::HashTable;

use super::*;
use accumulators::*;

/// One group's state.
struct Group {
    key: Vec<Value>,
    /// Rows in the group (inserts minus retractions): at 0 the group is gone.
    rows: i64,
    accs: Vec<Acc>,
    /// Per DISTINCT call (in call order): each value with its count; a value reaches the
    /// accumulator when its count becomes 1 and leaves it when its count returns to 0.
    distinct: Vec<HashTable<(Value, u64)>>,
}

/// A sink subtask's aggregation.
pub(crate) struct Aggregator {
    plan: Arc<AggregatePlan>,
    retracts: bool,
    groups: HashTable<Group>,
    /// The calls with DISTINCT, by index into `Group::distinct`.
    distinct_of: Vec<Option<usize>>,
}

fn hash_one(v: &Value) -> u64 {
    hash_iter(std::iter::once(v))
}

impl Aggregator {
    /// `retracts`: whether the input can retract rows (a changelog source).
    pub(crate) fn new(plan: Arc<AggregatePlan>, retracts: bool) -> Aggregator {
        let mut n = 0;
        let distinct_of = plan
            .calls
            .iter()
            .map(|c| {
                c.distinct.then(|| {
                    n += 1;
                    n - 1
                })
            })
            .collect();
        Aggregator {
            plan,
            retracts,
            groups: HashTable::new(),
            distinct_of,
        }
    }

    /// The rows a batch of rows before grouping turns into.
    pub(crate) fn apply(&mut self, rows: Vec<Row>) -> Result<Vec<Row>, Failure> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            self.one(row, &mut out)?;
        }
        Ok(out)
    }

    fn one(&mut self, row: Row, out: &mut Vec<Row>) -> Result<(), Failure> {
        let plan = &*self.plan;
        let keys = plan.keys;
        let accumulate = matches!(row.kind, RowKind::Insert | RowKind::UpdateAfter);
        let hash = hash_values(&row.values[..keys]);
        let (mut group, first) = match self
            .groups
            .find_entry(hash, |g| g.key[..] == row.values[..keys])
        {
            Ok(entry) => (entry, false),
            // A retraction for a group that does not exist: nothing to retract (Flink's rule).
            Err(_) if !accumulate => return Ok(()),
            Err(absent) => {
                let group = Group {
                    key: row.values[..keys].to_vec(),
                    rows: 0,
                    accs: plan
                        .calls
                        .iter()
                        .map(|c| Acc::new(c, self.retracts))
                        .collect(),
                    distinct: plan
                        .calls
                        .iter()
                        .filter(|c| c.distinct)
                        .map(|_| HashTable::new())
                        .collect(),
                };
                let table = absent.into_table();
                let entry = table.insert_unique(hash, group, |g| hash_values(&g.key));
                (entry, true)
            }
        };
        let g = group.get_mut();
        let previous = (!first).then(|| results(plan, g));
        let sign = if accumulate { 1 } else { -1 };
        g.rows += sign;
        let counted = Value::Boolean(true);
        for (i, call) in plan.calls.iter().enumerate() {
            let value = match call.input {
                Some(c) => &row.values[c],
                None => &counted,
            };
            if let Some(d) = self.distinct_of[i] {
                if !distinct_passes(&mut g.distinct[d], value, sign) {
                    continue;
                }
            }
            g.accs[i].update(call, value, sign);
        }
        if g.rows > 0 {
            let current = results(plan, g);
            emit(plan, &g.key, previous, Some(current), out)
        } else {
            let (gone, _) = group.remove();
            emit(plan, &gone.key, previous, None, out)
        }
    }

    /// How many groups there are and the bytes their state holds (keys, accumulators and
    /// distinct values, with the table's slots).
    pub(crate) fn state(&self) -> (usize, usize) {
        let value = std::mem::size_of::<Value>();
        let mut bytes = self.groups.capacity() * (std::mem::size_of::<Group>() + 1);
        for g in &self.groups {
            bytes += g.key.capacity() * value;
            bytes += g.key.iter().map(value_heap_bytes).sum::<usize>();
            bytes += g.accs.capacity() * std::mem::size_of::<Acc>();
            bytes += g.accs.iter().map(Acc::heap_bytes).sum::<usize>();
            for d in &g.distinct {
                bytes += d.capacity() * (std::mem::size_of::<(Value, u64)>() + 1);
                bytes += d.iter().map(|(v, _)| value_heap_bytes(v)).sum::<usize>();
            }
        }
        (self.groups.len(), bytes)
    }
}

/// The aggregates' results of a group, in call order.
fn results(plan: &AggregatePlan, group: &Group) -> Vec<Value> {
    group
        .accs
        .iter()
        .zip(&plan.calls)
        .map(|(a, c)| a.value(c))
        .collect()
}

/// The rows for a group's change from the results `previous` to `current` (`None`: no
/// group). The group row the select list and HAVING read is the key, then the results; it is
/// made only for the rows it decides.
fn emit(
    plan: &AggregatePlan,
    key: &[Value],
    previous: Option<Vec<Value>>,
    current: Option<Vec<Value>>,
    out: &mut Vec<Row>,
) -> Result<(), Failure> {
    if previous == current {
        return Ok(());
    }
    let row = |results: Vec<Value>| {
        let mut values = Vec::with_capacity(key.len() + results.len());
        values.extend_from_slice(key);
        values.extend(results);
        values
    };
    let passes = |values: &[Value]| -> Result<bool, Failure> {
        match &plan.having {
            None => Ok(true),
            Some(h) => Ok(h.test(values)?),
        }
    };
    let (old, new) = (previous.map(row), current.map(row));
    let before = old.as_deref().map(passes).transpose()?.unwrap_or(false);
    let after = new.as_deref().map(passes).transpose()?.unwrap_or(false);
    match (old, new) {
        (None, Some(new)) if after => out.push(output(plan, RowKind::Insert, &new)?),
        (Some(old), None) if before => out.push(output(plan, RowKind::Delete, &old)?),
        (Some(old), Some(new)) => {
            if before && (plan.update_before || !after) {
                // An upsert sink ignores -U: a group that left HAVING is deleted.
                let kind = match plan.update_before {
                    true => RowKind::UpdateBefore,
                    false => RowKind::Delete,
                };
                out.push(output(plan, kind, &old)?);
            }
            if after {
                out.push(output(plan, RowKind::UpdateAfter, &new)?);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The sink's row for a group row.
fn output(plan: &AggregatePlan, kind: RowKind, group: &[Value]) -> Result<Row, Failure> {
    let mut values = Vec::with_capacity(plan.outputs.len());
    for (o, c) in plan.outputs.iter().zip(&plan.casts) {
        let v = o.eval(group)?;
        values.push(match c {
            Some(t) => cast(v, t)?,
            None => v,
        });
    }
    Ok(Row::new(kind, values))
}

/// Whether a DISTINCT call's value reaches its accumulator: an added value the first time it
/// is in the group, a retracted one when its last copy leaves.
fn distinct_passes(seen: &mut HashTable<(Value, u64)>, value: &Value, sign: i64) -> bool {
    if value.is_null() {
        return false;
    }
    let hash = hash_one(value);
    match seen.find_entry(hash, |(v, _)| v == value) {
        Ok(mut entry) => {
            if sign > 0 {
                entry.get_mut().1 += 1;
                return false;
            }
            entry.get_mut().1 -= 1;
            if entry.get().1 == 0 {
                entry.remove();
                return true;
            }
            false
        }
        Err(_) if sign > 0 => {
            seen.insert_unique(hash, (value.clone(), 1), |(v, _)| hash_one(v));
            true
        }
        Err(_) => false,
    }
}
