//! Issue 12, item 5 on the applications side, over HTTP through `qmi up` (identity,
//! applications, notifications; the development mailbox; the manual clock): what
//! people are told when they apply, review, are decided on, or hold a draft to a
//! call about to close.
//!
//! - a submitted application gives one receipt e-mail with a copy of the answers
//!   (files by their download name); a refused submission gives none (the outbox
//!   row is written in the submission's transaction);
//! - an assignment e-mails the reviewer a link to the application to score;
//! - publishing the decisions e-mails each applicant its letter, once;
//! - a person who turned `decisions` off gets the notice in the app, no e-mail;
//! - 72 hours before a call closes, the organisation holding a draft is reminded
//!   once, whichever sweep runs (after requests, or the operator's route).
//!
//! People are the demo accounts (signed in by e-mail); each tells the
//! notifications directory who they are by saving their language (`PATCH /api/me`).

use std::ops::Deref;

use qmi_tests::http::{Body, Client};
use qmi_tests::mailbox::{Mail, Mailbox, path_of};
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

const PASSWORD: &str = "application-notices-password";
const SAINT_DENIS: &str = "93066";
const ADMIN: &str = "admin.saint-denis@qmi.example";
const REVIEWER: &str = "reviewer.saint-denis@qmi.example";
const GRUENE: &str = "partner@gruene-wege.example";
const SOLAIRE: &str = "partner@solaire-urbain.example";
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

    /// A 2xx answer's body; panics with the answer otherwise.
    fn ok(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Value {
        let r = self.send(method, path, Some(token), body);
        assert!((200..300).contains(&r.status), "{method} {path}: {r:?}");
        r.body
    }

    /// Signs `email` in, and tells the notifications directory who they are
    /// (saving their language sends identity's profile event).
    fn person(&self, email: &str) -> String {
        let r = self.send(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        let token = r.body["access_token"].as_str().unwrap().to_owned();
        self.ok("PATCH", "/api/me", &token, Some(&json!({ "lang": "fr" })));
        token
    }

    /// The account id behind a token.
    fn account(&self, token: &str) -> String {
        self.ok("GET", "/api/me", token, None)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn rfc3339(t: i64) -> String {
    qmi_kit::time::Instant(t).to_string()
}

/// A published Saint-Denis call open now, closing at `closes_at`.
fn new_call(api: &Api, admin: &str, title: &str, closes_at: &str) -> String {
    let body = json!({
        "insee": SAINT_DENIS,
        "title": title,
        "description": "Des solutions pour le quartier",
        "themes": ["Climat"],
        "challenges": [],
        "eligibility": { "kinds": [], "countries": [] },
        "opens_at": rfc3339(api.now() - 3600),
        "closes_at": closes_at,
        "target_selections": 2,
        "form": [
            { "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 },
            { "id": "budget", "label": "Budget demandé", "kind": "number", "required": true, "min": 0, "max": 100000 },
            { "id": "deck", "label": "Présentation", "kind": "file" }
        ],
        "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
        "published": true
    });
    api.ok("POST", "/api/calls", admin, Some(&body))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The messages to `email` whose subject or text mentions `needle`.
fn mentioning(mailbox: &Mailbox, email: &str, needle: &str) -> Vec<Mail> {
    mailbox
        .messages_to(email)
        .into_iter()
        .filter(|m| m.subject.contains(needle) || m.text.contains(needle))
        .collect()
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// Receipts, assignment, decision letters and the `decisions` preference, on one
/// server: each message is awaited in the mailbox, and counted once later ones
/// (deposited after it) have arrived.
#[test]
fn applicants_and_reviewers_are_told() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let admin = api.person(ADMIN);
    let reviewer = api.person(REVIEWER);
    let reviewer_id = api.account(&reviewer);
    let gruene = api.person(GRUENE);
    let solaire = api.person(SOLAIRE);
    const CALL: &str = "Cours fraîches 2031";
    let call = new_call(&api, &admin, CALL, "2099-12-31T23:59");

    // A refused submission (the budget is over the form's maximum) tells nobody.
    const REFUSED: &str = "Budget hors limites";
    let r = api.send(
        "POST",
        &format!("/api/calls/{call}/applications"),
        Some(&gruene),
        Some(&json!({
            "title": REFUSED,
            "answers": { "pitch": "Trop cher", "budget": 999_999 },
            "submit": true
        })),
    );
    assert_eq!(r.status, 422, "{r:?}");

    // Created and submitted at once: a receipt with the answers in the form's order.
    let a = api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        &gruene,
        Some(&json!({
            "title": "Cours ombragées",
            "answers": { "budget": 4200, "pitch": "Des arbres dans les cours" },
            "submit": true
        })),
    );
    let gruene_app = a["id"].as_str().unwrap().to_owned();
    let receipt = mailbox.wait_for(GRUENE, |m| m.text.contains(CALL));
    for needle in [
        "Cours ombragées",
        "Votre solution",
        "Des arbres dans les cours",
        "Budget demandé",
        "4200",
        "Présentation",
    ] {
        assert!(receipt.text.contains(needle), "{needle}: {}", receipt.text);
    }
    let order: Vec<usize> = ["Votre solution", "Budget demandé", "Présentation"]
        .iter()
        .map(|l| receipt.text.find(l).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", receipt.text);
    assert!(
        receipt
            .urls()
            .iter()
            .any(|u| path_of(u).starts_with("/espace/candidatures")),
        "{}",
        receipt.text
    );

    // A draft with a file, submitted later: the file by its download name.
    let d = api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        &solaire,
        Some(&json!({ "title": "Toits solaires", "answers": { "pitch": "Des panneaux", "budget": 10 } })),
    );
    let solaire_app = d["id"].as_str().unwrap().to_owned();
    let att = api.request(
        "POST",
        &format!("/api/applications/{solaire_app}/attachments"),
        Some(&solaire),
        Body::Bytes("application/pdf", PDF.to_vec()),
        &[],
    );
    assert_eq!(att.status, 201, "{att:?}");
    let att = att.body["id"].as_str().unwrap().to_owned();
    api.ok(
        "PUT",
        &format!("/api/applications/{solaire_app}"),
        &solaire,
        Some(&json!({ "title": "Toits solaires", "answers": { "pitch": "Des panneaux", "budget": 10, "deck": att } })),
    );
    api.ok(
        "POST",
        &format!("/api/applications/{solaire_app}/submit"),
        &solaire,
        Some(&json!({})),
    );
    let receipt = mailbox.wait_for(SOLAIRE, |m| m.text.contains(CALL));
    assert!(
        receipt.text.contains(&format!("{att}.pdf")),
        "{}",
        receipt.text
    );

    // The reviewer is assigned both files: two e-mails, each linking to its file.
    api.ok(
        "POST",
        &format!("/api/calls/{call}/assignments"),
        &admin,
        Some(&json!({ "reviewers": [reviewer_id], "applications": [gruene_app, solaire_app] })),
    );
    for id in [&gruene_app, &solaire_app] {
        let path = format!("/espace/evaluations/{id}");
        let mail = mailbox.wait_for(REVIEWER, |m| {
            m.urls().iter().any(|u| path_of(u) == path.as_str())
        });
        assert!(mail.text.contains(CALL), "{}", mail.text);
    }
    // Assigned again: nothing new is sent (counted below).
    api.ok(
        "POST",
        &format!("/api/calls/{call}/assignments"),
        &admin,
        Some(&json!({ "reviewers": [reviewer_id], "applications": [gruene_app] })),
    );

    // Solaire wants no decision e-mails.
    api.ok(
        "PUT",
        "/api/notifications/preferences",
        &solaire,
        Some(&json!({ "email": ["receipts", "reviews", "deadlines", "memberships"] })),
    );

    // Decisions, then their publication: Grüne Wege selected, Solaire rejected.
    const REASON: &str = "Un projet ancré dans le quartier";
    // Decisions follow the call's close (issue 13): closed early, with its reason.
    api.ok(
        "POST",
        &format!("/api/calls/{call}/close"),
        &admin,
        Some(&json!({ "reason": "Les candidatures attendues sont là" })),
    );
    for (id, last) in [(&gruene_app, "selected"), (&solaire_app, "rejected")] {
        for to in ["eligible", "in_review", "shortlisted", last] {
            api.ok(
                "POST",
                &format!("/api/applications/{id}/transitions"),
                &admin,
                Some(&json!({ "to": to, "reason": REASON })),
            );
        }
    }
    api.ok(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        &admin,
        None,
    );
    let letter_path = format!("/espace/candidatures/{gruene_app}/lettre");
    let decision = mailbox.wait_for(GRUENE, |m| {
        m.urls().iter().any(|u| path_of(u) == letter_path.as_str())
    });
    let letter = api.ok(
        "GET",
        &format!("/api/applications/{gruene_app}/letter"),
        &gruene,
        None,
    );
    for line in letter["text"]
        .as_str()
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        assert!(
            decision.text.contains(line.trim()),
            "{line}: {}",
            decision.text
        );
    }
    // Published twice: no second letter (counted below).
    api.ok(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        &admin,
        None,
    );

    // Solaire has its decision in the app, not by e-mail.
    let notices = loop_until_notice(&api, &solaire, "decision_published");
    assert!(
        notices.iter().any(|n| n["link"]
            .as_str()
            .is_some_and(|l| l.ends_with(&format!("/espace/candidatures/{solaire_app}/lettre")))),
        "{notices:?}"
    );

    // A later message to each, awaited: whatever was deposited before it has arrived.
    const LATER: &str = "Appel suivant 2032";
    let later = new_call(&api, &admin, LATER, "2099-12-31T23:59");
    for (token, email) in [(&gruene, GRUENE), (&solaire, SOLAIRE)] {
        api.ok(
            "POST",
            &format!("/api/calls/{later}/applications"),
            token,
            Some(&json!({ "title": "Encore", "answers": { "pitch": "Oui", "budget": 1 }, "submit": true })),
        );
        mailbox.wait_for(email, |m| m.text.contains(LATER));
    }
    api.ok(
        "POST",
        &format!("/api/calls/{later}/assignments"),
        &admin,
        Some(&json!({ "reviewers": [reviewer_id], "per_application": 1 })),
    );
    mailbox.wait_for(REVIEWER, |m| m.text.contains(LATER));

    let receipts = |email| {
        mentioning(&mailbox, email, CALL)
            .into_iter()
            .filter(|m| m.urls().iter().all(|u| !path_of(u).contains("/lettre")))
            .count()
    };
    assert_eq!(receipts(GRUENE), 1, "one receipt to Grüne Wege");
    assert_eq!(
        receipts(SOLAIRE),
        1,
        "one receipt to Solaire, no decision e-mail"
    );
    assert_eq!(
        mentioning(&mailbox, GRUENE, CALL).len(),
        2,
        "a receipt and a letter to Grüne Wege"
    );
    assert!(
        mailbox
            .messages()
            .iter()
            .all(|m| !m.text.contains(REFUSED) && !m.subject.contains(REFUSED)),
        "a refused submission sent nothing"
    );
    assert_eq!(
        mentioning(&mailbox, REVIEWER, CALL).len(),
        2,
        "one e-mail per assignment"
    );
}

/// The notices of `token` once one of `kind` is there (deposits follow the
/// request that caused them; the mailbox's own wait paces the looks).
fn loop_until_notice(api: &Api, token: &str, kind: &str) -> Vec<Value> {
    for _ in 0..qmi_tests::mailbox::WAIT_ATTEMPTS {
        let page = api.ok("GET", "/api/notifications?limit=100", token, None);
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.iter().any(|n| n["kind"] == kind) {
            return items;
        }
        std::thread::sleep(qmi_tests::mailbox::WAIT_PAUSE);
    }
    panic!("no {kind} notice arrived");
}

/// 72 hours before the deadline the organisation holding a draft is reminded,
/// once: neither the next requests' sweeps nor the operator's route send it
/// again, and a submitted application is not reminded.
#[test]
fn a_draft_is_reminded_once_72_hours_before_the_deadline() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let admin = api.person(ADMIN);
    let gruene = api.person(GRUENE);
    let solaire = api.person(SOLAIRE);
    const CALL: &str = "Rappel avant clôture 2031";
    // The guests' clock stands still (manual clock) until the test moves it.
    let closes = api.now() + 73 * 3600;
    let call = new_call(&api, &admin, CALL, &rfc3339(closes));
    let draft = api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        &gruene,
        Some(&json!({ "title": "Brouillon", "answers": { "pitch": "À finir" } })),
    );
    let draft = draft["id"].as_str().unwrap().to_owned();
    api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        &solaire,
        Some(&json!({ "title": "Déposée", "answers": { "pitch": "Fini", "budget": 5 }, "submit": true })),
    );
    mailbox.wait_for(SOLAIRE, |m| m.text.contains(CALL));
    // Not yet within 72 hours: requests sweep, nobody is reminded.
    api.ok("GET", &format!("/api/calls/{call}"), &gruene, None);
    let programme = api.person(PROGRAMME);
    let run = api.ok("POST", "/api/calls/reminders", &programme, None);
    assert_eq!(run, json!({ "reminded": 0, "pending": 0 }), "{run}");

    // Two hours later the call closes within 72 hours.
    mailbox.advance_clock(2 * 3600);
    let gruene = api.person(GRUENE);
    api.ok("GET", &format!("/api/applications/{draft}"), &gruene, None);
    let reminder = mailbox.wait_for(GRUENE, |m| m.text.contains(CALL));
    assert!(
        reminder
            .urls()
            .iter()
            .any(|u| path_of(u) == format!("/appels/{call}/candidature")),
        "{}",
        reminder.text
    );
    // The next sweeps find nothing due.
    let programme = api.person(PROGRAMME);
    let run = api.ok("POST", "/api/calls/reminders", &programme, None);
    assert_eq!(run, json!({ "reminded": 0, "pending": 0 }), "{run}");
    api.ok("GET", &format!("/api/calls/{call}"), &gruene, None);
    // Only operators run the sweep on demand.
    let r = api.send("POST", "/api/calls/reminders", Some(&gruene), None);
    assert_eq!(r.status, 403, "{r:?}");

    // The draft completed and submitted: its receipt, awaited, follows the reminder,
    // which was sent once.
    api.ok(
        "PUT",
        &format!("/api/applications/{draft}"),
        &gruene,
        Some(&json!({ "title": "Brouillon", "answers": { "pitch": "Fini", "budget": 7 }, "submit": true })),
    );
    mailbox.wait_for(GRUENE, |m| m.text.contains(CALL) && m.text.contains("Fini"));
    let mails = mentioning(&mailbox, GRUENE, CALL);
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.urls().iter().any(|u| path_of(u).starts_with("/appels/")))
            .count(),
        1,
        "{mails:#?}"
    );
    assert!(
        mentioning(&mailbox, SOLAIRE, CALL)
            .iter()
            .all(|m| m.urls().iter().all(|u| !path_of(u).starts_with("/appels/"))),
        "a submitted application is not reminded"
    );
}

