//! `connector-format`: the one value-format rule set of hosts and plugins. What `print` shows,
//! what `CAST(x AS STRING)` gives, what a Redis string or hash field holds, and what a JSON
//! value or a `json` file holds, for every SQL type, both ways. Pure: no I/O.
//!
//! Layout:
//! - `text.rs`: the text form of a value ([`write_text`], [`to_text`]);
//! - `json.rs`: the JSON form ([`write_json`], [`write_json_object`]) and base64;
//! - `parse.rs`: text and JSON back to values of a declared type ([`from_text`],
//!   [`from_json`]), the inverse of both.
//!
//! The forms converge on Flink 1.20's (its `json` format with the default
//! `'json.timestamp-format.standard' = 'SQL'`): TIMESTAMP as `2020-01-01 00:00:00.5` (a space,
//! not `T`), DECIMAL exactly from its digits, BYTES as base64 in JSON and as the bytes
//! themselves in text.

mod json;
mod parse;
mod text;

pub use json::{
    base64_decode, write_base64, write_java_decimal, write_json, write_json_object,
    write_json_string,
};
pub use parse::{from_json, from_text, ParseError};
pub use text::{to_print_text, to_text, write_cast_text, write_text};
