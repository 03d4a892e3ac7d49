//! Domain problems and refusals, which are codes with parameters, in words.
//! Only pages and the API's edge call these: the domain never chooses text.

use crate::{
    domain::{PostProblem, Problem, transition::Refusal},
    i18n::td_string,
    locale::{self, Locale, format},
};

/// Any problem, in `l`.
pub fn problem(l: Locale, problem: &Problem) -> String {
    use Problem as P;
    let text: &str = match problem {
        P::Post(problem) => return post_problem(l, problem),
        P::Transition(refusal) => return self::refusal(l, refusal),
        P::UsernameLength { min, max } => {
            return td_string!(l, problem.username_length, min = min, max = max).to_string();
        }
        P::PasswordTooShort { min } => {
            return td_string!(l, problem.password_too_short, min = min).to_string();
        }
        P::PasswordTooLong { max } => {
            return td_string!(l, problem.password_too_long, max = max).to_string();
        }
        P::AccountNumberDigits { min, max } => {
            return td_string!(l, problem.account_number_digits, min = min, max = max).to_string();
        }
        P::DepositOutOfBound { min, max } => {
            let (min, max) = (locale::won(l, *min), locale::won(l, *max));
            return td_string!(l, problem.deposit_out_of_bound, min = min, max = max).to_string();
        }
        P::CashOutBelowMinimum { min } => {
            let min = locale::won(l, *min);
            return td_string!(l, problem.cash_out_below_minimum, min = min).to_string();
        }
        P::WholeNumberBetween { min, max } => {
            let (min, max) = (
                format::group_thousands(u64::from(*min)),
                format::group_thousands(u64::from(*max)),
            );
            return td_string!(l, problem.whole_number_between, min = min, max = max).to_string();
        }
        P::Unreadable { reason } if !reason.is_empty() => {
            return td_string!(l, problem.unreadable_because, reason = reason).to_string();
        }
        P::Unreadable { .. } => td_string!(l, problem.unreadable),
        P::SearchTooLong { max } => {
            return td_string!(l, problem.search_too_long, max = max).to_string();
        }
        P::BodyTooLarge { max_kib } => {
            let max = format::group_thousands(u64::try_from(*max_kib).unwrap_or(u64::MAX));
            return td_string!(l, problem.body_too_large, max = max).to_string();
        }
        P::JsonOnly => td_string!(l, problem.json_only),
        P::BodyTooSlow => td_string!(l, problem.body_too_slow),
        P::SortUnknown => td_string!(l, problem.sort_unknown),
        P::UsernameCharacters => td_string!(l, problem.username_characters),
        P::EmailFormat => td_string!(l, problem.email_format),
        P::PasswordMissing => td_string!(l, problem.password_missing),
        P::RoleMissing => td_string!(l, problem.role_missing),
        P::UsernameTaken => td_string!(l, problem.username_taken),
        P::EmailTaken => td_string!(l, problem.email_taken),
        P::CredentialsWrong => td_string!(l, problem.credentials_wrong),
        P::TooManyAttempts => td_string!(l, problem.too_many_attempts),
        P::BusySigningIn => td_string!(l, problem.busy_signing_in),
        P::LogInFirst => td_string!(l, problem.log_in_first),
        P::NotAllowed => td_string!(l, problem.not_allowed),
        P::BackersOnly => td_string!(l, problem.backers_only),
        P::PublishersOnly => td_string!(l, problem.publishers_only),
        P::OwnerOnly => td_string!(l, problem.owner_only),
        P::BankUnknown => td_string!(l, problem.bank_unknown),
        P::AmountNotDigits => td_string!(l, problem.not_an_amount),
        P::MoreThanPocketHolds => td_string!(l, problem.more_than_pocket_holds),
        P::NotEnoughInPocket => td_string!(l, problem.not_enough_in_pocket),
        P::PocketFirst => td_string!(l, problem.pocket_first),
        P::PocketFirstToBack => td_string!(l, problem.pocket_first_to_back),
        P::PocketFirstToPublish => td_string!(l, problem.pocket_first_to_publish),
        P::IdempotencyKeyFormat => td_string!(l, problem.idempotency_key_format),
        P::KeyUsedForAnotherProject => td_string!(l, problem.key_used_for_another_project),
        P::KeyUsedForAnotherAmount => td_string!(l, problem.key_used_for_another_amount),
        P::FormOutOfDate => td_string!(l, problem.form_out_of_date),
        P::PostNotFound => td_string!(l, problem.post_not_found),
        P::StillFunding => td_string!(l, problem.still_funding),
        P::OnlyFundingChanges => td_string!(l, problem.only_funding_changes),
        P::TermsLocked => td_string!(l, problem.terms_locked),
        P::NotFunding => td_string!(l, problem.not_funding),
        P::StatusAlreadyChanged => td_string!(l, problem.status_already_changed),
        P::ChooseCancelOrClose => td_string!(l, problem.choose_cancel_or_close),
        P::LogInToBack => td_string!(l, problem.log_in_to_back),
        P::PublisherCannotBack => td_string!(l, problem.publisher_cannot_back),
        P::AlreadyBacked => td_string!(l, problem.already_backed),
        P::PriceMissing => td_string!(l, problem.price_missing),
        P::PriceChanged => td_string!(l, problem.price_changed),
        P::NoBackingToWithdraw => td_string!(l, problem.no_backing_to_withdraw),
        P::CannotBack => td_string!(l, problem.cannot_back),
        P::SomeValuesInvalid => td_string!(l, problem.some_values_invalid),
        P::Malformed => td_string!(l, problem.malformed),
        P::NoSuchEndpoint => td_string!(l, problem.no_such_endpoint),
        P::MethodNotTaken => td_string!(l, problem.method_not_taken),
        P::NotFromMoa => td_string!(l, problem.not_from_moa),
        P::TooManyStreams => td_string!(l, problem.too_many_streams),
        P::Unreachable => td_string!(l, problem.unreachable),
        P::DatabaseUnavailable => td_string!(l, problem.database_unavailable),
        P::TimedOut => td_string!(l, problem.timed_out),
        P::Busy => td_string!(l, problem.busy),
        P::Internal => td_string!(l, problem.internal),
    };
    text.to_owned()
}

