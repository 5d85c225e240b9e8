//! Connectors a job uses: the built-in ones (Flink's `datagen`, `filesystem`, `print`,
//! `blackhole`) and adapters around plugin sinks and lookups, behind one set of traits.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use abi_stable::std_types::{RResult, RSlice, RStr, RVec};
use connector_interface::extension::Extension;
use connector_interface::{
    Column, ConnectorError, LookupBox, OptionEntry, PackedAnswers, PackedLookupBox, Row, RowKind,
    Schema, SinkBox, TableContext, TypeKind, Value, PACKED_LOOKUP_1,
};

use crate::values::{from_json, from_text, to_text};

/// A table as the catalog knows it.
#[derive(Debug, Clone)]
pub struct TableDef {
    pub name: String,
    /// Stored columns, in declaration order.
    pub columns: Vec<Column>,
    /// `x AS PROCTIME()` columns, computed by the host.
    pub proctime: Vec<String>,
    /// Primary key column indices (into `columns`), in key order.
    pub primary_key: Vec<usize>,
    pub options: Vec<(String, String)>,
}

impl TableDef {
    pub fn connector(&self) -> &str {
        self.option("connector").unwrap_or("")
    }

    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The context a plugin factory gets for this table.
    pub fn context(&self, lookup_keys: &[usize], task: usize, parallelism: usize) -> TableContext {
        TableContext {
            table_name: self.name.as_str().into(),
            schema: Schema {
                columns: self.columns.iter().cloned().collect(),
                primary_key: self.primary_key.iter().map(|i| *i as u32).collect(),
            },
            options: self
                .options
                .iter()
                .map(|(k, v)| OptionEntry {
                    key: k.as_str().into(),
                    value: v.as_str().into(),
                })
                .collect(),
            lookup_keys: lookup_keys.iter().map(|i| *i as u32).collect(),
            task_index: task as u32,
            parallelism: parallelism as u32,
        }
    }

    /// The columns rows are routed by: the primary key, or the first column.
    pub fn key_columns(&self) -> Vec<usize> {
        if self.primary_key.is_empty() {
            vec![0]
        } else {
            self.primary_key.clone()
        }
    }
}

pub trait Source: Send {
    /// The next batch of at most `max` rows; `None` at the end of a bounded input.
    fn next_batch(&mut self, max: usize) -> Result<Option<Vec<Row>>, String>;
}

pub trait Sink: Send {
    fn open(&mut self) -> Result<(), String> {
        Ok(())
    }
    fn write(&mut self, rows: &[Row]) -> Result<(), String>;
    /// Ok only when every row written before is durable.
    fn flush(&mut self) -> Result<(), String> {
        Ok(())
    }
    fn close(&mut self) -> Result<(), String> {
        Ok(())
    }
    fn counters(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
}

pub trait Lookup: Send {
    fn open(&mut self) -> Result<(), String>;
    /// Starts a lookup whose answers `collect` returns, in submission order.
    fn submit(&mut self, keys: &[Row]) -> Result<(), String>;
    /// For each key of the oldest submitted batch, its rows, in the form the lookup makes them:
    /// the plugin's `RVec`s (converting them to `Vec`s would copy every row, as an `RVec` from
    /// another library cannot hand over its buffer), or packed rows, which the thread that
    /// uses them unpacks.
    fn collect(&mut self) -> Result<Answers, String>;
    fn close(&mut self) -> Result<(), String>;
    fn counters(&self) -> Vec<(String, u64)>;
}

/// A batch's answers, per key in the batch's order: rows, or rows still packed.
pub enum Answers {
    Rows(Vec<RVec<Row>>),
    Packed(PackedAnswers),
}

impl Default for Answers {
    fn default() -> Answers {
        Answers::Rows(Vec::new())
    }
}

impl Answers {
    /// The rows of each key; an error names what is malformed in packed answers.
    pub fn into_rows(self) -> Result<Vec<RVec<Row>>, String> {
        match self {
            Answers::Rows(rows) => Ok(rows),
            Answers::Packed(packed) => packed
                .unpack_rows()
                .map_err(|e| format!("malformed packed answers: {e}")),
        }
    }
}

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

struct Datagen {
    columns: Vec<Column>,
    fields: Vec<Field>,
    remaining: Option<u64>,
    rows_per_second: u64,
    started: Instant,
    emitted: u64,
    seed: u64,
}

enum Field {
    Sequence {
        next: i64,
        end: i64,
    },
    Random {
        min: Option<f64>,
        max: Option<f64>,
        length: usize,
    },
}

impl Datagen {
    fn new(table: &TableDef) -> Datagen {
        let opt = |c: &Column, o: &str| table.option(&format!("fields.{}.{o}", c.name));
        let fields = table
            .columns
            .iter()
            .map(|c| {
                if opt(c, "kind") == Some("sequence") {
                    Field::Sequence {
                        next: opt(c, "start").and_then(|v| v.parse().ok()).unwrap_or(0),
                        end: opt(c, "end").and_then(|v| v.parse().ok()).unwrap_or(0),
                    }
                } else {
                    Field::Random {
                        min: opt(c, "min").and_then(|v| v.parse().ok()),
                        max: opt(c, "max").and_then(|v| v.parse().ok()),
                        length: opt(c, "length").and_then(|v| v.parse().ok()).unwrap_or(100),
                    }
                }
            })
            .collect();
        Datagen {
            columns: table.columns.clone(),
            fields,
            remaining: table.option("number-of-rows").and_then(|v| v.parse().ok()),
            rows_per_second: table
                .option("rows-per-second")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10_000),
            started: Instant::now(),
            emitted: 0,
            seed: 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn random(&mut self) -> u64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.seed
    }

