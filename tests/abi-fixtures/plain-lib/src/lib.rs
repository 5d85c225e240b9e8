//! An ordinary shared library, not a plugin, whose constructor creates the file named by
//! `$FIXTURE_MARKER` when the library is loaded: proof, by its absence, that listing and
//! installing plugins never load a file.

extern "C" fn on_load() {
    if let Some(path) = std::env::var_os("FIXTURE_MARKER") {
        let _ = std::fs::write(path, b"loaded");
    }
}

#[used]
#[link_section = ".init_array"]
static ON_LOAD: extern "C" fn() = on_load;

#[no_mangle]
pub extern "C" fn fixture_plain_answer() -> u32 {
    42
}
