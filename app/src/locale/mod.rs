//! Which language a person reads Moa in, and the words and formats in it.
//! The words live in the catalogues (`app/locales/{ko,en}.json`, compiled
//! into [`crate::i18n`] and checked for the same keys by `build.rs`); the
//! formats in [`format`]. A page is rendered in one locale: chosen from the
//! request on the server, read back from `<html lang>` by the browser, so
//! hydration renders the same words (it reads `data-locale`, which page
//! translators leave alone). Switching language is a full page
//! load through `/lang/{ko,en}` (it sets the cookie).

pub mod format;
pub mod negotiate;
#[cfg(test)]
mod parity;
pub mod words;

use leptos::prelude::*;

use crate::{domain::Money, i18n::td_string};
pub use crate::{domain::dates::Zone, i18n::Locale};

/// Every locale, in the order the switch shows them.
pub const ALL: [Locale; 2] = [Locale::ko, Locale::en];

/// `ko` / `en`, as in `<html lang>` and the cookie.
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::ko => "ko",
        Locale::en => "en",
    }
}

/// The language's own name, for the switch.
pub fn endonym(locale: Locale) -> &'static str {
    match locale {
        Locale::ko => "한국어",
        Locale::en => "English",
    }
}

/// Chooses this render's locale and provides it to every component below.
/// On the server it follows the request (cookie, then `Accept-Language`);
/// in the browser it is what the server wrote into `<html lang>`.
pub fn provide() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    let locale = current();
    provide_context(locale);
    locale
}

#[cfg(feature = "ssr")]
fn current() -> Locale {
    use_context::<http::request::Parts>()
        .map(|parts| from_headers(&parts.headers))
        .unwrap_or(Locale::en)
}

/// `data-locale`, not `lang`: page translators rewrite `lang`.
#[cfg(not(feature = "ssr"))]
fn current() -> Locale {
    document()
        .document_element()
        .and_then(|root| root.get_attribute("data-locale"))
        .and_then(|tag| negotiate::from_tag(&tag))
        .unwrap_or(Locale::en)
}

/// Chooses the time zone this render shows instants in and provides it:
/// on the server `MOA_TIMEZONE` as it is now; in the browser what the
/// server wrote into `<html data-utc-offset data-zone>`.
pub fn provide_zone() -> Zone {
    if let Some(zone) = use_context::<Zone>() {
        return zone;
    }
    let zone = current_zone();
    provide_context(zone.clone());
    zone
}

#[cfg(feature = "ssr")]
fn current_zone() -> Zone {
    use_context::<crate::state::AppState>()
        .map(|state| Zone::of(state.timezone, state.clock.now()))
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn current_zone() -> Zone {
    let root = document().document_element();
    let attribute = |name| root.as_ref().and_then(|root| root.get_attribute(name));
    match (
        attribute("data-utc-offset").and_then(|offset| offset.parse().ok()),
        attribute("data-zone"),
    ) {
        (Some(offset_seconds), Some(abbreviation)) => Zone {
            offset_seconds,
            abbreviation,
        },
        _ => Zone::default(),
    }
}

/// The time zone of the page being rendered.
pub fn use_zone() -> Zone {
    use_context::<Zone>().unwrap_or_else(provide_zone)
}

/// The locale a request's headers choose.
pub fn from_headers(headers: &http::HeaderMap) -> Locale {
    negotiate::choose(
        crate::cookies::value(headers, negotiate::COOKIE_NAME),
        headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok()),
    )
}

/// The locale of the page being rendered.
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(provide)
}

/// `3 backers` / `후원자 3명`.
pub fn backers(locale: Locale, count: u64) -> String {
    let number = format::group_thousands(count);
    match format::plural(locale, count) {
        format::Plural::One => {
            td_string!(locale, counts.backers_singular, count = number).to_string()
        }
        format::Plural::Other => {
            td_string!(locale, counts.backers_plural, count = number).to_string()
        }
    }
}

/// An amount inside a sentence (see [`format::won_in_text`]).
pub fn won(locale: Locale, amount: Money) -> String {
    format::won_in_text(locale, amount)
}

/// A project status as people read it (`Funding` / `펀딩 중`).
pub fn status(locale: Locale, status: crate::domain::PostStatus) -> &'static str {
    use crate::domain::PostStatus;
    match status {
        PostStatus::Funding => td_string!(locale, status.funding),
        PostStatus::Success => td_string!(locale, status.success),
        PostStatus::Close => td_string!(locale, status.close),
        PostStatus::Cancel => td_string!(locale, status.cancel),
    }
}

/// An account's role as people read it.
pub fn role(locale: Locale, role: crate::domain::Role) -> &'static str {
    use crate::domain::Role;
    match role {
        Role::Backer => td_string!(locale, role.backer),
        Role::Publisher => td_string!(locale, role.publisher),
    }
}

/// A pocket movement's kind as people read it.
pub fn ledger_kind(locale: Locale, kind: crate::domain::LedgerKind) -> &'static str {
    use crate::domain::LedgerKind;
    match kind {
        LedgerKind::Deposit => td_string!(locale, ledger.deposit),
        LedgerKind::Backing => td_string!(locale, ledger.backing),
        LedgerKind::Withdrawal => td_string!(locale, ledger.withdrawal),
        LedgerKind::Refund => td_string!(locale, ledger.refund),
        LedgerKind::Payout => td_string!(locale, ledger.payout),
        LedgerKind::CashOut => td_string!(locale, ledger.cash_out),
    }
}

/// A backing's state as people read it.
pub fn backing_status(locale: Locale, status: crate::domain::BackingStatus) -> &'static str {
    use crate::domain::BackingStatus;
    match status {
        BackingStatus::Active => td_string!(locale, backing_status.active),
        BackingStatus::Withdrawn => td_string!(locale, backing_status.withdrawn),
        BackingStatus::Refunded => td_string!(locale, backing_status.refunded),
        BackingStatus::PaidOut => td_string!(locale, backing_status.paid_out),
    }
}
