//! Who is asking, decided once per request by an extractor rather than by
//! checks scattered through handlers.

use std::marker::PhantomData;

use app::{
    service::{
        access::{self, AnyAccount, Policy},
        auth::Session,
    },
    state::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};

use super::ApiError;

/// The session of a request whose account the policy `P` admits (any
/// signed-in account unless a narrower policy is named):
/// `Signed<BackerOnly>`, `Signed<PublisherOnly>`. Rejects with 401
/// `UNAUTHENTICATED` or 403 `FORBIDDEN`.
pub struct Signed<P = AnyAccount> {
    pub session: Session,
    policy: PhantomData<P>,
}

impl<P: Policy> FromRequestParts<AppState> for Signed<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The browser's state-changing requests are guarded by the origin
        // check before they get here.
        Ok(Signed {
            session: access::authorize::<P>(state, &parts.headers).await?,
            policy: PhantomData,
        })
    }
}

/// The client's address: the connection's peer, or, when the peer is a
/// configured trusted proxy (`MOA_TRUSTED_PROXIES`), the client it forwards
/// for. `X-Forwarded-For` from anyone else is ignored: believing it would
/// let anyone pick their address and escape the per-client login limit.
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientAddress(
            state.trusted_proxies.client(peer, &parts.headers),
        ))
    }
}
