//! A worker's Prometheus metrics, in the text exposition format, on a local port: whatever
//! is asked for (`GET /metrics` by convention), the answer is the metrics.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::nats::{PartitionGauges, WorkerStats};

/// A per-partition gauge: its name, its help, and how to read it.
type Gauge<'a> = (&'a str, &'a str, &'a dyn Fn(&PartitionGauges) -> f64);

/// The metrics now.
pub fn render(stats: &WorkerStats) -> String {
    let mut out = String::new();
    let counters = [
        (
            "plotline_worker_events_total",
            "Input lines processed (replays included).",
            &stats.processed,
        ),
        (
            "plotline_worker_replayed_outputs_total",
            "Outputs dropped by the output stream as duplicates of a replay.",
            &stats.duplicates,
        ),
        (
            "plotline_worker_replay_skips_total",
            "Input messages delivered again at or below the sequence already applied, skipped.",
            &stats.skipped,
        ),
        (
            "plotline_worker_restored_partitions_total",
            "Partitions taken over from a checkpoint.",
            &stats.restored,
        ),
        (
            "plotline_worker_lease_changes_total",
            "Leases taken, lost or let go.",
            &stats.lease_changes,
        ),
        (
            "plotline_worker_errors_total",
            "Partition runs that failed (each said on stderr and tried again from its checkpoint).",
            &stats.errors,
        ),
        (
            "plotline_worker_checkpoints_total",
            "Checkpoints written.",
            &stats.checkpoints,
        ),
        (
            "plotline_worker_checkpoint_microseconds_total",
            "Time spent checkpointing (outputs acknowledged, then the state written).",
            &stats.checkpoint_micros,
        ),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
            value.load(Ordering::SeqCst)
        );
    }
    let partitions = stats.partitions.lock().unwrap_or_else(|p| p.into_inner());
    let gauges: [Gauge<'_>; 3] = [
        (
            "plotline_worker_partition_lag",
            "Input messages of the partition not yet delivered.",
            &|g| g.pending as f64,
        ),
        (
            "plotline_worker_partition_open_interactions",
            "Interactions open in the partition.",
            &|g| g.open as f64,
        ),
        (
            "plotline_worker_partition_checkpoint_age_seconds",
            "Seconds since the partition's last checkpoint.",
            &|g| g.checkpointed.elapsed().as_secs_f64(),
        ),
    ];
    let _ = writeln!(out, "# HELP plotline_worker_partitions Partitions held.\n# TYPE plotline_worker_partitions gauge\nplotline_worker_partitions {}", partitions.len());
    for (name, help, value) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (partition, gauge) in partitions.iter() {
            let _ = writeln!(out, "{name}{{partition=\"{partition}\"}} {}", value(gauge));
        }
    }
    out
}

/// Answers every connection on `listener` with the metrics.
pub async fn serve(listener: TcpListener, stats: Arc<WorkerStats>) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let body = render(&stats);
        tokio::spawn(async move {
            let mut request = [0u8; 2048];
            let _ = socket.read(&mut request).await;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            let _ = socket.shutdown().await;
        });
    }
}
