//! The manifest: the `META-INF/services` analogue, embedded in the plugin file.
//!
//! A plugin declares itself once as constant data ([`PluginDecl`]: name, version, factories
//! with roles and option declarations). [`export_plugin!`](crate::export_plugin) turns that
//! declaration into JSON *at compile time* ([`json_len`], [`json_bytes`]) and places it in the
//! ELF section [`SECTION`], so that a host can list and install an uploaded plugin by reading
//! the file, without loading it. The same declaration backs the loaded factory's `options()`,
//! so the two cannot drift; hosts also compare them in tests.
//!
//! The JSON ([`Manifest`] parses it):
//!
//! ```json
//! {"manifest_version":1,"name":"redis-connector","version":"0.1.0","interface_version":"1.0.0",
//!  "factories":[{"identifier":"redis","description":"...","roles":["sink","lookup"],
//!   "options":[{"key":"hostname","type":"string","required":true,"default":null,
//!    "description":"...","fallback_keys":["host"],"sensitive":false,"choices":[],
//!    "section":"connection","min":null,"max":null}]}]}
//! ```

use serde::{Deserialize, Serialize};

use crate::options::{OptionDecl, OptionSpec, OptionType, Roles};

/// The ELF section that holds the manifest.
pub const SECTION: &str = ".connector_manifest";

/// The version of the manifest's own format.
pub const MANIFEST_VERSION: u32 = 1;

/// A plugin, declared as constant data.
#[derive(Debug, Clone, Copy)]
pub struct PluginDecl {
    pub name: &'static str,
    pub version: &'static str,
    pub factories: &'static [FactoryDecl],
}

/// A factory, declared as constant data.
#[derive(Debug, Clone, Copy)]
pub struct FactoryDecl {
    pub identifier: &'static str,
    pub description: &'static str,
    pub roles: Roles,
    pub options: &'static [OptionDecl],
}

impl FactoryDecl {
    /// The options in FFI form, for `ConnectorFactory::options`.
    pub fn option_specs(&self) -> abi_stable::std_types::RVec<OptionSpec> {
        self.options.iter().map(OptionDecl::to_spec).collect()
    }
}

