//! Time is injected so D-day and settlement can be tested without waiting.

use std::sync::Arc;

use chrono::{DateTime, Utc};

#[derive(Clone, Default)]
pub enum Clock {
    #[default]
    System,
    /// Always the same instant; for tests and reproducible benchmarks.
    Fixed(DateTime<Utc>),
    /// Any other source, e.g. a clock a test can advance.
    Custom(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(instant) => *instant,
            Clock::Custom(source) => source(),
        }
    }
}
