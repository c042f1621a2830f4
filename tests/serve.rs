//! `plotline serve` over real HTTP on a free loopback port: verdicts per posted event (JSONL,
//! an array, one object, native records), the JSON report equal to `validate`'s on the same
//! lines, interaction logs, reset, the body limit, CORS, loopback only by default; and one
//! end-to-end run in headless Chromium: a fake widget page posts its events with `fetch`
//! while the live page follows them.

#![cfg(feature = "serve")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{chromium, plotline, present, succeeded};
use serde_json::Value;

/// A collector on a free port, stopped when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plotline"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("PLOTLINE_CATALOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("plotline serve starts");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("a first line");
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        Server { child, address }
    }

    /// `METHOD path` with `body`: the status, the headers (lower-case names) and the body.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(&self.address).expect("connects");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("written");
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("a reply");
        Reply::parse(&raw)
    }

    fn post(&self, path: &str, body: &[u8]) -> Value {
        let reply = self.request("POST", path, &[], body);
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.json()
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header end");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|code| code.parse().ok())
            .expect("a status");
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        (self.headers.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&body[..end]).unwrap().trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 4 + size..];
    }
    out
}

/// A JSON report with the file names taken out, to compare a collector's with `validate`'s.
fn without_files(mut report: Value) -> Value {
    for violation in report["violations"].as_array_mut().expect("violations") {
        violation.as_object_mut().expect("object").remove("file");
    }
    report
}

#[test]
fn after_finish_the_report_is_the_one_validate_writes_for_the_same_lines() {
    for stream in [
        "tests/fixtures/streams/every_kind.jsonl",
        "tests/fixtures/streams/genesys_bus.jsonl",
        "tests/fixtures/streams/lptag.jsonl",
    ] {
        let server = Server::start(&[]);
        let body = std::fs::read(stream).expect("stream");
        let posted = server.post("/events", &body);
        let verdicts = posted["verdicts"].as_array().expect("verdicts");
        let text = body.strip_suffix(b"\n").unwrap_or(&body);
        let lines = text.split(|&b| b == b'\n').count();
        let blank = (text.split(|&b| b == b'\n'))
            .filter(|l| l.iter().all(u8::is_ascii_whitespace))
            .count();
        assert_eq!(
            verdicts.len(),
            lines - blank,
            "{stream}: a verdict per line"
        );
        server.post("/finish", b"");
        let report = server.get("/report").json();

        let validated = plotline(&["validate", "-j1", "--format", "json", "--coverage", stream]);
        let expected: Value = serde_json::from_slice(&validated.stdout).expect("JSON");
        assert_eq!(
            without_files(report),
            without_files(expected),
            "{stream}: collector and validate disagree"
        );
    }
}

