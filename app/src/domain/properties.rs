//! Property tests of the domain rules: each states a rule for every input
//! (or every input of a shape), and proptest looks for one that breaks it.
//! The unit tests beside each rule pin examples; these pin the rule.
//!
//! 256 cases a property unless `PROPTEST_CASES` asks for more; a failure is
//! shrunk to its smallest case and kept in `app/proptest-regressions/`
//! (committed, so every later run tries it first). `PROPTEST_RNG_SEED`
//! replays a run exactly.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, Months, NaiveDate};
use proptest::{
    collection::vec,
    prelude::*,
    sample::select,
    test_runner::{Config, TestCaseError},
};

use super::{
    AchievementRate, Credentials, DDay, ListQuery, LoginName, Money, NewAccount, NewPost,
    PocketRegistration, PostDraft, PostStatus, ProjectSort, Role, TypedAmount,
    account::{check_email, return_path, return_path_or},
    dates::date_text,
    dday::days_left,
    ledger::{BackingStatus, LedgerKind},
    listing::{
        DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, MAX_SEARCH_CHARS, RawListQuery, SEARCH_COUNT_CAP,
        capped_count, encode_query_value, escape_like, pages_for, total_pages,
    },
    pocket::{
        Bank, CASH_OUT_MIN, DEPOSIT_MAX, DEPOSIT_MIN, IdempotencyKey, check_cash_out,
        check_deposit, mask_account_number, parse_cash_out, parse_deposit,
    },
    post::{
        CONTENT_MAX_CHARS, EditDraft, MAX_MONTHS_AHEAD, PRICE_MIN, PUBLISHER_NAME_MAX_CHARS,
        PostEdit, PostProblem, TARGET_MAX, TARGET_MIN, TITLE_MAX_CHARS, parse_iso_date,
    },
    problem::{FieldErrors, Problem},
    transition::{
        Actor, Confirmation, Refusal, is_allowed, is_due, outcome, owner_can, parse_owner_move,
    },
};

/// 256 cases a property, or `PROPTEST_CASES` when set (for a longer hunt).
fn config() -> Config {
    let default = Config::default();
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        default.cases
    } else {
        256
    };
    Config { cases, ..default }
}

// ---------------------------------------------------------------------------
// Inputs.

/// Characters that tend to break parsers: separators, signs, symbols
/// the rules strip, controls, invisible and bidirectional characters,
/// full-width look-alikes, and letters whose case mapping leaves ASCII.
const TRICKY: &[char] = &[
    '0', '1', '5', '9', ',', ' ', '₩', '원', '-', '+', '.', 'e', '/', '\\', ':', '%', '_', '?',
    '#', '&', '=', '@', 'a', 'Z', '\t', '\n', '\r', '\0', '\u{7f}', '\u{85}', '\u{a0}', '\u{200b}',
    '\u{202e}', '\u{2028}', '\u{3000}', '\u{3164}', '\u{feff}', '１', '／', '＼', 'İ', 'ı', 'K',
    '캠',
];

fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    vec(select(TRICKY), 0..max).prop_map(|chars| chars.into_iter().collect())
}

/// Any text: arbitrary Unicode, printable ASCII, or a run of tricky characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        tricky_text(40),
        "[0-9 ,]{0,30}",
    ]
}

/// `n` with thousands separators: `1,234,567`.
fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `n` as a person might type it, with whitespace around it.
fn typed(n: u128) -> impl Strategy<Value = String> {
    (0..7usize, select(vec!["", " ", "  ", "\t", "\u{3000}"])).prop_map(move |(form, pad)| {
        let body = match form {
            0 => n.to_string(),
            1 => grouped(n),
            2 => format!("₩{}", grouped(n)),
            3 => format!("{}원", grouped(n)),
            4 => format!("₩ {n}"),
            5 => format!("{} 원", grouped(n)),
            _ => format!("00{n}"),
        };
        format!("{pad}{body}{pad}")
    })
}

/// Text that is no amount: decimals, signs, letters, nothing.
fn not_an_amount() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("₩".to_owned()),
        Just("원".to_owned()),
        Just(" , ".to_owned()),
        (0..1_000_000u64).prop_map(|n| format!("{n}.5")),
        (1..1_000_000u64).prop_map(|n| format!("-{n}")),
        (1..1_000_000u64).prop_map(|n| format!("+{n}")),
        (1..1_000_000u64).prop_map(|n| format!("{n}e3")),
        (1..1_000_000u64).prop_map(|n| format!("１{n}")),
        "[a-zA-Z]{1,10}",
    ]
}

/// A calendar day between 2000 and 2100.
fn date() -> impl Strategy<Value = NaiveDate> {
    (730_120i32..=766_645).prop_filter_map("a date", NaiveDate::from_num_days_from_ce_opt)
}

/// Any calendar day a four-digit year can name.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (1i32..=3_652_059).prop_filter_map("a date", NaiveDate::from_num_days_from_ce_opt)
}

fn status() -> impl Strategy<Value = PostStatus> {
    select(vec![
        PostStatus::Funding,
        PostStatus::Success,
        PostStatus::Close,
        PostStatus::Cancel,
    ])
}

fn plus_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

