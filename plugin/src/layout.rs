//! A table's layout in Redis: which columns make the key (and how it is written), which are
//! values, and where a lookup's probe row holds each key column.
//!
//! The key is `key.prefix` + the key columns' values as text joined by `key.separator`; the key
//! columns are the primary key in key order, or the first column when the table declares none
//! (the seed connector's behaviour).

use connector_format::write_text;
use connector_interface::{Column, ConnectorError, TableContext, Value};

use crate::options::RedisOptions;

/// The columns that make up the Redis key: the primary key in key order, or the first column
/// when the table declares none.
pub fn key_columns(context: &TableContext) -> Vec<usize> {
    if context.schema.primary_key.is_empty() {
        vec![0]
    } else {
        context
            .schema
            .primary_key
            .iter()
            .map(|i| *i as usize)
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct TableLayout {
    pub table: String,
    pub columns: Vec<Column>,
    pub key_columns: Vec<usize>,
    pub value_columns: Vec<usize>,
    prefix: Vec<u8>,
    separator: Vec<u8>,
}

impl TableLayout {
    pub fn new(context: &TableContext, options: &RedisOptions) -> TableLayout {
        let key_columns = key_columns(context);
        let value_columns = (0..context.schema.columns.len())
            .filter(|i| !key_columns.contains(i))
            .collect();
        TableLayout {
            table: context.table_name.to_string(),
            columns: context.schema.columns.to_vec(),
            key_columns,
            value_columns,
            prefix: options.key_prefix.as_bytes().to_vec(),
            separator: options.key_separator.as_bytes().to_vec(),
        }
    }

    /// The name of a column (a hash field, a JSON member).
    pub fn column_name(&self, index: usize) -> &str {
        self.columns[index].name.as_str()
    }

    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// The Redis key of a row to write (every column of the table). A value of a
    /// multi-column key that holds the separator is refused: it could overwrite another row.
    pub fn key(&self, values: &[Value]) -> Result<Vec<u8>, ConnectorError> {
        let mut key = Vec::with_capacity(self.prefix.len() + 16);
        self.append_key(&mut key, |_, column| values.get(column), true)?;
        Ok(key)
    }

    /// Appends the Redis key a lookup probes to `out`; `value_of(n, column)` gives the value of
    /// the `n`-th key column (in key order), which is column `column` of the table. (A probe
    /// that holds the separator reads the key it names, as a write of it was refused.)
    pub fn write_key<'v>(
        &self,
        out: &mut Vec<u8>,
        value_of: impl Fn(usize, usize) -> Option<&'v Value>,
    ) -> Result<(), ConnectorError> {
        self.append_key(out, value_of, false)
    }

    fn append_key<'v>(
        &self,
        out: &mut Vec<u8>,
        value_of: impl Fn(usize, usize) -> Option<&'v Value>,
        refuse_separator: bool,
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
                        self.table,
                        self.column_name(*column)
                    )))
                }
                Some(v) => {
                    let start = out.len();
                    write_text(out, v);
                    if refuse_separator
                        && self.key_columns.len() > 1
                        && holds(&out[start..], &self.separator)
                    {
                        return Err(self.separator_in_value(*column, &out[start..]));
                    }
                }
            }
        }
        Ok(())
    }

    /// A key value of a multi-column key that holds the separator: two rows could map to one
    /// key (`('a:b', 'c')` and `('a', 'b:c')` both `a:b:c`), so the row is refused.
    fn separator_in_value(&self, column: usize, text: &[u8]) -> ConnectorError {
        let shown: String = String::from_utf8_lossy(text).chars().take(100).collect();
        ConnectorError::data(format!(
            "table '{}': key column '{}' holds the key separator '{}' in the value '{shown}': \
             with a multi-column primary key two rows could get the same Redis key; set \
             'key.separator' to text that no key value holds",
            self.table,
            self.column_name(column),
            String::from_utf8_lossy(&self.separator)
        ))
    }

    /// For each key column (in key order), its position in a lookup's probe row (the join's
    /// bound columns, `lookup_keys`).
    pub fn probe_positions(&self, lookup_keys: &[usize]) -> Vec<usize> {
        self.key_columns
            .iter()
            .map(|k| lookup_keys.iter().position(|b| b == k).unwrap_or(0))
            .collect()
    }

    /// Quoted column names, for messages.
    pub fn names(&self, indices: &[usize]) -> String {
        indices
            .iter()
            .filter_map(|i| self.columns.get(*i))
            .map(|c| format!("'{}'", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether `text` holds `separator` (an empty separator is held by nothing).
fn holds(text: &[u8], separator: &[u8]) -> bool {
    match separator {
        [] => false,
        [byte] => text.contains(byte),
        _ => text.windows(separator.len()).any(|w| w == separator),
    }
}
