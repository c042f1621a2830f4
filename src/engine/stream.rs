//! Driving the interpreter over input streams, line by line, with exact accounting: every
//! line is counted once, as blank, event or malformed.

use std::io::{self, BufRead};

use super::interpreter::{Interpreter, Place, Step};
use super::verdict::Violation;

/// A named input.
pub struct Input {
    /// The name reports use (`-` for stdin).
    pub name: String,
    /// Its length in bytes, when known (for progress).
    pub size: Option<u64>,
    /// The stream.
    pub reader: Box<dyn BufRead + Send>,
}

/// What to do with each event line and its outcome (for `run`).
pub type OnEvent<'a> = &'a mut dyn FnMut(&[u8], Option<Step>) -> io::Result<()>;

/// Runs every input through `interpreter` in order. `on_event` (when given) sees each line
/// that is an event, with what became of it.
pub fn run(
    interpreter: &mut Interpreter,
    inputs: Vec<Input>,
    mut on_event: Option<OnEvent>,
    report: &mut dyn FnMut(Violation),
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(1 << 16);
    for (file_index, mut input) in inputs.into_iter().enumerate() {
        let mut line_number = 0u64;
        loop {
            buffer.clear();
            if input.reader.read_until(b'\n', &mut buffer)? == 0 {
                break;
            }
            line_number += 1;
            let line = trim_line_end(&buffer);
            let place = Place {
                file_index,
                file: &input.name,
                line: line_number,
            };
            let events_before = interpreter.summary().events;
            let step = interpreter.line(place, line, on_event.is_some(), report);
            if let Some(on_event) = on_event.as_mut() {
                if interpreter.summary().events > events_before {
                    on_event(line, step)?;
                }
            }
        }
    }
    Ok(())
}

/// The line without its `\n` or `\r\n`.
pub fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