    fn value(&mut self, i: usize) -> Option<Value> {
        let t = self.columns[i].data_type.clone();
        match &mut self.fields[i] {
            Field::Sequence { next, end } => {
                if *next > *end {
                    return None;
                }
                let v = *next;
                *next += 1;
                Some(crate::values::cast(Value::BigInt(v), &t).unwrap_or(Value::Null))
            }
            Field::Random { min, max, length } => {
                let (min, max, length) = (*min, *max, *length);
                let r = self.random();
                Some(match t.kind {
                    TypeKind::BOOLEAN => Value::Boolean(r & 1 == 1),
                    TypeKind::CHAR | TypeKind::VARCHAR => {
                        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
                        let n = length.min(t.precision as usize).max(1);
                        let mut s = String::with_capacity(n);
                        let mut x = r;
                        for _ in 0..n {
                            if x < 36 {
                                x = self.random();
                            }
                            s.push(ALPHABET[(x % 36) as usize] as char);
                            x /= 36;
                        }
                        Value::String(s.as_str().into())
                    }
                    TypeKind::FLOAT | TypeKind::DOUBLE | TypeKind::DECIMAL => {
                        let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1_000_000.0));
                        let v = lo + (r as f64 / u64::MAX as f64) * (hi - lo);
                        crate::values::cast(Value::Double(v), &t).unwrap_or(Value::Null)
                    }
                    TypeKind::TINYINT | TypeKind::SMALLINT | TypeKind::INT | TypeKind::BIGINT => {
                        let default_max = match t.kind {
                            TypeKind::TINYINT => i8::MAX as f64,
                            TypeKind::SMALLINT => i16::MAX as f64,
                            TypeKind::INT => i32::MAX as f64,
                            _ => i64::MAX as f64,
                        };
                        let lo = min.unwrap_or(0.0) as i64;
                        let hi = max.unwrap_or(default_max) as i64;
                        let span = (hi - lo).max(0) as u64 + 1;
                        let v = lo + (r % span.max(1)) as i64;
                        crate::values::cast(Value::BigInt(v), &t).unwrap_or(Value::Null)
                    }
                    TypeKind::DATE
                    | TypeKind::TIMESTAMP
                    | TypeKind::TIMESTAMP_LTZ
                    | TypeKind::TIME => {
                        crate::values::cast(crate::expr::proctime(), &t).unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                })
            }
        }
    }
}

