//! The ABI adapters: the 1.0 [`Lookup`] the factory creates, and the `"packed-lookup/1"`
//! extension it hands its state over to.

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec};
use connector_interface::{
    guard, ConnectorError, Counter, ExtensionBox, Lookup, PackedAnswers, PackedLookup,
    PackedLookup_TO, Row, PACKED_LOOKUP_1,
};

use super::RedisLookup;

/// The lookup the factory creates (the 1.0 `Lookup`). Asked for `"packed-lookup/1"`, it hands
/// its state over to a [`PackedHandle`]; its methods then fail.
pub struct LookupHandle {
    lookup: Option<RedisLookup>,
    table: String,
}

impl LookupHandle {
    pub fn new(lookup: RedisLookup) -> LookupHandle {
        LookupHandle {
            table: lookup.table().to_string(),
            lookup: Some(lookup),
        }
    }

    fn inner(&mut self) -> Result<&mut RedisLookup, ConnectorError> {
        self.lookup.as_mut().ok_or_else(|| {
            ConnectorError::internal(format!(
                "table '{}': this lookup was handed over to its \"{PACKED_LOOKUP_1}\" extension",
                self.table
            ))
        })
    }
}

impl Lookup for LookupHandle {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        guard("lookup open", || self.inner()?.client.connect())
    }

    fn lookup(&mut self, keys: RSlice<'_, Row>) -> RResult<RVec<RVec<Row>>, ConnectorError> {
        guard("lookup", || {
            let lookup = self.inner()?;
            if lookup.client.in_flight() > 0 {
                return Err(ConnectorError::internal(format!(
                    "table '{}': lookup called while submitted batches wait to be collected",
                    lookup.table()
                )));
            }
            lookup.submit_batch(keys.as_slice())?;
            lookup.collect_rows()
        })
    }

    fn submit(&mut self, keys: RSlice<'_, Row>) -> RResult<(), ConnectorError> {
        guard("lookup submit", || {
            self.inner()?.submit_batch(keys.as_slice())
        })
    }

    fn collect(&mut self) -> RResult<RVec<RVec<Row>>, ConnectorError> {
        guard("lookup collect", || self.inner()?.collect_rows())
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        if let Some(lookup) = self.lookup.as_mut() {
            lookup.client.disconnect();
        }
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
        self.lookup
            .as_ref()
            .map_or_else(RVec::new, RedisLookup::counter_list)
    }

    fn extension(&mut self, name: RStr<'_>) -> ROption<ExtensionBox> {
        match (name.as_str(), self.lookup.take()) {
            (PACKED_LOOKUP_1, Some(lookup)) => ROption::RSome(ExtensionBox::new(
                PACKED_LOOKUP_1,
                PackedLookup_TO::from_value(PackedHandle(lookup), TD_Opaque),
            )),
            (_, lookup) => {
                self.lookup = lookup;
                ROption::RNone
            }
        }
    }
}

/// The lookup handed over through `"packed-lookup/1"`: its answers come packed (a cached row is
/// a copy of its bytes).
pub struct PackedHandle(RedisLookup);

impl PackedLookup for PackedHandle {
    fn open(&mut self) -> RResult<(), ConnectorError> {
        guard("lookup open", || self.0.client.connect())
    }

    fn submit(&mut self, keys: RSlice<'_, Row>) -> RResult<(), ConnectorError> {
        guard("lookup submit", || self.0.submit_batch(keys.as_slice()))
    }

    fn collect(&mut self) -> RResult<PackedAnswers, ConnectorError> {
        guard("lookup collect", || self.0.collect_packed())
    }

    fn close(&mut self) -> RResult<(), ConnectorError> {
        self.0.client.disconnect();
        RResult::ROk(())
    }

    fn counters(&self) -> RVec<Counter> {
        self.0.counter_list()
    }

    fn extension(&mut self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}