#[test]
fn verdicts_carry_state_metadata_and_violations_whatever_the_body_shape() {
    let server = Server::start(&[]);
    let lines: Vec<&str> = vec![
        r#"{"lifecycle":"callback","interaction":"a","event":"ready","ts":1000}"#,
        r#"{"lifecycle":"callback","interaction":"a","event":"opened","ts":2000}"#,
        r#"{"lifecycle":"callback","interaction":"a","event":"completed","ts":3000}"#,
    ];
    let jsonl = server.post("/events", lines.join("\n").as_bytes());
    let verdicts = jsonl["verdicts"].as_array().unwrap();
    assert_eq!(verdicts[1]["state"], "opened");
    assert_eq!(verdicts[1]["metadata"]["opened"], 2000);
    assert_eq!(verdicts[2]["violations"][0]["kind"], "illegal_transition");
    assert_eq!(verdicts[2]["line"], 3);

    // The same events as an array, and one by one as objects, for another interaction.
    let renamed: Vec<String> = lines.iter().map(|l| l.replace("\"a\"", "\"b\"")).collect();
    let array = server.post("/events", format!("[{}]", renamed.join(",")).as_bytes());
    let one = server.post("/events", renamed[0].replace("\"b\"", "\"c\"").as_bytes());
    let strip = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("line");
        v.as_object_mut().unwrap().remove("interaction");
        for found in v["violations"].as_array_mut().unwrap() {
            found.as_object_mut().unwrap().remove("line");
            found.as_object_mut().unwrap().remove("interaction");
        }
        v
    };
    for (a, b) in verdicts.iter().zip(array["verdicts"].as_array().unwrap()) {
        assert_eq!(strip(a), strip(b));
    }
    assert_eq!(strip(&verdicts[0]), strip(&one["verdicts"][0]));

    // A malformed line is counted and reported; processing goes on.
    let mixed = server.post("/events", b"{not json\n\n{\"lifecycle\":\"callback\",\"interaction\":\"d\",\"event\":\"ready\",\"ts\":1}");
    let mixed = mixed["verdicts"].as_array().unwrap();
    assert_eq!(mixed.len(), 2, "the blank line gives no verdict");
    assert_eq!(mixed[0]["violations"][0]["kind"], "malformed_line");
    assert_eq!(mixed[1]["state"], "ready");
    let summary = &server.get("/report").json()["summary"];
    assert_eq!(summary["lines"], 3 + 3 + 1 + 3);
    assert_eq!(summary["blank"], 1);
    assert_eq!(summary["malformed"], 1);

    // The interaction's log.
    let log = server.get("/interactions/a").json();
    assert_eq!(log["state"], "completed");
    assert_eq!(log["violations"], 1);
    let events: Vec<&str> = (log["events"].as_array().unwrap().iter())
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["ready", "opened", "completed"]);
    assert_eq!(server.get("/interactions/nobody").status, 404);

    // Reset forgets everything.
    server.post("/reset", b"");
    let summary = &server.get("/report").json()["summary"];
    assert_eq!(summary["lines"], 0);
    assert_eq!(server.get("/interactions/a").status, 404);
}

#[test]
fn the_body_limit_cors_and_the_live_page() {
    let server = Server::start(&["--max-body-bytes", "1000"]);
    let big = vec![b' '; 5000];
    assert_eq!(server.request("POST", "/events", &[], &big).status, 413);
    let preflight = server.request(
        "OPTIONS",
        "/events",
        &[
            ("Origin", "http://localhost:3000"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    );
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let page = server.get("/");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("Plotline live collector") && html.contains("/updates"));
}

#[test]
fn only_loopback_unless_asked() {
    let refused = plotline(&["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("not a loopback address") && said.contains("--public"),
        "{said}"
    );
}

#[test]
fn a_fake_widget_in_headless_chromium_is_followed_by_the_live_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let browser = chromium();
    let driver = root.join("node_modules/playwright-core").is_dir();
    if !present("playwright-core (tests/clients/setup.sh)", driver)
        || !present("Chromium", browser.is_some())
    {
        return;
    }
    let server = Server::start(&[]);
    let output = succeeded(
        Command::new("node")
            .arg(root.join("live_page.cjs"))
            .arg(format!("http://{}", server.address))
            .arg(root.join("widget.html"))
            .env("PLOTLINE_CHROMIUM", browser.expect("checked"))
            .current_dir(&root),
    );
    let seen: Value = serde_json::from_slice(&output.stdout).expect("the script's JSON");
    assert_eq!(seen["errors"], serde_json::json!([]));
    // The widget saw its verdicts: the early `completed` was refused.
    assert_eq!(seen["widgetLog"][2], "completed: illegal_transition");
    // The live page, open before the widget fired, followed it: the interaction, its state,
    // the violation.
    assert_eq!(seen["row"]["state"], "completed");
    assert_eq!(seen["row"]["violations"], "1");
    assert!(
        seen["illegal"].as_str().unwrap().contains("widget-1"),
        "{seen}"
    );
    // And the collector agrees.
    let log = server.get("/interactions/widget-1").json();
    assert_eq!(log["state"], "completed");
    assert_eq!(log["event_count"], 3);
}
