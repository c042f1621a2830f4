//! Checkpoints, the ground of exactly-once verdicts in a partitioned deployment: an
//! interpreter stopped after line k, saved as JSON, restored (as a new owner of the partition
//! would, in another process) and fed lines k+1.. reports exactly what an uninterrupted run
//! reports, violation for violation, with the same counts. Streams are simulated with every
//! violation kind, delivery ids and lines delivered twice, and cut mid-flight, over the
//! built-in catalog and the fixture catalog whose
//! lifecycles have guards, timeouts and `may_end` states.

mod common;

use std::path::Path;

use common::plotline;
use plotline::compile::{compile, Catalog};
use plotline::config::{load_builtin, load_dir};
use plotline::engine::interpreter::{Checkpoint, SavedInteraction, SavedLostLine};
use plotline::engine::{Interpreter, Limits, Place, Summary, Violation};
use proptest::prelude::*;

fn catalog(dir: Option<&str>) -> Catalog {
    let (files, errors) = match dir {
        None => load_builtin(),
        Some(dir) => load_dir(Path::new(dir)),
    };
    assert!(errors.is_empty(), "{errors:?}");
    compile(&files).0.expect("the catalog compiles")
}

fn stream(dir: Option<&str>, seed: u64) -> Vec<Vec<u8>> {
    let seed = seed.to_string();
    let mut args = vec![
        "simulate",
        "-n",
        "2500",
        "--open",
        "60",
        "--cut",
        "--violations",
        "0.05",
        "--seed",
        &seed,
    ];
    if let Some(dir) = dir {
        args.extend(["--catalog", dir]);
    }
    let output = plotline(&args);
    assert_eq!(output.status.code(), Some(0));
    // Every record gets a delivery id, and every seventh is delivered twice: the ids seen
    // are part of what a checkpoint carries.
    let mut lines = Vec::new();
    for (n, line) in output.stdout.split(|&b| b == b'\n').enumerate() {
        let line = match line.strip_prefix(b"{\"") {
            Some(rest) => [format!("{{\"id\":\"d{n}\",\"").as_bytes(), rest].concat(),
            None => line.to_vec(),
        };
        if n % 7 == 3 {
            lines.push(line.clone());
        }
        lines.push(line);
    }
    lines
}

/// An interpreter with default limits fed `lines`, its violations dropped.
fn fed<'c>(catalog: &'c Catalog, lines: &[Vec<u8>]) -> Interpreter<'c> {
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    feed(&mut interpreter, lines, 1, &mut Vec::new());
    interpreter
}

/// Feeds `lines` (numbered from `from`) to `interpreter`.
fn feed(
    interpreter: &mut Interpreter<'_>,
    lines: &[Vec<u8>],
    from: u64,
    found: &mut Vec<Violation>,
) {
    for (i, line) in lines.iter().enumerate() {
        let place = Place {
            file_index: 0,
            file: "stream.jsonl",
            line: from + i as u64,
        };
        interpreter.line(place, line, false, &mut |v| found.push(v));
    }
}

fn uninterrupted(catalog: &Catalog, lines: &[Vec<u8>]) -> (Vec<Violation>, Summary) {
    uninterrupted_within(catalog, lines, 0)
}

/// With a reorder window of `window` milliseconds.
fn uninterrupted_within(
    catalog: &Catalog,
    lines: &[Vec<u8>],
    window: i64,
) -> (Vec<Violation>, Summary) {
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    interpreter.reorder_within(window);
    let mut found = Vec::new();
    feed(&mut interpreter, lines, 1, &mut found);
    let summary = interpreter.finish(false, &mut |v| found.push(v));
    (found, summary)
}

/// Stops after `k` lines, saves, restores from the JSON text, and goes on.
fn resumed(
    catalog: &Catalog,
    lines: &[Vec<u8>],
    k: usize,
) -> (Vec<Violation>, Summary, Checkpoint) {
    resumed_within(catalog, lines, k, 0)
}

/// With a reorder window of `window` milliseconds (the lines held at the cut are saved).
fn resumed_within(
    catalog: &Catalog,
    lines: &[Vec<u8>],
    k: usize,
    window: i64,
) -> (Vec<Violation>, Summary, Checkpoint) {
    let mut found = Vec::new();
    let mut first = Interpreter::new(catalog, Limits::default());
    first.reorder_within(window);
    feed(&mut first, &lines[..k], 1, &mut found);
    let saved = serde_json::to_string(&first.checkpoint()).expect("a checkpoint is JSON");
    drop(first);
    let checkpoint: Checkpoint = serde_json::from_str(&saved).expect("and reads back");
    let mut second = Interpreter::restore(catalog, Limits::default(), &checkpoint)
        .expect("the same catalog restores it");
    assert_eq!(second.checkpoint(), checkpoint, "restoring loses nothing");
    feed(&mut second, &lines[k..], k as u64 + 1, &mut found);
    let summary = second.finish(false, &mut |v| found.push(v));
    (found, summary, checkpoint)
}

