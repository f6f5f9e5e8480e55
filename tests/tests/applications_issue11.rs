//! Issue 11 on the applications service, over HTTP through `qmi up` with the root
//! `spin.toml` (gateway, policy, identity, applications, districts): each test
//! builds its own calls, applications and juries through the API, signing in as
//! the demo accounts for their roles, and fails on the code before the fix.
//!
//! - finding 1: a suspended commune's admin can neither draft nor submit its
//!   candidacy, nor create, change, publish, assign, decide or export its calls;
//!   resuming gives it all back;
//! - finding 2: an applicant learns a decision only once decisions are published;
//! - finding 3: reviewers come from the commune's jury, never from an applicant
//!   organisation of the same call;
//! - finding 5: a refused request leaves nothing half-written;
//! - finding 6: input that used to trap the instance is a 422;
//! - finding 10: a call without a commune is a 422, uploads are typed by their
//!   whole content and downloaded as attachments, another commune's unpublished
//!   call is a 404 like a missing one on every call route.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use qmi_tests::http::{Body, Client, Res};
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

const PASSWORD: &str = "applications-issue11-password";
const SAINT_DENIS: &str = "93066";

fn server() -> QmiServer {
    app::serve(&["identity", "applications", "districts"], PASSWORD)
}

/// The fields a problem's `errors` name.
fn fields(r: &Res) -> BTreeSet<String> {
    r.fields().into_iter().collect()
}

/// The shared JSON client (a 5xx fails the test), with this file's shorthands.
struct Api<'a> {
    client: Client<'a>,
}

