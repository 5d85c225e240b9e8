//! Packed rows: a row's values as bytes, in one buffer (pure). Part of the 1.1 line: the
//! encoding of [`PackedAnswers`](crate::packed_lookup::PackedAnswers) (`"packed-lookup/1"`),
//! frozen with it. A plugin may keep rows packed (the Redis lookup's cache does: a row of a
//! BIGINT and a 48-character string is 60 bytes in one place instead of 144 bytes of values
//! plus the text elsewhere), and hand them to a host by copying bytes.
//!
//! The format: a row is its value count, then each value: a tag byte and its payload,
//! little-endian; strings and byte strings are a length and the bytes; arrays, maps and nested
//! rows a count and their items. Counts and lengths are LEB128 varints (one byte below 128).
//! Tags: 0 NULL, 1 BOOLEAN (one byte, 0 or 1), 2 TINYINT, 3 SMALLINT, 4 INT, 5 BIGINT, 6 FLOAT,
//! 7 DOUBLE (IEEE bits), 8 DECIMAL (unscaled high i64, low u64, precision, scale), 9 STRING
//! (UTF-8), 10 BYTES, 11 DATE (days, i32), 12 TIME (i64), 13 TIMESTAMP and 14 TIMESTAMP_LTZ
//! (seconds i64, nanos u32), 15 ARRAY, 16 MAP (a count, then key and value of each entry),
//! 17 ROW, 18 OTHER (type name, payload). Readers check every length, every string and the
//! nesting (at most 64 levels of arrays, maps and rows), so bytes from another library cannot
//! make them read out of bounds, make invalid text or overflow the stack.

use crate::types::{Decimal, MapEntry, OtherValue, Timestamp, Value};
use abi_stable::std_types::{RString, RVec};

/// Where packed bytes go: a `Vec<u8>`, an `RVec<u8>`, or anything else that appends a slice.
pub trait PackOut {
    fn put(&mut self, bytes: &[u8]);
}

impl PackOut for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl PackOut for RVec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_copy_slice(bytes);
    }
}

/// Appends a packed row to `out`.
pub fn pack(values: &[Value], out: &mut impl PackOut) {
    put_len(values.len(), out);
    for value in values {
        pack_value(value, out);
    }
}

/// The values of a row packed by [`pack`]; an error names what is malformed.
pub fn unpack(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    unpack_into(bytes, &mut values)?;
    Ok(values)
}

/// Appends the values of a row packed by [`pack`] to `out` (whose memory a caller can reuse
/// from row to row); an error names what is malformed.
pub fn unpack_into(bytes: &[u8], out: &mut Vec<Value>) -> Result<(), String> {
    let mut reader = Reader {
        bytes,
        at: 0,
        depth: 0,
    };
    let n = reader.len()?;
    // Each value takes at least a byte: a corrupt count cannot reserve much.
    out.reserve(n.min(bytes.len()));
    for _ in 0..n {
        reader.push_value(out)?;
    }
    if reader.at != bytes.len() {
        return Err(format!(
            "trailing bytes after a packed row: {}",
            bytes.len() - reader.at
        ));
    }
    Ok(())
}

/// A length or count as a LEB128 varint: one byte below 128.
fn put_len(n: usize, out: &mut impl PackOut) {
    let mut n = n as u64;
    while n >= 0x80 {
        out.put(&[(n as u8) | 0x80]);
        n >>= 7;
    }
    out.put(&[n as u8]);
}

fn put_bytes(bytes: &[u8], out: &mut impl PackOut) {
    put_len(bytes.len(), out);
    out.put(bytes);
}

