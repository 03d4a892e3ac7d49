//! `/posts/new` and `/posts/{id}/edit`: a publisher's form for a project.
//! Plain forms posting to server functions, so they work before (and
//! without) hydration; once hydrated, each field is checked as you type by
//! the same `domain::post` rules the server applies, and the description is
//! previewed through the server's own Markdown sanitiser.

use chrono::NaiveDate;
use leptos::{
    either::{Either, EitherOf3, EitherOf4},
    prelude::*,
};
use leptos_meta::Title;

use crate::{
    api::{
        CreatePost, EditPost, load_editable_project, load_publishing_context, preview_description,
    },
    components::form::{FormError, LiveField},
    domain::{
        EditDraft, NewPost, PostDraft, PostEdit, PostProblems, PostStatus,
        dates::date_text,
        post::{PRICE_MIN, TARGET_MAX, TARGET_MIN},
    },
    error::{AppError, ErrorCode},
    i18n::td_string,
    locale::{self, Locale, use_locale, words},
    model::EditableProject,
};

const PREVIEW_DEBOUNCE_MS: u64 = 400;

#[component]
pub fn PublishPage() -> impl IntoView {
    let context = Resource::new(|| (), |_| load_publishing_context());
    let l = use_locale();
    view! {
        <Title text=td_string!(l, publish.title) />
        <h1 class="page-title">{td_string!(l, publish.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match context.await {
                    Ok(context) if !context.has_pocket => EitherOf3::A(view! {
                        <section class="panel notice">
                            <h2>{td_string!(l, publish.pocket_first)}</h2>
                            <p>{td_string!(l, publish.pocket_first_body)}</p>
                            <a class="button" href="/pocket?next=/posts/new">{td_string!(l, publish.register_pocket)}</a>
                        </section>
                    }),
                    Ok(context) => EitherOf3::B(view! { <NewPostForm today=context.today /> }),
                    Err(error) => EitherOf3::C(view! { <Refused error here="/posts/new" /> }),
                }
            })}
        </Suspense>
    }
}

/// The fields of the form, kept by the page as they are typed.
#[derive(Clone, Copy)]
struct Fields {
    title: RwSignal<String>,
    publisher_name: RwSignal<String>,
    content: RwSignal<String>,
    target_amount: RwSignal<String>,
    price: RwSignal<String>,
    final_date: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        Fields {
            title: RwSignal::new(String::new()),
            publisher_name: RwSignal::new(String::new()),
            content: RwSignal::new(String::new()),
            target_amount: RwSignal::new(String::new()),
            price: RwSignal::new(String::new()),
            final_date: RwSignal::new(String::new()),
        }
    }
}

/// The message the rules give `field`, given everything typed so far.
fn live_message(
    l: Locale,
    problems: Memo<PostProblems>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        problems
            .read()
            .problem_for(field)
            .map(|problem| words::post_problem(l, problem))
    })
}

#[component]
fn NewPostForm(today: NaiveDate) -> impl IntoView {
    let action = ServerAction::<CreatePost>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let fields = Fields::new();
    let problems = Memo::new(move |_| {
        let draft = PostDraft {
            title: &fields.title.read(),
            publisher_name: &fields.publisher_name.read(),
            content: &fields.content.read(),
            target_amount: &fields.target_amount.read(),
            price: &fields.price.read(),
            final_date: &fields.final_date.read(),
        };
        NewPost::parse(&draft, today).err().unwrap_or_default()
    });
    let l = use_locale();
    let target_hint = td_string!(
        l,
        publish.target_hint,
        min = locale::won(l, TARGET_MIN),
        max = locale::won(l, TARGET_MAX)
    )
    .to_string();
    let price_hint = td_string!(l, publish.price_hint, min = locale::won(l, PRICE_MIN)).to_string();
    let date_hint = td_string!(
        l,
        publish.end_date_hint,
        today = locale::format::date(l, today)
    )
    .to_string();
    view! {
        <FormError error />
        <ActionForm action attr:class="form publish-form" attr:novalidate=true>
            <LiveField label=td_string!(l, publish.field_title) name="title" value=fields.title live=live_message(l, problems, "title") error />
            <LiveField
                label=td_string!(l, publish.publisher_name)
                name="publisher_name"
                hint=td_string!(l, publish.publisher_name_hint)
                value=fields.publisher_name
                live=live_message(l, problems, "publisher_name")
                error
            />
            <DescriptionField value=fields.content live=live_message(l, problems, "content") error />
            <LiveField
                label=td_string!(l, publish.target)
                name="target_amount"
                inputmode="numeric"
                hint=target_hint
                value=fields.target_amount
                live=live_message(l, problems, "target_amount")
                error
            />
            <LiveField
                label=td_string!(l, publish.price)
                name="price"
                inputmode="numeric"
                hint=price_hint
                value=fields.price
                live=live_message(l, problems, "price")
                error
            />
            <LiveField
                label=td_string!(l, publish.end_date)
                name="final_date"
                kind="date"
                hint=date_hint
                value=fields.final_date
                live=live_message(l, problems, "final_date")
                error
            />
            <button class="button" type="submit" disabled=move || action.pending().get()>
                {td_string!(l, publish.submit)}
            </button>
        </ActionForm>
    }
}

