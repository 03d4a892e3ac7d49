//! What every server-side request can reach: the database, the cache, the
//! clock and the site's options. Built once by the server binary.

use axum::extract::FromRef;
use chrono::NaiveDate;
use chrono_tz::Tz;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::{
    cache::Cache,
    clock::Clock,
    live::LiveFigures,
    service::{
        auth::TokenKeys, client_address::TrustedProxies, login_throttle::LoginThrottle,
        replica::ReadReplica, sign_up_limit::SignUpLimit,
    },
};

#[derive(Clone)]
pub struct AppState {
    /// The primary: every write, and every read without a replica.
    pub db: PgPool,
    /// A streaming replica for public reads (`DATABASE_READ_URL`).
    pub replica: Option<ReadReplica>,
    pub cache: Cache,
    pub clock: Clock,
    pub timezone: Tz,
    pub tokens: TokenKeys,
    pub login_throttle: LoginThrottle,
    pub sign_up_limit: SignUpLimit,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Where browsers reach Moa (`https://moa.example`), when configured:
    /// the only origin state-changing browser requests may come from.
    pub public_origin: Option<String>,
    /// Moa is reached over HTTPS: session cookies get `Secure`, and
    /// responses `Strict-Transport-Security`.
    pub secure_cookies: bool,
    pub leptos_options: LeptosOptions,
    /// Changes of projects' figures, for their live streams.
    pub live: LiveFigures,
}

impl AppState {
    /// Today's date where Moa's users live (Asia/Seoul by default): D-day and
    /// the end of funding are calendar dates there, not in UTC.
    pub fn today(&self) -> NaiveDate {
        self.clock.now().with_timezone(&self.timezone).date_naive()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
