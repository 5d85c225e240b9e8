//! The factory: what `'connector' = '<identifier>'` resolves to (Flink's
//! `DynamicTableFactory`).

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RResult, RStr, RString, RVec};

use crate::context::TableContext;
use crate::error::ConnectorError;
use crate::extension::ExtensionBox;
use crate::lookup::LookupBox;
use crate::options::{OptionSpec, Roles};
use crate::scan::ScanBox;
use crate::sink::SinkBox;

/// Creates the sinks, lookups and scans of one connector. Frozen for 1.x.
#[sabi_trait]
pub trait ConnectorFactory: Send + Sync {
    /// The value of `'connector'` this factory answers to, e.g. `redis`.
    fn identifier(&self) -> RString;

    /// The roles it supports; `create_*` for any other role returns an error of kind
    /// `UNSUPPORTED` naming the table and the role.
    fn roles(&self) -> Roles;

    /// Every option it accepts (the same table the manifest was written from).
    fn options(&self) -> RVec<OptionSpec>;

    /// Checks the table's schema and options for one role without connecting anywhere.
    fn validate(&self, context: &TableContext, role: Roles) -> RResult<(), ConnectorError>;

    fn create_sink(&self, context: &TableContext) -> RResult<SinkBox, ConnectorError>;

    fn create_lookup(&self, context: &TableContext) -> RResult<LookupBox, ConnectorError>;

    fn create_scan(&self, context: &TableContext) -> RResult<ScanBox, ConnectorError>;

    /// A capability added after 1.0, by versioned name; `RNone` when not offered.
    #[sabi(last_prefix_field)]
    fn extension(&self, name: RStr<'_>) -> ROption<ExtensionBox>;
}

pub type FactoryBox = ConnectorFactory_TO<'static, RBox<()>>;
