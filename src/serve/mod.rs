//! `plotline serve`, the live collector (cargo feature `serve`): widgets or test pages post
//! their events over HTTP and see each judged at once, by the same interpreter `validate`
//! runs. `collector.rs` holds the state and knows no async code; `http.rs` serves it.

pub mod collector;
pub mod http;