fn keys(errors: &FieldErrors) -> BTreeSet<&str> {
    errors.keys().map(String::as_str).collect()
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

// ---------------------------------------------------------------------------
// Money.

proptest! {
    #![proptest_config(config())]

    /// What Moa shows is what it reads back, for every amount it can hold.
    #[test]
    fn money_display_round_trips(won in 0..=i64::MAX) {
        let shown = Money::won(won).to_string();
        prop_assert_eq!(Money::parse_typed(&shown), Some(Money::won(won)));
        prop_assert_eq!(Money::read_typed(&shown), TypedAmount::Amount(Money::won(won)));
    }

    /// `-₩1,234`: a sign, the symbol, then groups of three digits; the digits
    /// are the amount, negative ones included.
    #[test]
    fn money_display_groups_in_threes(won in any::<i64>()) {
        let shown = Money::won(won).to_string();
        let rest = shown.strip_prefix('-').unwrap_or(&shown);
        prop_assert_eq!(shown.starts_with('-'), won < 0);
        let groups = rest
            .strip_prefix('₩')
            .ok_or_else(|| fail(format!("no ₩ in {shown}")))?;
        let groups: Vec<&str> = groups.split(',').collect();
        prop_assert!((1..=3).contains(&groups[0].len()), "{}", shown);
        prop_assert!(groups[1..].iter().all(|g| g.len() == 3), "{}", shown);
        prop_assert!(groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())));
        prop_assert!(groups[0] != "0" || groups.len() == 1, "{}", shown);
        let magnitude: u128 = groups.concat().parse().map_err(|e| fail(format!("{e}")))?;
        prop_assert_eq!(magnitude, u128::from(won.unsigned_abs()));
    }

    /// Every form people type is read as the amount it says; more than an
    /// `i64` holds is `TooLarge`, never a wrapped or saturated amount.
    #[test]
    fn money_reads_every_typed_form(
        (n, text) in prop_oneof![
            0..=10_000_000_000u128,
            0..=u128::from(u64::MAX),
            any::<u128>(),
        ]
        .prop_flat_map(|n| (Just(n), typed(n)))
    ) {
        let expected = match i64::try_from(n) {
            Ok(won) => TypedAmount::Amount(Money::won(won)),
            Err(_) => TypedAmount::TooLarge,
        };
        prop_assert_eq!(Money::read_typed(&text), expected, "{:?}", text);
    }

    /// Digit strings of any length, leading zeros included.
    #[test]
    fn money_reads_digit_strings(digits in "[0-9]{1,38}") {
        let value: u128 = digits.parse().map_err(|e| fail(format!("{e}")))?;
        let expected = match i64::try_from(value) {
            Ok(won) => TypedAmount::Amount(Money::won(won)),
            Err(_) => TypedAmount::TooLarge,
        };
        prop_assert_eq!(Money::read_typed(&digits), expected);
    }

    /// Anything else is no amount: an accepted text holds only digits,
    /// separators and the currency marks, and its digits are the amount.
    #[test]
    fn money_never_guesses(text in prop_oneof![text(), not_an_amount()]) {
        let read = Money::read_typed(&text);
        prop_assert_eq!(
            Money::parse_typed(&text),
            match read {
                TypedAmount::Amount(amount) => Some(amount),
                _ => None,
            }
        );
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, ',' | ' ' | '₩' | '원');
        let inner = text.trim();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        match read {
            TypedAmount::Amount(amount) => {
                prop_assert!(inner.chars().all(allowed), "{:?}", text);
                // The won sign only before the number, 원 only after it.
                let first = inner.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
                let last = inner.rfind(|c: char| c.is_ascii_digit()).unwrap_or(0);
                prop_assert!(inner.rfind('₩').is_none_or(|at| at < first), "{:?}", text);
                prop_assert!(inner.find('원').is_none_or(|at| at > last), "{:?}", text);
                prop_assert!(amount >= Money::ZERO);
                prop_assert_eq!(digits.parse::<i64>().ok(), Some(amount.as_won()), "{:?}", text);
            }
            TypedAmount::TooLarge => {
                prop_assert!(inner.chars().all(allowed), "{:?}", text);
                prop_assert!(!digits.is_empty() && digits.parse::<i64>().is_err(), "{:?}", text);
            }
            TypedAmount::NotAnAmount => {}
        }
        if inner.chars().any(|c| !allowed(c)) {
            prop_assert_eq!(read, TypedAmount::NotAnAmount, "{:?}", text);
        }
    }

    /// No sum wraps: it is exact, or `None`.
    #[test]
    fn money_checked_add_is_exact_or_none(a in any::<i64>(), b in any::<i64>()) {
        let exact = i128::from(a) + i128::from(b);
        let sum = Money::won(a).checked_add(Money::won(b));
        prop_assert_eq!(sum.map(|m| i128::from(m.as_won())), i64::try_from(exact).ok().map(i128::from));
        prop_assert_eq!(sum, Money::won(b).checked_add(Money::won(a)));
    }

    /// Amounts order as integers and cross the wire as plain integers.
    #[test]
    fn money_orders_and_serializes_as_integers(a in any::<i64>(), b in any::<i64>()) {
        prop_assert_eq!(Money::won(a).cmp(&Money::won(b)), a.cmp(&b));
        let json = serde_json::to_string(&Money::won(a)).map_err(|e| fail(format!("{e}")))?;
        prop_assert_eq!(&json, &a.to_string());
        let back: Money = serde_json::from_str(&json).map_err(|e| fail(format!("{e}")))?;
        prop_assert_eq!(back, Money::won(a));
    }
}

// ---------------------------------------------------------------------------
// Achievement rate.

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![0..=10_000_000_000i64, 0..=i64::MAX]
}

fn positive_amount() -> impl Strategy<Value = i64> {
    prop_oneof![1..=10_000_000_000i64, 1..=i64::MAX]
}

proptest! {
    #![proptest_config(config())]

    /// floor(total × 100 / target), exactly, however large; it may pass 100
    /// (saturating only past `u64::MAX`), and the bar stops at 100.
    #[test]
    fn rate_is_the_floor_of_the_exact_percentage(total in amount(), target in positive_amount()) {
        let rate = AchievementRate::of(Money::won(total), Money::won(target));
        let exact = u128::from(total.unsigned_abs()) * 100 / u128::from(target.unsigned_abs());
        prop_assert_eq!(u128::from(rate.percent()), exact.min(u128::from(u64::MAX)));
        prop_assert_eq!(rate.bar_percent(), rate.percent().min(100));
        prop_assert_eq!(rate.to_string(), format!("{}%", rate.percent()));
    }

    /// The rate reaches 100 % exactly when the end date would succeed.
    #[test]
    fn rate_reaches_100_exactly_when_the_project_succeeds(
        total in amount(),
        target in positive_amount(),
    ) {
        let rate = AchievementRate::of(Money::won(total), Money::won(target));
        prop_assert_eq!(
            rate.percent() >= 100,
            outcome(Money::won(total), Money::won(target)) == PostStatus::Success
        );
    }

    /// More money never shows a lower rate.
    #[test]
    fn rate_grows_with_the_total(a in amount(), b in amount(), target in positive_amount()) {
        let (low, high) = (a.min(b), a.max(b));
        let target = Money::won(target);
        prop_assert!(
            AchievementRate::of(Money::won(low), target) <= AchievementRate::of(Money::won(high), target)
        );
    }

    /// Negative totals and targets of zero or less show 0 %.
    #[test]
    fn rate_of_nothing_is_zero(total in any::<i64>(), target in i64::MIN..=0) {
        prop_assert_eq!(AchievementRate::of(Money::won(total), Money::won(target)).percent(), 0);
        let negative = total.min(-1);
        prop_assert_eq!(
            AchievementRate::of(Money::won(negative), Money::won(10_000)).percent(),
            0
        );
    }
}

// ---------------------------------------------------------------------------
// D-day.

proptest! {
    #![proptest_config(config())]

    /// An end date `n` days away is `D-n`, `D-Day` at 0 and `Ended` after;
    /// open exactly while `n >= 0`.
    #[test]
    fn dday_counts_calendar_days(today in date(), n in -1_000i64..=1_000) {
        let end = plus_days(today, n).ok_or_else(|| fail("date out of range".into()))?;
        prop_assert_eq!(days_left(today, end), n);
        let dday = DDay::between(today, end);
        prop_assert_eq!(dday, DDay::from_days_left(n));
        prop_assert_eq!(dday.is_open(), n >= 0);
        let expected = match n {
            0 => "D-Day".to_owned(),
            n if n > 0 => format!("D-{n}"),
            _ => "Ended".to_owned(),
        };
        prop_assert_eq!(dday.to_string(), expected);
    }

    /// Day counts are differences: antisymmetric and additive.
    #[test]
    fn days_left_is_a_difference(a in date(), b in date(), c in date()) {
        prop_assert_eq!(days_left(a, b), -days_left(b, a));
        prop_assert_eq!(days_left(a, b) + days_left(b, c), days_left(a, c));
        prop_assert_eq!(plus_days(a, days_left(a, b)), Some(b));
    }

    /// A funding project is settled exactly when its card says it ended.
    #[test]
    fn settlement_is_due_exactly_when_the_card_says_ended(
        status in status(),
        today in date(),
        end in date(),
    ) {
        prop_assert_eq!(is_due(status, end, today), status == PostStatus::Funding && end < today);
        if status == PostStatus::Funding {
            prop_assert_eq!(is_due(status, end, today), !DDay::between(today, end).is_open());
        }
    }
}

// ---------------------------------------------------------------------------
// Lists.