fn pack_value(value: &Value, out: &mut impl PackOut) {
    match value {
        Value::Null => out.put(&[0]),
        Value::Boolean(b) => out.put(&[1, u8::from(*b)]),
        Value::TinyInt(v) => out.put(&[2, v.to_le_bytes()[0]]),
        Value::SmallInt(v) => tagged(3, &v.to_le_bytes(), out),
        Value::Int(v) => tagged(4, &v.to_le_bytes(), out),
        Value::BigInt(v) => tagged(5, &v.to_le_bytes(), out),
        Value::Float(v) => tagged(6, &v.to_bits().to_le_bytes(), out),
        Value::Double(v) => tagged(7, &v.to_bits().to_le_bytes(), out),
        Value::Decimal(d) => {
            tagged(8, &d.unscaled_hi.to_le_bytes(), out);
            out.put(&d.unscaled_lo.to_le_bytes());
            out.put(&[d.precision, d.scale]);
        }
        Value::String(s) => {
            out.put(&[9]);
            put_bytes(s.as_bytes(), out);
        }
        Value::Bytes(b) => {
            out.put(&[10]);
            put_bytes(b, out);
        }
        Value::Date(v) => tagged(11, &v.to_le_bytes(), out),
        Value::Time(v) => tagged(12, &v.to_le_bytes(), out),
        Value::Timestamp(t) | Value::TimestampLtz(t) => {
            let tag = if matches!(value, Value::Timestamp(_)) {
                13
            } else {
                14
            };
            tagged(tag, &t.seconds.to_le_bytes(), out);
            out.put(&t.nanos.to_le_bytes());
        }
        Value::Array(items) | Value::Row(items) => {
            out.put(&[if matches!(value, Value::Array(_)) {
                15
            } else {
                17
            }]);
            pack(items, out);
        }
        Value::Map(entries) => {
            out.put(&[16]);
            put_len(entries.len(), out);
            for e in entries.iter() {
                pack_value(&e.key, out);
                pack_value(&e.value, out);
            }
        }
        Value::Other(o) => {
            out.put(&[18]);
            put_bytes(o.type_name.as_bytes(), out);
            put_bytes(&o.payload, out);
        }
    }
}

fn tagged(tag: u8, payload: &[u8], out: &mut impl PackOut) {
    out.put(&[tag]);
    out.put(payload);
}

