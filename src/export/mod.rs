//! What client code gets: JSON Schema (draft 2020-12) of a lifecycle version's event records,
//! and TypeScript declarations written from that schema; and what people get: state diagrams.

pub mod diagram;
pub mod schema;
pub mod typescript;

pub use schema::record_schema;
