//! The `redis` factory.

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RResult, RStr, RString, RVec};
use connector_interface::{
    guard, ConnectorError, ConnectorFactory, ConnectorFactory_TO, ExtensionBox, FactoryBox,
    LookupBox, Lookup_TO, OptionSpec, Roles, ScanBox, SinkBox, Sink_TO, TableContext,
};

use crate::layout::TableLayout;
use crate::lookup::{LookupHandle, RedisLookup};
use crate::options::RedisOptions;
use crate::sink::RedisSink;
use crate::types;
use crate::PLUGIN;

pub struct RedisFactory;

impl RedisFactory {
    pub fn boxed() -> FactoryBox {
        ConnectorFactory_TO::from_value(RedisFactory, TD_Opaque)
    }
}

/// Validates options and schema for one role.
pub fn validate(context: &TableContext, role: Roles) -> Result<RedisOptions, ConnectorError> {
    let options = RedisOptions::parse(context)?;
    let table = context.table_name.as_str();
    let columns = &context.schema.columns;
    if columns.is_empty() {
        return Err(ConnectorError::config(format!(
            "table '{table}': a redis table needs at least one column"
        )));
    }
    let layout = TableLayout::new(context, &options);
    let keys = &layout.key_columns;
    if keys.len() > 1 && options.key_separator.is_empty() {
        return Err(ConnectorError::config(format!(
            "table '{table}': 'key.separator' must not be empty with a multi-column primary key \
             ({}): the keys of two rows could be the same",
            layout.names(keys)
        )));
    }
    if let Some(bad) = keys.iter().find(|k| **k >= columns.len()) {
        return Err(ConnectorError::config(format!(
            "table '{table}': primary key column index {bad} is out of range (the table has {} \
             columns)",
            columns.len()
        )));
    }
    if role == Roles::SINK {
        if layout.value_columns.is_empty() {
            return Err(ConnectorError::config(format!(
                "table '{table}': the redis sink needs at least one column besides the key \
                 column(s) {}",
                layout.names(keys)
            )));
        }
        types::check_sink(&options, &layout)?;
    }
    if role == Roles::LOOKUP && !options.write_open {
        let bound: Vec<usize> = context.lookup_keys.iter().map(|k| *k as usize).collect();
        let missing: Vec<usize> = keys
            .iter()
            .copied()
            .filter(|k| !bound.contains(k))
            .collect();
        if !missing.is_empty() {
            return Err(ConnectorError::config(format!(
                "table '{table}': a lookup join on a redis table must bind every key column; \
                 the join condition does not cover {}",
                layout.names(&missing)
            )));
        }
    }
    if role == Roles::SCAN {
        return Err(ConnectorError::unsupported_role(table, "redis", "scan"));
    }
    Ok(options)
}

impl ConnectorFactory for RedisFactory {
    fn identifier(&self) -> RString {
        "redis".into()
    }

    fn roles(&self) -> Roles {
        PLUGIN.factories[0].roles
    }

    fn options(&self) -> RVec<OptionSpec> {
        PLUGIN.factories[0].option_specs()
    }

    fn validate(&self, context: &TableContext, role: Roles) -> RResult<(), ConnectorError> {
        guard("validate", || validate(context, role).map(|_| ()))
    }

    fn create_sink(&self, context: &TableContext) -> RResult<SinkBox, ConnectorError> {
        guard("create_sink", || {
            let options = validate(context, Roles::SINK)?;
            Ok(Sink_TO::from_value(
                RedisSink::new(context, options),
                TD_Opaque,
            ))
        })
    }

    fn create_lookup(&self, context: &TableContext) -> RResult<LookupBox, ConnectorError> {
        guard("create_lookup", || {
            let options = validate(context, Roles::LOOKUP)?;
            Ok(Lookup_TO::from_value(
                LookupHandle::new(RedisLookup::new(context, options)),
                TD_Opaque,
            ))
        })
    }

    fn create_scan(&self, context: &TableContext) -> RResult<ScanBox, ConnectorError> {
        RResult::RErr(ConnectorError::unsupported_role(
            context.table_name.as_str(),
            "redis",
            "scan",
        ))
    }

    fn extension(&self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}