impl<'a> Api<'a> {
    fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::new(server),
        }
    }

    /// Bytes with an optional content type.
    fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Res {
        self.client.request(
            method,
            path,
            token,
            Body::Bytes(content_type.unwrap_or(""), body),
            &[],
        )
    }

    fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Res {
        match body {
            Some(b) => self.raw(
                method,
                path,
                token,
                Some("application/json"),
                b.to_string().into_bytes(),
            ),
            None => self.raw(method, path, token, None, Vec::new()),
        }
    }

    fn get(&self, path: &str, token: &str) -> Res {
        self.send("GET", path, Some(token), None)
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> Res {
        self.send("POST", path, Some(token), Some(body))
    }

    fn put(&self, path: &str, token: &str, body: &Value) -> Res {
        self.send("PUT", path, Some(token), Some(body))
    }

    /// A 2xx answer's body; panics with the answer otherwise.
    fn ok(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Value {
        let r = self.send(method, path, Some(token), body);
        assert!((200..300).contains(&r.status), "{method} {path}: {r:?}");
        r.body
    }

    fn token(&self, email: &str) -> String {
        let r = self.send(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// The account id behind a token.
    fn account(&self, token: &str) -> String {
        self.ok("GET", "/api/me", token, None)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn refused(r: &Res, status: u16, kind: &str) {
    assert_eq!((r.status, r.problem()), (status, kind), "{r:?}");
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/problem+json")),
        "{r:?}"
    );
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn rfc3339(t: i64) -> String {
    qmi_kit::time::Instant(t).to_string()
}

/// A Saint-Denis call open now, published unless said otherwise.
fn call_body(title: &str, published: bool) -> Value {
    json!({
        "insee": SAINT_DENIS,
        "title": title,
        "description": "Des solutions pour le quartier",
        "themes": ["Climat"],
        "challenges": [],
        "eligibility": { "kinds": [], "countries": [] },
        "opens_at": rfc3339(unix_now() - 3600),
        "closes_at": "2099-12-31T23:59",
        "target_selections": 2,
        "form": [
            { "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 },
            { "id": "budget", "label": "Budget", "kind": "number", "required": true, "min": 0, "max": 100000 },
            { "id": "deck", "label": "Présentation", "kind": "file" }
        ],
        "criteria": [{ "id": "impact", "name": "Impact", "weight": 2 }, { "id": "cost", "name": "Coût", "weight": 1 }],
        "published": published
    })
}

fn answers(pitch: &str) -> Value {
    json!({ "pitch": pitch, "budget": 1000 })
}

/// Creates a call as `admin` and returns its id.
fn new_call(api: &Api, admin: &str, title: &str, published: bool) -> String {
    api.ok(
        "POST",
        "/api/calls",
        admin,
        Some(&call_body(title, published)),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Applies and submits as `partner`; returns the application id.
fn apply(api: &Api, partner: &str, call: &str, title: &str) -> String {
    let a = api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        partner,
        Some(&json!({ "title": title, "answers": answers(title), "submit": true })),
    );
    assert_eq!(a["status"], "submitted", "{a}");
    a["id"].as_str().unwrap().to_owned()
}

/// Finding 2: until the call's decisions are published, the applicant sees a
/// decided application as "under review" (the step before the decision), without
/// the decision's reason or its history entry — reading it, listing it, and in
/// the refusal of a withdrawal; whoever runs the call sees everything.
#[test]
fn decisions_stay_private_until_published() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let agent = api.token("agent.saint-denis@qmi.example");
    let partner = api.token("partner@gruene-wege.example");
    let call = new_call(&api, &admin, "Décisions privées", true);
    let id = apply(&api, &partner, &call, "Cours ombragées");
    for to in ["eligible", "in_review"] {
        api.ok(
            "POST",
            &format!("/api/applications/{id}/transitions"),
            &admin,
            Some(&json!({ "to": to })),
        );
    }
    // Decisions follow the call's close (issue 13): closed early, with its reason.
    api.ok(
        "POST",
        &format!("/api/calls/{call}/close"),
        &admin,
        Some(&json!({ "reason": "Toutes les candidatures sont là" })),
    );
    const REASON: &str = "Budget hors de portée du quartier";
    let decided = api.ok(
        "POST",
        &format!("/api/applications/{id}/transitions"),
        &admin,
        Some(&json!({ "to": "rejected", "reason": REASON })),
    );
    assert_eq!(decided["status"], "rejected");

    // The applicant: under review, no reason, no decision in the history.
    let seen = api.ok("GET", &format!("/api/applications/{id}"), &partner, None);
    assert_eq!(seen["status"], "in_review", "{seen}");
    assert!(seen["reason"].is_null(), "{seen}");
    let steps: Vec<&str> = seen["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["draft", "submitted", "eligible", "in_review"]);
    let text = seen.to_string();
    assert!(
        !text.contains("rejected") && !text.contains(REASON),
        "{seen}"
    );
    let listed = api.ok("GET", "/api/applications?limit=500", &partner, None);
    let item = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["status"], "in_review", "{item}");
    assert!(
        !item.to_string().contains("rejected") && !item.to_string().contains(REASON),
        "{item}"
    );
    let w = api.post(
        &format!("/api/applications/{id}/withdraw"),
        &partner,
        &json!({}),
    );
    refused(&w, 409, "conflict");
    assert!(
        !w.text.contains("rejected") && !w.text.contains(REASON),
        "{w:?}"
    );
    // Neither do the other refusals name it.
    for r in [
        api.post(
            &format!("/api/applications/{id}/submit"),
            &partner,
            &json!({}),
        ),
        api.put(
            &format!("/api/applications/{id}"),
            &partner,
            &json!({ "title": "x", "answers": {} }),
        ),
    ] {
        assert_eq!(r.status, 409, "{r:?}");
        assert!(
            !r.text.contains("rejected") && !r.text.contains(REASON),
            "{r:?}"
        );
    }
    refused(
        &api.get(&format!("/api/applications/{id}/letter"), &partner),
        404,
        "not-found",
    );

    // Whoever runs the call and the commune's staff see the decision.
    for token in [&admin, &agent] {
        let full = api.ok("GET", &format!("/api/applications/{id}"), token, None);
        assert_eq!(
            (full["status"].as_str(), full["reason"].as_str()),
            (Some("rejected"), Some(REASON)),
            "{full}"
        );
        assert_eq!(
            full["history"].as_array().unwrap().last().unwrap()["status"],
            "rejected"
        );
    }

    // Published: the applicant sees it all.
    api.ok(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        &admin,
        None,
    );
    let seen = api.ok("GET", &format!("/api/applications/{id}"), &partner, None);
    assert_eq!(
        (seen["status"].as_str(), seen["reason"].as_str()),
        (Some("rejected"), Some(REASON)),
        "{seen}"
    );
    assert_eq!(
        seen["history"].as_array().unwrap().last().unwrap()["status"],
        "rejected"
    );
    let listed = api.ok("GET", "/api/applications?limit=500", &partner, None);
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.as_str() && a["status"] == "rejected"),
        "{listed}"
    );
    let w = api.post(
        &format!("/api/applications/{id}/withdraw"),
        &partner,
        &json!({}),
    );
    assert!(w.status == 409 && w.text.contains("rejected"), "{w:?}");
}

/// Finding 3: reviewers are the commune's jury members (identity asked): another
/// commune's reviewer, a commune agent or an unknown account is a 422 naming
/// the reviewer, by hand or automatically, and nothing is assigned.
#[test]
fn reviewers_come_from_the_communes_jury() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let gruene = api.token("partner@gruene-wege.example");
    let juror = api.token("reviewer.saint-denis@qmi.example");
    let juror_id = api.account(&juror);
    let agent_id = api.account(&api.token("agent.saint-denis@qmi.example"));
    let outsider = api.token("reviewer.montreuil@qmi.example");
    let outsider_id = api.account(&outsider);
    let call = new_call(&api, &admin, "Jurys", true);
    let app = apply(&api, &gruene, &call, "Cours vertes");
    let path = format!("/api/calls/{call}/assignments");

    for (who, reviewers) in [
        ("outsider", json!([juror_id, outsider_id])),
        ("agent", json!([juror_id, agent_id])),
        (
            "unknown",
            json!([juror_id, "01900000-0000-7000-8000-0000deadbeef"]),
        ),
    ] {
        let r = api.post(
            &path,
            &admin,
            &json!({ "reviewers": reviewers, "applications": [app] }),
        );
        refused(&r, 422, "validation");
        assert_eq!(
            fields(&r),
            BTreeSet::from(["reviewers[1]".to_owned()]),
            "{who}: {r:?}"
        );
        let r = api.post(
            &path,
            &admin,
            &json!({ "reviewers": reviewers, "per_application": 1 }),
        );
        refused(&r, 422, "validation");
        assert_eq!(
            fields(&r),
            BTreeSet::from(["reviewers[1]".to_owned()]),
            "{who}, automatically: {r:?}"
        );
    }
    assert_eq!(
        api.ok("GET", &path, &admin, None),
        json!([]),
        "a refused request assigned nobody"
    );
    // The outsider was given nothing to read.
    refused(
        &api.get(&format!("/api/applications/{app}"), &outsider),
        404,
        "not-found",
    );
    // The jury is assigned, and scores.
    let assigned = api.ok(
        "POST",
        &path,
        &admin,
        Some(&json!({ "reviewers": [juror_id], "applications": [app] })),
    );
    assert_eq!(assigned.as_array().unwrap().len(), 1, "{assigned}");
    api.ok("PUT", &format!("/api/applications/{app}/review"), &juror, Some(&json!({ "scores": [{ "criterion": "impact", "score": 4 }, { "criterion": "cost", "score": 3 }] })));
}

/// Finding 3: a jury member whose organisation applied to the same call is
/// given no other applicant's file — by hand a 422 naming them with the reason,
/// automatically skipped and recorded as a conflict by organisation (visible in
/// the assignments, granting nothing).
#[test]
fn a_competing_applicant_reviews_nothing_of_the_call() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let solaire = api.token("partner@solaire-urbain.example");
    let gruene = api.token("partner@gruene-wege.example");
    let juror = api.token("reviewer.saint-denis@qmi.example");
    let juror_id = api.account(&juror);
    // Solaire's CTO joins Saint-Denis's jury (an invitation, accepted with the
    // account's password).
    qmi_tests::invite::to_commune(
        &server,
        &admin,
        SAINT_DENIS,
        "cto@solaire-urbain.example",
        "reviewer",
        None,
        PASSWORD,
    );
    let cto = api.token("cto@solaire-urbain.example");
    let cto_id = api.account(&cto);
    let call = new_call(&api, &admin, "Jurys et candidats", true);
    let solaire_app = apply(&api, &solaire, &call, "Toits solaires");
    let gruene_app = apply(&api, &gruene, &call, "Cours vertes");
    let path = format!("/api/calls/{call}/assignments");

    // By hand: refused, by name and reason.
    let r = api.post(
        &path,
        &admin,
        &json!({ "reviewers": [juror_id, cto_id], "applications": [gruene_app] }),
    );
    refused(&r, 422, "validation");
    assert_eq!(
        fields(&r),
        BTreeSet::from(["reviewers[1]".to_owned()]),
        "{r:?}"
    );
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("conflict of interest: organisation") && message.contains("Solaire"),
        "{message}"
    );
    assert_eq!(
        api.ok("GET", &path, &admin, None),
        json!([]),
        "a refused request assigned nobody"
    );

    // Automatically: skipped, and the exclusion recorded on both files.
    let assigned = api.ok(
        "POST",
        &path,
        &admin,
        Some(&json!({ "reviewers": [cto_id, juror_id], "per_application": 1 })),
    );
    let rows = assigned.as_array().unwrap();
    let active: BTreeSet<(&str, &str)> = rows
        .iter()
        .filter(|a| a["conflict"] == false)
        .map(|a| {
            (
                a["application"].as_str().unwrap(),
                a["reviewer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        active,
        BTreeSet::from([
            (solaire_app.as_str(), juror_id.as_str()),
            (gruene_app.as_str(), juror_id.as_str())
        ]),
        "{assigned}"
    );
    let excluded: BTreeSet<&str> = rows
        .iter()
        .filter(|a| a["reviewer"] == cto_id.as_str())
        .map(|a| {
            assert_eq!(a["conflict"], true, "{a}");
            a["application"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        excluded,
        BTreeSet::from([solaire_app.as_str(), gruene_app.as_str()]),
        "{assigned}"
    );
    // A recorded exclusion grants nothing: the CTO neither sees nor scores the other file.
    refused(
        &api.get(&format!("/api/applications/{gruene_app}"), &cto),
        404,
        "not-found",
    );
    refused(
        &api.put(
            &format!("/api/applications/{gruene_app}/review"),
            &cto,
            &json!({ "scores": [] }),
        ),
        404,
        "not-found",
    );
    assert!(
        api.ok("GET", "/api/reviews", &cto, None)
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["application"] != gruene_app.as_str()
                && a["application"] != solaire_app.as_str())
    );
}

/// Finding 5: a request that fails leaves nothing behind — an application
/// created and submitted at once is not left as a draft when the submission is
/// refused, a save-and-submit keeps the answers it had, a review sheet is stored
/// whole or not at all.
#[test]
fn a_refused_request_writes_nothing() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let partner = api.token("partner@gruene-wege.example");
    let call = new_call(&api, &admin, "Tout ou rien", true);
    let create = format!("/api/calls/{call}/applications");
    let mine = |api: &Api| -> Vec<Value> {
        api.ok("GET", "/api/applications?limit=500", &partner, None)["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["call_id"] == call.as_str())
            .cloned()
            .collect()
    };

    // Created and submitted in one request, the pitch missing: 422, and no draft.
    let r = api.raw(
        "POST",
        &create,
        Some(&partner),
        Some("application/json"),
        json!({ "title": "Sans pitch", "answers": { "budget": 10 }, "submit": true })
            .to_string()
            .into_bytes(),
    );
    refused(&r, 422, "validation");
    assert_eq!(
        fields(&r),
        BTreeSet::from(["answers.pitch".to_owned()]),
        "{r:?}"
    );
    assert!(
        mine(&api).is_empty(),
        "a refused submission left a draft: {:?}",
        mine(&api)
    );

    // A draft, then a save-and-submit that cannot submit: the draft keeps its answers.
    let draft = api.ok("POST", &create, &partner, Some(&json!({ "title": "Brouillon", "answers": { "pitch": "Première version", "budget": 10 } })));
    let id = draft["id"].as_str().unwrap().to_owned();
    let r = api.put(
        &format!("/api/applications/{id}"),
        &partner,
        &json!({ "title": "Brouillon", "answers": { "budget": 20 }, "submit": true }),
    );
    refused(&r, 422, "validation");
    let kept = api.ok("GET", &format!("/api/applications/{id}"), &partner, None);
    assert_eq!(
        (kept["status"].as_str(), &kept["answers"]),
        (
            Some("draft"),
            &json!({ "pitch": "Première version", "budget": 10 })
        ),
        "{kept}"
    );
    assert_eq!(mine(&api).len(), 1);

    // A review sheet with one bad line stores none of its lines.
    let juror = api.token("reviewer.saint-denis@qmi.example");
    let juror_id = api.account(&juror);
    let id = apply(&api, &partner, &call, "Évaluée");
    api.ok(
        "POST",
        &format!("/api/calls/{call}/assignments"),
        &admin,
        Some(&json!({ "reviewers": [juror_id], "applications": [id] })),
    );
    let review = format!("/api/applications/{id}/review");
    for bad in [
        json!([{ "criterion": "impact", "score": 4 }, { "criterion": "nope", "score": 1 }]),
        json!([{ "criterion": "impact", "score": 4 }, { "criterion": "impact", "score": 1 }]),
    ] {
        refused(
            &api.put(&review, &juror, &json!({ "scores": bad })),
            422,
            "validation",
        );
    }
    let reviews = api.ok(
        "GET",
        &format!("/api/applications/{id}/reviews"),
        &admin,
        None,
    );
    assert_eq!(reviews, json!([]), "{reviews}");
}

/// Finding 6: an offset with a multi-byte character used to slice inside it and
/// trap the instance (a 500 for the caller, and for every request it served).
#[test]
fn a_malformed_date_is_a_422_not_a_trap() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    for bad in ["2026-06-30T12:00+0é00", "2026-06-30T12:00+é:00"] {
        let mut body = call_body("Dates", false);
        body["opens_at"] = json!(bad);
        let r = api.post("/api/calls", &admin, &body);
        refused(&r, 422, "validation");
        assert_eq!(
            fields(&r),
            BTreeSet::from(["opens_at".to_owned()]),
            "{bad}: {r:?}"
        );
    }
    // The instance still serves.
    api.ok(
        "POST",
        "/api/calls",
        &admin,
        Some(&call_body("Dates", false)),
    );
}

/// Finding 10: a call without its commune is a 422 naming `insee`, never a 500.
#[test]
fn a_call_without_a_commune_is_a_422() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let programme = api.token("programme@qmi.example");
    for token in [&admin, &programme] {
        let mut without = call_body("Sans commune", false);
        without.as_object_mut().unwrap().remove("insee");
        let mut null = call_body("Commune nulle", false);
        null["insee"] = Value::Null;
        let mut empty = null.clone();
        empty["districts"] = json!([]);
        for body in [without, null, empty] {
            let r = api.post("/api/calls", token, &body);
            refused(&r, 422, "validation");
            assert_eq!(fields(&r), BTreeSet::from(["insee".to_owned()]), "{r:?}");
        }
    }
}

/// A 1×1 PNG, whole.
fn png() -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    for (kind, data) in [
        (&b"IHDR"[..], &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0][..]),
        (
            b"IDAT",
            &[0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
        ),
        (b"IEND", &[]),
    ] {
        out.extend((data.len() as u32).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend(data);
        out.extend(&typed);
        out.extend(crc32(&typed).to_be_bytes());
    }
    out
}

/// Finding 10: an upload is a PDF, PNG or JPEG from its first byte to its last
/// and carries no markup; a download is an attachment the browser may not re-type.
#[test]
fn uploads_are_typed_by_their_whole_content_and_downloaded_as_attachments() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let partner = api.token("partner@gruene-wege.example");
    let call = new_call(&api, &admin, "Pièces jointes", true);
    let draft = api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        &partner,
        Some(&json!({ "title": "Avec fichiers", "answers": {} })),
    );
    let upload = format!(
        "/api/applications/{}/attachments",
        draft["id"].as_str().unwrap()
    );

    let mut jpeg_then_html = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    jpeg_then_html.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    jpeg_then_html.extend(b"<html><body><script>alert(document.cookie)</script></body></html>");
    let mut png_then_html = png();
    png_then_html.extend(b"<script>alert(1)</script>");
    let cases: [(&str, Vec<u8>); 5] = [
        ("a JPEG header followed by HTML", jpeg_then_html),
        ("a whole PNG followed by a script", png_then_html),
        (
            "a PDF that never ends",
            b"%PDF-1.4\n1 0 obj<<>>endobj\n".to_vec(),
        ),
        (
            "a PDF carrying HTML",
            b"%PDF-1.4\n<html><body onload=alert(1)>\n%%EOF\n".to_vec(),
        ),
        ("HTML", b"<!doctype html><html></html>".to_vec()),
    ];
    for (what, bytes) in cases {
        let r = api.raw("POST", &upload, Some(&partner), Some("image/jpeg"), bytes);
        refused(&r, 415, "unsupported-media-type");
        assert!(fields(&r).contains("body"), "{what}: {r:?}");
    }
    for (bytes, content_type, ext) in [
        (png(), "image/png", "png"),
        (
            b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
            "application/pdf",
            "pdf",
        ),
    ] {
        let stored = api.raw(
            "POST",
            &upload,
            Some(&partner),
            Some("application/octet-stream"),
            bytes.clone(),
        );
        assert_eq!(
            (stored.status, stored.body["content_type"].as_str()),
            (201, Some(content_type)),
            "{stored:?}"
        );
        let att = stored.body["id"].as_str().unwrap();
        let got = api.get(&format!("{upload}/{att}"), &partner);
        assert_eq!((got.status, &got.bytes), (200, &bytes), "{got:?}");
        assert_eq!(got.header("content-type"), Some(content_type));
        assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            got.header("content-disposition"),
            Some(format!("attachment; filename=\"{att}.{ext}\"").as_str())
        );
    }
    // Exports too.
    for export in ["export.csv", "export.xlsx"] {
        let got = api.get(&format!("/api/calls/{call}/{export}"), &admin);
        assert_eq!(got.status, 200, "{got:?}");
        assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
        assert!(
            got.header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment; filename=")),
            "{:?}",
            got.headers
        );
    }
}

