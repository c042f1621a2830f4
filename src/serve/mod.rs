//! `plotline serve`, the live collector (cargo feature `serve`): widgets or test pages post
//! their events over HTTP and see each judged at once, by the same interpreter `validate`
//! runs. `collector.rs` holds the state and knows no async code (`mask.rs` hides personal
//! values in what it shows); `access.rs` says who may use it; `http.rs` serves it;
//! `interaction_page.rs` draws an interaction for people.

pub mod access;
pub mod collector;
pub mod http;
pub mod interaction_page;
mod mask;
