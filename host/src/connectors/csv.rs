//! The `csv` format as Flink 1.20 reads and writes it, with its options: a field delimiter
//! (`,`), a quote character (`"`, doubled inside a quoted field), a null literal (none by
//! default: an empty field is an empty text, a false BOOLEAN, or an error), comment lines (`#`, skipped
//! with `csv.allow-comments`), and quoted fields that hold line breaks (the record goes on on
//! the next line). The sink quotes a field that holds the delimiter, the quote character, a
//! line break, or leading or trailing spaces, and a text equal to the null literal (so that it
//! reads back as that text).

use connector_interface::options::{OptionDecl, OptionType};
use connector_interface::{DataType, TableOptions, TypeKind, Value};

/// `csv.field-delimiter`.
pub(crate) const FIELD_DELIMITER: OptionDecl = OptionDecl {
    default: Some(","),
    section: "formats",
    ..OptionDecl::new(
        "csv.field-delimiter",
        OptionType::STRING,
        "The csv format's field delimiter: one character.",
    )
};

/// `csv.quote-character`.
pub(crate) const QUOTE_CHARACTER: OptionDecl = OptionDecl {
    default: Some("\""),
    section: "formats",
    ..OptionDecl::new(
        "csv.quote-character",
        OptionType::STRING,
        "The csv format's quote character: one character; doubled inside a quoted field.",
    )
};

/// `csv.null-literal`.
pub(crate) const NULL_LITERAL: OptionDecl = OptionDecl {
    section: "formats",
    ..OptionDecl::new(
        "csv.null-literal",
        OptionType::STRING,
        "The csv format's text for NULL, read and written (none by default: NULL is written \
         empty, and an empty field reads as an empty text, a false BOOLEAN, or fails the job \
         for other types, as in Flink).",
    )
};

/// `csv.allow-comments`.
pub(crate) const ALLOW_COMMENTS: OptionDecl = OptionDecl {
    default: Some("false"),
    section: "formats",
    ..OptionDecl::new(
        "csv.allow-comments",
        OptionType::BOOLEAN,
        "The csv format: lines starting with `#` are comments, skipped.",
    )
};

/// A table's csv settings.
#[derive(Debug, Clone)]
pub(crate) struct Csv {
    delimiter: char,
    quote: char,
    null_literal: Option<String>,
    allow_comments: bool,
}

/// The one character of a single-character option, in Flink's words otherwise.
fn single(options: &TableOptions, table: &str, key: &str, default: char) -> Result<char, String> {
    let Some(text) = options.text(key) else {
        return Ok(default);
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(format!(
            "table '{table}': option '{key}' must be a string with single character, but was: {text}"
        )),
    }
}

impl Csv {
    /// The csv options of a table (checked: the delimiter and quote are one character each,
    /// and differ).
    pub(crate) fn from_options(options: &TableOptions, table: &str) -> Result<Csv, String> {
        let delimiter = single(options, table, "csv.field-delimiter", ',')?;
        let quote = single(options, table, "csv.quote-character", '"')?;
        if delimiter == quote || delimiter == '\n' || quote == '\n' {
            return Err(format!(
                "table '{table}': 'csv.field-delimiter' and 'csv.quote-character' must differ \
                 and not be a line break"
            ));
        }
        Ok(Csv {
            delimiter,
            quote,
            null_literal: options.text("csv.null-literal").map(str::to_string),
            allow_comments: options.boolean("csv.allow-comments").unwrap_or_default(),
        })
    }

    /// The field delimiter.
    pub(crate) fn delimiter(&self) -> char {
        self.delimiter
    }

    /// Whether a line is a comment, skipped.
    pub(crate) fn is_comment(&self, line: &str) -> bool {
        self.allow_comments && line.starts_with('#')
    }

    /// Whether `record` ends inside a quoted field: the next line continues it.
    pub(crate) fn unterminated(&self, record: &str) -> bool {
        let mut quoted = false;
        let mut chars = record.chars().peekable();
        while let Some(c) = chars.next() {
            if c == self.quote && quoted && chars.peek() == Some(&self.quote) {
                chars.next();
            } else if c == self.quote {
                quoted = !quoted;
            }
        }
        quoted
    }

