//! The Content-Security-Policy of Moa's pages: Moa's own scripts, styles,
//! WASM and data only, plus the one inline hydration script, allowed by the
//! nonce Leptos puts on it for this response.

/// For pages rendered by Leptos, with this response's nonce.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// For everything else (JSON, static files, the API docs). Swagger UI and
/// ReDoc set inline styles and ReDoc runs a worker from a blob, so styles and
/// workers are looser here; scripts are still Moa's own files only.
pub const DEFAULT_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The nonce a middleware chose for this response, carried in the request's
/// extensions so the page render can put it on its inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Makes Leptos use this request's nonce (call from the render context, after
/// Leptos provided its own): the header and the scripts then always agree.
#[cfg(feature = "ssr")]
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_policy_allows_only_the_nonce_and_wasm() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!DEFAULT_POLICY.contains("script-src 'self' 'unsafe"));
    }
}
