//! Where a command's data goes: stdout, or a file (`-o`) that appears only once it is whole.
//!
//! A file is written beside its destination under a temporary name and renamed into place
//! at the end, so a crash or a write error never leaves half a report.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::{ERROR, OK};

enum Target {
    Stdout(io::Stdout),
    Device(File),
    File {
        temporary: NamedTempFile,
        path: PathBuf,
    },
}

impl Write for Target {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Target::Stdout(stdout) => stdout.write(bytes),
            Target::Device(file) => file.write(bytes),
            Target::File { temporary, .. } => temporary.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::Stdout(stdout) => stdout.flush(),
            Target::Device(file) => file.flush(),
            Target::File { temporary, .. } => temporary.flush(),
        }
    }
}

/// The temporary files of `-o` outputs being written: removed when the process is
/// interrupted (SIGINT, SIGTERM, SIGHUP), so that none is left behind and the old file stays.
static TEMPORARIES: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Creates a temporary file with `builder` in `dir`, noted for removal on interruption
/// before the handler can look: the list stays locked from the file's creation until it
/// is noted, so a signal in between waits for it and removes it.
fn temporary_in(builder: &tempfile::Builder, dir: &Path) -> io::Result<NamedTempFile> {
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        // Without a handler the signal's default (ending the process) still holds.
        let _ = ctrlc::set_handler(|| {
            // Held until the process ends, so that no file is created after the removal.
            let paths = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
            for path in paths.iter() {
                let _ = std::fs::remove_file(path);
            }
            match paths.is_empty() {
                true => say!("interrupted"),
                false => say!("interrupted: nothing written"),
            }
            std::process::exit(130);
        });
    });
    let mut paths = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
    let temporary = builder.tempfile_in(dir)?;
    paths.push(temporary.path().to_owned());
    Ok(temporary)
}

/// Writes a temporary file to disk, moves it into place and forgets it, as one step for
/// the handler. On error the temporary file is removed.
fn persist(temporary: NamedTempFile, path: &Path) -> io::Result<()> {
    let synced = temporary.as_file().sync_all();
    let mut paths = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
    let name = temporary.path().to_owned();
    let moved = synced.and_then(|()| {
        temporary
            .persist(path)
            .map(drop)
            .map_err(|error| error.error)
    });
    paths.retain(|p| *p != name);
    moved
}

/// A buffered output.
pub struct Output {
    inner: BufWriter<Target>,
}

impl Output {
    /// Stdout, or a temporary file beside `path`.
    pub fn open(path: Option<&Path>) -> io::Result<Output> {
        let target = match path {
            None => Target::Stdout(io::stdout()),
            // A device or a pipe is written in place: there is nothing to rename.
            Some(path) if path.exists() && !path.is_file() => Target::Device(File::create(path)?),
            Some(path) => {
                let dir = match path.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir,
                    _ => Path::new("."),
                };
                let mut builder = tempfile::Builder::new();
                builder.prefix(".plotline-");
                // Created as a new file would be (0666 less the umask), not private.
                #[cfg(unix)]
                builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
                // The temporary name is ours: an error names the directory the user gave.
                let temporary = temporary_in(&builder, dir).map_err(|error| {
                    let reason = match dir.is_dir() {
                        false => format!("no directory {}", dir.display()),
                        true => io::Error::from(error.kind()).to_string(),
                    };
                    io::Error::new(error.kind(), reason)
                })?;
                Target::File {
                    temporary,
                    path: path.to_owned(),
                }
            }
        };
        Ok(Output {
            inner: BufWriter::with_capacity(1 << 16, target),
        })
    }

    /// Whether the output is a terminal (a file never is).
    pub fn is_terminal(&self) -> bool {
        matches!(self.inner.get_ref(), Target::Stdout(stdout) if stdout.is_terminal())
    }

    /// Whether to colour this output: `--color always`, or auto on a terminal without
    /// `NO_COLOR`. A file (`-o`) is coloured only when asked for.
    pub fn is_terminal_or_forced(&self) -> bool {
        match self.inner.get_ref() {
            Target::Stdout(_) => super::style::color_stdout(),
            _ => super::style::color_forced(),
        }
    }

    /// Flushes everything and moves a file into place. On error a file is removed.
    pub fn finish(self) -> io::Result<()> {
        let target = self
            .inner
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        match target {
            Target::Stdout(mut stdout) => stdout.flush(),
            Target::Device(mut file) => file.flush(),
            Target::File { temporary, path } => persist(temporary, &path),
        }
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.inner.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Standard output for commands that print as they go, without panicking on a write error: a
/// closed pipe (`| head`) ends the output quietly; any other error (a full disk) is reported
/// once, at the end, and makes the exit status [`ERROR`].
pub struct Printer {
    out: io::StdoutLock<'static>,
    error: Option<io::Error>,
}

impl Default for Printer {
    fn default() -> Self {
        Printer {
            out: io::stdout().lock(),
            error: None,
        }
    }
}

impl Printer {
    /// Writes `text` and a newline.
    pub fn line(&mut self, text: impl std::fmt::Display) {
        if self.error.is_none() {
            self.error = writeln!(self.out, "{text}").err();
        }
    }

    /// Writes `text` as it is.
    pub fn text(&mut self, text: &str) {
        if self.error.is_none() {
            self.error = self.out.write_all(text.as_bytes()).err();
        }
    }

    /// Flushes, and gives `status`, or [`ERROR`] after a write error other than a closed pipe.
    pub fn finish(mut self, status: u8) -> u8 {
        let written = match self.error.take() {
            Some(error) => Err(error),
            None => self.out.flush(),
        };
        status_after(written.map_err(writing_output), status)
    }
}

/// Writes a line to stderr like `eprintln!`, but never panics: a closed or failing stderr
/// (`2>&1 | head`) only loses the message, never the command's output or its exit status.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::say_line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// Writes `message` and a newline to stderr, ignoring any error (see `say!`).
pub fn say_line(message: std::fmt::Arguments) {
    let _ = writeln!(io::stderr().lock(), "{message}");
}

/// A write error, saying so.
pub fn writing_output(error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("writing output: {error}"))
}

