//! Values on the host side: text and JSON forms (print, csv, json formats), parsing them back
//! to declared types, casts, comparison and arithmetic.

use std::cmp::Ordering;

use connector_interface::text;
use connector_interface::{DataType, TypeKind, Value};

/// The text form of a value (`print`, `CAST(x AS STRING)`, CSV): the one rule set of
/// `connector-format`, shared with plugins.
pub use connector_format::to_text;

pub fn from_text(text: &str, t: &DataType) -> Result<Value, String> {
    let bad = || format!("cannot read '{text}' as {t}");
    let s = text.trim();
    if s.is_empty() && !matches!(t.kind, TypeKind::CHAR | TypeKind::VARCHAR) {
        return Ok(Value::Null);
    }
    Ok(match t.kind {
        TypeKind::CHAR | TypeKind::VARCHAR => Value::String(text.into()),
        TypeKind::BOOLEAN => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Value::Boolean(true),
            "false" | "0" => Value::Boolean(false),
            _ => return Err(bad()),
        },
        TypeKind::TINYINT => Value::TinyInt(s.parse().map_err(|_| bad())?),
        TypeKind::SMALLINT => Value::SmallInt(s.parse().map_err(|_| bad())?),
        TypeKind::INT => Value::Int(s.parse().map_err(|_| bad())?),
        TypeKind::BIGINT => Value::BigInt(s.parse().map_err(|_| bad())?),
        TypeKind::FLOAT => Value::Float(s.parse().map_err(|_| bad())?),
        TypeKind::DOUBLE => Value::Double(s.parse().map_err(|_| bad())?),
        TypeKind::DECIMAL => decimal(s, t).ok_or_else(bad)?,
        TypeKind::DATE => Value::Date(text::parse_date(s).ok_or_else(bad)?),
        TypeKind::TIME => Value::Time(text::parse_time(s).ok_or_else(bad)?),
        TypeKind::TIMESTAMP => Value::Timestamp(text::parse_timestamp(s).ok_or_else(bad)?),
        TypeKind::TIMESTAMP_LTZ => Value::TimestampLtz(text::parse_timestamp(s).ok_or_else(bad)?),
        TypeKind::BINARY | TypeKind::VARBINARY => Value::Bytes(text.as_bytes().to_vec().into()),
        _ => return Err(bad()),
    })
}

/// Reads a JSON value as the declared type: the one rule set of `connector-format`, which
/// follows Flink's json format.
pub fn from_json(json: &serde_json::Value, t: &DataType) -> Result<Value, String> {
    connector_format::from_json(json, t)
}

fn decimal(s: &str, t: &DataType) -> Option<Value> {
    text::parse_decimal(s, t.precision, t.scale).map(Value::Decimal)
}

/// A hash of a row of values (for grouping equal keys without turning them into text).
pub fn hash_values(values: &[Value]) -> u64 {
    hash_iter(values.iter())
}

/// A hash of values, such as the key columns of a row (equal values, equal hashes).
pub fn hash_iter<'a>(values: impl Iterator<Item = &'a Value>) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    fn feed(v: &Value, h: &mut impl Hasher) {
        match v {
            Value::Null => 0u8.hash(h),
            Value::Boolean(b) => b.hash(h),
            Value::TinyInt(x) => i64::from(*x).hash(h),
            Value::SmallInt(x) => i64::from(*x).hash(h),
            Value::Int(x) => i64::from(*x).hash(h),
            Value::BigInt(x) => x.hash(h),
            Value::Float(x) => x.to_bits().hash(h),
            Value::Double(x) => x.to_bits().hash(h),
            Value::Decimal(d) => d.hash(h),
            Value::String(s) => s.as_str().hash(h),
            Value::Bytes(b) => b.as_slice().hash(h),
            Value::Date(d) => d.hash(h),
            Value::Time(t) => t.hash(h),
            Value::Timestamp(t) | Value::TimestampLtz(t) => t.hash(h),
            Value::Array(items) | Value::Row(items) => items.iter().for_each(|i| feed(i, h)),
            Value::Map(entries) => entries.iter().for_each(|e| {
                feed(&e.key, h);
                feed(&e.value, h);
            }),
            Value::Other(o) => o.payload.as_slice().hash(h),
        }
    }
    // A fixed seed: equal keys go to the same subtask in every run.
    let mut h = foldhash::fast::FixedState::with_seed(0x6a6f_696e_6b65_7973).build_hasher();
    for v in values {
        feed(v, &mut h);
    }
    h.finish()
}

