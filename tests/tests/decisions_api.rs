//! Issue 13, findings 4, 5 and 12 over HTTP through `qmi up` (identity,
//! applications, notifications; the manual clock):
//!
//! - an unpublished call for communes is edited, then published, through the
//!   policy (programme operators only), each change in its history; once
//!   published it no longer changes;
//! - decisions wait for the call to close: a decision or its publication before
//!   the deadline is refused, until the deadline passes or the call is closed
//!   early on purpose, with its reason kept;
//! - the decision letter names its sender, its date, its signatory and the means
//!   and time limits of appeal, in French and English;
//! - a withdrawn application reopens as a draft while its call is open, never after.
//!
//! People are the demo accounts (signed in by e-mail); calls, campaigns and
//! applications are made here through the API.

use std::ops::Deref;

use qmi_tests::http::{Client, Res};
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

const PASSWORD: &str = "decisions-api-password";
const SAINT_DENIS: &str = "93066";
const ADMIN: &str = "admin.saint-denis@qmi.example";
const GRUENE: &str = "partner@gruene-wege.example";
const PROGRAMME: &str = "programme@qmi.example";

fn server() -> QmiServer {
    app::up(&["identity", "applications", "notifications"], PASSWORD)
        .manual_clock()
        .start()
}

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

    /// The server's (manual) clock, in Unix seconds: deadlines are set from it,
    /// never from the test's own clock.
    fn now(&self) -> i64 {
        self.client.server.mailbox().clock_unix()
    }

    fn ok(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Value {
        let r = self.send(method, path, Some(token), body);
        assert!((200..300).contains(&r.status), "{method} {path}: {r:?}");
        r.body
    }

    fn person(&self, email: &str) -> String {
        let r = self.send(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.body["access_token"].as_str().unwrap().to_owned()
    }
}

fn rfc3339(t: i64) -> String {
    qmi_kit::time::Instant(t).to_string()
}

/// A published Saint-Denis call open now, closing `secs` from now.
fn new_call(api: &Api, admin: &str, title: &str, secs: i64) -> String {
    let body = json!({
        "insee": SAINT_DENIS,
        "title": title,
        "description": "Des solutions pour le quartier",
        "opens_at": rfc3339(api.now() - 3600),
        "closes_at": rfc3339(api.now() + secs),
        "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true }],
        "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
        "published": true
    });
    api.ok("POST", "/api/calls", admin, Some(&body))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A submitted application of `token`'s organisation to `call`.
fn apply(api: &Api, token: &str, call: &str, title: &str) -> String {
    api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        token,
        Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn to(api: &Api, token: &str, app: &str, state: &str) -> Res {
    api.send(
        "POST",
        &format!("/api/applications/{app}/transitions"),
        Some(token),
        Some(&json!({ "to": state, "reason": "Un projet ancré dans le quartier" })),
    )
}

#[test]
fn an_unpublished_call_for_communes_is_edited_then_published() {
    let server = server();
    let api = Api::new(&server);
    let programme = api.person(PROGRAMME);
    let admin = api.person(ADMIN);
    let input = |title: &str, published: bool| {
        json!({
            "title": title,
            "text": "Accueillir un quartier d'innovation",
            "opens_at": rfc3339(api.now() - 3600),
            "closes_at": rfc3339(api.now() + 30 * 86400),
            "published": published
        })
    };
    let c = api.ok(
        "POST",
        "/api/campaigns",
        &programme,
        Some(&input("AMI brouillon", false)),
    );
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["published"], false);
    let path = format!("/api/campaigns/{id}");

    // Edited while unpublished, by the programme only.
    let edited = api.ok(
        "PUT",
        &path,
        &programme,
        Some(&input("AMI quartiers 2031", false)),
    );
    assert_eq!(edited["title"], "AMI quartiers 2031");
    assert_eq!(edited["published"], false);
    let r = api.send("PUT", &path, Some(&admin), Some(&input("Détourné", false)));
    assert_eq!(r.status, 403, "{r:?}");
    let r = api.send("POST", &format!("{path}/publish"), Some(&admin), None);
    assert_eq!(r.status, 403, "{r:?}");
    // A bad edit names its field.
    let mut bad = input("AMI", false);
    bad["title"] = json!(" ");
    let r = api.send("PUT", &path, Some(&programme), Some(&bad));
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text.contains("title"), "{r:?}");

    // Published: communes see it; it no longer changes.
    let published = api.ok("POST", &format!("{path}/publish"), &programme, None);
    assert_eq!(published["published"], true);
    let actions: Vec<&str> = published["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "edited", "published"]);
    assert_eq!(
        api.ok("GET", &path, &admin, None)["title"],
        "AMI quartiers 2031"
    );
    let r = api.send(
        "PUT",
        &path,
        Some(&programme),
        Some(&input("Trop tard", false)),
    );
    assert_eq!(r.status, 409, "{r:?}");
    // Publishing again changes nothing.
    let again = api.ok("POST", &format!("{path}/publish"), &programme, None);
    assert_eq!(again["history"].as_array().unwrap().len(), 3);
}

#[test]
fn decisions_wait_for_the_call_to_close_and_letters_say_how_to_appeal() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let admin = api.person(ADMIN);
    let gruene = api.person(GRUENE);

    // A call open for two more days: its applications may be reviewed, not decided.
    let call = new_call(&api, &admin, "Cours fraîches", 2 * 86400);
    let app = apply(&api, &gruene, &call, "Cours ombragées");
    for state in ["eligible", "in_review", "shortlisted"] {
        let r = to(&api, &admin, &app, state);
        assert_eq!(r.status, 200, "{state}: {r:?}");
    }
    let r = to(&api, &admin, &app, "selected");
    assert_eq!(r.status, 409, "{r:?}");
    assert!(
        r.body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("call-still-open")),
        "{r:?}"
    );
    let r = api.send(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        Some(&admin),
        None,
    );
    assert_eq!(r.status, 409, "{r:?}");

    // Closed early: only with a reason, by whoever runs the call.
    let close = format!("/api/calls/{call}/close");
    let r = api.send(
        "POST",
        &close,
        Some(&admin),
        Some(&json!({ "reason": "  " })),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.text.contains("reason"), "{r:?}");
    let r = api.send(
        "POST",
        &close,
        Some(&gruene),
        Some(&json!({ "reason": "Fermer" })),
    );
    assert!(r.status == 403 || r.status == 404, "{r:?}");
    const WHY: &str = "Les cinq candidatures attendues sont déposées";
    let closed = api.ok("POST", &close, &admin, Some(&json!({ "reason": WHY })));
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closed_early"]["reason"], WHY);
    let r = api.send(
        "POST",
        &close,
        Some(&admin),
        Some(&json!({ "reason": WHY })),
    );
    assert_eq!(r.status, 409, "{r:?}");
    // No one applies any more.
    let r = api.send(
        "POST",
        &format!("/api/calls/{call}/applications"),
        Some(&gruene),
        Some(&json!({ "title": "Tard", "answers": { "pitch": "x" }, "submit": true })),
    );
    assert!((400..500).contains(&r.status), "{r:?}");

    // Now decided and published; the letter carries its letterhead and the appeal.
    let r = to(&api, &admin, &app, "selected");
    assert_eq!(r.status, 200, "{r:?}");
    api.ok(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        &admin,
        None,
    );
    let letter = api.ok(
        "GET",
        &format!("/api/applications/{app}/letter"),
        &gruene,
        None,
    );
    let text = letter["text"].as_str().unwrap();
    for needed in [
        "Commune de Saint-Denis",
        "INSEE 93066",
        "Le ",
        "Pour Commune de Saint-Denis",
        "(signé / signed)",
        "Voies et délais de recours",
        "recours gracieux",
        "recours contentieux",
        "tribunal administratif",
        "deux mois",
        "Télérecours citoyens",
        "Means and time limits of appeal",
        "within two months",
    ] {
        assert!(text.contains(needed), "{needed:?} missing from:\n{text}");
    }
    let me = api.ok("GET", "/api/me", &admin, None);
    let name = me["name"].as_str().unwrap();
    assert!(text.contains(name), "the signatory {name} in:\n{text}");

    // A second call, left to reach its deadline: decided once the clock passes it.
    let later = new_call(&api, &admin, "Toits verts", 3600);
    let app2 = apply(&api, &gruene, &later, "Toits plantés");
    for state in ["eligible", "in_review", "shortlisted"] {
        assert_eq!(to(&api, &admin, &app2, state).status, 200);
    }
    assert_eq!(to(&api, &admin, &app2, "rejected").status, 409);
    mailbox.advance_clock(2 * 3600);
    // Signed in again: the tokens have expired meanwhile.
    let admin = api.person(ADMIN);
    let r = to(&api, &admin, &app2, "rejected");
    assert_eq!(r.status, 200, "{r:?}");
    // A closed call is not closed again.
    let r = api.send(
        "POST",
        &format!("/api/calls/{later}/close"),
        Some(&admin),
        Some(&json!({ "reason": WHY })),
    );
    assert_eq!(r.status, 409, "{r:?}");
}

