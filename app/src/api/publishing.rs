//! Publishing from the browser: the form's context, creating, editing, the
//! description's preview and a project's backers. Each takes raw text and
//! parses it with `domain::post`'s rules, exactly like `/api/v1/posts`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{authorize, state, with_status};
#[cfg(feature = "ssr")]
use crate::service::access::PublisherOnly;
use crate::{
    error::AppError,
    model::{Backer, EditableProject, Paged, PublishingContext},
};

#[server(endpoint = "publishing_context")]
pub async fn load_publishing_context() -> Result<PublishingContext, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        crate::service::publishing::context(&state()?, &session).await
    })
    .await
}

/// Publishes a project; on success the browser goes to its page.
#[server(endpoint = "create_post")]
pub async fn create_post(
    title: String,
    publisher_name: String,
    content: String,
    target_amount: String,
    price: String,
    final_date: String,
) -> Result<i64, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        let state = state()?;
        let draft = crate::domain::PostDraft {
            title: &title,
            publisher_name: &publisher_name,
            content: &content,
            target_amount: &target_amount,
            price: &price,
            final_date: &final_date,
        };
        let post = crate::domain::NewPost::parse(&draft, state.today())?;
        let created = crate::service::publishing::create(&state, &session, post).await?;
        leptos_axum::redirect(&format!("/posts/{}", created.summary.id));
        Ok(created.summary.id)
    })
    .await
}

/// Changes a project from its edit form, which always sends the title,
/// publisher name and description (empty means empty, not "unchanged"),
/// and the price and end date while nobody has backed: those count only if
/// they differ from the project's (so a form saved on the last day, or
/// after someone backed, can still fix a typo). `target_amount` is refused
/// if sent.
#[server(endpoint = "edit_post")]
pub async fn edit_post(
    id: i64,
    #[server(default)] title: String,
    #[server(default)] publisher_name: String,
    #[server(default)] content: String,
    price: Option<String>,
    final_date: Option<String>,
    target_amount: Option<String>,
) -> Result<i64, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        let state = state()?;
        let current = crate::service::publishing::editable(&state, &session, id).await?;
        let price = price.filter(|typed| {
            crate::domain::Money::parse_typed(typed) != Some(current.summary.price)
        });
        let final_date = final_date.filter(|typed| {
            crate::domain::post::parse_iso_date(typed) != Some(current.summary.end_date)
        });
        let draft = crate::domain::EditDraft {
            title: Some(&title),
            publisher_name: Some(&publisher_name),
            content: Some(&content),
            price: price.as_deref(),
            final_date: final_date.as_deref(),
            target_amount_sent: target_amount.is_some(),
        };
        let edit = crate::domain::PostEdit::parse(&draft, state.today())?;
        crate::service::publishing::edit(&state, &session, id, edit).await?;
        leptos_axum::redirect(&format!("/posts/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "editable_project")]
pub async fn load_editable_project(id: i64) -> Result<EditableProject, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        crate::service::publishing::editable(&state()?, &session, id).await
    })
    .await
}

/// The description rendered by the same sanitiser as the project page, so
/// the browser needs neither Markdown nor HTML-cleaning code.
#[server(endpoint = "preview_description")]
pub async fn preview_description(content: String) -> Result<String, AppError> {
    with_status(async move {
        authorize::<PublisherOnly>().await?;
        if content.chars().count() > crate::domain::post::CONTENT_MAX_CHARS {
            return Err(crate::domain::PostProblems(vec![
                crate::domain::PostProblem::ContentTooLong {
                    max: crate::domain::post::CONTENT_MAX_CHARS,
                },
            ])
            .into());
        }
        Ok(crate::service::markdown::to_safe_html(&content))
    })
    .await
}

/// Who backed one of the publisher's projects, a page at a time.
#[server(endpoint = "project_backers")]
pub async fn project_backers(id: i64, page: Option<String>) -> Result<Paged<Backer>, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        let paging =
            crate::domain::Paging::parse(page.as_deref(), None).map_err(AppError::validation)?;
        crate::service::publishing::backers(&state()?, &session, id, paging).await
    })
    .await
}
