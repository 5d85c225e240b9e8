//! Redis data types, one file each, behind one trait ([`RedisType`]): how a changelog row
//! becomes commands (upsert; a delete is `DEL` for every type; the TTL in the same round
//! trip), how a reply becomes a row of the declared schema (lookup), and how the seed's
//! write-back writes. Adding a type is a file here, a line in [`for_table`] and its options.
//!
//! - `string.rs`: `type` = `string`, the value as text (`raw`) or a JSON object (`json`);
//! - `hash.rs`: `type` = `hash`, one field per non-key column.

mod hash;
mod string;

use connector_interface::{ConnectorError, Value};

use crate::client::{Pipeline, ReplyAt, Route};
use crate::layout::TableLayout;
use crate::options::{RedisOptions, ValueFormat, ValueType};

/// What an upsert did to its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Upserted,
    /// The row's value is NULL where that means no value: the key is deleted.
    Deleted,
}

/// One Redis data type, for one table.
pub trait RedisType: Send + Sync {
    /// Adds the commands that upsert `row` (every column of the table) under `key` on `node`,
    /// expiring it after `ttl` seconds (as text) where given, atomically with the write.
    fn upsert(
        &self,
        key: &[u8],
        row: &[Value],
        ttl: Option<&[u8]>,
        node: Route,
        out: &mut Pipeline,
    ) -> Written;

    /// Redis's name of the type (`TYPE`'s answer for a key of it).
    fn name(&self) -> &'static str;

    /// Whether a key of another type reads as absent (`MGET` answers nil for a list), so that
    /// a lookup must ask what an absent key holds; otherwise Redis answers `WRONGTYPE`.
    fn reads_other_types_as_absent(&self) -> bool {
        false
    }

    /// Adds the command that reads `key` for a lookup; where its reply will be.
    fn read(&self, key: &[u8], node: Route, out: &mut Pipeline) -> ReplyAt;

    /// The table row for the reply to [`RedisType::read`] (`row` holds the key columns
    /// already), or `None` when the key is absent.
    fn decode(
        &self,
        key: &[u8],
        reply: &redis::Value,
        row: Vec<Value>,
    ) -> Result<Option<Vec<Value>>, ConnectorError>;

    /// The seed's write-back before a lookup reads `key`: `tokens` are the join key's tokens
    /// before the Redis key; `nx` writes only what does not exist yet (atomically).
    fn write_back(&self, key: &[u8], tokens: &[&str], nx: bool, node: Route, out: &mut Pipeline);
}

/// The type of a table, from its options.
pub fn for_table(options: &RedisOptions, layout: &TableLayout) -> Box<dyn RedisType> {
    match options.value_type {
        ValueType::Hash => Box::new(hash::Hash::new(layout.clone())),
        ValueType::String => {
            let json = match options.value_format {
                Some(format) => format == ValueFormat::Json,
                None => layout.value_columns.len() != 1,
            };
            Box::new(string::Str::new(layout.clone(), json))
        }
    }
}

/// Checks a table's schema against its type for a sink.
pub fn check_sink(options: &RedisOptions, layout: &TableLayout) -> Result<(), ConnectorError> {
    let value_columns = layout.value_columns.len();
    if options.value_format == Some(ValueFormat::Raw) && value_columns != 1 {
        return Err(ConnectorError::config(format!(
            "table '{}': 'value.format' = 'raw' needs exactly one non-key column, and the \
             table has {value_columns}",
            layout.table
        )));
    }
    Ok(())
}

/// The error for a stored value that is not of its column's type.
fn conversion_error(
    layout: &TableLayout,
    key: &[u8],
    column: usize,
    raw: &str,
    why: &str,
) -> ConnectorError {
    ConnectorError::data(format!(
        "table '{}': key '{}': column '{}': cannot convert '{raw}' to {why}",
        layout.table,
        String::from_utf8_lossy(key),
        layout.column_name(column)
    ))
}

