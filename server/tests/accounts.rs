//! Accounts and tokens through the REST API.

mod common;

use app::service::auth::{TokenClaims, TokenKeys};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use common::TestApp;
use serde_json::{Value, json};

const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}{path}", app.base_url))
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn me(app: &TestApp, token: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}/api/v1/me", app.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET /me: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn sign_up(app: &TestApp, username: &str, role: &str) -> (u16, Value) {
    let body = json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": "correct horse battery",
        "role": role,
    });
    post(app, "/api/v1/accounts", body).await
}

async fn token_for(app: &TestApp, username: &str) -> String {
    let (status, body) = post(
        app,
        "/api/v1/auth/token",
        json!({ "username": username, "password": "correct horse battery" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn sign_up_log_in_and_see_yourself() {
    let app = TestApp::spawn().await;
    let (status, account) = sign_up(&app, "Kim_01", "backer").await;
    assert_eq!(status, 201, "{account}");
    assert_eq!(account["username"], "Kim_01");
    assert_eq!(account["role"], "backer");
    assert!(account.get("password").is_none() && account.get("password_hash").is_none());

    let (status, token) = post(
        &app,
        "/api/v1/auth/token",
        json!({ "username": "kim_01", "password": "correct horse battery" }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 86_400);

    let (status, me) = me(&app, token["access_token"].as_str().unwrap_or_default()).await;
    assert_eq!(status, 200);
    assert_eq!(
        me,
        json!({ "id": account["id"], "username": "Kim_01", "email": "Kim_01@example.com", "role": "backer", "pocket": null })
    );

    let stored: String = sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(account["id"].as_i64().unwrap_or_default())
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
}

#[tokio::test]
async fn usernames_and_emails_are_unique_regardless_of_case() {
    let app = TestApp::spawn().await;
    assert_eq!(sign_up(&app, "lee", "publisher").await.0, 201);

    let (status, body) = sign_up(&app, "LEE", "backer").await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "USERNAME_TAKEN");
    assert!(body["error"]["details"]["username"].is_string());

    let body = json!({ "username": "other", "email": "LEE@EXAMPLE.COM", "password": "correct horse battery", "role": "backer" });
    let (status, body) = post(&app, "/api/v1/accounts", body).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "EMAIL_TAKEN");
    assert!(body["error"]["details"]["email"].is_string());
}

#[tokio::test]
async fn invalid_sign_ups_name_each_field_and_create_nothing() {
    let app = TestApp::spawn().await;
    let (status, body) = post(
        &app,
        "/api/v1/accounts",
        json!({ "username": "x", "email": "nope", "password": "short", "role": "admin" }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "VALIDATION_FAILED");
    for field in ["username", "email", "password", "role"] {
        assert!(
            body["error"]["details"][field].is_string(),
            "{field}: {body}"
        );
    }
    let (status, body) = post(&app, "/api/v1/accounts", json!({})).await;
    assert_eq!(status, 422, "{body}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 0);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_look_the_same() {
    let app = TestApp::spawn().await;
    assert_eq!(sign_up(&app, "park", "backer").await.0, 201);
    let wrong = post(
        &app,
        "/api/v1/auth/token",
        json!({ "username": "park", "password": "wrong password!" }),
    )
    .await;
    let unknown = post(
        &app,
        "/api/v1/auth/token",
        json!({ "username": "nobody", "password": "wrong password!" }),
    )
    .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.1["error"]["code"], "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn forged_expired_and_unsigned_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let (_, account) = sign_up(&app, "choi", "publisher").await;
    let id = account["id"].as_i64().unwrap_or_default();
    let good = token_for(&app, "choi").await;
    assert_eq!(me(&app, &good).await.0, 200);

    // Tokens for the same live session, each wrong in one way only.
    let parts: Vec<&str> = good.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap_or_default())
            .unwrap_or(Value::Null);
    let session = TokenClaims {
        account_id: id,
        session_id: claims["sid"].as_str().unwrap_or_default().to_owned(),
    };
    let keys = TokenKeys::new(SECRET);
    let reissued = keys.issue(&session, common::test_now()).unwrap_or_default();
    assert_eq!(
        me(&app, &reissued).await.0,
        200,
        "the control token must work"
    );
    let expired = keys
        .issue(&session, common::test_now() - Duration::days(2))
        .unwrap_or_default();
    let not_yet_valid = keys
        .issue(&session, common::test_now() + Duration::hours(1))
        .unwrap_or_default();
    let wrongly_signed = TokenKeys::new(b"some-other-secret-some-other-secret")
        .issue(&session, common::test_now())
        .unwrap_or_default();

    // Same payload, claiming to be someone else: the signature no longer fits.
    claims["sub"] = json!((id + 1).to_string());
    let tampered_payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = format!("{}.{}.{}", parts[0], tampered_payload, parts[2]);
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let hs512_header = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512","typ":"JWT"}"#),
        parts[1],
        parts[2]
    );

    for (name, token) in [
        ("expired", expired.as_str()),
        ("not yet valid", not_yet_valid.as_str()),
        ("wrongly signed", wrongly_signed.as_str()),
        ("tampered", tampered.as_str()),
        ("alg none", unsigned.as_str()),
        ("other algorithm", hs512_header.as_str()),
        ("garbage", "not-a-token"),
    ] {
        let (status, body) = me(&app, token).await;
        assert_eq!(status, 401, "{name} token was accepted");
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED", "{name}");
    }

    let response = app
        .client
        .get(format!("{}/api/v1/me", app.base_url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(
        response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
}

async fn login_status(app: &TestApp, username: &str, password: &str) -> (u16, Option<u64>, Value) {
    let response = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base_url))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (
        status,
        retry_after,
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn assert_login_limit(app: &TestApp) {
    assert_eq!(sign_up(app, "target", "backer").await.0, 201);
    assert_eq!(sign_up(app, "bystander", "backer").await.0, 201);
    for attempt in 1..=5 {
        let (status, _, _) = login_status(app, "target", "wrong password!").await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    // Now even the right password waits, whatever the username's case.
    let (status, retry_after, body) = login_status(app, "TARGET", "correct horse battery").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "TOO_MANY_ATTEMPTS");
    assert!(
        retry_after.is_some_and(|s| (1..=900).contains(&s)),
        "{retry_after:?}"
    );
    // Other accounts are unaffected.
    assert_eq!(
        login_status(app, "bystander", "correct horse battery")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn repeated_failed_logins_are_limited() {
    let app = TestApp::spawn().await;
    assert_login_limit(&app).await;
}

#[tokio::test]
async fn the_login_limit_holds_without_redis() {
    let app = TestApp::spawn_with(common::Options {
        redis_url: "redis://127.0.0.1:1".into(),
        ..common::Options::default()
    })
    .await;
    assert_login_limit(&app).await;
}

/// A browser without JavaScript posting a form to a server function: the
/// answer is a redirect, whose status and `Location` this returns.
async fn plain_form_post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = no_redirects()
        .post(format!("{}{path}", app.base_url))
        .header("accept", "text/html")
        .header("origin", &app.base_url)
        .header("referer", format!("{}/signup", app.base_url))
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status().as_u16(), location)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The browser follows the redirect back to the form, which must show the
/// error next to its field.
#[tokio::test]
async fn without_javascript_a_refused_form_shows_its_field_errors() {
    let app = TestApp::spawn().await;
    let (status, location) = plain_form_post(
        &app,
        "/api/sign_up",
        &[
            ("username", "no spaces allowed"),
            ("email", "someone@example.com"),
            ("password", "long enough password"),
            ("role", "backer"),
        ],
    )
    .await;
    assert_eq!(status, 302);
    assert!(location.contains("/signup?"), "{location}");
    let page = no_redirects()
        .get(&location)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        page.contains("Use only letters, digits and underscores."),
        "the field error is missing from the page"
    );
}

#[tokio::test]
async fn logging_in_returns_to_the_page_it_came_from_on_this_site_only() {
    let app = TestApp::spawn().await;
    assert_eq!(sign_up(&app, "wanderer", "backer").await.0, 201);
    for (next, expected) in [
        ("/pocket", "/pocket"),
        ("//evil.example/steal", "/"),
        ("https://evil.example/", "/"),
    ] {
        let form = [
            ("username", "wanderer"),
            ("password", "correct horse battery"),
            ("next", next),
        ];
        let answer = plain_form_post(&app, "/api/log_in", &form).await;
        assert_eq!(answer, (302, expected.to_owned()), "next={next}");
    }
}
async fn failed_login_from(app: &TestApp, forwarded_for: &str, username: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/auth/token", app.base_url))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "username": username, "password": "wrong password!" }))
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_default()
}

/// 20 failures from one client address within 15 minutes lock that address
/// out. Behind a trusted proxy each forwarded client has its own limit;
/// without one, a forged `X-Forwarded-For` changes nothing.
#[tokio::test]
async fn the_client_limit_follows_trusted_proxies_only() {
    let behind_proxy = TestApp::spawn_with(common::Options {
        trusted_proxies: vec![std::net::IpAddr::from([127, 0, 0, 1])],
        ..common::Options::default()
    })
    .await;
    // Different usernames, so only the per-client limit (20) can trigger.
    for n in 0..20 {
        let status = failed_login_from(&behind_proxy, "203.0.113.7", &format!("user{n}")).await;
        assert_eq!(status, 401, "attempt {n}");
    }
    assert_eq!(
        failed_login_from(&behind_proxy, "203.0.113.7", "another").await,
        429
    );
    assert_eq!(
        failed_login_from(&behind_proxy, "203.0.113.8", "another").await,
        401
    );

    let direct = TestApp::spawn().await;
    for n in 0..20 {
        let forged = format!("198.51.100.{n}");
        assert_eq!(
            failed_login_from(&direct, &forged, &format!("user{n}")).await,
            401
        );
    }
    assert_eq!(
        failed_login_from(&direct, "198.51.100.99", "another").await,
        429
    );
}

/// The attempt is counted before the password is checked, so a burst of
/// concurrent guesses gets no more tries than a patient guesser.
#[tokio::test]
async fn concurrent_wrong_passwords_get_only_the_allowed_guesses() {
    let app = TestApp::spawn().await;
    assert_eq!(sign_up(&app, "target", "backer").await.0, 201);
    let answers =
        common::join_all((0..50).map(|_| login_status(&app, "target", "wrong password!"))).await;
    let guessed = answers
        .iter()
        .filter(|(status, _, _)| *status == 401)
        .count();
    let refused = answers
        .iter()
        .filter(|(status, _, body)| *status == 429 && body["error"]["code"] == "TOO_MANY_ATTEMPTS")
        .count();
    assert_eq!((guessed, refused), (5, 45), "{answers:?}");
}

/// Usernames are ASCII by constraint; a log-in name that is not one (such
/// as `İvan`, which Unicode lower-cases differently from PostgreSQL) is
/// refused before any counting or hashing, so it cannot open a fresh counter
/// for someone else's account.
#[tokio::test]
async fn log_in_names_that_are_not_usernames_are_refused_up_front() {
    let app = TestApp::spawn().await;
    assert_eq!(sign_up(&app, "ivan", "backer").await.0, 201);
    // The long one still fits in a request body (64 KiB; see bad_input.rs).
    for name in ["İvan", "ıvan", "ivan\u{0}", &"a".repeat(60_000)] {
        let (status, _, body) = login_status(&app, name, "correct horse battery").await;
        assert_eq!(status, 422, "{name:.20}: {body}");
        assert_eq!(body["error"]["code"], "VALIDATION_FAILED");
        assert!(body["error"]["details"]["username"].is_string(), "{body}");
    }
    // The ASCII spelling in any case is the same account.
    assert_eq!(
        login_status(&app, "IVAN", "correct horse battery").await.0,
        200
    );
}

#[tokio::test]
async fn a_megabyte_username_is_refused_and_creates_nothing() {
    let app = TestApp::spawn().await;
    // Over the body limit: refused unread.
    let (status, body) = sign_up(&app, &"a".repeat(1_000_000), "backer").await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    // Within it (the name goes into the email address too): refused by the
    // username's rule.
    let (status, body) = sign_up(&app, &"a".repeat(30_000), "backer").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "VALIDATION_FAILED");
    assert!(body["error"]["details"]["username"].is_string(), "{body}");
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(accounts, 0);
}

fn behind_local_proxy() -> common::Options {
    common::Options {
        trusted_proxies: vec![std::net::IpAddr::from([127, 0, 0, 1])],
        ..common::Options::default()
    }
}

async fn login_from(app: &TestApp, client: &str, username: &str, password: &str) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base_url))
        .header("x-forwarded-for", client)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// One IPv6 client holds a whole /64: counting each address separately
/// would give it 2^64 fresh counters.
#[tokio::test]
async fn ipv6_clients_are_counted_per_64_prefix() {
    let app = TestApp::spawn_with(behind_local_proxy()).await;
    for n in 0..20 {
        let client = format!("2001:db8:0:7::{:x}", n + 1);
        let (status, body) =
            login_from(&app, &client, &format!("user{n}"), "wrong password!").await;
        assert_eq!(status, 401, "attempt {n}: {body}");
    }
    let (status, body) =
        login_from(&app, "2001:db8:0:7:ffff::1", "another", "wrong password!").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (429, &json!("TOO_MANY_ATTEMPTS"))
    );
    // The next /64 is someone else.
    let (status, _) = login_from(&app, "2001:db8:0:8::1", "another", "wrong password!").await;
    assert_eq!(status, 401);
}

/// Someone guessing at an account cannot lock its owner out: the guesser's
/// own client is stopped after 5 failures, while the owner, from a client
/// that has not failed, still logs in.
#[tokio::test]
async fn a_guesser_cannot_lock_the_owner_out() {
    let app = TestApp::spawn_with(behind_local_proxy()).await;
    assert_eq!(sign_up(&app, "target", "backer").await.0, 201);
    for attempt in 1..=5 {
        let (status, _) = login_from(&app, "203.0.113.7", "target", "wrong password!").await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    // The guesser is stopped, even with the right password.
    let (status, body) = login_from(&app, "203.0.113.7", "target", "correct horse battery").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (429, &json!("TOO_MANY_ATTEMPTS"))
    );
    // The owner, elsewhere, gets in.
    let (status, body) = login_from(&app, "198.51.100.20", "target", "correct horse battery").await;
    assert_eq!(status, 200, "{body}");
    // While the account is under attack, each new client gets one guess.
    let (status, _) = login_from(&app, "192.0.2.55", "target", "wrong password!").await;
    assert_eq!(status, 401);
    let (status, _) = login_from(&app, "192.0.2.55", "target", "wrong password!").await;
    assert_eq!(status, 429);
}

/// Every sign-up costs a 19 MiB argon2 hash: one client gets a bounded
/// number of them per hour.
#[tokio::test]
async fn sign_ups_are_limited_per_client() {
    let app = TestApp::spawn().await;
    for n in 0..20 {
        let (status, body) = sign_up(&app, &format!("member{n}"), "backer").await;
        assert_eq!(status, 201, "sign-up {n}: {body}");
    }
    let (status, body) = sign_up(&app, "one_too_many", "backer").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (429, &json!("TOO_MANY_ATTEMPTS")),
        "{body}"
    );
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE username = 'one_too_many'")
            .fetch_one(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created, 0);
    // Invalid sign-ups cost no hashing and are not counted against anyone:
    // they are refused by their shape whatever the count.
    let (status, _) = sign_up(&app, "x", "backer").await;
    assert_eq!(status, 422);
}

async fn sign_up_from(app: &TestApp, client: &str, username: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/accounts", app.base_url))
        .header("x-forwarded-for", client)
        .json(&json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": "correct horse battery",
            "role": "backer",
        }))
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_default()
}

