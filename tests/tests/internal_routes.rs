//! The internal routes (`/internal/<component>/…`, `qmi_api::internal`): the
//! calls between components that no person makes, outside the gateway. They
//! sit on the public listener of a single `qmi up`/`spin up` (and on each
//! SpinApp's Service in Kubernetes), so each target answers only requests
//! carrying the shared `internal_token`; the components' own calls carry it.

use qmi_tests::{QmiServer, app};

const PASSWORD: &str = "internal-routes-password";
const TOKEN: &str = "internal-routes-test-token-0123456789";

fn server() -> QmiServer {
    app::up(&["partners", "notifications"], PASSWORD)
        .env("SPIN_VARIABLE_INTERNAL_TOKEN", TOKEN)
        .start()
}

#[test]
fn internal_routes_refuse_requests_without_the_shared_token() {
    let server = server();
    let cards = "/internal/partners/cards?ids=org-1";
    let deposit = "/internal/notifications/deposit";
    let body = r#"{"envelopes":[]}"#;
    let json = ("content-type", "application/json");
    for auth in [None, Some("Bearer wrong-token"), Some(TOKEN)] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        let reply = server.get_with(cards, &headers);
        assert_eq!(reply.status, 401, "cards with {auth:?}: {}", reply.body);
        let mut with_json = headers.clone();
        with_json.push(json);
        let reply = server.post(deposit, body, &with_json);
        assert_eq!(reply.status, 401, "deposit with {auth:?}: {}", reply.body);
    }
    let bearer = format!("Bearer {TOKEN}");
    let reply = server.get_with(cards, &[("authorization", &bearer)]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body.trim(), "[]", "no organisation org-1");
    let reply = server.post(deposit, body, &[("authorization", &bearer), json]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("\"deposited\":0"), "{}", reply.body);
}

#[test]
fn an_empty_token_closes_the_internal_routes() {
    let server = app::up(&["partners"], PASSWORD)
        .env("SPIN_VARIABLE_INTERNAL_TOKEN", "")
        .start();
    for auth in [vec![], vec![("authorization", "Bearer ")]] {
        let reply = server.get_with("/internal/partners/cards?ids=org-1", &auth);
        assert_eq!(reply.status, 503, "{}", reply.body);
    }
}

/// With the token, bad input is a 4xx problem naming the field, never a 5xx.
#[test]
fn bad_input_on_the_internal_routes_names_the_field() {
    let server = server();
    let bearer = format!("Bearer {TOKEN}");
    let headers = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    for (path, body, field) in [
        (
            "/internal/partners/presence",
            r#"{"organisation_id":"not an id!","insee":"93066","source":"application"}"#,
            "organisation_id",
        ),
        (
            "/internal/partners/presence",
            r#"{"organisation_id":"org-1","insee":"930","source":"application"}"#,
            "insee",
        ),
        (
            "/internal/partners/presence",
            r#"{"organisation_id":"org-1","insee":"93066","source":"rumour"}"#,
            "source",
        ),
        (
            "/internal/notifications/deposit",
            r#"{"envelopes":"none"}"#,
            "envelopes",
        ),
    ] {
        let reply = server.post(path, body, &headers);
        assert!(
            (400..500).contains(&reply.status),
            "{path} {body}: {} {}",
            reply.status,
            reply.body
        );
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json"),
            "{path}: {}",
            reply.body
        );
        assert!(
            reply.body.contains(field),
            "{path} names {field}: {}",
            reply.body
        );
    }
}
