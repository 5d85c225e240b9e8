//! `NativeBridge`'s lookup methods: a plugin lookup per Flink lookup function. A batch of key
//! rows goes in; the answers come back in one `byte[]` (`rows::encode_answers`). `submit` and
//! `collect` let the async function keep one batch in flight while it gathers the next.

use connector_host::connectors::{plugin_result, Answers, Lookup, Named, PluginLookup};
use connector_host::error::Failure;
use connector_interface::{Roles, Row};
use jni::objects::{JByteArray, JClass, JIntArray, JObjectArray};
use jni::sys::{jbyteArray, jint, jlong};
use jni::JNIEnv;

use crate::jvm::{self, guard, jni_error};
use crate::rows;
use crate::table::Table;

/// One function's lookup and the memory its batches reuse.
struct LookupHandle {
    lookup: Named<PluginLookup>,
    keys: Vec<Row>,
    bytes: Vec<u8>,
    answers: Vec<u8>,
}

fn message(failure: Failure) -> String {
    failure.message
}

/// # Safety
/// `handle` is 0 or a value `openLookup` returned and `closeLookup` has not been given.
unsafe fn handle<'h>(handle: jlong) -> Result<&'h mut LookupHandle, String> {
    // SAFETY: as the caller promises; the Java function calls a handle from one thread.
    unsafe { (handle as *mut LookupHandle).as_mut() }
        .ok_or_else(|| "the lookup is closed".to_string())
}

/// Creates and opens the plugin's lookup (the spec's numbers end with the key columns).
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_openLookup<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    names: JObjectArray<'l>,
    schema: JByteArray<'l>,
    numbers: JIntArray<'l>,
) -> jlong {
    guard(&mut env, 0, |env| {
        let table = Table::from_java(env, &names, &schema, &numbers)?;
        let factory = table.factory(Roles::LOOKUP)?;
        let name = table.context.table_name.as_str();
        let lookup = PluginLookup::create(name, || {
            plugin_result(factory.create_lookup(&table.context))
        })
        .map_err(message)?;
        let mut lookup = Named::new(lookup, name, &table.plugin);
        lookup.open().map_err(message)?;
        let handle = Box::new(LookupHandle {
            lookup,
            keys: Vec::new(),
            bytes: Vec::new(),
            answers: Vec::new(),
        });
        Ok(Box::into_raw(handle) as jlong)
    })
}

fn submit(
    env: &mut JNIEnv<'_>,
    h: &mut LookupHandle,
    batch: &JByteArray<'_>,
    len: jint,
    count: jint,
) -> Result<(), String> {
    jvm::bytes_into(env, batch, len, &mut h.bytes)?;
    h.keys.clear();
    rows::decode(&h.bytes, count.max(0) as usize, &mut h.keys)?;
    let submitted = h.lookup.submit(&h.keys).map_err(message);
    h.keys.clear();
    submitted
}

fn collect(env: &mut JNIEnv<'_>, h: &mut LookupHandle) -> Result<jbyteArray, String> {
    let answers: Answers = h.lookup.collect().map_err(message)?;
    rows::encode_answers(&answers, &mut h.answers)?;
    let array = env.byte_array_from_slice(&h.answers).map_err(jni_error)?;
    Ok(array.into_raw())
}

/// Looks up a batch of `count` key rows and returns their answers.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_lookup<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    lookup: jlong,
    batch: JByteArray<'l>,
    len: jint,
    count: jint,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        // SAFETY: the function passes its own open handle.
        let h = unsafe { handle(lookup) }?;
        submit(env, h, &batch, len, count)?;
        collect(env, h)
    })
}

/// Starts looking up a batch; `collect` returns its answers.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_submit<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    lookup: jlong,
    batch: JByteArray<'l>,
    len: jint,
    count: jint,
) {
    guard(&mut env, (), |env| {
        // SAFETY: the function passes its own open handle.
        let h = unsafe { handle(lookup) }?;
        submit(env, h, &batch, len, count)
    })
}

/// The answers of the oldest submitted batch.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_collect<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    lookup: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        // SAFETY: the function passes its own open handle.
        let h = unsafe { handle(lookup) }?;
        collect(env, h)
    })
}

/// Closes the lookup and frees the handle.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_closeLookup<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    lookup: jlong,
) {
    guard(&mut env, (), |_| {
        if lookup == 0 {
            return Ok(());
        }
        // SAFETY: the handle came from `openLookup` (Box::into_raw) and is closed once.
        let mut h = unsafe { Box::from_raw(lookup as *mut LookupHandle) };
        h.lookup.close().map_err(message)
    })
}
