//! Statements: SET, CREATE TABLE (columns, types, keys, options), DROP TABLE, INSERT and
//! queries.

use super::*;

impl Parser {
    pub(super) fn statement(&mut self) -> Result<Statement> {
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
                // A TEMPORARY table is the host's only kind: every table lives for the job.
                self.eat_keyword("TEMPORARY");
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
                let proctime = self.keyword_at(1).as_deref() == Some("PROCTIME")
                    && matches!(self.peek_at(2), Token::LParen)
                    && matches!(self.peek_at(3), Token::RParen)
                    && matches!(self.peek_at(4), Token::Comma | Token::RParen);
                if self.is_keyword("AS") && !proctime {
                    self.next += 1;
                    columns.push(ColumnDef {
                        name,
                        data_type: DataType::new(TypeKind::OTHER),
                        proctime: false,
                        computed: Some(self.expr()?),
                        pos,
                    });
                } else if self.eat_keyword("AS") {
                    self.next += 3;
                    columns.push(ColumnDef {
                        name,
                        data_type: crate::expr::proctime_type(),
                        proctime: true,
                        computed: None,
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
                        computed: None,
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
        if self.is_keyword("DISTINCT") {
            return Err(ParseError {
                pos: self.pos(),
                message: "not supported: SELECT DISTINCT (write GROUP BY over the columns)"
                    .to_string(),
            });
        }
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
        let mut group_by = Vec::new();
        if self.eat_keyword("GROUP") {
            self.expect_keyword("BY")?;
            loop {
                group_by.push(self.expr()?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
        }
        let having = if self.eat_keyword("HAVING") {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Query {
            items,
            from,
            joins,
            filter,
            group_by,
            having,
            pos,
        })
    }

    fn alias_before_for(&mut self) -> Result<Option<String>> {
        if self.is_keyword("FOR") {
            return Ok(None);
        }
        self.alias()
    }
}
