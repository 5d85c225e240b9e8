//! Fixture plugin `fixture-scan`: the `numbers` connector, a table that can only be scanned.
//! It divides the numbers `0 .. splits * rows-per-split` into `splits` splits of consecutive
//! numbers and reads a split two rows at a time. A row is the number, then (when the schema
//! has them) the split's id and the index of the subtask that read it, so a host's test can
//! see that every split was read once and by which subtask. Built against interface 1.1.0.

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RResult, RStr, RString, RVec};
use connector_interface::{
    guard, ConnectorError, ConnectorFactory, ConnectorFactory_TO, Counter, ExtensionBox,
    FactoryBox, FactoryDecl, LookupBox, OptionDecl, OptionSpec, OptionType, PluginDecl, Roles, Row,
    Scan, ScanBox, Scan_TO, SinkBox, Split, TableContext, Value,
};

const OPTIONS: &[OptionDecl] = &[
    OptionDecl {
        default: Some("3"),
        ..OptionDecl::new("splits", OptionType::INT, "How many splits the table has.")
    },
    OptionDecl {
        default: Some("5"),
        ..OptionDecl::new(
            "rows-per-split",
            OptionType::INT,
            "How many rows a split holds.",
        )
    },
];

pub const PLUGIN: PluginDecl = PluginDecl {
    name: "fixture-scan",
    version: "0.1.0",
    factories: &[FactoryDecl {
        identifier: "numbers",
        description: "numbers in splits, for scan tests",
        roles: Roles::SCAN,
        options: OPTIONS,
    }],
};

fn factories() -> Vec<FactoryBox> {
    vec![ConnectorFactory_TO::from_value(Numbers, TD_Opaque)]
}

struct Numbers;

fn number(context: &TableContext, key: &str, default: i64) -> Result<i64, ConnectorError> {
    match context.option(key) {
        None => Ok(default),
        Some(v) => v.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ConnectorError::config(format!(
                "table '{}': invalid value '{v}' for '{key}': expected a number of at least 0",
                context.table_name
            ))
        }),
    }
}

impl ConnectorFactory for Numbers {
    fn identifier(&self) -> RString {
        "numbers".into()
    }

    fn roles(&self) -> Roles {
        Roles::SCAN
    }

    fn options(&self) -> RVec<OptionSpec> {
        OPTIONS.iter().map(OptionDecl::to_spec).collect()
    }

    fn validate(&self, context: &TableContext, _role: Roles) -> RResult<(), ConnectorError> {
        guard("validate", || {
            number(context, "splits", 3)?;
            number(context, "rows-per-split", 5).map(|_| ())
        })
    }

    fn create_sink(&self, context: &TableContext) -> RResult<SinkBox, ConnectorError> {
        let table = context.table_name.as_str();
        RResult::RErr(ConnectorError::unsupported_role(table, "numbers", "sink"))
    }

    fn create_lookup(&self, context: &TableContext) -> RResult<LookupBox, ConnectorError> {
        let table = context.table_name.as_str();
        RResult::RErr(ConnectorError::unsupported_role(table, "numbers", "lookup"))
    }

    fn create_scan(&self, context: &TableContext) -> RResult<ScanBox, ConnectorError> {
        guard("create_scan", || {
            Ok(Scan_TO::from_value(
                NumbersScan {
                    splits: number(context, "splits", 3)?,
                    rows: number(context, "rows-per-split", 5)?,
                    columns: context.schema.columns.len(),
                    task: context.task_index,
                    split: None,
                    rows_read: 0,
                    splits_read: 0,
                },
                TD_Opaque,
            ))
        })
    }

    fn extension(&self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}

struct NumbersScan {
    splits: i64,
    rows: i64,
    columns: usize,
    task: u32,
    /// The open split: its id, the next number and the end.
    split: Option<(String, i64, i64)>,
    rows_read: u64,
    splits_read: u64,
}

impl Scan for NumbersScan {
    fn splits(&mut self, _parallelism: u32) -> RResult<RVec<Split>, ConnectorError> {
        let rows = self.rows;
        RResult::ROk(
            (0..self.splits)
                .map(|i| Split {
                    id: format!("split-{i}").into(),
                    payload: format!("{},{}", i * rows, (i + 1) * rows).into(),
                })
                .collect(),
        )
    }

    fn open(&mut self, split: &Split) -> RResult<(), ConnectorError> {
        guard("open", || {
            let bad = || ConnectorError::internal(format!("bad split payload '{}'", split.payload));
            let (from, to) = split.payload.split_once(',').ok_or_else(bad)?;
            let from: i64 = from.parse().map_err(|_| bad())?;
            let to: i64 = to.parse().map_err(|_| bad())?;
            self.split = Some((split.id.to_string(), from, to));
            self.splits_read += 1;
            Ok(())
        })
    }

    fn next_batch(&mut self) -> RResult<ROption<RVec<Row>>, ConnectorError> {
        let Some((id, next, end)) = self.split.as_mut() else {
            return RResult::RErr(ConnectorError::internal("next_batch before open"));
        };
        if *next >= *end {
            self.split = None;
            return RResult::ROk(ROption::RNone);
        }
        let mut batch = RVec::new();
        while *next < *end && batch.len() < 2 {
            let values = [
                Value::BigInt(*next),
                Value::String(id.as_str().into()),
                Value::Int(self.task as i32),
            ];
            batch.push(Row::insert(
                values.into_iter().take(self.columns).collect::<Vec<_>>(),
            ));
            *next += 1;
        }
        self.rows_read += batch.len() as u64;
        RResult::ROk(ROption::RSome(batch))
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
        RVec::from(vec![
            Counter::new("rows_read", self.rows_read),
            Counter::new("splits_read", self.splits_read),
        ])
    }

    fn extension(&mut self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}

connector_interface::export_plugin!(PLUGIN, factories);
