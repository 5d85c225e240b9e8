//! `NativeBridge`'s sink methods: a plugin sink per Flink sink writer, fed in batches; `flush`
//! is the plugin's flush contract (every row written before it is durable when it returns).

use connector_host::connectors::{Named, PluginSink, Sink};
use connector_host::error::Failure;
use connector_interface::{Roles, Row};
use jni::objects::{JByteArray, JClass, JIntArray, JObjectArray};
use jni::sys::{jint, jlong};
use jni::JNIEnv;

use crate::jvm::{self, guard};
use crate::rows;
use crate::table::Table;

/// One writer's sink and the memory its batches reuse.
struct SinkHandle {
    sink: Named<PluginSink>,
    rows: Vec<Row>,
    bytes: Vec<u8>,
}

fn message(failure: Failure) -> String {
    failure.message
}

/// # Safety
/// `handle` is 0 or a value `openSink` returned and `closeSink` has not been given.
unsafe fn handle<'h>(handle: jlong) -> Result<&'h mut SinkHandle, String> {
    // SAFETY: as the caller promises; the Java writer calls a handle from one thread.
    unsafe { (handle as *mut SinkHandle).as_mut() }.ok_or_else(|| "the sink is closed".to_string())
}

/// Creates and opens the plugin's sink for one subtask; returns its handle.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_openSink<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    names: JObjectArray<'l>,
    schema: JByteArray<'l>,
    numbers: JIntArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let table = Table::from_java(env, &names, &schema, &numbers)?;
        let factory = table.factory(Roles::SINK)?;
        let sink = connector_host::connectors::plugin_result(factory.create_sink(&table.context))
            .map_err(message)?;
        let mut sink = Named::new(PluginSink(sink), &table.context.table_name, &table.plugin);
        sink.open().map_err(message)?;
        let handle = Box::new(SinkHandle {
            sink,
            rows: Vec::new(),
            bytes: Vec::new(),
        });
        Ok(Box::into_raw(handle) as jlong)
    })
}

/// Hands a batch of `count` rows (`len` bytes of `batch`) to the plugin's sink.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_write<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    sink: jlong,
    batch: JByteArray<'l>,
    len: jint,
    count: jint,
) {
    guard(&mut env, (), |env| {
        // SAFETY: the writer passes its own open handle.
        let h = unsafe { handle(sink) }?;
        jvm::bytes_into(env, &batch, len, &mut h.bytes)?;
        h.rows.clear();
        rows::decode(&h.bytes, count.max(0) as usize, &mut h.rows)?;
        let written = h.sink.write(&h.rows).map_err(message);
        h.rows.clear();
        written
    })
}

/// Returns when every row written before is durable (the plugin's `flush`).
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_flush<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    sink: jlong,
) {
    guard(&mut env, (), |_| {
        // SAFETY: the writer passes its own open handle.
        unsafe { handle(sink) }?.sink.flush().map_err(message)
    })
}

/// Closes the sink (without flushing: the writer flushes first) and frees the handle.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_closeSink<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    sink: jlong,
) {
    guard(&mut env, (), |_| {
        if sink == 0 {
            return Ok(());
        }
        // SAFETY: the handle came from `openSink` (Box::into_raw) and is closed once.
        let mut h = unsafe { Box::from_raw(sink as *mut SinkHandle) };
        h.sink.close().map_err(message)
    })
}
