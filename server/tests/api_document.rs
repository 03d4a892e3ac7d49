//! The OpenAPI document against the code: every error code the server can
//! answer with is in it, at the status it comes with, and no response
//! names a code of another status.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use app::error::ErrorCode;
use common::TestApp;
use serde_json::Value;

async fn document() -> Value {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap_or(Value::Null)
}

/// Every error response of every operation: `(operation, status, text)`,
/// the text being its description and its example's code.
fn error_responses(document: &Value) -> Vec<(String, u16, String)> {
    let mut found = Vec::new();
    let paths = document["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let responses = operation["responses"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (status, response) in responses {
                let Ok(status) = status.parse::<u16>() else {
                    continue;
                };
                if status < 400 {
                    continue;
                }
                let example = &response["content"]["application/json"]["example"];
                let text = format!(
                    "{} `{}`",
                    response["description"].as_str().unwrap_or_default(),
                    example["error"]["code"].as_str().unwrap_or_default()
                );
                found.push((format!("{method} {path}"), status, text));
            }
        }
    }
    found
}

#[tokio::test]
async fn every_error_code_is_documented_at_its_status() {
    let document = document().await;

    // The error body's `code` is one of them all, and only them.
    let listed: Vec<&str> = document["components"]["schemas"]["ErrorDetail"]["properties"]["code"]
        ["enum"]
        .as_array()
        .map(|codes| codes.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(listed, all, "ErrorDetail.code must list every ErrorCode");

    // Each code is named by some operation's response of its status…
    let mut statuses: BTreeMap<&str, BTreeSet<u16>> = BTreeMap::new();
    let responses = error_responses(&document);
    for (operation, status, text) in &responses {
        for code in ErrorCode::ALL {
            if text.contains(&format!("`{}`", code.as_str())) {
                statuses.entry(code.as_str()).or_default().insert(*status);
                // …and no response names a code of another status.
                assert_eq!(
                    code.http_status(),
                    *status,
                    "{operation} documents {code} under {status}"
                );
            }
        }
    }
    let info = document["info"]["description"].as_str().unwrap_or_default();
    for code in ErrorCode::ALL {
        let status = code.http_status();
        // Unknown paths and methods are no operation: the API's
        // description says what they answer.
        if matches!(code, ErrorCode::NotFound | ErrorCode::MethodNotAllowed) {
            assert!(info.contains(&format!("{status} `{code}`")), "{info}");
            continue;
        }
        assert!(
            statuses
                .get(code.as_str())
                .is_some_and(|s| s.contains(&status)),
            "no operation documents {code} ({status})"
        );
    }
}

#[tokio::test]
async fn every_operation_documents_the_answers_around_it() {
    let document = document().await;
    let paths = document["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let responses = &operation["responses"];
            let has = |status: &str| responses[status].is_object();
            assert!(has("500") && has("503"), "{method} {path}");
            if operation["requestBody"].is_object() {
                for status in ["400", "413", "415", "422"] {
                    assert!(has(status), "{method} {path} lacks {status}");
                }
            }
            if method != "get" {
                assert!(has("403"), "{method} {path} lacks 403");
            }
        }
    }
}
