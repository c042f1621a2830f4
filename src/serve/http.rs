//! The collector's HTTP face (axum on a single-threaded tokio runtime): routes, the access
//! rules of `access.rs`, CORS for the origins they allow, the body limit, and server-sent
//! events that tell live pages when something changed.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{watch, Semaphore};
use tokio_stream::wrappers::WatchStream;
use tokio_stream::{Stream, StreamExt};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::access::{self, Access};
use super::collector::{Collector, Refused, ReportPage};
use super::interaction_page;

/// What the handlers share.
#[derive(Clone)]
struct Shared {
    collector: Arc<Mutex<Collector>>,
    /// A count of changes, for live pages.
    changes: Arc<watch::Sender<u64>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Collector> {
        // A handler that panicked left nothing half-done that matters more than serving on.
        self.collector
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n += 1);
    }
}

/// The routes over `collector`, posted bodies up to `max_body` bytes, each request checked by
/// `access`.
pub fn router(collector: Collector, max_body: usize, access: Access) -> Router {
    let shared = Shared {
        collector: Arc::new(Mutex::new(collector)),
        changes: Arc::new(watch::Sender::new(0)),
    };
    Router::new()
        .route("/", get(page))
        .route("/report.html", get(page))
        .route("/events", post(events))
        .route("/report", get(report))
        .route("/interactions/{id}", get(interaction))
        .route("/reset", post(reset))
        .route("/finish", post(finish))
        .route("/updates", get(updates))
        // Browsers ask for it; there is none.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .layer(DefaultBodyLimit::max(max_body))
        // Pages from the origins allowed may post events and read verdicts.
        .layer(cors(&access))
        .layer(middleware::from_fn_with_state(Arc::new(access), checked))
        .with_state(shared)
}

/// CORS headers for the origins `access` allows besides the collector's own.
fn cors(access: &Access) -> CorsLayer {
    let origins: Vec<HeaderValue> = (access.origins.iter())
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
}

/// Applies the access rules before any route (or CORS) sees the request.
async fn checked(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let asked = access::Request {
        method: request.method().as_str(),
        path: request.uri().path(),
        query: request.uri().query(),
        host: text(header::HOST),
        origin: text(header::ORIGIN),
        authorization: text(header::AUTHORIZATION),
        content_type: text(header::CONTENT_TYPE),
        preflight: request.method() == Method::OPTIONS
            && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD),
    };
    if let Err(refusal) = access.check(&asked) {
        let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::FORBIDDEN);
        return (
            status,
            Json(serde_json::json!({ "error": refusal.message })),
        )
            .into_response();
    }
    next.run(request).await
}

/// Connections open at once; more wait to be accepted.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a connection may take to send a request's head, or stay idle between requests.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request's body may take to arrive.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until Ctrl-C: at most [`MAX_CONNECTIONS`] at once, each
/// closed when it is slower than [`HEADER_TIMEOUT`] to send a request's head (or idle that
/// long between requests) or [`BODY_TIMEOUT`] to send its body.
pub async fn run(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    let router = router.layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT));
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            _ = &mut stop => return Ok(()),
            slot = slots.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else {
            return Ok(());
        };
        let (stream, _) = tokio::select! {
            _ = &mut stop => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a moment, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let _held = slot;
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Binds `address` (on the current runtime).
pub async fn bind(address: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address).await
}

async fn page(State(shared): State<Shared>) -> Response {
    let page = shared.lock().page();
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

async fn events(State(shared): State<Shared>, body: Bytes) -> Response {
    let posted = shared.lock().post(&body);
    match posted {
        Ok(verdicts) => {
            shared.changed();
            ([(header::CONTENT_TYPE, "application/json")], verdicts).into_response()
        }
        Err(Refused(message)) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(serde_json::json!({ "error": message })),
        )
            .into_response(),
    }
}

/// `GET /report[?after=K&limit=N]`: the report with a page of its violations; headers say
/// where the page stands (`Plotline-Violations-Total`, `-Forgotten`, `Plotline-Next-After`).
async fn report(State(shared): State<Shared>, uri: Uri) -> Response {
    let mut page = ReportPage {
        after: 0,
        limit: usize::MAX,
    };
    for pair in uri.query().unwrap_or_default().split('&') {
        match pair.split_once('=') {
            Some(("after", n)) => page.after = n.parse().unwrap_or(0),
            Some(("limit", n)) => page.limit = n.parse().unwrap_or(usize::MAX),
            _ => {}
        }
    }
    let (report, span) = shared.lock().report(page);
    let number = |n: u64| HeaderValue::from(n);
    (
        [
            ("plotline-violations-total", number(span.total)),
            ("plotline-violations-forgotten", number(span.forgotten)),
            ("plotline-next-after", number(span.last)),
        ],
        Json(report),
    )
        .into_response()
}

/// An interaction as JSON, or as a page for a browser (one that accepts HTML and did not
/// ask `?format=json`).
async fn interaction(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let collector = shared.lock();
    let found = collector.interaction(&id);
    let accepts_html = (headers.get(header::ACCEPT))
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let wants_json = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "format=json"));
    if accepts_html && !wants_json && !found.is_empty() {
        let json = format!("{}?format=json", uri.path());
        return Html(interaction_page::render(&id, &found, &json)).into_response();
    }
    match found.as_slice() {
        [] => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": format!("no interaction `{id}` was posted") })),
        )
            .into_response(),
        [one] => Json(serde_json::json!(one)).into_response(),
        several => Json(serde_json::json!({ "interactions": several })).into_response(),
    }
}

async fn reset(State(shared): State<Shared>) -> Response {
    shared.lock().reset();
    shared.changed();
    Json(serde_json::json!({ "reset": true })).into_response()
}

async fn finish(State(shared): State<Shared>) -> Response {
    let found = shared.lock().finish();
    shared.changed();
    Json(serde_json::json!({ "violations": found })).into_response()
}

async fn updates(
    State(shared): State<Shared>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = WatchStream::new(shared.changes.subscribe());
    let stream = changes.map(|n| Ok(Event::default().data(n.to_string())));
    Sse::new(stream).keep_alive(KeepAlive::default())
}
