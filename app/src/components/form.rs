//! Form pieces that put a server error next to the field it is about.

use leptos::prelude::*;

use crate::error::AppError;

/// A labelled input. A field error from the server (`details[name]`) is
/// shown under it and announced with it.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = move || {
        error
            .get()
            .and_then(|error| error.details.get(name).cloned())
    };
    let described_by = {
        let error_id = error_id.clone();
        move || message().map(|_| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint">{hint}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                aria-invalid=move || message().map(|_| "true")
                aria-describedby=described_by
            />
            <p class="field-error" id=error_id role="alert">{message}</p>
        </div>
    }
}

/// An error that is not about one field (wrong password, too many tries).
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|error| error.details.is_empty())
            .map(|error| {
                view! { <p class="error-banner" role="alert">{error.message}</p> }
            })
    }
}
