//! `NativeBridge`'s planning methods: what a factory declares (roles and options, for Flink's
//! `requiredOptions`/`optionalOptions`), and a table's check by the plugin's own `validate`,
//! so that Flink refuses a bad table with the same message as the host.

use connector_interface::Roles;
use jni::objects::{JByteArray, JClass, JIntArray, JObjectArray, JString};
use jni::sys::{jint, jobjectArray};
use jni::JNIEnv;

use crate::jvm::{self, guard, jni_error};
use crate::table::{load, Table};

/// The factory `identifier` of the plugin at `plugin`: its roles (`sink,lookup`), then one
/// line per option: its key, `1` when required (else `0`) and its fallback keys
/// (comma-separated), tab-separated.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_describe<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    plugin: JString<'l>,
    identifier: JString<'l>,
) -> jobjectArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let path = jvm::string(env, &plugin)?;
        let identifier = jvm::string(env, &identifier)?;
        let plugin = load(&path)?;
        let factory = plugin
            .factory(&identifier)
            .ok_or_else(|| format!("the plugin {path} has no factory '{identifier}'"))?;
        let mut lines = vec![factory.roles().names().join(",")];
        for option in factory.options() {
            let fallbacks: Vec<&str> = option.fallback_keys.iter().map(|k| k.as_str()).collect();
            lines.push(format!(
                "{}\t{}\t{}",
                option.key,
                u8::from(option.required),
                fallbacks.join(",")
            ));
        }
        let class = env.find_class("java/lang/String").map_err(jni_error)?;
        let array = env
            .new_object_array(lines.len() as i32, class, JString::default())
            .map_err(jni_error)?;
        for (i, line) in lines.iter().enumerate() {
            let text = env.new_string(line).map_err(jni_error)?;
            env.set_object_array_element(&array, i as i32, text)
                .map_err(jni_error)?;
        }
        Ok(array.into_raw())
    })
}

/// Checks a table for a role (1 sink, 2 lookup, 4 scan) with the plugin's `validate`,
/// without connecting anywhere; throws the plugin's message.
#[no_mangle]
pub extern "system" fn Java_dev_connectors_flink_NativeBridge_validate<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    names: JObjectArray<'l>,
    schema: JByteArray<'l>,
    numbers: JIntArray<'l>,
    role: jint,
) {
    guard(&mut env, (), |env| {
        let table = Table::from_java(env, &names, &schema, &numbers)?;
        let role = Roles(role as u8);
        let factory = table.factory(role)?;
        factory
            .validate(&table.context, role)
            .into_result()
            .map_err(|e| e.message.to_string())
    })
}
