//! Extensions: how 1.x adds capabilities without changing a frozen layout.
//!
//! Every root module and every trait object has an `extension(name)` hook from 1.0 on. A new
//! capability is a new `#[repr(C)]` `StableAbi` type published under a versioned name (for
//! example `"metrics/1"`). A plugin that predates it answers `RNone` and the host falls back; a
//! plugin that offers it returns an [`ExtensionBox`], which carries the plugin's layout of the
//! value. The host checks that layout against its own with abi_stable's checker before it
//! touches the value ([`ExtensionBox::downcast`]); a mismatch disables that one capability.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use abi_stable::abi_stability::abi_checking::exported_check_layout_compatibility;
use abi_stable::std_types::RString;
use abi_stable::type_layout::TypeLayout;
use abi_stable::StableAbi;

/// An owned, type-erased value with its name and layout. Dropping it runs the drop of the
/// library that created it.
#[repr(C)]
#[derive(StableAbi)]
pub struct ExtensionBox {
    name: RString,
    layout: &'static TypeLayout,
    data: *mut (),
    drop_value: unsafe extern "C" fn(*mut ()),
}

// SAFETY: `new` only accepts `Send` values, and the box owns its value.
unsafe impl Send for ExtensionBox {}

unsafe extern "C" fn drop_boxed<T>(data: *mut ()) {
    // SAFETY: `data` came from `Box::<T>::into_raw` in `ExtensionBox::new` of this library.
    drop(unsafe { Box::from_raw(data.cast::<T>()) });
}

impl ExtensionBox {
    pub fn new<T: StableAbi + Send + 'static>(name: &str, value: T) -> ExtensionBox {
        ExtensionBox {
            name: RString::from(name),
            layout: T::LAYOUT,
            data: Box::into_raw(Box::new(value)).cast::<()>(),
            drop_value: drop_boxed::<T>,
        }
    }

    /// The versioned name the value was published under.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// Checks that the value's layout is compatible with `T` (as the caller knows it) and
    /// returns it typed. On a mismatch the error is abi_stable's report (long: log it at debug
    /// level and show a one-line message).
    pub fn downcast<T: StableAbi + 'static>(self) -> Result<Extension<T>, String> {
        match exported_check_layout_compatibility(T::LAYOUT, self.layout) {
            abi_stable::std_types::RResult::ROk(()) => Ok(Extension {
                inner: self,
                _value: PhantomData,
            }),
            abi_stable::std_types::RResult::RErr(e) => Err(e.to_string()),
        }
    }
}

impl Drop for ExtensionBox {
    fn drop(&mut self) {
        // SAFETY: `data` is the pointer `new` created with the matching `drop_value`.
        unsafe { (self.drop_value)(self.data) }
    }
}

impl std::fmt::Debug for ExtensionBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtensionBox")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// An extension whose layout was checked: usable as a `T`.
pub struct Extension<T> {
    inner: ExtensionBox,
    _value: PhantomData<T>,
}

impl<T> Deref for Extension<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the layout of the value was checked against `T` in `downcast`.
        unsafe { &*self.inner.data.cast::<T>() }
    }
}

impl<T> DerefMut for Extension<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; the box is owned, so the access is unique.
        unsafe { &mut *self.inner.data.cast::<T>() }
    }
}