impl Source for Datagen {
    fn next_batch(&mut self, max: usize) -> Result<Option<Vec<Row>>, String> {
        let mut n = max as u64;
        if let Some(remaining) = self.remaining {
            if remaining == 0 {
                return Ok(None);
            }
            n = n.min(remaining);
        }
        // Rate limit: never ahead of rows-per-second.
        if self.rows_per_second > 0 {
            let allowed = self.started.elapsed().as_secs_f64() * self.rows_per_second as f64;
            let ahead = (self.emitted + n) as f64 - allowed;
            if ahead > 0.0 {
                std::thread::sleep(Duration::from_secs_f64(
                    (ahead / self.rows_per_second as f64).min(0.1),
                ));
                let allowed = self.started.elapsed().as_secs_f64() * self.rows_per_second as f64;
                n = n.min((allowed as u64).saturating_sub(self.emitted).max(1));
            }
        }
        let mut rows = Vec::with_capacity(n as usize);
        'rows: for _ in 0..n {
            let mut values = Vec::with_capacity(self.columns.len());
            for i in 0..self.columns.len() {
                match self.value(i) {
                    Some(v) => values.push(v),
                    None => {
                        self.remaining = Some(0);
                        break 'rows;
                    }
                }
            }
            rows.push(Row::insert(values));
        }
        self.emitted += rows.len() as u64;
        if let Some(remaining) = &mut self.remaining {
            *remaining = remaining.saturating_sub(rows.len() as u64);
        }
        if rows.is_empty() && self.remaining == Some(0) {
            return Ok(None);
        }
        Ok(Some(rows))
    }
}

// ---------------------------------------------------------------------------------------
// filesystem

struct FileSource {
    table: String,
    columns: Vec<Column>,
    format: String,
    files: Vec<PathBuf>,
    reader: Option<(
        PathBuf,
        std::io::Lines<std::io::BufReader<std::fs::File>>,
        usize,
    )>,
}

fn files_of(path: &Path) -> Result<Vec<PathBuf>, String> {
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
    fn new(table: &TableDef) -> Result<FileSource, String> {
        let path = PathBuf::from(table.option("path").unwrap_or(""));
        let mut files = files_of(&path).map_err(|e| format!("table '{}': {e}", table.name))?;
        files.reverse();
        Ok(FileSource {
            table: table.name.clone(),
            columns: table.columns.clone(),
            format: table.option("format").unwrap_or("json").to_string(),
            files,
            reader: None,
        })
    }

    fn object_row(&self, object: &serde_json::Value, kind: RowKind) -> Result<Row, String> {
        let values = self
            .columns
            .iter()
            .map(|c| {
                from_json(
                    object
                        .get(c.name.as_str())
                        .unwrap_or(&serde_json::Value::Null),
                    &c.data_type,
                )
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
                let fields = split_csv(line);
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
                        from_text(f, &c.data_type).map_err(|e| format!("column '{}': {e}", c.name))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(vec![Row::insert(values)])
            }
            "debezium-json" => {
                let v = json()?;
                let v = v
                    .get("payload")
                    .filter(|p| p.get("op").is_some())
                    .unwrap_or(&v);
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
                    ("u", None, Some(a)) => Ok(vec![self.object_row(a, RowKind::UpdateAfter)?]),
                    ("d", Some(b), _) => Ok(vec![self.object_row(b, RowKind::Delete)?]),
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
                let data = v
                    .get("data")
                    .and_then(|d| d.as_array())
                    .cloned()
                    .unwrap_or_default();
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
                        "DELETE" => rows.push(self.object_row(d, RowKind::Delete)?),
                        _ => {}
                    }
                }
                Ok(rows)
            }
            _ => Ok(vec![self.object_row(&json()?, RowKind::Insert)?]),
        }
    }
}

/// Splits a CSV line: `,` separated, `"` quoted with `""` for a quote.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

impl Source for FileSource {
    fn next_batch(&mut self, max: usize) -> Result<Option<Vec<Row>>, String> {
        let mut rows = Vec::new();
        while rows.len() < max {
            if self.reader.is_none() {
                let Some(file) = self.files.pop() else { break };
                let f = std::fs::File::open(&file)
                    .map_err(|e| format!("table '{}': {}: {e}", self.table, file.display()))?;
                self.reader = Some((file, std::io::BufReader::new(f).lines(), 0));
            }
            let Some((file, lines, number)) = self.reader.as_mut() else {
                break;
            };
            match lines.next() {
                None => self.reader = None,
                Some(line) => {
                    *number += 1;
                    let line = line
                        .map_err(|e| format!("table '{}': {}: {e}", self.table, file.display()))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let (file, number) = (file.display().to_string(), *number);
                    let parsed = self.parse_line(&line).map_err(|e| {
                        format!("table '{}': {file}, line {number}: {e}", self.table)
                    })?;
                    rows.extend(parsed);
                }
            }
        }
        Ok(if rows.is_empty() { None } else { Some(rows) })
    }
}

