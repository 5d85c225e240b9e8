//! Expressions bound to a row layout: names resolved, types checked, then evaluated per row.

use connector_interface::{DataType, Timestamp, TypeKind, Value};

use crate::decimal;
use crate::functions::{self, Function};
use crate::sql::ast::{BinaryOp, Expr, Pos};
use crate::values::{
    as_f64, as_i64, cast_sql, compare, is_integer, is_numeric, is_string, to_text,
};

/// A column visible to expressions: `qualifier.name` with its type.
#[derive(Debug, Clone)]
pub struct ScopeColumn {
    pub qualifier: String,
    pub name: String,
    pub data_type: DataType,
}

/// The columns of the row being processed, in layout order.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub columns: Vec<ScopeColumn>,
}

/// A binding error: where and what.
#[derive(Debug, Clone, PartialEq)]
pub struct BindError {
    pub pos: Pos,
    pub message: String,
}

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

fn err<T>(pos: Pos, message: impl Into<String>) -> Result<T, BindError> {
    Err(BindError {
        pos,
        message: message.into(),
    })
}

/// An expression bound to a layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Input(usize, DataType),
    Literal(Value, DataType),
    Cast(Box<Bound>, DataType),
    Binary(BinaryOp, Box<Bound>, Box<Bound>, DataType),
    Not(Box<Bound>),
    Negate(Box<Bound>, DataType),
    IsNull(Box<Bound>, bool),
    Call(Function, Vec<Bound>, DataType),
    Case(Vec<(Bound, Bound)>, Option<Box<Bound>>, DataType),
}

impl Scope {
    /// The index of a column, by optional qualifier and name.
    pub fn resolve(
        &self,
        qualifier: Option<&str>,
        name: &str,
        pos: Pos,
    ) -> Result<usize, BindError> {
        let matches: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name == name && qualifier.is_none_or(|q| c.qualifier == q))
            .map(|(i, _)| i)
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => {
                let shown = match qualifier {
                    Some(q) => format!("{q}.{name}"),
                    None => name.to_string(),
                };
                let available: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| format!("{}.{}", c.qualifier, c.name))
                    .collect();
                err(
                    pos,
                    format!(
                        "unknown column '{shown}'; available: {}",
                        available.join(", ")
                    ),
                )
            }
            _ => err(
                pos,
                format!("column '{name}' is ambiguous: qualify it with a table name or alias"),
            ),
        }
    }

    pub fn bind(&self, expr: &Expr) -> Result<Bound, BindError> {
        match expr {
            Expr::Column {
                qualifier,
                name,
                pos,
            } => {
                let i = self.resolve(qualifier.as_deref(), name, *pos)?;
                Ok(Bound::Input(i, self.columns[i].data_type.clone()))
            }
            Expr::Literal(v, _) => Ok(Bound::Literal(v.clone(), literal_type(v))),
            Expr::Cast { expr, to, .. } => {
                let e = self.bind(expr)?;
                // A literal's CAST is done once here (`TIMESTAMP '...'` is one), not per row;
                // one that fails stays a CAST and fails when it runs, as before.
                if let Bound::Literal(v, from) = &e {
                    if let Ok(v) = cast_sql(v.clone(), from, to) {
                        return Ok(Bound::Literal(v, to.clone()));
                    }
                }
                Ok(Bound::Cast(Box::new(e), to.clone()))
            }
            Expr::Not(e, pos) => {
                let e = self.bind(e)?;
                expect_boolean(&e, *pos, "NOT")?;
                Ok(Bound::Not(Box::new(e)))
            }
            Expr::Negate(e, pos) => {
                let e = self.bind(e)?;
                if !is_numeric(e.data_type()) {
                    return err(*pos, format!("cannot negate a {} value", e.data_type()));
                }
                let t = e.data_type().clone();
                Ok(Bound::Negate(Box::new(e), t))
            }
            Expr::IsNull { expr, negated, .. } => {
                Ok(Bound::IsNull(Box::new(self.bind(expr)?), *negated))
            }
            Expr::Binary {
                op,
                left,
                right,
                pos,
            } => {
                let l = self.bind(left)?;
                let r = self.bind(right)?;
                let t = binary_type(*op, l.data_type(), r.data_type(), *pos)?;
                Ok(Bound::Binary(*op, Box::new(l), Box::new(r), t))
            }
            Expr::Function { name, args, pos } => {
                let args: Vec<Bound> = args
                    .iter()
                    .map(|a| self.bind(a))
                    .collect::<Result<_, _>>()?;
                let (f, t) = functions::bind(name, &args, *pos)?;
                Ok(Bound::Call(f, args, t))
            }
            Expr::Aggregate { function, pos, .. } => err(
                *pos,
                format!(
                    "{} is an aggregate function: it goes in the select list or HAVING of a query",
                    function.name()
                ),
            ),
            Expr::Case {
                whens,
                otherwise,
                pos,
            } => {
                let mut bound = Vec::new();
                for (c, v) in whens {
                    let c = self.bind(c)?;
                    expect_boolean(&c, *pos, "WHEN")?;
                    bound.push((c, self.bind(v)?));
                }
                let otherwise = otherwise.as_ref().map(|e| self.bind(e)).transpose()?;
                let t = bound[0].1.data_type().clone();
                Ok(Bound::Case(bound, otherwise.map(Box::new), t))
            }
        }
    }
}

