//! Which language a request is answered in: the `moa_locale` cookie if it
//! names one Moa speaks, else the first language of `Accept-Language` (by
//! its `q`) that Moa speaks, else English. One rule for pages, server
//! functions and the REST API.

use crate::i18n::Locale;

/// The cookie the language switch sets.
pub const COOKIE_NAME: &str = "moa_locale";

/// A locale from its tag (`ko`, `ko-KR`, `EN-us`): only the primary
/// subtag counts.
pub fn from_tag(tag: &str) -> Option<Locale> {
    let primary = tag.trim().split(['-', '_']).next()?;
    if primary.eq_ignore_ascii_case("ko") {
        Some(Locale::ko)
    } else if primary.eq_ignore_ascii_case("en") {
        Some(Locale::en)
    } else {
        None
    }
}

/// The locale a `Cookie` header asks for, if any.
pub fn from_cookie_header(cookie_header: &str) -> Option<Locale> {
    crate::cookies::find(cookie_header, COOKIE_NAME).and_then(from_tag)
}

/// The most preferred locale an `Accept-Language` header accepts, if any.
/// `q=0` means "not this one"; ties keep the header's order.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(u16, Locale)> = None;
    for entry in header.split(',') {
        let mut parts = entry.split(';');
        let Some(locale) = parts.next().and_then(from_tag) else {
            continue;
        };
        let weight = parts
            .find_map(|parameter| parameter.trim().strip_prefix("q="))
            .map_or(Some(1000), quality_per_mille);
        if let Some(weight) = weight.filter(|weight| *weight > 0)
            && best.is_none_or(|(best_weight, _)| weight > best_weight)
        {
            best = Some((weight, locale));
        }
    }
    best.map(|(_, locale)| locale)
}

/// `0.8` → 800; anything that is not a quality value is ignored.
fn quality_per_mille(text: &str) -> Option<u16> {
    let quality: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&quality)
        .then(|| (quality * 1000.0).round() as u16)
}

/// The locale for a request with these headers.
pub fn for_request(cookie_header: Option<&str>, accept_language: Option<&str>) -> Locale {
    choose(
        cookie_header.and_then(|header| crate::cookies::find(header, COOKIE_NAME)),
        accept_language,
    )
}

/// The locale for a request whose `moa_locale` cookie (if any) is
/// `cookie`.
pub fn choose(cookie: Option<&str>, accept_language: Option<&str>) -> Locale {
    cookie
        .and_then(from_tag)
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(Locale::en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_browsers_get_korean_and_everyone_else_english() {
        assert_eq!(
            for_request(None, Some("ko-KR,ko;q=0.9,en-US;q=0.8")),
            Locale::ko
        );
        assert_eq!(for_request(None, Some("ko")), Locale::ko);
        assert_eq!(for_request(None, Some("en-US,en;q=0.9")), Locale::en);
        assert_eq!(for_request(None, Some("fr-FR,de;q=0.5")), Locale::en);
        assert_eq!(for_request(None, Some("*")), Locale::en);
        assert_eq!(for_request(None, None), Locale::en);
    }

    #[test]
    fn the_best_supported_language_wins_by_quality() {
        assert_eq!(
            from_accept_language("fr, ko;q=0.8, en;q=0.5"),
            Some(Locale::ko)
        );
        assert_eq!(from_accept_language("ko;q=0.3, en;q=0.7"), Some(Locale::en));
        assert_eq!(from_accept_language("en;q=0, ko;q=0.1"), Some(Locale::ko));
        assert_eq!(from_accept_language("ko;q=0"), None);
        assert_eq!(
            from_accept_language("ko;q=banana, en;q=0.5"),
            Some(Locale::en)
        );
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn the_cookie_overrides_the_browser() {
        let korean_browser = Some("ko-KR,ko;q=0.9");
        assert_eq!(
            for_request(Some("moa_locale=en"), korean_browser),
            Locale::en
        );
        assert_eq!(
            for_request(Some("moa_session=x.y.z; moa_locale=ko"), Some("en-US")),
            Locale::ko
        );
        // A cookie Moa cannot use leaves the choice to the browser.
        assert_eq!(
            for_request(Some("moa_locale=fr"), korean_browser),
            Locale::ko
        );
        assert_eq!(
            for_request(Some("other_locale=en"), korean_browser),
            Locale::ko
        );
    }
}
