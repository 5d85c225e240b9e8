//! (1.2) A table's options checked against its connector's declarations ([`TableOptions`]):
//! the one place where a key is matched (fallback keys and `#` patterns included), an unknown
//! or missing key is refused in Flink's words, every written value is parsed by its declared
//! type and range, and a default is applied. Connectors read typed values from it and write no
//! default or range a second time.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use crate::context::TableContext;
use crate::error::ConnectorError;
use crate::options::{OptionDecl, OptionType};
use crate::text;

/// Keys every connector accepts without declaring them.
const ALWAYS_ACCEPTED: &[&str] = &["connector", "property-version"];

/// A value parsed by its declaration.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Parsed<'a> {
    Text(&'a str),
    Int(i64),
    Boolean(bool),
    Duration(Duration),
    Choice(&'static str),
}

/// One declared option that has a value: written in the table, or its default.
#[derive(Debug, Clone)]
struct Entry<'a> {
    decl: &'static OptionDecl,
    /// The key as written; `None` for a default.
    written: Option<&'a str>,
    raw: &'a str,
    parsed: Parsed<'a>,
}

/// The options of one table, checked; read them with the typed getters by declared key (a
/// `#` key with the column in its place: `fields.id.kind`).
#[derive(Debug, Clone)]
pub struct TableOptions<'a> {
    table: &'a str,
    entries: HashMap<String, Entry<'a>>,
}

impl<'a> TableOptions<'a> {
    /// Checks a factory's table: `identifier` names the connector in errors.
    pub fn from_context(
        identifier: &str,
        decls: &'static [OptionDecl],
        context: &'a TableContext,
    ) -> Result<TableOptions<'a>, ConnectorError> {
        let options: Vec<(&str, &str)> = context
            .options
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        let columns: Vec<&str> = context
            .schema
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        Self::resolve(
            identifier,
            context.table_name.as_str(),
            decls,
            &options,
            &columns,
        )
    }

    /// Checks `options` (as written, in order) of table `table` against `decls`: unknown keys,
    /// then missing required ones, then each value by its declaration, in declaration order.
    /// A main key and a fallback key of one option given different values are refused; with
    /// the same value, or one key given twice, the main key's (the last) counts.
    pub fn resolve(
        identifier: &str,
        table: &'a str,
        decls: &'static [OptionDecl],
        options: &[(&'a str, &'a str)],
        columns: &[&str],
    ) -> Result<TableOptions<'a>, ConnectorError> {
        let mut written: HashMap<String, (usize, &'a str, &'a str)> = HashMap::new();
        let mut unknown = BTreeSet::new();
        for &(key, value) in options {
            if ALWAYS_ACCEPTED.contains(&key) {
                continue;
            }
            let Some((index, decl)) = decls
                .iter()
                .enumerate()
                .find(|(_, d)| d.names(key, columns))
            else {
                unknown.insert(key);
                continue;
            };
            let concrete = concrete_key(decl, key, columns);
            if let Some(&(_, other, earlier)) = written.get(&concrete) {
                if other != key && earlier != value {
                    return Err(ConnectorError::config(format!(
                        "table '{table}': options '{other}' and '{key}' are the same option \
                         and are given different values; give one of them"
                    )));
                }
            }
            let is_main = concrete == key;
            if is_main || written.get(&concrete).is_none_or(|w| w.1 != concrete) {
                written.insert(concrete, (index, key, value));
            }
        }
        if !unknown.is_empty() {
            let mut supported: BTreeSet<&str> = ALWAYS_ACCEPTED[..1].iter().copied().collect();
            for d in decls {
                supported.insert(d.key);
                supported.extend(d.fallback_keys.iter().copied());
            }
            return Err(ConnectorError::config(format!(
                "table '{table}': Unsupported options found for '{identifier}'.\n\n\
                 Unsupported options:\n\n{}\n\nSupported options:\n\n{}",
                unknown.into_iter().collect::<Vec<_>>().join("\n"),
                supported.into_iter().collect::<Vec<_>>().join("\n"),
            )));
        }
        let missing: Vec<&str> = decls
            .iter()
            .filter(|d| d.required && !d.key.contains('#') && !written.contains_key(d.key))
            .map(|d| d.key)
            .collect();
        if !missing.is_empty() {
            return Err(ConnectorError::config(format!(
                "table '{table}': One or more required options are missing.\n\n\
                 Missing required options are:\n\n{}",
                missing.join("\n")
            )));
        }
        let mut given: Vec<(String, (usize, &'a str, &'a str))> = written.into_iter().collect();
        given.sort_by(|a, b| (a.1 .0, &a.0).cmp(&(b.1 .0, &b.0)));
        let mut entries = HashMap::new();
        for (key, (index, written_key, raw)) in given {
            let decl = &decls[index];
            let Some(parsed) = parse(decl, raw) else {
                return Err(invalid(table, decl, written_key, raw, &decl.expected()));
            };
            let entry = Entry {
                decl,
                written: Some(written_key),
                raw,
                parsed,
            };
            entries.insert(key, entry);
        }
        for decl in decls {
            let Some(default) = decl.default else {
                continue;
            };
            let keys: Vec<String> = match decl.key.contains('#') {
                false => vec![decl.key.to_string()],
                true => columns.iter().map(|c| decl.key.replace('#', c)).collect(),
            };
            for key in keys {
                if entries.contains_key(&key) {
                    continue;
                }
                let parsed = parse(decl, default).ok_or_else(|| {
                    ConnectorError::internal(format!(
                        "the default '{default}' of option '{}' is not {}",
                        decl.key,
                        decl.expected()
                    ))
                })?;
                let entry = Entry {
                    decl,
                    written: None,
                    raw: default,
                    parsed,
                };
                entries.insert(key, entry);
            }
        }
        Ok(TableOptions { table, entries })
    }

    /// The table's name, for errors.
    pub fn table(&self) -> &'a str {
        self.table
    }

    /// Whether the table's `WITH` clause gave the option (under any of its keys).
    pub fn given(&self, key: &str) -> bool {
        self.entries.get(key).is_some_and(|e| e.written.is_some())
    }

    /// The value of a `string` option as written, or its default.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.entries.get(key).map(|e| e.raw)
    }

    /// The value of an `int` option, in its range.
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.entries.get(key)?.parsed {
            Parsed::Int(n) => Some(n),
            _ => None,
        }
    }

    /// The value of a `boolean` option.
    pub fn boolean(&self, key: &str) -> Option<bool> {
        match self.entries.get(key)?.parsed {
            Parsed::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The value of a `duration` option, in its range.
    pub fn duration(&self, key: &str) -> Option<Duration> {
        match self.entries.get(key)?.parsed {
            Parsed::Duration(d) => Some(d),
            _ => None,
        }
    }

    /// The declared choice an `enum` option names (written in any case).
    pub fn choice(&self, key: &str) -> Option<&'static str> {
        match self.entries.get(key)?.parsed {
            Parsed::Choice(c) => Some(c),
            _ => None,
        }
    }

    /// A configuration error for an option whose value passed its declaration but not a rule of
    /// the connector's own: names the table, the key as written and the value (`******` for a
    /// sensitive option).
    pub fn invalid(&self, key: &str, expected: &str) -> ConnectorError {
        match self.entries.get(key) {
            Some(e) => invalid(
                self.table,
                e.decl,
                e.written.unwrap_or(key),
                e.raw,
                expected,
            ),
            None => ConnectorError::config(format!(
                "table '{}': option '{key}' is missing: expected {expected}",
                self.table
            )),
        }
    }
}

