//! Inputs cut into chunks of whole lines, the one way Plotline reads streams.
//!
//! Memory stays bounded whatever the input: a line longer than the limit is not kept but
//! skipped up to its end and recorded (where it is and how long it was), so that it can be
//! reported as malformed. A chunk holds an empty line in its place, which keeps line numbers
//! and counts exact.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::io::{self, BufRead};

use super::envelope;
use super::stream::Input;
use crate::prefetch::{self, CACHE_LINE};

/// Bytes per chunk (more when one line is longer).
const CHUNK_BYTES: usize = 1 << 20;

/// Room a new buffer is made with beyond [`CHUNK_BYTES`], for the line that crosses it. A buffer
/// made empty would grow by doubling, copied each time into memory touched for the first time.
const LINE_ROOM: usize = 64 << 10;

/// How far ahead of the line handed out its chunk's bytes are asked for: a few lines.
const PREFETCH_DISTANCE: usize = 1024;

/// How far ahead of the line handed out line ends are asked for (two cache lines of them).
const ENDS_AHEAD: usize = 16;

/// One input line, without its line end: its bytes, and its text when they are known to be
/// valid UTF-8 and nested no deeper than an event may be ([`envelope::MAX_DEPTH`]) already
/// (then no one checks them again).
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The line's bytes.
    pub bytes: &'a [u8],
    /// The same bytes as text, when they were checked (with their whole chunk).
    pub(crate) text: Option<&'a str>,
}

impl<'a> From<&'a [u8]> for Line<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Line { bytes, text: None }
    }
}

impl<'a> From<&'a Vec<u8>> for Line<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        bytes.as_slice().into()
    }
}

impl<'a> From<&'a str> for Line<'a> {
    /// Text is valid UTF-8; its depth is checked here, as a chunk's lines are.
    fn from(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let shallow = envelope::surely_within_depth(bytes, envelope::MAX_DEPTH);
        Line {
            bytes,
            text: shallow.then_some(text),
        }
    }
}

/// Whole lines of one input.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Which input the lines come from.
    pub file_index: usize,
    /// The line number before the chunk's first line.
    pub first_line: u64,
    /// The lines, each with its line end (the last line of an input may lack one), while
    /// they are read, and after unless they are kept as `text`.
    bytes: Vec<u8>,
    /// The same lines once read, when they are valid UTF-8 and none nests deeper than an
    /// event may (checked once for the chunk, on the thread that reads it, instead of line by
    /// line on the threads that judge).
    text: String,
    /// Where each line ends in `bytes` (after its line end): found once while reading, so
    /// that no one splits the chunk again.
    ends: Vec<usize>,
    /// Lines over the limit: index within the chunk and length in bytes. Each is an empty
    /// line in `bytes`.
    pub overlong: Vec<(u64, u64)>,
    /// Bytes of input the chunk covers (for progress).
    pub input_bytes: u64,
}

impl Chunk {
    /// How many lines it holds (overlong ones included).
    pub fn line_count(&self) -> u64 {
        self.ends.len() as u64
    }

    /// The chunk's lines, numbered from 1 within its input, each without its line end and
    /// with its length when it was over the limit.
    pub fn lines(&self) -> impl Iterator<Item = (u64, Line<'_>, Option<u64>)> {
        let text = (!self.text.is_empty()).then_some(self.text.as_str());
        let bytes = text.map_or(self.bytes.as_slice(), str::as_bytes);
        let mut overlong = self.overlong.iter().peekable();
        (0u64..)
            .zip(held_lines(&self.ends, bytes))
            .map(move |(index, (start, line))| {
                // Lines ahead, and where they end, asked for before they are read.
                ask_ahead(bytes, start + PREFETCH_DISTANCE, line.len());
                if let Some(end) = (usize::try_from(index).ok())
                    .and_then(|index| self.ends.get(index + ENDS_AHEAD))
                {
                    prefetch::soon(end);
                }
                let line = trim_line_end(line);
                let line = Line {
                    bytes: line,
                    // Between line ends (less `\r\n` or `\n`): on character boundaries.
                    text: text.and_then(|text| text.get(start..start + line.len())),
                };
                let too_long = overlong
                    .next_if(|(at, _)| *at == index)
                    .map(|(_, length)| *length);
                (self.first_line + index + 1, line, too_long)
            })
    }

