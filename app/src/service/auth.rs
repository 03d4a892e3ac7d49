//! Passwords (argon2id) and session tokens (JWT, HS256 only).

use std::sync::{
    Arc, OnceLock,
    atomic::{AtomicUsize, Ordering},
};

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{
        SaltString,
        rand_core::{OsRng, RngCore},
    },
};
use chrono::{DateTime, Utc};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::{domain::Role, error::AppError};

/// How long a session lasts: a working day and a night, so a person is not
/// logged out mid-task, and a stolen token does not live for weeks.
pub const TOKEN_LIFETIME_SECONDS: i64 = 24 * 60 * 60;
const CLOCK_SKEW_SECONDS: i64 = 30;

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|error| {
        tracing::error!(%error, "invalid argon2 parameters");
        AppError::internal()
    })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Argon2 work allowed at once: each hash holds 19 MiB and a core, so
/// hundreds of parallel sign-ups or log-ins queue here instead of
/// exhausting memory. One per core: more would not finish sooner.
fn argon2_permits() -> &'static Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS.get_or_init(|| Arc::new(Semaphore::new(argon2_capacity())))
}

/// How many argon2 computations may run at once on this machine.
pub fn argon2_capacity() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// The longest a request waits for its turn to hash: beyond this the queue
/// is a flood, and refusing (503, try again) beats answering after the
/// request timeout anyway.
const ARGON2_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

static ARGON2_RUNNING: AtomicUsize = AtomicUsize::new(0);
static ARGON2_PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most argon2 computations this process has run at once (for tests
/// and diagnostics).
pub fn argon2_peak() -> usize {
    ARGON2_PEAK.load(Ordering::SeqCst)
}

/// Runs argon2 work off the async runtime, under a permit. The permit moves
/// into the blocking task, so a request that gives up waiting cannot leave
/// its hash running outside the limit.
async fn with_argon2<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let waiting = tokio::time::timeout(ARGON2_QUEUE_WAIT, argon2_permits().clone().acquire_owned());
    let permit = match waiting.await {
        Ok(Ok(permit)) => permit,
        Ok(Err(_)) => return Err(AppError::internal()),
        Err(_) => {
            tracing::warn!("argon2 queue full; refusing instead of waiting longer");
            return Err(AppError {
                retry_after: Some(5),
                ..AppError::new(
                    crate::error::ErrorCode::ServiceUnavailable,
                    crate::error::Problem::BusySigningIn,
                )
            });
        }
    };
    tokio::task::spawn_blocking(move || {
        let running = ARGON2_RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        ARGON2_PEAK.fetch_max(running, Ordering::SeqCst);
        let result = work();
        ARGON2_RUNNING.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        result
    })
    .await
    .map_err(|_| AppError::internal())?
}

/// Hashes off the async runtime: argon2 is meant to be slow.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    with_argon2(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| {
                tracing::error!(%error, "password hashing failed");
                AppError::internal()
            })
    })
    .await
}

/// `false` for a wrong password and for hashes that cannot log in (`!`).
pub async fn verify_password(password: String, stored_hash: String) -> Result<bool, AppError> {
    with_argon2(move || {
        let Ok(parsed) = PasswordHash::new(&stored_hash) else {
            return Ok(false);
        };
        Ok(hasher()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

/// Verifies against a throwaway hash when the username is unknown, so a
/// wrong username takes as long as a wrong password.
pub async fn spend_equal_time(password: String) {
    static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let dummy = DUMMY_HASH
        .get_or_try_init(|| hash_password("moa: no such account".to_owned()))
        .await;
    if let Ok(dummy) = dummy {
        let _ = verify_password(password, dummy.clone()).await;
    }
}

/// A fresh, unguessable session id: 128 random bits as 32 hex digits.
pub fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    /// The server-side session this token belongs to (`sessions.id`).
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// What a token with a valid signature and validity window says. It is not
/// yet a session: that takes the server-side check in `service::sessions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenClaims {
    pub account_id: i64,
    pub session_id: String,
}

/// Who is asking, as the server knows them now: a live session and the
/// account's current role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub account_id: i64,
    pub role: Role,
    pub session_id: String,
}

/// Signing and checking keys, built once from `MOA_JWT_SECRET`.
#[derive(Clone)]
pub struct TokenKeys {
    inner: Arc<Keys>,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        // HS256 pinned: a token that names any other algorithm (or "none")
        // is refused before its signature is even looked at.
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub"]);
        // Time is checked in `verify` against Moa's injected clock instead of
        // jsonwebtoken's system clock, so tests and the server agree on "now".
        validation.validate_exp = false;
        validation.validate_nbf = false;
        TokenKeys {
            inner: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                validation,
            }),
        }
    }

    pub fn issue(&self, claims: &TokenClaims, now: DateTime<Utc>) -> Result<String, AppError> {
        let issued = now.timestamp();
        let claims = Claims {
            sub: claims.account_id.to_string(),
            sid: claims.session_id.clone(),
            iat: issued,
            nbf: issued,
            exp: issued + TOKEN_LIFETIME_SECONDS,
        };
        encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &self.inner.encoding,
        )
        .map_err(|error| {
            tracing::error!(%error, "token signing failed");
            AppError::internal()
        })
    }

    /// Checks signature, algorithm and the validity window (`nbf` to `exp`,
    /// with a little leeway for clock skew) and returns what it claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<TokenClaims, AppError> {
        let data = decode::<Claims>(token, &self.inner.decoding, &self.inner.validation)
            .map_err(|_| AppError::unauthenticated())?;
        let now = now.timestamp();
        if now + CLOCK_SKEW_SECONDS < data.claims.nbf || now - CLOCK_SKEW_SECONDS >= data.claims.exp
        {
            return Err(AppError::unauthenticated());
        }
        let account_id = data
            .claims
            .sub
            .parse::<i64>()
            .map_err(|_| AppError::unauthenticated())?;
        if data.claims.sid.len() != 32 || !data.claims.sid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::unauthenticated());
        }
        Ok(TokenClaims {
            account_id,
            session_id: data.claims.sid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse".into())
            .await
            .unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            verify_password("correct horse".into(), hash.clone()).await,
            Ok(true)
        );
        assert_eq!(
            verify_password("wrong horse!".into(), hash).await,
            Ok(false)
        );
        assert_eq!(
            verify_password("anything at all".into(), "!".into()).await,
            Ok(false)
        );
    }

    #[test]
    fn a_token_round_trips() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let claims = TokenClaims {
            account_id: 42,
            session_id: new_session_id(),
        };
        let now = Utc::now();
        let token = keys.issue(&claims, now).unwrap_or_default();
        assert_eq!(keys.verify(&token, now), Ok(claims));
        let other = TokenKeys::new(b"another secret, 32 bytes long!!!");
        assert!(other.verify(&token, now).is_err());
    }

    #[test]
    fn a_token_is_valid_from_issue_to_expiry_only() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let issued = Utc::now();
        let token = keys
            .issue(
                &TokenClaims {
                    account_id: 1,
                    session_id: new_session_id(),
                },
                issued,
            )
            .unwrap_or_default();
        let at = |seconds: i64| issued + chrono::Duration::seconds(seconds);
        assert!(
            keys.verify(&token, at(-5)).is_ok(),
            "small skew is tolerated"
        );
        assert!(keys.verify(&token, at(-60)).is_err(), "before nbf");
        assert!(keys.verify(&token, at(TOKEN_LIFETIME_SECONDS - 60)).is_ok());
        assert!(
            keys.verify(&token, at(TOKEN_LIFETIME_SECONDS + 60))
                .is_err(),
            "after exp"
        );
    }
}
