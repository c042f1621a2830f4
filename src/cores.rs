//! Independent pieces of work spread over the machine's cores.

use std::sync::{Mutex, PoisonError};
use std::thread;

/// `work` applied to every item, on as many threads as there are cores (the calling thread
/// among them, and only it when no other can be started), each taking the next item not yet
/// taken; the results in the items' order. A panic in `work` goes on in the caller.
pub fn map_on_cores<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    let queue = Mutex::new(items.into_iter().enumerate());
    let take_and_work = || {
        let mut done = Vec::new();
        loop {
            // The queue is locked only while the next item is taken (which cannot panic, so
            // the lock is never poisoned; if it were, its items are still all there).
            let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
            let Some((index, item)) = next else {
                return done;
            };
            done.push((index, work(item)));
        }
    };
    let mut done = thread::scope(|scope| {
        // A thread the system refuses leaves its share to the others.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                thread::Builder::new()
                    .spawn_scoped(scope, take_and_work)
                    .ok()
            })
            .collect();
        let mut done = take_and_work();
        for helper in helpers {
            match helper.join() {
                Ok(more) => done.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order() {
        for count in [0, 1, 2, 3, 17, 200] {
            let items: Vec<u64> = (0..count).collect();
            // Uneven work, so that threads finish out of order.
            let squares = map_on_cores(items, |n| {
                thread::sleep(std::time::Duration::from_micros((n * 7919) % 50));
                n * n
            });
            let expected: Vec<u64> = (0..count).map(|n| n * n).collect();
            assert_eq!(squares, expected);
        }
    }
}