/// How deep arrays, maps and rows may nest in a packed value: deeper is an error, not a
/// stack overflow.
const MAX_DEPTH: u32 = 64;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// How many arrays, maps and rows enclose the value being read.
    depth: u32,
}

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.slice(N)?);
        Ok(out)
    }

    fn slice(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!(
                "a packed row ends inside a value at byte {}",
                self.at
            ));
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn len(&mut self) -> Result<usize, String> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let [byte] = self.take()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return usize::try_from(n).map_err(|_| format!("a packed length of {n}"));
            }
        }
        Err("a packed length longer than 64 bits".to_string())
    }

    fn sized(&mut self) -> Result<&'a [u8], String> {
        let n = self.len()?;
        self.slice(n)
    }

    fn text(&mut self) -> Result<RString, String> {
        let bytes = self.sized()?;
        std::str::from_utf8(bytes)
            .map(RString::from)
            .map_err(|e| format!("a packed string is not UTF-8: {e}"))
    }

    fn values(&mut self) -> Result<Vec<Value>, String> {
        let n = self.len()?;
        // Each value takes at least a byte: a corrupt count cannot reserve much.
        let mut values = Vec::with_capacity(n.min(self.bytes.len() - self.at));
        for _ in 0..n {
            self.push_value(&mut values)?;
        }
        Ok(values)
    }

    /// Reads what `read` reads one level deeper.
    fn nested<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("a packed value nested deeper than {MAX_DEPTH}"));
        }
        self.depth += 1;
        let out = read(self);
        self.depth -= 1;
        out
    }

    fn value(&mut self) -> Result<Value, String> {
        let mut one = Vec::with_capacity(1);
        self.push_value(&mut one)?;
        one.pop()
            .ok_or_else(|| "a packed value vanished".to_string())
    }

    /// Reads a value into `out`: made where it is kept, not returned (a returned `Value` is
    /// copied out of the `Result` with loads the CPU cannot serve from the stores that wrote it).
    fn push_value(&mut self, out: &mut Vec<Value>) -> Result<(), String> {
        let [tag] = self.take()?;
        out.push(match tag {
            0 => Value::Null,
            1 => Value::Boolean(self.take::<1>()?[0] != 0),
            2 => Value::TinyInt(i8::from_le_bytes(self.take()?)),
            3 => Value::SmallInt(i16::from_le_bytes(self.take()?)),
            4 => Value::Int(i32::from_le_bytes(self.take()?)),
            5 => Value::BigInt(i64::from_le_bytes(self.take()?)),
            6 => Value::Float(f32::from_bits(u32::from_le_bytes(self.take()?))),
            7 => Value::Double(f64::from_bits(u64::from_le_bytes(self.take()?))),
            8 => Value::Decimal(Decimal {
                unscaled_hi: i64::from_le_bytes(self.take()?),
                unscaled_lo: u64::from_le_bytes(self.take()?),
                precision: self.take::<1>()?[0],
                scale: self.take::<1>()?[0],
            }),
            9 => Value::String(self.text()?),
            10 => Value::Bytes(RVec::from(self.sized()?.to_vec())),
            11 => Value::Date(i32::from_le_bytes(self.take()?)),
            12 => Value::Time(i64::from_le_bytes(self.take()?)),
            13 | 14 => {
                let t = Timestamp {
                    seconds: i64::from_le_bytes(self.take()?),
                    nanos: u32::from_le_bytes(self.take()?),
                };
                if tag == 13 {
                    Value::Timestamp(t)
                } else {
                    Value::TimestampLtz(t)
                }
            }
            15 => Value::Array(RVec::from(self.nested(Self::values)?)),
            16 => Value::Map(RVec::from(self.nested(|r| {
                let n = r.len()?;
                let mut entries = Vec::with_capacity(n.min(r.bytes.len() - r.at));
                for _ in 0..n {
                    let key = r.value()?;
                    let value = r.value()?;
                    entries.push(MapEntry { key, value });
                }
                Ok(entries)
            })?)),
            17 => Value::Row(RVec::from(self.nested(Self::values)?)),
            18 => Value::Other(OtherValue {
                type_name: self.text()?,
                payload: RVec::from(self.sized()?.to_vec()),
            }),
            other => return Err(format!("unknown packed value tag {other}")),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<Value> {
        let ts = Timestamp {
            seconds: -86_401,
            nanos: 999_999_999,
        };
        vec![
            Value::Null,
            Value::Boolean(true),
            Value::Boolean(false),
            Value::TinyInt(-128),
            Value::SmallInt(-32_000),
            Value::Int(i32::MIN),
            Value::BigInt(i64::MAX),
            Value::Float(-1.5),
            Value::Double(f64::MIN_POSITIVE),
            Value::Decimal(Decimal {
                unscaled_hi: -1,
                unscaled_lo: 12_345,
                precision: 38,
                scale: 10,
            }),
            Value::from("héllo, 世界"),
            Value::from(""),
            Value::Bytes(RVec::from(vec![0u8, 255, 7])),
            Value::Date(-719_162),
            Value::Time(86_399_999_999_999),
            Value::Timestamp(ts),
            Value::TimestampLtz(ts),
            Value::Array(RVec::from(vec![Value::Int(1), Value::Null])),
            Value::Map(RVec::from(vec![MapEntry {
                key: Value::from("k"),
                value: Value::Array(RVec::from(vec![Value::Double(2.0)])),
            }])),
            Value::Row(RVec::from(vec![Value::from("nested"), Value::BigInt(-3)])),
            Value::Other(OtherValue {
                type_name: "GEOMETRY".into(),
                payload: RVec::from(vec![1u8, 2, 3]),
            }),
        ]
    }

    #[test]
    fn every_kind_of_value_comes_back_as_it_was_packed() {
        let row = every_kind();
        let mut bytes = Vec::new();
        pack(&row, &mut bytes);
        assert_eq!(unpack(&bytes), Ok(row));
        assert_eq!(unpack(&[0]), Ok(vec![]));
        // Lengths of 128 and more take more bytes.
        let long = vec![Value::from("y".repeat(300).as_str())];
        bytes.clear();
        pack(&long, &mut bytes);
        assert_eq!(bytes.len(), 1 + 1 + 2 + 300);
        assert_eq!(unpack(&bytes), Ok(long));
    }

    #[test]
    fn malformed_bytes_are_an_error_naming_what_is_wrong() {
        let mut bytes = Vec::new();
        pack(&[Value::from("text")], &mut bytes);
        let err = unpack(&bytes[..bytes.len() - 1]).unwrap_err();
        assert!(err.contains("ends inside a value"), "{err}");
        bytes.push(0);
        assert_eq!(
            unpack(&bytes).unwrap_err(),
            "trailing bytes after a packed row: 1"
        );
        assert_eq!(unpack(&[1, 99]).unwrap_err(), "unknown packed value tag 99");
        let mut bad = vec![1, 9, 2];
        bad.extend([0xff, 0xfe]);
        assert!(unpack(&bad).unwrap_err().contains("not UTF-8"));
        // Arrays nested 64 deep are read; deeper is an error, however long the input.
        let nest = |depth: usize| {
            let mut value = Value::Null;
            for _ in 0..depth {
                value = Value::Array(RVec::from(vec![value]));
            }
            let mut bytes = Vec::new();
            pack(&[value.clone()], &mut bytes);
            (value, bytes)
        };
        let (value, bytes) = nest(64);
        assert_eq!(unpack(&bytes), Ok(vec![value]));
        assert_eq!(
            unpack(&nest(65).1).unwrap_err(),
            "a packed value nested deeper than 64"
        );
        let mut deep = vec![1];
        deep.extend([15, 1].repeat(1_000_000));
        assert!(unpack(&deep).unwrap_err().contains("nested deeper"));
    }
}
