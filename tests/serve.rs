//! `plotline serve` over real HTTP on a free loopback port: verdicts per posted event (JSONL,
//! an array, one object, native records), the JSON report equal to `validate`'s on the same
//! lines, interaction logs, reset, the body limit, the access rules (origins, hosts, token,
//! JSON for state changes), loopback only by default; and one end-to-end run in headless
//! Chromium: a fake widget page on an allowed origin posts its events with `fetch` while the
//! live page follows them, and a page on another origin can neither read nor change anything.

#![cfg(feature = "serve")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{plotline, succeeded};
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

    /// A POST that must succeed (`/reset` and `/finish` as JSON, as they must be sent).
    fn post(&self, path: &str, body: &[u8]) -> Value {
        let json = [("Content-Type", "application/json")];
        let headers: &[(&str, &str)] = match path {
            "/reset" | "/finish" => &json,
            _ => &[],
        };
        let reply = self.request("POST", path, headers, body);
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
fn the_body_limit_cors_for_origins_allowed_and_the_live_page() {
    let server = Server::start(&[
        "--max-body-bytes",
        "1000",
        "--allow-origin",
        "http://localhost:3000",
    ]);
    let big = vec![b' '; 5000];
    assert_eq!(server.request("POST", "/events", &[], &big).status, 413);
    let preflight = |origin: &str| {
        server.request(
            "OPTIONS",
            "/events",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        )
    };
    let allowed = preflight("http://localhost:3000");
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(preflight("https://evil.example").status, 403);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("Plotline live collector") && html.contains("/updates"));
}

