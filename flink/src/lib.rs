//! `connector-flink`: the native half of the Flink bridge (`flink/`). The bridge's Java
//! classes (`flink/java/`) make each factory of a connector plugin a Flink table connector;
//! this library, loaded once per JVM, loads the plugin with the host's loader and runs its
//! sinks and lookups for them. Rows cross in batches, in interface 1.1's packed row format
//! (never one call per row).
//!
//! Layout:
//! - `jvm.rs`: what every native method shares: errors and panics become Java exceptions,
//!   strings and arrays from Java;
//! - `table.rs`: a table as the Java half describes it (schema bytes, options) as a
//!   `TableContext`, and the plugin's factory for it;
//! - `rows.rs`: batches of rows from Java, and lookup answers to Java;
//! - `describe.rs`, `sink.rs`, `lookup.rs`: the native methods of `NativeBridge`.

mod describe;
mod jvm;
mod lookup;
mod rows;
mod sink;
mod table;
