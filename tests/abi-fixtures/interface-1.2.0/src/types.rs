//! Rows, values, logical types and schemas: the data that crosses the boundary.
//!
//! Frozen for 1.x (see the crate's evolution rules). [`Value`] is exhaustive on purpose: it
//! already covers every SQL type of the roadmap, and [`Value::Other`] carries anything else as
//! a named, encoded payload.

use abi_stable::std_types::{RString, RVec};
use abi_stable::StableAbi;

/// The kind of change a row carries, with Flink's byte values (`RowKind.toByteValue()`).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// `+I`
    Insert = 0,
    /// `-U`
    UpdateBefore = 1,
    /// `+U`
    UpdateAfter = 2,
    /// `-D`
    Delete = 3,
}

impl RowKind {
    /// Flink's short form: `+I`, `-U`, `+U`, `-D`.
    pub fn short_string(self) -> &'static str {
        match self {
            RowKind::Insert => "+I",
            RowKind::UpdateBefore => "-U",
            RowKind::UpdateAfter => "+U",
            RowKind::Delete => "-D",
        }
    }

    /// The kind for one of Flink's byte values.
    pub fn from_byte(byte: u8) -> Option<RowKind> {
        match byte {
            0 => Some(RowKind::Insert),
            1 => Some(RowKind::UpdateBefore),
            2 => Some(RowKind::UpdateAfter),
            3 => Some(RowKind::Delete),
            _ => None,
        }
    }
}

/// A DECIMAL: an unscaled 128-bit integer (split in two halves) with precision and scale.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    pub unscaled_hi: i64,
    pub unscaled_lo: u64,
    pub precision: u8,
    pub scale: u8,
}

impl Decimal {
    pub fn new(unscaled: i128, precision: u8, scale: u8) -> Decimal {
        Decimal {
            unscaled_hi: (unscaled >> 64) as i64,
            unscaled_lo: unscaled as u64,
            precision,
            scale,
        }
    }

    pub fn unscaled(&self) -> i128 {
        ((self.unscaled_hi as i128) << 64) | self.unscaled_lo as i128
    }
}

impl std::fmt::Display for Decimal {
    /// Plain decimal notation with exactly `scale` fraction digits: `-12.50`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.unscaled();
        let digits = v.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let sign = if v < 0 { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// A point in time: seconds since 1970-01-01T00:00:00 plus nanoseconds (0..1e9). For
/// `TIMESTAMP` it is a wall-clock value without zone; for `TIMESTAMP_LTZ` an instant in UTC.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    pub seconds: i64,
    pub nanos: u32,
}

/// One entry of a MAP value.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key: Value,
    pub value: Value,
}

/// A value of a type this interface did not foresee: a type name (for example
/// `"GEOMETRY"`) and its encoding agreed between host and plugin.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct OtherValue {
    pub type_name: RString,
    pub payload: RVec<u8>,
}

/// One SQL value. Frozen for 1.x: adding a variant breaks every plugin in both directions.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    TinyInt(i8),
    SmallInt(i16),
    Int(i32),
    BigInt(i64),
    Float(f32),
    Double(f64),
    Decimal(Decimal),
    /// `STRING`, `VARCHAR(n)`, `CHAR(n)`.
    String(RString),
    /// `BYTES`, `VARBINARY(n)`, `BINARY(n)`.
    Bytes(RVec<u8>),
    /// Days since 1970-01-01.
    Date(i32),
    /// Nanoseconds since midnight.
    Time(i64),
    Timestamp(Timestamp),
    TimestampLtz(Timestamp),
    Array(RVec<Value>),
    Map(RVec<MapEntry>),
    /// A nested `ROW<...>`.
    Row(RVec<Value>),
    /// Anything else, named and encoded.
    Other(OtherValue),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The SQL name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Boolean(_) => "BOOLEAN",
            Value::TinyInt(_) => "TINYINT",
            Value::SmallInt(_) => "SMALLINT",
            Value::Int(_) => "INT",
            Value::BigInt(_) => "BIGINT",
            Value::Float(_) => "FLOAT",
            Value::Double(_) => "DOUBLE",
            Value::Decimal(_) => "DECIMAL",
            Value::String(_) => "STRING",
            Value::Bytes(_) => "BYTES",
            Value::Date(_) => "DATE",
            Value::Time(_) => "TIME",
            Value::Timestamp(_) => "TIMESTAMP",
            Value::TimestampLtz(_) => "TIMESTAMP_LTZ",
            Value::Array(_) => "ARRAY",
            Value::Map(_) => "MAP",
            Value::Row(_) => "ROW",
            Value::Other(_) => "OTHER",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(RString::from(s))
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::BigInt(v)
    }
}

/// A changelog row: its kind and one value per column of the schema it belongs to.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Row {
    pub kind: RowKind,
    pub values: RVec<Value>,
}

impl Row {
    pub fn new(kind: RowKind, values: Vec<Value>) -> Row {
        Row {
            kind,
            values: RVec::from(values),
        }
    }

    pub fn insert(values: Vec<Value>) -> Row {
        Row::new(RowKind::Insert, values)
    }
}

/// The logical type of a column, as an integer "enum" so that 1.x may add kinds.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeKind(pub u8);

