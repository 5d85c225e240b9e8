//! Stopping a job from outside: SIGINT (Ctrl-C), SIGTERM (a platform stopping the job) and
//! SIGHUP (its terminal gone) all stop it the same way: the sources stop, every row in flight
//! is flushed, the summary is printed, and the host exits 128 + the signal's number (130, 143,
//! 129). A second signal, or a stop that takes longer than the grace period, exits at once,
//! saying how many rows the sinks had not acknowledged.

use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::job::{STOP, UNACKNOWLEDGED};

/// The signal that stopped the job (0: none).
static STOPPED_BY: AtomicI32 = AtomicI32::new(0);

/// The signal's name as users know it.
pub fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "Ctrl-C (SIGINT)",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// The signal that stopped the job, if one did.
pub fn stopped_by() -> Option<i32> {
    match STOPPED_BY.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Handles the three signals for the rest of the process, with this grace period.
pub fn install(grace: Duration) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if STOPPED_BY
                    .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    exit_now(signal, "a second signal");
                }
                STOP.store(true, Ordering::SeqCst);
                say(&format!(
                    "{} received: stopping the job (sources stop, rows in flight are flushed); \
                     a second signal exits at once; grace period {} s",
                    name(signal),
                    grace.as_secs_f64()
                ));
                std::thread::spawn(move || {
                    std::thread::sleep(grace);
                    exit_now(signal, "the job did not stop within the grace period");
                });
            }
        })?;
    Ok(())
}

/// Exits at once with 128 + the first signal's number.
fn exit_now(signal: i32, why: &str) -> ! {
    let first = stopped_by().unwrap_or(signal);
    say(&format!(
        "error: {why}: exiting now; {} rows handed to sinks were not acknowledged by them",
        UNACKNOWLEDGED.load(Ordering::SeqCst)
    ));
    std::process::exit(128 + first)
}

/// To stderr, ignoring a closed one (SIGHUP: the terminal may be gone).
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}
