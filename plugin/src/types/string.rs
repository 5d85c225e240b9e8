//! `type` = `string`: one value per key, the single non-key column as text (`raw`), or a JSON
//! object of the non-key columns (`json`). Upserts without a TTL run together as one `MSET`
//! per node; with a TTL each is `SET k v EX ttl`. A NULL raw value deletes the key.

use connector_format::{from_json, write_cast_text, write_json_object};
use connector_interface::{ConnectorError, Value};

use super::{bulk, conversion_error, read_text, RedisType, Written};
use crate::client::{Pipeline, ReplyAt, Route};
use crate::layout::TableLayout;

/// Keys per `MGET`: several commands in one round trip let the client parse one reply while
/// the server answers the next.
const MGET_CHUNK: usize = 128;

pub struct Str {
    layout: TableLayout,
    json: bool,
}

impl Str {
    pub fn new(layout: TableLayout, json: bool) -> Str {
        Str { layout, json }
    }

    /// The value of a row, or `None` for a raw NULL.
    fn value(&self, row: &[Value]) -> Option<Vec<u8>> {
        let layout = &self.layout;
        if self.json {
            let mut value = Vec::with_capacity(16 * layout.value_columns.len());
            let fields = layout
                .value_columns
                .iter()
                .map(|c| (layout.column_name(*c), &row[*c]));
            write_json_object(&mut value, fields);
            return Some(value);
        }
        let column = layout.value_columns[0];
        match &row[column] {
            Value::Null => None,
            v => {
                let mut value = Vec::new();
                write_cast_text(&mut value, v, &layout.columns[column].data_type);
                Some(value)
            }
        }
    }
}

impl RedisType for Str {
    fn upsert(
        &self,
        key: &[u8],
        row: &[Value],
        ttl: Option<&[u8]>,
        node: Route,
        out: &mut Pipeline,
    ) -> Written {
        let Some(value) = self.value(row) else {
            out.command(node, &[b"DEL", key]);
            return Written::Deleted;
        };
        match ttl {
            Some(ttl) => {
                out.command(node, &[b"SET", key, &value, b"EX", ttl]);
            }
            None => {
                out.item(node, b"MSET", Some(b"SET"), usize::MAX, &[key, &value]);
            }
        }
        Written::Upserted
    }

    fn name(&self) -> &'static str {
        "string"
    }

    fn reads_other_types_as_absent(&self) -> bool {
        true
    }

    fn read(&self, key: &[u8], node: Route, out: &mut Pipeline) -> ReplyAt {
        out.item(node, b"MGET", None, MGET_CHUNK, &[key])
    }

    fn decode(
        &self,
        key: &[u8],
        reply: &redis::Value,
        mut row: Vec<Value>,
    ) -> Result<Option<Vec<Value>>, ConnectorError> {
        let layout = &self.layout;
        let Some(raw) = bulk(reply) else {
            return Ok(None);
        };
        if !self.json {
            if let Some(column) = layout.value_columns.first() {
                read_text(layout, key, *column, raw, &mut row)?;
            }
            return Ok(Some(row));
        }
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(raw)
            .map_err(|_| {
                ConnectorError::data(format!(
                    "table '{}': key '{}': the value is not a JSON object: '{}'",
                    layout.table,
                    String::from_utf8_lossy(key),
                    String::from_utf8_lossy(raw)
                ))
            })?;
        for column in &layout.value_columns {
            if let Some(json) = object.get(layout.column_name(*column)) {
                row[*column] =
                    from_json(json, &layout.columns[*column].data_type).map_err(|why| {
                        conversion_error(layout, key, *column, &json.to_string(), &why)
                    })?;
            }
        }
        Ok(Some(row))
    }

    fn write_back(&self, key: &[u8], tokens: &[&str], nx: bool, node: Route, out: &mut Pipeline) {
        if let Some(value) = tokens.last() {
            if nx {
                out.command(node, &[b"SET", key, value.as_bytes(), b"NX"]);
            } else {
                out.command(node, &[b"SET", key, value.as_bytes()]);
            }
        }
    }
}
