//! The jury's work over HTTP (issue 13, findings 3, 9 and 12): a declared
//! conflict of interest needs a reason, kept and shown to the commune, and the
//! recused reviewer's answer carries it; the exports carry every reviewer's
//! score and comment per criterion, with a CSV French Excel opens as columns;
//! asking for more reviews per application than the jury can give says so.

use std::time::{SystemTime, UNIX_EPOCH};

use qmi_tests::http::{Client, Res};
use qmi_tests::{QmiServer, app, invite};
use serde_json::{Value, json};

const PW: &str = "jury-tests-password";
const ADMIN: &str = "admin.saint-denis@qmi.example";

fn server() -> QmiServer {
    app::serve(&["identity", "applications", "districts"], PW)
}

fn send(server: &QmiServer, method: &str, path: &str, token: &str, body: Option<&Value>) -> Res {
    Client::new(server).send(method, path, Some(token), body)
}

fn ok(server: &QmiServer, method: &str, path: &str, token: &str, body: Option<&Value>) -> Res {
    let r = send(server, method, path, token, body);
    assert!(
        (200..300).contains(&r.status),
        "{method} {path}: {} {}",
        r.status,
        r.text
    );
    r
}

fn token(server: &QmiServer, email: &str) -> String {
    let r = Client::new(server).post(
        "/api/auth/token",
        None,
        &json!({ "email": email, "password": PW }),
    );
    r.body["access_token"].as_str().expect("a token").to_owned()
}

/// An open call of Saint-Denis with two criteria (impact ×3, faisabilité ×1).
fn open_call(server: &QmiServer, admin: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let opens = qmi_kit::time::Instant((now - 3600) as i64).to_string();
    let call = ok(
        server,
        "POST",
        "/api/calls",
        admin,
        Some(&json!({
            "insee": "93066",
            "title": "Jury à l'œuvre",
            "description": "Un appel pour lire le travail du jury",
            "themes": ["Climat"],
            "challenges": ["Réduire la chaleur urbaine"],
            "eligibility": { "kinds": ["startup", "association", "sme"], "countries": [] },
            "opens_at": opens,
            "closes_at": "2099-01-31T18:00",
            "target_selections": 1,
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 }],
            "criteria": [
                { "id": "impact", "name": "Impact", "weight": 3 },
                { "id": "faisabilite", "name": "Faisabilité", "weight": 1 }
            ],
            "published": true
        })),
    );
    call.body["id"].as_str().expect("call id").to_owned()
}

/// An application of `email`'s organisation to `call`, brought to review.
fn in_review(server: &QmiServer, admin: &str, call: &str, email: &str, title: &str) -> String {
    let app = ok(
        server,
        "POST",
        &format!("/api/calls/{call}/applications"),
        &token(server, email),
        Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
    );
    let id = app.body["id"].as_str().expect("application id").to_owned();
    for to in ["eligible", "in_review"] {
        ok(
            server,
            "POST",
            &format!("/api/applications/{id}/transitions"),
            admin,
            Some(&json!({ "to": to })),
        );
    }
    id
}

/// A reviewer of Saint-Denis invited by its admin: (account id, token).
fn reviewer(server: &QmiServer, admin: &str, email: &str, name: &str) -> (String, String) {
    let joined = invite::to_commune(server, admin, "93066", email, "reviewer", Some(name), PW);
    (
        joined.account_id,
        joined.access_token.expect("the invitation was accepted"),
    )
}

#[test]
fn a_declared_conflict_gives_its_reason_and_the_recused_reviewer_reads_it() {
    let server = server();
    let admin = token(&server, ADMIN);
    let call = open_call(&server, &admin);
    let app = in_review(
        &server,
        &admin,
        &call,
        "partner@solaire-urbain.example",
        "Cours Oasis",
    );
    let (juror, juror_token) =
        reviewer(&server, &admin, "juror.conflict@example.org", "Jules Juré");
    ok(
        &server,
        "POST",
        &format!("/api/calls/{call}/assignments"),
        &admin,
        Some(&json!({ "reviewers": [juror], "per_application": 1 })),
    );
    let conflict = format!("/api/applications/{app}/conflict");
    // No reason, or a blank one: refused, naming the field; nothing changes.
    for body in [json!({}), json!({ "reason": "   " })] {
        let r = send(&server, "POST", &conflict, &juror_token, Some(&body));
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["errors"][0]["field"], "reason", "{}", r.text);
    }
    let still = ok(
        &server,
        "GET",
        &format!("/api/applications/{app}"),
        &juror_token,
        None,
    );
    assert_eq!(
        still.body["call_id"],
        call.as_str(),
        "still assigned: {}",
        still.text
    );
    // With a reason: recused, the reason kept.
    let r = ok(
        &server,
        "POST",
        &conflict,
        &juror_token,
        Some(&json!({ "reason": "Ancien associé du porteur" })),
    );
    assert_eq!(r.body["recused"], true, "{}", r.text);
    assert_eq!(
        r.body["conflict_reason"], "Ancien associé du porteur",
        "{}",
        r.text
    );
    // Reopened, the application answers its title, the recusal and its reason.
    let title = ok(
        &server,
        "GET",
        &format!("/api/applications/{app}"),
        &juror_token,
        None,
    );
    assert_eq!(title.body["recused"], true, "{}", title.text);
    assert_eq!(
        title.body["conflict_reason"], "Ancien associé du porteur",
        "{}",
        title.text
    );
    assert!(title.body.get("answers").is_none(), "{}", title.text);
    // The commune reads who recused themselves and why.
    let given = ok(
        &server,
        "GET",
        &format!("/api/calls/{call}/assignments"),
        &admin,
        None,
    );
    let mine = given
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["reviewer"] == juror.as_str())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(mine["conflict"], true, "{}", given.text);
    assert_eq!(
        mine["conflict_reason"], "Ancien associé du porteur",
        "{}",
        given.text
    );
}