/// Hundreds of parallel sign-ups and log-ins queue for argon2 (19 MiB
/// each) instead of all hashing at once: at most one hash per core runs.
#[tokio::test]
async fn argon2_work_queues_instead_of_piling_up() {
    let app = TestApp::spawn_with(behind_local_proxy()).await;
    let statuses = common::join_all((0..12).map(|n| {
        let app = &app;
        async move {
            let client = format!("198.51.100.{n}");
            let signed = sign_up_from(app, &client, &format!("crowd{n}")).await;
            let logged = login_from(app, &client, &format!("crowd{n}"), "wrong password!")
                .await
                .0;
            (signed, logged)
        }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == (201, 401)), "{statuses:?}");
    let peak = app::service::auth::argon2_peak();
    assert!(
        (1..=app::service::auth::argon2_capacity()).contains(&peak),
        "{peak} argon2 computations ran at once"
    );
}

/// Redis can lose counters (a restart, an eviction): the limit this process
/// counted itself still holds.
#[tokio::test]
async fn a_limit_survives_redis_forgetting_it() {
    let app = TestApp::spawn().await;
    assert_eq!(sign_up(&app, "forgotten", "backer").await.0, 201);
    for _ in 0..5 {
        assert_eq!(
            login_status(&app, "forgotten", "wrong password!").await.0,
            401
        );
    }
    let redis = redis::Client::open(common::redis_url()).unwrap_or_else(|e| panic!("{e}"));
    let mut connection = redis
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pattern = app.state.cache.key("login:*");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(&pattern)
        .query_async(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!keys.is_empty(), "the attempts were not counted in Redis");
    let _: i64 = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, _, body) = login_status(&app, "forgotten", "correct horse battery").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (429, &json!("TOO_MANY_ATTEMPTS"))
    );
}
