//! The accumulators of the aggregate functions, as Flink's (`COUNT`, `SUM`, `AVG`, `MIN`,
//! `MAX`, each with retraction): the same arithmetic in the same types, so the same values.
//!
//! - `COUNT(*)` counts rows, `COUNT(x)` the rows where `x` is not NULL.
//! - `SUM` adds in its result type (an INT sum wraps as Java's `int`); NULL when no non-NULL
//!   value is left. A DECIMAL(p, s) sum is a DECIMAL(38, s).
//! - `AVG` sums in BIGINT for integers (the result is cut toward zero into the argument's
//!   type), in DOUBLE for FLOAT and DOUBLE; a DECIMAL(p, s) average is a DECIMAL(38, max(6, s))
//!   rounded half up.
//! - `MIN` / `MAX` keep every value with its count when the input retracts (a retracted
//!   minimum gives way to the next), and only the extreme when it cannot.

use std::cmp::Ordering;

use connector_interface::{Decimal, TypeKind, Value};

use crate::job::plan::AggregateCall;
use crate::sql::ast::AggregateFunction;
use crate::values::{as_f64, as_i64, compare};

/// A sum in its arithmetic: integers in `i64` (wrapping), floats in `f64`, decimals as an
/// unscaled `i128` at the argument's scale.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
    Decimal(i128),
}

/// One aggregate's state in one group.
#[derive(Debug, Clone)]
pub(crate) enum Acc {
    Count(i64),
    /// `SUM` and `AVG`: the sum and how many non-NULL values it holds.
    Sum {
        sum: Number,
        n: i64,
    },
    /// `MIN` / `MAX` over a retracting input: each value with its count, in order.
    Values(Vec<(Value, u64)>),
    /// `MIN` / `MAX` over an input that only inserts: the extreme so far.
    Extreme(Value),
}

/// The unscaled value of a DECIMAL at `scale` (a value at another scale is rescaled).
fn unscaled(v: &Value, scale: u32) -> i128 {
    match v {
        Value::Decimal(d) => rescale(d.unscaled(), u32::from(d.scale), scale),
        other => rescale(i128::from(as_i64(other).unwrap_or(0)), 0, scale),
    }
}

fn rescale(unscaled: i128, from: u32, to: u32) -> i128 {
    match from.cmp(&to) {
        Ordering::Equal => unscaled,
        Ordering::Less => unscaled.wrapping_mul(10i128.pow(to - from)),
        Ordering::Greater => divide_half_up(unscaled, 10i128.pow(from - to)),
    }
}

/// `a / b` rounded half up (away from zero at a half), as Java's `RoundingMode.HALF_UP`.
fn divide_half_up(a: i128, b: i128) -> i128 {
    let (q, r) = (a / b, a % b);
    if r.unsigned_abs() * 2 >= b.unsigned_abs() {
        q + if (a < 0) == (b < 0) { 1 } else { -1 }
    } else {
        q
    }
}

impl Acc {
    /// A new accumulator for `call`; `retracts` when its input can retract rows.
    pub(crate) fn new(call: &AggregateCall, retracts: bool) -> Acc {
        match call.function {
            AggregateFunction::Count => Acc::Count(0),
            AggregateFunction::Sum | AggregateFunction::Avg => Acc::Sum {
                sum: match call.input_type.kind {
                    TypeKind::FLOAT | TypeKind::DOUBLE => Number::Float(0.0),
                    TypeKind::DECIMAL => Number::Decimal(0),
                    _ => Number::Int(0),
                },
                n: 0,
            },
            AggregateFunction::Min | AggregateFunction::Max if retracts => Acc::Values(Vec::new()),
            AggregateFunction::Min | AggregateFunction::Max => Acc::Extreme(Value::Null),
        }
    }

