//! The live progress line on a terminal: drawn from a second after the start (a short job never
//! shows it), only what applies to the job, cleared when the job ends; never drawn when the
//! job's rows are printed to the same terminal. The job never waits for it: ending it wakes
//! its thread.

use super::*;

/// What the progress line shows.
pub(crate) struct Shows {
    /// The job looks keys up.
    pub(crate) lookups: bool,
    /// The job's `print` sink writes to the terminal: no line.
    pub(crate) rows_on_terminal: bool,
}

/// How long a job runs before its progress line appears.
const FIRST_DRAW: Duration = Duration::from_secs(1);
/// How often the line is redrawn.
const REDRAW: Duration = Duration::from_millis(200);

/// A live progress line on a terminal (nothing otherwise).
pub(crate) struct Progress {
    done: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

/// The line's text.
fn line(metrics: &Metrics, started: Instant, shows: &Shows) -> String {
    let read = metrics.read.load(Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let mut text = format!(
        "{read} rows read, {} written, {:.0} rows/s",
        metrics.written.load(Ordering::Relaxed),
        read as f64 / seconds,
    );
    if shows.lookups {
        text.push_str(&format!(
            ", {} keys looked up",
            metrics.lookups.load(Ordering::Relaxed)
        ));
    }
    text
}

impl Progress {
    pub(crate) fn start(metrics: Arc<Metrics>, started: Instant, shows: Shows) -> Progress {
        use std::io::IsTerminal;
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() || shows.rows_on_terminal {
            return Progress { done, handle: None };
        }
        let flag = done.clone();
        let handle = std::thread::spawn(move || {
            std::thread::park_timeout(FIRST_DRAW);
            if flag.load(Ordering::SeqCst) {
                return;
            }
            let bar = indicatif::ProgressBar::new_spinner();
            while !flag.load(Ordering::SeqCst) {
                bar.set_message(line(&metrics, started, &shows));
                bar.tick();
                std::thread::park_timeout(REDRAW);
            }
            bar.finish_and_clear();
        });
        Progress {
            done,
            handle: Some(handle),
        }
    }

    pub(crate) fn finish(mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}