impl TypeKind {
    pub const BOOLEAN: TypeKind = TypeKind(1);
    pub const TINYINT: TypeKind = TypeKind(2);
    pub const SMALLINT: TypeKind = TypeKind(3);
    pub const INT: TypeKind = TypeKind(4);
    pub const BIGINT: TypeKind = TypeKind(5);
    pub const FLOAT: TypeKind = TypeKind(6);
    pub const DOUBLE: TypeKind = TypeKind(7);
    pub const DECIMAL: TypeKind = TypeKind(8);
    pub const CHAR: TypeKind = TypeKind(9);
    pub const VARCHAR: TypeKind = TypeKind(10);
    pub const BINARY: TypeKind = TypeKind(11);
    pub const VARBINARY: TypeKind = TypeKind(12);
    pub const DATE: TypeKind = TypeKind(13);
    pub const TIME: TypeKind = TypeKind(14);
    pub const TIMESTAMP: TypeKind = TypeKind(15);
    pub const TIMESTAMP_LTZ: TypeKind = TypeKind(16);
    pub const ARRAY: TypeKind = TypeKind(17);
    pub const MAP: TypeKind = TypeKind(18);
    pub const ROW: TypeKind = TypeKind(19);
    pub const OTHER: TypeKind = TypeKind(20);

    /// The SQL name of the kind (`VARCHAR`, `TIMESTAMP_LTZ`, ...).
    pub fn name(self) -> &'static str {
        const NAMES: [&str; 21] = [
            "UNKNOWN",
            "BOOLEAN",
            "TINYINT",
            "SMALLINT",
            "INT",
            "BIGINT",
            "FLOAT",
            "DOUBLE",
            "DECIMAL",
            "CHAR",
            "VARCHAR",
            "BINARY",
            "VARBINARY",
            "DATE",
            "TIME",
            "TIMESTAMP",
            "TIMESTAMP_LTZ",
            "ARRAY",
            "MAP",
            "ROW",
            "OTHER",
        ];
        NAMES.get(self.0 as usize).copied().unwrap_or("UNKNOWN")
    }
}

/// A logical type: its kind, nullability, length/precision and scale, and its children
/// (`ARRAY`: one child `element`; `MAP`: `key` and `value`; `ROW`: its fields).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct DataType {
    pub kind: TypeKind,
    pub nullable: bool,
    /// Length for CHAR/VARCHAR/BINARY/VARBINARY (`u32::MAX` for STRING/BYTES), precision for
    /// DECIMAL, TIME, TIMESTAMP, TIMESTAMP_LTZ; 0 otherwise.
    pub precision: u32,
    pub scale: u32,
    pub children: RVec<Column>,
}

impl DataType {
    pub fn new(kind: TypeKind) -> DataType {
        DataType {
            kind,
            nullable: true,
            precision: 0,
            scale: 0,
            children: RVec::new(),
        }
    }

    /// `STRING`: `VARCHAR(2147483647)` in Flink; `u32::MAX` here.
    pub fn string() -> DataType {
        DataType {
            precision: u32::MAX,
            ..DataType::new(TypeKind::VARCHAR)
        }
    }

    pub fn not_null(self) -> DataType {
        DataType {
            nullable: false,
            ..self
        }
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            TypeKind::VARCHAR if self.precision == u32::MAX => f.write_str("STRING")?,
            TypeKind::VARBINARY if self.precision == u32::MAX => f.write_str("BYTES")?,
            TypeKind::CHAR | TypeKind::VARCHAR | TypeKind::BINARY | TypeKind::VARBINARY => {
                write!(f, "{}({})", self.kind.name(), self.precision)?
            }
            TypeKind::DECIMAL => write!(f, "DECIMAL({}, {})", self.precision, self.scale)?,
            TypeKind::TIME | TypeKind::TIMESTAMP | TypeKind::TIMESTAMP_LTZ => {
                write!(f, "{}({})", self.kind.name(), self.precision)?
            }
            TypeKind::ARRAY | TypeKind::MAP | TypeKind::ROW => {
                write!(f, "{}<", self.kind.name())?;
                for (i, c) in self.children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if self.kind == TypeKind::ROW {
                        write!(f, "{} ", c.name)?;
                    }
                    write!(f, "{}", c.data_type)?;
                }
                f.write_str(">")?
            }
            kind => f.write_str(kind.name())?,
        }
        if !self.nullable {
            f.write_str(" NOT NULL")?;
        }
        Ok(())
    }
}

/// A named column (or a named child of a nested type).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Column {
    pub name: RString,
    pub data_type: DataType,
}

impl Column {
    pub fn new(name: &str, data_type: DataType) -> Column {
        Column {
            name: RString::from(name),
            data_type,
        }
    }
}

/// The resolved schema of a table: its physical columns (computed columns such as
/// `PROCTIME()` are the host's and never reach a connector) and its primary key as column
/// indices in key order (empty when the table declares none).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub columns: RVec<Column>,
    pub primary_key: RVec<u32>,
}

impl Schema {
    /// The index of a column by name (case-sensitive, as in Flink).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_formats_with_its_scale() {
        assert_eq!(Decimal::new(-1250, 10, 2).to_string(), "-12.50");
        assert_eq!(Decimal::new(5, 10, 3).to_string(), "0.005");
        assert_eq!(Decimal::new(42, 10, 0).to_string(), "42");
        let big = i128::MAX - 7;
        assert_eq!(Decimal::new(big, 38, 0).unscaled(), big);
        assert_eq!(Decimal::new(-big, 38, 0).unscaled(), -big);
    }

    #[test]
    fn data_types_print_as_sql() {
        assert_eq!(DataType::string().to_string(), "STRING");
        let mut d = DataType::new(TypeKind::DECIMAL).not_null();
        d.precision = 10;
        d.scale = 2;
        assert_eq!(d.to_string(), "DECIMAL(10, 2) NOT NULL");
    }
}
