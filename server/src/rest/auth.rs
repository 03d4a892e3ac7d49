//! Who is asking, decided once per request by an extractor rather than by
//! checks scattered through handlers.

use app::{
    error::AppError,
    service::{auth::Session, session},
    state::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};

use super::ApiError;

/// Any signed-in account.
pub struct AuthUser(pub Session);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // `Authorization: Bearer` for API clients, the session cookie for
        // the browser (whose state-changing requests the origin check guards).
        let token = session::bearer_token(&parts.headers)
            .or_else(|| session::cookie_token(&parts.headers))
            .ok_or_else(AppError::unauthenticated)?;
        Ok(AuthUser(state.tokens.verify(token, state.clock.now())?))
    }
}

/// The peer address of the connection. Proxies' `X-Forwarded-For` is not
/// trusted: behind one, every client would share the proxy's limit, which is
/// safe, while trusting the header would let anyone pick their address.
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientAddress(peer))
    }
}
