//! Option declarations: the one table a connector writes ([`OptionDecl`]), which drives its
//! validation ([`TableOptions`](crate::table_options::TableOptions)), its manifest,
//! `plugins describe` and its docs, and the FFI form a loaded factory reports ([`OptionSpec`]).

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

    /// The type a manifest names (`"int"`); [`OptionType::name`] the other way round.
    pub fn from_name(name: &str) -> Option<OptionType> {
        (1..=5).map(OptionType).find(|t| t.name() == name)
    }

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
///
/// Build it with [`OptionDecl::new`] and struct update syntax (`..OptionDecl::new(..)`): 1.x
/// minors may add fields with a neutral default (1.2 added `section`, `min` and `max`), which a
/// full struct literal would not compile with. The type never crosses the boundary; a loaded
/// factory reports [`OptionSpec`], and the manifest carries every field.
#[derive(Debug, Clone, Copy)]
pub struct OptionDecl {
    /// The key; a `#` stands for a column name (Flink's `fields.#.kind`).
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
    /// (1.2) The group `plugins describe` and the docs show the option under, such as
    /// `connection`, `sink` or `lookup`; empty: none.
    pub section: &'static str,
    /// (1.2) The smallest accepted value: of an [`OptionType::INT`], or of a
    /// [`OptionType::DURATION`] in milliseconds.
    pub min: Option<i64>,
    /// (1.2) The largest accepted value, as [`OptionDecl::min`].
    pub max: Option<i64>,
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
            section: "",
            min: None,
            max: None,
        }
    }

    /// Whether `written` names this option: its key, a fallback key, or for a key with `#`,
    /// that key with one of `columns` in place of the `#`.
    pub fn names(&self, written: &str, columns: &[&str]) -> bool {
        self.matched(written, columns).is_some()
    }

    /// When `written` names this option: `Some(None)` for a key without `#`, `Some(Some(c))`
    /// for a `#` key with column `c` in its place.
    pub fn matched<'w>(&self, written: &'w str, columns: &[&str]) -> Option<Option<&'w str>> {
        std::iter::once(&self.key)
            .chain(self.fallback_keys)
            .find_map(|k| match k.split_once('#') {
                None => (*k == written).then_some(None),
                Some((before, after)) => written
                    .strip_prefix(before)
                    .and_then(|rest| rest.strip_suffix(after))
                    .filter(|column| columns.contains(column))
                    .map(Some),
            })
    }

    /// The declared range for docs ("1 to 65535", "at least 1 ms"), if any.
    pub fn range(&self) -> Option<String> {
        range_text(self.kind, self.min, self.max)
    }

    /// What a value must be, in the words of an error ("an integer between 1 and 65535").
    pub fn expected(&self) -> String {
        let range = |unit: &str| match (self.min, self.max) {
            (Some(min), Some(max)) => format!(" between {min}{unit} and {max}{unit}"),
            (Some(min), None) => format!(" of at least {min}{unit}"),
            (None, Some(max)) => format!(" of at most {max}{unit}"),
            (None, None) => String::new(),
        };
        match self.kind {
            OptionType::INT => format!("an integer{}", range("")),
            OptionType::BOOLEAN => "'true' or 'false'".to_string(),
            OptionType::DURATION => format!(
                "a duration such as '500ms', '1s', '2 min' or '1h'{}",
                range("ms")
            ),
            OptionType::ENUM => format!("one of: {}", self.choices.join(", ")),
            _ => "text".to_string(),
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

/// An option's range for docs and `plugins describe`: "1 to 65535", "at least 0", "at most
/// 100 ms" (a duration's bounds are milliseconds).
pub fn range_text(kind: OptionType, min: Option<i64>, max: Option<i64>) -> Option<String> {
    let unit = if kind == OptionType::DURATION {
        " ms"
    } else {
        ""
    };
    match (min, max) {
        (Some(min), Some(max)) => Some(format!("{min} to {max}{unit}")),
        (Some(min), None) => Some(format!("at least {min}{unit}")),
        (None, Some(max)) => Some(format!("at most {max}{unit}")),
        (None, None) => None,
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
