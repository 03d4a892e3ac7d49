//! The Moa server process: configuration, start-up, routing and health.
//! `main.rs` only parses the command line; tests use this library to run the
//! real router on a random port.

pub mod body_limit;
pub mod cache_headers;
pub mod config;
pub mod demo;
pub mod health;
pub mod language;
pub mod ledger_check;
pub mod live;
pub mod load_shed;
pub mod observability;
pub mod origin_check;
pub mod page_cache;
pub mod request_timeout;
pub mod rest;
pub mod routes;
pub mod security_headers;
pub mod serve;
pub mod settle;
pub mod settlement_task;
pub mod startup;

pub use routes::{Limits, router};
pub use serve::serve;
pub use startup::{StartupError, build_state, connect_database, migrate};
