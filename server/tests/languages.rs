//! Korean and English: which language a request is answered in (the
//! `moa_locale` cookie, else `Accept-Language`), the switch that sets the
//! cookie, and the REST API's messages in that language with codes that
//! never change.

mod common;

use common::TestApp;
use reqwest::{StatusCode, header};

async fn home(app: &TestApp, headers: &[(&str, &str)]) -> (reqwest::header::HeaderMap, String) {
    let mut request = app.client.get(format!("{}/", app.base_url));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET /: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    (headers, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn korean_browsers_get_korean_pages_and_others_english() {
    let app = TestApp::spawn().await;

    let (headers, korean) = home(&app, &[("accept-language", "ko-KR,ko;q=0.9,en;q=0.8")]).await;
    assert!(korean.contains(r#"<html lang="ko""#), "{korean}");
    assert!(korean.contains("보고 싶은 것을 후원하세요"));
    let vary: Vec<_> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    assert!(
        vary.iter()
            .any(|value| value.contains("Cookie") && value.contains("Accept-Language")),
        "{vary:?}"
    );

    assert_eq!(
        headers
            .get(header::CONTENT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
        Some("ko")
    );

    let (_, english) = home(&app, &[("accept-language", "fr-FR,de;q=0.5")]).await;
    assert!(english.contains(r#"<html lang="en""#));
    assert!(english.contains("Back what you want to see made"));

    let (_, chosen) = home(
        &app,
        &[("accept-language", "ko-KR"), ("cookie", "moa_locale=en")],
    )
    .await;
    assert!(
        chosen.contains(r#"<html lang="en""#),
        "the cookie outranks the browser"
    );
}

#[tokio::test]
async fn the_switch_sets_the_cookie_and_returns_to_the_same_page_and_query() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let switch = |path: &str| client.get(format!("{}{path}", app.base_url)).send();

    let response = switch("/lang/ko?next=%2F%3Fq%3D%EC%BA%A0%ED%95%91%26sort%3Dcreated")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/?q=%EC%BA%A0%ED%95%91&sort=created")
    );
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.starts_with("moa_locale=ko; Path=/; HttpOnly;"),
        "{cookie}"
    );

    // A link on another site goes to the page but changes nobody's language.
    let foreign = client
        .get(format!("{}/lang/en?next=%2Fpocket", app.base_url))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(foreign.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        foreign
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/pocket")
    );
    assert!(foreign.headers().get(header::SET_COOKIE).is_none());

    // Anywhere off the site goes home; unknown languages do not exist.
    let away = switch("/lang/en?next=%2F%2Fevil.example")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        away.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/")
    );
    let french = switch("/lang/fr?next=%2F")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(french.status(), StatusCode::NOT_FOUND);
    let upper = switch("/lang/KO").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(upper.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_messages_follow_accept_language_and_codes_never_change() {
    let app = TestApp::spawn().await;
    let sign_up = |language: &'static str| {
        app.client
            .post(format!("{}/api/v1/accounts", app.base_url))
            .header("accept-language", language)
            .json(&serde_json::json!({
                "username": "bad name!",
                "email": "nope",
                "password": "short",
                "role": "backer",
            }))
            .send()
    };
    let korean: serde_json::Value = sign_up("ko")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let english: serde_json::Value = sign_up("en-US")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(korean["error"]["code"], "VALIDATION_FAILED");
    assert_eq!(english["error"]["code"], "VALIDATION_FAILED");
    assert_eq!(korean["error"]["message"], "올바르지 않은 값이 있습니다.");
    assert_eq!(english["error"]["message"], "Some values are not valid.");
    assert_eq!(
        korean["error"]["details"]["password"],
        "10자 이상으로 적어 주세요."
    );
    assert_eq!(
        english["error"]["details"]["password"],
        "Use at least 10 characters."
    );

    let missing = app
        .client
        .get(format!("{}/api/v1/posts/999999", app.base_url))
        .header("accept-language", "ko-KR")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = missing.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body["error"]["code"], "POST_NOT_FOUND");
    assert_eq!(
        body["error"]["message"],
        "없거나 더 이상 볼 수 없는 프로젝트입니다."
    );
}
