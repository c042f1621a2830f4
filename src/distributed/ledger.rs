//! What was published, so that a report knows whether it is complete and a stream is not
//! published twice by mistake.
//!
//! Each publication is an entry `published.<content>.<n>` in the state bucket: the lines it
//! put on each partition and its inputs' names, written before its first line (`complete:
//! false`) and again after its end markers. `<content>` is a hash of the lines (not the
//! names), `<n>` counts the times that content was published on purpose (`--again`). A report
//! adds up the lines published per partition and compares them with the lines the workers'
//! end-of-input summaries judged.

use async_nats::jetstream::kv;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::partition::partition_of;
use crate::engine::fnv::fnv1a;

/// One publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Publication {
    /// Lines put on each partition.
    pub lines: Vec<u64>,
    /// The inputs' names.
    pub inputs: Vec<String>,
    /// Whether every line and end marker was stored.
    pub complete: bool,
}

/// What a report covers, per partition: lines published, lines judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    /// Lines published on each partition.
    pub published: Vec<u64>,
    /// Lines each partition's workers judged (by their end-of-input summaries).
    pub judged: Vec<u64>,
}

impl Coverage {
    /// Whether everything published was judged.
    pub fn complete(&self) -> bool {
        self.lagging().is_empty()
    }

    /// The partitions with lines not yet judged: `(partition, judged, published)`.
    pub fn lagging(&self) -> Vec<(usize, u64, u64)> {
        (self.published.iter().enumerate())
            .map(|(p, &published)| (p, self.judged.get(p).copied().unwrap_or(0), published))
            .filter(|&(_, judged, published)| judged != published)
            .collect()
    }
}

/// The hash of a stream's lines (its inputs' boundaries count, their names do not).
pub fn content_id(inputs: &[&[Vec<u8>]]) -> String {
    let mut parts: Vec<&[u8]> = Vec::new();
    for lines in inputs {
        parts.push(b"\x00input");
        parts.extend(lines.iter().map(Vec::as_slice));
    }
    format!("{:016x}", fnv1a(&parts))
}

/// The partition of each line of each input, among `partitions`.
pub fn owners(inputs: &[&[Vec<u8>]], partitions: u32) -> Vec<Vec<u32>> {
    (inputs.iter())
        .map(|lines| lines.iter().map(|l| partition_of(l, partitions)).collect())
        .collect()
}

/// Lines per partition, given each line's partition ([`owners`]).
pub fn lines_per_partition(owners: &[Vec<u32>], partitions: u32) -> Vec<u64> {
    let mut lines = vec![0u64; partitions as usize];
    for partition in owners.iter().flatten() {
        if let Some(count) = lines.get_mut(*partition as usize) {
            *count += 1;
        }
    }
    lines
}

/// Every publication in `state`, with its key.
pub async fn publications(state: &kv::Store) -> Result<Vec<(String, Publication)>, String> {
    let keys = state
        .keys()
        .await
        .map_err(|error| format!("cannot list the publications: {error}"))?;
    let keys: Vec<String> = (keys.collect::<Vec<_>>().await)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|key| key.starts_with("published."))
        .collect();
    let mut found = Vec::new();
    for key in keys {
        let entry = state
            .get(&key)
            .await
            .map_err(|error| format!("cannot read {key}: {error}"))?;
        if let Some(bytes) = entry {
            let publication = serde_json::from_slice(&bytes)
                .map_err(|error| format!("a broken publication {key}: {error}"))?;
            found.push((key, publication));
        }
    }
    Ok(found)
}

/// Records `publication` under `key`.
pub async fn record(state: &kv::Store, key: &str, publication: &Publication) -> Result<(), String> {
    let body = serde_json::to_vec(publication).unwrap_or_default();
    state
        .put(key, body.into())
        .await
        .map(|_| ())
        .map_err(|error| format!("cannot record the publication: {error}"))
}

/// Where a publication of `content` goes, given those already recorded: the key and its
/// number; `Err` names the earlier one when it is complete and `again` is not set. An
/// incomplete one is a failed try: it is tried again under its own key (its lines already
/// stored are dropped as duplicates).
pub fn next_key(
    recorded: &[(String, Publication)],
    content: &str,
    again: bool,
) -> Result<String, String> {
    let prefix = format!("published.{content}.");
    let latest = (recorded.iter())
        .filter_map(|(key, publication)| {
            let n: u64 = key.strip_prefix(&prefix)?.parse().ok()?;
            Some((n, publication))
        })
        .max_by_key(|(n, _)| *n);
    match latest {
        None => Ok(format!("{prefix}0")),
        Some((n, publication)) if !publication.complete => Ok(format!("{prefix}{n}")),
        Some((n, _)) if again => Ok(format!("{prefix}{}", n + 1)),
        Some((_, publication)) => Err(format!(
            "these lines were already published ({} lines, as {}): publishing them again would \
             judge every line twice; pass --again to mean it",
            publication.lines.iter().sum::<u64>(),
            publication.inputs.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publication(complete: bool) -> Publication {
        Publication {
            lines: vec![2, 1],
            inputs: vec!["a.jsonl".to_owned()],
            complete,
        }
    }

    #[test]
    fn the_same_lines_are_one_content_whatever_their_names() {
        let lines = vec![b"{}".to_vec(), b"{\"x\":1}".to_vec()];
        let other = vec![b"{}".to_vec(), b"{\"x\":2}".to_vec()];
        assert_eq!(content_id(&[&lines]), content_id(&[&lines]));
        assert_ne!(content_id(&[&lines]), content_id(&[&other]));
        assert_ne!(
            content_id(&[&lines]),
            content_id(&[&lines[..1], &lines[1..]]),
            "inputs' boundaries count"
        );
    }

    #[test]
    fn a_complete_publication_is_not_repeated_unless_asked_and_a_failed_one_is_retried() {
        assert_eq!(next_key(&[], "c", false), Ok("published.c.0".to_owned()));
        let done = vec![("published.c.0".to_owned(), publication(true))];
        let refused = next_key(&done, "c", false).expect_err("refused");
        assert!(refused.contains("3 lines, as a.jsonl") && refused.contains("--again"));
        assert_eq!(next_key(&done, "c", true), Ok("published.c.1".to_owned()));
        assert_eq!(next_key(&done, "d", false), Ok("published.d.0".to_owned()));
        let failed = vec![("published.c.0".to_owned(), publication(false))];
        assert_eq!(
            next_key(&failed, "c", false),
            Ok("published.c.0".to_owned())
        );
    }

    #[test]
    fn coverage_names_the_partitions_behind() {
        let coverage = Coverage {
            published: vec![10, 5, 0],
            judged: vec![10, 2],
        };
        assert!(!coverage.complete());
        assert_eq!(coverage.lagging(), [(1, 2, 5)]);
    }
}
