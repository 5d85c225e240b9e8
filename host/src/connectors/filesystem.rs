//! `filesystem`: rows read from files (`json`, `csv`, `debezium-json`, `canal-json`) and
//! written to a file (`json`, `csv`).

use super::*;
use csv::Csv;
use json_format::JsonSettings;

/// `filesystem`'s declaration (Flink's option names).
pub(crate) const FACTORY: FactoryDecl = FactoryDecl {
    identifier: "filesystem",
    description: "Rows read from or written to files, one row per line.",
    roles: Roles::SINK.union(Roles::SCAN),
    options: &[
        OptionDecl {
            required: true,
            ..OptionDecl::new(
                "path",
                OptionType::STRING,
                "A file, or a directory: read every file in it; write one part file per subtask.",
            )
        },
        OptionDecl {
            required: true,
            choices: &["json", "csv", "debezium-json", "canal-json"],
            ..OptionDecl::new(
                "format",
                OptionType::ENUM,
                "The lines' format; the sink writes `json` or `csv`, the changelog formats are \
                 read only.",
            )
        },
        ignore_parse_errors("json.ignore-parse-errors"),
        ignore_parse_errors("csv.ignore-parse-errors"),
        json_format::FAIL_ON_MISSING_FIELD,
        json_format::TIMESTAMP_FORMAT,
        json_format::SCHEMA_INCLUDE,
        json_format::DATABASE_INCLUDE,
        json_format::TABLE_INCLUDE,
        csv::FIELD_DELIMITER,
        csv::QUOTE_CHARACTER,
        csv::NULL_LITERAL,
        csv::ALLOW_COMMENTS,
        ignore_parse_errors("debezium-json.ignore-parse-errors"),
        ignore_parse_errors("canal-json.ignore-parse-errors"),
        OptionDecl {
            default: Some("16777216"),
            min: Some(1),
            ..OptionDecl::new(
                "source.max-line-length",
                OptionType::INT,
                "Longest line read, in bytes (the memory one line may take); a longer line \
                 fails the job naming file and line.",
            )
        },
    ],
};

/// Checks the options a filesystem table's format reads when it runs.
pub(crate) fn validate(options: &TableOptions, table: &str) -> Result<(), String> {
    JsonSettings::new(options, table)?;
    if options.choice("format") == Some("csv") {
        Csv::from_options(options, table)?;
    }
    Ok(())
}

/// Flink's `<format>.ignore-parse-errors`.
const fn ignore_parse_errors(key: &'static str) -> OptionDecl {
    OptionDecl {
        default: Some("false"),
        section: "formats",
        ..OptionDecl::new(
            key,
            OptionType::BOOLEAN,
            "For that format: a line that cannot be read is skipped (each with a warning \
             naming file and line, and a count when the source closes) instead of failing the \
             job.",
        )
    }
}

pub(crate) struct FileSource {
    table: String,
    columns: Vec<Column>,
    format: String,
    files: Vec<PathBuf>,
    /// The file being read, its reader and the number of the last line read.
    reader: Option<(PathBuf, std::io::BufReader<std::fs::File>, usize)>,
    max_line: usize,
    /// `<format>.ignore-parse-errors`: skip (and count) lines that cannot be read.
    ignore_parse_errors: bool,
    skipped: u64,
    csv: Csv,
    json: JsonSettings,
}

pub(crate) fn files_of(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(['.', '_']))
            })
            .collect();
        files.sort();
        Ok(files)
    } else if path.is_file() {
        Ok(vec![path.to_path_buf()])
    } else {
        Err(format!("{}: no such file or directory", path.display()))
    }
}

impl FileSource {
    pub(crate) fn new(table: &TableDef, options: &TableOptions) -> Result<FileSource, String> {
        let path = PathBuf::from(options.text("path").unwrap_or_default());
        let mut files = files_of(&path).map_err(|e| format!("table '{}': {e}", table.name))?;
        files.reverse();
        let format = options.choice("format").unwrap_or_default();
        Ok(FileSource {
            table: table.name.clone(),
            columns: table.columns.clone(),
            format: format.to_string(),
            files,
            reader: None,
            max_line: options
                .int("source.max-line-length")
                .unwrap_or_default()
                .max(1) as usize,
            ignore_parse_errors: options
                .boolean(&format!("{format}.ignore-parse-errors"))
                .unwrap_or_default(),
            skipped: 0,
            csv: Csv::from_options(options, &table.name)?,
            json: JsonSettings::new(options, &table.name)?,
        })
    }

