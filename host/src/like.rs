//! SQL `LIKE` as Flink 1.20 matches it: `%` is any text (line breaks included), `_` one
//! character, everything else itself (case sensitive); no escape character unless `ESCAPE`
//! names one, and then it makes the next `%`, `_` or itself literal.

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Any,
    One,
    Char(char),
}

/// A compiled pattern: made once for a literal pattern, per row otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(Vec<Part>);

impl Pattern {
    /// The pattern; an error for a bad `escape` or escape sequence.
    pub fn compile(pattern: &str, escape: Option<&str>) -> Result<Pattern, String> {
        let escape = match escape {
            None => None,
            Some(e) => {
                let mut chars = e.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    _ => return Err(format!("LIKE's ESCAPE must be one character, found '{e}'")),
                }
            }
        };
        let mut parts = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            parts.push(match c {
                c if Some(c) == escape => match chars.next() {
                    Some(next) if next == '%' || next == '_' || Some(next) == escape => {
                        Part::Char(next)
                    }
                    _ => {
                        return Err(format!(
                            "invalid escape sequence in the LIKE pattern '{pattern}'"
                        ))
                    }
                },
                '%' => Part::Any,
                '_' => Part::One,
                c => Part::Char(c),
            });
        }
        Ok(Pattern(parts))
    }

    /// Whether `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let parts = &self.0;
        let text: Vec<char> = text.chars().collect();
        // Greedy matching with one backtrack point: the last `%` seen and where it resumed.
        let (mut t, mut p) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match parts.get(p) {
                Some(Part::Any) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(Part::One) => {
                    t += 1;
                    p += 1;
                }
                Some(Part::Char(c)) if *c == text[t] => {
                    t += 1;
                    p += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        parts[p..].iter().all(|part| *part == Part::Any)
    }
}

/// Whether `text` matches `pattern`; an error for a bad `escape` or escape sequence.
pub fn matches(text: &str, pattern: &str, escape: Option<&str>) -> Result<bool, String> {
    Ok(Pattern::compile(pattern, escape)?.matches(text))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns_match_as_in_flink() {
        let m = |t, p| matches(t, p, None).unwrap();
        assert!(m("abc", "a%"));
        assert!(m("abc", "a_c"));
        assert!(m("abc", "%"));
        assert!(m("", "%"));
        assert!(!m("", "_"));
        assert!(m("a\nb", "a%b"));
        assert!(m("mississippi", "%iss%ppi"));
        assert!(!m("mississippi", "%iss%ppa"));
        assert!(!m("ABC", "abc"));
        assert!(!m("a%c", "a\\%c"), "no escape character without ESCAPE");
        assert!(matches("a_c", "a!_c", Some("!")).unwrap());
        assert!(!matches("aXc", "a!_c", Some("!")).unwrap());
        assert!(matches("a", "a!", Some("!")).is_err());
        assert!(matches("a", "a", Some("!!")).is_err());
    }
}