#[test]
fn a_restored_interpreter_decides_as_an_uninterrupted_one_at_every_cut() {
    for dir in [None, Some("tests/fixtures/general")] {
        let catalog = catalog(dir);
        for seed in [1, 2] {
            let lines = stream(dir, seed);
            let expected = uninterrupted(&catalog, &lines);
            assert!(expected.0.len() > 50, "{dir:?}: a stream with violations");
            let (mut open_seen, mut finished_seen) = (false, false);
            for k in (0..=lines.len()).step_by(lines.len() / 29) {
                let (found, summary, checkpoint) = resumed(&catalog, &lines, k);
                open_seen |= !checkpoint.open.is_empty();
                finished_seen |= !checkpoint.finished.is_empty();
                assert_eq!(
                    summary, expected.1,
                    "{dir:?} seed {seed}: counts after a cut at {k}"
                );
                assert_eq!(
                    found, expected.0,
                    "{dir:?} seed {seed}: violations after a cut at {k}"
                );
            }
            assert!(
                open_seen && finished_seen,
                "the cuts saved open and finished interactions"
            );
        }
    }
}

#[test]
fn lines_held_by_a_reorder_window_are_saved_and_judged_after_a_restore() {
    let catalog = catalog(None);
    let mut lines = stream(None, 3);
    // Adjacent lines swapped in transit, each keeping its `ts`.
    for pair in lines.chunks_mut(2).step_by(3) {
        pair.reverse();
    }
    // Some cut short before their `ts`: judged on arrival, while lines of their interaction
    // that came before them may still be held.
    for line in lines.iter_mut().step_by(37) {
        let event = line.windows(8).position(|w| w == b"\"event\":");
        if let Some(at) = event {
            line.truncate(at);
        }
    }
    let window = 10_000;
    let expected = uninterrupted_within(&catalog, &lines, window);
    assert_ne!(
        expected,
        uninterrupted(&catalog, &lines),
        "the window changes the verdict"
    );
    let (mut held_seen, mut lost_seen) = (false, false);
    for k in (0..=lines.len()).step_by(lines.len() / 29) {
        let (found, summary, checkpoint) = resumed_within(&catalog, &lines, k, window);
        lost_seen |=
            !checkpoint.lost_lines.is_empty() && checkpoint.open.iter().any(|open| open.lost_after);
        held_seen |= checkpoint.reorder.is_some_and(|r| !r.held.is_empty());
        assert_eq!(summary, expected.1, "counts after a cut at {k}");
        assert_eq!(found, expected.0, "violations after a cut at {k}");
    }
    assert!(held_seen, "the cuts saved held lines");
    assert!(lost_seen, "the cuts saved lines lost after held ones");
}

#[test]
fn a_checkpoint_for_another_catalog_is_refused_by_name() {
    let builtin = catalog(None);
    let lines = stream(None, 3);
    let checkpoint = fed(&builtin, &lines[..400]).checkpoint();
    let other = catalog(Some("tests/fixtures/general"));
    let refused = Interpreter::restore(&other, Limits::default(), &checkpoint).err();
    assert!(
        refused
            .as_deref()
            .is_some_and(|m| m.starts_with("no lifecycle `")),
        "{refused:?}"
    );
}

/// One group's part of a checkpoint, as a worker stores it apart.
/// Open interactions, finished ones, delivery ids of open ones, remembered delivery ids,
/// interactions not begun that lost a line.
type Part = (
    Vec<SavedInteraction>,
    Vec<[u64; 2]>,
    Vec<[u64; 2]>,
    Vec<[u64; 3]>,
    Vec<SavedLostLine>,
);

/// The part of `interpreter`'s state in group `group` of `groups`.
fn part(interpreter: &Interpreter<'_>, groups: u64, group: u64) -> Part {
    let checkpoint = interpreter.checkpoint_where(&|fp| fp % groups == group);
    (
        checkpoint.open,
        checkpoint.finished,
        checkpoint.open_ids,
        checkpoint.past_ids,
        checkpoint.lost_lines,
    )
}

