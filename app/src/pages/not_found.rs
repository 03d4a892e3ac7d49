use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any unknown address; answers HTTP 404 on the server render.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found" />
        <section class="empty-state">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or never existed."</p>
            <a class="button" href="/">"Back to all projects"</a>
        </section>
    }
}
