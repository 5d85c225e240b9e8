//! Text and JSON back to values of a declared column type: the inverse of `text.rs` and
//! `json.rs` (whatever is written reads back as the same value).

use abi_stable::std_types::RVec;
use connector_interface::text;
use connector_interface::{DataType, MapEntry, Timestamp, TypeKind, Value};

/// Why a value could not be converted: the expected type, for the caller's message.
pub type ParseError = String;

fn expected(t: &DataType) -> ParseError {
    format!("a {t} value")
}

/// Converts text (a raw string value or a hash field) to the declared type.
pub fn from_text(text: &[u8], t: &DataType) -> Result<Value, ParseError> {
    let kind = t.kind;
    if kind == TypeKind::BINARY || kind == TypeKind::VARBINARY {
        return Ok(Value::Bytes(RVec::from(text.to_vec())));
    }
    let s = std::str::from_utf8(text).map_err(|_| format!("{} (not UTF-8)", expected(t)))?;
    match kind {
        TypeKind::CHAR | TypeKind::VARCHAR => Ok(Value::String(s.into())),
        TypeKind::BOOLEAN => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Value::Boolean(true)),
            "false" | "0" => Ok(Value::Boolean(false)),
            _ => Err(expected(t)),
        },
        TypeKind::TINYINT | TypeKind::SMALLINT | TypeKind::INT | TypeKind::BIGINT => {
            integer(s.trim().parse::<i64>().map_err(|_| expected(t))?, t)
        }
        TypeKind::FLOAT => s
            .trim()
            .parse::<f32>()
            .map(Value::Float)
            .map_err(|_| expected(t)),
        TypeKind::DOUBLE => s
            .trim()
            .parse::<f64>()
            .map(Value::Double)
            .map_err(|_| expected(t)),
        TypeKind::DECIMAL => decimal(s.trim(), t).ok_or_else(|| expected(t)),
        TypeKind::DATE => text::parse_date(s.trim())
            .map(Value::Date)
            .ok_or_else(|| expected(t)),
        TypeKind::TIME => text::parse_time(s.trim())
            .map(Value::Time)
            .ok_or_else(|| expected(t)),
        TypeKind::TIMESTAMP => timestamp(s.trim())
            .map(Value::Timestamp)
            .ok_or_else(|| expected(t)),
        TypeKind::TIMESTAMP_LTZ => timestamp(s.trim())
            .map(Value::TimestampLtz)
            .ok_or_else(|| expected(t)),
        TypeKind::ARRAY | TypeKind::MAP | TypeKind::ROW => {
            let json: serde_json::Value = serde_json::from_str(s).map_err(|_| expected(t))?;
            from_json(&json, t)
        }
        _ => Err(expected(t)),
    }
}

/// A nested JSON value's text as Jackson (Flink's json format) writes it: compact, members in
/// their order, integers as written, fractions as Java's `Double.toString`.
fn write_nested_json(out: &mut Vec<u8>, json: &serde_json::Value) {
    use serde_json::Value as J;
    match json {
        J::Number(n) => {
            let text = n.to_string();
            match n.as_f64() {
                Some(f) if text.contains(['.', 'e', 'E']) => {
                    crate::text::write_java_float(out, f, f)
                }
                _ => out.extend_from_slice(text.as_bytes()),
            }
        }
        J::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_nested_json(out, item);
            }
            out.push(b']');
        }
        J::Object(members) => {
            out.push(b'{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                crate::json::write_json_string(out, name);
                out.push(b':');
                write_nested_json(out, value);
            }
            out.push(b'}');
        }
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

