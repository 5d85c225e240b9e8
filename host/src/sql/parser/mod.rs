//! A recursive-descent parser for the Flink SQL subset, on `sqlparser`'s tokenizer (which
//! handles comments, quoting and positions). Flink's syntax where stock dialects differ:
//! `x AS PROCTIME()`, `PRIMARY KEY (...) NOT ENFORCED`, `WITH ('k' = 'v')`, `SET 'k' = 'v'`,
//! `JOIN dim FOR SYSTEM_TIME AS OF s.proc AS d`, keywords such as `desc` as column names.
//!
//! Layout: this file (errors, tokens, the parser's helpers), `statements.rs` (statements,
//! CREATE TABLE and types, queries), `expressions.rs` (expressions by precedence).

use connector_interface::{DataType, TypeKind, Value};
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use super::ast::*;

mod expressions;
mod statements;
mod unsupported;

/// A parse error: where, and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

type Result<T> = std::result::Result<T, ParseError>;

/// Parses every statement of a job file.
pub fn parse(sql: &str) -> Result<Vec<Statement>> {
    let dialect = GenericDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| ParseError {
            pos: Pos {
                line: e.location.line,
                column: e.location.column,
            },
            message: e.message,
        })?;
    let tokens: Vec<TokenWithSpan> = tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let mut parser = Parser { tokens, next: 0 };
    let mut statements = Vec::new();
    loop {
        while parser.eat(&Token::SemiColon) {}
        if parser.at_end() {
            return Ok(statements);
        }
        statements.push(parser.statement()?);
        if !parser.at_end() && !parser.eat(&Token::SemiColon) {
            // "not supported: ORDER BY ..." at a clause the host does not run (`expected`).
            return Err(parser.expected("';' or the end of the statement"));
        }
    }
}

struct Parser {
    tokens: Vec<TokenWithSpan>,
    next: usize,
}

