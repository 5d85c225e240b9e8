//! A table as the bridge's Java half describes it, made the `TableContext` the plugin's
//! factory is handed (the same one the host makes for the same DDL), and that factory.
//!
//! The schema crosses as bytes (`SchemaCodec.java` writes them): the column count, then each
//! column's name and type; a type is its kind (interface 1.x's `TypeKind`), nullability,
//! precision (`4294967295` for STRING and BYTES), scale and children (name and type each);
//! then the primary key's column indices. Counts, lengths and numbers are LEB128 varints.

use std::path::Path;
use std::sync::Arc;

use abi_stable::std_types::RVec;
use connector_host::loader::{self, LoadedPlugin};
use connector_interface::{
    Column, DataType, FactoryBox, OptionEntry, Roles, Schema, TableContext, TypeKind,
};
use jni::objects::{JByteArray, JIntArray, JObjectArray};
use jni::JNIEnv;

use crate::jvm;

/// A table of one plugin factory, with the context its sinks and lookups are created from.
pub struct Table {
    pub plugin: Arc<LoadedPlugin>,
    pub identifier: String,
    pub context: TableContext,
}

impl Table {
    /// The table `TableSpec.java` describes in three arrays: `names` (the plugin's file, the
    /// factory's identifier, the table's name, then the `WITH` clause's keys and values
    /// alternating, as written), `schema` (above) and `numbers` (the subtask's index, the
    /// parallelism, then a lookup's key column indices).
    pub fn from_java(
        env: &mut JNIEnv<'_>,
        names: &JObjectArray<'_>,
        schema: &JByteArray<'_>,
        numbers: &JIntArray<'_>,
    ) -> Result<Table, String> {
        let names = jvm::strings(env, names)?;
        let numbers = jvm::ints(env, numbers)?;
        let schema = jvm::all_bytes(env, schema)?;
        let (
            [plugin, identifier, table, options @ ..],
            [task_index, parallelism, lookup_keys @ ..],
        ) = (names.as_slice(), numbers.as_slice())
        else {
            return Err("a table spec without plugin, identifier, table or task".to_string());
        };
        if options.len() % 2 != 0 {
            return Err("options must come as key and value pairs".to_string());
        }
        let plugin = load(plugin)?;
        let options = options
            .chunks(2)
            .map(|kv| OptionEntry {
                key: kv[0].as_str().into(),
                value: kv[1].as_str().into(),
            })
            .collect();
        let count = |n: i32, what: &str| u32::try_from(n).map_err(|_| format!("negative {what}"));
        let context = TableContext {
            table_name: table.as_str().into(),
            schema: decode_schema(&schema)?,
            options,
            lookup_keys: lookup_keys
                .iter()
                .map(|k| count(*k, "lookup key"))
                .collect::<Result<RVec<u32>, String>>()?,
            task_index: count(*task_index, "task index")?,
            parallelism: count(*parallelism, "parallelism")?.max(1),
        };
        Ok(Table {
            plugin,
            identifier: identifier.clone(),
            context,
        })
    }

    /// The factory answering to the table's identifier, when it supports `role`.
    pub fn factory(&self, role: Roles) -> Result<&FactoryBox, String> {
        let factory = self.plugin.factory(&self.identifier).ok_or_else(|| {
            format!(
                "the plugin {} has no factory '{}'",
                self.plugin.path.display(),
                self.identifier
            )
        })?;
        if !factory.roles().contains(role) {
            return Err(connector_host::error::role_not_supported(
                &self.context.table_name,
                &self.identifier,
                role,
            ));
        }
        Ok(factory)
    }
}

/// The plugin at `path`, loaded once per process by the host's loader (its log lines go to
/// stderr, filtered by `RUST_LOG`, `warn` by default).
pub fn load(path: &str) -> Result<Arc<LoadedPlugin>, String> {
    connector_host::logging::init();
    loader::load(Path::new(path)).map_err(|e| e.to_string())
}

/// Nested types deeper than this are refused (the packed format's own limit).
const MAX_DEPTH: usize = 64;

fn decode_schema(bytes: &[u8]) -> Result<Schema, String> {
    let mut reader = Reader { bytes, at: 0 };
    let columns = reader.columns(0)?;
    let n = reader.varint()?;
    let primary_key = (0..n)
        .map(|_| {
            let i = reader.varint()?;
            u32::try_from(i)
                .ok()
                .filter(|i| (*i as usize) < columns.len())
                .ok_or_else(|| format!("primary key index {i} out of range"))
        })
        .collect::<Result<RVec<u32>, String>>()?;
    if reader.at != bytes.len() {
        return Err("trailing bytes after the schema".to_string());
    }
    Ok(Schema {
        columns,
        primary_key,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or("the schema ends too early")?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(value);
            }
        }
        Err("a varint of the schema is too long".to_string())
    }

    fn text(&mut self) -> Result<String, String> {
        let n = self.varint()? as usize;
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or("the schema ends too early")?;
        let text = std::str::from_utf8(&self.bytes[self.at..end])
            .map_err(|_| "a column name is not UTF-8".to_string())?;
        self.at = end;
        Ok(text.to_string())
    }

    fn columns(&mut self, depth: usize) -> Result<RVec<Column>, String> {
        if depth > MAX_DEPTH {
            return Err(format!("types nested deeper than {MAX_DEPTH} levels"));
        }
        let n = self.varint()?;
        let mut columns = RVec::new();
        for _ in 0..n {
            let name = self.text()?;
            let data_type = self.data_type(depth)?;
            columns.push(Column::new(&name, data_type));
        }
        Ok(columns)
    }

    fn data_type(&mut self, depth: usize) -> Result<DataType, String> {
        let kind = TypeKind(self.byte()?);
        let nullable = self.byte()? != 0;
        let number = |v: u64| u32::try_from(v).map_err(|_| format!("type parameter {v}"));
        let precision = number(self.varint()?)?;
        let scale = number(self.varint()?)?;
        let children = self.columns(depth + 1)?;
        Ok(DataType {
            kind,
            nullable,
            precision,
            scale,
            children,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_decodes_with_its_types_and_key() {
        // (id STRING NOT NULL, price DECIMAL(10, 2), PRIMARY KEY (id))
        let mut bytes = vec![2, 2, b'i', b'd', 10, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0];
        bytes.extend([5, b'p', b'r', b'i', b'c', b'e', 8, 1, 10, 2, 0]);
        bytes.extend([1, 0]);
        let schema = decode_schema(&bytes).unwrap();
        assert_eq!(schema.columns[0].data_type.to_string(), "STRING NOT NULL");
        assert_eq!(schema.columns[1].data_type.to_string(), "DECIMAL(10, 2)");
        assert_eq!(schema.primary_key.as_slice(), &[0]);
    }

    #[test]
    fn a_truncated_schema_is_an_error() {
        assert!(decode_schema(&[2, 2, b'i']).is_err());
        assert!(decode_schema(&[1, 1, b'a', 10, 1, 0, 0, 0, 1, 7]).is_err());
    }
}
