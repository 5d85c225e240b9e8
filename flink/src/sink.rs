//! `NativeBridge`'s sink methods: a plugin sink per Flink sink writer, fed in batches; `flush`
//! is the plugin's flush contract (every row written before it is durable when it returns).

use connector_host::connectors::{plugin_result, Named, PluginSink, Sink};
use connector_interface::Roles;
use jni::objects::{JByteArray, JClass, JIntArray, JObjectArray};
use jni::sys::{jint, jlong};
use jni::JNIEnv;

use crate::jvm::{borrow, guard, into_handle, message, release};
use crate::rows::Batch;
use crate::table::Table;

/// One writer's sink and the memory its batches reuse.
struct SinkHandle {
    sink: Named<PluginSink>,
    batch: Batch,
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
        let sink = plugin_result(factory.create_sink(&table.context)).map_err(message)?;
        let mut sink = Named::new(PluginSink(sink), &table.context.table_name, &table.plugin);
        sink.open().map_err(message)?;
        Ok(into_handle(SinkHandle {
            sink,
            batch: Batch::default(),
        }))
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
        let h = unsafe { borrow::<SinkHandle>(sink, "sink") }?;
        let rows = h.batch.read(env, &batch, len, count)?;
        h.sink.write(rows).map_err(message)
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
        let h = unsafe { borrow::<SinkHandle>(sink, "sink") }?;
        h.sink.flush().map_err(message)
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
        // SAFETY: the handle came from `openSink` and is closed once.
        match unsafe { release::<SinkHandle>(sink) } {
            Some(mut h) => h.sink.close().map_err(message),
            None => Ok(()),
        }
    })
}
