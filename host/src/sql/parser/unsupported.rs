//! Flink SQL the host does not run, named: where the parser stops at a construct outside the
//! host's subset, the error says "not supported: CONSTRUCT" (with what to write instead,
//! where there is something), not "expected ..., found ...".

use super::*;

/// Clauses of Flink SQL the host does not run, as they may follow a query: named in the error.
const UNSUPPORTED_CLAUSES: &[(&str, &str)] = &[
    ("ORDER", "ORDER BY"),
    ("LIMIT", "LIMIT"),
    ("UNION", "UNION"),
    ("INTERSECT", "INTERSECT"),
    ("EXCEPT", "EXCEPT"),
    ("WINDOW", "WINDOW"),
    ("OFFSET", "OFFSET"),
    ("FETCH", "FETCH"),
];

/// Words that start a construct outside the subset wherever the parser meets them.
const UNSUPPORTED_WORDS: &[(&str, &str)] = &[
    ("IN", "IN (write x = 1 OR x = 2)"),
    ("BETWEEN", "BETWEEN (write x >= a AND x <= b)"),
    ("OVER", "OVER windows"),
    ("INTERVAL", "INTERVAL values"),
    ("MATCH_RECOGNIZE", "MATCH_RECOGNIZE"),
    ("OVERWRITE", "INSERT OVERWRITE"),
    (
        "EXECUTE",
        "EXECUTE STATEMENT SET (write the INSERTs one after another)",
    ),
    (
        "BEGIN",
        "STATEMENT SET (write the INSERTs one after another)",
    ),
    ("EXISTS", "EXISTS"),
    ("ARRAY", "ARRAY values and types"),
    ("MAP", "MAP values and types"),
    ("MULTISET", "MULTISET values and types"),
    ("ROW", "ROW values and types"),
    ("RAW", "RAW types"),
    (
        "ON",
        "regular joins (the host runs lookup joins: JOIN ... FOR SYSTEM_TIME AS OF ...)",
    ),
];

const SUBSET: &str = "(the host runs SELECT ... FROM ... [JOIN ... FOR SYSTEM_TIME AS OF ...] \
                      [WHERE ...] [GROUP BY ... [HAVING ...]])";

impl Parser {
    /// "not supported: ORDER BY ..." when the next word starts a clause the host does not run.
    fn unsupported_clause(&self) -> Option<String> {
        let (_, clause) = UNSUPPORTED_CLAUSES
            .iter()
            .find(|(word, _)| self.is_keyword(word))?;
        Some(format!("not supported: {clause} {SUBSET}"))
    }

    /// The token `n` places before the cursor.
    fn before(&self, n: usize) -> Option<&Token> {
        self.next
            .checked_sub(n)
            .and_then(|i| self.tokens.get(i))
            .map(|t| &t.token)
    }

    fn word_before(&self, n: usize, word: &str) -> bool {
        matches!(self.before(n), Some(Token::Word(w))
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
    }

    /// The construct outside the subset the cursor is at, if it is at one.
    pub(super) fn unsupported(&self) -> Option<String> {
        if let Some(message) = self.unsupported_clause() {
            return Some(message);
        }
        // A word taken for an alias, then its parenthesis: `OVER (`, `MATCH_RECOGNIZE (`.
        let after_word = UNSUPPORTED_WORDS
            .iter()
            .find(|(w, _)| *w != "IN" && self.word_before(1, w));
        if let (Token::LParen, Some((_, construct))) = (self.peek(), after_word) {
            return Some(format!("not supported: {construct}"));
        }
        let construct = match self.peek() {
            Token::LParen if self.word_before(1, "TABLE") => {
                "table-valued functions (TUMBLE, HOP, CUMULATE and SESSION windows)"
            }
            Token::LParen if self.word_before(1, "FROM") || self.word_before(1, "JOIN") => {
                "subqueries"
            }
            _ if self.word_before(1, "SELECT") && self.before(2) == Some(&Token::LParen) => {
                "subqueries"
            }
            _ if self.word_before(1, "INTERVAL") => "INTERVAL values",
            Token::Comma if self.word_before(2, "FROM") => "comma joins and LATERAL TABLE",
            _ if self.is_keyword("SELECT") && self.before(1) == Some(&Token::LParen) => {
                "subqueries"
            }
            // At the start of a statement.
            _ if self.is_keyword("WITH")
                && matches!(self.before(1), None | Some(Token::SemiColon)) =>
            {
                "WITH (common table expressions)"
            }
            // After CREATE, CREATE TEMPORARY or DROP.
            _ if ["CREATE", "TEMPORARY", "DROP"]
                .iter()
                .any(|w| self.word_before(1, w)) =>
            {
                match self.keyword().as_deref() {
                    Some("VIEW") => "views",
                    Some("FUNCTION") => "functions",
                    Some("CATALOG") => "catalogs",
                    Some("DATABASE") => "databases",
                    _ => return None,
                }
            }
            _ => {
                let word = self.keyword()?;
                UNSUPPORTED_WORDS
                    .iter()
                    .find(|(w, _)| *w == word)
                    .map(|(_, construct)| *construct)?
            }
        };
        Some(format!("not supported: {construct}"))
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::parse;

    #[test]
    fn constructs_outside_the_subset_are_named() {
        for (sql, construct) in [
            ("SELECT a FROM t WHERE a IN (1, 2)", "IN (write"),
            ("SELECT a FROM t WHERE a BETWEEN 1 AND 2", "BETWEEN"),
            (
                "SELECT ROW_NUMBER() OVER (ORDER BY a) FROM t",
                "OVER windows",
            ),
            (
                "SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(p), INTERVAL '1' MINUTES))",
                "table-valued functions",
            ),
            (
                "SELECT s.a FROM t AS s JOIN t AS u ON s.a = u.a",
                "regular joins",
            ),
            ("SELECT a FROM (SELECT a FROM t)", "subqueries"),
            ("WITH x AS (SELECT a FROM t) SELECT a FROM x", "WITH"),
            (
                "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t)",
                "subqueries",
            ),
            ("SELECT p + INTERVAL '1' SECOND FROM t", "INTERVAL values"),
            (
                "SELECT CAST(a AS ARRAY<INT>) FROM t",
                "ARRAY values and types",
            ),
            ("SELECT a FROM t, LATERAL TABLE(f(a))", "comma joins"),
            ("INSERT OVERWRITE s SELECT a FROM t", "INSERT OVERWRITE"),
            ("CREATE VIEW v AS SELECT a FROM t", "views"),
            ("CREATE TEMPORARY FUNCTION f AS 'x'", "functions"),
            (
                "EXECUTE STATEMENT SET BEGIN INSERT INTO s SELECT a FROM t; END",
                "EXECUTE",
            ),
            ("SELECT a FROM t ORDER BY a", "ORDER BY"),
            (
                "SELECT a FROM t MATCH_RECOGNIZE (ORDER BY p)",
                "MATCH_RECOGNIZE",
            ),
        ] {
            let err = parse(sql).unwrap_err();
            assert!(
                err.message
                    .starts_with(&format!("not supported: {construct}")),
                "{sql}: {}",
                err.message
            );
        }
    }
}