    /// Keeps the lines read as text when they are valid UTF-8 and surely not nested too deep.
    fn seal(&mut self) {
        let shallow = held_lines(&self.ends, &self.bytes)
            .all(|(_, line)| envelope::surely_within_depth(line, envelope::MAX_DEPTH));
        if !shallow {
            return;
        }
        match String::from_utf8(std::mem::take(&mut self.bytes)) {
            Ok(text) => self.text = text,
            Err(error) => self.bytes = error.into_bytes(),
        }
    }

    /// The buffer that held the lines, for [`ChunkReader::recycle`].
    pub fn into_buffer(self) -> Vec<u8> {
        match self.text.is_empty() {
            true => self.bytes,
            false => self.text.into_bytes(),
        }
    }

    /// Ends the line being read with `tail`.
    fn end_line(&mut self, tail: &[u8]) {
        self.bytes.extend_from_slice(tail);
        self.ends.push(self.bytes.len());
    }

    /// Records the line being read as overlong (`length` bytes, not kept): an empty line.
    fn end_overlong_line(&mut self, length: u64) {
        self.overlong.push((self.line_count(), length));
        self.end_line(b"\n");
    }
}

/// Each line of a chunk's `held` bytes that end at `ends`: where it starts, and its bytes with
/// its line end.
fn held_lines<'h>(ends: &'h [usize], held: &'h [u8]) -> impl Iterator<Item = (usize, &'h [u8])> {
    let mut start = 0;
    ends.iter().map(move |&end| {
        let line = (start, held.get(start..end).unwrap_or_default());
        start = end;
        line
    })
}

/// Asks for `length` bytes of `held` from `at` ahead of their first read, a cache line at a
/// time. The chunk was filled on another core; read in order, its lines are then at hand
/// when judged (a hint: bytes past the end are not asked for).
#[inline]
fn ask_ahead(held: &[u8], at: usize, length: usize) {
    for at in (at..at + length).step_by(CACHE_LINE) {
        if let Some(byte) = held.get(at) {
            prefetch::soon(byte);
        }
    }
}