fn raw_sort() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        Just("total".to_owned()),
        Just("created".to_owned()),
        Just(String::new()),
        Just("Total".to_owned()),
        Just(" created".to_owned()),
        text(),
    ])
}

fn raw_number() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        (0..=MAX_PAGE + 10).prop_map(|n| n.to_string()),
        (0..=MAX_PER_PAGE + 10).prop_map(|n| format!(" {n} ")),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        (0..100u32).prop_map(|n| format!("+{n}")),
        text(),
    ])
}

/// Searches people type, including ones that cross the length limit with
/// whitespace right at the cut.
fn raw_search() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        text(),
        "[ a-z가-힣%_\\\\]{0,120}",
        (
            90..=110usize,
            "[a-z]{1,5}",
            select(vec![" ", "  ", "\u{3000}", "\t"])
        )
            .prop_map(|(at, tail, gap)| format!("{}{gap}{tail}", "a".repeat(at))),
    ])
}

type RawStrings = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn raw_list_query() -> impl Strategy<Value = RawStrings> {
    (raw_search(), raw_sort(), raw_number(), raw_number())
}

fn raw(strings: &RawStrings) -> RawListQuery<'_> {
    RawListQuery {
        search: strings.0.as_deref(),
        sort: strings.1.as_deref(),
        page: strings.2.as_deref(),
        per_page: strings.3.as_deref(),
    }
}

/// Reads a list URL back as the server does (form decoding, `q` for the
/// search), strictly.
fn parse_url(url: &str) -> Result<ListQuery, String> {
    let query = match url.strip_prefix('/') {
        Some("") => "",
        Some(rest) => rest
            .strip_prefix('?')
            .ok_or_else(|| format!("not the home page: {url}"))?,
        None => return Err(format!("not a path: {url}")),
    };
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    ListQuery::parse(RawListQuery {
        search: params.get("q").map(String::as_str),
        sort: params.get("sort").map(String::as_str),
        page: params.get("page").map(String::as_str),
        per_page: params.get("per_page").map(String::as_str),
    })
    .map_err(|errors| format!("{url} refused: {errors:?}"))
}

/// What every `ListQuery` keeps, however it was made.
fn check_list_invariants(query: &ListQuery) -> Result<(), TestCaseError> {
    if let Some(search) = query.search() {
        prop_assert!(!search.is_empty());
        prop_assert_eq!(search, search.trim(), "search not trimmed");
        prop_assert!(search.chars().count() <= MAX_SEARCH_CHARS);
    }
    prop_assert!((1..=MAX_PAGE).contains(&query.page()));
    prop_assert!((1..=MAX_PER_PAGE).contains(&query.per_page()));
    prop_assert_eq!(
        query.offset(),
        i64::from(query.page() - 1) * i64::from(query.per_page())
    );
    prop_assert!(query.offset() >= 0);
    prop_assert_eq!(query.paging().limit(), i64::from(query.per_page()));
    // Its URL leads back to the same list, as the server reads it.
    let url = query.to_url();
    prop_assert_eq!(parse_url(&url).map_err(fail)?, query.clone(), "{}", url);
    Ok(())
}

/// What a typed search looks for: control characters count as spaces
/// (no title holds one), and the ends are trimmed.
fn searched_for(raw: &str) -> String {
    let spaced: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.trim().to_owned()
}

/// Whether a number field is acceptable to the strict parser.
fn number_ok(raw: Option<&str>, max: u32) -> bool {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => true,
        Some(text) => text.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n)),
    }
}

proptest! {
    #![proptest_config(config())]

    /// Strict parsing refuses exactly the bad fields, and what it accepts
    /// keeps every bound and survives a trip through its URL.
    #[test]
    fn list_query_strict_parse(strings in raw_list_query()) {
        let parsed = ListQuery::parse(raw(&strings));
        let search_ok = strings
            .0
            .as_deref()
            .is_none_or(|s| searched_for(s).chars().count() <= MAX_SEARCH_CHARS);
        let sort_ok = strings
            .1
            .as_deref()
            .is_none_or(|s| s.is_empty() || s == "total" || s == "created");
        let page_ok = number_ok(strings.2.as_deref(), MAX_PAGE);
        let per_page_ok = number_ok(strings.3.as_deref(), MAX_PER_PAGE);
        let mut bad = BTreeSet::new();
        for (field, ok) in [
            ("search", search_ok),
            ("sort", sort_ok),
            ("page", page_ok),
            ("per_page", per_page_ok),
        ] {
            if !ok {
                bad.insert(field);
            }
        }
        match &parsed {
            Ok(query) => {
                prop_assert!(bad.is_empty(), "accepted with bad {:?}", bad);
                check_list_invariants(query)?;
                let expected = strings.0.as_deref().map(searched_for).filter(|s| !s.is_empty());
                prop_assert_eq!(query.search(), expected.as_deref());
                // The lenient reading of valid input is the same list.
                prop_assert_eq!(&ListQuery::parse_lenient(raw(&strings)), query);
            }
            Err(errors) => prop_assert_eq!(keys(errors), bad),
        }
    }

    /// Lenient parsing always gives a list within bounds, which the strict
    /// parser (the server function the home page calls) and its own URL
    /// both accept as the same list.
    #[test]
    fn list_query_lenient_parse(strings in raw_list_query()) {
        let query = ListQuery::parse_lenient(raw(&strings));
        check_list_invariants(&query)?;
        let again = ListQuery::parse(RawListQuery {
            search: query.search(),
            sort: Some(query.sort().as_query()),
            page: Some(&query.page().to_string()),
            per_page: Some(&query.per_page().to_string()),
        });
        prop_assert_eq!(again, Ok(query.clone()));
        if !number_ok(strings.2.as_deref(), MAX_PAGE) {
            prop_assert_eq!(query.page(), 1);
        }
        if !number_ok(strings.3.as_deref(), MAX_PER_PAGE) {
            prop_assert_eq!(query.per_page(), DEFAULT_PER_PAGE);
        }
    }

    /// The pager's and the search box's moves keep every bound.
    #[test]
    fn list_query_moves_keep_bounds(
        strings in raw_list_query(),
        page in any::<u32>(),
        search in raw_search(),
        created in any::<bool>(),
    ) {
        let query = ListQuery::parse_lenient(raw(&strings));
        let paged = query.with_page(page);
        check_list_invariants(&paged)?;
        prop_assert_eq!(paged.page(), page.clamp(1, MAX_PAGE));
        prop_assert_eq!(paged.per_page(), query.per_page());
        let sort = if created { ProjectSort::Created } else { ProjectSort::Total };
        let sorted = paged.with_sort(sort);
        check_list_invariants(&sorted)?;
        prop_assert_eq!((sorted.sort(), sorted.page()), (sort, 1));
        let searched = paged.with_search(search.as_deref());
        check_list_invariants(&searched)?;
        prop_assert_eq!(searched.page(), 1);
    }

    /// `%`, `_` and `\` are always escaped, so a search matches only itself.
    #[test]
    fn escape_like_leaves_no_bare_wildcard(search in text()) {
        let escaped = escape_like(&search);
        let mut unescaped = String::new();
        let mut chars = escaped.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(next @ ('%' | '_' | '\\')) => unescaped.push(next),
                    other => return Err(fail(format!("bad escape {other:?} in {escaped:?}"))),
                },
                '%' | '_' => return Err(fail(format!("bare {c:?} in {escaped:?}"))),
                c => unescaped.push(c),
            }
        }
        prop_assert_eq!(&unescaped, &search);
        let query = ListQuery::default().with_search(Some(&search));
        if let (Some(pattern), Some(search)) = (query.like_pattern(), query.search()) {
            prop_assert_eq!(pattern, format!("%{}%", escape_like(search)));
        }
    }

    /// Query values are encoded to unreserved ASCII and decode to themselves.
    #[test]
    fn query_values_encode_reversibly(value in text()) {
        let encoded = encode_query_value(&value);
        prop_assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~+%".contains(&b)),
            "{}",
            encoded
        );
        let decoded: Vec<(String, String)> =
            url::form_urlencoded::parse(format!("q={encoded}").as_bytes()).into_owned().collect();
        prop_assert_eq!(decoded, vec![("q".to_owned(), value)]);
    }

    /// A count past the cap shows the cap, as a lower bound; below it, itself.
    #[test]
    fn capped_count_is_a_lower_bound(counted in prop_oneof![0..=2 * SEARCH_COUNT_CAP, any::<u64>()]) {
        let (shown, capped) = capped_count(counted);
        prop_assert_eq!(capped, counted > SEARCH_COUNT_CAP);
        prop_assert_eq!(shown, counted.min(SEARCH_COUNT_CAP));
        prop_assert!(shown <= counted);
    }

    /// Enough pages for every item and no empty last page; a capped count
    /// always offers the next page.
    #[test]
    fn page_counts_cover_the_items(
        total in prop_oneof![0..=100_000u64, any::<u64>()],
        per_page in prop_oneof![0..=MAX_PER_PAGE, any::<u32>()],
        page in prop_oneof![1..=MAX_PAGE, any::<u32>()],
        capped in any::<bool>(),
    ) {
        let pages = total_pages(total, per_page);
        let size = u128::from(per_page.max(1));
        let exact = u128::from(total).div_ceil(size);
        prop_assert_eq!(u128::from(pages), exact.min(u128::from(u32::MAX)));
        if pages < u32::MAX {
            prop_assert!(u128::from(pages) * size >= u128::from(total));
            prop_assert!(total == 0 || (u128::from(pages) - 1) * size < u128::from(total));
        }
        let offered = pages_for(total, capped, per_page, page);
        prop_assert!(offered >= pages);
        if capped {
            prop_assert!(offered >= page.saturating_add(1));
            prop_assert!(offered > page || page == u32::MAX);
        } else {
            prop_assert_eq!(offered, pages);
        }
    }
}

