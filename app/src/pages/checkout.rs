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
    view! {
        <section class="panel backing" aria-label="Back this project">
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
    let edit = (project.status == PostStatus::Funding).then(|| {
        view! { <a class="button" href=format!("/posts/{}/edit", project.id)>"Edit project"</a> }
    });
    view! {
        <p class="notice">"This is your project."</p>
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
    match answer.reason {
        None => EitherOf3::A(view! {
            <a class="button" href=format!("{here}/checkout")>{format!("Back this project for {price}")}</a>
        }),
        Some(ErrorCode::AlreadyBacked) => EitherOf3::B(view! {
            <p class="notice-success">{format!("You backed this for {price}.")}</p>
            <FormError error=Signal::derive(move || {
                actions.withdraw_backing.value().get().and_then(Result::err)
            }) />
            <ActionForm action=actions.withdraw_backing attr:class="inline-form">
                <input type="hidden" name="id" value=project_id />
                <button class="link-button" type="submit">"Withdraw my backing"</button>
            </ActionForm>
        }),
        Some(reason) => EitherOf3::C(view! { <WhyNot reason price balance=answer.balance here /> }),
    }
}

/// Why someone cannot back now, and what to do about it.
#[component]
fn WhyNot(reason: ErrorCode, price: Money, balance: Option<Money>, here: String) -> impl IntoView {
    let (text, way) = match reason {
        ErrorCode::Unauthenticated => (
            "Log in to back this project.".to_owned(),
            Some((format!("/login?next={here}"), "Log in".to_owned())),
        ),
        ErrorCode::PocketNotRegistered => (
            "Backings are paid from your pocket. Register one first.".to_owned(),
            Some((
                format!("/pocket?next={here}"),
                "Register a pocket".to_owned(),
            )),
        ),
        ErrorCode::InsufficientBalance => {
            let shortfall =
                Money::won(price.as_won() - balance.map_or(0, Money::as_won)).max(Money::ZERO);
            (
                format!("Your pocket needs {shortfall} more to back this for {price}."),
                Some((format!("/pocket?next={here}"), "Top up".to_owned())),
            )
        }
        ErrorCode::PublisherCannotBack => (
            "Publisher accounts publish projects; they cannot back them.".to_owned(),
            None,
        ),
        _ => ("This project is no longer funding.".to_owned(), None),
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
    view! {
        <Title text="Checkout" />
        <h1 class="page-title">"Back a project"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((project, answer, key)) => Either::Left(view! {
                        <Checkout title=project.summary.title id=project.summary.id answer key />
                    }),
                    Err(error) => Either::Right(view! {
                        <p class="error-banner" role="alert">{error.message}</p>
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
    let body = match (answer.reason, answer.balance) {
        (None, Some(balance)) => {
            let after = Money::won(balance.as_won() - price.as_won());
            Either::Left(view! {
                <dl class="project-facts checkout-facts">
                    <div><dt>"Price"</dt><dd>{price.to_string()}</dd></div>
                    <div><dt>"Pocket now"</dt><dd>{balance.to_string()}</dd></div>
                    <div><dt>"Pocket after"</dt><dd>{after.to_string()}</dd></div>
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
                        {format!("Confirm and pay {price}")}
                    </button>
                </ActionForm>
            })
        }
        (reason, balance) => Either::Right(view! {
            <FormError error />
            {match reason {
                Some(ErrorCode::AlreadyBacked) => Either::Left(view! {
                    <p class="notice">"You have already backed this project."</p>
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
        <section class="panel checkout" aria-label="Checkout">
            <h2><a href=format!("/posts/{id}")>{title}</a></h2>
            {body}
        </section>
    }
}
