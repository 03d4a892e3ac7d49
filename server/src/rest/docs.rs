//! The OpenAPI document, generated from the handlers' annotations, and two
//! readers for it. Their assets are served by Moa itself (`/vendor/…`,
//! copied from npm packages at set-up), so the docs work offline.

use app::security::DEFAULT_POLICY;
use axum::{
    Json,
    http::{HeaderName, header::CONTENT_SECURITY_POLICY},
    response::Html,
};
use utoipa::OpenApi;

use utoipa::{
    Modify,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use super::{
    accounts, backings, common_responses::CommonResponses, constraints::Constraints, endings,
    error, events, mine, pockets, posts, publishing,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Moa API",
        version = "1",
        description = "Moa 모아 crowdfunding: browse funding projects, sign up, log in, and manage a pocket. Amounts are integer KRW.\n\nErrors are `{\"error\": {\"code\", \"message\", \"details\"}}`. The `code` is stable and language-neutral; `message` and `details` are for people, in Korean when `Accept-Language` prefers Korean (`ko`, `ko-KR`) or the `moa_locale=ko` cookie is set, and in English otherwise. Responses say `Vary: Cookie, Accept-Language`.\n\nBodies are JSON (`Content-Type: application/json`, else 415 `UNSUPPORTED_MEDIA_TYPE`) of at most 64 KiB (a project's create and edit take more: room for its 20,000 characters in any encoding), else 413 `PAYLOAD_TOO_LARGE`; a field the operation does not know is a 422 `VALIDATION_FAILED`. A path under `/api/v1` that names no operation answers 404 `NOT_FOUND`; one asked with a method it does not take, 405 `METHOD_NOT_ALLOWED` with the methods it takes in `Allow`."
    ),
    paths(posts::list, posts::get, posts::delete, publishing::create, publishing::edit,
        publishing::backers, backings::eligibility, backings::back, backings::withdraw,
        pockets::cash_out, events::figures, endings::cancel, endings::close, endings::transitions,
        accounts::sign_up,
        accounts::issue_token,
        accounts::revoke_token,
        accounts::me,
        mine::my_posts,
        mine::my_backings,
        pockets::register,
        pockets::deposit,
        pockets::entries
    ),
    components(schemas(
        posts::PostItem,
        posts::PostList,
        posts::PostDetail,
        publishing::CreatePostRequest,
        publishing::EditPostRequest,
        publishing::BackerItem,
        publishing::BackerList,
        backings::EligibilityResponse,
        backings::BackingRequest,
        backings::BackingResponse,
        backings::WithdrawalResponse,
        pockets::CashOutRequest,
        endings::CancelRequest,
        endings::TransitionItem,
        accounts::SignUpRequest,
        accounts::AccountResponse,
        accounts::TokenRequest,
        accounts::TokenResponse,
        accounts::MeResponse,
        mine::BackingItem,
        pockets::PocketRequest,
        pockets::PocketResponse,
        pockets::DepositRequest,
        pockets::BalanceResponse,
        pockets::EntryResponse,
        pockets::EntryList,
        error::ErrorBody,
        error::ErrorDetail
    )),
    modifiers(&BearerAuth, &CommonResponses, &Constraints),
    tags(
        (name = "posts", description = "Funding projects"),
        (name = "accounts", description = "Accounts and sessions"),
        (name = "backings", description = "Backing projects: eligibility, checkout, withdrawal"),
        (name = "pockets", description = "Wallets and their ledger")
    )
)]
pub struct ApiDoc;

/// `Authorization: Bearer <token>` from `POST /api/v1/auth/token`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Swagger UI and ReDoc set inline styles and ReDoc starts a worker from a
/// blob, so their pages take the looser default policy, not the page one.
type DocsPage = ([(HeaderName, &'static str); 1], Html<&'static str>);

pub async fn swagger_ui() -> DocsPage {
    (
        [(CONTENT_SECURITY_POLICY, DEFAULT_POLICY)],
        Html(include_str!("swagger.html")),
    )
}

pub async fn redoc() -> DocsPage {
    (
        [(CONTENT_SECURITY_POLICY, DEFAULT_POLICY)],
        Html(include_str!("redoc.html")),
    )
}
