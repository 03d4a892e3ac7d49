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
    let field = FieldState::new(name, error);
    view! {
        <div class="field">
            <label for=field.id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint">{hint}</p> })}
            <input
                id=field.id.clone()
                name=name
                type=kind
                inputmode=inputmode
                autocomplete=autocomplete
                aria-invalid=field.invalid()
                aria-describedby=field.described_by()
            />
            {field.message_view()}
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
    let field = FieldState::new(name, error);
    view! {
        <div class="field">
            <label for=field.id.clone()>{label}</label>
            <select
                id=field.id.clone()
                name=name
                aria-invalid=field.invalid()
                aria-describedby=field.described_by()
            >
                <option value="">{placeholder}</option>
                {options
                    .into_iter()
                    .map(|(value, text)| view! { <option value=value>{text}</option> })
                    .collect_view()}
            </select>
            {field.message_view()}
        </div>
    }
}

/// What one field's markup shares: its id, and the server's message about
/// it, which marks the control invalid and describes it.
struct FieldState {
    id: String,
    error_id: String,
    message: Signal<Option<String>>,
}

impl FieldState {
    fn new(name: &'static str, error: Signal<Option<AppError>>) -> Self {
        let id = format!("field-{name}");
        FieldState {
            error_id: format!("{id}-error"),
            id,
            message: Signal::derive(move || {
                error
                    .get()
                    .and_then(|error| error.details.get(name).cloned())
            }),
        }
    }

    fn invalid(&self) -> impl Fn() -> Option<&'static str> + Send + Sync + use<> {
        let message = self.message;
        move || message.get().map(|_| "true")
    }

    fn described_by(&self) -> impl Fn() -> Option<String> + Send + Sync + use<> {
        let (message, error_id) = (self.message, self.error_id.clone());
        move || message.get().map(|_| error_id.clone())
    }

    fn message_view(&self) -> impl IntoView + use<> {
        let message = self.message;
        view! { <p class="field-error" id=self.error_id.clone() role="alert">{message}</p> }
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
