//! Driving the interpreter over input streams on one thread, line by line, with exact
//! accounting: every line is counted once, as blank, event or malformed.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::io::{self, BufRead};

use super::chunks::{ChunkReader, Line};
use super::envelope;
use super::interpreter::{HeldKey, Interpreter, Place, Step};
use super::verdict::Violation;

/// A named input.
pub struct Input {
    /// The name reports use (`-` for stdin).
    pub name: String,
    /// Its length in bytes when opened, when known (for progress; an input that ends
    /// shorter shrank while read, an error).
    pub size: Option<u64>,
    /// The stream.
    pub reader: Box<dyn BufRead + Send>,
}

/// What to do with each event line and its outcome (for `run`).
pub type OnEvent<'a> = &'a mut dyn FnMut(&[u8], Option<&Step>) -> io::Result<()>;

/// Runs every input through `interpreter` in order. `on_event` (when given) sees each line
/// that is an event, with what became of it, in the order they are judged (with a reorder
/// window, held lines when they are judged, the last of them at the end of the input).
/// Lines longer than `max_line_bytes` are malformed and never held whole.
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
            let events_before = interpreter.summary().events;
            let want_step = on_event.is_some();
            let mut held = HeldLines::new(on_event.as_deref_mut());
            let judged = |line: &[u8], step: Option<&Step>| held.judged(line, step);
            let step = take_line(
                interpreter,
                place,
                (line, overlong),
                want_step,
                report,
                judged,
            );
            let released = held.count;
            held.result?;
            if let Some(on_event) = on_event.as_mut() {
                if interpreter.summary().events > events_before + released {
                    on_event(line.bytes, step.as_ref())?;
                }
            }
            interpreter.recycle(step);
        }
        chunks.recycle(chunk.into_buffer());
    }
    // The end of the input: the lines still held are judged.
    let mut held = HeldLines::new(on_event);
    let mut keyed = |_: Option<HeldKey>, violation| report(violation);
    let want_step = held.on_event.is_some();
    interpreter.flush(want_step, &mut keyed, &mut |_, line, step| {
        held.judged(line, step)
    });
    held.result
}

/// Hands one line of an input (`line.1`: its length, when it was over the limit and not
/// kept) to `interpreter`, with a reorder window as well: the lines held before and judged now
/// go to `judged` (with their step when `want_step`), and the result is this line's step when
/// it is judged now.
#[inline]
pub fn take_line(
    interpreter: &mut Interpreter,
    place: Place<'_>,
    line: (Line<'_>, Option<u64>),
    want_step: bool,
    report: &mut dyn FnMut(Violation),
    mut judged: impl FnMut(&[u8], Option<&Step>),
) -> Option<Step> {
    let (line, overlong) = line;
    if let Some(length) = overlong {
        interpreter.overlong_line(place, length, report);
        return None;
    }
    if !interpreter.reorders() {
        return interpreter.line(place, line, want_step, report);
    }
    let ts = envelope::ts_of(line.bytes);
    let mut keyed = |_: Option<HeldKey>, violation| report(violation);
    let mut judged = |_, line: &[u8], step: Option<&Step>| judged(line, step);
    interpreter.offer(place, line, ts, want_step, &mut keyed, &mut judged)
}

/// `on_event` of [`run`], borrowed for a while.
type EventSink<'o, 'a> = Option<&'o mut (dyn FnMut(&[u8], Option<&Step>) -> io::Result<()> + 'a)>;

/// Held lines judged while one line is offered: handed on in order, the first write
/// error kept.
struct HeldLines<'o, 'a> {
    on_event: EventSink<'o, 'a>,
    count: u64,
    result: io::Result<()>,
}

impl<'o, 'a> HeldLines<'o, 'a> {
    fn new(on_event: EventSink<'o, 'a>) -> Self {
        HeldLines {
            on_event,
            count: 0,
            result: Ok(()),
        }
    }

    fn judged(&mut self, line: &[u8], step: Option<&Step>) {
        self.count += 1;
        if let (Some(on_event), Ok(())) = (self.on_event.as_mut(), &self.result) {
            self.result = on_event(line, step);
        }
    }
}
