//! `type` = `hash`: one field per non-key column; a NULL column removes its field. With a TTL
//! the write and its `EXPIRE` are one `MULTI ... EXEC` (one key, so one slot).

use connector_format::write_cast_text;
use connector_interface::{ConnectorError, Value};

use super::{bulk, read_text, RedisType, Written};
use crate::client::{Pipeline, ReplyAt, Route};
use crate::layout::TableLayout;

pub struct Hash {
    layout: TableLayout,
}

impl Hash {
    pub fn new(layout: TableLayout) -> Hash {
        Hash { layout }
    }
}

/// The field-value pairs of an `HGETALL` reply (RESP2 flat array or RESP3 map).
fn fields(reply: &redis::Value) -> Vec<(&[u8], &[u8])> {
    match reply {
        redis::Value::Array(items) => items
            .chunks(2)
            .filter_map(|pair| match pair {
                [f, v] => Some((bulk(f)?, bulk(v)?)),
                _ => None,
            })
            .collect(),
        redis::Value::Map(pairs) => pairs
            .iter()
            .filter_map(|(f, v)| Some((bulk(f)?, bulk(v)?)))
            .collect(),
        _ => Vec::new(),
    }
}

impl RedisType for Hash {
    fn upsert(
        &self,
        key: &[u8],
        row: &[Value],
        ttl: Option<&[u8]>,
        node: Route,
        out: &mut Pipeline,
    ) -> Written {
        let layout = &self.layout;
        let texts: Vec<Option<Vec<u8>>> = layout
            .value_columns
            .iter()
            .map(|c| match &row[*c] {
                Value::Null => None,
                v => {
                    let mut text = Vec::new();
                    write_cast_text(&mut text, v, &layout.columns[*c].data_type);
                    Some(text)
                }
            })
            .collect();
        let mut set: Vec<&[u8]> = Vec::with_capacity(2 + 2 * texts.len());
        let mut remove: Vec<&[u8]> = Vec::with_capacity(2);
        set.extend_from_slice(&[b"HSET", key]);
        remove.extend_from_slice(&[b"HDEL", key]);
        for (column, text) in layout.value_columns.iter().zip(&texts) {
            let name = layout.column_name(*column).as_bytes();
            match text {
                Some(text) => {
                    set.push(name);
                    set.push(text);
                }
                None => remove.push(name),
            }
        }
        if ttl.is_some() {
            out.command(node, &[b"MULTI"]);
        }
        if set.len() > 2 {
            out.command(node, &set);
        }
        if remove.len() > 2 {
            out.command(node, &remove);
        }
        if let Some(ttl) = ttl {
            out.command(node, &[b"EXPIRE", key, ttl]);
            out.command(node, &[b"EXEC"]);
        }
        Written::Upserted
    }

    fn name(&self) -> &'static str {
        "hash"
    }

    fn read(&self, key: &[u8], node: Route, out: &mut Pipeline) -> ReplyAt {
        out.command(node, &[b"HGETALL", key])
    }

    fn decode(
        &self,
        key: &[u8],
        reply: &redis::Value,
        mut row: Vec<Value>,
    ) -> Result<Option<Vec<Value>>, ConnectorError> {
        let fields = fields(reply);
        if fields.is_empty() {
            return Ok(None);
        }
        let layout = &self.layout;
        for column in &layout.value_columns {
            let name = layout.column_name(*column).as_bytes();
            if let Some((_, raw)) = fields.iter().find(|(f, _)| *f == name) {
                read_text(layout, key, *column, raw, &mut row)?;
            }
        }
        Ok(Some(row))
    }

    fn write_back(&self, key: &[u8], tokens: &[&str], nx: bool, node: Route, out: &mut Pipeline) {
        let pairs: Vec<(&[u8], &[u8])> = tokens
            .chunks(2)
            .filter(|pair| pair.len() == 2)
            .map(|pair| (pair[0].as_bytes(), pair[1].as_bytes()))
            .collect();
        if pairs.is_empty() {
            return;
        }
        if nx {
            for (field, value) in pairs {
                out.command(node, &[b"HSETNX", key, field, value]);
            }
            return;
        }
        let mut args: Vec<&[u8]> = vec![b"HSET", key];
        for (field, value) in pairs {
            args.push(field);
            args.push(value);
        }
        out.command(node, &args);
    }
}
