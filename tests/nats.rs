//! The partitioned mode against a real NATS server with JetStream (2.10+, from
//! `tests/clients/setup.sh`, `PLOTLINE_NATS_SERVER` or the `PATH`), each test on its own free
//! port with a temporary store: what the workers report equals what `validate` reports for the
//! same file, violation for violation, whether or not a worker is killed mid-stream; lines that
//! are no event are accounted and never hold a partition up; a full input stream makes
//! `publish` fail loudly.

#![cfg(feature = "nats")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{plotline, present};
use serde_json::Value;

/// A nats-server 2.10 or newer, or `None` (then the tests say so, and fail when
/// `PLOTLINE_CLIENTS=require`).
fn server_binary() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PLOTLINE_NATS_SERVER").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/.venv/bin/nats-server")),
        Some(PathBuf::from("nats-server")),
    ];
    candidates.into_iter().flatten().find(|path| {
        let Ok(output) = Command::new(path).arg("--version").output() else {
            return false;
        };
        // "nats-server: v2.10.26"
        let text = String::from_utf8_lossy(&output.stdout);
        let version = text.trim().rsplit('v').next().unwrap_or("");
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        (major, minor) >= (2, 10)
    })
}

/// A JetStream server on a free port, stopped when dropped.
struct Server {
    child: Child,
    url: String,
    binary: PathBuf,
    port: u16,
    store: tempfile::TempDir,
}

impl Server {
    fn start() -> Option<Server> {
        let binary = server_binary();
        if !present("nats-server 2.10+", binary.is_some()) {
            return None;
        }
        let binary = binary?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let store = tempfile::tempdir().expect("temp dir");
        let child = Server::spawn(&binary, port, store.path());
        Some(Server {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            binary,
            port,
            store,
        })
    }

    /// The server process on `port` over `store`, once it accepts connections.
    fn spawn(binary: &Path, port: u16, store: &Path) -> Child {
        let child = Command::new(binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        child
    }

    /// Kills the server (no goodbye), waits `down`, and starts it again on the same port and
    /// store.
    fn restart(&mut self, down: Duration) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(down);
        self.child = Server::spawn(&self.binary, self.port, self.store.path());
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--nats", &self.url]);
        plotline(&all)
    }

    /// A worker; `pause` (a number from 1) stops it in the middle of that checkpoint.
    fn worker(&self, id: &str, idle_exit: &str, checkpoint_every: &str, pause: &str) -> Child {
        self.worker_with(id, idle_exit, checkpoint_every, pause, &[])
    }

