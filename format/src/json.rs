//! The JSON form of a value: numbers as numbers (DECIMAL exactly, as Java's `BigDecimal` without
//! trailing zeros, as Flink's json format writes it; a float
//! that is not finite as a string), NULL as null, BYTES as base64, dates, times and timestamps
//! as strings of their text form, arrays and rows as arrays, maps as objects.

use connector_interface::Value;

use crate::text::write_text;

/// Appends a value's JSON form to `out`.
pub fn write_json(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(_)
        | Value::TinyInt(_)
        | Value::SmallInt(_)
        | Value::Int(_)
        | Value::BigInt(_) => write_text(out, value),
        Value::Decimal(d) => write_java_decimal(out, d),
        Value::Float(v) if v.is_finite() => write_text(out, value),
        Value::Double(v) if v.is_finite() => write_text(out, value),
        Value::Float(_) | Value::Double(_) => {
            out.push(b'"');
            write_text(out, value);
            out.push(b'"');
        }
        Value::String(s) => write_json_string(out, s.as_str()),
        Value::Bytes(b) => {
            out.push(b'"');
            write_base64(out, b);
            out.push(b'"');
        }
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) | Value::TimestampLtz(_) => {
            out.push(b'"');
            write_text(out, value);
            out.push(b'"');
        }
        Value::Array(items) | Value::Row(items) => {
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_json(out, item);
            }
            out.push(b']');
        }
        Value::Map(entries) => {
            out.push(b'{');
            for (n, entry) in entries.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                let mut key = Vec::new();
                write_text(&mut key, &entry.key);
                write_json_string(out, &String::from_utf8_lossy(&key));
                out.push(b':');
                write_json(out, &entry.value);
            }
            out.push(b'}');
        }
        Value::Other(o) => {
            out.push(b'"');
            write_base64(out, &o.payload);
            out.push(b'"');
        }
    }
}

/// A JSON string literal, escaped.
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Appends the base64 form (standard alphabet, padded) of `bytes`.
pub fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63]);
        out.push(ALPHABET[(n >> 12) as usize & 63]);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63]
        } else {
            b'='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63]
        } else {
            b'='
        });
    }
}

/// A JSON object of the given fields, in the given order: `{"name":value,...}`.
pub fn write_json_object<'a>(
    out: &mut Vec<u8>,
    fields: impl Iterator<Item = (&'a str, &'a Value)>,
) {
    out.push(b'{');
    for (n, (name, value)) in fields.enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_json_string(out, name);
        out.push(b':');
        write_json(out, value);
    }
    out.push(b'}');
}

/// A DECIMAL as Flink's `json` format writes it (`json.encode.decimal-as-plain-number` =
/// `false`): Java's `BigDecimal.stripTrailingZeros().toString()`: `2.50` is `2.5`, `100.00`
/// `1E+2`, `1200` `1.2E+3`, `0.00` `0`, `0.0000001` `1E-7`.
pub fn write_java_decimal(out: &mut Vec<u8>, d: &connector_interface::Decimal) {
    let mut unscaled = d.unscaled();
    let mut scale = i64::from(d.scale);
    if unscaled == 0 {
        out.push(b'0');
        return;
    }
    while unscaled % 10 == 0 {
        unscaled /= 10;
        scale -= 1;
    }
    if unscaled < 0 {
        out.push(b'-');
    }
    let digits = unscaled.unsigned_abs().to_string();
    let adjusted = digits.len() as i64 - 1 - scale;
    if scale >= 0 && adjusted >= -6 {
        // Plain: the digits with `scale` of them after the point.
        let scale = scale as usize;
        if scale == 0 {
            out.extend_from_slice(digits.as_bytes());
        } else if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            out.extend_from_slice(int.as_bytes());
            out.push(b'.');
            out.extend_from_slice(frac.as_bytes());
        } else {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', scale - digits.len()));
            out.extend_from_slice(digits.as_bytes());
        }
        return;
    }
    // Scientific: one digit, the rest after the point, then E and the signed exponent.
    out.extend_from_slice(&digits.as_bytes()[..1]);
    if digits.len() > 1 {
        out.push(b'.');
        out.extend_from_slice(&digits.as_bytes()[1..]);
    }
    out.push(b'E');
    if adjusted >= 0 {
        out.push(b'+');
    }
    out.extend_from_slice(adjusted.to_string().as_bytes());
}

/// The bytes of a base64 text (standard alphabet, padding optional); `None` if it is not.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= sextet(*c)? << (18 - 6 * i);
        }
        let produced = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&n.to_be_bytes()[1..1 + produced]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_interface::{Decimal, Timestamp};

    fn json(v: &Value) -> String {
        let mut out = Vec::new();
        write_json(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_have_one_json_form() {
        assert_eq!(json(&Value::Decimal(Decimal::new(12345, 10, 2))), "123.45");
        // Flink 1.20.3's json format, recorded from its filesystem sink (see docs/redis.md).
        for (unscaled, scale, text) in [
            (10000, 2, "1E+2"),
            (0, 2, "0"),
            (1230, 2, "12.3"),
            (1200, 0, "1.2E+3"),
            (1, 3, "0.001"),
            (12345678901234567890, 2, "123456789012345678.9"),
            (-150, 2, "-1.5"),
            (1, 7, "1E-7"),
            (-12, 8, "-1.2E-7"),
        ] {
            let d = Decimal::new(unscaled, 38, scale);
            assert_eq!(json(&Value::Decimal(d)), text, "{unscaled} scale {scale}");
        }
        assert_eq!(json(&Value::Bytes(b"hi!".to_vec().into())), "\"aGkh\"");
        assert_eq!(json(&Value::String("".into())), "\"\"");
        assert_eq!(json(&Value::Double(f64::NAN)), "\"NaN\"");
        let ts = Timestamp {
            seconds: 0,
            nanos: 0,
        };
        assert_eq!(json(&Value::Timestamp(ts)), "\"1970-01-01 00:00:00\"");
    }

    #[test]
    fn base64_round_trips() {
        for bytes in [&b""[..], b"a", b"ab", b"abc", b"\x00\xff\x10\x80"] {
            let mut text = Vec::new();
            write_base64(&mut text, bytes);
            assert_eq!(
                base64_decode(std::str::from_utf8(&text).unwrap()).unwrap(),
                bytes
            );
        }
    }
}
