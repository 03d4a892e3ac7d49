//! What is wrong, as a code with its parameters: every field error and
//! every error message Moa sends is one of these. They are worded only
//! where they are shown (`locale::words::problem`), in the reader's
//! language, so the browser's instant checks, the server's answers and the
//! REST API say the same thing in Korean or English.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Money, PostProblem, transition::Refusal};

/// The map of field name → what is wrong with it.
pub type FieldErrors = std::collections::BTreeMap<String, Problem>;

/// On the wire (server functions), serde's plain external tagging:
/// `"AMOUNT_NOT_DIGITS"`, `{"DEPOSIT_OUT_OF_BOUND": {"min": 1000, "max": …}}`.
/// (Adjacent tagging cost the browser bundle some 40 KB of decoding code.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Problem {
    // Accounts.
    UsernameLength {
        min: usize,
        max: usize,
    },
    UsernameCharacters,
    EmailFormat,
    PasswordMissing,
    PasswordTooShort {
        min: usize,
    },
    PasswordTooLong {
        max: usize,
    },
    RoleMissing,
    UsernameTaken,
    EmailTaken,
    CredentialsWrong,
    TooManyAttempts,
    BusySigningIn,
    LogInFirst,
    NotAllowed,
    BackersOnly,
    PublishersOnly,
    OwnerOnly,

    // Pockets and money.
    BankUnknown,
    AccountNumberDigits {
        min: usize,
        max: usize,
    },
    AmountNotDigits,
    DepositOutOfBound {
        min: Money,
        max: Money,
    },
    CashOutBelowMinimum {
        min: Money,
    },
    MoreThanPocketHolds,
    NotEnoughInPocket,
    PocketFirst,
    PocketFirstToBack,
    PocketFirstToPublish,
    IdempotencyKeyFormat,
    KeyUsedForAnotherProject,
    KeyUsedForAnotherAmount,
    FormOutOfDate,

    // Projects.
    Post(PostProblem),
    PostNotFound,
    StillFunding,
    OnlyFundingChanges,
    TermsLocked,
    NotFunding,
    Transition(Refusal),
    StatusAlreadyChanged,
    ChooseCancelOrClose,

    // Backing.
    LogInToBack,
    PublisherCannotBack,
    AlreadyBacked,
    PriceMissing,
    PriceChanged,
    NoBackingToWithdraw,
    CannotBack,

    // Lists and requests.
    SearchTooLong {
        max: usize,
    },
    SortUnknown,
    WholeNumberBetween {
        min: u32,
        max: u32,
    },
    /// The reason is the server's own text (what the JSON or query
    /// parser said); it never comes back from a client, so nobody can put
    /// words on someone else's page through it.
    Unreadable {
        #[serde(skip)]
        reason: String,
    },
    SomeValuesInvalid,
    Malformed,
    /// A body longer than the endpoint takes, in KiB.
    BodyTooLarge {
        max_kib: usize,
    },
    JsonOnly,
    /// The body arrived too slowly.
    BodyTooSlow,
    NoSuchEndpoint,
    /// The endpoint does not take this method.
    MethodNotTaken,
    NotFromMoa,
    TooManyStreams,

    // Moa itself.
    Unreachable,
    DatabaseUnavailable,
    TimedOut,
    /// Too many requests at once.
    Busy,
    Internal,
}

impl Problem {
    /// `{field: self}`.
    pub fn on(self, field: &str) -> FieldErrors {
        FieldErrors::from([(field.to_owned(), self)])
    }
}

/// English, for logs and tests; pages and the API word it in the reader's
/// language.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::locale::words::problem(
            crate::locale::Locale::en,
            self,
        ))
    }
}