/// Words that end an expression or a table reference, so they cannot be aliases.
const RESERVED: &[&str] = &[
    "FROM",
    "WHERE",
    "JOIN",
    "LEFT",
    "INNER",
    "ON",
    "FOR",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IS",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "SELECT",
    "INSERT",
    "WITH",
    "LIMIT",
    "GROUP",
    "ORDER",
    "HAVING",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "WINDOW",
];

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens
            .get(self.next)
            .map(|t| &t.token)
            .unwrap_or(&Token::EOF)
    }

    fn peek_at(&self, offset: usize) -> &Token {
        self.tokens
            .get(self.next + offset)
            .map(|t| &t.token)
            .unwrap_or(&Token::EOF)
    }

    fn pos(&self) -> Pos {
        match self.tokens.get(self.next) {
            Some(t) => Pos {
                line: t.span.start.line,
                column: t.span.start.column,
            },
            None => self
                .tokens
                .last()
                .map(|t| Pos {
                    line: t.span.end.line,
                    column: t.span.end.column,
                })
                .unwrap_or(Pos { line: 1, column: 1 }),
        }
    }

    fn at_end(&self) -> bool {
        matches!(self.peek(), Token::EOF)
    }

    fn found(&self) -> String {
        match self.peek() {
            Token::EOF => "the end of the input".to_string(),
            Token::Whitespace(Whitespace::Newline) => "a new line".to_string(),
            t => format!("'{t}'"),
        }
    }

    /// The error at the cursor: "not supported: ..." at a construct outside the host's subset
    /// (`unsupported.rs`), else "expected {what}, found ...".
    fn expected(&self, what: &str) -> ParseError {
        ParseError {
            pos: self.pos(),
            message: self
                .unsupported()
                .unwrap_or_else(|| format!("expected {what}, found {}", self.found())),
        }
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == token {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &Token) -> Result<()> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{token}'")))
        }
    }

    /// The keyword at the cursor, upper-cased (unquoted words only).
    fn keyword(&self) -> Option<String> {
        self.keyword_at(0)
    }

    fn keyword_at(&self, offset: usize) -> Option<String> {
        match self.peek_at(offset) {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }

    fn is_keyword(&self, kw: &str) -> bool {
        self.keyword().as_deref() == Some(kw)
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        if self.is_keyword(kw) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<()> {
        if self.eat_keyword(kw) {
            Ok(())
        } else {
            Err(self.expected(kw))
        }
    }

    /// An identifier: any unquoted word (Flink lets keywords such as `desc` name columns),
    /// or a quoted one.
    fn identifier(&mut self, what: &str) -> Result<String> {
        match self.peek() {
            Token::Word(w) => {
                let name = w.value.clone();
                self.next += 1;
                Ok(name)
            }
            _ => Err(self.expected(what)),
        }
    }

    /// A possibly qualified table name: `db.t` keeps the last part.
    fn table_name(&mut self) -> Result<String> {
        let mut name = self.identifier("a table name")?;
        while self.eat(&Token::Period) {
            name = self.identifier("a table name")?;
        }
        Ok(name)
    }

    fn string(&mut self, what: &str) -> Result<String> {
        match self.peek() {
            Token::SingleQuotedString(s) => {
                let s = s.clone();
                self.next += 1;
                Ok(s)
            }
            _ => Err(self.expected(what)),
        }
    }

    fn unsigned(&mut self, what: &str) -> Result<u32> {
        match self.peek() {
            Token::Number(n, _) => match n.parse() {
                Ok(v) => {
                    self.next += 1;
                    Ok(v)
                }
                Err(_) => Err(self.expected(what)),
            },
            _ => Err(self.expected(what)),
        }
    }
}

fn binary(op: BinaryOp, left: Expr, right: Expr, pos: Pos) -> Expr {
    Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
        pos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's DDL verbatim, as `examples/seed.sql` holds it.
    const SEED: &str = include_str!("../../../../examples/seed.sql");

    #[test]
    fn the_seed_ddl_parses_as_written() {
        let statements = parse(SEED).unwrap();
        assert!(statements.len() > 4);
        let Statement::CreateTable(dim) = &statements[1] else {
            panic!("{:?}", statements[1])
        };
        assert_eq!(dim.name, "redis_dim");
        let names: Vec<&str> = dim.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["sex", "desc", "rt"]);
        assert!(dim.columns[2].proctime);
        let Statement::CreateTable(redis) = &statements[3] else {
            panic!()
        };
        assert_eq!(redis.primary_key, ["id"]);
        assert_eq!(
            redis.options.last().unwrap(),
            &("ttl".to_string(), "60".to_string())
        );
    }

    #[test]
    fn lookup_joins_take_the_alias_after_the_period() {
        let sql = "INSERT INTO out SELECT o.id, UPPER(d.`desc`) AS d2 FROM orders AS o \
                   LEFT JOIN redis_dim FOR SYSTEM_TIME AS OF o.proc AS d ON o.sex = d.sex \
                   WHERE o.amount * 2 > 10 AND d.sex IS NOT NULL";
        let statements = parse(sql).unwrap();
        let Statement::Insert { query, .. } = &statements[0] else {
            panic!()
        };
        assert_eq!(query.joins.len(), 1);
        assert!(query.joins[0].left);
        assert_eq!(query.joins[0].table.qualifier(), "d");
        assert!(query.filter.is_some());
    }

    #[test]
    fn errors_give_line_column_and_what_was_expected() {
        let err = parse("CREATE TABLE t (\n  a INT,\n  b FANCY\n)").unwrap_err();
        assert_eq!(err.pos, Pos { line: 3, column: 5 });
        assert!(
            err.message.starts_with("expected a type (STRING"),
            "{}",
            err.message
        );
        assert!(err.message.ends_with("found 'FANCY'"), "{}", err.message);
        let err = parse("SELECT a FROM").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column 14: expected a table name, found the end of the input"
        );
    }
}
