//! The statements and expressions of the Flink SQL subset the host runs.

use connector_interface::{DataType, Value};

/// A place in the job file, for messages: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `SET 'key' = 'value'`
    Set {
        key: String,
        value: String,
    },
    CreateTable(CreateTable),
    /// `DROP TABLE [IF EXISTS] name`
    DropTable {
        name: String,
        if_exists: bool,
        pos: Pos,
    },
    /// `INSERT INTO table [(columns)] query`
    Insert {
        table: String,
        columns: Option<Vec<String>>,
        query: Query,
        pos: Pos,
    },
    /// `SELECT ...` on its own: its rows are printed.
    Select(Query),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub data_type: DataType,
    /// `name AS PROCTIME()`: computed by the host, never stored.
    pub proctime: bool,
    /// `name AS expr` (other than PROCTIME()): computed by the host from the row, never stored.
    pub computed: Option<Expr>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    pub name: String,
    pub if_not_exists: bool,
    pub columns: Vec<ColumnDef>,
    pub primary_key: Vec<String>,
    pub options: Vec<(String, String)>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRef {
    pub name: String,
    pub alias: Option<String>,
    pub pos: Pos,
}

impl TableRef {
    /// The name columns are qualified with: the alias, or the table name.
    pub fn qualifier(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// `[LEFT] JOIN dim FOR SYSTEM_TIME AS OF s.proc [AS d] ON ...`
#[derive(Debug, Clone, PartialEq)]
pub struct LookupJoin {
    pub left: bool,
    pub table: TableRef,
    /// The processing-time column named after `AS OF`.
    pub time: Expr,
    pub on: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `*`
    Wildcard(Pos),
    Expr {
        expr: Expr,
        alias: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub items: Vec<SelectItem>,
    pub from: TableRef,
    pub joins: Vec<LookupJoin>,
    pub filter: Option<Expr>,
    /// `GROUP BY e, ...`: empty without one.
    pub group_by: Vec<Expr>,
    /// `HAVING condition`.
    pub having: Option<Expr>,
    pub pos: Pos,
}

impl Query {
    /// Whether the query aggregates: a `GROUP BY`, a `HAVING` or an aggregate function in its
    /// select list.
    pub fn aggregates(&self) -> bool {
        !self.group_by.is_empty()
            || self.having.is_some()
            || self.items.iter().any(|i| match i {
                SelectItem::Expr { expr, .. } => expr.has_aggregate(),
                SelectItem::Wildcard(_) => false,
            })
    }
}

/// An aggregate function of a `GROUP BY` query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    Count,
    Sum,
    Min,
    Max,
    Avg,
}

impl AggregateFunction {
    pub fn of(name: &str) -> Option<AggregateFunction> {
        Some(match name {
            "COUNT" => AggregateFunction::Count,
            "SUM" => AggregateFunction::Sum,
            "MIN" => AggregateFunction::Min,
            "MAX" => AggregateFunction::Max,
            "AVG" => AggregateFunction::Avg,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            AggregateFunction::Count => "COUNT",
            AggregateFunction::Sum => "SUM",
            AggregateFunction::Min => "MIN",
            AggregateFunction::Max => "MAX",
            AggregateFunction::Avg => "AVG",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Concat,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Concat => "||",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Column {
        qualifier: Option<String>,
        name: String,
        pos: Pos,
    },
    Literal(Value, Pos),
    Cast {
        expr: Box<Expr>,
        to: DataType,
        pos: Pos,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
        pos: Pos,
    },
    Not(Box<Expr>, Pos),
    Negate(Box<Expr>, Pos),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
        pos: Pos,
    },
    /// `UPPER`, `LOWER`, `TRIM`, `CONCAT`, `COALESCE`, ...
    Function {
        name: String,
        args: Vec<Expr>,
        pos: Pos,
    },
    Case {
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
        pos: Pos,
    },
    /// `COUNT(*)` (no argument), `COUNT([DISTINCT] x)`, `SUM(x)`, `MIN`, `MAX`, `AVG`.
    Aggregate {
        function: AggregateFunction,
        distinct: bool,
        arg: Option<Box<Expr>>,
        pos: Pos,
    },
}

impl Expr {
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Column { pos, .. }
            | Expr::Literal(_, pos)
            | Expr::Cast { pos, .. }
            | Expr::Binary { pos, .. }
            | Expr::Not(_, pos)
            | Expr::Negate(_, pos)
            | Expr::IsNull { pos, .. }
            | Expr::Function { pos, .. }
            | Expr::Case { pos, .. }
            | Expr::Aggregate { pos, .. } => *pos,
        }
    }

    /// The expressions directly inside this one.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column { .. } | Expr::Literal(..) => Vec::new(),
            Expr::Cast { expr, .. }
            | Expr::Not(expr, _)
            | Expr::Negate(expr, _)
            | Expr::IsNull { expr, .. } => vec![expr],
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::Function { args, .. } => args.iter().collect(),
            Expr::Case {
                whens, otherwise, ..
            } => whens
                .iter()
                .flat_map(|(c, v)| [c, v])
                .chain(otherwise.as_deref())
                .collect(),
            Expr::Aggregate { arg, .. } => arg.as_deref().into_iter().collect(),
        }
    }

    /// Whether an aggregate function appears in this expression.
    pub fn has_aggregate(&self) -> bool {
        matches!(self, Expr::Aggregate { .. }) || self.children().iter().any(|c| c.has_aggregate())
    }

    /// The name a projected expression gets without an alias: a column's name, else `EXPR$n`.
    pub fn default_name(&self, index: usize) -> String {
        match self {
            Expr::Column { name, .. } => name.clone(),
            _ => format!("EXPR${index}"),
        }
    }
}
