//! One error type for everything the app reports to a person or a client.
//! The code is stable and machine-readable; what it says is a [`Problem`]
//! (a code with parameters), worded in the reader's language only where it
//! is shown: by the page, or by the REST API's edge.

use std::{collections::BTreeMap, fmt};

pub use crate::domain::{FieldErrors, Problem};
use crate::locale::{Locale, words};

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    PostNotFound,
    /// The project is funding, and this change must wait until it ends.
    PostStillFunding,
    /// The project is no longer funding, so it cannot change.
    PostNotFunding,
    /// The price or end date cannot change once someone has backed.
    PostTermsLocked,
    /// The project's status cannot change like that (cancel only while
    /// funding, close only after success).
    InvalidTransition,
    /// The target amount is outside 10,000 to 9,999,999,999 KRW.
    TargetAmountOutOfBound,
    /// The target amount never changes after publishing.
    TargetAmountImmutable,
    /// The end date is not after today, or more than a year ahead.
    InvalidFinalDate,
    /// No such page or endpoint.
    NotFound,
    UsernameTaken,
    EmailTaken,
    /// Wrong username or password (never says which).
    InvalidCredentials,
    /// No valid session or token.
    Unauthenticated,
    /// Signed in, but this account may not do this.
    Forbidden,
    /// Money cannot move before the account registers a pocket.
    PocketNotRegistered,
    /// The pocket holds less than this costs.
    InsufficientBalance,
    /// This backer already has an active backing of this project.
    AlreadyBacked,
    /// Publishers publish; they never back.
    PublisherCannotBack,
    /// The price changed since the backer saw it.
    PriceChanged,
    /// There is no active backing to withdraw.
    BackingNotFound,
    /// An `Idempotency-Key` already used for a different request.
    IdempotencyKeyReused,
    /// Too many failed log-ins; see `retry_after`.
    TooManyAttempts,
    /// A cookie-authenticated change that did not come from Moa's pages.
    CsrfRejected,
    ValidationFailed,
    /// The request could not be understood (malformed arguments, a body
    /// that broke off).
    BadRequest,
    /// The endpoint exists but does not take this method (see `Allow`).
    MethodNotAllowed,
    /// The body is larger than the endpoint takes.
    PayloadTooLarge,
    /// The body is not JSON (`Content-Type`), where JSON is what is read.
    UnsupportedMediaType,
    /// A dependency the request needs (PostgreSQL) is unreachable.
    ServiceUnavailable,
    /// The request took longer than Moa allows; see `retry_after`.
    RequestTimedOut,
    /// The client sent its body too slowly.
    RequestBodyTimedOut,
    /// Moa is working on as many requests as it takes; see `retry_after`.
    Overloaded,
    /// Anything else. Details are logged on the server, never sent.
    /// Stays last (see `ALL`).
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order (a unit test holds it to that), for
    /// the API document's list of codes.
    pub const ALL: [ErrorCode; 33] = [
        ErrorCode::PostNotFound,
        ErrorCode::PostStillFunding,
        ErrorCode::PostNotFunding,
        ErrorCode::PostTermsLocked,
        ErrorCode::InvalidTransition,
        ErrorCode::TargetAmountOutOfBound,
        ErrorCode::TargetAmountImmutable,
        ErrorCode::InvalidFinalDate,
        ErrorCode::NotFound,
        ErrorCode::UsernameTaken,
        ErrorCode::EmailTaken,
        ErrorCode::InvalidCredentials,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::PocketNotRegistered,
        ErrorCode::InsufficientBalance,
        ErrorCode::AlreadyBacked,
        ErrorCode::PublisherCannotBack,
        ErrorCode::PriceChanged,
        ErrorCode::BackingNotFound,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::TooManyAttempts,
        ErrorCode::CsrfRejected,
        ErrorCode::ValidationFailed,
        ErrorCode::BadRequest,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::ServiceUnavailable,
        ErrorCode::RequestTimedOut,
        ErrorCode::RequestBodyTimedOut,
        ErrorCode::Overloaded,
        ErrorCode::Internal,
    ];

    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::PostNotFound | ErrorCode::NotFound => 404,
            ErrorCode::PostStillFunding
            | ErrorCode::PostNotFunding
            | ErrorCode::PostTermsLocked
            | ErrorCode::InvalidTransition => 409,
            ErrorCode::TargetAmountOutOfBound
            | ErrorCode::TargetAmountImmutable
            | ErrorCode::InvalidFinalDate => 422,
            ErrorCode::UsernameTaken | ErrorCode::EmailTaken => 409,
            ErrorCode::InvalidCredentials | ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::PocketNotRegistered
            | ErrorCode::InsufficientBalance
            | ErrorCode::AlreadyBacked
            | ErrorCode::PriceChanged => 409,
            ErrorCode::PublisherCannotBack => 403,
            ErrorCode::BackingNotFound => 404,
            ErrorCode::IdempotencyKeyReused => 409,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::CsrfRejected => 403,
            ErrorCode::ValidationFailed => 422,
            ErrorCode::BadRequest => 400,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::ServiceUnavailable | ErrorCode::RequestTimedOut => 503,
            ErrorCode::RequestBodyTimedOut => 408,
            ErrorCode::Overloaded => 503,
            ErrorCode::Internal => 500,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::PostNotFound => "POST_NOT_FOUND",
            ErrorCode::PostStillFunding => "POST_STILL_FUNDING",
            ErrorCode::PostNotFunding => "POST_NOT_FUNDING",
            ErrorCode::PostTermsLocked => "POST_TERMS_LOCKED",
            ErrorCode::InvalidTransition => "INVALID_TRANSITION",
            ErrorCode::TargetAmountOutOfBound => "TARGET_AMOUNT_OUT_OF_BOUND",
            ErrorCode::TargetAmountImmutable => "TARGET_AMOUNT_IMMUTABLE",
            ErrorCode::InvalidFinalDate => "INVALID_FINAL_DATE",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::UsernameTaken => "USERNAME_TAKEN",
            ErrorCode::EmailTaken => "EMAIL_TAKEN",
            ErrorCode::InvalidCredentials => "INVALID_CREDENTIALS",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::PocketNotRegistered => "POCKET_NOT_REGISTERED",
            ErrorCode::InsufficientBalance => "INSUFFICIENT_BALANCE",
            ErrorCode::AlreadyBacked => "ALREADY_BACKED",
            ErrorCode::PublisherCannotBack => "PUBLISHER_CANNOT_BACK",
            ErrorCode::PriceChanged => "PRICE_CHANGED",
            ErrorCode::BackingNotFound => "BACKING_NOT_FOUND",
            ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            ErrorCode::CsrfRejected => "CSRF_REJECTED",
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::RequestBodyTimedOut => "REQUEST_BODY_TIMED_OUT",
            ErrorCode::Overloaded => "OVERLOADED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{problem}")]