/// The exit status once output is written: `status` when it was, or when the reader closed
/// the pipe (it stopped reading); [`ERROR`], with the error printed, after any other error.
pub fn status_after(written: io::Result<()>, status: u8) -> u8 {
    match written {
        Ok(()) => status,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => status,
        Err(error) => {
            say!("error: {error}");
            ERROR
        }
    }
}

impl Output {
    /// Stdout or the `-o` file, like [`Output::open`]; `None` (after saying why) when it
    /// cannot be created.
    pub fn open_or_say(path: Option<&Path>) -> Option<Output> {
        Output::open(path)
            .map_err(|error| {
                let to = path.map_or("stdout".into(), |p| p.display().to_string());
                say!("error: cannot write {to}: {error}");
            })
            .ok()
    }
}

/// The first of `formats` whose file name ending (`.sarif.json`) ends the name of the file
/// `-o` names, in any case: the format the commands that write several choose when none is
/// given.
pub fn format_of_output<F: Copy>(path: Option<&Path>, formats: &[(&str, F)]) -> Option<F> {
    let name = path?.file_name()?.to_str()?.to_lowercase();
    let (_, format) = formats.iter().find(|(ending, _)| name.ends_with(ending))?;
    Some(*format)
}

/// Writes `text` to the `-o` file (whole or not at all) or stdout. The exit status: [`OK`],
/// or [`ERROR`] after saying why.
pub fn write_text(path: Option<&Path>, text: &str) -> u8 {
    let Some(mut out) = Output::open_or_say(path) else {
        return ERROR;
    };
    let written = out
        .write_all(text.as_bytes())
        .and_then(|()| out.finish())
        .map_err(writing_output);
    let code = status_after(written, OK);
    if code == OK {
        tell_written(path, &format!("{} bytes", text.len()));
    }
    code
}

/// Says on stderr that the `-o` file `path` was written and `what` it holds; nothing for
/// stdout or a device, nor with `--quiet`.
pub fn tell_written(path: Option<&Path>, what: &str) {
    if let Some(path) = path.filter(|path| path.is_file()) {
        if super::style::quiet() == 0 {
            say!("wrote {}: {what}", path.display());
        }
    }
}

/// Each `(file name, text)` written into `dir` (see `write_files`), or without one, every
/// text printed in turn.
pub fn emit(dir: Option<&Path>, files: impl IntoIterator<Item = (String, String)>) -> u8 {
    if let Some(dir) = dir {
        return write_files(dir, files);
    }
    let mut printer = Printer::default();
    for (_, text) in files {
        printer.text(&text);
    }
    printer.finish(OK)
}

/// Writes each `(file name, text)` into `dir` (created if needed), each file whole or not at
/// all, and prints the path of each. The exit status: [`OK`] or [`ERROR`].
fn write_files(dir: &Path, files: impl IntoIterator<Item = (String, String)>) -> u8 {
    if let Err(error) = std::fs::create_dir_all(dir) {
        say!("error: cannot create {}: {error}", dir.display());
        return ERROR;
    }
    let mut printer = Printer::default();
    for (name, text) in files {
        let path = dir.join(name);
        let written = Output::open(Some(&path)).and_then(|mut out| {
            out.write_all(text.as_bytes())?;
            out.finish()
        });
        if let Err(error) = written {
            say!("error: cannot write {}: {error}", path.display());
            return ERROR;
        }
        printer.line(path.display());
    }
    printer.finish(OK)
}