fn expect_boolean(e: &Bound, pos: Pos, what: &str) -> Result<(), BindError> {
    let t = e.data_type();
    // An untyped NULL passes; a CAST(NULL AS t) is of type t.
    if t.kind == TypeKind::BOOLEAN
        || matches!(e, Bound::Literal(Value::Null, t) if t.kind == TypeKind::OTHER)
    {
        Ok(())
    } else {
        err(pos, format!("{what} needs a BOOLEAN, found {t}"))
    }
}

fn literal_type(v: &Value) -> DataType {
    match v {
        Value::Boolean(_) => DataType::new(TypeKind::BOOLEAN).not_null(),
        Value::Int(_) => DataType::new(TypeKind::INT).not_null(),
        Value::BigInt(_) => DataType::new(TypeKind::BIGINT).not_null(),
        Value::Double(_) => DataType::new(TypeKind::DOUBLE).not_null(),
        Value::Decimal(d) => {
            decimal::decimal_type(u32::from(d.precision), u32::from(d.scale)).not_null()
        }
        Value::String(_) => DataType::string().not_null(),
        _ => DataType::new(TypeKind::OTHER),
    }
}

fn binary_type(op: BinaryOp, l: &DataType, r: &DataType, pos: Pos) -> Result<DataType, BindError> {
    let null = |t: &DataType| t.kind == TypeKind::OTHER;
    match op {
        BinaryOp::And | BinaryOp::Or => {
            for t in [l, r] {
                if t.kind != TypeKind::BOOLEAN && !null(t) {
                    return err(
                        pos,
                        format!("{} needs BOOLEAN operands, found {t}", op.symbol()),
                    );
                }
            }
            Ok(DataType::new(TypeKind::BOOLEAN))
        }
        BinaryOp::Eq
        | BinaryOp::NotEq
        | BinaryOp::Lt
        | BinaryOp::LtEq
        | BinaryOp::Gt
        | BinaryOp::GtEq => {
            let comparable = null(l)
                || null(r)
                || l.kind == r.kind
                || (is_numeric(l) && is_numeric(r))
                || (is_string(l) && is_string(r))
                || matches!(
                    (l.kind, r.kind),
                    (TypeKind::TIMESTAMP, TypeKind::TIMESTAMP_LTZ)
                        | (TypeKind::TIMESTAMP_LTZ, TypeKind::TIMESTAMP)
                );
            if !comparable {
                return err(pos, format!("cannot compare {l} with {r}"));
            }
            Ok(DataType::new(TypeKind::BOOLEAN))
        }
        BinaryOp::Concat => Ok(DataType::string()),
        _ => {
            if !(is_numeric(l) || null(l)) || !(is_numeric(r) || null(r)) {
                return err(
                    pos,
                    format!(
                        "operator '{}' needs numbers, found {l} and {r}",
                        op.symbol()
                    ),
                );
            }
            if is_integer(l) && is_integer(r) {
                let big = l.kind == TypeKind::BIGINT || r.kind == TypeKind::BIGINT;
                return Ok(DataType::new(if big {
                    TypeKind::BIGINT
                } else {
                    TypeKind::INT
                }));
            }
            // Exact operands with a DECIMAL among them (a NULL literal takes the other's type):
            // Flink's derived DECIMAL; anything with a FLOAT or DOUBLE: DOUBLE.
            let exact = |t: &DataType, other: &DataType| {
                decimal::as_decimal_type(if null(t) { other } else { t })
            };
            match (exact(l, r), exact(r, l)) {
                (Some(a), Some(b)) => Ok(decimal::result_type(op, a, b)),
                _ => Ok(DataType::new(TypeKind::DOUBLE)),
            }
        }
    }
}