pub struct AppError {
    pub code: ErrorCode,
    /// What the error as a whole says.
    pub problem: Problem,
    /// Field name → what is wrong with it, for errors about inputs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: FieldErrors,
    /// Seconds until trying again makes sense (HTTP `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, problem: Problem) -> Self {
        AppError {
            code,
            problem,
            details: FieldErrors::new(),
            retry_after: None,
        }
    }

    pub fn validation(details: FieldErrors) -> Self {
        AppError {
            details,
            ..AppError::new(ErrorCode::ValidationFailed, Problem::SomeValuesInvalid)
        }
    }

    pub fn post_not_found() -> Self {
        AppError::new(ErrorCode::PostNotFound, Problem::PostNotFound)
    }

    pub fn unauthenticated() -> Self {
        AppError::new(ErrorCode::Unauthenticated, Problem::LogInFirst)
    }

    pub fn forbidden(problem: Problem) -> Self {
        AppError::new(ErrorCode::Forbidden, problem)
    }

    /// A field-level error on one input, e.g. a taken username.
    pub fn on_field(code: ErrorCode, field: &str, problem: Problem) -> Self {
        AppError {
            details: problem.clone().on(field),
            ..AppError::new(code, problem)
        }
    }

    pub fn internal() -> Self {
        AppError::new(ErrorCode::Internal, Problem::Internal)
    }

    /// PostgreSQL cannot be reached or is going away: worth trying again
    /// in a moment.
    pub fn unavailable() -> Self {
        AppError {
            retry_after: Some(1),
            ..AppError::new(ErrorCode::ServiceUnavailable, Problem::DatabaseUnavailable)
        }
    }

    /// What the error says, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        words::problem(locale, &self.problem)
    }

    /// What is wrong with `field`, in `locale`, if anything.
    pub fn field_message(&self, locale: Locale, field: &str) -> Option<String> {
        self.details
            .get(field)
            .map(|problem| words::problem(locale, problem))
    }

    /// Every field's problem, in `locale` (the REST API's `details`).
    pub fn worded_details(&self, locale: Locale) -> BTreeMap<String, String> {
        self.details
            .iter()
            .map(|(field, problem)| (field.clone(), words::problem(locale, problem)))
            .collect()
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::new(ErrorCode::BadRequest, Problem::Malformed)
            }
            ServerFnErrorErr::Request(_) => {
                AppError::new(ErrorCode::ServiceUnavailable, Problem::Unreachable)
            }
            _ => AppError::internal(),
        };
        // On the server this runs when a request's arguments do not decode,
        // before the function (and its `with_status`) does.
        #[cfg(feature = "ssr")]
        crate::api::give_status(&error);
        error
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Database failures are logged here, where the cause is known, and
    /// reach the client only as a stable code.
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(database) = &error
            && let Some(known) = database.constraint().and_then(constraint_error)
        {
            return known;
        }
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(%error, "database unavailable");
                AppError::unavailable()
            }
            sqlx::Error::Database(database)
                if database.code().as_deref().is_some_and(database_went_away) =>
            {
                tracing::error!(error = %database, "database unavailable");
                AppError::unavailable()
            }
            sqlx::Error::Database(database) if database.code().as_deref() == Some("57014") => {
                // statement_timeout: the query ran longer than allowed.
                tracing::error!(error = %database, "database statement timed out");
                AppError {
                    retry_after: Some(1),
                    ..AppError::new(ErrorCode::RequestTimedOut, Problem::TimedOut)
                }
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::internal()
            }
        }
    }
}

