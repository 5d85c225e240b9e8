//! Loading a plugin library: abi_stable's header and layout checks, `init`, factories.
//!
//! Each library is loaded with `lib_header_from_path` + `init_root_module` (never
//! `RootModule::load_from_file`, which returns the first library loaded for every later
//! file), at most once per process, and never unloaded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use abi_stable::library::{lib_header_from_path, LibraryError};
use connector_interface::manifest::Manifest;
use connector_interface::{ConnectorModuleRef, FactoryBox};

use crate::discovery::incompatible_version;
use crate::error::HostError;

/// A loaded plugin library.
pub struct LoadedPlugin {
    pub path: PathBuf,
    pub module: ConnectorModuleRef,
    /// The manifest the loaded library reports (the same bytes as its manifest section).
    pub manifest: Manifest,
    pub factories: Vec<FactoryBox>,
}

impl LoadedPlugin {
    pub fn factory(&self, identifier: &str) -> Option<&FactoryBox> {
        self.factories
            .iter()
            .find(|f| f.identifier().as_str() == identifier)
    }
}

static LOADED: Mutex<Option<HashMap<PathBuf, Arc<LoadedPlugin>>>> = Mutex::new(None);

/// Loads the plugin at `path` (once per process) and returns its factories.
pub fn load(path: &Path) -> Result<Arc<LoadedPlugin>, HostError> {
    let key = std::fs::canonicalize(path).map_err(|e| HostError::Plugin {
        path: path.to_path_buf(),
        reason: format!("cannot open: {e}"),
    })?;
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    let map = loaded.get_or_insert_with(HashMap::new);
    if let Some(plugin) = map.get(&key) {
        return Ok(plugin.clone());
    }
    let started = std::time::Instant::now();
    let plugin = Arc::new(load_uncached(path)?);
    tracing::debug!(
        file = %path.display(),
        micros = started.elapsed().as_micros() as u64,
        "loaded plugin {}",
        plugin.manifest.name
    );
    map.insert(key, plugin.clone());
    Ok(plugin)
}

fn load_uncached(path: &Path) -> Result<LoadedPlugin, HostError> {
    let fail = |reason: String| HostError::Plugin {
        path: path.to_path_buf(),
        reason,
    };
    let header = lib_header_from_path(path).map_err(|e| fail(describe_library_error(path, &e)))?;
    let built_against = header.version_strings().to_string();
    let module = header
        .init_root_module::<ConnectorModuleRef>()
        .map_err(|e| fail(describe_library_error(path, &e)))?;
    // `install` and `list` trust the manifest embedded in the file; it must be the build's.
    if let Ok(file) = crate::discovery::inspect(path) {
        if file.manifest.interface_version != built_against {
            return Err(fail(format!(
                "its embedded manifest says connector-interface {}, but the library was built \
                 against {built_against}: the manifest was changed after the build",
                file.manifest.interface_version
            )));
        }
    }
    let manifest_json = (module.manifest())();
    let manifest = Manifest::parse(manifest_json.as_bytes())
        .map_err(|e| fail(format!("invalid connector manifest: {e}")))?;
    (module.init())(crate::logging::host_callbacks())
        .into_result()
        .map_err(|e| fail(format!("the plugin failed to initialize: {e}")))?;
    let factories = (module.factories())()
        .into_result()
        .map_err(|e| fail(format!("the plugin failed to list its factories: {e}")))?
        .into_vec();
    Ok(LoadedPlugin {
        path: path.to_path_buf(),
        module,
        manifest,
        factories,
    })
}

/// One line for the user; abi_stable's full report (a layout diff can run to hundreds of
/// lines) goes to the debug log.
fn describe_library_error(path: &Path, err: &LibraryError) -> String {
    tracing::debug!(file = %path.display(), "abi_stable load error: {err}");
    match err {
        LibraryError::OpenError { err, .. } => format!("cannot load the library: {err}"),
        LibraryError::GetSymbolError { .. } => {
            "not a connector plugin: the library exports no connector root module".to_string()
        }
        LibraryError::IncompatibleVersionNumber { actual_version, .. } => {
            incompatible_version(&actual_version.to_string())
        }
        LibraryError::AbiInstability(_) => format!(
            "incompatible layout: the plugin's interface types differ from this host's \
             connector-interface {} (run with RUST_LOG=debug for the full report)",
            connector_interface::INTERFACE_VERSION
        ),
        LibraryError::RootModule { err, .. } => {
            format!(
                "the plugin's root module failed: {}",
                first_line(&err.to_string())
            )
        }
        LibraryError::InvalidAbiHeader(_) | LibraryError::InvalidCAbi { .. } => {
            "incompatible abi_stable version: the plugin was built with another abi_stable ABI"
                .to_string()
        }
        other => first_line(&other.to_string()),
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown error")
        .to_string()
}
