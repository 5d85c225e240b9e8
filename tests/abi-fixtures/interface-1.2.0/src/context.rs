//! What a factory is handed: the table, its schema, its options and the task it serves.

use abi_stable::std_types::{RString, RVec};
use abi_stable::StableAbi;

use crate::types::Schema;

/// One `'key' = 'value'` of a table's `WITH (...)` clause, in the order written.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct OptionEntry {
    pub key: RString,
    pub value: RString,
}

/// The context of one table: passed to `validate` and to every `create_*` call.
#[repr(C)]
#[derive(StableAbi, Clone, PartialEq)]
pub struct TableContext {
    /// The table's name as written in SQL.
    pub table_name: RString,
    pub schema: Schema,
    /// Every option of the `WITH` clause, `connector` included.
    pub options: RVec<OptionEntry>,
    /// For lookups: the indices of the table's columns that the join condition binds, in the
    /// order of the key rows the host passes to `lookup`. Empty for other roles.
    pub lookup_keys: RVec<u32>,
    /// This subtask's index, 0-based, and the number of parallel subtasks.
    pub task_index: u32,
    pub parallelism: u32,
}

impl TableContext {
    /// The value of an option as written, if present.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|e| e.key.as_str() == key)
            .map(|e| e.value.as_str())
    }
}

/// Options are left out on purpose: they may hold passwords.
impl std::fmt::Debug for TableContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableContext")
            .field("table_name", &self.table_name)
            .field("schema", &self.schema)
            .field(
                "options",
                &self
                    .options
                    .iter()
                    .map(|e| e.key.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("lookup_keys", &self.lookup_keys)
            .field("task_index", &self.task_index)
            .field("parallelism", &self.parallelism)
            .finish()
    }
}
