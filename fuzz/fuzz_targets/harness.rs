//! What each fuzz target does with its input, shared with `tests/fuzz_corpora.rs`, which
//! replays every corpus and regression file on stable Rust in the ordinary test run.
//! Each function panics only when Plotline breaks a promise.

use std::io::Cursor;
use std::sync::OnceLock;

use plotline::compile::catalog::Payload;
use plotline::compile::fast_check::Outcome;
use plotline::compile::Catalog;
use plotline::config::load;
use plotline::diagnostic::SourceText;
use plotline::engine::stream::{self, Input};
use plotline::engine::{chunks, envelope, parallel, Interpreter, Limits, Place};
use plotline::expr::{Checker, Shape, Ty};
use serde_json::value::RawValue;

/// A lifecycle file: loading and compiling either succeed or give diagnostics.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceText {
        name: "fuzz.yaml".into(),
        text: text.to_owned(),
    };
    if let Ok(file) = load::parse(source) {
        let (catalog, diagnostics) = plotline::compile::compile(&[file]);
        assert!(
            catalog.is_some() || !diagnostics.is_empty(),
            "failed without saying why"
        );
    }
}

/// A `.plot` lifecycle file: loading and compiling succeed or say why; once it loads, its
/// canonical layout is a fixed point of `fmt` and loads to the same value.
pub fn dsl(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = |text: &str| SourceText {
        name: "fuzz.plot".into(),
        text: text.to_owned(),
    };
    let Ok(file) = load::parse(source(text)) else {
        return;
    };
    let (catalog, diagnostics) = plotline::compile::compile(&[file]);
    assert!(
        catalog.is_some() || !diagnostics.is_empty(),
        "failed without saying why"
    );
    let Ok(once) = plotline::config::convert::to_plot(source(text)) else {
        panic!("a file that loads converts");
    };
    let again = plotline::config::convert::to_plot(source(&once));
    assert_eq!(
        again.as_deref().ok(),
        Some(once.as_str()),
        "fmt is idempotent"
    );
    let value = |text: &str| {
        plotline::config::plot::read(text)
            .ok()
            .map(|(value, _)| value)
    };
    assert_eq!(value(text), value(&once), "fmt keeps the value");
}

/// A rule expression: parse, then type-check against a payload and two fields.
pub fn expr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = plotline::expr::parse(text) else {
        return;
    };
    let shape = Shape::Object(indexmap::IndexMap::from([
        ("id".to_owned(), (Shape::Scalar(Ty::STR), true)),
        (
            "items".to_owned(),
            (Shape::Array(Box::new(Shape::Any)), false),
        ),
        // Listed values: literals compared with it are held to them.
        (
            "kind".to_owned(),
            (
                Shape::Values(Ty::STR.or(Ty::INT), vec!["a".into(), 3.into()]),
                false,
            ),
        ),
    ]));
    let fields = [
        plotline::expr::types::FieldInfo {
            name: "started".into(),
            slot: 0,
            ty: Ty::INT,
            reads_as: None,
        },
        plotline::expr::types::FieldInfo {
            name: "count".into(),
            slot: 1,
            ty: Ty::INT,
            reads_as: Some(0.into()),
        },
    ];
    let checker = Checker::new(vec![("e", Some(&shape)), ("f", None)], &fields);
    let _ = checker.check(&parsed);
    let _ = checker.check_condition(&parsed);
}

fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let (files, _) = load::load_builtin();
        plotline::compile::compile(&files)
            .0
            .expect("the built-in catalog compiles")
    })
}

/// The compiled payloads of the built-in catalog (each fast check keeping what its rules read).
fn payloads() -> Vec<&'static Payload> {
    let catalog = builtin();
    let versions = catalog
        .lifecycles
        .iter()
        .flat_map(|lifecycle| &lifecycle.versions);
    let events = versions.flat_map(|version| &version.events);
    events.filter_map(|event| event.payload.as_ref()).collect()
}