/// A number as f64 (for comparison and floating arithmetic).
pub fn as_f64(value: &Value) -> Option<f64> {
    Some(match value {
        Value::TinyInt(v) => f64::from(*v),
        Value::SmallInt(v) => f64::from(*v),
        Value::Int(v) => f64::from(*v),
        Value::BigInt(v) => *v as f64,
        Value::Float(v) => f64::from(*v),
        Value::Double(v) => *v,
        Value::Decimal(d) => d.unscaled() as f64 / 10f64.powi(i32::from(d.scale)),
        _ => return None,
    })
}

/// An integer as i64.
pub fn as_i64(value: &Value) -> Option<i64> {
    Some(match value {
        Value::TinyInt(v) => i64::from(*v),
        Value::SmallInt(v) => i64::from(*v),
        Value::Int(v) => i64::from(*v),
        Value::BigInt(v) => *v,
        _ => return None,
    })
}

pub fn is_numeric(t: &DataType) -> bool {
    matches!(
        t.kind,
        TypeKind::TINYINT
            | TypeKind::SMALLINT
            | TypeKind::INT
            | TypeKind::BIGINT
            | TypeKind::FLOAT
            | TypeKind::DOUBLE
            | TypeKind::DECIMAL
    )
}

pub fn is_integer(t: &DataType) -> bool {
    matches!(
        t.kind,
        TypeKind::TINYINT | TypeKind::SMALLINT | TypeKind::INT | TypeKind::BIGINT
    )
}

pub fn is_string(t: &DataType) -> bool {
    matches!(t.kind, TypeKind::CHAR | TypeKind::VARCHAR)
}

/// Compares two non-NULL values of comparable types.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.as_str().cmp(y.as_str())),
        (Value::Boolean(x), Value::Boolean(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        (Value::Timestamp(x), Value::Timestamp(y))
        | (Value::TimestampLtz(x), Value::TimestampLtz(y)) => Some(x.cmp(y)),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.as_slice().cmp(y.as_slice())),
        _ => match (as_i64(a), as_i64(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            // DECIMALs exactly, against each other and integers; the rest as doubles.
            _ => crate::decimal::compare(a, b).or_else(|| as_f64(a)?.partial_cmp(&as_f64(b)?)),
        },
    }
}

/// Whether `cast(value, to)` is the value itself: NULL, or a value already of the type.
pub fn cast_is_identity(value: &Value, to: &DataType) -> bool {
    match value {
        Value::Null => true,
        Value::String(_) => is_string(to),
        Value::BigInt(_) => to.kind == TypeKind::BIGINT,
        Value::Int(_) => to.kind == TypeKind::INT,
        Value::SmallInt(_) => to.kind == TypeKind::SMALLINT,
        Value::TinyInt(_) => to.kind == TypeKind::TINYINT,
        Value::Double(_) => to.kind == TypeKind::DOUBLE,
        Value::Boolean(_) => to.kind == TypeKind::BOOLEAN,
        _ => false,
    }
}