/// Reads `raw` (text) into `row[column]` as the column's type.
fn read_text(
    layout: &TableLayout,
    key: &[u8],
    column: usize,
    raw: &[u8],
    row: &mut [Value],
) -> Result<(), ConnectorError> {
    row[column] =
        connector_format::from_text(raw, &layout.columns[column].data_type).map_err(|why| {
            conversion_error(layout, key, column, &String::from_utf8_lossy(raw), &why)
        })?;
    Ok(())
}

/// The bytes of a bulk string reply; `None` for nil.
fn bulk(reply: &redis::Value) -> Option<&[u8]> {
    match reply {
        redis::Value::BulkString(b) => Some(b),
        redis::Value::SimpleString(s) => Some(s.as_bytes()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_interface::{DataType, Decimal, Row, Timestamp};

    fn table(
        columns: &[(&str, DataType)],
        pk: &[u32],
        options: &[(&str, &str)],
    ) -> (TableLayout, Box<dyn RedisType>) {
        let mut all = vec![("hostname", "h")];
        all.extend_from_slice(options);
        let ctx = connector_tests::table_context("t", columns, pk, &all);
        let options = RedisOptions::parse(&ctx).unwrap();
        let layout = TableLayout::new(&ctx, &options);
        let kind = for_table(&options, &layout);
        (layout, kind)
    }

    fn strings(names: &[&str]) -> Vec<(String, DataType)> {
        names
            .iter()
            .map(|n| (n.to_string(), DataType::string()))
            .collect()
    }

    /// The commands a pipeline holds for node 0, each as its arguments.
    fn commands(mut p: Pipeline) -> Vec<Vec<String>> {
        p.finish();
        let text = String::from_utf8(p.nodes()[0].packed.clone()).unwrap();
        let mut lines = text.split("\r\n");
        let mut out = Vec::new();
        while let Some(header) = lines.next().filter(|l| !l.is_empty()) {
            let n: usize = header[1..].parse().unwrap();
            out.push(
                (0..n)
                    .map(|_| {
                        lines.next();
                        lines.next().unwrap().to_string()
                    })
                    .collect(),
            );
        }
        out
    }

    fn upsert(
        layout: &TableLayout,
        kind: &dyn RedisType,
        values: Vec<Value>,
        ttl: Option<&[u8]>,
    ) -> (Written, Vec<Vec<String>>) {
        let row = Row::insert(values);
        let key = layout.key(&row.values).unwrap();
        let mut p = Pipeline::new(1);
        let written = kind.upsert(&key, &row.values, ttl, Route::default(), &mut p);
        (written, commands(p))
    }

    fn refs(columns: &[(String, DataType)]) -> Vec<(&str, DataType)> {
        columns
            .iter()
            .map(|(n, t)| (n.as_str(), t.clone()))
            .collect()
    }

    #[test]
    fn a_multi_column_key_value_holding_the_separator_is_refused_never_a_silent_overwrite() {
        let columns = strings(&["a", "b", "v"]);
        let (layout, _) = table(&refs(&columns), &[0, 1], &[]);
        for values in [["a:b", "c", "1"], ["a", "b:c", "2"]] {
            let values: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
            let err = layout.key(&values).unwrap_err();
            assert_eq!(err.kind, connector_interface::ErrorKind::DATA);
            assert!(
                err.message
                    .contains("holds the key separator ':' in the value '")
                    && err
                        .message
                        .contains("set 'key.separator' to text that no key value holds"),
                "{}",
                err.message
            );
        }
        // One key column: nothing to collide with.
        let (single, _) = table(&refs(&columns), &[0], &[]);
        assert_eq!(
            single.key(&["a:b".into(), "c".into(), "1".into()]).unwrap(),
            b"a:b"
        );
        // A lookup's probe still reads the key it names.
        let mut key = Vec::new();
        let probe: Vec<Value> = vec!["a:b".into(), "c".into()];
        layout.write_key(&mut key, |n, _| probe.get(n)).unwrap();
        assert_eq!(key, b"a:b:c");
    }

    #[test]
    fn the_key_is_the_prefix_and_the_primary_key_columns_joined_by_the_separator() {
        let columns = strings(&["v", "region", "id"]);
        let (layout, kind) = table(
            &refs(&columns),
            &[2, 1],
            &[("key.prefix", "user:"), ("key.separator", "/")],
        );
        let values = vec!["x".into(), "eu".into(), Value::BigInt(-42)];
        let (written, cmds) = upsert(&layout, kind.as_ref(), values, None);
        assert_eq!(written, Written::Upserted);
        assert_eq!(
            cmds,
            [["SET", "user:-42/eu", "x"]],
            "one non-key column: raw"
        );
    }

    #[test]
    fn without_a_primary_key_the_first_column_is_the_key_and_the_others_become_json() {
        let columns = strings(&["id", "name", "sex"]);
        let (layout, kind) = table(&refs(&columns), &[], &[]);
        let values = vec!["1".into(), "张三 \"z\"".into(), Value::Null];
        let (_, cmds) = upsert(&layout, kind.as_ref(), values, Some(b"60"));
        assert_eq!(
            cmds,
            [[
                "SET",
                "1",
                r#"{"name":"张三 \"z\"","sex":null}"#,
                "EX",
                "60"
            ]]
        );
    }

    #[test]
    fn json_values_use_the_json_form_of_each_type() {
        let columns = [
            ("id", DataType::string()),
            ("n", DataType::new(connector_interface::TypeKind::INT)),
            ("d", DataType::new(connector_interface::TypeKind::DOUBLE)),
            ("dec", DataType::string()),
            ("ts", DataType::string()),
            ("b", DataType::string()),
        ];
        let (layout, kind) = table(&columns, &[0], &[]);
        let values = vec![
            "k".into(),
            Value::Int(7),
            Value::Double(1.5),
            Value::Decimal(Decimal::new(12345, 10, 2)),
            Value::Timestamp(Timestamp {
                seconds: 1_700_000_000,
                nanos: 120_000_000,
            }),
            Value::Bytes(b"hi!".to_vec().into()),
        ];
        let (_, cmds) = upsert(&layout, kind.as_ref(), values, None);
        assert_eq!(
            cmds[0][2],
            r#"{"n":7,"d":1.5,"dec":123.45,"ts":"2023-11-14 22:13:20.12","b":"aGkh"}"#
        );
    }

    #[test]
    fn a_null_raw_value_deletes_the_key() {
        let columns = strings(&["id", "v"]);
        let (layout, kind) = table(&refs(&columns), &[0], &[]);
        let (written, cmds) = upsert(&layout, kind.as_ref(), vec!["k".into(), Value::Null], None);
        assert_eq!(written, Written::Deleted);
        assert_eq!(cmds, [["DEL", "k"]]);
    }

    #[test]
    fn a_null_key_names_the_table_and_the_column() {
        let columns = strings(&["id", "v"]);
        let (layout, _) = table(&refs(&columns), &[0], &[]);
        let err = layout.key(&[Value::Null, "v".into()]).unwrap_err();
        assert_eq!(err.message.as_str(), "table 't': key column 'id' is NULL");
    }

    #[test]
    fn a_hash_sets_fields_removes_null_ones_and_expires_in_one_transaction() {
        let columns = strings(&["id", "a", "b"]);
        let (layout, kind) = table(&refs(&columns), &[0], &[("type", "hash")]);
        let values = || vec!["k".into(), Value::Int(1), Value::Null];
        let (_, cmds) = upsert(&layout, kind.as_ref(), values(), None);
        assert_eq!(cmds, [vec!["HSET", "k", "a", "1"], vec!["HDEL", "k", "b"]]);
        let (_, cmds) = upsert(&layout, kind.as_ref(), values(), Some(b"9"));
        assert_eq!(
            cmds,
            [
                vec!["MULTI"],
                vec!["HSET", "k", "a", "1"],
                vec!["HDEL", "k", "b"],
                vec!["EXPIRE", "k", "9"],
                vec!["EXEC"]
            ]
        );
    }
}
