//! What a list of projects asks for: search, order and page. The REST API
//! refuses invalid values with field errors; the UI falls back to defaults,
//! because a mistyped URL should still show a list.

use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 10;
pub const MAX_PER_PAGE: u32 = 50;
/// Beyond this a page number is certainly a mistake, and an OFFSET that large
/// would make PostgreSQL walk the whole index.
pub const MAX_PAGE: u32 = 100_000;
pub const MAX_SEARCH_CHARS: usize = 100;

/// Field name → human message.
pub use super::problem::FieldErrors;
use super::problem::Problem;

/// The orders a list can be shown in. Status priority always comes first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectSort {
    /// Most money raised first (the default).
    #[default]
    Total,
    /// Newest first.
    Created,
}

impl ProjectSort {
    /// The form used in URLs: `?sort=total` / `?sort=created`.
    pub const fn as_query(self) -> &'static str {
        match self {
            ProjectSort::Total => "total",
            ProjectSort::Created => "created",
        }
    }

    pub fn from_query(value: &str) -> Option<Self> {
        match value {
            "total" => Some(ProjectSort::Total),
            "created" => Some(ProjectSort::Created),
            _ => None,
        }
    }
}

/// Which page of a list, and how long pages are. Built only by parsing, so a
/// page size or number outside the bounds cannot reach a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Paging {
    page: u32,
    per_page: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl Paging {
    /// Strict: a value out of bounds is a field error (`page`, `per_page`).
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let paging = Self::parse_into(page, per_page, &mut errors);
        if errors.is_empty() {
            Ok(paging)
        } else {
            Err(errors)
        }
    }

    fn parse_into(page: Option<&str>, per_page: Option<&str>, errors: &mut FieldErrors) -> Self {
        let page = parse_bounded(page, 1, 1, MAX_PAGE).unwrap_or_else(|problem| {
            errors.insert("page".into(), problem);
            1
        });
        let per_page =
            parse_bounded(per_page, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE).unwrap_or_else(|problem| {
                errors.insert("per_page".into(), problem);
                DEFAULT_PER_PAGE
            });
        Paging { page, per_page }
    }

    /// Lenient: values out of bounds take their defaults.
    pub fn parse_lenient(page: Option<&str>, per_page: Option<&str>) -> Self {
        Self::parse_into(page, per_page, &mut FieldErrors::new())
    }

    /// 1-based.
    pub fn page(&self) -> u32 {
        self.page
    }

    pub fn per_page(&self) -> u32 {
        self.per_page
    }

    /// The same page size, another page (kept within bounds).
    pub fn with_page(self, page: u32) -> Self {
        Paging {
            page: page.clamp(1, MAX_PAGE),
            ..self
        }
    }

    /// Rows to skip: at most `MAX_PAGE × MAX_PER_PAGE`, far from overflowing.
    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

/// A list of projects as asked for: search, order and page. Its fields are
/// private: the only ways to get one are parsing raw input (`parse`,
/// `parse_lenient`) and the `with_*` methods, which keep every bound.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ListQuery {
    /// Trimmed, at most `MAX_SEARCH_CHARS`; `None` when empty.
    search: Option<String>,
    sort: ProjectSort,
    paging: Paging,
}

/// Raw values as they arrive in a query string.
#[derive(Clone, Debug, Default)]
pub struct RawListQuery<'a> {
    pub search: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub page: Option<&'a str>,
    pub per_page: Option<&'a str>,
}

