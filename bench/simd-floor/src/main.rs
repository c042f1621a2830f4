//! Parse-only floor with a SIMD JSON reader: the work of the peers' `rust-floor` (read each
//! line's envelope, keep its interaction's last timestamp in a hash map, count lines, blank
//! lines, events and malformed lines), done as fast as well-kept crates allow: the file is
//! read in blocks of 1 MiB and its lines found by `memchr` and read where they lie, `sonic-rs`
//! reads the envelope into borrowed strings and skips the payload without building it, and the
//! interaction's key is looked up (`foldhash`) through a reused buffer, so a line allocates
//! nothing unless it opens a new interaction. No validation at all.
//!
//! usage: simd-floor FILE   (prints a JSON summary, as rust-floor does)
use std::collections::HashMap;
use std::io::Read;
use std::time::Instant;

#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    lifecycle: &'a str,
    #[serde(borrow)]
    interaction: &'a str,
    #[serde(borrow)]
    event: &'a str,
    ts: i64,
    #[serde(borrow, default)]
    data: Option<sonic_rs::LazyValue<'a>>,
}

/// The counts printed at the end, and the interactions' last timestamps.
#[derive(Default)]
struct Tally {
    lines: u64,
    blank: u64,
    events: u64,
    malformed: u64,
    data_bytes: usize,
    open: HashMap<String, i64, foldhash::fast::RandomState>,
    key: String,
}

impl Tally {
    /// One line, without its line end.
    fn line(&mut self, line: &[u8]) {
        self.lines += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            self.blank += 1;
            return;
        }
        let Ok(envelope) = sonic_rs::from_slice::<Envelope>(line) else {
            self.malformed += 1;
            return;
        };
        self.events += 1;
        self.data_bytes += envelope.data.map_or(0, |d| d.as_raw_str().len()) + envelope.event.len();
        self.key.clear();
        self.key.push_str(envelope.lifecycle);
        self.key.push('\0');
        self.key.push_str(envelope.interaction);
        match self.open.get_mut(self.key.as_str()) {
            Some(ts) => *ts = envelope.ts,
            None => {
                self.open.insert(self.key.clone(), envelope.ts);
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: simd-floor FILE")?;
    let mut file = std::fs::File::open(path)?;
    let start = Instant::now();
    let mut tally = Tally::default();
    // A block of the file; a line cut at its end moves to the front before the next read.
    let mut block = vec![0u8; 1 << 20];
    let mut kept = 0;
    loop {
        if kept == block.len() {
            block.resize(block.len() * 2, 0); // a line longer than the block
        }
        let read = file.read(&mut block[kept..])?;
        let end = kept + read;
        let mut at = 0;
        for newline in memchr::memchr_iter(b'\n', &block[..end]) {
            tally.line(&block[at..newline]);
            at = newline + 1;
        }
        if read == 0 {
            if at < end {
                tally.line(&block[at..end]);
            }
            break;
        }
        block.copy_within(at..end, 0);
        kept = end - at;
    }
    let secs = start.elapsed().as_secs_f64();
    let Tally {
        lines,
        blank,
        events,
        malformed,
        data_bytes,
        open,
        ..
    } = tally;
    println!(
        "{{\"peer\":\"simd-floor\",\"summary\":{{\"lines\":{lines},\"blank\":{blank},\"events\":{events},\"malformed\":{malformed},\"interactions\":{}}},\"payload_bytes\":{data_bytes},\"seconds\":{secs:.3},\"events_per_s\":{}}}",
        open.len(),
        (lines as f64 / secs) as u64
    );
    Ok(())
}
