//! Writing what the user asked for to stdout: a closed stdout (`... | head -1`) is not an error
//! and never a panic. It stops the job quietly: the sources stop, the rows already handed on
//! are flushed, the summary (on stderr) counts only what was really written, and the host
//! exits 0.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::HostError;

/// Set when stdout was found closed.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout was found closed.
pub fn closed() -> bool {
    CLOSED.load(Ordering::SeqCst)
}

/// Writes `bytes` to stdout (or stderr) and flushes it. `Ok(false)` when the pipe was closed:
/// nothing more is to be written, and a running job stops.
pub fn write(bytes: &[u8], to_stderr: bool) -> Result<bool, HostError> {
    let result = if to_stderr {
        let mut err = std::io::stderr().lock();
        err.write_all(bytes).and_then(|_| err.flush())
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).and_then(|_| out.flush())
    };
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::SeqCst);
            crate::job::STOP.store(true, Ordering::SeqCst);
            Ok(false)
        }
        Err(e) => Err(HostError::io(
            if to_stderr { "stderr" } else { "stdout" },
            e,
        )),
    }
}

/// [`write()`] of a text to stdout.
pub fn stdout(text: &str) -> Result<bool, HostError> {
    write(text.as_bytes(), false)
}