impl ListQuery {
    /// Strict: every invalid field is reported.
    pub fn parse(raw: RawListQuery<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let search = normalize_search(raw.search);
        if search
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            errors.insert(
                "search".into(),
                Problem::SearchTooLong {
                    max: MAX_SEARCH_CHARS,
                },
            );
        }
        let sort = match raw.sort.filter(|s| !s.is_empty()) {
            None => ProjectSort::default(),
            Some(value) => ProjectSort::from_query(value).unwrap_or_else(|| {
                errors.insert("sort".into(), Problem::SortUnknown);
                ProjectSort::default()
            }),
        };
        let paging = Paging::parse_into(raw.page, raw.per_page, &mut errors);
        if errors.is_empty() {
            Ok(ListQuery {
                search,
                sort,
                paging,
            })
        } else {
            Err(errors)
        }
    }

    /// Lenient: invalid fields take their defaults; an over-long search is cut.
    pub fn parse_lenient(raw: RawListQuery<'_>) -> Self {
        ListQuery {
            search: cut_search(raw.search),
            sort: raw
                .sort
                .and_then(ProjectSort::from_query)
                .unwrap_or_default(),
            paging: Paging::parse_lenient(raw.page, raw.per_page),
        }
    }

    pub fn search(&self) -> Option<&str> {
        self.search.as_deref()
    }

    pub fn sort(&self) -> ProjectSort {
        self.sort
    }

    pub fn paging(&self) -> Paging {
        self.paging
    }

    pub fn page(&self) -> u32 {
        self.paging.page()
    }

    pub fn per_page(&self) -> u32 {
        self.paging.per_page()
    }

    /// The same list, another page.
    pub fn with_page(&self, page: u32) -> Self {
        ListQuery {
            paging: self.paging.with_page(page),
            ..self.clone()
        }
    }

    /// Another order, from its first page.
    pub fn with_sort(&self, sort: ProjectSort) -> Self {
        ListQuery {
            sort,
            paging: self.paging.with_page(1),
            ..self.clone()
        }
    }

    /// Another search (blank for none), from its first page.
    pub fn with_search(&self, search: Option<&str>) -> Self {
        ListQuery {
            search: cut_search(search),
            paging: self.paging.with_page(1),
            ..self.clone()
        }
    }

    pub fn offset(&self) -> i64 {
        self.paging.offset()
    }

    /// The `LIKE` pattern matching the search anywhere in a title, with the
    /// user's `%`, `_` and `\` taken literally.
    pub fn like_pattern(&self) -> Option<String> {
        self.search
            .as_deref()
            .map(|search| format!("%{}%", escape_like(search)))
    }

    /// The home page URL for this query, leaving out defaults.
    pub fn to_url(&self) -> String {
        let mut params = Vec::new();
        if let Some(search) = &self.search {
            params.push(format!("q={}", encode_query_value(search)));
        }
        if self.sort != ProjectSort::default() {
            params.push(format!("sort={}", self.sort.as_query()));
        }
        if self.page() != 1 {
            params.push(format!("page={}", self.page()));
        }
        if self.per_page() != DEFAULT_PER_PAGE {
            params.push(format!("per_page={}", self.per_page()));
        }
        if params.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{}", params.join("&"))
        }
    }
}

fn cut_search(raw: Option<&str>) -> Option<String> {
    normalize_search(raw).map(|s| {
        // The cut may end on whitespace, which the next reading of the
        // URL would trim: a different search than the one on the page.
        let cut: String = s.chars().take(MAX_SEARCH_CHARS).collect();
        cut.trim_end().to_owned()
    })
}

/// A search counts its matches up to this many and no further: past it, the
/// list says "at least" (`1,000+ projects`) instead of scanning every match.
pub const SEARCH_COUNT_CAP: u64 = 1_000;

/// A count stopped at [`SEARCH_COUNT_CAP`]: `counted` is what the capped
/// query found (it asks for one more than the cap, so more means capped).
/// Returns the total to show and whether it is only a lower bound.
pub fn capped_count(counted: u64) -> (u64, bool) {
    if counted > SEARCH_COUNT_CAP {
        (SEARCH_COUNT_CAP, true)
    } else {
        (counted, false)
    }
}

/// Pages to offer for a total that may be a lower bound: when it is, always
/// one past the current page, so the pager goes on as far as there are rows.
pub fn pages_for(total_items: u64, capped: bool, per_page: u32, page: u32) -> u32 {
    let pages = total_pages(total_items, per_page);
    if capped {
        pages.max(page.saturating_add(1))
    } else {
        pages
    }
}

/// Pages needed for `total_items`; zero items need zero pages.
pub fn total_pages(total_items: u64, per_page: u32) -> u32 {
    let per_page = u64::from(per_page.max(1));
    u32::try_from(total_items.div_ceil(per_page)).unwrap_or(u32::MAX)
}

/// Trimmed, and `None` when empty. Control characters count as spaces: no
/// title holds one (titles are visible text), and PostgreSQL cannot even
/// compare a NUL (a search for one was a 500).
fn normalize_search(raw: Option<&str>) -> Option<String> {
    raw.map(|text| {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    })
    .map(|text| text.trim().to_owned())
    .filter(|text| !text.is_empty())
}

fn parse_bounded(raw: Option<&str>, default: u32, min: u32, max: u32) -> Result<u32, Problem> {
    let Some(text) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(default);
    };
    match text.parse::<u32>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(Problem::WholeNumberBetween { min, max }),
    }
}