fn now() -> Value {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Value::TimestampLtz(Timestamp {
        seconds: elapsed.as_secs() as i64,
        nanos: elapsed.subsec_millis() * 1_000_000,
    })
}

/// The type of `PROCTIME()` and `CURRENT_TIMESTAMP`: TIMESTAMP_LTZ(3) NOT NULL.
pub fn proctime_type() -> DataType {
    DataType {
        precision: 3,
        ..DataType::new(TypeKind::TIMESTAMP_LTZ).not_null()
    }
}

/// The current processing time, as `PROCTIME()` gives it.
pub fn proctime() -> Value {
    now()
}

impl Bound {
    pub fn data_type(&self) -> &DataType {
        match self {
            Bound::Input(_, t)
            | Bound::Literal(_, t)
            | Bound::Cast(_, t)
            | Bound::Binary(_, _, _, t)
            | Bound::Negate(_, t)
            | Bound::Call(_, _, t)
            | Bound::Case(_, _, t) => t,
            Bound::Not(_) | Bound::IsNull(..) => {
                static BOOLEAN: std::sync::LazyLock<DataType> =
                    std::sync::LazyLock::new(|| DataType::new(TypeKind::BOOLEAN));
                &BOOLEAN
            }
        }
    }

    /// The input column this expression is, if it is one.
    pub fn input(&self) -> Option<usize> {
        match self {
            Bound::Input(i, _) => Some(*i),
            _ => None,
        }
    }

    pub fn eval(&self, row: &[Value]) -> Result<Value, String> {
        Ok(match self {
            Bound::Input(i, _) => row.get(*i).cloned().unwrap_or(Value::Null),
            Bound::Literal(v, _) => v.clone(),
            Bound::Cast(e, t) => cast_sql(e.eval(row)?, e.data_type(), t)?,
            Bound::Not(e) => match e.eval(row)? {
                Value::Boolean(b) => Value::Boolean(!b),
                _ => Value::Null,
            },
            Bound::Negate(e, _) => match e.eval(row)? {
                Value::Null => Value::Null,
                // Java's two's complement, as Flink: -(-2147483648) is -2147483648.
                Value::Int(v) => Value::Int(v.wrapping_neg()),
                Value::BigInt(v) => Value::BigInt(v.wrapping_neg()),
                Value::Decimal(d) => decimal::negate(&d),
                other => Value::Double(-as_f64(&other).unwrap_or(0.0)),
            },
            Bound::IsNull(e, negated) => Value::Boolean(e.eval(row)?.is_null() != *negated),
            Bound::Binary(op, l, r, t) => binary(*op, l.eval(row)?, r, row, t)?,
            Bound::Call(f, args, _) => functions::call(f, args, row)?,
            Bound::Case(whens, otherwise, _) => {
                for (c, v) in whens {
                    if c.eval(row)? == Value::Boolean(true) {
                        return v.eval(row);
                    }
                }
                match otherwise {
                    Some(e) => e.eval(row)?,
                    None => Value::Null,
                }
            }
        })
    }