#[test]
fn the_exports_carry_each_reviewers_scores_and_comments() {
    let server = server();
    let admin = token(&server, ADMIN);
    let call = open_call(&server, &admin);
    let app = in_review(
        &server,
        &admin,
        &call,
        "partner@solaire-urbain.example",
        "Cours Oasis",
    );
    let (juror, juror_token) =
        reviewer(&server, &admin, "juror.export@example.org", "Jeanne Jurée");
    ok(
        &server,
        "POST",
        &format!("/api/calls/{call}/assignments"),
        &admin,
        Some(&json!({ "reviewers": [juror], "per_application": 1 })),
    );
    ok(
        &server,
        "PUT",
        &format!("/api/applications/{app}/review"),
        &juror_token,
        Some(&json!({ "scores": [
            { "criterion": "impact", "score": 5, "comment": "Fort effet sur la chaleur" },
            { "criterion": "faisabilite", "score": 3, "comment": "Budget serré; à suivre" }
        ] })),
    );
    // The CSV: a header per reviewer and criterion, the reviewer named, their
    // scores, comments and weighted total ((3 × 5 + 1 × 3) / 4 = 4.5).
    let csv = ok(
        &server,
        "GET",
        &format!("/api/calls/{call}/export.csv"),
        &admin,
        None,
    );
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    for col in [
        "reviewer_1",
        "reviewer_1_impact_score",
        "reviewer_1_impact_comment",
        "reviewer_1_faisabilite_score",
        "reviewer_1_faisabilite_comment",
        "reviewer_1_total",
    ] {
        assert!(header.contains(&col), "no {col} in {}", lines[0]);
    }
    let row = lines
        .iter()
        .find(|l| l.starts_with(&app))
        .expect("the application's row");
    assert!(row.contains("Jeanne Jurée"), "{row}");
    assert!(
        row.contains(",5,Fort effet sur la chaleur,3,Budget serré; à suivre,4.5"),
        "{row}"
    );
    // For French Excel: `;` between fields, decimal commas, a `;` in text quoted.
    let fr = ok(
        &server,
        "GET",
        &format!("/api/calls/{call}/export.csv?separator=semicolon"),
        &admin,
        None,
    );
    let fr_lines: Vec<&str> = fr.text.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        fr_lines[0].starts_with("id;title;organisation;"),
        "{}",
        fr_lines[0]
    );
    let fr_row = fr_lines
        .iter()
        .find(|l| l.starts_with(&app))
        .expect("the row");
    assert!(
        fr_row.contains(";5;Fort effet sur la chaleur;3;\"Budget serré; à suivre\";4,5"),
        "{fr_row}"
    );
    let bad = send(
        &server,
        "GET",
        &format!("/api/calls/{call}/export.csv?separator=tab"),
        &admin,
        None,
    );
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(bad.body["errors"][0]["field"], "separator", "{}", bad.text);
    // The workbook too.
    let xlsx = ok(
        &server,
        "GET",
        &format!("/api/calls/{call}/export.xlsx"),
        &admin,
        None,
    );
    let raw = String::from_utf8_lossy(&xlsx.bytes);
    assert!(
        raw.contains("reviewer_1_impact_comment"),
        "no reviews' columns in the workbook"
    );
    assert!(
        raw.contains("Fort effet sur la chaleur"),
        "no comment in the workbook"
    );
    // And the application's reviews, for its page.
    let reviews = ok(
        &server,
        "GET",
        &format!("/api/applications/{app}/reviews"),
        &admin,
        None,
    );
    assert_eq!(
        reviews.body[0]["scores"][0]["comment"], "Budget serré; à suivre",
        "{}",
        reviews.text
    );
}

#[test]
fn a_jury_too_small_for_the_reviews_asked_is_said() {
    let server = server();
    let admin = token(&server, ADMIN);
    let call = open_call(&server, &admin);
    let first = in_review(
        &server,
        &admin,
        &call,
        "partner@solaire-urbain.example",
        "Cours Oasis",
    );
    let (juror, _) = reviewer(&server, &admin, "juror.alone@example.org", "Julie Seule");
    let path = format!("/api/calls/{call}/assignments");
    let r = ok(
        &server,
        "POST",
        &path,
        &admin,
        Some(&json!({ "reviewers": [juror], "per_application": 2 })),
    );
    // The answer is the call's assignments, as ever: one each.
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{}", r.text);
    let short = r
        .headers
        .get("qmi-shortfall")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no QMI-Shortfall header: {:?}", r.headers));
    assert!(
        short.starts_with("1 of 1 applications have fewer than 2 reviews"),
        "{short}"
    );
    assert!(short.ends_with(&format!("{first}=1")), "{short}");
    // Asking for what the jury can give: no warning.
    let r = ok(
        &server,
        "POST",
        &path,
        &admin,
        Some(&json!({ "reviewers": [juror], "per_application": 1 })),
    );
    assert!(r.headers.get("qmi-shortfall").is_none(), "{:?}", r.headers);
}