/// A commune's candidacy: the admin who submitted it gets its receipt (the
/// district, challenges, partners, means and the campaign's answers) and, once
/// the programme decides, the decision with its letter, once.
#[test]
fn a_communes_candidacy_is_acknowledged_and_decided() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let programme = api.person(PROGRAMME);
    let admin = api.person(ADMIN);
    const CAMPAIGN: &str = "AMI Quartiers 2031";
    let campaign = api.ok(
        "POST",
        "/api/campaigns",
        &programme,
        Some(&json!({ "title": CAMPAIGN, "text": "Accueillez un quartier", "opens_at": rfc3339(api.now() - 60), "closes_at": "2099-01-31T18:00", "published": true,
            "questions": [{ "id": "why", "label": "Pourquoi vous ?", "kind": "long_text", "required": true }] })),
    );
    let cid = campaign["id"].as_str().unwrap();
    let path = format!("/api/campaigns/{cid}/candidacies/{SAINT_DENIS}");
    let polygon = json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.35,48.94],[2.35,48.93]]]});
    api.ok(
        "PUT",
        &path,
        &admin,
        Some(&json!({ "district_name": "Pleyel", "perimeter": polygon, "challenges": [{ "theme": "énergie", "text": "îlots de chaleur" }], "partners": ["Plaine Commune"], "means": "2 agents", "answers": { "why": "Un territoire en mutation" } })),
    );
    // Saved, not submitted: nothing yet. Submitted: the receipt.
    api.ok("POST", &format!("{path}/submit"), &admin, None);
    let receipt = mailbox.wait_for(ADMIN, |m| m.text.contains(CAMPAIGN));
    for needle in [
        "Pleyel",
        "îlots de chaleur",
        "Plaine Commune",
        "2 agents",
        "Pourquoi vous ?",
        "Un territoire en mutation",
    ] {
        assert!(receipt.text.contains(needle), "{needle}: {}", receipt.text);
    }
    let page = format!("/espace/communes/{SAINT_DENIS}/candidatures/{cid}");
    assert!(
        receipt.urls().iter().any(|u| path_of(u) == page.as_str()),
        "{}",
        receipt.text
    );
    // Submitted again: no second receipt.
    api.ok("POST", &format!("{path}/submit"), &admin, None);

    const REASON: &str = "Le périmètre doit être précisé";
    for _ in 0..2 {
        api.ok(
            "POST",
            &format!("{path}/decision"),
            &programme,
            Some(&json!({ "selected": false, "reason": REASON })),
        );
    }
    let decision = mailbox.wait_for(ADMIN, |m| m.text.contains(REASON));
    assert!(decision.text.contains(CAMPAIGN), "{}", decision.text);
    assert_eq!(
        mentioning(&mailbox, ADMIN, CAMPAIGN).len(),
        2,
        "one receipt, one decision"
    );
}
