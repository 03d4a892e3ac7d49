//! Slowing down password guessing without letting a guesser lock the owner
//! out. Every attempt is counted *before* the password is checked, so a
//! burst of concurrent guesses gets no more tries than a patient guesser:
//! - one client (an IPv4 address or an IPv6 /64) gets 20 attempts that did
//!   not succeed in 15 minutes, across all usernames;
//! - one client gets 5 attempts at one username in 15 minutes;
//! - once a username has 5 failures in its window (from anywhere), each
//!   client that has already tried it is stopped, and a client that has not
//!   gets one attempt: the owner, from their own device, still logs in,
//!   while a distributed guesser gets one guess per address per window.

use std::{net::IpAddr, time::Duration};

use chrono::{DateTime, Utc};

use crate::{
    cache::Cache,
    domain::LoginName,
    error::{AppError, ErrorCode},
    service::{client_address::limit_key, throttle::RateWindows},
};

pub const PER_USERNAME: u64 = 5;
pub const PER_CLIENT: u64 = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Clone)]
pub struct LoginThrottle {
    window: Duration,
    windows: RateWindows,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(WINDOW)
    }
}

/// One counted attempt, to be reported as it ends.
#[must_use = "report how the attempt ended"]
pub struct LoginAttempt {
    client: String,
    pair: String,
    username: String,
}

impl LoginThrottle {
    pub fn new(window: Duration) -> Self {
        LoginThrottle {
            window,
            windows: RateWindows::default(),
        }
    }

    /// Counts the attempt, or refuses it (429 `TOO_MANY_ATTEMPTS`).
    pub async fn begin(
        &self,
        cache: &Cache,
        name: &LoginName,
        client: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<LoginAttempt, AppError> {
        let client_id = client.map_or_else(|| "unknown".to_owned(), limit_key);
        let attempt = LoginAttempt {
            client: format!("login:client:{client_id}"),
            pair: format!("login:pair:{}:{client_id}", name.as_str()),
            username: format!("login:user:{}", name.as_str()),
        };
        let by_client = self
            .windows
            .add(cache, &attempt.client, self.window, now)
            .await;
        if by_client.count > PER_CLIENT {
            self.windows.take_back(cache, &attempt.client).await;
            return Err(too_many(by_client.seconds_left));
        }
        let under_attack =
            self.windows.peek(cache, &attempt.username, now).await.count >= PER_USERNAME;
        let limit = if under_attack { 1 } else { PER_USERNAME };
        let by_pair = self
            .windows
            .add(cache, &attempt.pair, self.window, now)
            .await;
        if by_pair.count > limit {
            self.windows.take_back(cache, &attempt.pair).await;
            self.windows.take_back(cache, &attempt.client).await;
            return Err(too_many(by_pair.seconds_left));
        }
        Ok(attempt)
    }

    /// The password was right: this client's tries at this username start
    /// over, and the attempt does not count against the client. The
    /// username's failures stay: they are someone else's guesses.
    pub async fn succeeded(&self, cache: &Cache, attempt: LoginAttempt) {
        self.windows.reset(cache, &attempt.pair).await;
        self.windows.take_back(cache, &attempt.client).await;
    }

    /// The password was wrong.
    pub async fn failed(&self, cache: &Cache, attempt: LoginAttempt, now: DateTime<Utc>) {
        self.windows
            .add(cache, &attempt.username, self.window, now)
            .await;
    }

    /// The attempt could not be decided (say, the database was down): it
    /// does not count.
    pub async fn abandoned(&self, cache: &Cache, attempt: LoginAttempt) {
        self.windows.take_back(cache, &attempt.pair).await;
        self.windows.take_back(cache, &attempt.client).await;
    }
}

pub(crate) fn too_many(retry_after: u64) -> AppError {
    AppError {
        retry_after: Some(retry_after.max(1)),
        ..AppError::new(
            ErrorCode::TooManyAttempts,
            crate::error::Problem::TooManyAttempts,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline_cache() -> Cache {
        Cache::new(None, "test")
    }

    fn name(text: &str) -> LoginName {
        LoginName::parse(text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[tokio::test]
    async fn without_redis_the_limit_holds_and_then_expires() {
        let throttle = LoginThrottle::default();
        let cache = offline_cache();
        let start = Utc::now();
        let client = ip("203.0.113.7");
        for _ in 0..PER_USERNAME {
            let attempt = throttle.begin(&cache, &name("Kim_1"), client, start).await;
            let attempt = attempt.unwrap_or_else(|e| panic!("{e:?}"));
            throttle.failed(&cache, attempt, start).await;
        }
        let refused = throttle.begin(&cache, &name("KIM_1"), client, start).await;
        let error = refused.err().unwrap_or_else(AppError::internal);
        assert_eq!(error.code, ErrorCode::TooManyAttempts);
        assert_eq!(error.retry_after, Some(15 * 60));
        // Another username is unaffected; the window ends on time.
        assert!(
            throttle
                .begin(&cache, &name("lee"), client, start)
                .await
                .is_ok()
        );
        let later = start + chrono::Duration::minutes(15) + chrono::Duration::seconds(1);
        assert!(
            throttle
                .begin(&cache, &name("kim_1"), client, later)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_locked_username_gives_other_clients_one_attempt_each() {
        let throttle = LoginThrottle::default();
        let cache = offline_cache();
        let now = Utc::now();
        for _ in 0..PER_USERNAME {
            let attempt = throttle
                .begin(&cache, &name("park"), ip("203.0.113.7"), now)
                .await;
            throttle
                .failed(&cache, attempt.unwrap_or_else(|e| panic!("{e:?}")), now)
                .await;
        }
        let owner = throttle
            .begin(&cache, &name("park"), ip("198.51.100.1"), now)
            .await;
        let owner = owner.unwrap_or_else(|e| panic!("{e:?}"));
        throttle.succeeded(&cache, owner).await;
        // The owner's success reset only the owner's own tries.
        let owner_again = throttle
            .begin(&cache, &name("park"), ip("198.51.100.1"), now)
            .await;
        assert!(owner_again.is_ok());
        let guesser = throttle
            .begin(&cache, &name("park"), ip("192.0.2.1"), now)
            .await;
        throttle
            .failed(&cache, guesser.unwrap_or_else(|e| panic!("{e:?}")), now)
            .await;
        assert!(
            throttle
                .begin(&cache, &name("park"), ip("192.0.2.1"), now)
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn successes_do_not_use_up_a_shared_address() {
        let throttle = LoginThrottle::default();
        let cache = offline_cache();
        let now = Utc::now();
        let office = ip("203.0.113.50");
        for n in 0..(PER_CLIENT * 2) {
            let attempt = throttle
                .begin(&cache, &name(&format!("worker{n}")), office, now)
                .await;
            throttle
                .succeeded(&cache, attempt.unwrap_or_else(|e| panic!("{n}: {e:?}")))
                .await;
        }
    }
}