    /// Evaluates a condition: only TRUE passes (NULL does not).
    pub fn test(&self, row: &[Value]) -> Result<bool, String> {
        Ok(self.eval(row)? == Value::Boolean(true))
    }
}

fn binary(op: BinaryOp, l: Value, r: &Bound, row: &[Value], t: &DataType) -> Result<Value, String> {
    // AND / OR: three-valued, with short circuits. Each has a deciding value (FALSE for AND,
    // TRUE for OR): either side equal to it decides; both sides the other boolean give that.
    if let BinaryOp::And | BinaryOp::Or = op {
        let deciding = Value::Boolean(op == BinaryOp::Or);
        let other = Value::Boolean(op == BinaryOp::And);
        if l == deciding {
            return Ok(l);
        }
        let r = r.eval(row)?;
        return Ok(if r == deciding {
            deciding
        } else if l == other && r == other {
            other
        } else {
            Value::Null
        });
    }
    let r = r.eval(row)?;
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    Ok(match op {
        BinaryOp::Concat => {
            Value::String(format!("{}{}", to_text(&l), to_text(&r)).as_str().into())
        }
        BinaryOp::Eq
        | BinaryOp::NotEq
        | BinaryOp::Lt
        | BinaryOp::LtEq
        | BinaryOp::Gt
        | BinaryOp::GtEq => {
            let Some(ord) = compare(&l, &r) else {
                return Ok(Value::Null);
            };
            use std::cmp::Ordering::*;
            Value::Boolean(match op {
                BinaryOp::Eq => ord == Equal,
                BinaryOp::NotEq => ord != Equal,
                BinaryOp::Lt => ord == Less,
                BinaryOp::LtEq => ord != Greater,
                BinaryOp::Gt => ord == Greater,
                _ => ord != Less,
            })
        }
        _ if is_integer(t) => {
            // Java's two's complement arithmetic in the result type, as Flink: INT_MAX + 1 is
            // -2147483648. Only a division by zero is an error (Java's ArithmeticException).
            let (a, b) = (as_i64(&l).unwrap_or(0), as_i64(&r).unwrap_or(0));
            if b == 0 && matches!(op, BinaryOp::Div | BinaryOp::Mod) {
                return Err("division by zero".to_string());
            }
            if t.kind == TypeKind::INT {
                let (a, b) = (a as i32, b as i32);
                Value::Int(match op {
                    BinaryOp::Add => a.wrapping_add(b),
                    BinaryOp::Sub => a.wrapping_sub(b),
                    BinaryOp::Mul => a.wrapping_mul(b),
                    BinaryOp::Div => a.wrapping_div(b),
                    _ => a.wrapping_rem(b),
                })
            } else {
                Value::BigInt(match op {
                    BinaryOp::Add => a.wrapping_add(b),
                    BinaryOp::Sub => a.wrapping_sub(b),
                    BinaryOp::Mul => a.wrapping_mul(b),
                    BinaryOp::Div => a.wrapping_div(b),
                    _ => a.wrapping_rem(b),
                })
            }
        }
        _ if t.kind == TypeKind::DECIMAL => decimal::eval(op, &l, &r, t)?,
        _ => {
            let (a, b) = (as_f64(&l).unwrap_or(0.0), as_f64(&r).unwrap_or(0.0));
            Value::Double(match op {
                BinaryOp::Add => a + b,
                BinaryOp::Sub => a - b,
                BinaryOp::Mul => a * b,
                BinaryOp::Div => a / b,
                _ => a % b,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::ast::{SelectItem, Statement};
    use crate::sql::parse;

    fn bind(sql_expr: &str) -> Result<Bound, BindError> {
        let statements = parse(&format!("SELECT {sql_expr} FROM t")).unwrap();
        let Statement::Select(q) = &statements[0] else {
            panic!()
        };
        let SelectItem::Expr { expr, .. } = &q.items[0] else {
            panic!()
        };
        let scope = Scope {
            columns: vec![
                ScopeColumn {
                    qualifier: "t".into(),
                    name: "a".into(),
                    data_type: DataType::new(TypeKind::INT),
                },
                ScopeColumn {
                    qualifier: "t".into(),
                    name: "s".into(),
                    data_type: DataType::string(),
                },
            ],
        };
        scope.bind(expr)
    }

    #[test]
    fn expressions_evaluate_with_sql_semantics() {
        let row = [Value::Int(7), Value::from(" Hi ")];
        let eval = |e: &str| bind(e).unwrap().eval(&row).unwrap();
        assert_eq!(eval("a * 2 + 1"), Value::Int(15));
        assert_eq!(eval("UPPER(TRIM(s)) || '!'"), Value::from("HI!"));
        assert_eq!(
            eval("CASE WHEN a > 5 THEN 'big' ELSE 'small' END"),
            Value::from("big")
        );
        assert_eq!(eval("COALESCE(NULL, a)"), Value::Int(7));
        assert_eq!(eval("CAST(a AS STRING)"), Value::from("7"));
        assert_eq!(eval("NULL IS NULL AND NOT a = 3"), Value::Boolean(true));
        assert_eq!(eval("a / 2"), Value::Int(3));
        assert_eq!(
            eval("s LIKE '%Hi%' AND s NOT LIKE 'Hi%'"),
            Value::Boolean(true)
        );
        let null = "CAST(NULL AS BOOLEAN)";
        for (e, want) in [
            (format!("{null} IS TRUE"), false),
            (format!("{null} IS NOT TRUE"), true),
            (format!("{null} IS FALSE"), false),
            (format!("{null} IS NOT FALSE"), true),
            ("a > 5 IS TRUE".to_string(), true),
            ("a > 5 IS FALSE".to_string(), false),
            ("a < 5 IS NOT TRUE".to_string(), true),
        ] {
            assert_eq!(eval(&e), Value::Boolean(want), "{e}");
        }
        let now = bind("CURRENT_TIMESTAMP").unwrap();
        assert_eq!(now.data_type().kind, TypeKind::TIMESTAMP_LTZ);
        let Value::TimestampLtz(ts) = now.eval(&row).unwrap() else {
            panic!("CURRENT_TIMESTAMP is a TIMESTAMP_LTZ")
        };
        let Value::TimestampLtz(then) = proctime() else {
            panic!()
        };
        assert!((then.seconds - ts.seconds).abs() <= 1);
    }

    #[test]
    fn and_or_are_three_valued() {
        let row = [Value::Int(7), Value::from("x")];
        let eval = |e: &str| bind(e).unwrap().eval(&row).unwrap();
        let (t, f, n) = ("a > 5", "a < 5", "CAST(NULL AS BOOLEAN)");
        let (yes, no) = (Value::Boolean(true), Value::Boolean(false));
        for (l, r, and, or) in [
            (t, t, &yes, &yes),
            (t, f, &no, &yes),
            (t, n, &Value::Null, &yes),
            (f, t, &no, &yes),
            (f, f, &no, &no),
            (f, n, &no, &Value::Null),
            (n, t, &Value::Null, &yes),
            (n, f, &no, &Value::Null),
            (n, n, &Value::Null, &Value::Null),
        ] {
            assert_eq!(&eval(&format!("({l}) AND ({r})")), and, "{l} AND {r}");
            assert_eq!(&eval(&format!("({l}) OR ({r})")), or, "{l} OR {r}");
        }
    }

    #[test]
    fn bad_references_and_types_are_named() {
        assert!(bind("b")
            .unwrap_err()
            .message
            .starts_with("unknown column 'b'; available: t.a, t.s"));
        assert_eq!(
            bind("s + 1").unwrap_err().message,
            "operator '+' needs numbers, found STRING and INT NOT NULL"
        );
        assert!(bind("FROB(a)")
            .unwrap_err()
            .message
            .starts_with("unknown function 'FROB'"));
    }
}