/// The parsed manifest, as a host reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub manifest_version: u32,
    pub name: String,
    pub version: String,
    pub interface_version: String,
    pub factories: Vec<ManifestFactory>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFactory {
    pub identifier: String,
    #[serde(default)]
    pub description: String,
    pub roles: Vec<String>,
    pub options: Vec<ManifestOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestOption {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub required: bool,
    pub default: Option<String>,
    pub description: String,
    #[serde(default)]
    pub fallback_keys: Vec<String>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub choices: Vec<String>,
    /// (1.2) Empty in manifests of older plugins.
    #[serde(default)]
    pub section: String,
    /// (1.2)
    #[serde(default)]
    pub min: Option<i64>,
    /// (1.2)
    #[serde(default)]
    pub max: Option<i64>,
}

impl ManifestOption {
    /// The declared range for docs ("1 to 65535"), if any.
    pub fn range(&self) -> Option<String> {
        let kind = OptionType::from_name(&self.kind).unwrap_or(OptionType(0));
        crate::options::range_text(kind, self.min, self.max)
    }

    /// The manifest form of a declaration (what the embedded manifest holds for it).
    pub fn from_decl(decl: &OptionDecl) -> ManifestOption {
        ManifestOption {
            key: decl.key.to_string(),
            kind: decl.kind.name().to_string(),
            required: decl.required,
            default: decl.default.map(str::to_string),
            description: decl.description.to_string(),
            fallback_keys: decl.fallback_keys.iter().map(|k| k.to_string()).collect(),
            sensitive: decl.sensitive,
            choices: decl.choices.iter().map(|k| k.to_string()).collect(),
            section: decl.section.to_string(),
            min: decl.min,
            max: decl.max,
        }
    }

    /// The manifest form of an option a loaded factory reports; the FFI form has no section
    /// or range (they were added in 1.2, after it was frozen), so those stay empty.
    pub fn from_spec(spec: &OptionSpec) -> ManifestOption {
        ManifestOption {
            key: spec.key.to_string(),
            kind: spec.kind.name().to_string(),
            required: spec.required,
            default: spec.default.as_ref().map(|d| d.to_string()).into_option(),
            description: spec.description.to_string(),
            fallback_keys: spec.fallback_keys.iter().map(|k| k.to_string()).collect(),
            sensitive: spec.sensitive,
            choices: spec.choices.iter().map(|k| k.to_string()).collect(),
            section: String::new(),
            min: None,
            max: None,
        }
    }

    /// Whether a loaded factory's `spec` reports this option as the manifest declares it (the
    /// fields both forms carry).
    pub fn agrees_with(&self, spec: &OptionSpec) -> bool {
        let from_spec = ManifestOption::from_spec(spec);
        ManifestOption {
            section: String::new(),
            min: None,
            max: None,
            ..self.clone()
        } == from_spec
    }
}

impl ManifestFactory {
    /// The manifest form of a declaration.
    pub fn from_decl(decl: &FactoryDecl) -> ManifestFactory {
        ManifestFactory {
            identifier: decl.identifier.to_string(),
            description: decl.description.to_string(),
            roles: decl.roles.names().iter().map(|r| r.to_string()).collect(),
            options: decl.options.iter().map(ManifestOption::from_decl).collect(),
        }
    }
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The major version of the interface the plugin was built against.
    pub fn interface_major(&self) -> Option<u64> {
        self.interface_version.split('.').next()?.parse().ok()
    }
}

/// The length of the manifest JSON of `decl` built against this interface.
pub const fn json_len(decl: &PluginDecl) -> usize {
    let mut w = Writer::<0> {
        buf: [0; 0],
        len: 0,
    };
    w.plugin(decl);
    w.len
}

/// The manifest JSON of `decl`; `N` must be [`json_len`]`(decl)`.
pub const fn json_bytes<const N: usize>(decl: &PluginDecl) -> [u8; N] {
    let mut w = Writer::<N> {
        buf: [0; N],
        len: 0,
    };
    w.plugin(decl);
    assert!(w.len == N, "manifest length mismatch");
    w.buf
}

/// A JSON writer that runs at compile time. With `N` = 0 it only counts.
struct Writer<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Writer<N> {
    const fn byte(&mut self, b: u8) {
        if self.len < N {
            self.buf[self.len] = b;
        }
        self.len += 1;
    }

    const fn raw(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            self.byte(b[i]);
            i += 1;
        }
    }

    const fn string(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.byte(b'"');
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'"' || c == b'\\' {
                self.byte(b'\\');
                self.byte(c);
            } else if c < 0x20 {
                self.raw("\\u00");
                self.byte(HEX[(c >> 4) as usize]);
                self.byte(HEX[(c & 15) as usize]);
            } else {
                self.byte(c);
            }
            i += 1;
        }
        self.byte(b'"');
    }

    const fn key(&mut self, k: &str) {
        self.string(k);
        self.byte(b':');
    }

    const fn strings(&mut self, items: &[&str]) {
        self.byte(b'[');
        let mut i = 0;
        while i < items.len() {
            if i > 0 {
                self.byte(b',');
            }
            self.string(items[i]);
            i += 1;
        }
        self.byte(b']');
    }

    const fn boolean(&mut self, v: bool) {
        self.raw(if v { "true" } else { "false" });
    }

    const fn plugin(&mut self, p: &PluginDecl) {
        self.raw("{\"manifest_version\":1,");
        self.key("name");
        self.string(p.name);
        self.byte(b',');
        self.key("version");
        self.string(p.version);
        self.byte(b',');
        self.key("interface_version");
        self.string(crate::INTERFACE_VERSION);
        self.raw(",\"factories\":[");
        let mut i = 0;
        while i < p.factories.len() {
            if i > 0 {
                self.byte(b',');
            }
            self.factory(&p.factories[i]);
            i += 1;
        }
        self.raw("]}");
    }

    const fn factory(&mut self, f: &FactoryDecl) {
        self.byte(b'{');
        self.key("identifier");
        self.string(f.identifier);
        self.byte(b',');
        self.key("description");
        self.string(f.description);
        self.raw(",\"roles\":[");
        let mut first = true;
        if f.roles.contains(Roles::SINK) {
            self.raw("\"sink\"");
            first = false;
        }
        if f.roles.contains(Roles::LOOKUP) {
            if !first {
                self.byte(b',');
            }
            self.raw("\"lookup\"");
            first = false;
        }
        if f.roles.contains(Roles::SCAN) {
            if !first {
                self.byte(b',');
            }
            self.raw("\"scan\"");
        }
        self.raw("],\"options\":[");
        let mut i = 0;
        while i < f.options.len() {
            if i > 0 {
                self.byte(b',');
            }
            self.option(&f.options[i]);
            i += 1;
        }
        self.raw("]}");
    }

    const fn option(&mut self, o: &OptionDecl) {
        self.byte(b'{');
        self.key("key");
        self.string(o.key);
        self.byte(b',');
        self.key("type");
        self.string(o.kind.name());
        self.byte(b',');
        self.key("required");
        self.boolean(o.required);
        self.byte(b',');
        self.key("default");
        match o.default {
            Some(d) => self.string(d),
            None => self.raw("null"),
        }
        self.byte(b',');
        self.key("description");
        self.string(o.description);
        self.byte(b',');
        self.key("fallback_keys");
        self.strings(o.fallback_keys);
        self.byte(b',');
        self.key("sensitive");
        self.boolean(o.sensitive);
        self.byte(b',');
        self.key("choices");
        self.strings(o.choices);
        self.byte(b',');
        self.key("section");
        self.string(o.section);
        self.byte(b',');
        self.key("min");
        self.optional_int(o.min);
        self.byte(b',');
        self.key("max");
        self.optional_int(o.max);
        self.byte(b'}');
    }

    const fn optional_int(&mut self, v: Option<i64>) {
        let Some(n) = v else {
            self.raw("null");
            return;
        };
        if n < 0 {
            self.byte(b'-');
        }
        let mut digits = [0u8; 20];
        let mut count = 0;
        let mut rest = n.unsigned_abs();
        loop {
            digits[count] = b'0' + (rest % 10) as u8;
            count += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        while count > 0 {
            count -= 1;
            self.byte(digits[count]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &[OptionDecl] = &[
        OptionDecl {
            required: true,
            fallback_keys: &["host"],
            ..OptionDecl::new("hostname", OptionType::STRING, "the \"server\"\n")
        },
        OptionDecl {
            default: Some("string"),
            choices: &["string", "hash"],
            section: "keys and values",
            ..OptionDecl::new("type", OptionType::ENUM, "值的类型")
        },
        OptionDecl {
            min: Some(i64::MIN),
            max: Some(65535),
            ..OptionDecl::new("port", OptionType::INT, "")
        },
    ];
    const DECL: PluginDecl = PluginDecl {
        name: "demo",
        version: "0.1.0",
        factories: &[FactoryDecl {
            identifier: "demo",
            description: "a demo",
            roles: Roles::SINK.union(Roles::SCAN),
            options: OPTIONS,
        }],
    };
    const LEN: usize = json_len(&DECL);
    static BYTES: [u8; LEN] = json_bytes::<LEN>(&DECL);

    #[test]
    fn compile_time_json_parses_back_to_the_declaration() {
        let m = Manifest::parse(&BYTES).unwrap();
        assert_eq!(m.name, "demo");
        assert_eq!(m.interface_version, crate::INTERFACE_VERSION);
        let f = &m.factories[0];
        assert_eq!(f.roles, vec!["sink", "scan"]);
        assert_eq!(f.options[0].description, "the \"server\"\n");
        assert_eq!(f.options[0].fallback_keys, vec!["host"]);
        assert_eq!(f.options[1].description, "值的类型");
        assert_eq!(f.options[1].default.as_deref(), Some("string"));
        assert_eq!(f.options[1].section, "keys and values");
        assert_eq!(
            (f.options[2].min, f.options[2].max),
            (Some(i64::MIN), Some(65535))
        );
        assert_eq!(*f, ManifestFactory::from_decl(&DECL.factories[0]));
        let specs = DECL.factories[0].option_specs();
        assert!(f
            .options
            .iter()
            .zip(specs.iter())
            .all(|(o, s)| o.agrees_with(s)));
    }
}
