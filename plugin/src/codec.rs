//! Rows to Redis keys and values, and values to text and JSON. Pure: no I/O.
//!
//! - Key: `key.prefix` + the key columns' values as text joined by `key.separator`; the key
//!   columns are the primary key in key order, or the first column without one.
//! - Text: strings as is, numbers in decimal, booleans `true`/`false`, dates, times and
//!   timestamps in ISO-8601, bytes as is, nested values as JSON.
//! - JSON: numbers as numbers (DECIMAL exactly, from its digits), NULL as null, BYTES base64,
//!   dates and timestamps as ISO-8601 strings.

use std::io::Write as _;

use connector_interface::text;
use connector_interface::{ConnectorError, Row, RowKind, TableContext, Value};

use crate::factory::key_columns;
use crate::options::{RedisOptions, ValueFormat, ValueType};

/// How the non-key columns become the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueMode {
    /// `type` = `string`, the single non-key column as text.
    Raw,
    /// `type` = `string`, a JSON object of the non-key columns.
    Json,
    /// `type` = `hash`, one field per non-key column.
    Hash,
}

/// What one changelog row asks of Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Set the key's string value.
    Set { key: Vec<u8>, value: Vec<u8> },
    /// Set some hash fields and remove others (NULL columns).
    Hash {
        key: Vec<u8>,
        set: Vec<(usize, Vec<u8>)>,
        remove: Vec<usize>,
    },
    /// Delete the key.
    Delete { key: Vec<u8> },
}

/// Encodes the rows of one table.
#[derive(Debug, Clone)]
pub struct RowCodec {
    table: String,
    column_names: Vec<String>,
    key_columns: Vec<usize>,
    value_columns: Vec<usize>,
    prefix: Vec<u8>,
    separator: Vec<u8>,
    mode: ValueMode,
}

impl RowCodec {
    pub fn new(context: &TableContext, options: &RedisOptions) -> RowCodec {
        let key_columns = key_columns(context);
        let value_columns: Vec<usize> = (0..context.schema.columns.len())
            .filter(|i| !key_columns.contains(i))
            .collect();
        let mode = match (options.value_type, options.value_format) {
            (ValueType::Hash, _) => ValueMode::Hash,
            (ValueType::String, Some(ValueFormat::Raw)) => ValueMode::Raw,
            (ValueType::String, Some(ValueFormat::Json)) => ValueMode::Json,
            (ValueType::String, None) if value_columns.len() == 1 => ValueMode::Raw,
            (ValueType::String, None) => ValueMode::Json,
        };
        RowCodec {
            table: context.table_name.to_string(),
            column_names: context
                .schema
                .columns
                .iter()
                .map(|c| c.name.to_string())
                .collect(),
            key_columns,
            value_columns,
            prefix: options.key_prefix.as_bytes().to_vec(),
            separator: options.key_separator.as_bytes().to_vec(),
            mode,
        }
    }

    pub fn mode(&self) -> ValueMode {
        self.mode
    }

    /// The hash field name of a column.
    pub fn column_name(&self, index: usize) -> &str {
        &self.column_names[index]
    }

    /// The Redis key of a row (or of a key row holding only the key columns, in order, when
    /// `key_only`).
    pub fn key(&self, values: &[Value], key_only: bool) -> Result<Vec<u8>, ConnectorError> {
        let mut key = Vec::with_capacity(self.prefix.len() + 16);
        self.write_key(&mut key, |n, column| {
            values.get(if key_only { n } else { column })
        })?;
        Ok(key)
    }