/// Converts a JSON value (a field of a JSON object value) to the declared type.
pub fn from_json(json: &serde_json::Value, t: &DataType) -> Result<Value, ParseError> {
    use serde_json::Value as J;
    match (json, t.kind) {
        (J::Null, _) => Ok(Value::Null),
        (J::String(s), TypeKind::BINARY | TypeKind::VARBINARY) => crate::json::base64_decode(s)
            .map(|b| Value::Bytes(RVec::from(b)))
            .ok_or_else(|| format!("{} (base64)", expected(t))),
        // As Flink's json format (Java's Boolean.parseBoolean): only "true", in any case, is
        // true; any other text is false.
        (J::String(s), TypeKind::BOOLEAN) => Ok(Value::Boolean(s.eq_ignore_ascii_case("true"))),
        (J::String(s), _) => from_text(s.as_bytes(), t),
        (J::Bool(b), TypeKind::BOOLEAN) => Ok(Value::Boolean(*b)),
        // A fraction read as an integer is cut toward zero, as Flink (1.5 is 1, -2.7 is -2).
        (
            J::Number(n),
            TypeKind::TINYINT | TypeKind::SMALLINT | TypeKind::INT | TypeKind::BIGINT,
        ) => {
            let whole = n.as_i64().or_else(|| n.as_f64().map(|f| f.trunc() as i64));
            integer(whole.ok_or_else(|| expected(t))?, t)
        }
        (J::Number(n), TypeKind::FLOAT) => Ok(Value::Float(n.as_f64().unwrap_or(f64::NAN) as f32)),
        (J::Number(n), TypeKind::DOUBLE) => Ok(Value::Double(n.as_f64().unwrap_or(f64::NAN))),
        (J::Number(n), TypeKind::DECIMAL) => decimal(&n.to_string(), t).ok_or_else(|| expected(t)),
        // A number or boolean read as text: its JSON text as written; an object or array:
        // its JSON text as Flink's json format writes it again (members in their order,
        // compact, fractions as Java's Double.toString: `[1,2.50]` is `[1,2.5]`).
        (J::Number(_) | J::Bool(_), TypeKind::CHAR | TypeKind::VARCHAR) => {
            Ok(Value::String(json.to_string().into()))
        }
        (J::Object(_) | J::Array(_), TypeKind::CHAR | TypeKind::VARCHAR) => {
            let mut text = Vec::new();
            write_nested_json(&mut text, json);
            Ok(Value::String(
                String::from_utf8_lossy(&text).as_ref().into(),
            ))
        }
        (J::Array(items), TypeKind::ARRAY) => {
            let element = t
                .children
                .first()
                .map(|c| &c.data_type)
                .ok_or_else(|| expected(t))?;
            items
                .iter()
                .map(|i| from_json(i, element))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| Value::Array(RVec::from(v)))
        }
        (J::Object(fields), TypeKind::MAP) => {
            let (key_type, value_type) = match t.children.as_slice() {
                [k, v] => (&k.data_type, &v.data_type),
                _ => return Err(expected(t)),
            };
            fields
                .iter()
                .map(|(k, v)| {
                    Ok(MapEntry {
                        key: from_text(k.as_bytes(), key_type)?,
                        value: from_json(v, value_type)?,
                    })
                })
                .collect::<Result<Vec<_>, ParseError>>()
                .map(|v| Value::Map(RVec::from(v)))
        }
        (J::Array(items), TypeKind::ROW) if items.len() == t.children.len() => items
            .iter()
            .zip(t.children.iter())
            .map(|(i, c)| from_json(i, &c.data_type))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| Value::Row(RVec::from(v))),
        (J::Object(fields), TypeKind::ROW) => t
            .children
            .iter()
            .map(|c| {
                from_json(
                    fields.get(c.name.as_str()).unwrap_or(&J::Null),
                    &c.data_type,
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| Value::Row(RVec::from(v))),
        _ => Err(expected(t)),
    }
}

fn integer(v: i64, t: &DataType) -> Result<Value, ParseError> {
    let out_of_range = || format!("{} (out of range)", expected(t));
    Ok(match t.kind {
        TypeKind::TINYINT => Value::TinyInt(i8::try_from(v).map_err(|_| out_of_range())?),
        TypeKind::SMALLINT => Value::SmallInt(i16::try_from(v).map_err(|_| out_of_range())?),
        TypeKind::INT => Value::Int(i32::try_from(v).map_err(|_| out_of_range())?),
        _ => Value::BigInt(v),
    })
}

fn decimal(s: &str, t: &DataType) -> Option<Value> {
    let plain = plain_decimal(s.trim())?;
    text::parse_decimal(&plain, t.precision, t.scale).map(Value::Decimal)
}

/// A decimal number in plain notation: `1E+2` is `100`, `1.5e-3` `0.0015` (as Java's
/// `BigDecimal` reads them, and as the json format writes DECIMALs); plain text as it is.
fn plain_decimal(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return Some(std::borrow::Cow::Borrowed(s));
    };
    let exponent: i64 = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse()
        .ok()?;
    if exponent.abs() > 400 {
        return None;
    }
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let point = int.len() as i64 + exponent;
    let plain = if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!(
            "{sign}{digits}{}",
            "0".repeat(point as usize - digits.len())
        )
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{sign}{a}.{b}")
    };
    Some(std::borrow::Cow::Owned(plain))
}