// ---------------------------------------------------------------------------
// Projects.

/// Characters that show: letters, Hangul, digits, punctuation, emoji.
fn visible_text(min: usize, max: usize) -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            4 => "[a-zA-Z0-9가-힣!?&'.,()]",
            1 => Just("😀".to_owned()),
            1 => Just(" ".to_owned()),
        ],
        min..=max,
    )
    .prop_map(|parts| parts.concat())
    .prop_filter("something to see", move |s| {
        s.trim().chars().count() >= min.max(1) && s.chars().next().is_some_and(|c| c != ' ')
    })
}

/// Whitespace that trimming removes.
fn padding() -> impl Strategy<Value = String> {
    select(vec!["", " ", "  ", "\t", "\n", "\u{3000}", " \r\n"]).prop_map(str::to_owned)
}

/// A title-like field: `(text, valid)` for a limit of `max` characters.
fn name_field(max: usize) -> impl Strategy<Value = (String, bool)> {
    let valid = (visible_text(1, max), padding(), padding())
        .prop_map(|(text, before, after)| (format!("{before}{text}{after}"), true));
    let too_long = visible_text(max + 1, max + 20)
        .prop_filter("long enough", move |t| t.trim().chars().count() > max)
        .prop_map(|text| (text, false));
    let blank = padding().prop_map(|text| (text, false));
    let hidden = (
        visible_text(1, max.min(20)),
        select(vec![
            '\0', '\n', '\t', '\u{7f}', '\u{85}', '\u{200b}', '\u{200f}', '\u{202e}', '\u{2066}',
            '\u{feff}', '\u{115f}', '\u{3164}', '\u{ffa0}',
        ]),
        visible_text(1, 5),
    )
        .prop_map(|(a, c, b)| (format!("{a}{c}{b}"), false));
    let only_invisible = select(vec!["\u{200b}", "\u{3164}\u{3164}", "\u{feff}"])
        .prop_map(|t| (t.to_owned(), false));
    prop_oneof![4 => valid, 1 => too_long, 1 => blank, 1 => hidden, 1 => only_invisible]
}

fn content_field() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        4 => "[a-z가-힣 #*\n\r\t]{0,200}".prop_map(|t| (t, true)),
        1 => Just(("가".repeat(CONTENT_MAX_CHARS), true)),
        1 => Just(("a".repeat(CONTENT_MAX_CHARS + 1), false)),
        1 => ("[a-z]{0,20}", select(vec!['\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}']))
            .prop_map(|(t, c)| (format!("{t}{c}"), false)),
    ]
}

#[derive(Clone, Debug, PartialEq)]
enum Typed {
    Amount(u128),
    NotAnAmount,
}

/// An amount field: the number it says (if any) and the text typed.
fn amount_field(around: u128) -> impl Strategy<Value = (Typed, String)> {
    prop_oneof![
        4 => (0..=around * 2).prop_flat_map(|n| (Just(Typed::Amount(n)), typed(n))),
        1 => (0..=20_000_000_000u128).prop_flat_map(|n| (Just(Typed::Amount(n)), typed(n))),
        1 => any::<u128>().prop_flat_map(|n| (Just(Typed::Amount(n)), typed(n))),
        1 => not_an_amount().prop_map(|t| (Typed::NotAnAmount, t)),
    ]
}

/// A last-day field, `offset` days from today, or no date at all.
fn final_date_field() -> impl Strategy<Value = (Option<i64>, String)> {
    prop_oneof![
        4 => (-40i64..=400).prop_map(|n| (Some(n), String::new())),
        1 => select(vec!["", "tomorrow", "2026-2-1", "20261201", "2026-02-30", "1999-12-31", "2026-13-01", "２０２６-01-01"])
            .prop_map(|t| (None, t.to_owned())),
        1 => text().prop_map(|t| (None, t)),
    ]
}

#[derive(Clone, Debug)]
struct DraftCase {
    title: (String, bool),
    publisher_name: (String, bool),
    content: (String, bool),
    target: (Typed, String),
    price: (Typed, String),
    final_date: (Option<i64>, String),
    today: NaiveDate,
}

fn draft_case() -> impl Strategy<Value = DraftCase> {
    (
        name_field(TITLE_MAX_CHARS),
        name_field(PUBLISHER_NAME_MAX_CHARS),
        content_field(),
        amount_field(10_000),
        amount_field(1_000),
        final_date_field(),
        date(),
    )
        .prop_map(
            |(title, publisher_name, content, target, price, final_date, today)| DraftCase {
                title,
                publisher_name,
                content,
                target,
                price,
                final_date,
                today,
            },
        )
}

impl DraftCase {
    fn final_date_text(&self) -> String {
        match self.final_date.0 {
            Some(offset) => plus_days(self.today, offset)
                .map(date_text)
                .unwrap_or_default(),
            None => self.final_date.1.clone(),
        }
    }

