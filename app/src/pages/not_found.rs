use leptos::prelude::*;
use leptos_meta::Title;

use crate::{i18n::td_string, locale::use_locale};

/// Shown for any unknown address; answers HTTP 404 on the server render.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    let l = use_locale();
    view! {
        <Title text=td_string!(l, not_found.title) />
        <section class="empty-state">
            <h1>{td_string!(l, not_found.title)}</h1>
            <p>{td_string!(l, not_found.body)}</p>
            <a class="button" href="/">{td_string!(l, not_found.back)}</a>
        </section>
    }
}