/// A timestamp as text, or as epoch milliseconds.
fn timestamp(s: &str) -> Option<Timestamp> {
    if let Ok(millis) = s.parse::<i64>() {
        return Some(Timestamp {
            seconds: millis.div_euclid(1000),
            nanos: (millis.rem_euclid(1000) * 1_000_000) as u32,
        });
    }
    text::parse_timestamp(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_in_plain_and_scientific_notation() {
        let t = ty(TypeKind::DECIMAL, 10, 2);
        for (text, unscaled) in [
            ("1E+2", 10000),
            ("1.2E+3", 120000),
            ("2.5", 250),
            ("-1.5e-1", -15),
            ("1E-7", 0),
            ("12.345", 1235),
        ] {
            let Ok(Value::Decimal(d)) = from_text(text.as_bytes(), &t) else {
                panic!("{text} is not read as DECIMAL(10, 2)")
            };
            assert_eq!(d.unscaled(), unscaled, "{text}");
        }
        // What the json format writes for 100.00 reads back as 100.00.
        let json: serde_json::Value = serde_json::from_str("1E+2").unwrap();
        assert_eq!(to_text_of(&from_json(&json, &t).unwrap()), "100.00");
    }

    #[test]
    fn a_timestamp_ltz_reads_back_from_its_cast_text() {
        // The Redis sink writes a TIMESTAMP_LTZ raw value or hash field as its CAST text, in UTC.
        let t = ty(TypeKind::TIMESTAMP_LTZ, 3, 0);
        let written = Timestamp {
            seconds: 1_577_934_245,
            nanos: 500_000_000,
        };
        let mut text = Vec::new();
        crate::write_cast_text(&mut text, &Value::TimestampLtz(written), &t);
        assert_eq!(from_text(&text, &t).unwrap(), Value::TimestampLtz(written));
    }

    fn to_text_of(v: &Value) -> String {
        let mut out = Vec::new();
        write_text(&mut out, v);
        String::from_utf8(out).unwrap()
    }
    use crate::{write_json, write_text};
    use connector_interface::Decimal;

    fn ty(kind: TypeKind, precision: u32, scale: u32) -> DataType {
        DataType {
            precision,
            scale,
            ..DataType::new(kind)
        }
    }

    #[test]
    fn text_converts_to_declared_types() {
        assert_eq!(
            from_text(b"42", &ty(TypeKind::INT, 0, 0)),
            Ok(Value::Int(42))
        );
        assert_eq!(
            from_text(b"-9000000000", &ty(TypeKind::BIGINT, 0, 0)),
            Ok(Value::BigInt(-9_000_000_000))
        );
        assert_eq!(
            from_text(b"2.5", &ty(TypeKind::DOUBLE, 0, 0)),
            Ok(Value::Double(2.5))
        );
        assert_eq!(
            from_text(b"TRUE", &ty(TypeKind::BOOLEAN, 0, 0)),
            Ok(Value::Boolean(true))
        );
        assert_eq!(
            from_text(b"12.345", &ty(TypeKind::DECIMAL, 10, 2)),
            Ok(Value::Decimal(Decimal::new(1235, 10, 2)))
        );
        assert_eq!(
            from_text(b"2024-01-01", &ty(TypeKind::DATE, 0, 0)),
            Ok(Value::Date(19_723))
        );
        assert_eq!(
            from_text(b"2023-11-14 22:13:20.12", &ty(TypeKind::TIMESTAMP, 3, 0)),
            Ok(Value::Timestamp(Timestamp {
                seconds: 1_700_000_000,
                nanos: 120_000_000
            }))
        );
    }

    #[test]
    fn bad_text_says_what_was_expected() {
        assert_eq!(
            from_text(b"abc", &ty(TypeKind::INT, 0, 0)),
            Err("a INT value".to_string())
        );
        assert_eq!(
            from_text(b"300", &ty(TypeKind::TINYINT, 0, 0)),
            Err("a TINYINT value (out of range)".to_string())
        );
        assert!(from_text(b"2023-02-30", &ty(TypeKind::DATE, 0, 0)).is_err());
        assert!(from_text(b"123456", &ty(TypeKind::DECIMAL, 5, 2)).is_err());
    }

    #[test]
    fn what_the_sink_writes_reads_back() {
        let cases = [
            (Value::Int(-7), ty(TypeKind::INT, 0, 0)),
            (Value::Double(0.1), ty(TypeKind::DOUBLE, 0, 0)),
            (
                Value::Decimal(Decimal::new(-5, 5, 3)),
                ty(TypeKind::DECIMAL, 5, 3),
            ),
            (Value::Date(-365), ty(TypeKind::DATE, 0, 0)),
            (
                Value::Timestamp(Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 120_000_000,
                }),
                ty(TypeKind::TIMESTAMP, 3, 0),
            ),
            (Value::Time(3_723_000_000_001), ty(TypeKind::TIME, 9, 0)),
            (
                Value::TimestampLtz(Timestamp {
                    seconds: -1,
                    nanos: 5,
                }),
                ty(TypeKind::TIMESTAMP_LTZ, 9, 0),
            ),
            (
                Value::Bytes(RVec::from(b"\x00\xffab".to_vec())),
                ty(TypeKind::VARBINARY, u32::MAX, 0),
            ),
            (Value::String("张三".into()), DataType::string()),
        ];
        for (value, t) in cases {
            let mut text = Vec::new();
            write_text(&mut text, &value);
            assert_eq!(from_text(&text, &t), Ok(value.clone()), "text of {value:?}");
            let mut json = Vec::new();
            write_json(&mut json, &value);
            let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
            assert_eq!(
                from_json(&parsed, &t),
                Ok(value.clone()),
                "json of {value:?}"
            );
        }
    }
}
