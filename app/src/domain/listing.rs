//! What a list of projects asks for: search, order and page. The REST API
//! refuses invalid values with field errors; the UI falls back to defaults,
//! because a mistyped URL should still show a list.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 10;
pub const MAX_PER_PAGE: u32 = 50;
/// Beyond this a page number is certainly a mistake, and an OFFSET that large
/// would make PostgreSQL walk the whole index.
pub const MAX_PAGE: u32 = 100_000;
pub const MAX_SEARCH_CHARS: usize = 100;

/// Field name → human message.
pub type FieldErrors = BTreeMap<String, String>;

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

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListQuery {
    /// Trimmed; `None` when empty.
    pub search: Option<String>,
    pub sort: ProjectSort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            search: None,
            sort: ProjectSort::Total,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
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
                format!("Search at most {MAX_SEARCH_CHARS} characters."),
            );
        }
        let sort = match raw.sort.filter(|s| !s.is_empty()) {
            None => ProjectSort::default(),
            Some(value) => ProjectSort::from_query(value).unwrap_or_else(|| {
                errors.insert(
                    "sort".into(),
                    "Sort must be \"total\" or \"created\".".into(),
                );
                ProjectSort::default()
            }),
        };
        let page = parse_bounded(raw.page, 1, 1, MAX_PAGE).unwrap_or_else(|message| {
            errors.insert("page".into(), format!("Page {message}."));
            1
        });
        let per_page = parse_bounded(raw.per_page, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
            .unwrap_or_else(|message| {
                errors.insert("per_page".into(), format!("Per page {message}."));
                DEFAULT_PER_PAGE
            });
        if errors.is_empty() {
            Ok(ListQuery {
                search,
                sort,
                page,
                per_page,
            })
        } else {
            Err(errors)
        }
    }

    /// Lenient: invalid fields take their defaults; an over-long search is cut.
    pub fn parse_lenient(raw: RawListQuery<'_>) -> Self {
        let search = normalize_search(raw.search)
            .map(|s| s.chars().take(MAX_SEARCH_CHARS).collect::<String>());
        ListQuery {
            search,
            sort: raw
                .sort
                .and_then(ProjectSort::from_query)
                .unwrap_or_default(),
            page: parse_bounded(raw.page, 1, 1, MAX_PAGE).unwrap_or(1),
            per_page: parse_bounded(raw.per_page, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
                .unwrap_or(DEFAULT_PER_PAGE),
        }
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
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
        if self.page != 1 {
            params.push(format!("page={}", self.page));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            params.push(format!("per_page={}", self.per_page));
        }
        if params.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{}", params.join("&"))
        }
    }
}

/// Pages needed for `total_items`; zero items need zero pages.
pub fn total_pages(total_items: u64, per_page: u32) -> u32 {
    let per_page = u64::from(per_page.max(1));
    u32::try_from(total_items.div_ceil(per_page)).unwrap_or(u32::MAX)
}

fn normalize_search(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse_bounded(raw: Option<&str>, default: u32, min: u32, max: u32) -> Result<u32, String> {
    let Some(text) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(default);
    };
    match text.parse::<u32>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(format!("must be a whole number from {min} to {max}")),
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
        assert_eq!(
            query,
            ListQuery {
                search: Some("캠핑".into()),
                ..ListQuery::default()
            }
        );
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
        let query = ListQuery {
            search: Some("100%".into()),
            ..ListQuery::default()
        };
        assert_eq!(query.like_pattern().as_deref(), Some(r"%100\%%"));
    }

    #[test]
    fn offsets_and_page_counts() {
        let query = ListQuery {
            page: 3,
            per_page: 10,
            ..ListQuery::default()
        };
        assert_eq!(query.offset(), 20);
        assert_eq!(total_pages(0, 10), 0);
        assert_eq!(total_pages(1, 10), 1);
        assert_eq!(total_pages(10, 10), 1);
        assert_eq!(total_pages(11, 10), 2);
    }

    #[test]
    fn urls_keep_only_what_differs_from_the_defaults() {
        let query = ListQuery {
            search: Some("캠핑 & tea".into()),
            sort: ProjectSort::Created,
            page: 2,
            per_page: 10,
        };
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
