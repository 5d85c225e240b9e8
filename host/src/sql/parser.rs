//! A recursive-descent parser for the Flink SQL subset, on `sqlparser`'s tokenizer (which
//! handles comments, quoting and positions). Flink's syntax where stock dialects differ:
//! `x AS PROCTIME()`, `PRIMARY KEY (...) NOT ENFORCED`, `WITH ('k' = 'v')`, `SET 'k' = 'v'`,
//! `JOIN dim FOR SYSTEM_TIME AS OF s.proc AS d`, keywords such as `desc` as column names.

use connector_interface::{DataType, TypeKind, Value};
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use super::ast::*;

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
    "FROM", "WHERE", "JOIN", "LEFT", "INNER", "ON", "FOR", "AS", "AND", "OR", "NOT", "IS", "WHEN",
    "THEN", "ELSE", "END", "SELECT", "INSERT", "WITH", "LIMIT", "GROUP", "ORDER",
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

    fn expected(&self, what: &str) -> ParseError {
        ParseError {
            pos: self.pos(),
            message: format!("expected {what}, found {}", self.found()),
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

    fn statement(&mut self) -> Result<Statement> {
        let pos = self.pos();
        match self.keyword().as_deref() {
            Some("SET") => {
                self.next += 1;
                let key = self.string("a quoted key, as in SET 'parallelism.default' = '2'")?;
                self.expect(&Token::Eq)?;
                let value = self.string("a quoted value")?;
                Ok(Statement::Set { key, value })
            }
            Some("CREATE") => {
                self.next += 1;
                self.expect_keyword("TABLE")?;
                self.create_table(pos).map(Statement::CreateTable)
            }
            Some("DROP") => {
                self.next += 1;
                self.expect_keyword("TABLE")?;
                let if_exists = self.eat_keyword("IF");
                if if_exists {
                    self.expect_keyword("EXISTS")?;
                }
                let pos = self.pos();
                let name = self.table_name()?;
                Ok(Statement::DropTable {
                    name,
                    if_exists,
                    pos,
                })
            }
            Some("INSERT") => {
                self.next += 1;
                self.expect_keyword("INTO")?;
                let pos = self.pos();
                let table = self.table_name()?;
                let columns = if self.eat(&Token::LParen) {
                    let mut columns = vec![self.identifier("a column name")?];
                    while self.eat(&Token::Comma) {
                        columns.push(self.identifier("a column name")?);
                    }
                    self.expect(&Token::RParen)?;
                    Some(columns)
                } else {
                    None
                };
                let query = self.query()?;
                Ok(Statement::Insert {
                    table,
                    columns,
                    query,
                    pos,
                })
            }
            Some("SELECT") => self.query().map(Statement::Select),
            _ => Err(self.expected("SET, CREATE TABLE, DROP TABLE, INSERT INTO or SELECT")),
        }
    }

    fn create_table(&mut self, pos: Pos) -> Result<CreateTable> {
        let if_not_exists = self.eat_keyword("IF");
        if if_not_exists {
            self.expect_keyword("NOT")?;
            self.expect_keyword("EXISTS")?;
        }
        let name = self.table_name()?;
        self.expect(&Token::LParen)?;
        let mut columns = Vec::new();
        let mut primary_key = Vec::new();
        loop {
            if self.is_keyword("PRIMARY") && self.keyword_at(1).as_deref() == Some("KEY") {
                self.next += 2;
                self.expect(&Token::LParen)?;
                primary_key.push(self.identifier("a column name")?);
                while self.eat(&Token::Comma) {
                    primary_key.push(self.identifier("a column name")?);
                }
                self.expect(&Token::RParen)?;
                self.expect_keyword("NOT")?;
                self.expect_keyword("ENFORCED")?;
            } else {
                let pos = self.pos();
                let name = self.identifier("a column name or PRIMARY KEY")?;
                if self.eat_keyword("AS") {
                    self.expect_keyword("PROCTIME")?;
                    self.expect(&Token::LParen)?;
                    self.expect(&Token::RParen)?;
                    let mut data_type = DataType::new(TypeKind::TIMESTAMP_LTZ).not_null();
                    data_type.precision = 3;
                    columns.push(ColumnDef {
                        name,
                        data_type,
                        proctime: true,
                        pos,
                    });
                } else {
                    let mut data_type = self.data_type()?;
                    if self.eat_keyword("NOT") {
                        self.expect_keyword("NULL")?;
                        data_type.nullable = false;
                    } else {
                        self.eat_keyword("NULL");
                    }
                    columns.push(ColumnDef {
                        name,
                        data_type,
                        proctime: false,
                        pos,
                    });
                }
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        let mut options = Vec::new();
        if self.eat_keyword("WITH") {
            self.expect(&Token::LParen)?;
            loop {
                let key = self.string("a quoted option key")?;
                self.expect(&Token::Eq)?;
                let value = self.string("a quoted option value")?;
                options.push((key, value));
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
        }
        Ok(CreateTable {
            name,
            if_not_exists,
            columns,
            primary_key,
            options,
            pos,
        })
    }

    fn optional_length(&mut self) -> Result<Option<u32>> {
        if self.eat(&Token::LParen) {
            let n = self.unsigned("a length")?;
            self.expect(&Token::RParen)?;
            Ok(Some(n))
        } else {
            Ok(None)
        }
    }

    /// A SQL type, as Flink writes it.
    pub(crate) fn data_type(&mut self) -> Result<DataType> {
        let Some(word) = self.keyword() else {
            return Err(self.expected("a type"));
        };
        self.next += 1;
        let with = |kind: TypeKind, precision: u32| DataType {
            precision,
            ..DataType::new(kind)
        };
        Ok(match word.as_str() {
            "STRING" => DataType::string(),
            "VARCHAR" => with(TypeKind::VARCHAR, self.optional_length()?.unwrap_or(1)),
            "CHAR" => with(TypeKind::CHAR, self.optional_length()?.unwrap_or(1)),
            "BOOLEAN" => DataType::new(TypeKind::BOOLEAN),
            "TINYINT" => DataType::new(TypeKind::TINYINT),
            "SMALLINT" => DataType::new(TypeKind::SMALLINT),
            "INT" | "INTEGER" => DataType::new(TypeKind::INT),
            "BIGINT" => DataType::new(TypeKind::BIGINT),
            "FLOAT" => DataType::new(TypeKind::FLOAT),
            "DOUBLE" => {
                self.eat_keyword("PRECISION");
                DataType::new(TypeKind::DOUBLE)
            }
            "DECIMAL" | "DEC" | "NUMERIC" => {
                let (mut p, mut s) = (10, 0);
                if self.eat(&Token::LParen) {
                    p = self.unsigned("a precision")?;
                    if self.eat(&Token::Comma) {
                        s = self.unsigned("a scale")?;
                    }
                    self.expect(&Token::RParen)?;
                }
                if !(1..=38).contains(&p) || s > p {
                    return Err(ParseError {
                        pos: self.pos(),
                        message: format!(
                            "DECIMAL({p}, {s}) is out of range: the precision must be 1 to 38 and the scale at most the precision"
                        ),
                    });
                }
                DataType {
                    precision: p,
                    scale: s,
                    ..DataType::new(TypeKind::DECIMAL)
                }
            }
            "DATE" => DataType::new(TypeKind::DATE),
            "TIME" => with(TypeKind::TIME, self.optional_length()?.unwrap_or(0)),
            "TIMESTAMP" => {
                let p = self.optional_length()?.unwrap_or(6);
                if self.is_keyword("WITH") && self.keyword_at(1).as_deref() == Some("LOCAL") {
                    self.next += 2;
                    self.expect_keyword("TIME")?;
                    self.expect_keyword("ZONE")?;
                    with(TypeKind::TIMESTAMP_LTZ, p)
                } else {
                    if self.eat_keyword("WITHOUT") {
                        self.expect_keyword("TIME")?;
                        self.expect_keyword("ZONE")?;
                    }
                    with(TypeKind::TIMESTAMP, p)
                }
            }
            "TIMESTAMP_LTZ" => with(
                TypeKind::TIMESTAMP_LTZ,
                self.optional_length()?.unwrap_or(6),
            ),
            "BYTES" => with(TypeKind::VARBINARY, u32::MAX),
            "VARBINARY" => with(TypeKind::VARBINARY, self.optional_length()?.unwrap_or(1)),
            "BINARY" => with(TypeKind::BINARY, self.optional_length()?.unwrap_or(1)),
            _ => {
                self.next -= 1;
                return Err(self.expected(
                    "a type (STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), DATE, TIME, TIMESTAMP(p), TIMESTAMP_LTZ(p), BYTES)",
                ));
            }
        })
    }

    fn alias(&mut self) -> Result<Option<String>> {
        if self.eat_keyword("AS") {
            return self.identifier("an alias").map(Some);
        }
        match self.peek() {
            Token::Word(w)
                if w.quote_style.is_some()
                    || !RESERVED.contains(&w.value.to_ascii_uppercase().as_str()) =>
            {
                self.identifier("an alias").map(Some)
            }
            _ => Ok(None),
        }
    }

    fn query(&mut self) -> Result<Query> {
        let pos = self.pos();
        self.expect_keyword("SELECT")?;
        let mut items = Vec::new();
        loop {
            if matches!(self.peek(), Token::Mul) {
                items.push(SelectItem::Wildcard(self.pos()));
                self.next += 1;
            } else {
                let expr = self.expr()?;
                let alias = self.alias()?;
                items.push(SelectItem::Expr { expr, alias });
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect_keyword("FROM")?;
        let from_pos = self.pos();
        let name = self.table_name()?;
        let from = TableRef {
            name,
            alias: self.alias()?,
            pos: from_pos,
        };
        let mut joins = Vec::new();
        loop {
            let left = if self.eat_keyword("LEFT") {
                self.eat_keyword("OUTER");
                true
            } else {
                self.eat_keyword("INNER");
                false
            };
            if !self.eat_keyword("JOIN") {
                if left {
                    return Err(self.expected("JOIN"));
                }
                break;
            }
            let table_pos = self.pos();
            let name = self.table_name()?;
            // Flink writes the alias after the period specification; accept it before too.
            let mut alias = self.alias_before_for()?;
            self.expect_keyword("FOR")?;
            self.expect_keyword("SYSTEM_TIME")?;
            self.expect_keyword("AS")?;
            self.expect_keyword("OF")?;
            let time = self.primary()?;
            if alias.is_none() {
                alias = self.alias()?;
            }
            self.expect_keyword("ON")?;
            let on = self.expr()?;
            joins.push(LookupJoin {
                left,
                table: TableRef {
                    name,
                    alias,
                    pos: table_pos,
                },
                time,
                on,
            });
        }
        let filter = if self.eat_keyword("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Query {
            items,
            from,
            joins,
            filter,
            pos,
        })
    }

    fn alias_before_for(&mut self) -> Result<Option<String>> {
        if self.is_keyword("FOR") {
            return Ok(None);
        }
        self.alias()
    }

    pub(crate) fn expr(&mut self) -> Result<Expr> {
        self.or()
    }

    fn or(&mut self) -> Result<Expr> {
        let mut left = self.and()?;
        while self.is_keyword("OR") {
            let pos = self.pos();
            self.next += 1;
            let right = self.and()?;
            left = binary(BinaryOp::Or, left, right, pos);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr> {
        let mut left = self.not()?;
        while self.is_keyword("AND") {
            let pos = self.pos();
            self.next += 1;
            let right = self.not()?;
            left = binary(BinaryOp::And, left, right, pos);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr> {
        if self.is_keyword("NOT") {
            let pos = self.pos();
            self.next += 1;
            return Ok(Expr::Not(Box::new(self.not()?), pos));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr> {
        let left = self.additive()?;
        let pos = self.pos();
        let op = match self.peek() {
            Token::Eq | Token::DoubleEq => BinaryOp::Eq,
            Token::Neq => BinaryOp::NotEq,
            Token::Lt => BinaryOp::Lt,
            Token::LtEq => BinaryOp::LtEq,
            Token::Gt => BinaryOp::Gt,
            Token::GtEq => BinaryOp::GtEq,
            _ => {
                if self.eat_keyword("IS") {
                    let negated = self.eat_keyword("NOT");
                    self.expect_keyword("NULL")?;
                    return Ok(Expr::IsNull {
                        expr: Box::new(left),
                        negated,
                        pos,
                    });
                }
                return Ok(left);
            }
        };
        self.next += 1;
        let right = self.additive()?;
        Ok(binary(op, left, right, pos))
    }

    fn additive(&mut self) -> Result<Expr> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Token::Plus => BinaryOp::Add,
                Token::Minus => BinaryOp::Sub,
                Token::StringConcat => BinaryOp::Concat,
                _ => return Ok(left),
            };
            let pos = self.pos();
            self.next += 1;
            let right = self.multiplicative()?;
            left = binary(op, left, right, pos);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Token::Mul => BinaryOp::Mul,
                Token::Div => BinaryOp::Div,
                Token::Mod => BinaryOp::Mod,
                _ => return Ok(left),
            };
            let pos = self.pos();
            self.next += 1;
            let right = self.unary()?;
            left = binary(op, left, right, pos);
        }
    }

    fn unary(&mut self) -> Result<Expr> {
        let pos = self.pos();
        if self.eat(&Token::Minus) {
            return Ok(Expr::Negate(Box::new(self.unary()?), pos));
        }
        if self.eat(&Token::Plus) {
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr> {
        let pos = self.pos();
        match self.peek().clone() {
            Token::Number(n, _) => {
                self.next += 1;
                let value = if n.contains(['.', 'e', 'E']) {
                    Value::Double(n.parse().map_err(|_| ParseError {
                        pos,
                        message: format!("'{n}' is not a number"),
                    })?)
                } else {
                    match n.parse::<i64>() {
                        Ok(v) if i32::try_from(v).is_ok() => Value::Int(v as i32),
                        Ok(v) => Value::BigInt(v),
                        Err(_) => {
                            return Err(ParseError {
                                pos,
                                message: format!("'{n}' is out of the range of BIGINT"),
                            })
                        }
                    }
                };
                Ok(Expr::Literal(value, pos))
            }
            Token::SingleQuotedString(s) => {
                self.next += 1;
                Ok(Expr::Literal(Value::String(s.as_str().into()), pos))
            }
            Token::LParen => {
                self.next += 1;
                let e = self.expr()?;
                self.expect(&Token::RParen)?;
                Ok(e)
            }
            Token::Word(w) => {
                let upper = w.value.to_ascii_uppercase();
                let quoted = w.quote_style.is_some();
                if !quoted {
                    match upper.as_str() {
                        "NULL" => {
                            self.next += 1;
                            return Ok(Expr::Literal(Value::Null, pos));
                        }
                        "TRUE" | "FALSE" => {
                            self.next += 1;
                            return Ok(Expr::Literal(Value::Boolean(upper == "TRUE"), pos));
                        }
                        "CAST" if matches!(self.peek_at(1), Token::LParen) => {
                            self.next += 2;
                            let expr = self.expr()?;
                            self.expect_keyword("AS")?;
                            let to = self.data_type()?;
                            self.expect(&Token::RParen)?;
                            return Ok(Expr::Cast {
                                expr: Box::new(expr),
                                to,
                                pos,
                            });
                        }
                        "CASE" => {
                            self.next += 1;
                            return self.case(pos);
                        }
                        _ => {}
                    }
                }
                self.next += 1;
                if !quoted && matches!(self.peek(), Token::LParen) {
                    self.next += 1;
                    let mut args = Vec::new();
                    if !self.eat(&Token::RParen) {
                        loop {
                            args.push(self.expr()?);
                            if !self.eat(&Token::Comma) {
                                break;
                            }
                        }
                        self.expect(&Token::RParen)?;
                    }
                    return Ok(Expr::Function {
                        name: upper,
                        args,
                        pos,
                    });
                }
                if self.eat(&Token::Period) {
                    let name = self.identifier("a column name")?;
                    return Ok(Expr::Column {
                        qualifier: Some(w.value),
                        name,
                        pos,
                    });
                }
                Ok(Expr::Column {
                    qualifier: None,
                    name: w.value,
                    pos,
                })
            }
            _ => Err(self.expected("an expression")),
        }
    }

    fn case(&mut self, pos: Pos) -> Result<Expr> {
        let mut whens = Vec::new();
        while self.eat_keyword("WHEN") {
            let condition = self.expr()?;
            self.expect_keyword("THEN")?;
            let value = self.expr()?;
            whens.push((condition, value));
        }
        if whens.is_empty() {
            return Err(self.expected("WHEN"));
        }
        let otherwise = if self.eat_keyword("ELSE") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        self.expect_keyword("END")?;
        Ok(Expr::Case {
            whens,
            otherwise,
            pos,
        })
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
    const SEED: &str = include_str!("../../../examples/seed.sql");

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
