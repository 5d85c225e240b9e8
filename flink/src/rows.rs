//! Rows between the JVM and the plugin, in batches.
//!
//! From Java (`RowPacker.java`): each row is its kind (`RowKind`'s byte: 0 `+I`, 1 `-U`,
//! 2 `+U`, 3 `-D`, as Flink's `RowKind.toByteValue()`), its length as a 4-byte little-endian
//! integer, and its values packed (`connector_interface::packed`). To Java
//! (`RowUnpacker.java`): for each key of a lookup batch, in order, its row count (a LEB128
//! varint) and its rows packed end to end.

use connector_host::connectors::Answers;
use connector_interface::packed::{pack, unpack_into};
use connector_interface::{Row, RowKind};
use jni::objects::JByteArray;
use jni::JNIEnv;

use crate::jvm;

/// A handle's batch memory, reused from batch to batch: the bytes copied from Java and the
/// rows decoded from them.
#[derive(Default)]
pub struct Batch {
    bytes: Vec<u8>,
    rows: Vec<Row>,
}

impl Batch {
    /// The `count` rows in the first `len` bytes of `array`.
    pub fn read(
        &mut self,
        env: &mut JNIEnv<'_>,
        array: &JByteArray<'_>,
        len: i32,
        count: i32,
    ) -> Result<&[Row], String> {
        jvm::bytes_into(env, array, len, &mut self.bytes)?;
        self.rows.clear();
        decode(&self.bytes, count.max(0) as usize, &mut self.rows)?;
        Ok(&self.rows)
    }
}

/// Appends the `count` rows of a batch to `rows`.
pub fn decode(bytes: &[u8], count: usize, rows: &mut Vec<Row>) -> Result<(), String> {
    let mut at = 0;
    rows.reserve(count);
    for _ in 0..count {
        let head = bytes
            .get(at..at + 5)
            .ok_or("a batch of rows ends too early")?;
        let kind =
            RowKind::from_byte(head[0]).ok_or_else(|| format!("unknown row kind {}", head[0]))?;
        let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
        at += 5;
        let packed = at
            .checked_add(len)
            .and_then(|end| bytes.get(at..end))
            .ok_or("a batch of rows ends too early")?;
        let mut values = Vec::new();
        unpack_into(packed, &mut values)?;
        rows.push(Row::new(kind, values));
        at += len;
    }
    if at != bytes.len() {
        return Err(format!("{} bytes after the batch's rows", bytes.len() - at));
    }
    Ok(())
}

/// A batch's answers in the form `RowUnpacker.java` reads.
pub fn encode_answers(answers: &Answers, out: &mut Vec<u8>) -> Result<(), String> {
    out.clear();
    match answers {
        Answers::Rows(keys) => {
            for rows in keys {
                put_varint(rows.len(), out);
                for row in rows.iter() {
                    pack(&row.values, out);
                }
            }
        }
        Answers::Packed(packed) => {
            for key in 0..packed.keys() {
                let rows = packed
                    .rows_of(key)?
                    .collect::<Result<Vec<&[u8]>, String>>()?;
                put_varint(rows.len(), out);
                for row in rows {
                    out.extend_from_slice(row);
                }
            }
        }
    }
    Ok(())
}

fn put_varint(n: usize, out: &mut Vec<u8>) {
    let mut n = n as u64;
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi_stable::std_types::RVec;
    use connector_interface::Value;

    fn framed(kind: u8, values: &[Value], out: &mut Vec<u8>) {
        let mut packed = Vec::new();
        pack(values, &mut packed);
        out.push(kind);
        out.extend((packed.len() as u32).to_le_bytes());
        out.extend(packed);
    }

    #[test]
    fn a_batch_decodes_with_its_kinds() {
        let mut bytes = Vec::new();
        framed(
            0,
            &[Value::String("a".into()), Value::BigInt(1)],
            &mut bytes,
        );
        framed(3, &[Value::String("b".into()), Value::Null], &mut bytes);
        let mut rows = Vec::new();
        decode(&bytes, 2, &mut rows).unwrap();
        assert_eq!(rows[0].kind, RowKind::Insert);
        assert_eq!(rows[1].kind, RowKind::Delete);
        assert_eq!(rows[1].values[1], Value::Null);
        assert!(decode(&bytes, 3, &mut Vec::new()).is_err());
        assert!(decode(&bytes[..bytes.len() - 1], 2, &mut Vec::new()).is_err());
        assert!(decode(&bytes, 1, &mut Vec::new()).is_err());
    }

    #[test]
    fn answers_encode_a_count_then_rows_per_key() {
        let hit = RVec::from(vec![Row::insert(vec![Value::Int(7)])]);
        let answers = Answers::Rows(vec![RVec::new(), hit]);
        let mut out = Vec::new();
        encode_answers(&answers, &mut out).unwrap();
        // key 0: no rows; key 1: one row of one INT (tag 4, 7 little-endian).
        assert_eq!(out, vec![0, 1, 1, 4, 7, 0, 0, 0]);
    }
}