    /// A worker with more arguments.
    fn worker_with(
        &self,
        id: &str,
        idle_exit: &str,
        checkpoint_every: &str,
        pause: &str,
        more: &[&str],
    ) -> Child {
        Command::new(env!("CARGO_BIN_EXE_plotline"))
            .env("PLOTLINE_PAUSE_IN_CHECKPOINT", pause)
            .args(["worker", "--nats", &self.url, "--id", id])
            .args(more)
            .args(["--checkpoint-every", checkpoint_every])
            .args(["--idle-exit", idle_exit])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("PLOTLINE_CATALOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("a worker starts")
    }

    /// Runs a command that must succeed.
    fn must(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// A worker stopped for good in its `pause`th checkpoint (of one every `every` lines),
    /// killed after `wait`, and a second one that takes its partitions over from their
    /// checkpoints: what the second said.
    fn stopped_and_taken_over(
        &self,
        every: &str,
        pause: &str,
        wait: Duration,
        more: &[&str],
    ) -> String {
        let mut first = self.worker_with("w1", "60", every, pause, more);
        until_said(&mut first, "paused in checkpoint");
        std::thread::sleep(wait);
        first.kill().expect("killed");
        let _ = first.wait();
        said(self.worker_with("w1", "12", every, "0", more))
    }

    fn report(&self) -> Value {
        let output = self.run(&["report"]);
        serde_json::from_slice(&output.stdout).expect("the report is JSON")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A simulated stream with every violation kind, cut mid-flight.
fn stream(dir: &Path, events: &str) -> PathBuf {
    simulated(dir, events, "0.01")
}

/// A simulated stream cut mid-flight, with `violations` of its lines faulty.
fn simulated(dir: &Path, events: &str, violations: &str) -> PathBuf {
    let path = dir.join("stream.jsonl");
    let output = plotline(&[
        "simulate",
        "-n",
        events,
        "--open",
        "2000",
        "--cut",
        "--violations",
        violations,
        "--seed",
        "11",
    ]);
    std::fs::write(&path, output.stdout).expect("written");
    path
}

/// The report `validate` writes, and the collector's, compared: counts equal, violations
/// equal as multisets.
fn assert_same(found: &Value, path: &Path) {
    assert_same_as(found, path, &[]);
}

/// Like [`assert_same`], `validate` given `more` arguments.
fn assert_same_as(found: &Value, path: &Path, more: &[&str]) {
    let mut args = vec![
        "validate",
        "-j1",
        "--format",
        "json",
        path.to_str().unwrap(),
    ];
    args.extend(more);
    let validated = plotline(&args);
    let expected: Value = serde_json::from_slice(&validated.stdout).expect("JSON");
    assert_eq!(found["summary"], expected["summary"]);
    let sorted = |report: &Value| {
        let mut all: Vec<String> = (report["violations"].as_array().expect("violations"))
            .iter()
            .map(|v| v.to_string())
            .collect();
        all.sort();
        all
    };
    assert_eq!(sorted(found), sorted(&expected));
}

/// `GET /metrics` at `address`.
fn metrics(address: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).expect("the metrics port");
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("asked");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("a reply");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    reply
}

/// The number a worker's summary line gives just before `after` (`u64::MAX` when none).
fn number_before(text: &str, after: &str) -> u64 {
    (text.lines())
        .find_map(|l| {
            let head = l.split(after).next()?;
            (head.len() < l.len()).then_some(())?;
            head.rsplit(' ').next()?.parse().ok()
        })
        .unwrap_or(u64::MAX)
}

/// Reads a worker's stderr (taking it) until a line contains `text`; that line.
fn until_said(worker: &mut Child, text: &str) -> String {
    let mut told = BufReader::new(worker.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains(text) {
        line.clear();
        let read = told.read_line(&mut line).expect("it says");
        assert!(read > 0, "the worker ended without saying `{text}`");
    }
    line
}

/// What a worker said, once it ended by itself within `limit` (killed, and failing the
/// test, when it did not).
fn said_within(mut child: Child, limit: Duration) -> String {
    let began = Instant::now();
    while child.try_wait().expect("waited").is_none() {
        if began.elapsed() > limit {
            let _ = child.kill();
            panic!("the worker was still there after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    said(child)
}

fn said(child: Child) -> String {
    let output = child.wait_with_output().expect("the worker ends");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn three_workers_on_twelve_partitions_report_what_validate_reports() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "200000");
    server.must(&["nats-setup", "--partitions", "12", "--events"]);
    server.must(&["publish", path.to_str().unwrap()]);
    // One thread, two, and one per core: each judges as `validate` does.
    let workers: Vec<Child> = [("w1", &["-j", "1"][..]), ("w2", &["-j", "2"]), ("w3", &[])]
        .into_iter()
        .map(|(id, jobs)| server.worker_with(id, "4", "300", "0", jobs))
        .collect();
    let mut processed = 0u64;
    for worker in workers {
        let text = said(worker);
        let mine = number_before(&text, " input lines processed");
        assert!(
            mine > 0 && mine != u64::MAX,
            "every worker took a share: {text}"
        );
        processed += mine;
    }
    // Every line, once.
    assert_eq!(processed, 200_000);
    let report = server.report();
    assert_eq!(report["summary"]["lines"], 200_000);
    assert!(report["summary"]["by_kind"]["malformed_line"].as_u64() > Some(0));
    assert_same(&report, &path);
    // The events with their computed metadata are those `run` writes, line for line (the
    // workers' grouped by partition).
    let events = server.run(&["report", "--events"]);
    assert_eq!(events.status.code(), Some(0));
    let ran = plotline(&["run", path.to_str().unwrap()]);
    let sorted = |bytes: &[u8]| {
        let mut lines: Vec<String> = (String::from_utf8_lossy(bytes).lines())
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    let (mine, theirs) = (sorted(&events.stdout), sorted(&ran.stdout));
    assert_eq!(mine.len(), theirs.len());
    assert!(mine == theirs, "the event records differ from run's");
}

#[test]
fn a_stream_of_mostly_violations_never_stalls_a_worker() {
    let Some(server) = Server::start() else {
        return;
    };
    // Every output is a publish whose acknowledgement the worker awaits before its next
    // checkpoint at the latest. One line a message makes each line's events one output and
    // its violations another; with one checkpoint for the whole stream, about 32,000 come
    // before it: far more than a connection's default permits for publishes awaiting theirs
    // (5,000).
    let dir = tempfile::tempdir().expect("temp dir");
    let path = simulated(dir.path(), "20000", "0.6");
    server.must(&["nats-setup", "--partitions", "12", "--events"]);
    let published = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .env("PLOTLINE_PUBLISH_BATCH_LINES", "1")
        .args(["publish", path.to_str().unwrap(), "--nats", &server.url])
        .output()
        .expect("publish runs");
    assert!(published.status.success(), "{published:?}");
    let worker = server.worker_with("w1", "2", "1000000", "0", &["-j", "1"]);
    let text = said_within(worker, Duration::from_secs(60));
    assert_eq!(number_before(&text, " input lines processed"), 20_000);
    let report = server.report();
    assert!(report["summary"]["violations"].as_u64() > Some(10_000));
    assert_same(&report, &path);
}

/// Where the first worker is killed.
#[derive(Clone, Copy, PartialEq)]
enum Kill {
    /// Between two checkpoints: once about 40% of the stream's violations are stored.
    BetweenCheckpoints,
    /// In the middle of its 8th checkpoint (of about 20): its groups written, its head not.
    MidCheckpoint,
}

/// A worker is SIGKILLed (no goodbye) at `kill`, then started again once its leases expired:
/// the report still equals `validate`'s, nothing missing, nothing doubled.
fn killed_and_restarted(kill: Kill) {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "60000");
    server.must(&["nats-setup", "--partitions", "4", "--state-groups", "16"]);
    server.must(&["publish", path.to_str().unwrap()]);
    // Each partition is checkpointed every 3000 lines: about 20 checkpoints in all.
    let pause = match kill {
        Kill::MidCheckpoint => "8",
        Kill::BetweenCheckpoints => "0",
    };
    let mut first = server.worker("w1", "60", "3000", pause);
    let mut said_first = BufReader::new(first.stderr.take().expect("stderr"));
    let mut line = String::new();
    said_first
        .read_line(&mut line)
        .expect("the metrics address");
    let metrics_at = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    match kill {
        Kill::BetweenCheckpoints => {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let report = server.report();
                if report["violations"].as_array().map_or(0, Vec::len) > 250 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "the first worker made no progress"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Kill::MidCheckpoint => {
            line.clear();
            said_first.read_line(&mut line).expect("it pauses");
            assert!(line.contains("paused in checkpoint 8"), "{line}");
        }
    }
    // Its metrics, as Prometheus reads them.
    let metrics = metrics(&metrics_at);
    let value = |name: &str| -> f64 {
        (metrics.lines())
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(-1.0)
    };
    assert_eq!(value("plotline_worker_partitions "), 4.0, "{metrics}");
    assert!(value("plotline_worker_events_total ") > 0.0, "{metrics}");
    assert!(
        value("plotline_worker_checkpoints_total ") > 0.0,
        "{metrics}"
    );
    assert!(
        metrics.contains("plotline_worker_partition_lag{partition=\"0\"}"),
        "{metrics}"
    );
    first.kill().expect("killed");
    let _ = first.wait();
    // Started again: its leases expired (6 s), it takes the partitions over from their
    // checkpoints.
    let again = server.worker("w1", "12", "300", "0");
    let text = said(again);
    eprintln!("{text}");
    let number = |after: &str| number_before(&text, after);
    // Partitions progress unevenly, so one may not have had a checkpoint yet: it starts from
    // the beginning. At least one is taken over from its checkpoint.
    let restored = number(" partitions taken over from a checkpoint");
    assert!((1..=4).contains(&restored), "{text}");
    // It went on from the checkpoints, not from the start, and had lines left to do.
    let processed = number(" input lines processed");
    assert!(processed > 0 && processed < 60_000, "{text}");
    // What the first worker did past the checkpoints it did again: the outputs were
    // published again and dropped as duplicates. Killed in a checkpoint, it had stored
    // every output that checkpoint covered, so there are such duplicates for certain.
    let duplicates = number(" replayed outputs dropped as duplicates");
    assert_ne!(duplicates, u64::MAX, "{text}");
    if kill == Kill::MidCheckpoint {
        assert!(duplicates > 0, "{text}");
    }
    assert_same(&server.report(), &path);
}

#[test]
fn a_worker_killed_between_checkpoints_loses_and_doubles_nothing() {
    killed_and_restarted(Kill::BetweenCheckpoints);
}

#[test]
fn a_worker_killed_in_the_middle_of_a_checkpoint_loses_and_doubles_nothing() {
    killed_and_restarted(Kill::MidCheckpoint);
}

#[test]
fn a_full_input_stream_makes_publish_fail_loudly() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "20000");
    server.must(&["nats-setup", "--partitions", "2", "--max-bytes", "200000"]);
    let published = server.run(&["publish", path.to_str().unwrap()]);
    assert_eq!(published.status.code(), Some(2));
    let said = String::from_utf8_lossy(&published.stderr);
    let acknowledged: u64 = said
        .split("after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    assert!(acknowledged < 20_000, "{said}");
}

#[test]
fn with_a_reorder_window_workers_judge_swapped_lines_as_validate_does_across_a_kill() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // Few interactions open at once, so that adjacent lines are often of one interaction.
    let simulated = plotline(&[
        "simulate",
        "-n",
        "20000",
        "--open",
        "5",
        "--cut",
        "--violations",
        "0.01",
        "--seed",
        "11",
    ]);
    let text = String::from_utf8(simulated.stdout).expect("UTF-8");
    // Every fifth pair of adjacent lines swapped in transit, each keeping its `ts`.
    let mut lines: Vec<&str> = text.lines().collect();
    for pair in lines.chunks_mut(2).step_by(5) {
        pair.reverse();
    }
    let path = dir.path().join("swapped.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("written");
    let window = ["--reorder-window", "10s"];
    let without: Value = serde_json::from_slice(
        &plotline(&["validate", "--format", "json", path.to_str().unwrap()]).stdout,
    )
    .expect("JSON");
    let with: Value = serde_json::from_slice(
        &plotline(&[
            "validate",
            "--format",
            "json",
            "--reorder-window",
            "10s",
            path.to_str().unwrap(),
        ])
        .stdout,
    )
    .expect("JSON");
    let count = |report: &Value| report["violations"].as_array().map_or(0, Vec::len);
    assert!(count(&with) < count(&without), "the window matters here");
    server.must(&["nats-setup", "--partitions", "3", "--state-groups", "4"]);
    server.must(&["publish", path.to_str().unwrap()]);
    // Stopped for good in its 4th checkpoint (lines held then are in the head written
    // before), killed, and started again.
    let text = server.stopped_and_taken_over("1000", "4", Duration::ZERO, &window);
    assert!(
        number_before(&text, " partitions taken over from a checkpoint") >= 1,
        "{text}"
    );
    assert_same_as(&server.report(), &path, &window);
}

#[test]
fn workers_end_quiet_interactions_where_validate_does_across_a_kill() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "20000");
    // A quiet period short enough that many interactions rest past it.
    let quiet = ["--quiet-end", "3s"];
    let interactions = |more: &[&str]| {
        let args = [
            &["validate", "--format", "json"],
            more,
            &[path.to_str().unwrap()],
        ]
        .concat();
        let report: Value = serde_json::from_slice(&plotline(&args).stdout).expect("JSON");
        report["summary"]["interactions"].as_u64()
    };
    assert!(
        interactions(&quiet) > interactions(&[]),
        "the quiet period matters here"
    );
    server.must(&["nats-setup", "--partitions", "3", "--state-groups", "4"]);
    server.must(&["publish", path.to_str().unwrap()]);
    // Stopped for good in its 4th checkpoint, killed, and started again.
    let text = server.stopped_and_taken_over("1000", "4", Duration::ZERO, &quiet);
    assert!(
        number_before(&text, " partitions taken over from a checkpoint") >= 1,
        "{text}"
    );
    assert_same_as(&server.report(), &path, &quiet);
}

#[test]
fn workers_mask_personal_values_unless_told_to_show_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let line = |event: &str, ts: u32, data: &str| {
        format!(
            r#"{{"lifecycle":"callback","interaction":"c","event":"{event}","ts":{ts},"version":"9.0.002.06"{data}}}"#
        )
    };
    // The form (personal) is a text, not an object: an invalid payload.
    let lines = [
        line("ready", 1, ""),
        line("opened", 2, ""),
        line("started", 3, ""),
        line("submitted", 4, r#","data":{"form":"Jane Doe 555-0100"}"#),
    ];
    let path = dir.path().join("personal.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("written");
    for show in [false, true] {
        let Some(server) = Server::start() else {
            return;
        };
        server.must(&["nats-setup", "--partitions", "1"]);
        server.must(&["publish", path.to_str().unwrap()]);
        let more: &[&str] = if show { &["--show-pii"] } else { &[] };
        said(server.worker_with("w1", "3", "1000", "0", more));
        let report = server.report();
        let messages = report["violations"].to_string();
        assert_eq!(
            report["summary"]["by_kind"]["invalid_payload"], 1,
            "{report:#}"
        );
        assert_eq!(messages.contains("555-0100"), show, "{messages}");
        assert_eq!(
            messages.contains("a personal value (not shown)"),
            !show,
            "{messages}"
        );
        assert_same_as(&report, &path, more);
    }
}

#[test]
fn workers_go_on_by_themselves_after_the_server_restarts() {
    let Some(mut server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "60000");
    server.must(&["nats-setup", "--partitions", "4", "--state-groups", "8"]);
    server.must(&["publish", path.to_str().unwrap()]);
    let worker = server.worker("w1", "20", "2000", "0");
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.report()["violations"].as_array().map_or(0, Vec::len) < 100 {
        assert!(Instant::now() < deadline, "the worker made no progress");
        std::thread::sleep(Duration::from_millis(50));
    }
    server.restart(Duration::from_secs(2));
    // No one touches the worker: it reconnects, takes its partitions again and finishes.
    let text = said(worker);
    assert!(
        number_before(&text, " input lines processed") >= 60_000,
        "{text}"
    );
    assert_same(&server.report(), &path);
}

#[test]
fn a_report_says_when_it_is_incomplete_and_a_stream_is_not_published_twice_by_mistake() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "20000");
    let set_up = server.must(&["nats-setup", "--partitions", "3"]);
    let told = String::from_utf8_lossy(&set_up.stderr);
    assert!(
        told.contains("set up `plotline`") && told.contains("3 partitions"),
        "{told}"
    );
    let again = server.must(&["nats-setup", "--partitions", "3"]);
    let told = String::from_utf8_lossy(&again.stderr);
    assert!(
        told.contains("already set up as asked, nothing changed"),
        "{told}"
    );
    let published = server.must(&["publish", path.to_str().unwrap()]);
    let told = String::from_utf8_lossy(&published.stderr);
    assert!(told.contains("sent 20000 lines: all stored"), "{told}");
    // Asked before any worker ran: not a clean report, and says why.
    let early = server.run(&["report"]);
    assert_eq!(early.status.code(), Some(3));
    let told = String::from_utf8_lossy(&early.stderr);
    assert!(
        told.contains("report incomplete: 0 of 20000 lines"),
        "{told}"
    );
    // The same lines under another name are refused.
    let copy = dir.path().join("copy.jsonl");
    std::fs::copy(&path, &copy).expect("copied");
    let again = server.run(&["publish", copy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    let told = String::from_utf8_lossy(&again.stderr);
    assert!(
        told.contains("already published (20000 lines") && told.contains("--again"),
        "{told}"
    );
    // `--wait` waits for a worker to judge everything.
    let worker = server.worker("w1", "4", "5000", "0");
    let waited = server.run(&["report", "--wait", "120"]);
    assert_eq!(waited.status.code(), Some(1), "violations, complete");
    let report: Value = serde_json::from_slice(&waited.stdout).expect("JSON");
    assert_same(&report, &path);
    said(worker);
    // Set up without `--events`: the workers kept none, and `report --events` says so
    // rather than write an empty list; the layout is not changed by asking again.
    let no_events = server.run(&["report", "--events"]);
    assert_eq!(no_events.status.code(), Some(2));
    assert!(no_events.stdout.is_empty());
    let told = String::from_utf8_lossy(&no_events.stderr);
    assert!(
        told.contains("keeps no events") && told.contains("nats-setup --events"),
        "{told}"
    );
    let other = server.run(&["nats-setup", "--partitions", "3", "--events"]);
    assert_eq!(other.status.code(), Some(2));
    let told = String::from_utf8_lossy(&other.stderr);
    assert!(told.contains("no events kept, not 3 partitions"), "{told}");
    // On purpose, the lines are judged once more.
    server.must(&["publish", "--again", copy.to_str().unwrap()]);
    let worker = server.worker("w1", "4", "5000", "0");
    let waited = server.run(&["report", "--wait", "120"]);
    assert_eq!(waited.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&waited.stdout).expect("JSON");
    assert_eq!(report["summary"]["lines"], 40_000);
    said(worker);
}

#[test]
fn a_worker_paused_past_the_duplicate_window_doubles_no_verdict() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "20000");
    server.must(&[
        "nats-setup",
        "--partitions",
        "2",
        "--state-groups",
        "4",
        "--duplicate-window",
        "1",
    ]);
    server.must(&["publish", path.to_str().unwrap()]);
    // Stopped in its 3rd checkpoint: the outputs it covers are stored, its head is not.
    // Killed past the window: the replay's copies are stored again, not dropped.
    let text = server.stopped_and_taken_over("2000", "3", Duration::from_secs(3), &[]);
    assert_eq!(
        number_before(&text, " replayed outputs dropped as duplicates"),
        0,
        "the stream kept the late copies: {text}"
    );
    // Yet each output counts once.
    assert_same(&server.report(), &path);
}

#[test]
fn a_full_output_store_is_said_by_the_worker_and_the_report_is_incomplete() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = stream(dir.path(), "20000");
    server.must(&[
        "nats-setup",
        "--partitions",
        "2",
        "--max-output-bytes",
        "200000",
        // Every event kept: the outputs outgrow the stream.
        "--events",
    ]);
    server.must(&["publish", path.to_str().unwrap()]);
    let mut worker = server.worker("w1", "120", "2000", "0");
    let line = until_said(&mut worker, "trying again from its checkpoint");
    assert!(line.contains("partition"), "{line}");
    // What the workers could store is no complete verdict, and the report says so.
    let report = server.run(&["report"]);
    assert_eq!(report.status.code(), Some(3));
    let said = String::from_utf8_lossy(&report.stderr);
    assert!(said.contains("report incomplete"), "{said}");
    worker.kill().expect("killed");
    let _ = worker.wait();
}
