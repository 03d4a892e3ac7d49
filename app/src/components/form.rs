//! Form pieces that put a server error next to the field it is about.

use leptos::prelude::*;

use crate::{error::AppError, locale::use_locale};

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
    /// Names the input's id when two forms on one page share a field name
    /// (`field-{id}` instead of `field-{name}`).
    #[prop(optional)]
    id: Option<&'static str>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let field = FieldState::new(name, error).with_id(id);
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

/// A labelled input (or, `multiline`, a textarea) checked as you type:
/// once you have typed in it, `live` (worked out from `value` by the same
/// domain rules the server applies) is its message; before that, the
/// server's. Its initial text is `value`'s, so it also works before (and
/// without) hydration.
#[component]
pub fn LiveField(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] multiline: bool,
    value: RwSignal<String>,
    live: Signal<Option<String>>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let field = FieldState::with_live(name, error, live, touched);
    let on_input = move |event: leptos::ev::Event| {
        touched.set(true);
        value.set(event_target_value(&event));
    };
    let initial = value.get_untracked();
    let control = if multiline {
        leptos::either::Either::Left(view! {
            <textarea
                id=field.id.clone()
                name=name
                rows="12"
                aria-invalid=field.invalid()
                aria-describedby=field.described_by()
                on:input=on_input
            >
                {initial}
            </textarea>
        })
    } else {
        leptos::either::Either::Right(view! {
            <input
                id=field.id.clone()
                name=name
                type=kind
                inputmode=inputmode
                autocomplete="off"
                value=initial
                aria-invalid=field.invalid()
                aria-describedby=field.described_by()
                on:input=on_input
            />
        })
    };
    view! {
        <div class="field">
            <label for=field.id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint">{hint}</p> })}
            {control}
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
        let locale = use_locale();
        FieldState {
            error_id: format!("{id}-error"),
            id,
            message: Signal::derive(move || {
                error
                    .get()
                    .and_then(|error| error.field_message(locale, name))
            }),
        }
    }

    fn with_id(self, id: Option<&'static str>) -> Self {
        match id {
            Some(id) => FieldState {
                id: format!("field-{id}"),
                error_id: format!("field-{id}-error"),
                ..self
            },
            None => self,
        }
    }

    /// The live message once `touched`, the server's before.
    fn with_live(
        name: &'static str,
        error: Signal<Option<AppError>>,
        live: Signal<Option<String>>,
        touched: RwSignal<bool>,
    ) -> Self {
        let server = Self::new(name, error);
        let server_message = server.message;
        FieldState {
            message: Signal::derive(move || {
                if touched.get() {
                    live.get()
                } else {
                    server_message.get()
                }
            }),
            ..server
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
    let locale = use_locale();
    move || {
        error
            .get()
            .filter(|error| error.details.is_empty())
            .map(|error| {
                view! { <p class="error-banner" role="alert">{error.message(locale)}</p> }
            })
    }
}

/// The page to return to afterwards, from `?next=`, carried by the form.
/// The server checks it is a path on this site before going there.
#[component]
pub fn ReturnPath() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query
            .read()
            .get("next")
            .map(|next| view! { <input type="hidden" name="next" value=next /> })
    }
}
