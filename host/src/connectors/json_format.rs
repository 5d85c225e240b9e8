//! The json formats' options beyond `<format>.ignore-parse-errors`, as Flink 1.20 names them:
//! `json.fail-on-missing-field`, `json.timestamp-format.standard`,
//! `debezium-json.schema-include`, `canal-json.database.include` and `canal-json.table.include`.

use connector_interface::options::{OptionDecl, OptionType};
use connector_interface::TableOptions;

/// `json.fail-on-missing-field`.
pub(crate) const FAIL_ON_MISSING_FIELD: OptionDecl = OptionDecl {
    default: Some("false"),
    section: "formats",
    ..OptionDecl::new(
        "json.fail-on-missing-field",
        OptionType::BOOLEAN,
        "The json format: a field missing from an object fails the job (by default it is NULL).",
    )
};

/// `json.timestamp-format.standard`.
pub(crate) const TIMESTAMP_FORMAT: OptionDecl = OptionDecl {
    default: Some("SQL"),
    choices: &["SQL", "ISO-8601"],
    section: "formats",
    ..OptionDecl::new(
        "json.timestamp-format.standard",
        OptionType::ENUM,
        "The json format's TIMESTAMP text when writing: `SQL` (`2020-01-02 03:04:05.5`) or \
         `ISO-8601` (`2020-01-02T03:04:05.5`); both are read.",
    )
};

/// `debezium-json.schema-include`.
pub(crate) const SCHEMA_INCLUDE: OptionDecl = OptionDecl {
    default: Some("false"),
    section: "formats",
    ..OptionDecl::new(
        "debezium-json.schema-include",
        OptionType::BOOLEAN,
        "The debezium-json format: each message is `{\"schema\": ..., \"payload\": ...}` (Kafka \
         Connect's JSON with schemas); a message without `payload` fails the job. When false, \
         both forms are read.",
    )
};

/// `canal-json.database.include`.
pub(crate) const DATABASE_INCLUDE: OptionDecl = OptionDecl {
    section: "formats",
    ..OptionDecl::new(
        "canal-json.database.include",
        OptionType::STRING,
        "The canal-json format: only changes whose `database` matches this regular expression \
         (the whole name) are read; the others are skipped.",
    )
};

/// `canal-json.table.include`.
pub(crate) const TABLE_INCLUDE: OptionDecl = OptionDecl {
    section: "formats",
    ..OptionDecl::new(
        "canal-json.table.include",
        OptionType::STRING,
        "The canal-json format: only changes whose `table` matches this regular expression (the \
         whole name) are read; the others are skipped.",
    )
};

/// A `canal-json.<database | table>.include` pattern, anchored (Java's `Pattern.matches`).
fn include_pattern(
    options: &TableOptions,
    table: &str,
    key: &str,
) -> Result<Option<regex::Regex>, String> {
    let Some(pattern) = options.text(key) else {
        return Ok(None);
    };
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|e| format!("table '{table}': option '{key}' is not a regular expression: {e}"))
}

/// The json formats' settings of a table.
pub(crate) struct JsonSettings {
    pub(crate) fail_on_missing_field: bool,
    pub(crate) schema_include: bool,
    pub(crate) database: Option<regex::Regex>,
    pub(crate) table: Option<regex::Regex>,
}

impl JsonSettings {
    /// The settings, checked (the include patterns are regular expressions).
    pub(crate) fn new(options: &TableOptions, table: &str) -> Result<JsonSettings, String> {
        Ok(JsonSettings {
            fail_on_missing_field: options
                .boolean("json.fail-on-missing-field")
                .unwrap_or_default(),
            schema_include: options
                .boolean("debezium-json.schema-include")
                .unwrap_or_default(),
            database: include_pattern(options, table, "canal-json.database.include")?,
            table: include_pattern(options, table, "canal-json.table.include")?,
        })
    }
}
