//! The `collect` fixture connector, shared by the fixture plugins (each compiles it against its
//! own interface version). Sink: appends each flushed row as a JSON line to the file named by
//! the `path` option. Lookup: reads that file and answers rows whose first column equals the
//! key (the last write wins; `-D` removes). It records exactly what it receives, so the data
//! path through the loader can be checked without an external system.

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RString, RVec};
use connector_interface::{
    guard, ConnectorError, ConnectorFactory, ConnectorFactory_TO, Counter, ExtensionBox,
    FactoryBox, Lookup, LookupBox, Lookup_TO, OptionDecl, OptionSpec, OptionType, Roles, Row,
    RowKind, ScanBox, Sink, SinkBox, Sink_TO, TableContext, Value,
};
use std::io::Write;

pub const OPTIONS: &[OptionDecl] = &[OptionDecl {
    required: true,
    ..OptionDecl::new("path", OptionType::STRING, "File the rows are appended to.")
}];

pub struct CollectFactory {
    pub identifier: &'static str,
}

pub fn factory(identifier: &'static str) -> FactoryBox {
    ConnectorFactory_TO::from_value(CollectFactory { identifier }, TD_Opaque)
}

fn path_of(context: &TableContext) -> Result<String, ConnectorError> {
    context.option("path").map(str::to_string).ok_or_else(|| {
        ConnectorError::config(format!(
            "table '{}': One or more required options are missing.\n\nMissing required options are:\n\npath",
            context.table_name
        ))
    })
}

fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Boolean(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::BigInt(i) => (*i).into(),
        Value::Double(d) => (*d).into(),
        Value::String(s) => s.as_str().into(),
        other => format!("{other:?}").into(),
    }
}

fn json_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) if n.is_i64() => Value::BigInt(n.as_i64().unwrap_or(0)),
        serde_json::Value::Number(n) => Value::Double(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::String(s.as_str().into()),
        other => Value::String(other.to_string().into()),
    }
}

impl ConnectorFactory for CollectFactory {
    fn identifier(&self) -> RString {
        self.identifier.into()
    }

    fn roles(&self) -> Roles {
        Roles::SINK.union(Roles::LOOKUP)
    }

    fn options(&self) -> RVec<OptionSpec> {
        OPTIONS.iter().map(OptionDecl::to_spec).collect()
    }

    fn validate(&self, context: &TableContext, _role: Roles) -> RResult<(), ConnectorError> {
        guard("validate", || path_of(context).map(|_| ()))
    }

    fn create_sink(&self, context: &TableContext) -> RResult<SinkBox, ConnectorError> {
        guard("create_sink", || {
            crate::before_create_sink(context);
            log::info!(
                "collect sink for table '{}' writes to {}",
                context.table_name,
                path_of(context)?
            );
            Ok(Sink_TO::from_value(
                CollectSink {
                    path: path_of(context)?,
                    buffer: Vec::new(),
                    flushed_rows: 0,
                    flushes: 0,
                },
                TD_Opaque,
            ))
        })
    }

    fn create_lookup(&self, context: &TableContext) -> RResult<LookupBox, ConnectorError> {
        guard("create_lookup", || {
            Ok(Lookup_TO::from_value(
                CollectLookup {
                    path: path_of(context)?,
                    lookups: 0,
                    submitted: Default::default(),
                },
                TD_Opaque,
            ))
        })
    }

    fn create_scan(&self, context: &TableContext) -> RResult<ScanBox, ConnectorError> {
        RResult::RErr(ConnectorError::unsupported_role(
            context.table_name.as_str(),
            self.identifier,
            "scan",
        ))
    }

    fn extension(&self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}

pub struct CollectSink {
    path: String,
    buffer: Vec<String>,
    pub flushed_rows: u64,
    pub flushes: u64,
}

impl Sink for CollectSink {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        RResult::ROk(())
    }

    fn write(&mut self, batch: RSlice<'_, Row>) -> RResult<(), ConnectorError> {
        guard("write", || {
            crate::before_write(batch.as_slice());
            for row in batch.iter() {
                let values: Vec<serde_json::Value> = row.values.iter().map(value_json).collect();
                self.buffer.push(
                    serde_json::json!({"kind": row.kind.short_string(), "values": values})
                        .to_string(),
                );
            }
            Ok(())
        })
    }

    fn flush(&mut self) -> RResult<(), ConnectorError> {
        guard("flush", || {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|e| ConnectorError::connection(format!("{}: {e}", self.path)))?;
            for line in self.buffer.drain(..) {
                writeln!(file, "{line}").map_err(|e| ConnectorError::connection(e.to_string()))?;
                self.flushed_rows += 1;
            }
            self.flushes += 1;
            Ok(())
        })
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
        RVec::from(vec![
            Counter::new("rows_written", self.flushed_rows),
            Counter::new("flushes", self.flushes),
        ])
    }

    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox> {
        crate::sink_extension(self, name.as_str())
    }
}

pub struct CollectLookup {
    path: String,
    lookups: u64,
    submitted: std::collections::VecDeque<RVec<RVec<Row>>>,
}

impl Lookup for CollectLookup {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        RResult::ROk(())
    }

    fn lookup(&mut self, keys: RSlice<'_, Row>) -> RResult<RVec<RVec<Row>>, ConnectorError> {
        guard("lookup", || {
            crate::before_lookup(keys.as_slice());
            let text = std::fs::read_to_string(&self.path).unwrap_or_default();
            let mut table: Vec<Vec<Value>> = Vec::new();
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line)
                    .map_err(|e| ConnectorError::data(format!("{}: {e}", self.path)))?;
                let values: Vec<Value> = v["values"]
                    .as_array()
                    .map(|a| a.iter().map(json_value).collect())
                    .unwrap_or_default();
                table.retain(|r| r.first() != values.first());
                if v["kind"] != "-D" {
                    table.push(values);
                }
            }
            self.lookups += keys.len() as u64;
            Ok(keys
                .iter()
                .map(|k| {
                    table
                        .iter()
                        .filter(|r| r.first() == k.values.first())
                        .map(|r| Row::new(RowKind::Insert, r.clone()))
                        .collect::<RVec<Row>>()
                })
                .collect())
        })
    }

    fn submit(&mut self, keys: RSlice<'_, Row>) -> RResult<(), ConnectorError> {
        // No pipelining here: answer at once, hand over in `collect`.
        match self.lookup(keys) {
            RResult::ROk(answers) => {
                self.submitted.push_back(answers);
                RResult::ROk(())
            }
            RResult::RErr(e) => RResult::RErr(e),
        }
    }

    fn collect(&mut self) -> RResult<RVec<RVec<Row>>, ConnectorError> {
        match self.submitted.pop_front() {
            Some(answers) => RResult::ROk(answers),
            None => RResult::RErr(ConnectorError::internal("collect without submit")),
        }
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
        RVec::from(vec![Counter::new("lookups", self.lookups)])
    }

    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox> {
        crate::lookup_extension(name.as_str())
    }
}