/// Why a status change was refused, in `l`.
pub fn refusal(l: Locale, refusal: &Refusal) -> String {
    match refusal {
        Refusal::NotFunding { .. } => td_string!(l, problem.transition_not_funding).to_owned(),
        Refusal::NotSucceeded { .. } => td_string!(l, problem.transition_not_succeeded).to_owned(),
        Refusal::EndDatePassed { end_date } => td_string!(
            l,
            problem.transition_end_date_passed,
            end_date = format::date(l, *end_date)
        )
        .to_string(),
        Refusal::BackersChanged { backers, total } => {
            let total = locale::won(l, *total);
            match format::plural(l, u64::try_from(*backers).unwrap_or(0)) {
                format::Plural::One => td_string!(
                    l,
                    problem.transition_backers_changed_singular,
                    backers = backers,
                    total = total
                )
                .to_string(),
                format::Plural::Other => td_string!(
                    l,
                    problem.transition_backers_changed_plural,
                    backers = backers,
                    total = total
                )
                .to_string(),
            }
        }
        Refusal::NotAllowed { from, to } => td_string!(
            l,
            problem.transition_not_allowed,
            from = locale::status(l, *from),
            to = locale::status(l, *to)
        )
        .to_string(),
    }
}

/// What a broken publishing rule means, in `l`.
pub fn post_problem(l: Locale, problem: &PostProblem) -> String {
    match problem {
        PostProblem::TitleLength { max } => {
            td_string!(l, problem.title_length, max = max).to_string()
        }
        PostProblem::PublisherNameLength { max } => {
            td_string!(l, problem.publisher_name_length, max = max).to_string()
        }
        PostProblem::ContentTooLong { max } => {
            let max = format::group_thousands(*max as u64);
            td_string!(l, problem.content_too_long, max = max).to_string()
        }
        PostProblem::TargetAmountNotAnAmount | PostProblem::PriceNotAnAmount => {
            td_string!(l, problem.not_an_amount).to_owned()
        }
        PostProblem::TargetAmountOutOfBound { min, max } => {
            let (min, max) = (locale::won(l, *min), locale::won(l, *max));
            td_string!(l, problem.target_out_of_bound, min = min, max = max).to_string()
        }
        PostProblem::TargetAmountImmutable => td_string!(l, problem.target_immutable).to_owned(),
        PostProblem::PriceOutOfBound { min, max } => {
            let (min, max) = (locale::won(l, *min), locale::won(l, *max));
            td_string!(l, problem.price_out_of_bound, min = min, max = max).to_string()
        }
        PostProblem::FinalDateNotADate => td_string!(l, problem.not_a_date).to_owned(),
        PostProblem::InvalidFinalDate { earliest, latest } => td_string!(
            l,
            problem.final_date_range,
            earliest = format::date(l, *earliest),
            latest = format::date(l, *latest)
        )
        .to_string(),
    }
}
