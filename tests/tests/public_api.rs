//! Issue 13, finding 11 on the API, over HTTP through `qmi up` (gateway, policy,
//! identity, applications): the public site's data beyond open calls. Each test
//! builds its own calls and applications through the API, signing in as the demo
//! accounts for their roles, and fails on the code before the fix.
//!
//! - a commune is found by its INSEE code (or the code's start) as by its name;
//! - a closed call's results — its selected solutions — are public once its
//!   decisions are published, and only the selected ones;
//! - the open-data files name their licence, Licence Ouverte 2.0.

use std::ops::Deref;

use qmi_tests::http::Client;
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

const PASSWORD: &str = "public-api-password";
const ETALAB: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";

struct Api<'a> {
    client: Client<'a>,
}

impl<'a> Deref for Api<'a> {
    type Target = Client<'a>;

    fn deref(&self) -> &Client<'a> {
        &self.client
    }
}

impl<'a> Api<'a> {
    fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::new(server),
        }
    }

    /// A 2xx answer's body; panics with the answer otherwise.
    fn ok(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Value {
        let r = self.send(method, path, token, body);
        assert!((200..300).contains(&r.status), "{method} {path}: {r:?}");
        r.body
    }

    fn token(&self, email: &str) -> String {
        let r = self.ok(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
        );
        r["access_token"].as_str().unwrap().to_owned()
    }
}

fn insee_codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|c| c["insee"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_commune_is_found_by_its_insee_code() {
    let server = app::serve(&["identity"], PASSWORD);
    let api = Api::new(&server);
    let found = api.ok("GET", "/api/communes?q=93066", None, None);
    assert_eq!(insee_codes(&found), ["93066"], "{found}");
    // The code's start finds the communes whose code begins so, and only them.
    let found = api.ok("GET", "/api/communes?q=9306&limit=100", None, None);
    let codes = insee_codes(&found);
    assert!(codes.contains(&"93066".to_owned()), "{found}");
    assert!(codes.iter().all(|c| c.starts_with("9306")), "{found}");
    // A name still finds by name.
    let found = api.ok("GET", "/api/communes?q=saint-denis", None, None);
    assert!(insee_codes(&found).contains(&"93066".to_owned()), "{found}");
}

#[test]
fn a_closed_call_publishes_its_selected_solutions_once_decisions_are_published() {
    let server = app::up(&["identity", "applications", "districts"], PASSWORD)
        .manual_clock()
        .start();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let closes = qmi_kit::time::Instant(server.mailbox().clock_unix() + 3600).to_string();
    let call = api.ok(
        "POST",
        "/api/calls",
        Some(&admin),
        Some(&json!({
            "insee": "93066",
            "title": "Cours oasis, résultats publics",
            "description": "Un appel dont les lauréats sont publiés",
            "themes": ["Climat"],
            "challenges": ["Réduire la chaleur urbaine"],
            "opens_at": "2020-01-01T00:00",
            "closes_at": closes,
            "target_selections": 1,
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true }],
            "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
            "published": true
        })),
    );
    let call = call["id"].as_str().unwrap().to_owned();
    let apply = |email: &str, title: &str| {
        let a = api.ok(
            "POST",
            &format!("/api/calls/{call}/applications"),
            Some(&api.token(email)),
            Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
        );
        a["id"].as_str().unwrap().to_owned()
    };
    let chosen = apply("partner@solaire-urbain.example", "Ombrières solaires");
    let other = apply("partner@gruene-wege.example", "Grüne Höfe");
    // The call closes; the commune decides, then publishes its decisions.
    server.mailbox().advance_clock(2 * 3600);
    let admin = api.token("admin.saint-denis@qmi.example");
    let decide = |id: &str, last: &str| {
        for to in ["eligible", "in_review", "shortlisted", last] {
            api.ok(
                "POST",
                &format!("/api/applications/{id}/transitions"),
                Some(&admin),
                Some(&json!({ "to": to, "reason": "Avis du jury" })),
            );
        }
    };
    decide(&chosen, "selected");
    decide(&other, "rejected");

    let results = format!("/api/calls/{call}/results");
    // Decided, not published: nothing is told yet.
    let before = api.ok("GET", &results, None, None);
    assert_eq!(before["decisions_published"], json!(false), "{before}");
    assert_eq!(before["selected"], json!([]), "{before}");

    api.ok(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        Some(&admin),
        None,
    );
    let after = api.ok("GET", &results, None, None);
    assert_eq!(after["decisions_published"], json!(true), "{after}");
    let selected = after["selected"].as_array().expect("selected solutions");
    assert_eq!(selected.len(), 1, "only the selected solution: {after}");
    assert_eq!(selected[0]["application_id"], json!(chosen), "{after}");
    assert_eq!(selected[0]["title"], json!("Ombrières solaires"), "{after}");
    assert_eq!(
        selected[0]["organisation_name"],
        json!("Solaire Urbain"),
        "{after}"
    );
    assert_eq!(selected[0]["district"], json!("93066"), "{after}");
    assert!(!after.to_string().contains("Grüne Höfe"), "{after}");

    // The archive lists the closed call.
    let closed = api.ok("GET", "/api/calls?status=closed&limit=100", None, None);
    assert!(closed.to_string().contains(&call), "{closed}");

    // An unknown call has no results.
    let r = api.send(
        "GET",
        "/api/calls/01900000-0000-7000-8000-0000000fffff/results",
        None,
        None,
    );
    assert_eq!(r.status, 404, "{r:?}");
}

#[test]
fn the_open_data_files_name_their_licence() {
    let server = app::serve(&["identity", "applications", "districts"], PASSWORD);
    let api = Api::new(&server);
    for file in ["calls.csv", "calls.json", "decisions.csv", "decisions.json"] {
        let r = api.send("GET", &format!("/api/open-data/{file}"), None, None);
        assert_eq!(r.status, 200, "{file}: {r:?}");
        let link = r
            .headers
            .get("link")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            link.contains(ETALAB) && link.contains("rel=\"license\""),
            "{file}: no licence in the Link header ({link:?})"
        );
        if file.ends_with(".json") {
            assert_eq!(
                r.body["licence"]["name"],
                json!("Licence Ouverte 2.0"),
                "{file}: {r:?}"
            );
            assert_eq!(r.body["licence"]["url"], json!(ETALAB), "{file}: {r:?}");
            assert!(r.body["items"].is_array(), "{file}: {r:?}");
        }
    }
}