/// The description (Markdown) and, once hydrated, its preview as the
/// project page will show it, rendered by the server's sanitiser.
#[component]
fn DescriptionField(
    value: RwSignal<String>,
    live: Signal<Option<String>>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let preview = RwSignal::new(String::new());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let text = value.get();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(html) = preview_description(text).await {
                        preview.set(html);
                    }
                });
            },
            std::time::Duration::from_millis(PREVIEW_DEBOUNCE_MS),
        );
        pending.set_value(handle.ok());
    });
    let l = use_locale();
    view! {
        <LiveField
            label=td_string!(l, publish.description)
            name="content"
            multiline=true
            hint=td_string!(l, publish.description_hint)
            value
            live
            error
        />
        <section class="panel preview" aria-label=td_string!(l, publish.preview)>
            <h2 class="preview-title">{td_string!(l, publish.preview)}</h2>
            <div class="prose" inner_html=move || preview.get()></div>
        </section>
    }
}

#[component]
pub fn EditPostPage() -> impl IntoView {
    let id = super::route_id();
    let project = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => load_editable_project(id).await,
                None => Err(AppError::post_not_found()),
            }
        },
    );
    let l = use_locale();
    view! {
        <Title text=td_string!(l, publish.edit_title) />
        <h1 class="page-title">{td_string!(l, publish.edit_title)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let here = id.get_untracked().map_or_else(|| "/".to_owned(), |id| format!("/posts/{id}/edit"));
                match project.await {
                    Ok(project) if project.summary.status == PostStatus::Funding => {
                        EitherOf4::A(view! { <EditForm project /> })
                    }
                    Ok(project) => EitherOf4::B(view! {
                        <p class="notice">
                            {td_string!(
                                l,
                                publish.cannot_change,
                                title = project.summary.title,
                                status = locale::status(l, project.summary.status).to_lowercase()
                            )
                            .to_string()}
                            " "
                            <a href="/me/projects">{td_string!(l, publish.back_to_mine)}</a>
                        </p>
                    }),
                    Err(error) if error.code == ErrorCode::PostNotFound => {
                        EitherOf4::C(view! { <crate::pages::not_found::NotFoundPage /> })
                    }
                    Err(error) => EitherOf4::D(view! { <Refused error here /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(project: EditableProject) -> impl IntoView {
    let action = ServerAction::<EditPost>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let summary = project.summary;
    let locked = project.terms_locked;
    let today = project.today;
    let fields = Fields {
        title: RwSignal::new(summary.title.clone()),
        publisher_name: RwSignal::new(summary.publisher_name.clone()),
        content: RwSignal::new(project.content),
        target_amount: RwSignal::new(String::new()),
        price: RwSignal::new(summary.price.as_won().to_string()),
        final_date: RwSignal::new(date_text(summary.end_date)),
    };
    let problems = Memo::new(move |_| {
        let (price, final_date) = (fields.price.read(), fields.final_date.read());
        let draft = EditDraft {
            title: Some(&fields.title.read()),
            publisher_name: Some(&fields.publisher_name.read()),
            content: Some(&fields.content.read()),
            price: (!locked).then_some(price.as_str()),
            final_date: (!locked).then_some(final_date.as_str()),
            target_amount_sent: false,
        };
        PostEdit::parse(&draft, today)
            .and_then(|edit| edit.check_against(summary.target_amount).map(|()| edit))
            .err()
            .unwrap_or_default()
    });
    let l = use_locale();
    let terms = if locked {
        Either::Left(view! {
            <dl class="project-facts locked-terms">
                <div><dt>{td_string!(l, publish.price_label)}</dt><dd>{summary.price.to_string()}</dd></div>
                <div><dt>{td_string!(l, publish.end_date)}</dt><dd>{locale::format::date(l, summary.end_date)}</dd></div>
            </dl>
            <p class="field-hint">{td_string!(l, publish.terms_locked)}</p>
        })
    } else {
        Either::Right(view! {
            <LiveField
                label=td_string!(l, publish.price)
                name="price"
                inputmode="numeric"
                value=fields.price
                live=live_message(l, problems, "price")
                error
            />
            <LiveField
                label=td_string!(l, publish.end_date)
                name="final_date"
                kind="date"
                value=fields.final_date
                live=live_message(l, problems, "final_date")
                error
            />
        })
    };
    view! {
        <FormError error />
        <ActionForm action attr:class="form publish-form" attr:novalidate=true>
            <input type="hidden" name="id" value=summary.id />
            <LiveField label=td_string!(l, publish.field_title) name="title" value=fields.title live=live_message(l, problems, "title") error />
            <LiveField
                label=td_string!(l, publish.publisher_name)
                name="publisher_name"
                value=fields.publisher_name
                live=live_message(l, problems, "publisher_name")
                error
            />
            <DescriptionField value=fields.content live=live_message(l, problems, "content") error />
            <div class="field">
                <span class="field-label">{td_string!(l, publish.target_label)}</span>
                <p class="read-only">{summary.target_amount.to_string()}</p>
                <p class="field-hint">{td_string!(l, publish.target_fixed)}</p>
            </div>
            {terms}
            <button class="button" type="submit" disabled=move || action.pending().get()>
                {td_string!(l, publish.save)}
            </button>
        </ActionForm>
    }
}

/// Why the form is not shown: not logged in, or not a publisher (or not
/// this project's).
#[component]
fn Refused(error: AppError, #[prop(into)] here: String) -> impl IntoView {
    let l = use_locale();
    match error.code {
        ErrorCode::Unauthenticated => Either::Left(view! {
            <p class="notice">{td_string!(l, publish.log_in_as_publisher)} <a href=format!("/login?next={here}")>{td_string!(l, common.log_in)}</a></p>
        }),
        _ => Either::Right(
            view! { <p class="error-banner" role="alert">{error.message(use_locale())}</p> },
        ),
    }
}
