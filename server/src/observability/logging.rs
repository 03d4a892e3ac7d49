//! The log subscriber: JSON lines in production (one object per line, for a
//! log collector), the human format everywhere else. `RUST_LOG` chooses
//! what is logged, `info,sqlx=warn` by default.
//!
//! Nothing in Moa logs headers, bodies, cookies or query strings: a request
//! is logged by `request_log` with its method, route, path and outcome only.

use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

use crate::config::Environment;

pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Logs to standard output, filtered by `RUST_LOG`. Once per process.
pub fn init(environment: Environment) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    if let Err(error) = try_init(environment, filter, std::io::stdout) {
        eprintln!("moa: cannot set up logging: {error}");
    }
}

/// Installs the process's subscriber, writing to `writer` (tests capture
/// logs this way). Fails if one is installed already.
pub fn try_init<W>(
    environment: Environment,
    filter: EnvFilter,
    writer: W,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match environment {
        Environment::Production => builder
            .json()
            // The event's fields at the top level, the request's span
            // (its `request_id`) under "span".
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        Environment::Development => builder.try_init(),
    }
}