/// SQLSTATEs that say PostgreSQL is going away or cannot take the
/// connection, not that the statement was wrong: a lost or refused
/// connection (class 08, but not 08P01, a protocol violation, which is a
/// bug), an operator intervention (57P01 shutdown, 57P02 crash, 57P03
/// starting up, 57P05 idle too long) or every connection taken (53300).
#[cfg(feature = "ssr")]
fn database_went_away(sqlstate: &str) -> bool {
    matches!(
        sqlstate,
        "08000"
            | "08001"
            | "08003"
            | "08004"
            | "08006"
            | "08007"
            | "57P01"
            | "57P02"
            | "57P03"
            | "57P05"
            | "53300"
    )
}

/// What a refusal by one of the database's guards means to a person: the
/// one place where constraint names become error codes. Guards that only a
/// bug could trip are not here; they stay internal errors.
#[cfg(feature = "ssr")]
pub fn constraint_error(constraint: &str) -> Option<AppError> {
    let (code, problem) = match constraint {
        "pockets_balance_check" => (ErrorCode::InsufficientBalance, Problem::NotEnoughInPocket),
        "ledger_entries_account_id_fkey" => (ErrorCode::PocketNotRegistered, Problem::PocketFirst),
        // Two requests racing with one key for two projects: the second
        // insert meets the first's key.
        "backings_idempotency_key" => (
            ErrorCode::IdempotencyKeyReused,
            Problem::KeyUsedForAnotherProject,
        ),
        "backings_one_active_per_backer" => (ErrorCode::AlreadyBacked, Problem::AlreadyBacked),
        // Another process moved the project first (a settlement and an
        // owner's cancel at once): the loser changes nothing.
        "posts_status_transition" | "post_transitions_once" => {
            (ErrorCode::InvalidTransition, Problem::StatusAlreadyChanged)
        }
        "backings_project_funding" => (ErrorCode::PostNotFunding, Problem::NotFunding),
        "posts_not_deleted_while_funding" => (ErrorCode::PostStillFunding, Problem::StillFunding),
        _ => return None,
    };
    Some(AppError::new(code, problem))
}

