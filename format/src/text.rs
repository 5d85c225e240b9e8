//! The text form of a value: strings as they are, integers and decimals in decimal, FLOAT and
//! DOUBLE as Java (and so Flink 1.20's `CAST(x AS STRING)` and `print`) writes them (`1.0`,
//! `1000.0`, `1.5E-7`, `1.0E21`, `NaN`, `Infinity`), booleans `true` / `false`, dates `2020-01-31`, times `12:00:00.5`, timestamps `2020-01-31 12:00:00.5` (with
//! local time zone: `2020-01-31T12:00:00.5Z`), bytes as they are, nested values as JSON;
//! NULL is no text at all.

use std::io::Write as _;

use connector_interface::text;
use connector_interface::Value;

use crate::json::write_json;

/// Appends a value's text form to `out`.
pub fn write_text(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => {}
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::TinyInt(v) => write_int(out, i64::from(*v)),
        Value::SmallInt(v) => write_int(out, i64::from(*v)),
        Value::Int(v) => write_int(out, i64::from(*v)),
        Value::BigInt(v) => write_int(out, *v),
        Value::Float(v) => write_java_float(out, f64::from(*v), *v),
        Value::Double(v) => write_java_float(out, *v, *v),
        Value::Decimal(d) => {
            let _ = write!(out, "{d}");
        }
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        Value::Bytes(b) => out.extend_from_slice(b),
        Value::Date(days) => out.extend_from_slice(text::format_date(*days).as_bytes()),
        Value::Time(nanos) => out.extend_from_slice(text::format_time(*nanos).as_bytes()),
        Value::Timestamp(ts) => {
            out.extend_from_slice(text::format_timestamp(ts, ' ', false).as_bytes())
        }
        Value::TimestampLtz(ts) => {
            out.extend_from_slice(text::format_timestamp(ts, 'T', true).as_bytes())
        }
        Value::Array(_) | Value::Map(_) | Value::Row(_) | Value::Other(_) => write_json(out, value),
    }
}

/// Appends the text Flink 1.20's `CAST(x AS STRING)` gives for a value of type `t`: the text
/// form, except a BOOLEAN `TRUE` / `FALSE` and a TIMESTAMP(p) or TIMESTAMP_LTZ(p) in the SQL
/// form with exactly p fraction digits (`2020-01-02 03:04:05.500`; TIMESTAMP_LTZ in UTC).
pub fn write_cast_text(out: &mut Vec<u8>, value: &Value, t: &connector_interface::DataType) {
    use connector_interface::TypeKind;
    match value {
        Value::Boolean(b) => out.extend_from_slice(if *b { b"TRUE" } else { b"FALSE" }),
        Value::Timestamp(ts) | Value::TimestampLtz(ts)
            if matches!(t.kind, TypeKind::TIMESTAMP | TypeKind::TIMESTAMP_LTZ) =>
        {
            let whole = connector_interface::Timestamp {
                seconds: ts.seconds,
                nanos: 0,
            };
            out.extend_from_slice(text::format_timestamp(&whole, ' ', false).as_bytes());
            let precision = t.precision.min(9) as usize;
            if precision > 0 {
                out.push(b'.');
                out.extend_from_slice(&format!("{:09}", ts.nanos).as_bytes()[..precision]);
            }
        }
        other => write_text(out, other),
    }
}

/// A value as Flink's `print` connector shows it: the text form, except that a TIMESTAMP and a
/// TIME are as Java's `LocalDateTime` / `LocalTime` `toString` writes them (`2020-01-01T00:00`,
/// `12:34`, `12:34:00.500`: seconds only when not zero, a fraction in 3, 6 or 9 digits only
/// when not zero), and a TIMESTAMP_LTZ as Java's `Instant` (`2020-01-01T00:00:00Z`, in UTC), as
/// in Flink 1.20.
pub fn to_print_text(value: &Value) -> String {
    match value {
        Value::Time(nanos) => java_local_time(*nanos),
        Value::Timestamp(ts) => {
            let days = ts.seconds.div_euclid(86_400);
            let nanos = ts.seconds.rem_euclid(86_400) * 1_000_000_000 + i64::from(ts.nanos);
            format!(
                "{}T{}",
                text::format_date(days as i32),
                java_local_time(nanos)
            )
        }
        // Java's `Instant.toString` (in UTC): seconds always, a fraction in 3, 6 or 9 digits.
        Value::TimestampLtz(ts) => {
            let days = ts.seconds.div_euclid(86_400);
            let secs = ts.seconds.rem_euclid(86_400);
            let mut time = java_local_time(secs * 1_000_000_000 + i64::from(ts.nanos));
            if time.len() == 5 {
                time.push_str(":00");
            }
            format!("{}T{time}Z", text::format_date(days as i32))
        }
        other => to_text(other),
    }
}

/// Java's `LocalTime.toString` of a time of day in nanoseconds.
fn java_local_time(nanos_of_day: i64) -> String {
    let secs = nanos_of_day.div_euclid(1_000_000_000);
    let nanos = nanos_of_day.rem_euclid(1_000_000_000);
    let mut out = format!("{:02}:{:02}", secs / 3600, (secs / 60) % 60);
    if secs % 60 > 0 || nanos > 0 {
        out.push_str(&format!(":{:02}", secs % 60));
    }
    if nanos > 0 {
        if nanos % 1_000_000 == 0 {
            out.push_str(&format!(".{:03}", nanos / 1_000_000));
        } else if nanos % 1_000 == 0 {
            out.push_str(&format!(".{:06}", nanos / 1_000));
        } else {
            out.push_str(&format!(".{nanos:09}"));
        }
    }
    out
}

