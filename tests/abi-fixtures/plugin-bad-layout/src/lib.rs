//! Fixture plugin built against an interface whose root module has another layout.

use abi_stable::export_root_module;
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::std_types::RString;
use connector_interface::{ConnectorModule, ConnectorModuleRef};

extern "C" fn manifest() -> RString {
    RString::new()
}

extern "C" fn factories() -> u32 {
    0
}

#[export_root_module]
pub fn get_connector_module() -> ConnectorModuleRef {
    ConnectorModule {
        manifest,
        factories,
    }
    .leak_into_prefix()
}
