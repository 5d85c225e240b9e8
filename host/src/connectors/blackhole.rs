//! `blackhole` (rows dropped) and `Collect` (rows kept, for `SELECT`).

use super::*;

/// `blackhole`'s declaration: no options.
pub(crate) const FACTORY: FactoryDecl = FactoryDecl {
    identifier: "blackhole",
    description: "Drops every row (Flink's blackhole).",
    roles: Roles::SINK,
    options: &[],
};

pub(crate) struct Blackhole {
    pub(crate) rows: u64,
}

impl Sink for Blackhole {
    fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
        self.rows += rows.len() as u64;
        Ok(())
    }
    fn counters(&self) -> Vec<(String, u64)> {
        vec![("rows_written".into(), self.rows)]
    }
}

/// Collects rows in memory (for `SELECT` on its own).
pub struct Collect {
    pub rows: std::sync::Arc<std::sync::Mutex<Vec<Row>>>,
}

impl Sink for Collect {
    fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
        self.rows
            .lock()
            .map_err(|_| "poisoned".to_string())?
            .extend_from_slice(rows);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// plugin adapters