/// `CAST(x AS t)` as Flink does it: [`cast`], a BOOLEAN as `TRUE` / `FALSE`, a TIMESTAMP(p)
/// with p fraction digits, and for `VARCHAR(n)` the text cut to `n`
/// characters, for `CHAR(n)` cut or padded with spaces to `n`. (Inserting into such a column
/// keeps the text whole, as Flink's default `table.exec.sink.type-length-enforcer` = `IGNORE`.)
pub fn cast_sql(value: Value, from: &DataType, to: &DataType) -> Result<Value, String> {
    // Flink's CAST of a BOOLEAN to text is upper case (its print connector writes `true`).
    // To text: the format crate's CAST text (BOOLEAN `TRUE`, TIMESTAMP(p) with p digits).
    let value = match value {
        Value::Boolean(_) | Value::Timestamp(_) | Value::TimestampLtz(_) if is_string(to) => {
            let mut text = Vec::new();
            connector_format::write_cast_text(&mut text, &value, from);
            Value::String(String::from_utf8_lossy(&text).as_ref().into())
        }
        other => cast(other, to)?,
    };
    // A CAST to TIMESTAMP(p) keeps p fraction digits, cutting the rest, as Flink.
    let value = match value {
        Value::Timestamp(mut ts) | Value::TimestampLtz(mut ts)
            if matches!(to.kind, TypeKind::TIMESTAMP | TypeKind::TIMESTAMP_LTZ)
                && to.precision < 9 =>
        {
            let unit = 10u32.pow(9 - to.precision);
            ts.nanos -= ts.nanos % unit;
            match to.kind {
                TypeKind::TIMESTAMP => Value::Timestamp(ts),
                _ => Value::TimestampLtz(ts),
            }
        }
        other => other,
    };
    let sized = matches!(to.kind, TypeKind::CHAR | TypeKind::VARCHAR) && to.precision != u32::MAX;
    let Value::String(text) = &value else {
        return Ok(value);
    };
    if !sized {
        return Ok(value);
    }
    let n = to.precision as usize;
    let mut cut: String = text.chars().take(n).collect();
    if to.kind == TypeKind::CHAR {
        let missing = n.saturating_sub(cut.chars().count());
        cut.extend(std::iter::repeat_n(' ', missing));
    }
    Ok(Value::String(cut.as_str().into()))
}

/// Casts a value to a type (inserting into a wider column; `CAST` is [`cast_sql`]).
pub fn cast(value: Value, to: &DataType) -> Result<Value, String> {
    // A value already of the type is itself (no copy of a string).
    if cast_is_identity(&value, to) {
        return Ok(value);
    }
    if is_string(to) {
        return Ok(Value::String(to_text(&value).as_str().into()));
    }
    if is_integer(to) {
        // As Java (and Flink): a float is first cut to the INT range (to BIGINT's for BIGINT),
        // saturating; an integer is then narrowed by wrapping.
        let from_float = |f: f64| match to.kind {
            TypeKind::BIGINT => f as i64,
            _ => i64::from(f as i32),
        };
        if let Some(v) = as_i64(&value).or_else(|| as_f64(&value).map(from_float)) {
            return Ok(match to.kind {
                TypeKind::TINYINT => Value::TinyInt(v as i8),
                TypeKind::SMALLINT => Value::SmallInt(v as i16),
                TypeKind::INT => Value::Int(v as i32),
                _ => Value::BigInt(v),
            });
        }
    }
    if to.kind == TypeKind::DOUBLE || to.kind == TypeKind::FLOAT {
        if let Some(v) = as_f64(&value) {
            return Ok(if to.kind == TypeKind::DOUBLE {
                Value::Double(v)
            } else {
                Value::Float(v as f32)
            });
        }
    }
    // To DECIMAL(p, s) as Flink: rounded half up to s; NULL when too large for p.
    if to.kind == TypeKind::DECIMAL {
        if let Some(v) = crate::decimal::cast(&value, to.precision, to.scale) {
            return Ok(v);
        }
        let text = match &value {
            Value::Double(v) if v.is_finite() => Some(format!("{v}")),
            Value::Float(v) if v.is_finite() => Some(format!("{v}")),
            Value::Double(_) | Value::Float(_) => return Ok(Value::Null),
            _ => None,
        };
        if let Some(text) = text {
            return Ok(
                connector_interface::text::parse_decimal(&text, to.precision, to.scale)
                    .map_or(Value::Null, Value::Decimal),
            );
        }
    }
    // Between the time types as Flink: a timestamp's date or time of day; a date at midnight.
    match (&value, to.kind) {
        (Value::Timestamp(ts), TypeKind::DATE) => {
            return Ok(Value::Date(ts.seconds.div_euclid(86_400) as i32))
        }
        (Value::Timestamp(ts), TypeKind::TIME) => {
            let nanos = ts.seconds.rem_euclid(86_400) * 1_000_000_000 + i64::from(ts.nanos);
            let unit = 10i64.pow(9 - to.precision.min(9));
            return Ok(Value::Time(nanos - nanos % unit));
        }
        (Value::Date(days), TypeKind::TIMESTAMP) => {
            return Ok(Value::Timestamp(connector_interface::Timestamp {
                seconds: i64::from(*days) * 86_400,
                nanos: 0,
            }))
        }
        _ => {}
    }
    if to.kind == TypeKind::TIMESTAMP_LTZ {
        if let Value::Timestamp(ts) = value {
            return Ok(Value::TimestampLtz(ts));
        }
    }
    if to.kind == TypeKind::TIMESTAMP {
        if let Value::TimestampLtz(ts) = value {
            return Ok(Value::Timestamp(ts));
        }
    }
    from_text(&to_text(&value), to)
}