/// Bytes as a stream: each line read the same by both envelope readers (`ts_of` finding the
/// plain one's `ts` or none), every line counted once, and the same summary on 1 and 3
/// threads.
pub fn stream(data: &[u8]) {
    // A line read plainly (in one pass) reads as the general reader reads it.
    let no_check = |_: &str, _: &str, _: &str, _: Option<&str>, _: i64| None;
    let payloads = payloads();
    for line in data.split(|b| *b == b'\n') {
        // The walk over a payload's bytes answers as the deserializer does, or leaves it to it;
        // what they pass, the payload's validator accepts.
        if let Ok(text) = std::str::from_utf8(line) {
            let payload = text
                .find("\"data\":")
                .and_then(|at| text.get(at + 7..text.rfind('}')?));
            for text in std::iter::once(text).chain(payload) {
                for payload in &payloads {
                    let Some(check) = &payload.fast else { continue };
                    let walked = check.check(text);
                    if walked != Outcome::Ask {
                        assert_eq!(walked, check.check_by_deserializer(text), "{text}");
                        let instance = serde_json::from_str(text).expect("valid JSON");
                        assert!(payload.validator.is_valid(&instance), "{text}");
                    }
                }
            }
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            let read = envelope::parse_checking(line, &no_check).map(|mut read| {
                // What `ts_of` finds, without parsing, is the `ts` the plain reader read (or
                // nothing).
                if read.plain {
                    let found = envelope::ts_of(line);
                    assert!(found.is_none() || found == read.ts);
                    // It found a `metadata` key where a JSON reader finds one (values left
                    // raw: a number out of a double's range is still a value here).
                    type Keys = std::collections::BTreeMap<String, Box<RawValue>>;
                    let keys = serde_json::from_slice::<Keys>(line);
                    let none = keys.is_ok_and(|keys| !keys.contains_key("metadata"));
                    assert_eq!(read.appendable, none);
                }
                read.plain = false;
                read.appendable = false;
                read
            });
            assert_eq!(format!("{read:?}"), format!("{:?}", envelope::parse(line)),);
        }
    }
    let catalog = builtin();
    let input = || Input {
        name: "-".into(),
        size: None,
        reader: Box::new(Cursor::new(data.to_vec())),
    };
    let limits = Limits {
        max_line_bytes: 4096,
        max_open: 64,
        ..Limits::default()
    };
    // The whole input through the stream driver, as `run` reads a file.
    let read_all = |interpreter: &mut Interpreter| {
        stream::run(
            interpreter,
            vec![input()],
            limits.max_line_bytes,
            None,
            &mut |_| {},
        )
        .expect("reading memory cannot fail")
    };
    let mut interpreter = Interpreter::new(catalog, limits);
    read_all(&mut interpreter);
    let single = interpreter.finish(false, &mut |_| {});
    assert_eq!(
        single.lines,
        single.blank + single.events + single.malformed
    );
    // Handed over line by line as bytes (each line checked alone), the stream is judged as
    // in chunks (checked whole, their lines handed on as text).
    let mut by_line = Interpreter::new(catalog, limits);
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = body.strip_suffix(b"\n").unwrap_or(body);
    let pieces = (!body.is_empty()).then(|| chunks::split_lines(text));
    for (number, piece) in (1..).zip(pieces.into_iter().flatten()) {
        let place = Place {
            file_index: 0,
            file: "-",
            line: number,
        };
        // Over the limit as a file's line is: its `\r` counted.
        match piece.len() > limits.max_line_bytes {
            true => by_line.overlong_line(place, piece.len() as u64, &mut |_| {}),
            false => {
                let line = piece.strip_suffix(b"\r").unwrap_or(piece);
                drop(by_line.line(place, line, false, &mut |_| {}));
            }
        }
    }
    assert_eq!(single, by_line.finish(false, &mut |_| {}));
    let options = parallel::Options {
        jobs: 1,
        limits,
        allow_incomplete: false,
        reorder_window: 0,
    };
    let threaded = parallel::validate(catalog, vec![input()], options, &mut |_| {}, &mut |_, _| {})
        .expect("reading memory cannot fail");
    assert_eq!(single, threaded);
    // Held back and judged in `ts` order, every line is still counted once, and the
    // sharded driver finds what the stream driver finds.
    let mut reordering = Interpreter::new(catalog, limits);
    reordering.reorder_within(5000);
    read_all(&mut reordering);
    let reordered = reordering.finish(false, &mut |_| {});
    assert_eq!(reordered.lines, single.lines);
    assert_eq!(
        reordered.lines,
        reordered.blank + reordered.events + reordered.malformed
    );
    let options = parallel::Options {
        reorder_window: 5000,
        ..options
    };
    let sharded = parallel::validate(catalog, vec![input()], options, &mut |_| {}, &mut |_, _| {})
        .expect("reading memory cannot fail");
    assert_eq!(reordered, sharded);
}
