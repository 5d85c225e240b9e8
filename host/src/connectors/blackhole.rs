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
    /// Keep the table the changelog describes (a `GROUP BY`'s result) instead of its rows:
    /// `-U` and `-D` remove their row, and a `+U` right after a `-U` takes its place.
    pub materialize: bool,
}

impl Sink for Collect {
    fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
        let mut table = self.rows.lock().map_err(|_| "poisoned".to_string())?;
        if !self.materialize {
            table.extend_from_slice(rows);
            return Ok(());
        }
        let mut hole = None;
        for row in rows {
            match row.kind {
                RowKind::UpdateBefore | RowKind::Delete => {
                    hole = table.iter().position(|r| r.values == row.values);
                    if let Some(at) = hole {
                        table.remove(at);
                    }
                }
                kind => {
                    let values = row.values.to_vec();
                    match (hole.take(), kind) {
                        (Some(at), RowKind::UpdateAfter) => {
                            table.insert(at, Row::new(RowKind::Insert, values))
                        }
                        _ => table.push(Row::new(RowKind::Insert, values)),
                    }
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// plugin adapters
