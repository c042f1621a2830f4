//! The items of a report's list, spilled to a temporary file as they come, so memory does not
//! grow with the stream: written separated, then copied whole into the report at its end.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

/// A list of items on disk.
pub struct Spill {
    file: BufWriter<File>,
    count: u64,
}

impl Spill {
    /// An empty list; its temporary file is gone when it is dropped.
    pub fn new() -> io::Result<Spill> {
        Ok(Spill {
            file: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            count: 0,
        })
    }

    /// The writer for the next item, after `separator` when one came before.
    pub fn next_item(&mut self, separator: &[u8]) -> io::Result<&mut dyn Write> {
        if self.count > 0 {
            self.file.write_all(separator)?;
        }
        self.count += 1;
        Ok(&mut self.file)
    }

    /// Whether no item was written.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Copies every item, as written, to `out`.
    pub fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        let mut file = self
            .file
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut file, out).map(drop)
    }
}
