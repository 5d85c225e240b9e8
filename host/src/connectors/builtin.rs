//! The built-in connectors' identifiers, option checks and creation.

use super::*;
use blackhole::Blackhole;
use datagen::Datagen;
use filesystem::{FileSink, FileSource};
use print::Print;

/// The built-in connectors and their options (Flink's names).
pub const BUILTIN: &[&str] = &["datagen", "filesystem", "print", "blackhole"];

/// Checks a built-in table's options, in Flink's words.
pub fn validate_builtin(table: &TableDef) -> Result<(), String> {
    let connector = table.connector();
    let fixed: &[&str] = match connector {
        "datagen" => &["connector", "rows-per-second", "number-of-rows"],
        "filesystem" => &["connector", "path", "format"],
        "print" => &["connector", "print-identifier", "standard-error"],
        "blackhole" => &["connector"],
        _ => return Ok(()),
    };
    let field_options = ["kind", "min", "max", "length", "start", "end"];
    let mut unsupported = BTreeSet::new();
    for (key, _) in &table.options {
        let is_field = connector == "datagen"
            && key.strip_prefix("fields.").is_some_and(|rest| {
                rest.rsplit_once('.').is_some_and(|(field, option)| {
                    table.columns.iter().any(|c| c.name.as_str() == field)
                        && field_options.contains(&option)
                })
            });
        if !fixed.contains(&key.as_str()) && !is_field {
            unsupported.insert(key.as_str());
        }
    }
    if !unsupported.is_empty() {
        let mut supported: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        if connector == "datagen" {
            supported.extend(field_options.iter().map(|o| format!("fields.#.{o}")));
        }
        return Err(format!(
            "table '{}': Unsupported options found for '{connector}'.\n\nUnsupported options:\n\n{}\n\nSupported options:\n\n{}",
            table.name,
            unsupported.into_iter().collect::<Vec<_>>().join("\n"),
            supported.join("\n")
        ));
    }
    if connector == "filesystem" {
        let missing: Vec<&str> = ["path", "format"]
            .into_iter()
            .filter(|k| table.option(k).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "table '{}': One or more required options are missing.\n\nMissing required options are:\n\n{}",
                table.name,
                missing.join("\n")
            ));
        }
        let format = table.option("format").unwrap_or("");
        if !["json", "csv", "debezium-json", "canal-json"].contains(&format) {
            return Err(format!(
                "table '{}': invalid value '{format}' for option 'format': expected one of: json, csv, debezium-json, canal-json",
                table.name
            ));
        }
    }
    if connector == "datagen" {
        for key in ["rows-per-second", "number-of-rows"] {
            if let Some(v) = table.option(key) {
                if v.parse::<u64>().is_err() {
                    return Err(format!(
                        "table '{}': invalid value '{v}' for option '{key}': expected a non-negative integer",
                        table.name
                    ));
                }
            }
        }
        for c in &table.columns {
            let kind = table
                .option(&format!("fields.{}.kind", c.name))
                .unwrap_or("random");
            if kind != "random" && kind != "sequence" {
                return Err(format!(
                    "table '{}': invalid value '{kind}' for option 'fields.{}.kind': expected random or sequence",
                    table.name, c.name
                ));
            }
            if kind == "sequence" {
                for bound in ["start", "end"] {
                    let key = format!("fields.{}.{bound}", c.name);
                    if table
                        .option(&key)
                        .and_then(|v| v.parse::<i64>().ok())
                        .is_none()
                    {
                        return Err(format!(
                            "table '{}': a sequence field needs an integer '{key}'",
                            table.name
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Whether a built-in source ends by itself.
pub fn builtin_bounded(table: &TableDef) -> bool {
    match table.connector() {
        "datagen" => {
            table.option("number-of-rows").is_some()
                || table
                    .columns
                    .iter()
                    .any(|c| table.option(&format!("fields.{}.kind", c.name)) == Some("sequence"))
        }
        _ => true,
    }
}

pub fn builtin_source(table: &TableDef) -> Result<Box<dyn Source>, String> {
    match table.connector() {
        "datagen" => Ok(Box::new(Datagen::new(table))),
        "filesystem" => Ok(Box::new(FileSource::new(table)?)),
        other => Err(format!(
            "table '{}': connector '{other}' cannot be read from (it is a sink)",
            table.name
        )),
    }
}

pub fn builtin_sink(
    table: &TableDef,
    task: usize,
    parallelism: usize,
) -> Result<Box<dyn Sink>, String> {
    match table.connector() {
        "print" => Ok(Box::new(Print {
            prefix: match (table.option("print-identifier"), parallelism > 1) {
                (Some(id), true) => format!("{id}:{}> ", task + 1),
                (Some(id), false) => format!("{id}> "),
                (None, true) => format!("{}> ", task + 1),
                (None, false) => String::new(),
            },
            stderr: table.option("standard-error") == Some("true"),
            rows: 0,
        })),
        "blackhole" => Ok(Box::new(Blackhole { rows: 0 })),
        "filesystem" => Ok(Box::new(FileSink::new(table, task, parallelism)?)),
        other => Err(format!(
            "table '{}': connector '{other}' cannot be written to (it is a source)",
            table.name
        )),
    }
}

// ---------------------------------------------------------------------------------------
// datagen