    /// The fields of a record; `None` for an unquoted field equal to the null literal (a
    /// quoted one is that text, as the sink writes it).
    pub(crate) fn split(&self, record: &str) -> Vec<Option<String>> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let (mut quoted, mut was_quoted) = (false, false);
        let mut chars = record.chars().peekable();
        while let Some(c) = chars.next() {
            if c == self.quote && quoted && chars.peek() == Some(&self.quote) {
                field.push(c);
                chars.next();
            } else if c == self.quote {
                quoted = !quoted;
                was_quoted = true;
            } else if c == self.delimiter && !quoted {
                fields.push(self.field(std::mem::take(&mut field), was_quoted));
                was_quoted = false;
            } else {
                field.push(c);
            }
        }
        fields.push(self.field(field, was_quoted));
        fields
    }

    fn field(&self, text: String, quoted: bool) -> Option<String> {
        match &self.null_literal {
            Some(null) if !quoted && *null == text => None,
            _ => Some(text),
        }
    }

    /// Appends one field (`None`: NULL) to a record being written.
    pub(crate) fn write_field(&self, out: &mut String, text: Option<&str>) {
        let Some(text) = text else {
            out.push_str(self.null_literal.as_deref().unwrap_or(""));
            return;
        };
        let quote = text.contains([self.delimiter, self.quote, '\n', '\r'])
            || text.starts_with(' ')
            || text.ends_with(' ')
            || self.null_literal.as_deref() == Some(text) && !text.is_empty();
        if !quote {
            out.push_str(text);
            return;
        }
        out.push(self.quote);
        for c in text.chars() {
            if c == self.quote {
                out.push(c);
            }
            out.push(c);
        }
        out.push(self.quote);
    }
}

/// A field's value of type `t` as Flink's csv format reads it (`None`: the null literal): the
/// text for the character types (an empty field too); a BOOLEAN is true for `true` in any case
/// (trimmed), false for any other text (Java's `Boolean.parseBoolean`); an empty field of
/// another type is an error (Flink's `NumberFormatException`), not NULL.
pub(crate) fn value(field: Option<&str>, t: &DataType) -> Result<Value, String> {
    let Some(text) = field else {
        return Ok(Value::Null);
    };
    match t.kind {
        TypeKind::CHAR | TypeKind::VARCHAR => Ok(Value::String(text.into())),
        TypeKind::BOOLEAN => Ok(Value::Boolean(text.trim().eq_ignore_ascii_case("true"))),
        _ if text.trim().is_empty() => Err(format!(
            "an empty field is not a {t} (it is NULL only with 'csv.null-literal' = '')"
        )),
        _ => crate::values::from_text(text, t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(delimiter: char, quote: char, null: Option<&str>) -> Csv {
        Csv {
            delimiter,
            quote,
            null_literal: null.map(str::to_string),
            allow_comments: true,
        }
    }

    #[test]
    fn fields_honour_delimiter_quotes_and_null_literal() {
        let c = csv(',', '"', None);
        let s = |v: &[&str]| v.iter().map(|f| Some(f.to_string())).collect::<Vec<_>>();
        assert_eq!(c.split(r#"1,"a, ""b""",c"#), s(&["1", r#"a, "b""#, "c"]));
        let c = csv(';', '\'', Some("N"));
        assert_eq!(
            c.split("1;'a;b';N;'N'"),
            vec![Some("1".into()), Some("a;b".into()), None, Some("N".into())]
        );
        assert!(c.unterminated("2;'line"));
        assert!(!c.unterminated("2;'line\nbreak';N"));
        assert!(!c.unterminated("3;'it''s'"));
        assert!(c.unterminated("4;'it''\nstill"));
        assert!(c.is_comment("# note"));
    }

    #[test]
    fn written_fields_are_quoted_when_they_must_be() {
        let c = csv(',', '"', None);
        let w = |t: Option<&str>| {
            let mut out = String::new();
            c.write_field(&mut out, t);
            out
        };
        assert_eq!(w(Some("plain")), "plain");
        assert_eq!(w(Some(" padded ")), "\" padded \"");
        assert_eq!(w(Some("a,b")), "\"a,b\"");
        assert_eq!(w(Some("say \"hi\"")), "\"say \"\"hi\"\"\"");
        assert_eq!(w(Some("two\nlines")), "\"two\nlines\"");
        assert_eq!(w(None), "");
    }
}
