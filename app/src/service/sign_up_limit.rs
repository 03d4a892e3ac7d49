//! Each sign-up costs a 19 MiB argon2 hash, so one client (an IPv4 address
//! or an IPv6 /64) gets a bounded number of them an hour. Counted before the
//! hash, after the request's shape was checked: a malformed sign-up costs
//! nothing and counts nothing.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};

use crate::{
    cache::Cache,
    error::AppError,
    service::{client_address::limit_key, login_throttle::too_many, throttle::RateWindows},
};

pub const DEFAULT_PER_HOUR: u64 = 20;
const WINDOW: Duration = Duration::from_secs(60 * 60);

#[derive(Clone)]
pub struct SignUpLimit {
    per_hour: u64,
    windows: RateWindows,
}

impl Default for SignUpLimit {
    fn default() -> Self {
        SignUpLimit::new(DEFAULT_PER_HOUR)
    }
}

impl SignUpLimit {
    pub fn new(per_hour: u64) -> Self {
        SignUpLimit {
            per_hour,
            windows: RateWindows::default(),
        }
    }

    /// Counts one sign-up by `client`, or refuses it (429 `TOO_MANY_ATTEMPTS`).
    pub async fn count(
        &self,
        cache: &Cache,
        client: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let client = client.map_or_else(|| "unknown".to_owned(), limit_key);
        let key = format!("signup:client:{client}");
        let counted = self.windows.add(cache, &key, WINDOW, now).await;
        if counted.count > self.per_hour {
            self.windows.take_back(cache, &key).await;
            return Err(too_many(counted.seconds_left));
        }
        Ok(())
    }
}
