//! DECIMAL arithmetic as Flink 1.20 does it: literals such as `0.1` are `DECIMAL(1, 1)`; the
//! result type of `+ - * / %` follows Flink's `LogicalTypeMerging` (SQL Server's rules, at most
//! 38 digits, a scale of at least 6 kept when digits run out); results are exact and rounded
//! half up to the result's scale; a result too large for its precision is NULL. An integer
//! operand counts as the DECIMAL that holds it (`INT` as `DECIMAL(10, 0)`), a FLOAT or DOUBLE
//! operand makes the operation DOUBLE (the caller's case).

use std::cmp::Ordering;

use connector_interface::{DataType, Decimal, TypeKind, Value};

use crate::sql::ast::BinaryOp;

const MAX_PRECISION: u32 = 38;
/// The scale Flink keeps at least when a result needs more than 38 digits.
const MINIMUM_ADJUSTED_SCALE: u32 = 6;

/// A decimal type.
pub fn decimal_type(precision: u32, scale: u32) -> DataType {
    DataType {
        precision,
        scale,
        ..DataType::new(TypeKind::DECIMAL)
    }
}

/// The DECIMAL(p, s) an exact numeric type is, for arithmetic (None for other types).
pub fn as_decimal_type(t: &DataType) -> Option<(u32, u32)> {
    Some(match t.kind {
        TypeKind::TINYINT => (3, 0),
        TypeKind::SMALLINT => (5, 0),
        TypeKind::INT => (10, 0),
        TypeKind::BIGINT => (19, 0),
        TypeKind::DECIMAL => (t.precision, t.scale),
        _ => return None,
    })
}

/// Flink's `adjustPrecisionScale`: a precision beyond 38 gives up scale, down to 6 digits.
fn adjust(precision: u32, scale: u32) -> DataType {
    if precision <= MAX_PRECISION {
        return decimal_type(precision.max(1), scale);
    }
    let integer_digits = precision - scale;
    let min_scale = scale.min(MINIMUM_ADJUSTED_SCALE);
    let scale = MAX_PRECISION.saturating_sub(integer_digits).max(min_scale);
    decimal_type(MAX_PRECISION, scale)
}

/// The result type of an arithmetic operator on two exact types, one of them DECIMAL.
pub fn result_type(op: BinaryOp, (p1, s1): (u32, u32), (p2, s2): (u32, u32)) -> DataType {
    match op {
        BinaryOp::Add | BinaryOp::Sub => {
            let scale = s1.max(s2);
            adjust((p1 - s1).max(p2 - s2) + scale + 1, scale)
        }
        BinaryOp::Mul => adjust(p1 + p2 + 1, s1 + s2),
        BinaryOp::Div => {
            let scale = MINIMUM_ADJUSTED_SCALE.max(s1 + p2 + 1);
            adjust(p1 - s1 + s2 + scale, scale)
        }
        _ => {
            let scale = s1.max(s2);
            adjust((p1 - s1).min(p2 - s2) + scale, scale)
        }
    }
}

/// A numeric literal with a point and no exponent as Flink types it: `12.50` is
/// `DECIMAL(4, 2)`, `0.05` `DECIMAL(2, 2)`. None when it needs more than 38 digits.
pub fn literal(text: &str) -> Option<Decimal> {
    let (int, frac) = text.split_once('.')?;
    let scale = frac.len() as u32;
    let digits = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0').len() as u32;
    let precision = significant.max(scale).max(1);
    if precision > MAX_PRECISION {
        return None;
    }
    connector_interface::text::parse_decimal(text, precision, scale)
}

/// The unscaled value of an exact number at `scale` (None when it does not fit in 128 bits).
fn unscaled_at(v: &Value, scale: u32) -> Option<i128> {
    let (unscaled, from) = match v {
        Value::TinyInt(x) => (i128::from(*x), 0),
        Value::SmallInt(x) => (i128::from(*x), 0),
        Value::Int(x) => (i128::from(*x), 0),
        Value::BigInt(x) => (i128::from(*x), 0),
        Value::Decimal(d) => (d.unscaled(), u32::from(d.scale)),
        _ => return None,
    };
    rescale(unscaled, from, scale)
}

/// `unscaled` at scale `from` moved to scale `to`, rounded half up (away from zero at .5).
fn rescale(unscaled: i128, from: u32, to: u32) -> Option<i128> {
    if to >= from {
        unscaled.checked_mul(10i128.checked_pow(to - from)?)
    } else {
        Some(divide_half_up(unscaled, 10i128.checked_pow(from - to)?))
    }
}

/// `a / b` rounded half up (as Java's `RoundingMode.HALF_UP`); `b` is not 0.
fn divide_half_up(a: i128, b: i128) -> i128 {
    let (q, r) = (a / b, a % b);
    if r.unsigned_abs() * 2 >= b.unsigned_abs() {
        q + if (a < 0) == (b < 0) { 1 } else { -1 }
    } else {
        q
    }
}

