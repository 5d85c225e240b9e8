//! The scalar functions: their binding (arguments, result type) and evaluation.

use connector_interface::{DataType, TypeKind, Value};

use crate::expr::{proctime, proctime_type, BindError, Bound};
use crate::like;
use crate::sql::ast::Pos;
use crate::values::{is_string, to_text};

#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    Upper,
    Lower,
    Trim,
    Concat,
    Coalesce,
    CharLength,
    Proctime,
    CurrentTimestamp,
    /// LIKE, with its pattern compiled once when the pattern (and escape) are literals.
    Like(Option<std::sync::Arc<like::Pattern>>),
}

fn bind_error(pos: Pos, message: impl Into<String>) -> BindError {
    BindError {
        pos,
        message: message.into(),
    }
}

/// The function `name` (upper case) over bound `args`, and its result type.
pub fn bind(name: &str, args: &[Bound], pos: Pos) -> Result<(Function, DataType), BindError> {
    Ok(match (name, args.len()) {
            ("UPPER", 1) => (Function::Upper, DataType::string()),
            ("LOWER", 1) => (Function::Lower, DataType::string()),
            ("TRIM", 1) => (Function::Trim, DataType::string()),
            ("CHAR_LENGTH" | "CHARACTER_LENGTH", 1) => {
                (Function::CharLength, DataType::new(TypeKind::INT))
            }
            ("CONCAT", n) if n >= 1 => (Function::Concat, DataType::string()),
            ("COALESCE", n) if n >= 1 => (Function::Coalesce, args[0].data_type().clone()),
            ("PROCTIME", 0) => (Function::Proctime, proctime_type()),
            ("CURRENT_TIMESTAMP", 0) => (Function::CurrentTimestamp, proctime_type()),
            ("LIKE", 2 | 3) => {
                for a in args {
                    let t = a.data_type();
                    if !is_string(t) && t.kind != TypeKind::OTHER {
                        return Err(bind_error(pos, format!("LIKE needs character strings, found {t}")));
                    }
                }
                (
                    Function::Like(literal_pattern(&args[1..]).map(std::sync::Arc::new)),
                    DataType::new(TypeKind::BOOLEAN),
                )
            }
            ("UPPER" | "LOWER" | "TRIM" | "CHAR_LENGTH" | "CONCAT" | "COALESCE" | "PROCTIME", n) => {
                return Err(bind_error(pos, format!("{name} does not take {n} argument(s)")))
            }
            _ => {
                return Err(bind_error(
                    pos,
                    format!(
                        "unknown function '{name}'; supported: UPPER, LOWER, TRIM, CHAR_LENGTH, CONCAT, COALESCE, CAST, CASE, LIKE, CURRENT_TIMESTAMP"
                    ),
                ))
            }
        })
}

/// The compiled pattern of a LIKE whose pattern and escape are literal texts (one that does not
/// compile is left to fail when it runs, as it did).
fn literal_pattern(args: &[Bound]) -> Option<like::Pattern> {
    let mut texts = args.iter().map(|a| match a {
        Bound::Literal(Value::String(s), _) => Some(s.as_str()),
        _ => None,
    });
    let pattern = texts.next()??;
    let escape = match texts.next() {
        Some(e) => Some(e?),
        None => None,
    };
    like::Pattern::compile(pattern, escape).ok()
}

/// Evaluates a call on a row.
pub fn call(f: &Function, args: &[Bound], row: &[Value]) -> Result<Value, String> {
    let text = |v: Value| -> Option<String> { (!v.is_null()).then(|| to_text(&v)) };
    Ok(match f {
        Function::Upper => {
            text(args[0].eval(row)?).map_or(Value::Null, |s| s.to_uppercase().as_str().into())
        }
        Function::Lower => {
            text(args[0].eval(row)?).map_or(Value::Null, |s| s.to_lowercase().as_str().into())
        }
        Function::Trim => text(args[0].eval(row)?).map_or(Value::Null, |s| s.trim().into()),
        Function::CharLength => {
            text(args[0].eval(row)?).map_or(Value::Null, |s| Value::Int(s.chars().count() as i32))
        }
        Function::Concat => {
            let mut out = String::new();
            for a in args {
                match text(a.eval(row)?) {
                    Some(s) => out.push_str(&s),
                    None => return Ok(Value::Null),
                }
            }
            out.as_str().into()
        }
        Function::Coalesce => {
            for a in args {
                let v = a.eval(row)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Value::Null
        }
        Function::Proctime | Function::CurrentTimestamp => proctime(),
        Function::Like(pattern) => {
            let Some(subject) = text(args[0].eval(row)?) else {
                return Ok(Value::Null);
            };
            if let Some(pattern) = pattern {
                return Ok(Value::Boolean(pattern.matches(&subject)));
            }
            let mut rest = Vec::with_capacity(2);
            for a in &args[1..] {
                match text(a.eval(row)?) {
                    Some(s) => rest.push(s),
                    None => return Ok(Value::Null),
                }
            }
            Value::Boolean(like::matches(
                &subject,
                &rest[0],
                rest.get(1).map(String::as_str),
            )?)
        }
    })
}