    fn object_row(&self, object: &serde_json::Value, kind: RowKind) -> Result<Row, String> {
        if !object.is_object() {
            return Err(format!(
                "a JSON object was expected, found {}",
                json_kind(object)
            ));
        }
        let fail_on_missing = self.json.fail_on_missing_field && self.format == "json";
        let values = self
            .columns
            .iter()
            .map(|c| {
                let field = object.get(c.name.as_str());
                if field.is_none() && fail_on_missing {
                    return Err(format!(
                        "no field '{}' ('json.fail-on-missing-field' = 'true')",
                        c.name
                    ));
                }
                from_json(field.unwrap_or(&serde_json::Value::Null), &c.data_type)
                    .map_err(|e| format!("column '{}': {e}", c.name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Row::new(kind, values))
    }

    fn parse_line(&self, line: &str) -> Result<Vec<Row>, String> {
        let json = || {
            serde_json::from_str::<serde_json::Value>(line)
                .map_err(|e| format!("invalid JSON: {e}"))
        };
        match self.format.as_str() {
            "csv" => {
                let fields = self.csv.split(line);
                if fields.len() != self.columns.len() {
                    return Err(format!(
                        "{} fields, the table has {} columns",
                        fields.len(),
                        self.columns.len()
                    ));
                }
                let values = self
                    .columns
                    .iter()
                    .zip(&fields)
                    .map(|(c, f)| {
                        csv::value(f.as_deref(), &c.data_type)
                            .map_err(|e| format!("column '{}': {e}", c.name))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(vec![Row::insert(values)])
            }
            "debezium-json" => {
                let v = json()?;
                let payload = v.get("payload").filter(|p| p.get("op").is_some());
                if self.json.schema_include && payload.is_none() {
                    return Err(
                        "no 'payload' field ('debezium-json.schema-include' = 'true')".to_string(),
                    );
                }
                let v = payload.unwrap_or(&v);
                let op = v
                    .get("op")
                    .and_then(|o| o.as_str())
                    .ok_or("no 'op' field")?;
                let before = v.get("before").filter(|b| !b.is_null());
                let after = v.get("after").filter(|a| !a.is_null());
                match (op, before, after) {
                    ("c" | "r", _, Some(a)) => Ok(vec![self.object_row(a, RowKind::Insert)?]),
                    ("u", Some(b), Some(a)) => Ok(vec![
                        self.object_row(b, RowKind::UpdateBefore)?,
                        self.object_row(a, RowKind::UpdateAfter)?,
                    ]),
                    // Flink 1.20's words (DebeziumJsonDeserializationSchema).
                    ("u", None, Some(_)) => Err(no_before("UPDATE")),
                    ("d", Some(b), _) => Ok(vec![self.object_row(b, RowKind::Delete)?]),
                    ("d", None, _) => Err(no_before("DELETE")),
                    _ => Err(format!(
                        "unexpected debezium change '{op}' with before/after {}/{}",
                        before.is_some(),
                        after.is_some()
                    )),
                }
            }
            "canal-json" => {
                let v = json()?;
                let kind = v
                    .get("type")
                    .and_then(|t| t.as_str())
                    .ok_or("no 'type' field")?;
                // Another database's or table's change than the options include: skipped.
                for (pattern, field) in [
                    (&self.json.database, "database"),
                    (&self.json.table, "table"),
                ] {
                    let Some(pattern) = pattern else { continue };
                    let name = v.get(field).and_then(|n| n.as_str()).unwrap_or_default();
                    if !pattern.is_match(name) {
                        return Ok(Vec::new());
                    }
                }
                if !matches!(kind, "INSERT" | "UPDATE" | "DELETE") {
                    // As Flink 1.20.3 (its CanalJsonDeserializationSchema knows INSERT, UPDATE,
                    // DELETE and CREATE only, read from flink-json-1.20.3.jar): a CREATE (a DDL
                    // event) is skipped, any other type (INIT, TRUNCATE, QUERY, ...) an error.
                    return match kind {
                        "CREATE" => Ok(Vec::new()),
                        other => Err(format!("unknown \"type\" value \"{other}\"")),
                    };
                }
                let data = v
                    .get("data")
                    .and_then(|d| d.as_array())
                    .ok_or_else(|| format!("a '{kind}' message without a 'data' array of rows"))?;
                let old = v
                    .get("old")
                    .and_then(|d| d.as_array())
                    .cloned()
                    .unwrap_or_default();
                let mut rows = Vec::new();
                for (i, d) in data.iter().enumerate() {
                    match kind {
                        "INSERT" => rows.push(self.object_row(d, RowKind::Insert)?),
                        "UPDATE" => {
                            let mut before = d.clone();
                            if let (Some(b), Some(changed)) = (
                                before.as_object_mut(),
                                old.get(i).and_then(|o| o.as_object()),
                            ) {
                                for (k, val) in changed {
                                    b.insert(k.clone(), val.clone());
                                }
                            }
                            rows.push(self.object_row(&before, RowKind::UpdateBefore)?);
                            rows.push(self.object_row(d, RowKind::UpdateAfter)?);
                        }
                        _ => rows.push(self.object_row(d, RowKind::Delete)?),
                    }
                }
                Ok(rows)
            }
            _ => Ok(vec![self.object_row(&json()?, RowKind::Insert)?]),
        }
    }
}

/// The next line (without its line break) of at most `max` bytes; `None` at the end.
fn read_line(reader: &mut impl BufRead, max: usize) -> Result<Option<String>, String> {
    let mut bytes = Vec::new();
    let read = std::io::Read::take(&mut *reader, max as u64 + 1)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| e.to_string())?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    } else if bytes.len() > max {
        return Err(format!(
            "the line is longer than 'source.max-line-length' = {max} bytes"
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| format!("not UTF-8: {e}"))
}

/// A TIMESTAMP as the json format's ISO-8601 text (`2020-01-02T03:04:05.5`); other values as
/// they are.
fn iso_timestamp(value: &Value) -> Value {
    match value {
        Value::Timestamp(_) => Value::String(to_text(value).replacen(' ', "T", 1).as_str().into()),
        other => other.clone(),
    }
}

/// Flink's message for a Debezium change without the row before it.
fn no_before(kind: &str) -> String {
    format!(
        "The \"before\" field of {kind} message is null, if you are using Debezium Postgres \
         Connector, please check the Postgres table has been set REPLICA IDENTITY to FULL level."
    )
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl Source for FileSource {
    fn next_batch(&mut self, max: usize) -> Result<Option<Vec<Row>>, Failure> {
        let mut rows = Vec::new();
        let csv = self.format == "csv";
        while rows.len() < max {
            if self.reader.is_none() {
                let Some(file) = self.files.pop() else { break };
                let f = std::fs::File::open(&file)
                    .map_err(|e| format!("table '{}': {}: {e}", self.table, file.display()))?;
                self.reader = Some((file, std::io::BufReader::new(f), 0));
            }
            let Some((file, reader, number)) = self.reader.as_mut() else {
                break;
            };
            match read_line(reader, self.max_line) {
                Ok(None) => self.reader = None,
                Err(e) => {
                    let at = format!("{}, line {}", file.display(), *number + 1);
                    return Err(format!("table '{}': {at}: {e}", self.table).into());
                }
                Ok(Some(line)) => {
                    *number += 1;
                    // A UTF-8 byte order mark is not part of the first line's data.
                    let line = match *number {
                        1 => line.strip_prefix('\u{feff}').unwrap_or(&line),
                        _ => &line,
                    };
                    if line.trim().is_empty() || (csv && self.csv.is_comment(line)) {
                        continue;
                    }
                    let first = *number;
                    let mut record = std::borrow::Cow::Borrowed(line);
                    // A quoted csv field with a line break goes on on the next line.
                    while csv && self.csv.unterminated(&record) {
                        let next = read_line(reader, self.max_line).and_then(|l| {
                            l.ok_or_else(|| "a quoted field is not closed".to_string())
                        });
                        let next = next.map_err(|e| {
                            let at = format!("{}, line {first}", file.display());
                            format!("table '{}': {at}: {e}", self.table)
                        })?;
                        *number += 1;
                        let joined = record.to_mut();
                        joined.push('\n');
                        joined.push_str(&next);
                    }
                    let (file, number) = (file.display().to_string(), first);
                    match self.parse_line(&record) {
                        Ok(parsed) => rows.extend(parsed),
                        Err(e) if self.ignore_parse_errors => {
                            self.skipped += 1;
                            log::warn!(
                                "table '{}': {file}, line {number} skipped: {e}",
                                self.table
                            );
                        }
                        Err(e) => {
                            return Err(format!(
                                "table '{}': {file}, line {number}: {e}",
                                self.table
                            )
                            .into())
                        }
                    }
                }
            }
        }
        Ok(if rows.is_empty() { None } else { Some(rows) })
    }

    fn close(&mut self) -> Result<(), Failure> {
        if self.skipped > 0 {
            log::warn!(
                "table '{}': {} lines skipped ('{}.ignore-parse-errors' = 'true')",
                self.table,
                self.skipped,
                self.format
            );
        }
        Ok(())
    }
}

pub(crate) struct FileSink {
    table: String,
    columns: Vec<String>,
    /// The csv settings when the format is `csv` (else `json`).
    csv: Option<Csv>,
    /// `json.timestamp-format.standard` = `ISO-8601`: TIMESTAMPs as `2020-01-02T03:04:05`.
    iso_timestamps: bool,
    path: PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
    rows: u64,
}

impl FileSink {
    pub(crate) fn new(
        table: &TableDef,
        options: &TableOptions,
        task: usize,
        parallelism: usize,
    ) -> Result<FileSink, String> {
        let base = PathBuf::from(options.text("path").unwrap_or_default());
        let format = options.choice("format").unwrap_or_default();
        if format != "json" && format != "csv" {
            return Err(format!(
                "table '{}': the filesystem sink writes 'json' or 'csv', not '{format}'",
                table.name
            ));
        }
        let path = if base.is_dir() {
            base.join(format!("part-{task}-{}.{format}", std::process::id()))
        } else if parallelism > 1 {
            PathBuf::from(format!("{}.{task}", base.display()))
        } else {
            base
        };
        Ok(FileSink {
            table: table.name.clone(),
            columns: table.columns.iter().map(|c| c.name.to_string()).collect(),
            csv: match format {
                "csv" => Some(Csv::from_options(options, &table.name)?),
                _ => None,
            },
            iso_timestamps: options.choice("json.timestamp-format.standard") == Some("ISO-8601"),
            path,
            out: None,
            rows: 0,
        })
    }
}

impl Sink for FileSink {
    fn open(&mut self) -> Result<(), Failure> {
        let file = std::fs::File::create(&self.path)
            .map_err(|e| format!("table '{}': {}: {e}", self.table, self.path.display()))?;
        self.out = Some(std::io::BufWriter::new(file));
        Ok(())
    }

    fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
        let Some(out) = self.out.as_mut() else {
            return Err("the sink is not open".into());
        };
        for row in rows {
            if !matches!(row.kind, RowKind::Insert | RowKind::UpdateAfter) {
                return Err(format!(
                    "table '{}': the filesystem sink takes inserts only, and received a {} row",
                    self.table,
                    row.kind.short_string()
                )
                .into());
            }
            let line = if let Some(csv) = &self.csv {
                let mut line = String::new();
                for (i, v) in row.values.iter().enumerate() {
                    if i > 0 {
                        line.push(csv.delimiter());
                    }
                    // A DECIMAL as Flink's csv format writes it: as its json format does.
                    let text = match v {
                        Value::Null => None,
                        Value::Decimal(d) => {
                            let mut text = Vec::new();
                            connector_format::write_java_decimal(&mut text, d);
                            Some(String::from_utf8_lossy(&text).into_owned())
                        }
                        other => Some(to_text(other)),
                    };
                    csv.write_field(&mut line, text.as_deref());
                }
                line.into_bytes()
            } else {
                // The JSON form of `connector-format`, members in column order: the same
                // bytes a Redis JSON value holds for the row.
                let mut line = Vec::with_capacity(16 * self.columns.len());
                let iso: Vec<Value>;
                let values = if self.iso_timestamps {
                    iso = row.values.iter().map(iso_timestamp).collect();
                    &iso[..]
                } else {
                    &row.values[..]
                };
                let fields = self.columns.iter().map(String::as_str).zip(values.iter());
                connector_format::write_json_object(&mut line, fields);
                line
            };
            out.write_all(&line)
                .and_then(|_| out.write_all(b"\n"))
                .map_err(|e| format!("{}: {e}", self.path.display()))?;
            self.rows += 1;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Failure> {
        if let Some(out) = self.out.as_mut() {
            out.flush()
                .map_err(|e| format!("{}: {e}", self.path.display()))?;
            out.get_ref()
                .sync_data()
                .map_err(|e| format!("{}: {e}", self.path.display()))?;
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), Failure> {
        self.out = None;
        Ok(())
    }

    fn counters(&self) -> Vec<(String, u64)> {
        vec![("rows_written".into(), self.rows)]
    }
}