/// Escapes `LIKE` metacharacters for PostgreSQL's default escape character `\`.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Percent-encodes a query-string value (UTF-8), keeping unreserved characters.
pub fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            b' ' => encoded.push('+'),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(
        search: Option<&'a str>,
        sort: Option<&'a str>,
        page: Option<&'a str>,
        per_page: Option<&'a str>,
    ) -> RawListQuery<'a> {
        RawListQuery {
            search,
            sort,
            page,
            per_page,
        }
    }

    #[test]
    fn defaults_when_nothing_is_given() {
        assert_eq!(
            ListQuery::parse(RawListQuery::default()),
            Ok(ListQuery::default())
        );
        assert_eq!(ListQuery::default().to_url(), "/");
    }

    #[test]
    fn strict_parsing_names_each_bad_field() {
        let errors = ListQuery::parse(raw(None, Some("price"), Some("0"), Some("51")))
            .err()
            .unwrap_or_default();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["page", "per_page", "sort"]
        );
        let errors = ListQuery::parse(raw(None, None, Some("abc"), Some("-1")))
            .err()
            .unwrap_or_default();
        assert!(errors.contains_key("page") && errors.contains_key("per_page"));
        assert!(ListQuery::parse(raw(None, None, Some("1"), Some("50"))).is_ok());
        assert!(ListQuery::parse(raw(None, None, Some("100001"), None)).is_err());
    }

    #[test]
    fn lenient_parsing_falls_back_to_defaults() {
        let query = ListQuery::parse_lenient(raw(
            Some("  캠핑 "),
            Some("price"),
            Some("zero"),
            Some("999"),
        ));
        assert_eq!(query, ListQuery::default().with_search(Some("캠핑")));
    }

    #[test]
    fn a_cut_search_is_trimmed_again() {
        // Found by `domain::properties`: the 100th character was a space,
        // so the page searched `…a ` and its links searched `…a`.
        let long = format!("{} a", "a".repeat(99));
        let query = ListQuery::parse_lenient(raw(Some(&long), None, None, None));
        assert_eq!(query.search(), Some("a".repeat(99).as_str()));
        assert_eq!(ListQuery::default().with_search(Some(&long)), query);
        let url = query.to_url();
        let q = url.strip_prefix("/?q=").unwrap_or_default();
        assert_eq!(ListQuery::parse(raw(Some(q), None, None, None)), Ok(query));
    }

    #[test]
    fn control_characters_in_a_search_are_spaces() {
        let query = ListQuery::parse(raw(Some("\u{0}a\u{0}b\u{1f}"), None, None, None));
        assert_eq!(query.map(|q| q.search), Ok(Some("a b".to_owned())));
        let lenient = ListQuery::parse_lenient(raw(Some("\u{0}\u{7f}"), None, None, None));
        assert_eq!(lenient.search, None);
    }

    #[test]
    fn blank_search_is_no_search() {
        assert_eq!(
            ListQuery::parse_lenient(raw(Some("   "), None, None, None)).search,
            None
        );
    }

    #[test]
    fn like_metacharacters_are_literal() {
        assert_eq!(escape_like(r"50%_off\now"), r"50\%\_off\\now");
        let query = ListQuery::default().with_search(Some("100%"));
        assert_eq!(query.like_pattern().as_deref(), Some(r"%100\%%"));
    }

    #[test]
    fn offsets_and_page_counts() {
        let query = ListQuery::default().with_page(3);
        assert_eq!(query.offset(), 20);
        let last = ListQuery::parse(raw(None, None, Some("100000"), Some("50")));
        assert_eq!(last.map(|q| q.offset()), Ok(99_999 * 50));
        assert_eq!(ListQuery::default().with_page(u32::MAX).page(), MAX_PAGE);
        assert_eq!(ListQuery::default().with_page(0).page(), 1);
        assert_eq!(capped_count(0), (0, false));
        assert_eq!(capped_count(1_000), (1_000, false));
        assert_eq!(capped_count(1_001), (1_000, true));
        assert_eq!(pages_for(1_000, true, 10, 1), 100);
        assert_eq!(pages_for(1_000, true, 10, 100), 101);
        assert_eq!(pages_for(1_000, true, 10, 250), 251);
        assert_eq!(pages_for(995, false, 10, 100), 100);
        assert_eq!(total_pages(0, 10), 0);
        assert_eq!(total_pages(1, 10), 1);
        assert_eq!(total_pages(10, 10), 1);
        assert_eq!(total_pages(11, 10), 2);
    }

    #[test]
    fn urls_keep_only_what_differs_from_the_defaults() {
        let query = ListQuery::default()
            .with_search(Some("캠핑 & tea"))
            .with_sort(ProjectSort::Created)
            .with_page(2);
        assert_eq!(
            query.to_url(),
            "/?q=%EC%BA%A0%ED%95%91+%26+tea&sort=created&page=2"
        );
    }

    #[test]
    fn sort_round_trips_through_the_query_string() {
        for sort in [ProjectSort::Total, ProjectSort::Created] {
            assert_eq!(ProjectSort::from_query(sort.as_query()), Some(sort));
        }
        assert_eq!(ProjectSort::from_query("bogus"), None);
    }
}
