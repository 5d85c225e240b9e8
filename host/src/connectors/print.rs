//! `print`: rows in Flink's form on stdout.

use super::*;

/// `print`'s declaration (Flink's option names).
pub(crate) const FACTORY: FactoryDecl = FactoryDecl {
    identifier: "print",
    description: "Rows in Flink's form (`+I[1, abc]`) on standard output.",
    roles: Roles::SINK,
    options: &[
        OptionDecl::new(
            "print-identifier",
            OptionType::STRING,
            "Text before every row (`id> `, or `id:2> ` at parallelism above 1).",
        ),
        OptionDecl {
            default: Some("false"),
            ..OptionDecl::new(
                "standard-error",
                OptionType::BOOLEAN,
                "Print to standard error instead of standard output.",
            )
        },
    ],
};

/// Flink's form of a row: `+I[1, abc, null]` (TIMESTAMP and TIME as Java's `toString`,
/// `connector_format::to_print_text`).
pub fn flink_row(row: &Row) -> String {
    let values: Vec<String> = row
        .values
        .iter()
        .map(|v| {
            if v.is_null() {
                "null".to_string()
            } else {
                connector_format::to_print_text(v)
            }
        })
        .collect();
    format!("{}[{}]", row.kind.short_string(), values.join(", "))
}

pub(crate) struct Print {
    pub(crate) prefix: String,
    pub(crate) stderr: bool,
    pub(crate) rows: u64,
}

impl Sink for Print {
    fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
        let mut text = String::new();
        for row in rows {
            text.push_str(&self.prefix);
            text.push_str(&flink_row(row));
            text.push('\n');
        }
        // A closed stdout stops the job (`output.rs`); these rows went nowhere: not counted.
        if crate::output::write(text.as_bytes(), self.stderr).map_err(|e| e.to_string())? {
            self.rows += rows.len() as u64;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Failure> {
        Ok(())
    }

    fn counters(&self) -> Vec<(String, u64)> {
        vec![("rows_written".into(), self.rows)]
    }
}
