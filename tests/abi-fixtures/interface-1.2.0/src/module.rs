//! The root module every plugin exports, and [`export_plugin!`](crate::export_plugin).

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{ROption, RResult, RStr, RString, RVec};
use abi_stable::{declare_root_module_statics, package_version_strings, StableAbi};

use crate::error::ConnectorError;
use crate::extension::ExtensionBox;
use crate::factory::FactoryBox;
use crate::logging::HostBox;

/// The root module of a plugin library. Frozen for 1.x: no field is ever added, even below
/// `last_prefix_field` (see the crate's evolution rules); new library-level capabilities go
/// through `extension`.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ConnectorModuleRef)))]
#[sabi(missing_field(panic))]
pub struct ConnectorModule {
    /// The embedded manifest as JSON (the same bytes as the file's manifest section).
    pub manifest: extern "C" fn() -> RString,

    /// Called once by the host right after loading, before anything else.
    pub init: extern "C" fn(host: HostBox) -> RResult<(), ConnectorError>,

    /// Every factory the library registers.
    pub factories: extern "C" fn() -> RResult<RVec<FactoryBox>, ConnectorError>,

    /// A library-level capability added after 1.0, by versioned name.
    #[sabi(last_prefix_field)]
    pub extension: extern "C" fn(name: RStr<'_>) -> ROption<ExtensionBox>,
}

impl RootModule for ConnectorModuleRef {
    declare_root_module_statics! {ConnectorModuleRef}

    const BASE_NAME: &'static str = "connector_plugin";
    const NAME: &'static str = "connector_plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

/// Exports a plugin: embeds the manifest of `$decl` (a `PluginDecl` constant) and exports the
/// root module whose `factories` calls `$factories` (a `fn() -> Vec<FactoryBox>`). The calling
/// crate must depend on `abi_stable` itself (its export attribute names `::abi_stable`).
///
/// ```ignore
/// connector_interface::export_plugin!(PLUGIN, factories);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($decl:path, $factories:path) => {
        const __CONNECTOR_MANIFEST_LEN: usize = $crate::manifest::json_len(&$decl);

        #[used]
        #[link_section = ".connector_manifest"]
        static __CONNECTOR_MANIFEST: [u8; __CONNECTOR_MANIFEST_LEN] =
            $crate::manifest::json_bytes::<__CONNECTOR_MANIFEST_LEN>(&$decl);

        /// The manifest bytes embedded in this library.
        pub fn embedded_manifest() -> &'static [u8] {
            &__CONNECTOR_MANIFEST
        }

        /// The root module, exported under abi_stable's fixed symbol.
        #[::abi_stable::export_root_module]
        pub fn get_connector_module() -> $crate::ConnectorModuleRef {
            use $crate::abi_stable::prefix_type::PrefixTypeTrait;
            $crate::ConnectorModule {
                manifest: __connector_manifest,
                init: __connector_init,
                factories: __connector_factories,
                extension: __connector_extension,
            }
            .leak_into_prefix()
        }

        extern "C" fn __connector_manifest() -> $crate::abi_stable::std_types::RString {
            String::from_utf8_lossy(embedded_manifest())
                .into_owned()
                .into()
        }

        extern "C" fn __connector_init(
            host: $crate::HostBox,
        ) -> $crate::abi_stable::std_types::RResult<(), $crate::ConnectorError> {
            $crate::guard("init", || {
                $crate::logging::install_host_logger(host, $decl.name);
                Ok(())
            })
        }

        extern "C" fn __connector_factories() -> $crate::abi_stable::std_types::RResult<
            $crate::abi_stable::std_types::RVec<$crate::FactoryBox>,
            $crate::ConnectorError,
        > {
            $crate::guard("factories", || Ok($factories().into()))
        }

        extern "C" fn __connector_extension(
            _name: $crate::abi_stable::std_types::RStr<'_>,
        ) -> $crate::abi_stable::std_types::ROption<$crate::ExtensionBox> {
            $crate::abi_stable::std_types::ROption::RNone
        }
    };
}
