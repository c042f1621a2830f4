//! The items of a report's list, spilled to a temporary file as they come, so memory does not
//! grow with the stream: written separated, then copied whole into the report at its end.
//! Where there are no files (a browser), they are kept in memory instead.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

/// A list of items on disk, or in memory.
pub struct Spill {
    store: Store,
    count: u64,
    /// The item being written (kept to be reused).
    item: Vec<u8>,
}

/// Where the items go.
enum Store {
    File(BufWriter<File>),
    Memory(Vec<u8>),
}

impl Spill {
    /// An empty list; its temporary file is gone when it is dropped.
    pub fn new() -> io::Result<Spill> {
        let file = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        Ok(Spill {
            store: Store::File(file),
            count: 0,
            item: Vec::new(),
        })
    }

    /// An empty list kept in memory.
    pub fn in_memory() -> Spill {
        Spill {
            store: Store::Memory(Vec::new()),
            count: 0,
            item: Vec::new(),
        }
    }

    /// Adds the item `write` writes, after `separator` when one came before. The item is
    /// written to memory first and stored in one piece (a file takes it in one call).
    pub fn push(
        &mut self,
        separator: &[u8],
        write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        self.item.clear();
        if self.count > 0 {
            self.item.extend_from_slice(separator);
        }
        write(&mut self.item)?;
        match &mut self.store {
            Store::File(file) => file.write_all(&self.item)?,
            Store::Memory(bytes) => bytes.extend_from_slice(&self.item),
        }
        self.count += 1;
        Ok(())
    }

    /// Whether no item was written.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Copies every item, as written, to `out`.
    pub fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        match self.store {
            Store::File(file) => {
                let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                file.seek(SeekFrom::Start(0))?;
                io::copy(&mut file, out).map(drop)
            }
            Store::Memory(bytes) => out.write_all(&bytes),
        }
    }
}
