//! A root module with the same name as 1.0's but two fields instead of four.

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::RString;
use abi_stable::{declare_root_module_statics, package_version_strings, StableAbi};

#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ConnectorModuleRef)))]
pub struct ConnectorModule {
    pub manifest: extern "C" fn() -> RString,
    #[sabi(last_prefix_field)]
    pub factories: extern "C" fn() -> u32,
}

impl RootModule for ConnectorModuleRef {
    declare_root_module_statics! {ConnectorModuleRef}
    const BASE_NAME: &'static str = "connector_plugin";
    const NAME: &'static str = "connector_plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}
