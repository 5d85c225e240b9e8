//! What every native method shares: a body's error, or a panic, becomes a
//! `dev.connectors.flink.PluginException` carrying its message (never an abort of the JVM),
//! and Java's strings and arrays become Rust values.

use std::panic::{catch_unwind, AssertUnwindSafe};

use connector_host::error::Failure;
use jni::objects::{JByteArray, JIntArray, JObjectArray, JString};
use jni::sys::jlong;
use jni::JNIEnv;

/// The exception every failure of a native method raises.
const EXCEPTION: &str = "dev/connectors/flink/PluginException";

/// Runs a native method's body: its error, or a panic, is thrown to Java as a
/// `PluginException`, and `fallback` is returned (Java sees only the exception).
pub fn guard<'l, T>(
    env: &mut JNIEnv<'l>,
    fallback: T,
    body: impl FnOnce(&mut JNIEnv<'l>) -> Result<T, String>,
) -> T {
    let outcome = catch_unwind(AssertUnwindSafe(|| body(&mut *env)));
    let message = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(message)) => message,
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_string());
            format!("the Flink bridge panicked: {text}")
        }
    };
    // A failed JNI call has left its own exception pending: that one is the cause.
    if !env.exception_check().unwrap_or(false) {
        let _ = env.throw_new(EXCEPTION, message);
    }
    fallback
}

/// A JNI failure as a message.
pub fn jni_error(err: jni::errors::Error) -> String {
    format!("JNI: {err}")
}

pub fn string(env: &mut JNIEnv<'_>, value: &JString<'_>) -> Result<String, String> {
    Ok(env.get_string(value).map_err(jni_error)?.into())
}

pub fn strings(env: &mut JNIEnv<'_>, array: &JObjectArray<'_>) -> Result<Vec<String>, String> {
    let n = env.get_array_length(array).map_err(jni_error)?;
    (0..n)
        .map(|i| {
            let item = JString::from(env.get_object_array_element(array, i).map_err(jni_error)?);
            string(env, &item)
        })
        .collect()
}

pub fn ints(env: &mut JNIEnv<'_>, array: &JIntArray<'_>) -> Result<Vec<i32>, String> {
    let n = env.get_array_length(array).map_err(jni_error)? as usize;
    let mut out = vec![0; n];
    env.get_int_array_region(array, 0, &mut out)
        .map_err(jni_error)?;
    Ok(out)
}

/// The first `len` bytes of a Java `byte[]`, copied into `out` (whose memory is reused from
/// batch to batch).
pub fn bytes_into(
    env: &mut JNIEnv<'_>,
    array: &JByteArray<'_>,
    len: i32,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let len = usize::try_from(len).map_err(|_| format!("negative batch length {len}"))?;
    out.clear();
    out.resize(len, 0);
    // SAFETY: i8 and u8 have the same size and alignment; the slice covers `out` exactly.
    let signed = unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<i8>(), len) };
    env.get_byte_array_region(array, 0, signed)
        .map_err(jni_error)
}

pub fn all_bytes(env: &mut JNIEnv<'_>, array: &JByteArray<'_>) -> Result<Vec<u8>, String> {
    env.convert_byte_array(array).map_err(jni_error)
}

/// A plugin call's failure as the exception's message (the plugin's own words).
pub fn message(failure: Failure) -> String {
    failure.message
}

/// A boxed value handed to Java as a `long` (its pointer); see [`borrow`] and [`release`].
pub fn into_handle<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// The value behind a handle; an error names `what` when the handle is 0 (closed).
///
/// # Safety
/// `handle` is 0 or came from [`into_handle`] with this `T` and was not released; the Java
/// side uses a handle from one thread at a time.
pub unsafe fn borrow<'h, T>(handle: jlong, what: &str) -> Result<&'h mut T, String> {
    // SAFETY: as the caller promises.
    unsafe { (handle as *mut T).as_mut() }.ok_or_else(|| format!("the {what} is closed"))
}

/// Takes the value behind a handle back (`None` for 0), to close and drop it.
///
/// # Safety
/// As [`borrow`]; the handle is not used again.
pub unsafe fn release<T>(handle: jlong) -> Option<Box<T>> {
    // SAFETY: as the caller promises: the pointer came from `Box::into_raw`.
    (handle != 0).then(|| unsafe { Box::from_raw(handle as *mut T) })
}
