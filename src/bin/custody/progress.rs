//! The progress bar of a long audit: drawn on stderr when it is a terminal and the audit has
//! taken more than a second, from the counts the library's audit keeps ([`Progress`]).

use custody::audit::verify::Progress;
use custody::i18n::Msg;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long an audit runs before the bar appears; `CUSTODY_PROGRESS_DELAY_MS` changes it, so
/// that the tests can see the bar (or its absence) without a long audit.
fn delay() -> Duration {
    let ms = std::env::var("CUSTODY_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    Duration::from_millis(ms)
}

/// A bar waiting to appear, or drawn; [`Bar::finish`] removes it.
pub struct Bar {
    done: Sender<()>,
    drawer: JoinHandle<()>,
}

impl Bar {
    /// Starts watching `progress` against `total_bytes` of journal, unless stderr is not a
    /// terminal (a pipe or a file gets nothing).
    pub fn start(total_bytes: u64, progress: Arc<Progress>) -> Option<Bar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let (done, finished) = mpsc::channel::<()>();
        let lang = crate::lang();
        let drawer = std::thread::spawn(move || {
            let started = Instant::now();
            if finished.recv_timeout(delay()) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let bar =
                ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {percent:>3}% {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_draw_target(ProgressDrawTarget::stderr());
            loop {
                // Rates over the whole audit, not only since the bar appeared.
                let elapsed = started.elapsed().as_secs_f64().max(1e-3);
                let (entries, bytes) = (progress.entries(), progress.bytes().min(total_bytes));
                let left = match bytes {
                    0 => String::new(),
                    b => lang.f(
                        Msg::ProgressLeft,
                        &[(
                            "s",
                            &format!("{:.0}", (total_bytes - b) as f64 * elapsed / b as f64),
                        )],
                    ),
                };
                bar.set_message(lang.f(
                    Msg::Progress,
                    &[
                        ("n", &entries),
                        ("rate", &format!("{:.0}", entries as f64 / elapsed)),
                        ("left", &left),
                    ],
                ));
                bar.set_position(bytes);
                if finished.recv_timeout(Duration::from_millis(200))
                    != Err(RecvTimeoutError::Timeout)
                {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Some(Bar { done, drawer })
    }

    /// Removes the bar (before the report is printed).
    pub fn finish(self) {
        let _ = self.done.send(());
        let _ = self.drawer.join();
    }
}