/// `l op r` for exact operands (integers or DECIMALs, neither NULL) into the DECIMAL type `t`:
/// NULL when the result does not fit `t` (as Flink), an error for a division by zero.
pub fn eval(op: BinaryOp, l: &Value, r: &Value, t: &DataType) -> Result<Value, String> {
    let (ls, rs, scale) = (scale_of(l), scale_of(r), t.scale);
    if matches!(op, BinaryOp::Div | BinaryOp::Mod) && unscaled_at(r, rs) == Some(0) {
        return Err("division by zero".to_string());
    }
    let exact = || -> Option<i128> {
        match op {
            BinaryOp::Add => unscaled_at(l, scale)?.checked_add(unscaled_at(r, scale)?),
            BinaryOp::Sub => unscaled_at(l, scale)?.checked_sub(unscaled_at(r, scale)?),
            BinaryOp::Mul => {
                let product = unscaled_at(l, ls)?.checked_mul(unscaled_at(r, rs)?)?;
                rescale(product, ls + rs, scale)
            }
            // l / r at `scale`: l's unscaled value at scale + rs, divided by r's.
            BinaryOp::Div => Some(divide_half_up(
                unscaled_at(l, scale + rs)?,
                unscaled_at(r, rs)?,
            )),
            _ => Some(unscaled_at(l, scale)? % unscaled_at(r, scale)?),
        }
    };
    Ok(fitted(exact(), t.precision, t.scale))
}

/// `CAST(v AS DECIMAL(p, s))` for an exact number (an integer or a DECIMAL), rounded half up to
/// s, NULL when it does not fit p; None for other values.
pub fn cast(v: &Value, precision: u32, scale: u32) -> Option<Value> {
    if !matches!(
        v,
        Value::TinyInt(_)
            | Value::SmallInt(_)
            | Value::Int(_)
            | Value::BigInt(_)
            | Value::Decimal(_)
    ) {
        return None;
    }
    Some(fitted(unscaled_at(v, scale), precision, scale))
}

/// A DECIMAL(p, s) of an unscaled value at s; NULL when there is none or it needs more than p
/// digits.
fn fitted(unscaled: Option<i128>, precision: u32, scale: u32) -> Value {
    let limit = 10i128.pow(precision.clamp(1, MAX_PRECISION));
    match unscaled {
        Some(v) if v.abs() < limit => Value::Decimal(Decimal::new(v, precision as u8, scale as u8)),
        _ => Value::Null,
    }
}

fn scale_of(v: &Value) -> u32 {
    match v {
        Value::Decimal(d) => u32::from(d.scale),
        _ => 0,
    }
}

/// `-d`, in its own type.
pub fn negate(d: &Decimal) -> Value {
    Value::Decimal(Decimal::new(-d.unscaled(), d.precision, d.scale))
}

/// Compares two exact numbers (integers or DECIMALs) without rounding; None for other values.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if !matches!(a, Value::Decimal(_)) && !matches!(b, Value::Decimal(_)) {
        return None;
    }
    let scale = scale_of(a).max(scale_of(b));
    Some(unscaled_at(a, scale)?.cmp(&unscaled_at(b, scale)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Value {
        Value::Decimal(literal(text).unwrap())
    }

    #[test]
    fn literals_are_typed_as_flink_types_them() {
        let d = literal("12.50").unwrap();
        assert_eq!((d.precision, d.scale, d.unscaled()), (4, 2, 1250));
        let d = literal("0.05").unwrap();
        assert_eq!((d.precision, d.scale), (2, 2));
        let d = literal("0.1").unwrap();
        assert_eq!((d.precision, d.scale), (1, 1));
    }

    #[test]
    fn result_types_follow_flinks_derivation() {
        let t = |op, a, b| {
            let t = result_type(op, a, b);
            (t.precision, t.scale)
        };
        assert_eq!(t(BinaryOp::Add, (1, 1), (1, 1)), (2, 1));
        assert_eq!(t(BinaryOp::Mul, (10, 2), (10, 0)), (21, 2));
        assert_eq!(t(BinaryOp::Div, (2, 1), (10, 0)), (13, 12));
        assert_eq!(t(BinaryOp::Div, (10, 0), (2, 1)), (17, 6));
        assert_eq!(t(BinaryOp::Mod, (2, 1), (10, 0)), (2, 1));
        assert_eq!(t(BinaryOp::Mul, (38, 0), (10, 0)), (38, 0));
        assert_eq!(t(BinaryOp::Div, (38, 10), (38, 10)), (38, 6));
    }

    #[test]
    fn results_are_exact_and_rounded_half_up() {
        let run = |op, a: &Value, b: &Value| {
            let ta = as_decimal_type(&type_of(a)).unwrap();
            let tb = as_decimal_type(&type_of(b)).unwrap();
            crate::values::to_text(&eval(op, a, b, &result_type(op, ta, tb)).unwrap())
        };
        assert_eq!(run(BinaryOp::Add, &dec("0.1"), &dec("0.2")), "0.3");
        assert_eq!(
            run(BinaryOp::Div, &dec("1.0"), &Value::Int(3)),
            "0.333333333333"
        );
        assert_eq!(
            run(BinaryOp::Div, &dec("2.0"), &Value::Int(3)),
            "0.666666666667"
        );
        assert_eq!(
            run(BinaryOp::Div, &dec("-2.0"), &Value::Int(3)),
            "-0.666666666667"
        );
        assert_eq!(run(BinaryOp::Mod, &dec("7.5"), &Value::Int(2)), "1.5");
        assert_eq!(run(BinaryOp::Mul, &dec("19.99"), &Value::Int(3)), "59.97");
        assert!(eval(
            BinaryOp::Div,
            &dec("1.0"),
            &Value::Int(0),
            &decimal_type(13, 12)
        )
        .is_err());
        assert_eq!(
            compare(&dec("1.50"), &Value::Int(1)),
            Some(Ordering::Greater)
        );
    }

    fn type_of(v: &Value) -> DataType {
        match v {
            Value::Decimal(d) => decimal_type(u32::from(d.precision), u32::from(d.scale)),
            _ => DataType::new(TypeKind::INT),
        }
    }
}