/// Finding 10: another commune's unpublished call is answered on every call
/// route exactly as a call that does not exist (no existence oracle).
#[test]
fn another_communes_unpublished_call_looks_missing_on_every_route() {
    let server = server();
    let api = Api::new(&server);
    let admin = api.token("admin.saint-denis@qmi.example");
    let strangers = [
        api.token("admin.montreuil@qmi.example"),
        api.token("partner@gruene-wege.example"),
        api.token("reviewer.saint-denis@qmi.example"),
    ];
    let hidden = new_call(&api, &admin, "Pas encore publié", false);
    let missing = "01900000-0000-7000-8000-00000000dead";
    let body = call_body("x", false);
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", String::new(), None),
        ("PUT", String::new(), Some(body)),
        ("POST", "/publish".into(), Some(json!({}))),
        (
            "POST",
            "/applications".into(),
            Some(json!({ "title": "x", "answers": {} })),
        ),
        ("GET", "/applications".into(), None),
        (
            "POST",
            "/assignments".into(),
            Some(json!({ "reviewers": ["x"], "per_application": 1 })),
        ),
        ("GET", "/assignments".into(), None),
        ("GET", "/ranking".into(), None),
        ("POST", "/decisions/publish".into(), Some(json!({}))),
        ("GET", "/export.csv".into(), None),
        ("GET", "/export.xlsx".into(), None),
    ];
    for token in &strangers {
        for (method, tail, body) in &routes {
            let of_hidden = api.send(
                method,
                &format!("/api/calls/{hidden}{tail}"),
                Some(token),
                body.as_ref(),
            );
            let of_missing = api.send(
                method,
                &format!("/api/calls/{missing}{tail}"),
                Some(token),
                body.as_ref(),
            );
            assert_eq!(
                (of_hidden.status, of_hidden.problem()),
                (404, "not-found"),
                "{method} {tail}: {of_hidden:?}"
            );
            assert_eq!(
                (of_hidden.status, of_hidden.problem()),
                (of_missing.status, of_missing.problem()),
                "{method} {tail}"
            );
        }
    }
    // Its own commune's admin still runs it.
    api.ok(
        "POST",
        &format!("/api/calls/{hidden}/publish"),
        &admin,
        None,
    );
}