#[test]
fn a_withdrawn_application_reopens_as_a_draft_while_the_call_is_open() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let admin = api.person(ADMIN);
    let gruene = api.person(GRUENE);
    let call = new_call(&api, &admin, "Places ombragées", 3600);
    let app = apply(&api, &gruene, &call, "Voiles d'ombrage");
    let path = format!("/api/applications/{app}");
    assert_eq!(
        api.ok("POST", &format!("{path}/withdraw"), &gruene, None)["status"],
        "withdrawn"
    );
    // Only the applicant reopens it.
    let r = api.send("POST", &format!("{path}/reopen"), Some(&admin), None);
    assert!(r.status == 403 || r.status == 404, "{r:?}");
    let reopened = api.ok("POST", &format!("{path}/reopen"), &gruene, None);
    assert_eq!(reopened["status"], "draft");
    let steps: Vec<&str> = reopened["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps.last(), Some(&"draft"), "{steps:?}");
    assert_eq!(
        api.ok("POST", &format!("{path}/submit"), &gruene, Some(&json!({})))["status"],
        "submitted"
    );
    api.ok("POST", &format!("{path}/withdraw"), &gruene, None);
    // Once the call has closed, withdrawing is final.
    mailbox.advance_clock(2 * 3600);
    // Signed in again: the token has expired meanwhile.
    let gruene = api.person(GRUENE);
    let r = api.send("POST", &format!("{path}/reopen"), Some(&gruene), None);
    assert_eq!(r.status, 409, "{r:?}");
}