#[cfg(test)]
mod tests {
    use super::{AppError, ErrorCode, Problem};
    use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

    /// A database error with only a SQLSTATE, as PostgreSQL sends them.
    #[cfg(feature = "ssr")]
    #[derive(Debug)]
    struct Sqlstate(&'static str);

    #[cfg(feature = "ssr")]
    impl std::fmt::Display for Sqlstate {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    #[cfg(feature = "ssr")]
    impl std::error::Error for Sqlstate {}

    #[cfg(feature = "ssr")]
    impl sqlx::error::DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            "refused"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(std::borrow::Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    /// PostgreSQL shutting down or restarting, a connection cut, or all its
    /// connections taken: the request may well work in a moment (503 with
    /// `Retry-After`), unlike a bug (500).
    #[cfg(feature = "ssr")]
    #[test]
    fn a_database_going_away_is_a_503_to_try_again() {
        for sqlstate in ["57P01", "57P02", "57P03", "08006", "08003", "53300"] {
            let error = AppError::from(sqlx::Error::Database(Box::new(Sqlstate(sqlstate))));
            assert_eq!(error.code, ErrorCode::ServiceUnavailable, "{sqlstate}");
            assert_eq!(error.retry_after, Some(1), "{sqlstate}");
        }
        let lost = AppError::from(sqlx::Error::Io(std::io::ErrorKind::BrokenPipe.into()));
        assert_eq!(
            (lost.code, lost.retry_after),
            (ErrorCode::ServiceUnavailable, Some(1))
        );
        for bug in ["42703", "08P01"] {
            let error = AppError::from(sqlx::Error::Database(Box::new(Sqlstate(bug))));
            assert_eq!(error.code, ErrorCode::Internal, "{bug}");
        }
    }

    #[test]
    fn codes_map_to_http_statuses() {
        assert_eq!(ErrorCode::PostNotFound.http_status(), 404);
        assert_eq!(ErrorCode::ValidationFailed.http_status(), 422);
        assert_eq!(ErrorCode::ServiceUnavailable.http_status(), 503);
    }

    #[test]
    fn serialized_code_matches_as_str() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    /// `ALL` lists every code once, in declaration order, up to the last
    /// (`Internal`): a code added anywhere but after it shifts the others
    /// and fails here until it is listed.
    #[test]
    fn all_lists_every_code_in_order() {
        for (index, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(*code as usize, index, "{code}");
        }
        assert_eq!(ErrorCode::ALL.last(), Some(&ErrorCode::Internal));
    }

    #[test]
    fn round_trips_through_the_server_fn_encoding() {
        let error = AppError::on_field(
            ErrorCode::InsufficientBalance,
            "amount",
            Problem::DepositOutOfBound {
                min: crate::domain::Money::won(1_000),
                max: crate::domain::Money::won(10_000_000),
            },
        );
        assert_eq!(AppError::de(error.ser()), error);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn guards_that_people_can_trip_have_codes() {
        for (constraint, code) in [
            ("pockets_balance_check", ErrorCode::InsufficientBalance),
            ("backings_one_active_per_backer", ErrorCode::AlreadyBacked),
            ("backings_idempotency_key", ErrorCode::IdempotencyKeyReused),
            (
                "ledger_entries_account_id_fkey",
                ErrorCode::PocketNotRegistered,
            ),
        ] {
            assert_eq!(
                super::constraint_error(constraint).map(|e| e.code),
                Some(code)
            );
        }
        assert_eq!(super::constraint_error("ledger_escrow_covers"), None);
    }

    #[test]
    fn malformed_arguments_are_a_bad_request() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Args("x".into()));
        assert_eq!(error.code, ErrorCode::BadRequest);
    }
}
