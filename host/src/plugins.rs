//! `plugins list | describe | install`: all read manifests only; no plugin code runs.

use std::path::{Path, PathBuf};

use connector_interface::manifest::{ManifestFactory, ManifestOption};
use serde_json::json;

use crate::connectors::builtin;
use crate::discovery::{inspect, Discovery};
use crate::error::HostError;

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `plugins list`: exit 0 whatever the files are, as long as the directory can be read.
pub fn list(dir: &Path, as_json: bool) -> Result<(), HostError> {
    let d = Discovery::scan(dir)?;
    let duplicates = d.duplicates();
    let mut out = String::new();
    if as_json {
        let value = json!({
            "resources": dir.display().to_string(),
            "plugins": d.plugins.iter().map(|p| json!({
                "file": file_name(&p.path),
                "name": p.manifest.name,
                "version": p.manifest.version,
                "interface_version": p.manifest.interface_version,
                "factories": p.manifest.factories.iter().map(|f| json!({
                    "identifier": f.identifier,
                    "roles": f.roles,
                    "description": f.description,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "rejected": d.rejected.iter().map(|r| json!({
                "file": file_name(&r.path),
                "reason": r.reason,
            })).collect::<Vec<_>>(),
            "duplicates": duplicates.iter().map(|(id, files)| json!({
                "identifier": id,
                "files": files.iter().map(|f| file_name(f)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        out = serde_json::to_string_pretty(&value).unwrap_or_default();
        out.push('\n');
    } else {
        out.push_str(&format!("plugins in {}:\n", dir.display()));
        if d.plugins.is_empty() {
            out.push_str("  (none)\n");
        }
        for p in &d.plugins {
            out.push_str(&format!(
                "  {}  {} {} (connector-interface {})\n",
                file_name(&p.path),
                p.manifest.name,
                p.manifest.version,
                p.manifest.interface_version
            ));
            for f in &p.manifest.factories {
                out.push_str(&format!(
                    "    {}  [{}]  {}\n",
                    f.identifier,
                    f.roles.join(", "),
                    f.description
                ));
            }
        }
        if !d.rejected.is_empty() {
            out.push_str("not usable:\n");
            for r in &d.rejected {
                out.push_str(&format!("  {}: {}\n", file_name(&r.path), r.reason));
            }
        }
        for (id, files) in &duplicates {
            out.push_str(&format!(
                "conflict: identifier '{id}' is registered by {}; jobs using it are refused until one is removed\n",
                files.iter().map(|f| file_name(f)).collect::<Vec<_>>().join(" and ")
            ));
        }
    }
    print_stdout(&out)
}

fn print_stdout(text: &str) -> Result<(), HostError> {
    crate::output::stdout(text).map(|_| ())
}

/// `plugins describe ID`: a built-in connector (as the host declares it) or a plugin's factory
/// (as its manifest declares it), options grouped by section.
pub fn describe(dir: &Path, identifier: &str, as_json: bool) -> Result<(), HostError> {
    let (factory, provider, plugin) = match builtin(identifier) {
        Some(decl) => (
            ManifestFactory::from_decl(decl),
            "built into connector-host".to_string(),
            json!({ "builtin": true }),
        ),
        None => {
            let d = Discovery::scan(dir)?;
            let plugin = d.resolve(identifier)?;
            let Some(factory) = plugin
                .manifest
                .factories
                .iter()
                .find(|f| f.identifier == identifier)
            else {
                return Err(HostError::Rejected(format!(
                    "identifier '{identifier}' not found"
                )));
            };
            let file = file_name(&plugin.path);
            let m = &plugin.manifest;
            (
                factory.clone(),
                format!("provided by {file} ({} {})", m.name, m.version),
                json!({ "file": file, "name": m.name, "version": m.version }),
            )
        }
    };
    if as_json {
        let value = json!({
            "identifier": factory.identifier,
            "description": factory.description,
            "roles": factory.roles,
            "plugin": plugin,
            "options": factory.options,
        });
        let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
        out.push('\n');
        return print_stdout(&out);
    }
    let mut out = format!(
        "{}  [{}]  {}\n{provider}\n",
        factory.identifier,
        factory.roles.join(", "),
        factory.description,
    );
    if factory.options.is_empty() {
        out.push_str("\nno options\n");
    }
    let mut sections: Vec<&str> = Vec::new();
    for o in &factory.options {
        if !sections.contains(&o.section.as_str()) {
            sections.push(&o.section);
        }
    }
    for section in sections {
        match section {
            "" => out.push_str("\noptions:\n"),
            s => out.push_str(&format!("\n{s} options:\n")),
        }
        for o in factory.options.iter().filter(|o| o.section == section) {
            out.push_str(&describe_option(o));
        }
    }
    print_stdout(&out)
}

fn describe_option(o: &ManifestOption) -> String {
    let mut head = format!("  {} ({}", o.key, o.kind);
    if o.required {
        head.push_str(", required");
    }
    if let Some(d) = &o.default {
        head.push_str(&format!(", default '{d}'"));
    }
    if let Some(range) = o.range() {
        head.push_str(&format!(", {range}"));
    }
    if !o.choices.is_empty() {
        head.push_str(&format!(", one of: {}", o.choices.join(", ")));
    }
    if !o.fallback_keys.is_empty() {
        head.push_str(&format!(
            ", also accepted as: {}",
            o.fallback_keys.join(", ")
        ));
    }
    if o.sensitive {
        head.push_str(", sensitive");
    }
    format!("{head})\n      {}\n", o.description)
}

/// `plugins install FILE`: validate without running, then copy in atomically.
pub fn install(file: &Path, dir: &Path, replace: bool) -> Result<(), HostError> {
    let refuse = |reason: String| HostError::Plugin {
        path: file.to_path_buf(),
        reason: format!("refusing to install: {reason}"),
    };
    let plugin = inspect(file).map_err(refuse)?;
    let Some(name) = file.file_name() else {
        return Err(refuse("not a file name".to_string()));
    };
    std::fs::create_dir_all(dir).map_err(|e| HostError::io(dir, e))?;
    let target = dir.join(name);
    let existing = Discovery::scan(dir)?;
    let same_file = |p: &Path| std::fs::canonicalize(p).ok() == std::fs::canonicalize(file).ok();
    if same_file(&target) {
        return Err(refuse(format!(
            "it is already installed as {}",
            target.display()
        )));
    }
    let mut conflicts: Vec<(String, PathBuf)> = Vec::new();
    for f in &plugin.manifest.factories {
        for other in &existing.plugins {
            if other
                .manifest
                .factories
                .iter()
                .any(|o| o.identifier == f.identifier)
            {
                conflicts.push((f.identifier.clone(), other.path.clone()));
            }
        }
    }
    if target.exists() && !conflicts.iter().any(|(_, p)| *p == target) {
        conflicts.push((String::new(), target.clone()));
    }
    if !conflicts.is_empty() && !replace {
        let what = conflicts
            .iter()
            .map(|(id, p)| {
                if id.is_empty() {
                    format!("{} already exists", p.display())
                } else {
                    format!("identifier '{id}' is already provided by {}", p.display())
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Err(refuse(format!("{what} (use --replace to replace it)")));
    }
    let temp = dir.join(format!(
        ".{}.installing-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let copy = || -> std::io::Result<()> {
        std::fs::copy(file, &temp)?;
        std::fs::File::open(&temp)?.sync_all()?;
        std::fs::rename(&temp, &target)
    };
    if let Err(e) = copy() {
        let _ = std::fs::remove_file(&temp);
        return Err(HostError::io(&target, e));
    }
    let mut replaced: Vec<&PathBuf> = conflicts
        .iter()
        .map(|(_, p)| p)
        .filter(|p| **p != target)
        .collect();
    replaced.sort();
    replaced.dedup();
    for old in &replaced {
        std::fs::remove_file(old).map_err(|e| HostError::io(*old, e))?;
    }
    let ids: Vec<&str> = plugin
        .manifest
        .factories
        .iter()
        .map(|f| f.identifier.as_str())
        .collect();
    print_stdout(&format!(
        "installed {} {} as {} (identifiers: {})\n",
        plugin.manifest.name,
        plugin.manifest.version,
        target.display(),
        ids.join(", ")
    ))?;
    for old in replaced {
        print_stdout(&format!("removed {}\n", old.display()))?;
    }
    Ok(())
}
