//! Backing a project: the call to action on its page (or why not, with the
//! way forward), and `/posts/{id}/checkout`, which shows the price and the
//! pocket before and after and confirms. Plain forms posting to server
//! functions: they work before (and without) hydration.

use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_meta::Title;

use crate::{
    api::{backing_eligibility, get_project},
    components::{
        account_actions::AccountActions, end_project::EndProjectControl, form::FormError,
    },
    domain::{Money, PostStatus},
    error::{AppError, ErrorCode},
    i18n::td_string,
    locale::{self, use_locale},
    model::{Eligibility, ProjectSummary},
};

/// What the project page offers about backing it (its owner: managing it).
#[component]
pub fn BackingCallToAction(project: ProjectSummary) -> impl IntoView {
    let actions = AccountActions::expect();
    let project_id = project.id;
    let answer = Resource::new(
        move || {
            (
                actions.back_project.version().get(),
                actions.withdraw_backing.version().get(),
                actions.end_project.version().get(),
            )
        },
        move |_| backing_eligibility(project_id),
    );
    let l = use_locale();
    view! {
        <section class="panel backing" aria-label=td_string!(l, checkout.back_this)>
            <Suspense fallback=|| ()>
                {move || {
                    let project = project.clone();
                    Suspend::new(async move {
                    answer.await.ok().map(|(answer, _)| {
                        if answer.owner {
                            Either::Left(view! { <OwnerOffer project /> })
                        } else {
                            Either::Right(view! { <Offer project_id answer /> })
                        }
                    })
                })}}
            </Suspense>
        </section>
    }
}

/// The project's own publisher manages it from its page.
#[component]
fn OwnerOffer(project: ProjectSummary) -> impl IntoView {
    let l = use_locale();
    let edit = (project.status == PostStatus::Funding).then(|| {
        view! { <a class="button" href=format!("/posts/{}/edit", project.id)>{td_string!(l, checkout.edit)}</a> }
    });
    view! {
        <p class="notice">{td_string!(l, checkout.yours)}</p>
        <FormError error=Signal::derive(move || {
            AccountActions::expect().end_project.value().get().and_then(Result::err)
        }) />
        {edit}
        <EndProjectControl
            project_id=project.id
            title=project.title.clone()
            status=project.status
            backer_count=project.backer_count
            total=project.total_amount
            next=format!("/posts/{}", project.id)
        />
    }
}

/// The way forward for each answer.
#[component]
fn Offer(project_id: i64, answer: Eligibility) -> impl IntoView {
    let actions = AccountActions::expect();
    let here = format!("/posts/{project_id}");
    let price = answer.price;
    let l = use_locale();
    let price_text = locale::won(l, price);
    match answer.reason {
        None => EitherOf3::A(view! {
            <a class="button" href=format!("{here}/checkout")>{td_string!(l, checkout.back_for, price = price_text).to_string()}</a>
        }),
        Some(ErrorCode::AlreadyBacked) => EitherOf3::B(view! {
            <p class="notice-success">{td_string!(l, checkout.backed_for, price = price_text).to_string()}</p>
            <FormError error=Signal::derive(move || {
                actions.withdraw_backing.value().get().and_then(Result::err)
            }) />
            <ActionForm action=actions.withdraw_backing attr:class="inline-form">
                <input type="hidden" name="id" value=project_id />
                <button class="link-button" type="submit">{td_string!(l, checkout.withdraw)}</button>
            </ActionForm>
        }),
        Some(reason) => EitherOf3::C(view! { <WhyNot reason price balance=answer.balance here /> }),
    }
}

