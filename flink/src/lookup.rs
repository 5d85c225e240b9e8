//! `NativeBridge`'s lookup methods: a plugin lookup per Flink lookup function. A batch of key
//! rows goes in; the answers come back in one `byte[]` (`rows::encode_answers`). `submit` and
//! `collect` let the async function keep one batch in flight while it gathers the next.

use connector_host::connectors::{plugin_result, Lookup, Named, PluginLookup};
use jni::objects::{JByteArray, JClass, JIntArray, JObjectArray};
use jni::sys::{jbyteArray, jint, jlong};
use jni::JNIEnv;

use connector_interface::Roles;

use crate::jvm::{borrow, guard, into_handle, jni_error, message, release};
use crate::rows::{self, Batch};
use crate::table::Table;

/// One function's lookup and the memory its batches reuse.
struct LookupHandle {
    lookup: Named<PluginLookup>,
    keys: Batch,
    answers: Vec<u8>,
}

/// The open lookup behind a handle.
///
/// # Safety
/// `lookup` is 0 or a value `openLookup` returned and `closeLookup` has not been given.
unsafe fn handle<'h>(lookup: jlong) -> Result<&'h mut LookupHandle, String> {
    // SAFETY: as the caller promises.
    unsafe { borrow(lookup, "lookup") }
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
        Ok(into_handle(LookupHandle {
            lookup,
            keys: Batch::default(),
            answers: Vec::new(),
        }))
    })
}

fn submit(
    env: &mut JNIEnv<'_>,
    h: &mut LookupHandle,
    batch: &JByteArray<'_>,
    len: jint,
    count: jint,
) -> Result<(), String> {
    let keys = h.keys.read(env, batch, len, count)?;
    h.lookup.submit(keys).map_err(message)
}

fn collect(env: &mut JNIEnv<'_>, h: &mut LookupHandle) -> Result<jbyteArray, String> {
    let answers = h.lookup.collect().map_err(message)?;
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
        // SAFETY: the handle came from `openLookup` and is closed once.
        match unsafe { release::<LookupHandle>(lookup) } {
            Some(mut h) => h.lookup.close().map_err(message),
            None => Ok(()),
        }
    })
}