    /// Appends a Redis key to `out`; `value_of(n, column)` gives the value of the `n`-th key
    /// column (in key order), which is column `column` of the table.
    pub fn write_key<'v>(
        &self,
        out: &mut Vec<u8>,
        value_of: impl Fn(usize, usize) -> Option<&'v Value>,
    ) -> Result<(), ConnectorError> {
        out.extend_from_slice(&self.prefix);
        for (n, column) in self.key_columns.iter().enumerate() {
            if n > 0 {
                out.extend_from_slice(&self.separator);
            }
            match value_of(n, *column) {
                Some(Value::Null) | None => {
                    return Err(ConnectorError::data(format!(
                        "table '{}': key column '{}' is NULL",
                        self.table, self.column_names[*column]
                    )))
                }
                Some(v) => write_text(out, v),
            }
        }
        Ok(())
    }

    /// What a row asks of Redis; `None` for rows that change nothing (`-U`).
    pub fn encode(&self, row: &Row) -> Result<Option<Change>, ConnectorError> {
        if row.values.len() != self.column_names.len() {
            return Err(ConnectorError::data(format!(
                "table '{}': a row has {} values, the table has {} columns",
                self.table,
                row.values.len(),
                self.column_names.len()
            )));
        }
        let key = match row.kind {
            RowKind::UpdateBefore => return Ok(None),
            _ => self.key(&row.values, false)?,
        };
        if row.kind == RowKind::Delete {
            return Ok(Some(Change::Delete { key }));
        }
        let values = &row.values;
        Ok(Some(match self.mode {
            ValueMode::Raw => {
                let column = self.value_columns[0];
                match &values[column] {
                    Value::Null => Change::Delete { key },
                    v => {
                        let mut value = Vec::new();
                        write_text(&mut value, v);
                        Change::Set { key, value }
                    }
                }
            }
            ValueMode::Json => {
                let mut value = Vec::with_capacity(16 * self.value_columns.len());
                value.push(b'{');
                for (n, column) in self.value_columns.iter().enumerate() {
                    if n > 0 {
                        value.push(b',');
                    }
                    write_json_string(&mut value, &self.column_names[*column]);
                    value.push(b':');
                    write_json(&mut value, &values[*column]);
                }
                value.push(b'}');
                Change::Set { key, value }
            }
            ValueMode::Hash => {
                let mut set = Vec::with_capacity(self.value_columns.len());
                let mut remove = Vec::new();
                for column in &self.value_columns {
                    match &values[*column] {
                        Value::Null => remove.push(*column),
                        v => {
                            let mut text = Vec::new();
                            write_text(&mut text, v);
                            set.push((*column, text));
                        }
                    }
                }
                Change::Hash { key, set, remove }
            }
        }))
    }
}

