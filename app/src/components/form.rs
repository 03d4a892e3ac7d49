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
    #[prop(optional, into)] hint: Option<String>,
    /// The on-screen keyboard to offer (`numeric` for amounts).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = field_message(error, name);
    let described_by = {
        let error_id = error_id.clone();
        move || message.get().map(|_| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint">{hint}</p> })}
            <input
                id=id
                name=name
                type=kind
                inputmode=inputmode
                autocomplete=autocomplete
                aria-invalid=move || message.get().map(|_| "true")
                aria-describedby=described_by
            />
            <p class="field-error" id=error_id role="alert">{message}</p>
        </div>
    }
}

/// A labelled choice from a fixed list of `(value, label)` options, with
/// its server error shown like [`TextField`]'s.
#[component]
pub fn SelectField(
    label: &'static str,
    name: &'static str,
    /// The first, empty option ("Choose…").
    placeholder: &'static str,
    options: Vec<(&'static str, &'static str)>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = field_message(error, name);
    let described_by = {
        let error_id = error_id.clone();
        move || message.get().map(|_| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                aria-invalid=move || message.get().map(|_| "true")
                aria-describedby=described_by
            >
                <option value="">{placeholder}</option>
                {options
                    .into_iter()
                    .map(|(value, text)| view! { <option value=value>{text}</option> })
                    .collect_view()}
            </select>
            <p class="field-error" id=error_id role="alert">{message}</p>
        </div>
    }
}

/// The server's message about one field, if it has one.
fn field_message(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        error
            .get()
            .and_then(|error| error.details.get(name).cloned())
    })
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