/// Whether a value of type `from` can be written into a column of type `to` without an
/// explicit CAST.
pub fn assignable(from: &DataType, to: &DataType) -> bool {
    from.kind == to.kind
        || (is_string(from) && is_string(to))
        || (is_numeric(from) && is_numeric(to) && rank(from) <= rank(to))
        || (from.kind == TypeKind::BINARY && to.kind == TypeKind::VARBINARY)
        || (from.kind == TypeKind::TIMESTAMP && to.kind == TypeKind::TIMESTAMP_LTZ)
        || (from.kind == TypeKind::TIMESTAMP_LTZ && to.kind == TypeKind::TIMESTAMP)
}

fn rank(t: &DataType) -> u8 {
    match t.kind {
        TypeKind::TINYINT => 1,
        TypeKind::SMALLINT => 2,
        TypeKind::INT => 3,
        TypeKind::BIGINT => 4,
        TypeKind::DECIMAL => 5,
        TypeKind::FLOAT => 6,
        _ => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_through_declared_types() {
        let ts = DataType {
            precision: 3,
            ..DataType::new(TypeKind::TIMESTAMP)
        };
        let v = from_text("2024-01-02 03:04:05.5", &ts).unwrap();
        assert_eq!(to_text(&v), "2024-01-02 03:04:05.5");
        let dec = DataType {
            precision: 10,
            scale: 2,
            ..DataType::new(TypeKind::DECIMAL)
        };
        assert_eq!(to_text(&from_text("12.345", &dec).unwrap()), "12.35");
        assert_eq!(
            from_text("", &DataType::new(TypeKind::INT)).unwrap(),
            Value::Null
        );
        assert!(from_text("x", &DataType::new(TypeKind::INT))
            .unwrap_err()
            .contains("cannot read 'x' as INT"));
    }

    #[test]
    fn casts_and_comparisons() {
        assert_eq!(
            cast(Value::Int(42), &DataType::string()).unwrap(),
            Value::from("42")
        );
        assert_eq!(
            cast(Value::from("7"), &DataType::new(TypeKind::BIGINT)).unwrap(),
            Value::BigInt(7)
        );
        assert_eq!(
            compare(&Value::Int(2), &Value::Double(1.5)),
            Some(Ordering::Greater)
        );
    }
}