/// Writes a value as text (see the module docs).
pub fn write_text(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => {}
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::TinyInt(v) => write_int(out, i64::from(*v)),
        Value::SmallInt(v) => write_int(out, i64::from(*v)),
        Value::Int(v) => write_int(out, i64::from(*v)),
        Value::BigInt(v) => write_int(out, *v),
        Value::Float(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Double(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Decimal(d) => {
            let _ = write!(out, "{d}");
        }
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        Value::Bytes(b) => out.extend_from_slice(b),
        Value::Date(days) => out.extend_from_slice(text::format_date(*days).as_bytes()),
        Value::Time(nanos) => out.extend_from_slice(text::format_time(*nanos).as_bytes()),
        Value::Timestamp(ts) => {
            out.extend_from_slice(text::format_timestamp(ts, 'T', false).as_bytes())
        }
        Value::TimestampLtz(ts) => {
            out.extend_from_slice(text::format_timestamp(ts, 'T', true).as_bytes())
        }
        Value::Array(_) | Value::Map(_) | Value::Row(_) | Value::Other(_) => write_json(out, value),
    }
}

fn write_int(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Writes a value as JSON (see the module docs).
pub fn write_json(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(_)
        | Value::TinyInt(_)
        | Value::SmallInt(_)
        | Value::Int(_)
        | Value::BigInt(_)
        | Value::Decimal(_) => write_text(out, value),
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

fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use abi_stable::std_types::RVec;
    use connector_interface::{DataType, Decimal, Timestamp};

    fn context(columns: &[&str], pk: &[u32], options: &[(&str, &str)]) -> TableContext {
        let mut all = vec![("hostname", "h")];
        all.extend_from_slice(options);
        let typed: Vec<(&str, DataType)> =
            columns.iter().map(|c| (*c, DataType::string())).collect();
        connector_tests::table_context("t", &typed, pk, &all)
    }

    fn codec(columns: &[&str], pk: &[u32], options: &[(&str, &str)]) -> RowCodec {
        let ctx = context(columns, pk, options);
        RowCodec::new(&ctx, &RedisOptions::parse(&ctx).unwrap())
    }

    fn text(v: &Value) -> String {
        let mut out = Vec::new();
        write_text(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    fn set(change: Option<Change>) -> (String, String) {
        match change {
            Some(Change::Set { key, value }) => (
                String::from_utf8(key).unwrap(),
                String::from_utf8(value).unwrap(),
            ),
            other => panic!("not a SET: {other:?}"),
        }
    }

    #[test]
    fn key_is_prefix_and_primary_key_columns_joined_by_the_separator() {
        let c = codec(
            &["v", "region", "id"],
            &[2, 1],
            &[("key.prefix", "user:"), ("key.separator", "/")],
        );
        let row = Row::insert(vec!["x".into(), "eu".into(), Value::BigInt(-42)]);
        let (key, value) = set(c.encode(&row).unwrap());
        assert_eq!(key, "user:-42/eu");
        assert_eq!(value, "x", "one non-key column: the raw value");
    }

    #[test]
    fn without_primary_key_the_first_column_is_the_key_and_others_become_json() {
        let c = codec(&["id", "name", "sex"], &[], &[]);
        let row = Row::insert(vec!["1".into(), "张三 \"z\"".into(), Value::Null]);
        let (key, value) = set(c.encode(&row).unwrap());
        assert_eq!(key, "1");
        assert_eq!(value, r#"{"name":"张三 \"z\"","sex":null}"#);
    }

    #[test]
    fn json_uses_json_types() {
        let c = codec(&["id", "n", "d", "b", "dec", "ts"], &[0], &[]);
        let row = Row::insert(vec![
            "k".into(),
            Value::Int(7),
            Value::Double(1.5),
            Value::Boolean(true),
            Value::Decimal(Decimal::new(12345, 10, 2)),
            Value::Timestamp(Timestamp {
                seconds: 1_700_000_000,
                nanos: 120_000_000,
            }),
        ]);
        let (_, value) = set(c.encode(&row).unwrap());
        assert_eq!(
            value,
            r#"{"n":7,"d":1.5,"b":true,"dec":123.45,"ts":"2023-11-14T22:13:20.12"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&value).unwrap();
        assert_eq!(parsed["n"], 7);
    }

    #[test]
    fn null_raw_value_deletes_and_minus_u_is_ignored() {
        let c = codec(&["id", "v"], &[0], &[]);
        assert_eq!(
            c.encode(&Row::insert(vec!["k".into(), Value::Null]))
                .unwrap(),
            Some(Change::Delete { key: b"k".to_vec() })
        );
        assert_eq!(
            c.encode(&Row::new(
                RowKind::UpdateBefore,
                vec!["k".into(), "v".into()]
            ))
            .unwrap(),
            None
        );
        assert_eq!(
            c.encode(&Row::new(RowKind::Delete, vec!["k".into(), Value::Null]))
                .unwrap(),
            Some(Change::Delete { key: b"k".to_vec() })
        );
    }

    #[test]
    fn null_key_names_table_and_column() {
        let c = codec(&["id", "v"], &[0], &[]);
        let err = c
            .encode(&Row::insert(vec![Value::Null, "v".into()]))
            .unwrap_err();
        assert_eq!(err.message.as_str(), "table 't': key column 'id' is NULL");
    }

    #[test]
    fn hash_sets_fields_and_removes_null_ones() {
        let c = codec(&["id", "a", "b"], &[0], &[("type", "hash")]);
        let change = c
            .encode(&Row::insert(vec!["k".into(), Value::Int(1), Value::Null]))
            .unwrap();
        assert_eq!(
            change,
            Some(Change::Hash {
                key: b"k".to_vec(),
                set: vec![(1, b"1".to_vec())],
                remove: vec![2],
            })
        );
    }

    #[test]
    fn values_render_as_text() {
        assert_eq!(text(&Value::Boolean(false)), "false");
        assert_eq!(text(&Value::BigInt(i64::MIN)), "-9223372036854775808");
        assert_eq!(text(&Value::Date(19_723)), "2024-01-01");
        assert_eq!(text(&Value::Date(-1)), "1969-12-31");
        assert_eq!(text(&Value::Time(3_723_000_000_000)), "01:02:03");
        assert_eq!(
            text(&Value::TimestampLtz(Timestamp {
                seconds: 0,
                nanos: 5
            })),
            "1970-01-01T00:00:00.000000005Z"
        );
        assert_eq!(text(&Value::Decimal(Decimal::new(-5, 5, 3))), "-0.005");
        let mut b64 = Vec::new();
        write_json(&mut b64, &Value::Bytes(RVec::from(b"hello".to_vec())));
        assert_eq!(b64, b"\"aGVsbG8=\"");
    }
}
