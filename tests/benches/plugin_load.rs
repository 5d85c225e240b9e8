//! How long a host takes to load the Redis plugin: `lib_header_from_path` + `init_root_module`
//! (abi_stable's version and layout checks) + `init` + `factories`, cold, once per process (a
//! library is loaded once per process), over 15 fresh processes; and reading the manifest from
//! the file without loading it.
//!
//! `cargo bench -p connector-tests --bench plugin_load`

use std::process::Command;
use std::time::Instant;

fn main() {
    let plugin = connector_tests::redis_plugin();
    if std::env::args().any(|a| a == "--child") {
        let started = Instant::now();
        let loaded = connector_host::loader::load(&plugin).expect("load the redis plugin");
        let micros = started.elapsed().as_micros();
        assert!(loaded.factory("redis").is_some());
        println!("{micros}");
        return;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let mut loads: Vec<u128> = (0..15)
        .map(|_| {
            let out = Command::new(&exe)
                .arg("--child")
                .output()
                .expect("run child");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .expect("micros")
        })
        .collect();
    loads.sort();
    let mut reads: Vec<u128> = (0..15)
        .map(|_| {
            let started = Instant::now();
            connector_host::discovery::inspect(&plugin).expect("manifest");
            started.elapsed().as_micros()
        })
        .collect();
    reads.sort();
    println!("plugin: {}", plugin.display());
    println!(
        "load (cold, per process): median {} us, min {} us, max {} us",
        loads[loads.len() / 2],
        loads[0],
        loads[loads.len() - 1]
    );
    println!(
        "manifest read without loading: median {} us",
        reads[reads.len() / 2]
    );
}