struct FileSink {
    table: String,
    columns: Vec<String>,
    csv: bool,
    path: PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
    rows: u64,
}

impl FileSink {
    fn new(table: &TableDef, task: usize, parallelism: usize) -> Result<FileSink, String> {
        let base = PathBuf::from(table.option("path").unwrap_or(""));
        let format = table.option("format").unwrap_or("json");
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
            csv: format == "csv",
            path,
            out: None,
            rows: 0,
        })
    }
}

impl Sink for FileSink {
    fn open(&mut self) -> Result<(), String> {
        let file = std::fs::File::create(&self.path)
            .map_err(|e| format!("table '{}': {}: {e}", self.table, self.path.display()))?;
        self.out = Some(std::io::BufWriter::new(file));
        Ok(())
    }

    fn write(&mut self, rows: &[Row]) -> Result<(), String> {
        let Some(out) = self.out.as_mut() else {
            return Err("the sink is not open".into());
        };
        for row in rows {
            if !matches!(row.kind, RowKind::Insert | RowKind::UpdateAfter) {
                return Err(format!(
                    "table '{}': the filesystem sink takes inserts only, and received a {} row",
                    self.table,
                    row.kind.short_string()
                ));
            }
            let line = if self.csv {
                row.values
                    .iter()
                    .map(|v| {
                        let t = to_text(v);
                        if t.contains([',', '"', '\n']) {
                            format!("\"{}\"", t.replace('"', "\"\""))
                        } else {
                            t
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                // The JSON form of `connector-format`, members in column order: the same
                // bytes a Redis JSON value holds for the row.
                let mut line = Vec::with_capacity(16 * self.columns.len());
                let fields = self
                    .columns
                    .iter()
                    .map(String::as_str)
                    .zip(row.values.iter());
                connector_format::write_json_object(&mut line, fields);
                String::from_utf8_lossy(&line).into_owned()
            };
            writeln!(out, "{line}").map_err(|e| format!("{}: {e}", self.path.display()))?;
            self.rows += 1;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        if let Some(out) = self.out.as_mut() {
            out.flush()
                .map_err(|e| format!("{}: {e}", self.path.display()))?;
            out.get_ref()
                .sync_data()
                .map_err(|e| format!("{}: {e}", self.path.display()))?;
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), String> {
        self.out = None;
        Ok(())
    }

    fn counters(&self) -> Vec<(String, u64)> {
        vec![("rows_written".into(), self.rows)]
    }
}

/// Flink's form of a row: `+I[1, abc, null]`.
pub fn flink_row(row: &Row) -> String {
    let values: Vec<String> = row
        .values
        .iter()
        .map(|v| {
            if v.is_null() {
                "null".to_string()
            } else {
                to_text(v)
            }
        })
        .collect();
    format!("{}[{}]", row.kind.short_string(), values.join(", "))
}

struct Print {
    prefix: String,
    stderr: bool,
    rows: u64,
}

impl Sink for Print {
    fn write(&mut self, rows: &[Row]) -> Result<(), String> {
        let mut text = String::new();
        for row in rows {
            text.push_str(&self.prefix);
            text.push_str(&flink_row(row));
            text.push('\n');
        }
        let result = if self.stderr {
            std::io::stderr().lock().write_all(text.as_bytes())
        } else {
            std::io::stdout().lock().write_all(text.as_bytes())
        };
        match result {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.to_string()),
            _ => {}
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        let _ = std::io::stdout().flush();
        Ok(())
    }

    fn counters(&self) -> Vec<(String, u64)> {
        vec![("rows_written".into(), self.rows)]
    }
}

struct Blackhole {
    rows: u64,
}

impl Sink for Blackhole {
    fn write(&mut self, rows: &[Row]) -> Result<(), String> {
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
    fn write(&mut self, rows: &[Row]) -> Result<(), String> {
        self.rows
            .lock()
            .map_err(|_| "poisoned".to_string())?
            .extend_from_slice(rows);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// plugin adapters

/// A plugin call's result, with the plugin's error message.
pub fn plugin_result<T>(result: RResult<T, ConnectorError>) -> Result<T, String> {
    result.into_result().map_err(|e| e.message.to_string())
}

fn counters_of(
    counters: abi_stable::std_types::RVec<connector_interface::Counter>,
) -> Vec<(String, u64)> {
    counters
        .into_iter()
        .map(|c| (c.name.to_string(), c.value))
        .collect()
}

pub struct PluginSink(pub SinkBox);

impl Sink for PluginSink {
    fn open(&mut self) -> Result<(), String> {
        plugin_result(self.0.open())
    }
    fn write(&mut self, rows: &[Row]) -> Result<(), String> {
        plugin_result(self.0.write(RSlice::from_slice(rows)))
    }
    fn flush(&mut self) -> Result<(), String> {
        plugin_result(self.0.flush())
    }
    fn close(&mut self) -> Result<(), String> {
        plugin_result(self.0.close())
    }
    fn counters(&self) -> Vec<(String, u64)> {
        counters_of(self.0.counters())
    }
}

/// A plugin's lookup: through the 1.0 calls, or handed over to its `"packed-lookup/1"`
/// extension (interface 1.1), whose answers come packed.
pub enum PluginLookup {
    Rows(LookupBox),
    Packed(Extension<PackedLookupBox>),
}

impl PluginLookup {
    /// The lookup, packed when the plugin offers `"packed-lookup/1"`. An error means the plugin
    /// offered it with another layout than this host's: the lookup was handed over and is gone
    /// (see [`PluginLookup::create`]).
    pub fn new(mut lookup: LookupBox) -> Result<PluginLookup, String> {
        match lookup
            .extension(RStr::from_str(PACKED_LOOKUP_1))
            .into_option()
        {
            None => Ok(PluginLookup::Rows(lookup)),
            Some(extension) => extension
                .downcast::<PackedLookupBox>()
                .map(PluginLookup::Packed),
        }
    }

    /// A lookup of `table` from `create`, packed when the plugin offers `"packed-lookup/1"`.
    /// When the plugin offers it with another layout than this host's (a broken plugin: a
    /// released extension never changes), that lookup is gone, so a second one is created and
    /// used through the 1.0 calls, with a warning.
    pub fn create(
        table: &str,
        create: impl Fn() -> Result<LookupBox, String>,
    ) -> Result<PluginLookup, String> {
        match PluginLookup::new(create()?) {
            Ok(lookup) => Ok(lookup),
            Err(why) => {
                log::warn!(
                    "table '{table}': the plugin's \"{PACKED_LOOKUP_1}\" does not match this \
                     host's; looking up through the 1.0 calls"
                );
                log::debug!("table '{table}': {why}");
                Ok(PluginLookup::Rows(create()?))
            }
        }
    }
}

impl Lookup for PluginLookup {
    fn open(&mut self) -> Result<(), String> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.open()),
            PluginLookup::Packed(l) => plugin_result(l.open()),
        }
    }
    fn submit(&mut self, keys: &[Row]) -> Result<(), String> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.submit(RSlice::from_slice(keys))),
            PluginLookup::Packed(l) => plugin_result(l.submit(RSlice::from_slice(keys))),
        }
    }
    fn collect(&mut self) -> Result<Answers, String> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.collect())
                .map(|answers| Answers::Rows(answers.into_iter().collect())),
            PluginLookup::Packed(l) => plugin_result(l.collect()).map(Answers::Packed),
        }
    }
    fn close(&mut self) -> Result<(), String> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.close()),
            PluginLookup::Packed(l) => plugin_result(l.close()),
        }
    }
    fn counters(&self) -> Vec<(String, u64)> {
        match self {
            PluginLookup::Rows(l) => counters_of(l.counters()),
            PluginLookup::Packed(l) => counters_of(l.counters()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_honour_quotes() {
        assert_eq!(split_csv(r#"1,"a, ""b""",c"#), vec!["1", r#"a, "b""#, "c"]);
    }
}