    /// Adds (`sign` 1) or retracts (`sign` -1) one value of the argument (`Value::Null` for
    /// `COUNT(*)`, which counts rows: the caller passes it a non-NULL marker).
    pub(crate) fn update(&mut self, call: &AggregateCall, value: &Value, sign: i64) {
        if value.is_null() {
            return;
        }
        match self {
            Acc::Count(c) => *c += sign,
            Acc::Sum { sum, n } => {
                *n += sign;
                *sum = match *sum {
                    Number::Int(s) => {
                        let v = as_i64(value).unwrap_or(0);
                        Number::Int(s.wrapping_add(v.wrapping_mul(sign)))
                    }
                    Number::Float(s) => {
                        let v = as_f64(value).unwrap_or(0.0) * sign as f64;
                        // SUM(FLOAT) adds in FLOAT, as Java's float arithmetic; AVG in DOUBLE.
                        if call.input_type.kind == TypeKind::FLOAT
                            && call.function == AggregateFunction::Sum
                        {
                            Number::Float(f64::from(s as f32 + v as f32))
                        } else {
                            Number::Float(s + v)
                        }
                    }
                    Number::Decimal(s) => {
                        let v = unscaled(value, call.input_type.scale);
                        Number::Decimal(s.wrapping_add(v * i128::from(sign)))
                    }
                };
            }
            Acc::Values(values) => {
                let at =
                    values.binary_search_by(|(v, _)| compare(v, value).unwrap_or(Ordering::Equal));
                match (at, sign > 0) {
                    (Ok(i), true) => values[i].1 += 1,
                    (Err(i), true) => values.insert(i, (value.clone(), 1)),
                    (Ok(i), false) => {
                        values[i].1 -= 1;
                        if values[i].1 == 0 {
                            values.remove(i);
                        }
                    }
                    // A retraction of a value never added: nothing to take away.
                    (Err(_), false) => {}
                }
            }
            Acc::Extreme(current) => {
                let wanted = match call.function {
                    AggregateFunction::Min => Ordering::Less,
                    _ => Ordering::Greater,
                };
                if current.is_null() || compare(value, current) == Some(wanted) {
                    *current = value.clone();
                }
            }
        }
    }

    /// The aggregate's value now, in its result type.
    pub(crate) fn value(&self, call: &AggregateCall) -> Value {
        let kind = call.input_type.kind;
        match self {
            Acc::Count(c) => Value::BigInt(*c),
            Acc::Sum { n: 0, .. } => Value::Null,
            Acc::Sum { sum, n } => {
                let average = call.function == AggregateFunction::Avg;
                match *sum {
                    Number::Int(s) => {
                        let v = if average { s.wrapping_div(*n) } else { s };
                        match kind {
                            TypeKind::TINYINT => Value::TinyInt(v as i8),
                            TypeKind::SMALLINT => Value::SmallInt(v as i16),
                            TypeKind::INT => Value::Int(v as i32),
                            _ => Value::BigInt(v),
                        }
                    }
                    Number::Float(s) => {
                        let v = if average { s / *n as f64 } else { s };
                        match kind {
                            TypeKind::FLOAT => Value::Float(v as f32),
                            _ => Value::Double(v),
                        }
                    }
                    Number::Decimal(s) => {
                        let (from, to) = (call.input_type.scale, call.result.scale);
                        let v = match average {
                            true => divide_half_up(rescale(s, from, to), i128::from(*n)),
                            false => s,
                        };
                        Value::Decimal(Decimal::new(v, call.result.precision as u8, to as u8))
                    }
                }
            }
            Acc::Values(values) => {
                let extreme = match call.function {
                    AggregateFunction::Min => values.first(),
                    _ => values.last(),
                };
                extreme.map_or(Value::Null, |(v, _)| v.clone())
            }
            Acc::Extreme(v) => v.clone(),
        }
    }

    /// Bytes this accumulator holds on the heap (for the state size the job reports).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Acc::Values(values) => {
                values.capacity() * std::mem::size_of::<(Value, u64)>()
                    + values
                        .iter()
                        .map(|(v, _)| value_heap_bytes(v))
                        .sum::<usize>()
            }
            Acc::Extreme(v) => value_heap_bytes(v),
            _ => 0,
        }
    }
}

/// Bytes a value holds on the heap (a string's or a byte string's capacity).
pub(crate) fn value_heap_bytes(v: &Value) -> usize {
    match v {
        Value::String(s) => s.capacity(),
        Value::Bytes(b) => b.capacity(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_division_rounds_half_up_as_java() {
        assert_eq!(divide_half_up(25, 10), 3);
        assert_eq!(divide_half_up(-25, 10), -3);
        assert_eq!(divide_half_up(24, 10), 2);
        assert_eq!(divide_half_up(-24, 10), -2);
        assert_eq!(rescale(255, 2, 6), 2_550_000);
        assert_eq!(rescale(12_345, 3, 1), 123);
    }
}