/// Why someone cannot back now, and what to do about it.
#[component]
fn WhyNot(reason: ErrorCode, price: Money, balance: Option<Money>, here: String) -> impl IntoView {
    let l = use_locale();
    let (text, way) = match reason {
        ErrorCode::Unauthenticated => (
            td_string!(l, checkout.log_in_to_back).to_owned(),
            Some((format!("/login?next={here}"), td_string!(l, common.log_in))),
        ),
        ErrorCode::PocketNotRegistered => (
            td_string!(l, checkout.pocket_needed).to_owned(),
            Some((
                format!("/pocket?next={here}"),
                td_string!(l, checkout.register_pocket),
            )),
        ),
        ErrorCode::InsufficientBalance => {
            let shortfall =
                Money::won(price.as_won() - balance.map_or(0, Money::as_won)).max(Money::ZERO);
            (
                td_string!(
                    l,
                    checkout.shortfall,
                    shortfall = locale::won(l, shortfall),
                    price = locale::won(l, price)
                )
                .to_string(),
                Some((
                    format!("/pocket?next={here}"),
                    td_string!(l, checkout.top_up),
                )),
            )
        }
        ErrorCode::PublisherCannotBack => (
            td_string!(l, checkout.publisher_cannot_back).to_owned(),
            None,
        ),
        _ => (td_string!(l, checkout.not_funding).to_owned(), None),
    };
    view! {
        <p class="notice">{text}</p>
        {way.map(|(href, label)| view! { <a class="button" href=href>{label}</a> })}
    }
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let actions = AccountActions::expect();
    let id = super::route_id();
    let data = Resource::new(
        move || (id.get(), actions.back_project.version().get()),
        |(id, _)| async move {
            let id = id.ok_or_else(AppError::post_not_found)?;
            let project = get_project(id).await?;
            let (answer, key) = backing_eligibility(id).await?;
            Ok::<_, AppError>((project, answer, key))
        },
    );
    let l = use_locale();
    view! {
        <Title text=td_string!(l, checkout.title) />
        <h1 class="page-title">{td_string!(l, checkout.heading)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((project, answer, key)) => Either::Left(view! {
                        <Checkout title=project.summary.title id=project.summary.id answer key />
                    }),
                    Err(error) => Either::Right(view! {
                        <p class="error-banner" role="alert">{error.message(use_locale())}</p>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Checkout(title: String, id: i64, answer: Eligibility, key: String) -> impl IntoView {
    let actions = AccountActions::expect();
    let here = format!("/posts/{id}");
    let error = Signal::derive(move || actions.back_project.value().get().and_then(Result::err));
    let price = answer.price;
    let l = use_locale();
    let body = match (answer.reason, answer.balance) {
        (None, Some(balance)) => {
            let after = Money::won(balance.as_won() - price.as_won());
            Either::Left(view! {
                <dl class="project-facts checkout-facts">
                    <div><dt>{td_string!(l, checkout.price)}</dt><dd>{price.to_string()}</dd></div>
                    <div><dt>{td_string!(l, checkout.pocket_now)}</dt><dd>{balance.to_string()}</dd></div>
                    <div><dt>{td_string!(l, checkout.pocket_after)}</dt><dd>{after.to_string()}</dd></div>
                </dl>
                <FormError error />
                <ActionForm action=actions.back_project attr:class="form">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="price" value=price.as_won() />
                    <input type="hidden" name="key" value=key />
                    <button
                        class="button"
                        type="submit"
                        disabled=move || actions.back_project.pending().get()
                    >
                        {td_string!(l, checkout.confirm, price = locale::won(l, price)).to_string()}
                    </button>
                </ActionForm>
            })
        }
        (reason, balance) => Either::Right(view! {
            <FormError error />
            {match reason {
                Some(ErrorCode::AlreadyBacked) => Either::Left(view! {
                    <p class="notice">{td_string!(l, checkout.already)}</p>
                }),
                other => Either::Right(view! {
                    <WhyNot
                        reason=other.unwrap_or(ErrorCode::PostNotFunding)
                        price
                        balance
                        here=here.clone()
                    />
                }),
            }}
        }),
    };
    view! {
        <section class="panel checkout" aria-label=td_string!(l, checkout.title)>
            <h2><a href=format!("/posts/{id}")>{title}</a></h2>
            {body}
        </section>
    }
}