/// The line without its `\n` or `\r\n`.
pub fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Skips a UTF-8 byte-order mark at the start of an input.
fn skip_byte_order_mark(reader: &mut dyn BufRead) -> io::Result<u64> {
    const MARK: &[u8] = b"\xEF\xBB\xBF";
    loop {
        match reader.fill_buf() {
            Ok(start) => {
                if start.starts_with(MARK) {
                    reader.consume(MARK.len());
                    return Ok(MARK.len() as u64);
                }
                return Ok(0);
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// An input being read, and how much of it was.
struct Reading {
    reader: Box<dyn BufRead + Send>,
    /// Its length when opened, when known.
    size: Option<u64>,
    /// Bytes consumed so far.
    consumed: u64,
}

impl Reading {
    fn consume(&mut self, amount: usize) {
        self.reader.consume(amount);
        self.consumed += amount as u64;
    }

    /// At its end: an error when it is shorter than when it was opened (truncated while
    /// read: the lines lost would be missing from the verdict without a word).
    fn check_end(&self) -> io::Result<()> {
        match self.size {
            Some(size) if self.consumed < size => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the file shrank while it was read: it ended after {} of its {size} bytes",
                    self.consumed
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// Reads inputs, one after the other, into chunks.
pub struct ChunkReader {
    inputs: std::vec::IntoIter<Input>,
    current: Option<(usize, Reading)>,
    next_index: usize,
    max_line: usize,
    /// The start of a line that did not fit in the last chunk.
    carry: Vec<u8>,
    /// Inside a line over the limit: its length so far.
    skipping: Option<u64>,
    /// Lines of the current input handed out so far.
    line: u64,
    /// Buffers handed back, to be filled again.
    spare: Vec<Vec<u8>>,
    /// The inputs' names, for errors.
    names: Vec<String>,
}

impl ChunkReader {
    /// Reads `inputs` in order; lines longer than `max_line` bytes are skipped and recorded.
    pub fn new(inputs: Vec<Input>, max_line: usize) -> Self {
        let names = inputs.iter().map(|input| input.name.clone()).collect();
        ChunkReader {
            names,
            inputs: inputs.into_iter(),
            current: None,
            next_index: 0,
            max_line,
            carry: Vec::new(),
            skipping: None,
            line: 0,
            spare: Vec::new(),
        }
    }

    /// Hands a chunk's buffer back for reuse.
    pub fn recycle(&mut self, mut bytes: Vec<u8>) {
        if self.spare.len() < 8 {
            bytes.clear();
            self.spare.push(bytes);
        }
    }

    /// The next chunk; `None` after the last input. A read error names its input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        self.read_chunk().map_err(|error| {
            let index = self.next_index.saturating_sub(1);
            let name = match self.names.get(index).map(String::as_str) {
                Some("-") | None => "stdin",
                Some(name) => name,
            };
            io::Error::new(error.kind(), format!("reading {name}: {error}"))
        })
    }

    fn read_chunk(&mut self) -> io::Result<Option<Chunk>> {
        loop {
            if self.current.is_none() {
                let Some(input) = self.inputs.next() else {
                    return Ok(None);
                };
                let mut reader = input.reader;
                let skipped = skip_byte_order_mark(&mut *reader)?;
                let reading = Reading {
                    reader,
                    size: input.size,
                    consumed: skipped,
                };
                self.current = Some((self.next_index, reading));
                self.next_index += 1;
                self.line = 0;
            }
            let chunk = self.fill()?;
            if chunk.line_count() > 0 {
                self.line += chunk.line_count();
                return Ok(Some(chunk));
            }
            self.recycle(chunk.into_buffer());
        }
    }

    /// Reads whole lines of the current input, closing it at its end.
    fn fill(&mut self) -> io::Result<Chunk> {
        let mut bytes =
            (self.spare.pop()).unwrap_or_else(|| Vec::with_capacity(CHUNK_BYTES + LINE_ROOM));
        bytes.append(&mut self.carry);
        let mut chunk = Chunk {
            file_index: 0,
            first_line: self.line,
            bytes,
            ..Chunk::default()
        };
        let Some((file_index, reader)) = self.current.as_mut() else {
            return Ok(chunk);
        };
        chunk.file_index = *file_index;
        let mut line_start = 0;
        let mut at_end = false;
        while chunk.bytes.len() < CHUNK_BYTES || chunk.ends.is_empty() {
            let available = match reader.reader.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                at_end = true;
                break;
            }
            if let Some(skipped) = self.skipping {
                let Some(at) = memchr::memchr(b'\n', available) else {
                    let length = available.len();
                    self.skipping = Some(skipped + length as u64);
                    chunk.input_bytes += length as u64;
                    reader.consume(length);
                    continue;
                };
                self.skipping = None;
                chunk.end_overlong_line(skipped + at as u64);
                line_start = chunk.bytes.len();
                chunk.input_bytes += at as u64 + 1;
                reader.consume(at + 1);
                continue;
            }
            let used = take_lines(
                available,
                self.max_line,
                &mut chunk,
                &mut line_start,
                &mut self.skipping,
            );
            reader.consume(used);
        }
        if at_end {
            reader.check_end()?;
            if let Some(skipped) = self.skipping.take() {
                chunk.end_overlong_line(skipped);
            } else if line_start < chunk.bytes.len() {
                chunk.end_line(b"");
            }
            self.current = None;
        } else {
            let rest = chunk.bytes.get(line_start..).unwrap_or_default();
            self.carry.extend_from_slice(rest);
            chunk.bytes.truncate(line_start);
        }
        chunk.seal();
        Ok(chunk)
    }
}

/// Moves the lines that end in `available` into `chunk` (an overlong one as an empty line),
/// up to the chunk's size, then the start of a line that does not end in it, unless that is
/// already too long (then `skipping` starts). Returns how many bytes of `available` it used.
fn take_lines(
    available: &[u8],
    max_line: usize,
    chunk: &mut Chunk,
    line_start: &mut usize,
    skipping: &mut Option<u64>,
) -> usize {
    let mut used = 0;
    for newline in memchr::memchr_iter(b'\n', available) {
        // The line's length: its part already in the chunk, and its part here.
        let length = chunk.bytes.len() - *line_start + (newline - used);
        if length > max_line {
            chunk.bytes.truncate(*line_start);
            chunk.end_overlong_line(length as u64);
        } else {
            // `used` and `newline` are within `available`.
            chunk.end_line(available.get(used..=newline).unwrap_or_default());
        }
        chunk.input_bytes += (newline + 1 - used) as u64;
        used = newline + 1;
        *line_start = chunk.bytes.len();
        if chunk.bytes.len() >= CHUNK_BYTES {
            return used;
        }
    }
    let rest = available.get(used..).unwrap_or_default();
    if chunk.bytes.len() - *line_start + rest.len() > max_line {
        // Too long: forget what is kept of it and skip the rest.
        *skipping = Some((chunk.bytes.len() - *line_start) as u64);
        chunk.bytes.truncate(*line_start);
        return used;
    }
    chunk.bytes.extend_from_slice(rest);
    chunk.input_bytes += rest.len() as u64;
    available.len()
}

/// The pieces of `bytes` between line ends, as `bytes.split(|&b| b == b'\n')` gives them,
/// with the line ends found a word at a time (a byte-by-byte split of a batch costs nearly a
/// thousand instructions per line).
pub fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    ends.map(move |end| {
        let piece = bytes.get(start..end).unwrap_or_default();
        start = end + 1;
        piece
    })
}

/// The lines of JSONL text held whole in memory (a POST's body, a piece a binding is handed),
/// as a file of that text is read: split at `\n` (a final line end starts no line), each
/// without its `\r`.
pub fn jsonl_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let lines = (!text.is_empty()).then(|| split_lines(body));
    (lines.into_iter().flatten()).map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lines_gives_the_pieces_split_gives() {
        for text in ["", "\n", "a", "a\n", "a\nb", "\n\na\n\nbc\n", "a\r\nb"] {
            let bytes = text.as_bytes();
            let want: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
            assert_eq!(split_lines(bytes).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    #[test]
    fn jsonl_lines_are_the_lines_a_file_of_the_text_has() {
        let lines = |text: &str| -> Vec<String> {
            (jsonl_lines(text.as_bytes()).map(|line| String::from_utf8_lossy(line).into_owned()))
                .collect()
        };
        assert!(lines("").is_empty());
        assert_eq!(lines("\n"), [""]);
        assert_eq!(lines("a"), ["a"]);
        assert_eq!(lines("a\r\n\nb\r"), ["a", "", "b"]);
        assert_eq!(lines("a\n\n"), ["a", ""]);
    }

    fn read(inputs: &[&[u8]], max_line: usize) -> Vec<(usize, u64, String, Option<u64>)> {
        let inputs = inputs
            .iter()
            .map(|bytes| Input {
                name: String::new(),
                size: None,
                reader: Box::new(io::BufReader::with_capacity(
                    7,
                    io::Cursor::new(bytes.to_vec()),
                )),
            })
            .collect();
        let mut reader = ChunkReader::new(inputs, max_line);
        let mut out = Vec::new();
        while let Some(chunk) = reader.next_chunk().expect("in-memory input") {
            for (number, line, overlong) in chunk.lines() {
                let text = String::from_utf8_lossy(line.bytes).into_owned();
                assert!(line.text.is_none_or(|checked| checked == text));
                out.push((chunk.file_index, number, text, overlong));
            }
            reader.recycle(chunk.into_buffer());
        }
        out
    }

    /// The lines of `input` as a reader should give them, split the plain way.
    fn expected(input: &[u8], max_line: usize) -> Vec<(u64, String, Option<u64>)> {
        let mut lines: Vec<&[u8]> = input.split(|b| *b == b'\n').collect();
        if lines.last().is_some_and(|last| last.is_empty()) {
            lines.pop();
        }
        (1..)
            .zip(lines)
            .map(|(number, line)| match line.len() > max_line {
                true => (number, String::new(), Some(line.len() as u64)),
                false => {
                    let text = String::from_utf8_lossy(trim_line_end(line)).into_owned();
                    (number, text, None)
                }
            })
            .collect()
    }

    #[test]
    fn an_input_shorter_than_when_it_was_opened_is_an_error_naming_it() {
        let input = |size| Input {
            name: "stream.jsonl".to_owned(),
            size: Some(size),
            reader: Box::new(std::io::Cursor::new(b"\xEF\xBB\xBF{}\n{}\n".to_vec())),
        };
        let mut whole = ChunkReader::new(vec![input(9)], 100);
        assert!(whole.next_chunk().is_ok_and(|chunk| chunk.is_some()));
        assert!(whole.next_chunk().is_ok_and(|chunk| chunk.is_none()));
        let mut shrunk = ChunkReader::new(vec![input(4000)], 100);
        let error = shrunk.next_chunk().expect_err("it shrank");
        assert_eq!(
            error.to_string(),
            "reading stream.jsonl: the file shrank while it was read: it ended after 9 of its \
             4000 bytes"
        );
    }

    #[test]
    fn lines_of_any_length_through_buffers_of_any_size() {
        let mut seed = 7u64;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        for _ in 0..300 {
            let mut input = Vec::new();
            for _ in 0..next(40) {
                let length = match next(10) {
                    0 => next(CHUNK_BYTES as u64 / 2),
                    _ => next(30),
                };
                input.extend((0..length).map(|i| b'a' + (i % 26) as u8));
                if next(5) > 0 {
                    input.extend_from_slice(if next(4) == 0 { b"\r\n" } else { b"\n" });
                }
            }
            let max_line = [5, 29, 1000, CHUNK_BYTES];
            let max_line = max_line.get(next(4) as usize).copied().unwrap_or(5);
            // Byte-sized buffers for short inputs only, to keep the test quick.
            let capacity = match input.len() > 4096 {
                true => [4096, 65536].get(next(2) as usize),
                false => [1, 7, 64].get(next(3) as usize),
            }
            .copied()
            .unwrap_or(1);
            let inputs = vec![Input {
                name: String::new(),
                size: None,
                reader: Box::new(io::BufReader::with_capacity(
                    capacity,
                    io::Cursor::new(input.clone()),
                )),
            }];
            let mut reader = ChunkReader::new(inputs, max_line);
            let (mut got, mut bytes) = (Vec::new(), 0);
            while let Some(chunk) = reader.next_chunk().expect("in-memory input") {
                bytes += chunk.input_bytes;
                for (number, line, overlong) in chunk.lines() {
                    let text = String::from_utf8_lossy(line.bytes).into_owned();
                    assert_eq!(line.text, Some(text.as_str()));
                    got.push((number, text, overlong));
                }
                reader.recycle(chunk.into_buffer());
            }
            assert_eq!(got, expected(&input, max_line), "max_line {max_line}");
            assert_eq!(bytes, input.len() as u64);
        }
    }

    #[test]
    fn the_lines_of_a_chunk_of_valid_utf8_not_nested_too_deep_come_as_text_and_of_any_other_as_bytes(
    ) {
        // Brackets enough to nest deeper than an event may (in a string or not: only a line
        // with fewer is surely not too deep).
        let deep = format!("{{\"a\":\"{}\"}}\n{{}}", "[".repeat(envelope::MAX_DEPTH));
        let shallow = format!(
            "{{\"a\":\"{}\"}}\n{{}}",
            "[".repeat(envelope::MAX_DEPTH - 1)
        );
        let cases: [(&[u8], bool); 5] = [
            (b"{\"a\":\"\xC3\xA9\"}\r\n\n{}", true),
            (b"{}\n\xC3{}\n{}\n", false),
            (b"\xEF\xBB\xBF{}\n", true),
            (deep.as_bytes(), false),
            (shallow.as_bytes(), true),
        ];
        for (input, valid) in cases {
            let whole = Input {
                name: String::new(),
                size: None,
                reader: Box::new(io::Cursor::new(input.to_vec())),
            };
            let mut reader = ChunkReader::new(vec![whole], 1000);
            let chunk = reader.next_chunk().expect("in memory").expect("a chunk");
            let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
            let want = expected(body, 1000);
            let lines: Vec<Line<'_>> = chunk.lines().map(|(_, line, _)| line).collect();
            assert_eq!(lines.len(), want.len());
            for (line, (_, text, _)) in lines.iter().zip(&want) {
                assert_eq!(String::from_utf8_lossy(line.bytes), *text);
                match valid {
                    true => assert_eq!(line.text.map(str::as_bytes), Some(line.bytes)),
                    false => assert_eq!(line.text, None),
                }
            }
            assert_eq!(chunk.into_buffer().len(), body.len());
        }
    }

    #[test]
    fn every_line_once_and_long_ones_skipped() {
        let got = read(
            &[b"a\r\nbbbbbbbbbbbbbbbbbbbb\n\ncc", b"", b"dddddddddddd"],
            10,
        );
        let line = |file, number, text: &str, overlong| (file, number, text.to_owned(), overlong);
        assert_eq!(
            got,
            vec![
                line(0, 1, "a", None),
                line(0, 2, "", Some(20)),
                line(0, 3, "", None),
                line(0, 4, "cc", None),
                line(2, 1, "", Some(12)),
            ]
        );
        let exact = read(&[b"0123456789\n0123456789"], 10);
        assert_eq!(exact.len(), 2);
        assert!(exact
            .iter()
            .all(|(_, _, text, overlong)| text.len() == 10 && overlong.is_none()));
    }
}
