//! What Moa tells its operators: structured logs with one line per request
//! (`logging`, `request_log`), and Prometheus metrics on a listener of their
//! own, away from the public router (`metrics`).

pub mod logging;
pub mod metrics;
pub mod request_log;

pub use request_log::REQUEST_ID;