/// A value's text form as a `String` (bytes that are not UTF-8 are replaced).
pub fn to_text(value: &Value) -> String {
    if let Value::String(s) = value {
        return s.to_string();
    }
    let mut out = Vec::new();
    write_text(&mut out, value);
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Java's `Double.toString` / `Float.toString` form of `v` (its shortest digits, as Rust's
/// `{}` and `{:e}` write them for its own type `F`): plain with at least one fraction digit for
/// 10^-3 <= |v| < 10^7, else `d.dddE±n`. Written straight into `out`, no allocation.
/// (Java 17's `Float.toString` sometimes prints more digits than the shortest, `1.23456792E8`
/// where this gives `1.2345679E8`, as Java 19 and later do.)
pub(crate) fn write_java_float<F: std::fmt::Display + std::fmt::LowerExp>(
    out: &mut Vec<u8>,
    v: f64,
    f: F,
) {
    if v.is_nan() {
        out.extend_from_slice(b"NaN");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"Infinity" } else { b"-Infinity" });
        return;
    }
    let start = out.len();
    let magnitude = v.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let _ = write!(out, "{f}");
        if !out[start..].contains(&b'.') {
            out.extend_from_slice(b".0");
        }
        return;
    }
    let _ = write!(out, "{f:e}");
    // `1.5e-7` -> `1.5E-7`, `1e21` -> `1.0E21`.
    let e = start + out[start..].iter().position(|b| *b == b'e').unwrap_or(0);
    out[e] = b'E';
    if !out[start..e].contains(&b'.') {
        out.splice(e..e, *b".0");
    }
}

fn write_int(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_interface::{Decimal, Timestamp};

    #[test]
    fn values_have_one_text_form() {
        let ts = Timestamp {
            seconds: 1_700_000_000,
            nanos: 120_000_000,
        };
        assert_eq!(to_text(&Value::Timestamp(ts)), "2023-11-14 22:13:20.12");
        assert_eq!(to_text(&Value::TimestampLtz(ts)), "2023-11-14T22:13:20.12Z");
        assert_eq!(to_text(&Value::Decimal(Decimal::new(-5, 10, 2))), "-0.05");
        assert_eq!(to_text(&Value::Bytes(b"ab".to_vec().into())), "ab");
        assert_eq!(to_text(&Value::Boolean(true)), "true");
        assert_eq!(to_text(&Value::Null), "");
        assert_eq!(to_text(&Value::String("".into())), "");
        assert_eq!(to_text(&Value::BigInt(i64::MIN)), "-9223372036854775808");
        assert_eq!(to_text(&Value::Date(19_723)), "2024-01-01");
        assert_eq!(to_text(&Value::Date(-1)), "1969-12-31");
        assert_eq!(to_text(&Value::Time(3_723_000_000_000)), "01:02:03");
        let tiny = Timestamp {
            seconds: 0,
            nanos: 5,
        };
        assert_eq!(
            to_text(&Value::TimestampLtz(tiny)),
            "1970-01-01T00:00:00.000000005Z"
        );
    }
}

#[cfg(test)]
mod java_floats {
    use super::*;

    #[test]
    fn cast_text_is_flinks_cast_to_string() {
        use connector_interface::{DataType, Timestamp, TypeKind};
        let cast = |v: &Value, t: &DataType| {
            let mut out = Vec::new();
            write_cast_text(&mut out, v, t);
            String::from_utf8(out).unwrap()
        };
        let ts = Timestamp {
            seconds: 1_577_934_245,
            nanos: 500_000_000,
        };
        let of = |kind, precision| DataType {
            precision,
            ..DataType::new(kind)
        };
        // As host/tests/flink/like_and_literals.out and timestamp_ltz.out (Flink 1.20.3).
        assert_eq!(
            cast(&Value::Timestamp(ts), &of(TypeKind::TIMESTAMP, 3)),
            "2020-01-02 03:04:05.500"
        );
        assert_eq!(
            cast(&Value::Timestamp(ts), &of(TypeKind::TIMESTAMP, 0)),
            "2020-01-02 03:04:05"
        );
        assert_eq!(
            cast(&Value::TimestampLtz(ts), &of(TypeKind::TIMESTAMP_LTZ, 3)),
            "2020-01-02 03:04:05.500"
        );
        assert_eq!(
            cast(&Value::Boolean(true), &of(TypeKind::BOOLEAN, 0)),
            "TRUE"
        );
        assert_eq!(cast(&Value::Int(7), &of(TypeKind::INT, 0)), "7");
    }

    #[test]
    fn floats_and_doubles_read_as_java_writes_them() {
        let double = |v: f64| to_text(&Value::Double(v));
        let float = |v: f32| to_text(&Value::Float(v));
        for (v, text) in [
            (1.0, "1.0"),
            (1000.0, "1000.0"),
            (9_999_999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (1.5e-7, "1.5E-7"),
            (0.001, "0.001"),
            (1e-4, "1.0E-4"),
            (1e21, "1.0E21"),
            (-2.5e-10, "-2.5E-10"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(double(v), text, "{v:?}");
        }
        assert_eq!(
            (float(0.1), float(0.5), float(3e10)),
            ("0.1".into(), "0.5".into(), "3.0E10".into())
        );
    }
}
