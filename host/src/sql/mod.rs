//! Flink-dialect SQL: the statements ([`ast`]) and their parser ([`parser`]).

pub mod ast;
pub mod parser;

pub use parser::{parse, ParseError};