#[test]
fn a_checkpoint_saved_in_parts_only_changed_ones_rewritten_restores_the_whole() {
    const GROUPS: u64 = 256;
    // A small memory of finished interactions, so that parts written at different times
    // hold fingerprints forgotten since.
    let limits = Limits {
        remember_finished: 40,
        ..Limits::default()
    };
    let catalog = catalog(Some("tests/fixtures/general"));
    let lines = stream(Some("tests/fixtures/general"), 5);
    let mut expected_found = Vec::new();
    let mut whole = Interpreter::new(&catalog, limits);
    feed(&mut whole, &lines, 1, &mut expected_found);
    let expected_summary = whole.finish(false, &mut |v| expected_found.push(v));

    let mut found = Vec::new();
    let mut first = Interpreter::new(&catalog, limits);
    first.track_changes(GROUPS as usize);
    let mut parts: Vec<Part> = (0..GROUPS).map(|g| part(&first, GROUPS, g)).collect();
    let mut rewritten = 0;
    let (mut from, step) = (0, lines.len() / 40);
    while from + step < lines.len() * 3 / 4 {
        feed(
            &mut first,
            &lines[from..from + step],
            from as u64 + 1,
            &mut found,
        );
        from += step;
        let changes = first.take_changes();
        let changed: Vec<u64> = (0..GROUPS)
            .filter(|g| changes.changed(*g as usize))
            .collect();
        for group in changed {
            parts[group as usize] = part(&first, GROUPS, group);
            rewritten += 1;
        }
    }
    assert!(
        rewritten > GROUPS && rewritten < GROUPS * 25,
        "parts were rewritten, not all each time: {rewritten}"
    );
    let mut merged = first.checkpoint_where(&|_| false);
    assert!(merged.open.is_empty() && merged.finished.is_empty());
    assert!(merged.open_ids.is_empty() && merged.past_ids.is_empty());
    assert!(merged.lost_lines.is_empty());
    for (open, finished, open_ids, past_ids, lost_lines) in parts {
        merged.open.extend(open);
        merged.finished.extend(finished);
        merged.open_ids.extend(open_ids);
        merged.past_ids.extend(past_ids);
        merged.lost_lines.extend(lost_lines);
    }
    let whole_now = first.checkpoint();
    drop(first);
    let mut second = Interpreter::restore(&catalog, limits, &merged).expect("restored");
    assert_eq!(second.checkpoint(), whole_now, "the parts make the whole");
    feed(&mut second, &lines[from..], from as u64 + 1, &mut found);
    let summary = second.finish(false, &mut |v| found.push(v));
    assert_eq!(summary, expected_summary);
    assert_eq!(found, expected_found);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn checkpoint_at_k_then_replay_from_k_plus_1_changes_nothing(seed in 10u64..1000, cut in 0.0f64..1.0) {
        let catalog = catalog(Some("tests/fixtures/general"));
        let lines = stream(Some("tests/fixtures/general"), seed);
        let k = ((lines.len() as f64) * cut) as usize;
        let expected = uninterrupted(&catalog, &lines);
        let (found, summary, _) = resumed(&catalog, &lines, k);
        prop_assert_eq!(summary, expected.1);
        prop_assert_eq!(found, expected.0);
    }
}

/// The stream's time is saved as older workers saved it (`stream_time`, a number), with the
/// block being counted beside it: a checkpoint written before the time was counted in blocks
/// restores, and one written now restores to the same time.
#[test]
fn the_streams_time_is_saved_where_older_checkpoints_have_it() {
    let catalog = catalog(None);
    let lines = stream(None, 5);
    let interpreter = fed(&catalog, &lines[..1000]);
    let checkpoint = interpreter.checkpoint();
    let saved = serde_json::to_value(&checkpoint).expect("JSON");
    assert!(saved["stream_time"].is_i64(), "{}", saved["stream_time"]);
    let mut older = saved.clone();
    let fields = older.as_object_mut().expect("an object");
    fields.remove("stream_block");
    fields.remove("stream_recent");
    // As the format before blocks of medians wrote the block being counted.
    fields.insert("stream_counted".into(), 3.into());
    fields.insert("stream_lowest".into(), serde_json::json!([1, 2, 3]));
    for saved in [saved, older] {
        let checkpoint: Checkpoint = serde_json::from_value(saved).expect("a checkpoint");
        let restored =
            Interpreter::restore(&catalog, Limits::default(), &checkpoint).expect("restored");
        assert_eq!(
            restored.checkpoint().stream_time,
            interpreter.checkpoint().stream_time
        );
    }
}
