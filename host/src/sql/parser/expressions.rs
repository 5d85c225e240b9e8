//! Expressions, by precedence: OR, AND, NOT, comparisons, + -, * / %, unary minus, and
//! the primaries (literals, columns, calls, CAST, CASE).

use super::*;

impl Parser {
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
                let not_like =
                    self.is_keyword("NOT") && self.keyword_at(1).as_deref() == Some("LIKE");
                if not_like || self.is_keyword("LIKE") {
                    self.next += if not_like { 2 } else { 1 };
                    let like = self.like(left, pos)?;
                    return Ok(if not_like {
                        Expr::Not(Box::new(like), pos)
                    } else {
                        like
                    });
                }
                if self.is_keyword("IS") {
                    return self.is_test(left, pos);
                }
                return Ok(left);
            }
        };
        self.next += 1;
        let right = self.additive()?;
        let compared = binary(op, left, right, pos);
        if self.is_keyword("IS") {
            return self.is_test(compared, pos);
        }
        Ok(compared)
    }

    /// `x IS [NOT] NULL | TRUE | FALSE`, at the IS.
    fn is_test(&mut self, left: Expr, pos: Pos) -> Result<Expr> {
        self.next += 1;
        let negated = self.eat_keyword("NOT");
        if self.is_keyword("TRUE") || self.is_keyword("FALSE") {
            // x IS TRUE: COALESCE(x, FALSE); x IS FALSE: COALESCE(NOT x, FALSE) (never
            // NULL, as in Flink); IS NOT: the negation of that.
            let value = self.eat_keyword("TRUE");
            if !value {
                self.next += 1;
            }
            let x = match value {
                true => left,
                false => Expr::Not(Box::new(left), pos),
            };
            let test = Expr::Function {
                name: "COALESCE".to_string(),
                args: vec![x, Expr::Literal(Value::Boolean(false), pos)],
                pos,
            };
            return Ok(match negated {
                true => Expr::Not(Box::new(test), pos),
                false => test,
            });
        }
        self.expect_keyword("NULL")?;
        Ok(Expr::IsNull {
            expr: Box::new(left),
            negated,
            pos,
        })
    }

    /// `x LIKE pattern [ESCAPE 'c']` after its LIKE: the function LIKE(x, pattern[, escape]).
    fn like(&mut self, left: Expr, pos: Pos) -> Result<Expr> {
        let mut args = vec![left, self.additive()?];
        if self.eat_keyword("ESCAPE") {
            args.push(self.additive()?);
        }
        Ok(Expr::Function {
            name: "LIKE".to_string(),
            args,
            pos,
        })
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

    pub(super) fn primary(&mut self) -> Result<Expr> {
        let pos = self.pos();
        match self.peek().clone() {
            Token::Number(n, _) => {
                self.next += 1;
                let value = if n.contains(['e', 'E']) {
                    Value::Double(n.parse().map_err(|_| ParseError {
                        pos,
                        message: format!("'{n}' is not a number"),
                    })?)
                } else if n.contains('.') {
                    // 0.1 is DECIMAL(1, 1), as in Flink (1e-1 is DOUBLE).
                    Value::Decimal(crate::decimal::literal(&n).ok_or_else(|| ParseError {
                        pos,
                        message: format!("'{n}' is out of the range of DECIMAL(38)"),
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
                        "TIMESTAMP" | "DATE" | "TIME" => {
                            if let Token::SingleQuotedString(text) = self.peek_at(1).clone() {
                                self.next += 2;
                                return time_literal(&upper, &text, pos);
                            }
                        }
                        "CURRENT_TIMESTAMP" if !matches!(self.peek_at(1), Token::LParen) => {
                            self.next += 1;
                            return Ok(Expr::Function {
                                name: upper,
                                args: Vec::new(),
                                pos,
                            });
                        }
                        _ => {}
                    }
                }
                self.next += 1;
                if let (false, Token::LParen, Some(function)) =
                    (quoted, self.peek(), AggregateFunction::of(&upper))
                {
                    self.next += 1;
                    return self.aggregate(function, pos);
                }
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

    /// The rest of an aggregate call after its `(`: `*` (COUNT only), or `[DISTINCT] x`.
    fn aggregate(&mut self, function: AggregateFunction, pos: Pos) -> Result<Expr> {
        let distinct = self.eat_keyword("DISTINCT");
        if !distinct {
            self.eat_keyword("ALL");
        }
        let arg = if function == AggregateFunction::Count && !distinct && self.eat(&Token::Mul) {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        self.expect(&Token::RParen)?;
        Ok(Expr::Aggregate {
            function,
            distinct,
            arg,
            pos,
        })
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

/// `TIMESTAMP '2020-01-02 03:04:05.5'`, `DATE '...'`, `TIME '...'`: the text cast to the type,
/// a TIMESTAMP's or TIME's precision the number of its fraction digits (as Flink).
fn time_literal(kind: &str, text: &str, pos: Pos) -> Result<Expr> {
    let fraction = text
        .rsplit_once('.')
        .map_or(0, |(_, f)| f.trim_end().len().min(9) as u32);
    let to = DataType {
        precision: fraction,
        ..DataType::new(match kind {
            "TIMESTAMP" => TypeKind::TIMESTAMP,
            "DATE" => TypeKind::DATE,
            _ => TypeKind::TIME,
        })
    }
    .not_null();
    // Refused here, before running, when the text is not one.
    if !matches!(crate::values::from_text(text, &to), Ok(v) if !v.is_null()) {
        return Err(ParseError {
            pos,
            message: format!("'{text}' is not a {kind} literal"),
        });
    }
    Ok(Expr::Cast {
        expr: Box::new(Expr::Literal(Value::String(text.into()), pos)),
        to,
        pos,
    })
}
