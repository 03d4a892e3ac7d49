use leptos::{either::Either, prelude::*};

use crate::{i18n::td_string, locale::use_locale};

/// Page numbers to show around `current`: the first, the last, and two on
/// each side, with `None` marking a gap.
pub fn page_window(current: u32, total: u32) -> Vec<Option<u32>> {
    let mut pages = Vec::new();
    let mut previous = 0;
    for page in 1..=total {
        let near = page.abs_diff(current) <= 2;
        if page == 1 || page == total || near {
            if previous != 0 && page > previous + 1 {
                pages.push(None);
            }
            pages.push(Some(page));
            previous = page;
        }
    }
    pages
}

/// Links to the pages of a list; `link(n)` is the address of page `n`.
#[component]
pub fn Pager(
    current: u32,
    total_pages: u32,
    link: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    if total_pages <= 1 {
        return None;
    }
    let l = use_locale();
    let previous = (current > 1).then(|| link(current - 1));
    let next = (current < total_pages).then(|| link(current + 1));
    let numbers = page_window(current, total_pages)
        .into_iter()
        .map(|entry| match entry {
            Some(page) => {
                let label = td_string!(l, pager.page, page = page).to_string();
                Either::Left(view! {
                    <li>
                        <a
                            class="pager-link"
                            href=link(page)
                            aria-label=label
                            aria-current=(page == current).then_some("page")
                        >
                            {page}
                        </a>
                    </li>
                })
            }
            None => Either::Right(view! { <li class="pager-gap" aria-hidden="true">"…"</li> }),
        })
        .collect_view();

    Some(view! {
        <nav class="pager" aria-label=td_string!(l, pager.label)>
            <ul>
                <li>
                    {match previous {
                        Some(href) => Either::Left(view! { <a class="pager-link" href=href rel="prev">{td_string!(l, pager.previous)}</a> }),
                        None => Either::Right(view! { <span class="pager-link" aria-disabled="true">{td_string!(l, pager.previous)}</span> }),
                    }}
                </li>
                {numbers}
                <li>
                    {match next {
                        Some(href) => Either::Left(view! { <a class="pager-link" href=href rel="next">{td_string!(l, pager.next)}</a> }),
                        None => Either::Right(view! { <span class="pager-link" aria-disabled="true">{td_string!(l, pager.next)}</span> }),
                    }}
                </li>
            </ul>
        </nav>
    })
}

#[cfg(test)]
mod tests {
    use super::page_window;

    #[test]
    fn shows_everything_for_few_pages() {
        assert_eq!(page_window(1, 3), vec![Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn marks_gaps_around_the_current_page() {
        assert_eq!(
            page_window(10, 20),
            vec![
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(20)
            ]
        );
        assert_eq!(
            page_window(1, 20),
            vec![Some(1), Some(2), Some(3), None, Some(20)]
        );
    }
}
