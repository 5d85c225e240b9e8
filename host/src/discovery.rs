//! Plugin discovery: what the plugin files in a resource directory declare, read from each
//! file's embedded manifest **without loading it** (no plugin code runs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use connector_interface::manifest::{Manifest, SECTION};
use object::{Object, ObjectKind, ObjectSection};

use crate::error::HostError;

/// A file that holds a usable manifest.
#[derive(Debug, Clone)]
pub struct PluginFile {
    pub path: PathBuf,
    pub manifest: Manifest,
}

/// A file that is not a usable plugin, with the reason.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub path: PathBuf,
    pub reason: String,
}

/// What a resource directory holds.
#[derive(Debug, Default)]
pub struct Discovery {
    pub dir: PathBuf,
    pub plugins: Vec<PluginFile>,
    pub rejected: Vec<Rejected>,
}

/// The machine this host runs on, as ELF files name it.
fn host_architecture() -> Option<object::Architecture> {
    use object::Architecture as A;
    Some(match std::env::consts::ARCH {
        "x86_64" => A::X86_64,
        "x86" => A::I386,
        "aarch64" => A::Aarch64,
        "arm" => A::Arm,
        "riscv64" => A::Riscv64,
        "powerpc64" => A::PowerPc64,
        "s390x" => A::S390x,
        "loongarch64" => A::LoongArch64,
        _ => return None,
    })
}

/// The interface major this host accepts.
pub fn host_major() -> u64 {
    connector_interface::INTERFACE_MAJOR.parse().unwrap_or(1)
}

/// Reads one file's manifest and checks it. The error is the reason the file is not usable.
pub fn inspect(path: &Path) -> Result<PluginFile, String> {
    // Only the headers and the manifest section are read, not the whole file.
    let data = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let data = object::ReadCache::new(data);
    let file = object::File::parse(&data)
        .map_err(|_| "not a shared library (not an ELF object file)".to_string())?;
    if file.kind() != ObjectKind::Dynamic {
        return Err(format!(
            "not a shared library (an ELF file of kind {:?})",
            file.kind()
        ));
    }
    let host = host_architecture();
    if Some(file.architecture()) != host || file.is_64() != cfg!(target_pointer_width = "64") {
        return Err(format!(
            "built for another machine: {:?} ({}-bit), this host is {} ({}-bit)",
            file.architecture(),
            if file.is_64() { 64 } else { 32 },
            std::env::consts::ARCH,
            if cfg!(target_pointer_width = "64") {
                64
            } else {
                32
            }
        ));
    }
    let root_module = abi_stable::library::ROOT_MODULE_LOADER_NAME.as_bytes();
    let exports_root_module = file.exports().is_ok_and(|mut exports| {
        exports.any(|e| e.is_ok_and(|e| e.name() == object::NameOrOrdinal::Name(root_module)))
    });
    let section = file.section_by_name(SECTION).ok_or_else(|| {
        format!("no connector manifest: a shared library without a '{SECTION}' section, so not a connector plugin")
    })?;
    let bytes = section
        .data()
        .map_err(|e| format!("cannot read the connector manifest: {e}"))?;
    let manifest =
        Manifest::parse(bytes).map_err(|e| format!("invalid connector manifest: {e}"))?;
    if !exports_root_module {
        return Err("not a connector plugin: it has a connector manifest but exports no connector root module (an executable, or a broken build)".to_string());
    }
    check_interface_version(&manifest)?;
    if manifest.factories.is_empty() {
        return Err("the connector manifest registers no factory".to_string());
    }
    Ok(PluginFile {
        path: path.to_path_buf(),
        manifest,
    })
}

/// The one-line message for a plugin built against another interface major.
pub fn check_interface_version(manifest: &Manifest) -> Result<(), String> {
    if manifest.interface_major() == Some(host_major()) {
        Ok(())
    } else {
        Err(incompatible_version(&manifest.interface_version))
    }
}

pub fn incompatible_version(found: &str) -> String {
    format!(
        "incompatible interface version: the plugin was built against connector-interface {found}; \
         this host supports {}.x (built against {})",
        host_major(),
        connector_interface::INTERFACE_VERSION
    )
}

impl Discovery {
    /// Inspects every regular file in `dir` (hidden files, such as an install in progress,
    /// are skipped). Bad files are reported, never fatal.
    pub fn scan(dir: &Path) -> Result<Discovery, HostError> {
        let entries = std::fs::read_dir(dir).map_err(|e| HostError::Io {
            path: dir.to_path_buf(),
            message: format!("cannot read the resource directory: {e}"),
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        paths.sort();
        let mut discovery = Discovery {
            dir: dir.to_path_buf(),
            ..Discovery::default()
        };
        // Every entry that is not a regular file (after symlinks) is named with the reason.
        paths.retain(|path| match std::fs::metadata(path) {
            Ok(m) if m.is_file() => true,
            Ok(m) => {
                let what = if m.is_dir() {
                    "a directory"
                } else {
                    "not a regular file"
                };
                discovery.rejected.push(Rejected {
                    path: path.clone(),
                    reason: format!("{what}, so not a plugin file"),
                });
                false
            }
            Err(e) => {
                let reason = match std::fs::symlink_metadata(path) {
                    Ok(l) if l.file_type().is_symlink() => {
                        format!("a symbolic link that leads to no file: {e}")
                    }
                    _ => format!("cannot read it: {e}"),
                };
                discovery.rejected.push(Rejected {
                    path: path.clone(),
                    reason,
                });
                false
            }
        });
        for path in paths {
            match inspect(&path) {
                Ok(plugin) => discovery.plugins.push(plugin),
                Err(reason) => discovery.rejected.push(Rejected { path, reason }),
            }
        }
        Ok(discovery)
    }

    /// Identifier -> the files that register it, in file-name order.
    pub fn identifiers(&self) -> BTreeMap<&str, Vec<&Path>> {
        let mut map: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
        for p in &self.plugins {
            for f in &p.manifest.factories {
                map.entry(f.identifier.as_str()).or_default().push(&p.path);
            }
        }
        map
    }

    /// Identifiers registered by more than one file, with those files.
    pub fn duplicates(&self) -> Vec<(&str, Vec<&Path>)> {
        self.identifiers()
            .into_iter()
            .filter(|(_, files)| files.len() > 1)
            .collect()
    }

    /// The plugin file that registers `identifier`, or why there is none.
    pub fn resolve(&self, identifier: &str) -> Result<&PluginFile, HostError> {
        let ids = self.identifiers();
        match ids.get(identifier).map(Vec::as_slice) {
            Some([_]) => self
                .plugins
                .iter()
                .find(|p| {
                    p.manifest
                        .factories
                        .iter()
                        .any(|f| f.identifier == identifier)
                })
                .ok_or_else(|| HostError::Rejected(format!("identifier '{identifier}' vanished"))),
            Some(files) => Err(HostError::DuplicateIdentifier {
                identifier: identifier.to_string(),
                files: files.iter().map(|p| p.to_path_buf()).collect(),
            }),
            None => Err(HostError::UnknownIdentifier {
                identifier: identifier.to_string(),
                dir: self.dir.clone(),
                available: ids.keys().map(|k| k.to_string()).collect(),
            }),
        }
    }
}