/// Finding 1: a suspended commune's admin can neither draft nor submit its
/// candidacy, nor create, change, publish, assign, decide or export its calls
/// (403 `tenant-suspended`, with the token issued before the suspension); the
/// programme still can; resuming gives it back.
#[test]
fn a_suspended_communes_admin_is_refused_on_every_candidacy_and_call_route() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let programme = api.token("programme@qmi.example");
    let admin = api.token("admin.saint-denis@qmi.example");
    let partner = api.token("partner@gruene-wege.example");
    let juror_id = api.account(&api.token("reviewer.saint-denis@qmi.example"));

    let campaign = api.ok(
        "POST",
        "/api/campaigns",
        &programme,
        Some(&json!({ "title": "AMI suspendu", "text": "x", "opens_at": rfc3339(unix_now() - 60), "closes_at": "2099-01-31T18:00", "published": true, "questions": [] })),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let candidacy = format!("/api/campaigns/{campaign}/candidacies/{SAINT_DENIS}");
    let polygon = json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.35,48.94],[2.35,48.93]]]});
    let cand = json!({ "district_name": "Pleyel", "perimeter": polygon, "challenges": [], "partners": [], "means": "2 agents", "answers": {} });
    let call = new_call(&api, &admin, "Appel suspendu", true);
    let unpublished = new_call(&api, &admin, "Brouillon suspendu", false);
    let app = apply(&api, &partner, &call, "Candidature suspendue");
    let call_change = call_body("Appel suspendu, modifié", true);

    // Each route the admin uses, and what it should answer once the commune is back.
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("PUT", candidacy.clone(), Some(cand.clone())),
        ("POST", format!("{candidacy}/submit"), None),
        ("GET", format!("/api/candidacies/{SAINT_DENIS}"), None),
        (
            "POST",
            "/api/calls".into(),
            Some(call_body("Nouvel appel", false)),
        ),
        ("PUT", format!("/api/calls/{call}"), Some(call_change)),
        ("POST", format!("/api/calls/{unpublished}/publish"), None),
        (
            "POST",
            format!("/api/calls/{call}/assignments"),
            Some(json!({ "reviewers": [juror_id], "applications": [app] })),
        ),
        ("GET", format!("/api/calls/{call}/assignments"), None),
        ("GET", format!("/api/calls/{call}/applications"), None),
        ("GET", format!("/api/calls/{call}/ranking"), None),
        (
            "POST",
            format!("/api/applications/{app}/transitions"),
            Some(json!({ "to": "eligible" })),
        ),
        (
            "POST",
            format!("/api/calls/{call}/close"),
            Some(json!({ "reason": "Décider sans attendre" })),
        ),
        ("POST", format!("/api/calls/{call}/decisions/publish"), None),
        ("GET", format!("/api/calls/{call}/export.csv"), None),
        ("GET", format!("/api/calls/{call}/export.xlsx"), None),
    ];

    let suspended = api.send(
        "POST",
        &format!("/api/admin/communes/{SAINT_DENIS}/suspend"),
        Some(&hosting),
        Some(&json!({ "reason": "test" })),
    );
    assert_eq!(suspended.status, 200, "{suspended:?}");
    for (method, path, body) in &routes {
        let r = api.send(method, path, Some(&admin), body.as_ref());
        refused(&r, 403, "tenant-suspended");
        let _ = path;
    }
    // Nothing was done meanwhile.
    assert_eq!(
        api.ok("GET", &format!("/api/applications/{app}"), &programme, None)["status"],
        "submitted"
    );
    assert_eq!(
        api.ok(
            "GET",
            &format!("/api/calls/{call}/assignments"),
            &programme,
            None
        ),
        json!([])
    );
    assert_eq!(
        api.ok(
            "GET",
            &format!("/api/candidacies/{SAINT_DENIS}"),
            &programme,
            None
        )["items"],
        json!([])
    );
    // The programme still runs the commune's calls.
    api.ok(
        "GET",
        &format!("/api/calls/{call}/applications"),
        &programme,
        None,
    );

    let resumed = api.send(
        "POST",
        &format!("/api/admin/communes/{SAINT_DENIS}/resume"),
        Some(&hosting),
        None,
    );
    assert_eq!(resumed.status, 200, "{resumed:?}");
    let admin = api.token("admin.saint-denis@qmi.example");
    for (method, path, body) in &routes {
        let r = api.send(method, path, Some(&admin), body.as_ref());
        assert!(
            (200..300).contains(&r.status),
            "after resuming, {method} {path}: {r:?}"
        );
    }
}