/// The declared key `written` stands for (for a `#` key, with the column in its place).
fn concrete_key(decl: &OptionDecl, written: &str, columns: &[&str]) -> String {
    match decl.matched(written, columns) {
        Some(Some(column)) => decl.key.replace('#', column),
        _ => decl.key.to_string(),
    }
}

fn parse<'a>(decl: &OptionDecl, raw: &'a str) -> Option<Parsed<'a>> {
    let in_range = |n: i64| decl.min.is_none_or(|m| n >= m) && decl.max.is_none_or(|m| n <= m);
    match decl.kind {
        OptionType::INT => raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| in_range(*n))
            .map(Parsed::Int),
        OptionType::BOOLEAN => match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Some(Parsed::Boolean(true)),
            "false" => Some(Parsed::Boolean(false)),
            _ => None,
        },
        OptionType::DURATION => text::parse_duration(raw)
            .filter(|d| in_range(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)))
            .map(Parsed::Duration),
        OptionType::ENUM => decl
            .choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(raw.trim()))
            .map(|c| Parsed::Choice(c)),
        _ => Some(Parsed::Text(raw)),
    }
}

fn invalid(
    table: &str,
    decl: &OptionDecl,
    written: &str,
    raw: &str,
    expected: &str,
) -> ConnectorError {
    let shown = if decl.sensitive { "******" } else { raw };
    ConnectorError::config(format!(
        "table '{table}': invalid value '{shown}' for option '{written}': expected {expected}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECLS: &[OptionDecl] = &[
        OptionDecl {
            required: true,
            fallback_keys: &["host"],
            section: "connection",
            ..OptionDecl::new("hostname", OptionType::STRING, "the host")
        },
        OptionDecl {
            default: Some("6379"),
            min: Some(1),
            max: Some(65535),
            ..OptionDecl::new("port", OptionType::INT, "the port")
        },
        OptionDecl {
            sensitive: true,
            min: Some(0),
            ..OptionDecl::new("secret", OptionType::INT, "never shown")
        },
        OptionDecl {
            default: Some("1s"),
            min: Some(1),
            ..OptionDecl::new("timeout", OptionType::DURATION, "how long")
        },
        OptionDecl {
            default: Some("NONE"),
            choices: &["NONE", "PARTIAL"],
            ..OptionDecl::new("cache", OptionType::ENUM, "a cache")
        },
        OptionDecl {
            default: Some("random"),
            choices: &["random", "sequence"],
            ..OptionDecl::new("fields.#.kind", OptionType::ENUM, "per column")
        },
        OptionDecl::new("fields.#.start", OptionType::INT, "per column"),
    ];

    fn resolve(options: &[(&'static str, &'static str)]) -> Result<TableOptions<'static>, String> {
        TableOptions::resolve("demo", "t", DECLS, options, &["a", "b"])
            .map_err(|e| e.message.into())
    }

    #[test]
    fn values_and_defaults_come_typed() {
        let o = resolve(&[
            ("connector", "demo"),
            ("host", "h"),
            ("cache", "partial"),
            ("fields.a.kind", "SEQUENCE"),
            ("fields.a.start", " 7"),
        ])
        .unwrap();
        assert_eq!(o.text("hostname"), Some("h"));
        assert_eq!(o.int("port"), Some(6379));
        assert!(!o.given("port") && o.given("hostname"));
        assert_eq!(o.duration("timeout"), Some(Duration::from_secs(1)));
        assert_eq!(o.choice("cache"), Some("PARTIAL"));
        assert_eq!(o.choice("fields.a.kind"), Some("sequence"));
        assert_eq!(o.choice("fields.b.kind"), Some("random"));
        assert_eq!(o.int("fields.a.start"), Some(7));
        assert_eq!(o.int("fields.b.start"), None);
        assert_eq!(o.int("secret"), None);
    }

    #[test]
    fn a_main_and_a_fallback_key_must_agree() {
        let o = resolve(&[("hostname", "same"), ("host", "same")]).unwrap();
        assert_eq!(o.text("hostname"), Some("same"));
        for options in [
            [("hostname", "main"), ("host", "fallback")],
            [("host", "fallback"), ("hostname", "main")],
        ] {
            let err = resolve(&options).unwrap_err();
            assert!(
                err.ends_with(
                    "are the same option and are given different values; give one of them"
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn errors_name_the_table_the_key_as_written_and_what_was_expected() {
        let unknown = resolve(&[("host", "h"), ("prot", "1"), ("fields.c.kind", "random")]);
        assert_eq!(
            unknown.unwrap_err(),
            "table 't': Unsupported options found for 'demo'.\n\nUnsupported options:\n\n\
             fields.c.kind\nprot\n\nSupported options:\n\ncache\nconnector\nfields.#.kind\n\
             fields.#.start\nhost\nhostname\nport\nsecret\ntimeout"
        );
        assert_eq!(
            resolve(&[("port", "1")]).unwrap_err(),
            "table 't': One or more required options are missing.\n\n\
             Missing required options are:\n\nhostname"
        );
        let cases = [
            ("port", "0", "'0' for option 'port': expected an integer between 1 and 65535"),
            ("secret", "-5", "'******' for option 'secret': expected an integer of at least 0"),
            ("timeout", "0s", "'0s' for option 'timeout': expected a duration such as '500ms', '1s', '2 min' or '1h' of at least 1ms"),
            ("cache", "all", "'all' for option 'cache': expected one of: NONE, PARTIAL"),
            ("fields.b.start", "x", "'x' for option 'fields.b.start': expected an integer"),
        ];
        for (key, value, expected) in cases {
            let err = resolve(&[("host", "h"), (key, value)]).unwrap_err();
            assert_eq!(err, format!("table 't': invalid value {expected}"));
        }
        let o = resolve(&[("host", "h"), ("secret", "5")]).unwrap();
        assert_eq!(
            o.invalid("secret", "a prime").message.as_str(),
            "table 't': invalid value '******' for option 'secret': expected a prime"
        );
        assert_eq!(
            o.invalid("hostname", "a name").message.as_str(),
            "table 't': invalid value 'h' for option 'host': expected a name"
        );
    }

    #[test]
    fn a_default_that_fails_its_declaration_is_an_internal_error() {
        const BAD: &[OptionDecl] = &[OptionDecl {
            default: Some("0"),
            min: Some(1),
            ..OptionDecl::new("n", OptionType::INT, "")
        }];
        let err = TableOptions::resolve("demo", "t", BAD, &[], &[]).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::INTERNAL);
        assert!(err.message.contains("the default '0' of option 'n'"));
    }
}
