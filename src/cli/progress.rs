//! The progress bar of long `validate` runs: on stderr, only when stderr is a terminal, and
//! only once a run has lasted a second (a quick run never flashes one). Bytes, events per
//! second and time left for files; a spinner with counts for stdin.

use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::stream::Input;

/// How long a run goes before its bar shows.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress display, or nothing.
pub struct Bar {
    bar: Option<ProgressBar>,
    started: Instant,
    lines: std::cell::Cell<u64>,
}

impl Bar {
    /// A bar over `inputs` when `wanted` and stderr is a terminal.
    pub fn new(wanted: bool, inputs: &[Input]) -> Bar {
        let bar = (wanted && io::stderr().is_terminal()).then(|| {
            let total: Option<u64> = inputs.iter().map(|input| input.size).sum();
            let (bar, template) = match total {
                Some(total) => (
                    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden()),
                    "{bar:30} {binary_bytes}/{binary_total_bytes} {msg} (eta {eta})",
                ),
                None => (
                    ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
                    "{spinner} {binary_bytes} {msg}",
                ),
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Bar {
            bar,
            started: Instant::now(),
            lines: std::cell::Cell::new(0),
        }
    }

    /// Counts a finished chunk of `bytes` bytes and `lines` lines; shows the bar once the
    /// run has lasted [`SHOW_AFTER`].
    pub fn advance(&self, bytes: u64, lines: u64) {
        let Some(bar) = &self.bar else { return };
        if bar.is_hidden() && self.started.elapsed() >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        let lines = self.lines.get() + lines;
        self.lines.set(lines);
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{lines} lines, {:.0} lines/s",
            lines as f64 / seconds
        ));
        bar.inc(bytes);
    }

    /// Runs `write` with the bar out of the way.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