#[test]
fn another_origin_another_host_or_a_form_can_neither_read_nor_change_it() {
    let server = Server::start(&[]);
    let line = br#"{"lifecycle":"callback","interaction":"secret-1","event":"ready","ts":1}"#;
    server.post("/events", line);
    let evil = [("Origin", "https://evil.example")];
    for (method, path) in [
        ("GET", "/report"),
        ("GET", "/"),
        ("GET", "/interactions/secret-1"),
        ("POST", "/events"),
        ("POST", "/reset"),
        ("POST", "/finish"),
    ] {
        let reply = server.request(method, path, &evil, line);
        assert_eq!(reply.status, 403, "{method} {path}");
        assert_eq!(reply.header("access-control-allow-origin"), None);
        let said = reply.json()["error"].as_str().unwrap_or("").to_owned();
        assert!(
            said.contains("--allow-origin https://evil.example"),
            "{said}"
        );
    }
    // DNS rebinding: a name that resolves here is not this collector's.
    let mut stream = TcpStream::connect(&server.address).expect("connects");
    stream
        .write_all(b"GET /report HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n")
        .expect("written");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("a reply");
    assert_eq!(Reply::parse(&raw).status, 403);
    // A form (no JSON content type) cannot reset it, even from its own origin.
    let own = format!("http://{}", server.address);
    let form = [
        ("Origin", own.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    assert_eq!(server.request("POST", "/reset", &form, b"a=1").status, 415);
    assert_eq!(server.request("POST", "/reset", &[], b"").status, 415);
    // Nothing was lost.
    assert_eq!(server.get("/interactions/secret-1").status, 200);
    assert_eq!(server.get("/report").json()["summary"]["lines"], 1);
}

#[test]
fn hostile_posts_meet_limits_and_the_report_comes_in_pages() {
    let server = Server::start(&["--max-memory", "64M"]);
    let many = "{}\n".repeat(10_001);
    let refused = server.request("POST", "/events", &[], many.as_bytes());
    assert_eq!(refused.status, 413);
    assert!(refused.json()["error"]
        .as_str()
        .unwrap_or("")
        .contains("over the limit of 10000"));
    let long = "x".repeat(100_000);
    let line =
        format!(r#"{{"lifecycle":"callback","interaction":"{long}","event":"ready","ts":1}}"#);
    let posted = server.post("/events", line.as_bytes());
    let verdict = &posted["verdicts"][0];
    assert_eq!(verdict["violations"][0]["kind"], "bad_envelope");
    assert!(posted.to_string().len() < 1000, "the id is not echoed");
    for i in 0..5 {
        let body =
            format!(r#"{{"lifecycle":"callback","interaction":"p{i}","event":"nope","ts":1}}"#);
        server.post("/events", body.as_bytes());
    }
    let page = server.get("/report?after=2&limit=2");
    assert_eq!(page.header("plotline-violations-total"), Some("6"));
    assert_eq!(page.header("plotline-violations-forgotten"), Some("0"));
    assert_eq!(page.header("plotline-next-after"), Some("4"));
    let listed: Vec<String> = (page.json()["violations"].as_array().expect("violations"))
        .iter()
        .map(|v| v["interaction"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(listed, ["p1", "p2"]);
}

#[test]
fn a_connection_that_sends_its_head_too_slowly_or_idles_is_closed() {
    let server = Server::start(&[]);
    let started = std::time::Instant::now();
    let mut half = TcpStream::connect(&server.address).expect("connects");
    half.write_all(b"GET /report HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .expect("written");
    let mut idle = TcpStream::connect(&server.address).expect("connects");
    for stream in [&mut half, &mut idle] {
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .expect("a read timeout");
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
    }
    let waited = started.elapsed().as_secs_f64();
    assert!((9.0..20.0).contains(&waited), "closed after {waited} s");
    // Others were served all along.
    assert_eq!(server.get("/report").status, 200);
}

#[test]
fn personal_values_are_masked_in_verdicts_and_logs_unless_asked() {
    let lines = [
        r#"{"lifecycle":"callback","interaction":"p","event":"ready","ts":1,"version":"9.0.002.06"}"#,
        r#"{"lifecycle":"callback","interaction":"p","event":"opened","ts":2,"version":"9.0.002.06"}"#,
        r#"{"lifecycle":"callback","interaction":"p","event":"started","ts":3,"version":"9.0.002.06"}"#,
        r#"{"lifecycle":"callback","interaction":"p","event":"submitted","ts":4,"version":"9.0.002.06","data":{"form":{"firstname":"Ada","phonenumber":"+15550100"}}}"#,
    ];
    let body = lines.join("\n");
    let masked = Server::start(&[]);
    let posted = masked.post("/events", body.as_bytes()).to_string();
    assert!(!posted.contains("+15550100"), "{posted}");
    let log = masked.get("/interactions/p").json();
    assert_eq!(
        log["events"][3]["metadata"]["form"],
        "(personal: not shown)"
    );
    let shown = Server::start(&["--show-pii"]);
    let posted = shown.post("/events", body.as_bytes()).to_string();
    assert!(posted.contains("+15550100"), "{posted}");
}

#[test]
fn a_duplicate_delivery_is_marked_and_not_judged_again() {
    let server = Server::start(&[]);
    let line = br#"{"id":"x","lifecycle":"callback","interaction":"a","event":"ready","ts":1}"#;
    let first = server.post("/events", line)["verdicts"][0].clone();
    assert_eq!(first.get("duplicate"), None);
    assert_eq!(first["state"], "ready");
    let again = server.post("/events", line)["verdicts"][0].clone();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["violations"], serde_json::json!([]));
}

#[test]
fn with_a_reorder_window_held_lines_come_back_judged_in_ts_order() {
    let server = Server::start(&["--reorder-window", "10s"]);
    let line = |event: &str, interaction: &str, ts: u64| {
        format!(
            r#"{{"lifecycle":"callback","interaction":"{interaction}","event":"{event}","ts":{ts}}}"#
        )
    };
    // Swapped in transit: `opened` comes before `ready`.
    let answer = server.post("/events", line("opened", "a", 2_000).as_bytes());
    assert_eq!(
        answer["verdicts"],
        serde_json::json!([{"line": 1, "held": true}])
    );
    assert_eq!(answer.get("released"), None);
    server.post("/events", line("ready", "a", 1_000).as_bytes());
    // Event time moves on past the window: both are judged, `ready` first.
    let answer = server.post("/events", line("ready", "b", 20_000).as_bytes());
    let released = answer["released"].as_array().expect("released verdicts");
    let judged: Vec<(u64, &str)> = released
        .iter()
        .map(|v| {
            (
                v["line"].as_u64().unwrap_or(0),
                v["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(judged, [(2, "ready"), (1, "opened")]);
    assert!(released
        .iter()
        .all(|v| v["violations"] == serde_json::json!([])));
    assert_eq!(server.get("/interactions/a").json()["event_count"], 2);
    // The end judges what is still held; only `incomplete` is left to say.
    let found = server.post("/finish", b"");
    let kinds: Vec<&str> = (found["violations"].as_array().expect("violations"))
        .iter()
        .map(|v| v["kind"].as_str().unwrap_or(""))
        .collect();
    assert!(kinds.iter().all(|k| *k == "incomplete"), "{found}");
    assert_eq!(server.get("/interactions/b").json()["event_count"], 1);
    assert_eq!(server.get("/report").json()["summary"]["lines"], 3);
}

#[test]
fn with_a_token_every_route_needs_it() {
    let server = Server::start(&["--token", "s3cret"]);
    assert_eq!(server.get("/report").status, 401);
    assert_eq!(server.get("/").status, 401);
    assert_eq!(server.request("POST", "/events", &[], b"{}").status, 401);
    let bearer = [("Authorization", "Bearer s3cret")];
    assert_eq!(server.request("GET", "/report", &bearer, b"").status, 200);
    let page = server.get("/?token=s3cret");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        html.contains("'/updates' + location.search"),
        "the page carries the token on"
    );
    assert_eq!(server.get("/updates?token=wrong").status, 401);
}

#[test]
fn public_needs_a_token() {
    let refused = plotline(&["serve", "--listen", "0.0.0.0:0", "--public"]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--public needs --token"), "{said}");
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
    let Some(browser) = common::playwright_chromium() else {
        return;
    };
    // The widget's page is served from an origin the collector is told to allow.
    let widget_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let widget_origin = format!("http://127.0.0.1:{widget_port}");
    let server = Server::start(&["--allow-origin", &widget_origin]);
    let output = succeeded(
        Command::new("node")
            .arg(root.join("live_page.cjs"))
            .arg(format!("http://{}", server.address))
            .arg(root.join("widget.html"))
            .arg(widget_port.to_string())
            .env("PLOTLINE_CHROMIUM", &browser)
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
    // A page from another origin could read nothing, and changed nothing: its blind posts
    // (no CORS needed to send them) were refused.
    let tried = &seen["otherOrigin"];
    for attempt in ["read report", "read interaction", "reset as json"] {
        assert_eq!(tried[attempt], "blocked", "{attempt}: {seen}");
    }
    assert_eq!(tried["reset blind"], "opaque", "{seen}");
    assert_eq!(server.get("/interactions/evil-1").status, 404);
    // And the collector agrees: nothing was reset.
    let log = server.get("/interactions/widget-1").json();
    assert_eq!(log["state"], "completed");
    assert_eq!(log["event_count"], 3);
}

#[test]
fn state_and_metadata_are_those_after_timeouts_and_after_finish() {
    let server = Server::start(&[]);
    let t0 = 1_732_435_200_000i64;
    let line = |id: &str, event: &str, ts: i64| {
        format!(
            r#"{{"lifecycle":"zendesk_messaging","interaction":"{id}","event":"{event}","ts":{ts},"version":"1.0"}}"#
        )
    };
    // z1 is prompted, then left alone: 5 minutes later it is closed, `ignored` set.
    server.post(
        "/events",
        line("z1", "proactiveMessageDisplayed", t0).as_bytes(),
    );
    let log = server.get("/interactions/z1").json();
    assert_eq!(log["state"], "prompted", "{log}");
    server.post(
        "/events",
        line("z2", "messagingOpened", t0 + 6 * 60_000).as_bytes(),
    );
    let log = server.get("/interactions/z1").json();
    assert_eq!(log["state"], "closed", "{log}");
    assert_eq!(log["metadata"]["ignored"], t0 + 5 * 60_000, "{log}");
    let page = String::from_utf8(server.get("/").body).expect("UTF-8");
    assert!(
        page.contains(r#"data-interaction="z1" data-state="closed""#),
        "the live table too"
    );
    // 30 minutes closed: the end of the stream moves it on to `ended`.
    server.post(
        "/events",
        line("z2", "messagingClosed", t0 + 40 * 60_000).as_bytes(),
    );
    server.post("/finish", b"{}");
    let log = server.get("/interactions/z1").json();
    assert_eq!(log["state"], "ended", "{log}");
    // A browser gets a page: where it stands, its events, and the JSON a click away.
    let html = [("Accept", "text/html,application/xhtml+xml")];
    let page = server.request("GET", "/interactions/z1", &html, b"");
    let page = String::from_utf8(page.body).expect("UTF-8");
    assert!(page.contains("<title>Interaction z1</title>"), "{page}");
    assert!(page.contains(r#"data-lifecycle="zendesk_messaging" data-state="ended""#));
    assert!(page.contains("proactiveMessageDisplayed") && page.contains("<th>ignored</th>"));
    assert!(page.contains(r#"href="/interactions/z1?format=json""#));
    let json = server.request("GET", "/interactions/z1?format=json", &html, b"");
    assert_eq!(json.json()["state"], "ended");
    // Violations come before the interactions on the live page, and rows with some are marked.
    server.post(
        "/events",
        line("z3", "messagingClosed", t0 + 41 * 60_000).as_bytes(),
    );
    server.post(
        "/events",
        line("z3", "conversationStarted", t0 + 42 * 60_000).as_bytes(),
    );
    let page = String::from_utf8(server.get("/").body).expect("UTF-8");
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {page}"))
    };
    assert!(at("id=\"violations\"") < at("id=\"interactions\""));
    assert!(
        page.contains(r#"<tr class="violated" data-interaction="z3""#),
        "{page}"
    );
    assert!(!page.contains(r#"<tr class="violated" data-interaction="z2""#));
    // A line naming no lifecycle of the catalog is no interaction of the live table.
    server.post(
        "/events",
        br#"{"lifecycle":"nope","interaction":"n1","event":"x","ts":1}"#,
    );
    server.post("/events", b"{not json\n");
    let page = String::from_utf8(server.get("/").body).expect("UTF-8");
    assert!(!page.contains(r#"data-interaction="n1""#));
    assert_eq!(server.get("/interactions/n1").status, 404);
    // It is in the list of lines that reached no interaction, with the malformed one.
    let unattached = page.split("id=\"unattached\"").nth(1).expect("the list");
    assert!(unattached.contains("unknown_lifecycle") && unattached.contains("no lifecycle `nope`"));
    assert!(unattached.contains("malformed_line"), "{unattached}");
    // One count of interactions: the summary's is the table's.
    let report = server.get("/report").json();
    let interactions = report["summary"]["interactions"].as_u64().expect("a count");
    let rows = page.matches("<tr data-interaction=").count()
        + page
            .matches("<tr class=\"violated\" data-interaction=")
            .count();
    assert_eq!(rows as u64, interactions, "{page}");
    assert!(page.contains(&format!(
        "{interactions} interactions, most recently active first."
    )));
}
