//! Option declarations: the one table a connector writes ([`OptionDecl`]), which drives its
//! validation, its manifest, `plugins describe` and its docs, and the FFI form a loaded
//! factory reports ([`OptionSpec`]).

use abi_stable::std_types::{ROption, RString, RVec};
use abi_stable::StableAbi;

/// The type of an option's value, as an integer "enum" so that 1.x may add types.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptionType(pub u8);

impl OptionType {
    pub const STRING: OptionType = OptionType(1);
    pub const INT: OptionType = OptionType(2);
    pub const BOOLEAN: OptionType = OptionType(3);
    /// Flink durations: `500ms`, `1s`, `2 min`, `1h`; a bare number is milliseconds.
    pub const DURATION: OptionType = OptionType(4);
    /// One of [`OptionDecl::choices`], compared without regard to case.
    pub const ENUM: OptionType = OptionType(5);

    pub const fn name(self) -> &'static str {
        match self.0 {
            1 => "string",
            2 => "int",
            3 => "boolean",
            4 => "duration",
            5 => "enum",
            _ => "unknown",
        }
    }
}

/// The roles a factory supports, as bit flags.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Roles(pub u8);

impl Roles {
    pub const SINK: Roles = Roles(1);
    pub const LOOKUP: Roles = Roles(2);
    pub const SCAN: Roles = Roles(4);

    pub const fn union(self, other: Roles) -> Roles {
        Roles(self.0 | other.0)
    }

    pub const fn contains(self, other: Roles) -> bool {
        self.0 & other.0 == other.0
    }

    /// The role names in manifest order: `sink`, `lookup`, `scan`.
    pub fn names(self) -> Vec<&'static str> {
        [
            (Roles::SINK, "sink"),
            (Roles::LOOKUP, "lookup"),
            (Roles::SCAN, "scan"),
        ]
        .into_iter()
        .filter(|(r, _)| self.contains(*r))
        .map(|(_, n)| n)
        .collect()
    }
}

/// One option, declared once as constant data in the plugin.
#[derive(Debug, Clone, Copy)]
pub struct OptionDecl {
    pub key: &'static str,
    pub kind: OptionType,
    pub required: bool,
    pub default: Option<&'static str>,
    pub description: &'static str,
    /// Older or alternative keys accepted for this option (the seed's names).
    pub fallback_keys: &'static [&'static str],
    /// Never printed: not in errors, logs, `explain` or `Debug` output.
    pub sensitive: bool,
    /// The accepted values of an [`OptionType::ENUM`].
    pub choices: &'static [&'static str],
}

impl OptionDecl {
    /// A declaration with the given key, type and description; the rest via struct update.
    pub const fn new(key: &'static str, kind: OptionType, description: &'static str) -> Self {
        OptionDecl {
            key,
            kind,
            required: false,
            default: None,
            description,
            fallback_keys: &[],
            sensitive: false,
            choices: &[],
        }
    }

    /// The FFI form a factory reports through `options()`.
    pub fn to_spec(&self) -> OptionSpec {
        OptionSpec {
            key: self.key.into(),
            kind: self.kind,
            required: self.required,
            default: self.default.map(RString::from).into(),
            description: self.description.into(),
            fallback_keys: self
                .fallback_keys
                .iter()
                .map(|k| RString::from(*k))
                .collect(),
            sensitive: self.sensitive,
            choices: self.choices.iter().map(|k| RString::from(*k)).collect(),
        }
    }
}

/// An option as a loaded factory reports it.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct OptionSpec {
    pub key: RString,
    pub kind: OptionType,
    pub required: bool,
    pub default: ROption<RString>,
    pub description: RString,
    pub fallback_keys: RVec<RString>,
    pub sensitive: bool,
    pub choices: RVec<RString>,
}
