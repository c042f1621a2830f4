//! Steps, each event's state and metadata block as `run` writes them: a step given back to
//! the interpreter lends its room to the next one's block, and the blocks are the same as
//! those of steps never given back.

mod common;

use common::{compiled_catalog, plotline};
use plotline::engine::{Interpreter, Limits, Place};

#[test]
fn steps_written_in_recycled_room_are_the_steps_written_afresh() {
    let output = plotline(&[
        "simulate",
        "-n",
        "3000",
        "--open",
        "40",
        "--violations",
        "0.05",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let catalog = compiled_catalog(None);
    let (mut fresh, mut recycling) = (
        Interpreter::new(&catalog, Limits::default()),
        Interpreter::new(&catalog, Limits::default()),
    );
    let (mut steps, mut reused) = (0, 0);
    let mut room = None;
    // What the allocator would hand the next block had the step's room been freed, taken.
    let mut decoys = Vec::new();
    for (number, line) in output.stdout.split(|&b| b == b'\n').enumerate() {
        let place = Place {
            file_index: 0,
            file: "-",
            line: number as u64 + 1,
        };
        let expected = fresh.line(place, line, true, &mut |_| {});
        let step = recycling.line(place, line, true, &mut |_| {});
        assert_eq!(
            step.as_ref().map(|s| (&s.state, &s.metadata, s.appendable)),
            expected
                .as_ref()
                .map(|s| (&s.state, &s.metadata, s.appendable)),
            "line {}",
            number + 1
        );
        if let Some(step) = step {
            steps += 1;
            reused += usize::from(room == Some(step.metadata.as_ptr()));
            room = Some(step.metadata.as_ptr());
            let capacity = step.metadata.capacity();
            recycling.recycle(Some(step));
            decoys.push(String::with_capacity(capacity));
        }
    }
    assert!(steps > 2500, "{steps} steps");
    // The block grows its room a few times at most; every other step reuses it.
    assert!(reused + 10 > steps, "{reused} of {steps} reused");
}
