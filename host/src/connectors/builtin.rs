//! The built-in connectors' identifiers, option checks and creation.

use super::*;
use blackhole::Blackhole;
use datagen::Datagen;
use filesystem::{FileSink, FileSource};
use print::Print;

/// The built-in connectors, declared as a plugin declares its factories.
pub const BUILTINS: &[&FactoryDecl] = &[
    &datagen::FACTORY,
    &filesystem::FACTORY,
    &print::FACTORY,
    &blackhole::FACTORY,
];

/// The built-in connector of this identifier.
pub fn builtin(identifier: &str) -> Option<&'static FactoryDecl> {
    BUILTINS
        .iter()
        .copied()
        .find(|f| f.identifier == identifier)
}

/// A built-in table's options, checked against its declaration, in Flink's words.
fn builtin_options(table: &TableDef) -> Result<TableOptions<'_>, String> {
    let connector = table.connector();
    let Some(decl) = builtin(connector) else {
        return Err(format!(
            "table '{}': '{connector}' is not a built-in connector",
            table.name
        ));
    };
    let options: Vec<(&str, &str)> = table
        .options
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    TableOptions::resolve(connector, &table.name, decl.options, &options, &columns)
        .map_err(|e| e.message.into())
}

/// Checks a built-in table's options: each against its declaration, then the rules that
/// involve more than one (a datagen sequence needs its start and end).
pub fn validate_builtin(table: &TableDef) -> Result<(), String> {
    let options = builtin_options(table)?;
    if table.connector() == "filesystem" {
        filesystem::validate(&options, &table.name)?;
    }
    if table.connector() == "datagen" {
        for c in &table.columns {
            if options.choice(&format!("fields.{}.kind", c.name)) != Some("sequence") {
                continue;
            }
            for bound in ["start", "end"] {
                let key = format!("fields.{}.{bound}", c.name);
                if options.int(&key).is_none() {
                    return Err(format!(
                        "table '{}': a sequence field needs an integer '{key}'",
                        table.name
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether a built-in source ends by itself.
pub fn builtin_bounded(table: &TableDef) -> bool {
    let Ok(options) = builtin_options(table) else {
        return true;
    };
    match table.connector() {
        "datagen" => {
            options.given("number-of-rows")
                || table
                    .columns
                    .iter()
                    .any(|c| options.choice(&format!("fields.{}.kind", c.name)) == Some("sequence"))
        }
        _ => true,
    }
}

pub fn builtin_source(table: &TableDef) -> Result<Box<dyn Source>, String> {
    let options = builtin_options(table)?;
    match table.connector() {
        "datagen" => Ok(Box::new(Datagen::new(table, &options))),
        "filesystem" => Ok(Box::new(FileSource::new(table, &options)?)),
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
    let options = builtin_options(table)?;
    match table.connector() {
        "print" => Ok(Box::new(Print {
            prefix: match (options.text("print-identifier"), parallelism > 1) {
                (Some(id), true) => format!("{id}:{}> ", task + 1),
                (Some(id), false) => format!("{id}> "),
                (None, true) => format!("{}> ", task + 1),
                (None, false) => String::new(),
            },
            stderr: options.boolean("standard-error").unwrap_or_default(),
            rows: 0,
        })),
        "blackhole" => Ok(Box::new(Blackhole { rows: 0 })),
        "filesystem" => Ok(Box::new(FileSink::new(table, &options, task, parallelism)?)),
        other => Err(format!(
            "table '{}': connector '{other}' cannot be written to (it is a source)",
            table.name
        )),
    }
}

// ---------------------------------------------------------------------------------------
// datagen

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/operators.md's tables of the built-ins' options, from their declarations.
    #[test]
    fn the_docs_list_the_built_ins_options_as_declared() {
        let mut expected = String::new();
        for decl in BUILTINS {
            expected.push_str(&format!("### `{}`\n\n", decl.identifier));
            match decl.options {
                [] => expected.push_str("No options.\n"),
                options => expected.push_str(&connector_tests::docs::options_markdown(options)),
            }
            expected.push('\n');
        }
        let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/operators.md");
        connector_tests::docs::assert_generated(&doc, "builtin-options", &expected);
    }

    fn table(connector: &str, options: &[(&str, &str)]) -> TableDef {
        let mut all = vec![("connector".to_string(), connector.to_string())];
        all.extend(options.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        TableDef {
            name: "t".into(),
            columns: vec![Column::new("a", connector_interface::DataType::string())],
            proctime: Vec::new(),
            computed: Vec::new(),
            primary_key: Vec::new(),
            options: all,
        }
    }

    #[test]
    fn built_in_options_are_checked_by_their_declarations() {
        let err = |c, o: &[(&str, &str)]| validate_builtin(&table(c, o)).unwrap_err();
        assert_eq!(
            err("datagen", &[("rows-per-second", "-1")]),
            "table 't': invalid value '-1' for option 'rows-per-second': expected an integer of at \
             least 0"
        );
        assert_eq!(
            err(
                "datagen",
                &[("fields.a.kind", "sequence"), ("fields.a.start", "1")]
            ),
            "table 't': a sequence field needs an integer 'fields.a.end'"
        );
        assert!(err("datagen", &[("fields.b.kind", "random")])
            .contains("Unsupported options:\n\nfields.b.kind\n"));
        assert!(err("print", &[("standard-error", "yes")])
            .contains("for option 'standard-error': expected 'true' or 'false'"));
        assert!(err("filesystem", &[("path", "/tmp")])
            .contains("Missing required options are:\n\nformat"));
        let upper = table("filesystem", &[("path", "/tmp"), ("format", "JSON")]);
        assert_eq!(validate_builtin(&upper), Ok(()));
        assert!(builtin_bounded(&table(
            "datagen",
            &[("number-of-rows", "5")]
        )));
        assert!(!builtin_bounded(&table("datagen", &[])));
    }
}
