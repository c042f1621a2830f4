//! How output looks: colour (`--color`, `NO_COLOR`) and quietness (`-q`), set once from the
//! command line and read wherever something is printed.

use std::io::IsTerminal;
use std::sync::OnceLock;

use anstyle::{AnsiColor, Style};
use clap::ValueEnum;

/// When to colour output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (to anything but an empty string).
    #[default]
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

/// The settings of this run.
#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    color: ColorChoice,
    quiet: u8,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Sets the colour choice and the quiet level (the number of `-q`) for this run.
pub fn init(color: ColorChoice, quiet: u8) {
    let _ = SETTINGS.set(Settings { color, quiet });
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

/// How quiet to be: 0 says everything; 1 (`-q`) only summaries; 2 (`-qq`) nothing but data
/// and errors (the exit status says the rest).
pub fn quiet() -> u8 {
    settings().quiet
}

/// Whether to colour what goes to a stream that `is_terminal` (or not).
fn colored(is_terminal: bool) -> bool {
    match settings().color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    }
}

/// Whether colour was asked for whatever the output (`--color always`).
pub fn color_forced() -> bool {
    settings().color == ColorChoice::Always
}

/// Whether stdout is coloured.
pub fn color_stdout() -> bool {
    colored(std::io::stdout().is_terminal())
}

/// Whether stderr is coloured.
pub fn color_stderr() -> bool {
    colored(std::io::stderr().is_terminal())
}

/// The style of a violation kind or an error.
pub const BAD: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)))
    .bold();
/// The style of a warning.
pub const WARN: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)))
    .bold();
/// The style of a place (`file:line`).
pub const PLACE: Style = Style::new().dimmed();

/// `text` in `style` when `on`.
pub fn paint(text: &str, style: Style, on: bool) -> String {
    if on {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

/// The text that starts `style` and the text that ends it, for a writer that puts them
/// around parts of its output itself ([`paint`] with the text left out).
pub fn codes(style: Style) -> (String, String) {
    (format!("{style}"), format!("{style:#}"))
}
