//! Driving the interpreter over input streams on one thread, line by line, with exact
//! accounting: every line is counted once, as blank, event or malformed.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::io::{self, BufRead};

use super::chunks::ChunkReader;
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
/// that is an event, with what became of it. Lines longer than `max_line_bytes` are
/// malformed and never held whole.
pub fn run(
    interpreter: &mut Interpreter,
    inputs: Vec<Input>,
    max_line_bytes: usize,
    mut on_event: Option<OnEvent>,
    report: &mut dyn FnMut(Violation),
) -> io::Result<()> {
    let names: Vec<String> = inputs.iter().map(|input| input.name.clone()).collect();
    let mut chunks = ChunkReader::new(inputs, max_line_bytes);
    while let Some(chunk) = chunks.next_chunk()? {
        let file = names.get(chunk.file_index).map_or("-", String::as_str);
        for (number, line, overlong) in chunk.lines() {
            let place = Place {
                file_index: chunk.file_index,
                file,
                line: number,
            };
            if let Some(length) = overlong {
                interpreter.overlong_line(place, length, report);
                continue;
            }
            let events_before = interpreter.summary().events;
            let step = interpreter.line(place, line, on_event.is_some(), report);
            if let Some(on_event) = on_event.as_mut() {
                if interpreter.summary().events > events_before {
                    on_event(line, step)?;
                }
            }
        }
        chunks.recycle(chunk.bytes);
    }
    Ok(())
}