    fn draft<'a>(&'a self, final_date: &'a str) -> PostDraft<'a> {
        PostDraft {
            title: &self.title.0,
            publisher_name: &self.publisher_name.0,
            content: &self.content.0,
            target_amount: &self.target.1,
            price: &self.price.1,
            final_date,
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// `YYYY-MM-DD` from 2000 on reads back as itself; anything read was
    /// exactly such a date.
    #[test]
    fn iso_dates_round_trip(day in any_date(), raw in prop_oneof![text(), "[0-9]{4}-[0-9]{2}-[0-9]{2}"]) {
        prop_assert_eq!(parse_iso_date(&date_text(day)), (day.year() >= 2000).then_some(day));
        if let Some(date) = parse_iso_date(&raw) {
            prop_assert_eq!(date_text(date), raw.trim());
            prop_assert!(date.year() >= 2000);
        }
    }
}

fn latest_final_date(today: NaiveDate) -> Option<NaiveDate> {
    today.checked_add_months(Months::new(MAX_MONTHS_AHEAD))
}

fn in_bounds(n: u128, min: Money, max: Money) -> bool {
    i64::try_from(n).is_ok_and(|won| (min..=max).contains(&Money::won(won)))
}

proptest! {
    #![proptest_config(config())]

    /// Each field is refused exactly when it breaks its rule, with the
    /// right problem; a draft with no problem is accepted as typed
    /// (names trimmed, amounts as read, the date as given).
    #[test]
    fn new_post_refuses_exactly_the_broken_rules(case in draft_case()) {
        let final_date = case.final_date_text();
        let parsed = NewPost::parse(&case.draft(&final_date), case.today);

        let target_ok = matches!(case.target.0, Typed::Amount(n) if in_bounds(n, TARGET_MIN, TARGET_MAX));
        let price_max = match case.target.0 {
            Typed::Amount(n) if target_ok => Money::won(i64::try_from(n).unwrap_or(i64::MAX)),
            _ => TARGET_MAX,
        };
        let price_ok = matches!(case.price.0, Typed::Amount(n) if in_bounds(n, PRICE_MIN, price_max));
        let earliest = case.today.succ_opt().ok_or_else(|| fail("no tomorrow".into()))?;
        let latest = latest_final_date(case.today).ok_or_else(|| fail("no next year".into()))?;
        let date = match case.final_date.0 {
            Some(offset) => plus_days(case.today, offset),
            None => parse_iso_date(&final_date),
        };
        let date_ok = date.is_some_and(|d| (earliest..=latest).contains(&d));

        let mut expected = BTreeMap::new();
        if !case.title.1 {
            expected.insert("title", PostProblem::TitleLength { max: TITLE_MAX_CHARS });
        }
        if !case.publisher_name.1 {
            expected.insert(
                "publisher_name",
                PostProblem::PublisherNameLength { max: PUBLISHER_NAME_MAX_CHARS },
            );
        }
        if !case.content.1 {
            expected.insert("content", PostProblem::ContentTooLong { max: CONTENT_MAX_CHARS });
        }
        if !target_ok {
            expected.insert("target_amount", match case.target.0 {
                Typed::NotAnAmount => PostProblem::TargetAmountNotAnAmount,
                Typed::Amount(_) => PostProblem::TargetAmountOutOfBound { min: TARGET_MIN, max: TARGET_MAX },
            });
        }
        if !price_ok {
            expected.insert("price", match case.price.0 {
                Typed::NotAnAmount => PostProblem::PriceNotAnAmount,
                Typed::Amount(_) => PostProblem::PriceOutOfBound { min: PRICE_MIN, max: price_max },
            });
        }
        if !date_ok {
            expected.insert("final_date", match date {
                None => PostProblem::FinalDateNotADate,
                Some(_) => PostProblem::InvalidFinalDate { earliest, latest },
            });
        }

        match parsed {
            Ok(post) => {
                prop_assert!(expected.is_empty(), "accepted despite {:?}", expected);
                prop_assert_eq!(post.title(), case.title.0.trim());
                prop_assert_eq!(post.publisher_name(), case.publisher_name.0.trim());
                prop_assert_eq!(post.content(), case.content.0.as_str());
                prop_assert_eq!(Some(post.target_amount()), Money::parse_typed(&case.target.1));
                prop_assert_eq!(Some(post.price()), Money::parse_typed(&case.price.1));
                prop_assert!((TARGET_MIN..=TARGET_MAX).contains(&post.target_amount()));
                prop_assert!(PRICE_MIN <= post.price() && post.price() <= post.target_amount());
                prop_assert!(case.today < post.final_date() && post.final_date() <= latest);
                prop_assert_eq!(Some(post.final_date()), date);
            }
            Err(problems) => {
                let got: BTreeMap<&str, PostProblem> =
                    problems.0.iter().map(|p| (p.field(), p.clone())).collect();
                prop_assert_eq!(got.len(), problems.0.len(), "one problem a field: {:?}", problems);
                prop_assert_eq!(&got, &expected);
                let fields = problems.field_errors();
                prop_assert_eq!(keys(&fields), expected.keys().copied().collect::<BTreeSet<_>>());
                for (field, problem) in &expected {
                    prop_assert_eq!(problems.problem_for(field), Some(problem));
                }
            }
        }
    }

    /// Any text at all, on any day: no panic, and every problem names one
    /// of the six fields once.
    #[test]
    fn new_post_never_panics(
        fields in [text(), text(), text(), text(), text(), text()],
        today in any_date(),
    ) {
        let draft = PostDraft {
            title: &fields[0],
            publisher_name: &fields[1],
            content: &fields[2],
            target_amount: &fields[3],
            price: &fields[4],
            final_date: &fields[5],
        };
        if let Err(problems) = NewPost::parse(&draft, today) {
            prop_assert!(!problems.0.is_empty());
            let named: BTreeSet<&str> = problems.0.iter().map(PostProblem::field).collect();
            prop_assert_eq!(named.len(), problems.0.len());
            prop_assert!(named.iter().all(|f| [
                "title", "publisher_name", "content", "target_amount", "price", "final_date"
            ].contains(f)));
            let error = crate::error::AppError::from(problems.clone());
            prop_assert_eq!(
                error.details.keys().map(String::as_str).collect::<BTreeSet<_>>(),
                named
            );
        }
    }

    /// A target under ₩10,000, however typed and whatever else is sent, is
    /// refused on the target field.
    #[test]
    fn small_targets_are_always_refused(
        case in draft_case(),
        target in (0..10_000u128).prop_flat_map(typed),
    ) {
        let final_date = case.final_date_text();
        let draft = PostDraft { target_amount: &target, ..case.draft(&final_date) };
        let problems = NewPost::parse(&draft, case.today)
            .err()
            .ok_or_else(|| fail(format!("target {target:?} accepted")))?;
        prop_assert_eq!(
            problems.problem_for("target_amount"),
            Some(&PostProblem::TargetAmountOutOfBound { min: TARGET_MIN, max: TARGET_MAX })
        );
    }

    /// Funding that would end today or earlier, or more than a year ahead,
    /// is refused on the date field, naming the days that are allowed.
    #[test]
    fn final_dates_outside_the_window_are_refused(
        case in draft_case(),
        back in 0u64..=3_000,
        beyond in 1u64..=3_000,
        late in any::<bool>(),
    ) {
        let latest = latest_final_date(case.today).ok_or_else(|| fail("no next year".into()))?;
        let day = if late {
            latest.checked_add_days(Days::new(beyond))
        } else {
            case.today.checked_sub_days(Days::new(back))
        }
        .ok_or_else(|| fail("date out of range".into()))?;
        // Years before 2000 are no date at all (`FinalDateNotADate`).
        prop_assume!(day.year() >= 2000);
        let typed_day = date_text(day);
        let problems = NewPost::parse(&case.draft(&typed_day), case.today)
            .err()
            .ok_or_else(|| fail(format!("{typed_day} accepted on {}", case.today)))?;
        prop_assert_eq!(
            problems.problem_for("final_date"),
            Some(&PostProblem::InvalidFinalDate {
                earliest: case.today.succ_opt().unwrap_or(case.today),
                latest,
            })
        );
    }

    /// Edits: any text, no panic; naming the target is always refused; a
    /// field left out is never a problem; the price is checked against the
    /// project's target.
    #[test]
    fn post_edits(
        fields in proptest::option::weighted(0.5, prop_oneof![text(), "[a-z ]{1,20}", "[0-9,]{4,9}"]),
        price in proptest::option::of(prop_oneof![(0..=100_000u128).prop_flat_map(typed), text()]),
        target_sent in any::<bool>(),
        target in 10_000..=1_000_000i64,
        today in date(),
        offset in -10i64..=400,
    ) {
        let final_date = plus_days(today, offset).map(date_text);
        let draft = EditDraft {
            title: fields.as_deref(),
            publisher_name: None,
            content: None,
            price: price.as_deref(),
            final_date: final_date.as_deref(),
            target_amount_sent: target_sent,
        };
        match PostEdit::parse(&draft, today) {
            Ok(edit) => {
                prop_assert!(!target_sent);
                prop_assert_eq!(edit.title(), fields.as_deref().map(str::trim));
                prop_assert!(edit.publisher_name().is_none() && edit.content().is_none());
                prop_assert_eq!(edit.price(), price.as_deref().and_then(Money::parse_typed));
                prop_assert!(edit.changes_terms());
                let refused = edit.check_against(Money::won(target)).is_err();
                prop_assert_eq!(refused, edit.price().is_some_and(|p| p > Money::won(target)));
            }
            Err(problems) => {
                prop_assert_eq!(
                    problems.0.contains(&PostProblem::TargetAmountImmutable),
                    target_sent
                );
                for problem in &problems.0 {
                    prop_assert!(
                        ["title", "price", "final_date", "target_amount"].contains(&problem.field()),
                        "{:?}",
                        problem
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Pockets.

fn bank_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (select(Bank::ALL.to_vec()), padding())
            .prop_map(|(bank, pad)| format!("{pad}{}{pad}", bank.code())),
        select(Bank::ALL.to_vec()).prop_map(|bank| bank.code().to_lowercase()),
        select(Bank::ALL.to_vec()).prop_map(|bank| bank.name().to_owned()),
        text(),
    ]
}

fn account_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(prop_oneof![8 => "[0-9]", 1 => Just("-".to_owned()), 1 => Just(" ".to_owned())], 0..24)
            .prop_map(|parts| parts.concat()),
        1 => text(),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// A registration is a known bank code and 10 to 14 digits once hyphens
    /// and spaces are dropped; each bad part is named.
    #[test]
    fn pocket_registration(bank in bank_text(), account in account_text()) {
        let bank_ok = Bank::ALL.iter().any(|b| b.code() == bank.trim());
        let digits: String = account.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        let account_ok = digits.bytes().all(|b| b.is_ascii_digit())
            && (10..=14).contains(&digits.len());
        match PocketRegistration::parse(&bank, &account) {
            Ok(registration) => {
                prop_assert!(bank_ok && account_ok);
                prop_assert_eq!(registration.bank.code(), bank.trim());
                prop_assert_eq!(&registration.account_number, &digits);
            }
            Err(errors) => {
                let mut bad = BTreeSet::new();
                if !bank_ok {
                    bad.insert("bank");
                }
                if !account_ok {
                    bad.insert("account_number");
                }
                prop_assert_eq!(keys(&errors), bad);
            }
        }
    }

    /// A masked number shows its last four characters and nothing else.
    #[test]
    fn masking_shows_only_the_last_four(number in prop_oneof![account_text(), "[0-9]{10,14}"]) {
        let masked = mask_account_number(&number);
        let original: Vec<char> = number.chars().collect();
        let shown: Vec<char> = masked.chars().collect();
        prop_assert_eq!(shown.len(), original.len());
        let hidden = original.len().saturating_sub(4);
        prop_assert!(shown[..hidden].iter().all(|&c| c == '*'));
        prop_assert_eq!(&shown[hidden..], &original[hidden..]);
    }

    /// Top-ups are ₩1,000 to ₩10,000,000, typed or sent as numbers.
    #[test]
    fn deposits_are_bounded(
        won in prop_oneof![0..=20_000_000i64, any::<i64>()],
        (n, typed_text) in prop_oneof![0..=20_000_000u128, any::<u128>()]
            .prop_flat_map(|n| (Just(n), typed(n))),
        other in prop_oneof![text(), not_an_amount()],
    ) {
        let checked = check_deposit(won);
        if (DEPOSIT_MIN..=DEPOSIT_MAX).contains(&Money::won(won)) {
            prop_assert_eq!(checked, Ok(Money::won(won)));
        } else {
            prop_assert_eq!(checked.map_err(|e| e.get("amount").cloned()), Err(Some(Problem::DepositOutOfBound { min: DEPOSIT_MIN, max: DEPOSIT_MAX })));
        }
        match parse_deposit(&typed_text) {
            Ok(amount) => {
                prop_assert!(in_bounds(n, DEPOSIT_MIN, DEPOSIT_MAX));
                prop_assert_eq!(u128::from(amount.as_won().unsigned_abs()), n);
            }
            Err(errors) => {
                prop_assert!(!in_bounds(n, DEPOSIT_MIN, DEPOSIT_MAX), "{:?}", typed_text);
                prop_assert_eq!(keys(&errors), BTreeSet::from(["amount"]));
            }
        }
        match parse_deposit(&other) {
            Ok(amount) => {
                prop_assert_eq!(Money::read_typed(&other), TypedAmount::Amount(amount));
                prop_assert!((DEPOSIT_MIN..=DEPOSIT_MAX).contains(&amount));
            }
            Err(errors) => prop_assert_eq!(keys(&errors), BTreeSet::from(["amount"])),
        }
    }

    /// A cash-out is any whole won from ₩1, exactly as typed: never some
    /// other amount than the one the person asked for.
    #[test]
    fn cash_outs_are_what_was_typed(
        won in any::<i64>(),
        (n, typed_text) in prop_oneof![0..=20_000_000u128, any::<u128>()]
            .prop_flat_map(|n| (Just(n), typed(n))),
        other in prop_oneof![text(), not_an_amount()],
    ) {
        prop_assert_eq!(check_cash_out(won).is_ok(), won >= CASH_OUT_MIN.as_won());
        if let Ok(amount) = check_cash_out(won) {
            prop_assert_eq!(amount, Money::won(won));
        }
        match parse_cash_out(&typed_text) {
            Ok(amount) => prop_assert_eq!(u128::from(amount.as_won().unsigned_abs()), n, "{:?}", typed_text),
            Err(errors) => {
                prop_assert!(!in_bounds(n, CASH_OUT_MIN, Money::won(i64::MAX)), "{:?}", typed_text);
                prop_assert_eq!(keys(&errors), BTreeSet::from(["amount"]));
            }
        }
        match parse_cash_out(&other) {
            Ok(amount) => {
                prop_assert_eq!(Money::read_typed(&other), TypedAmount::Amount(amount));
                prop_assert!(amount >= CASH_OUT_MIN);
            }
            Err(errors) => prop_assert_eq!(keys(&errors), BTreeSet::from(["amount"])),
        }
    }

    /// Idempotency keys: 1 to 200 visible ASCII characters, kept as sent.
    #[test]
    fn idempotency_keys(
        key in prop_oneof!["[!-~]{1,200}", "[!-~]{201,260}", "[ -~]{0,40}", text()],
    ) {
        let ok = (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
        match IdempotencyKey::parse(&key) {
            Ok(parsed) => {
                prop_assert!(ok);
                prop_assert_eq!(parsed.as_str(), key.as_str());
            }
            Err(errors) => {
                prop_assert!(!ok);
                prop_assert_eq!(keys(&errors), BTreeSet::from(["Idempotency-Key"]));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Accounts.

fn username_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (padding(), "[A-Za-z0-9_]{3,30}", padding()).prop_map(|(a, name, b)| format!("{a}{name}{b}")),
        1 => "[A-Za-z0-9_]{0,2}",
        1 => "[A-Za-z0-9_]{31,40}",
        1 => "[A-Za-z0-9_]{1,10}[İıK \\-.@가ß][A-Za-z0-9_]{1,10}",
        1 => text(),
    ]
}

fn email_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (padding(), "[a-z0-9.+_-]{1,20}@[a-z0-9-]{1,20}\\.[a-z]{2,6}").prop_map(|(p, e)| format!("{p}{e}")),
        1 => "[a-z@. ]{0,20}",
        1 => "[a-z]{1,250}@[a-z]{1,10}\\.com",
        1 => text(),
    ]
}

fn password_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ -~가-힣]{10,40}",
        1 => ".{0,9}",
        1 => "[a-z]{120,140}",
        1 => text(),
    ]
}

fn role_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("backer".to_owned()),
        Just("publisher".to_owned()),
        Just("Backer".to_owned()),
        Just(" publisher".to_owned()),
        Just("admin".to_owned()),
        text(),
    ]
}

/// A username by the rule (and the database's check): 3 to 30 of
/// `[A-Za-z0-9_]`.
fn is_username(name: &str) -> bool {
    (3..=30).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Where a `Location` header sends a browser that is on `page`.
fn destination(page: &str, location: &str) -> Result<url::Url, TestCaseError> {
    let base = url::Url::parse(page).map_err(|e| fail(format!("{e}")))?;
    base.join(location)
        .map_err(|e| fail(format!("{location:?} does not resolve: {e}")))
}

/// Pieces that open redirects are made of.
const REDIRECT_PIECES: &[&str] = &[
    "/",
    "//",
    "\\",
    "/\\",
    "\\/",
    "///",
    "/./",
    "/../",
    "..",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "%09",
    "%0a",
    "http:",
    "https:",
    "javascript:",
    "data:",
    "://",
    ":",
    "@",
    "evil.example",
    "moa.example",
    "?",
    "#",
    "&",
    "=",
    " ",
    "\t",
    "\n",
    "\r",
    "\0",
    "\u{b}",
    "\u{c}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{3000}",
    "\u{feff}",
    "\u{200b}",
    "\u{2028}",
    "／",
    "＼",
    "。",
    "ｅｖｉｌ",
    "pocket",
    "캠핑",
    "x",
];

/// Mostly text that starts like a local path, since that is what the rule
/// has to look past the first character of.
fn redirect_text() -> impl Strategy<Value = String> {
    let start = select(vec!["/", "/", "/", "//", "/\\", "\\", ""]);
    (start, vec(select(REDIRECT_PIECES), 0..12))
        .prop_map(|(start, rest)| format!("{start}{}", rest.concat()))
}

proptest! {
    #![proptest_config(config())]

    /// A log-in name is a username, lowercased (ASCII only), whatever its case.
    #[test]
    fn login_names(raw in username_text()) {
        let trimmed = raw.trim();
        match LoginName::parse(&raw) {
            Ok(name) => {
                prop_assert!(is_username(trimmed), "{:?}", raw);
                prop_assert_eq!(name.as_str(), trimmed.to_ascii_lowercase());
                prop_assert!(name.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
                prop_assert_eq!(LoginName::parse(name.as_str()), Ok(name.clone()));
            }
            Err(errors) => {
                prop_assert!(!is_username(trimmed), "{:?}", raw);
                prop_assert_eq!(keys(&errors), BTreeSet::from(["username"]));
            }
        }
        prop_assert_eq!(
            LoginName::parse(&raw.to_ascii_uppercase()).ok(),
            LoginName::parse(&raw.to_ascii_lowercase()).ok()
        );
    }

    /// Sign-ups: each bad field named; what is accepted fits the database's
    /// checks; the password never shows in debug output.
    #[test]
    fn new_accounts(
        username in username_text(),
        email in email_text(),
        password in password_text(),
        role in role_text(),
    ) {
        let parsed = NewAccount::parse(&username, &email, &password, &role);
        let mut bad = BTreeSet::new();
        if !is_username(username.trim()) {
            bad.insert("username");
        }
        if check_email(email.trim()).is_err() {
            bad.insert("email");
        }
        if !(10..=128).contains(&password.chars().count()) {
            bad.insert("password");
        }
        if Role::parse(&role).is_none() {
            bad.insert("role");
        }
        match &parsed {
            Ok(account) => {
                prop_assert!(bad.is_empty(), "{:?}", bad);
                prop_assert_eq!(&account.username, username.trim());
                prop_assert!(is_username(&account.username));
                prop_assert_eq!(&account.email, email.trim());
                prop_assert_eq!(account.email.matches('@').count(), 1);
                prop_assert!(account.email.len() <= 254);
                prop_assert!(!account.email.chars().any(char::is_whitespace));
                prop_assert_eq!(&account.password, &password);
                prop_assert_eq!(account.role.as_str(), role.as_str());
            }
            Err(errors) => prop_assert_eq!(keys(errors), bad),
        }
        if password.chars().count() >= 8
            && !username.contains(&password)
            && !email.contains(&password)
            && !role.contains(&password)
        {
            let shown = format!("{parsed:?}");
            prop_assert!(!shown.contains(&password), "{}", shown);
        }
    }

    /// Log-ins: a log-in name and a password of 1 to 128 characters, kept
    /// exactly (never trimmed), and never shown.
    #[test]
    fn credentials(username in username_text(), password in password_text()) {
        let name = LoginName::parse(&username);
        let length = password.chars().count();
        match Credentials::parse(&username, &password) {
            Ok(credentials) => {
                prop_assert_eq!(Ok(credentials.name().clone()), name);
                prop_assert!((1..=128).contains(&length));
                let shown = format!("{credentials:?}");
                if length >= 8 && !username.to_ascii_lowercase().contains(&password) {
                    prop_assert!(!shown.contains(&password), "{}", shown);
                }
                prop_assert_eq!(credentials.into_password(), password);
            }
            Err(errors) => {
                let mut bad = BTreeSet::new();
                if name.is_err() {
                    bad.insert("username");
                }
                if !(1..=128).contains(&length) {
                    bad.insert("password");
                }
                prop_assert_eq!(keys(&errors), bad);
            }
        }
    }

}

proptest! {
    // A security rule, and cheap to check: sixteen times the cases.
    #![proptest_config(Config { cases: config().cases.saturating_mul(16), ..config() })]

    /// The open-redirect rule: whatever `next` says, the page a browser is
    /// sent to (resolved as a browser resolves a `Location`) is on Moa.
    #[test]
    fn return_paths_never_leave_the_site(
        next in prop_oneof![
            6 => redirect_text(),
            2 => text(),
            2 => any::<String>(),
            1 => (2040..2060usize).prop_map(|n| format!("/{}", "a".repeat(n))),
        ],
        default in select(vec!["/", "/pocket", "/me/projects"]),
    ) {
        let path = return_path(Some(&next));
        prop_assert!(path == "/" || path == next, "{:?} → {:?}", next, path);
        prop_assert!(path.starts_with('/'));
        prop_assert!(!path.starts_with("//") && !path.starts_with("/\\"), "{:?}", path);
        prop_assert!(!path.chars().any(char::is_control), "{:?}", path);
        prop_assert!(path.len() <= 2048);
        if next.len() > 2048 {
            prop_assert_eq!(&path, "/");
        }
        for page in [
            "https://moa.example/",
            "https://moa.example/login?next=%2Fpocket",
            "http://moa.example:3000/posts/7/edit",
        ] {
            let base = url::Url::parse(page).map_err(|e| fail(format!("{e}")))?;
            let to = destination(page, &path)?;
            prop_assert_eq!(to.origin(), base.origin(), "{:?} → {}", next, to);
            prop_assert_eq!((to.username(), to.password()), ("", None));
        }
        let or_default = return_path_or(Some(&next), default);
        if next.is_empty() {
            prop_assert_eq!(or_default, default);
        } else {
            prop_assert_eq!(or_default, path);
        }
        prop_assert_eq!(return_path_or(None, default), default);
        prop_assert_eq!(return_path(None), "/");
    }
}

proptest! {
    #![proptest_config(config())]

    /// Paths on the site are kept as they are, so the rule above is not
    /// kept by sending everyone home.
    #[test]
    fn local_paths_are_kept(
        path in "/([a-z0-9_.~-]{1,12}(/[a-z0-9_.~-]{0,12}){0,4})?(\\?[a-z0-9=&%+]{0,20})?",
    ) {
        prop_assert_eq!(return_path(Some(&path)), path.clone());
        prop_assert_eq!(return_path_or(Some(&path), "/pocket"), path);
    }
}

// ---------------------------------------------------------------------------
// Statuses and transitions.

proptest! {
    #![proptest_config(config())]

    /// Every chain of allowed moves is part of FUNDING → SUCCESS → CLOSE
    /// or FUNDING → CANCEL: no cycles, nothing back to FUNDING, nothing out
    /// of a final status.
    #[test]
    fn moves_form_the_documented_graph(walk in vec(status(), 1..6)) {
        use PostStatus::{Cancel, Close, Funding, Success};
        if walk.windows(2).all(|pair| is_allowed(pair[0], pair[1])) {
            let documented = [&[Funding, Success, Close][..], &[Funding, Cancel][..]];
            prop_assert!(
                documented
                    .iter()
                    .any(|path| path.windows(walk.len()).any(|part| part == walk.as_slice())),
                "{:?}",
                walk
            );
        }
        for pair in walk.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            if is_allowed(from, to) {
                prop_assert!(!from.is_final() && to != Funding && from != to);
            }
            prop_assert!(!owner_can(from, to) || is_allowed(from, to));
        }
    }

    /// An owner's move is refused exactly when the owner may not make it,
    /// or when it is a cancel after the last day; and it says which.
    #[test]
    fn owner_moves(from in status(), to in status(), end in date(), today in date()) {
        let refusal = Refusal::of_owner_move(from, to, end, today);
        let expected = if !owner_can(from, to) {
            Some(match to {
                PostStatus::Cancel => Refusal::NotFunding { status: from },
                PostStatus::Close => Refusal::NotSucceeded { status: from },
                _ => Refusal::NotAllowed { from, to },
            })
        } else if to == PostStatus::Cancel && end < today {
            Some(Refusal::EndDatePassed { end_date: end })
        } else {
            None
        };
        prop_assert_eq!(refusal, expected);
        if refusal.is_none() {
            prop_assert!(is_allowed(from, to));
            prop_assert!(matches!((from, to), (PostStatus::Funding, PostStatus::Cancel) | (PostStatus::Success, PostStatus::Close)));
        }
    }

    /// The end date decides by the total, to the won, and its decision is
    /// always an allowed move.
    #[test]
    fn outcomes(total in any::<i64>(), target in any::<i64>()) {
        let decided = outcome(Money::won(total), Money::won(target));
        prop_assert_eq!(decided == PostStatus::Success, total >= target);
        prop_assert!(is_allowed(PostStatus::Funding, decided));
    }

    /// A cancel goes ahead only if what the owner saw is still so.
    #[test]
    fn confirmations(
        seen_backers in proptest::option::of(0..5i64),
        seen_total in proptest::option::of(0..5i64),
        backers in 0..5i64,
        total in 0..5i64,
    ) {
        let confirmation = Confirmation {
            backers: seen_backers,
            total: seen_total.map(Money::won),
        };
        let holds = seen_backers.is_none_or(|b| b == backers) && seen_total.is_none_or(|t| t == total);
        prop_assert_eq!(
            confirmation.refusal(backers, Money::won(total)),
            (!holds).then_some(Refusal::BackersChanged { backers, total: Money::won(total) })
        );
    }

    /// Every parser of a fixed spelling accepts exactly that spelling (case
    /// included) and nothing else.
    #[test]
    fn spellings_are_exact(
        text in prop_oneof![
            select(vec![
                "FUNDING", "SUCCESS", "CLOSE", "CANCEL", "funding", "Cancel", "OWNER", "SETTLEMENT",
                "owner", "DEPOSIT", "CASH_OUT", "cash_out", "ACTIVE", "PAID_OUT", "KB", "kb",
                "TOSS", "total", "created", "Total", "backer", "publisher", "Backer", " KB",
            ]).prop_map(str::to_owned),
            text(),
        ],
    ) {
        if let Ok(status) = text.parse::<PostStatus>() {
            prop_assert_eq!(status.as_str(), text.as_str());
        }
        if let Some(to) = parse_owner_move(&text) {
            prop_assert_eq!(to.as_str(), text.as_str());
            prop_assert!(matches!(to, PostStatus::Cancel | PostStatus::Close));
        }
        if let Some(actor) = Actor::parse(&text) {
            prop_assert_eq!(actor.as_str(), text.as_str());
        }
        if let Some(kind) = LedgerKind::parse(&text) {
            prop_assert_eq!(kind.as_str(), text.as_str());
        }
        if let Some(status) = BackingStatus::parse(&text) {
            prop_assert_eq!(status.as_str(), text.as_str());
        }
        if let Some(bank) = Bank::from_code(&text) {
            prop_assert_eq!(bank.code(), text.as_str());
        }
        if let Some(sort) = ProjectSort::from_query(&text) {
            prop_assert_eq!(sort.as_query(), text.as_str());
        }
        if let Some(role) = Role::parse(&text) {
            prop_assert_eq!(role.as_str(), text.as_str());
        }
    }
}
