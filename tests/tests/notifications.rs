//! Notifications over HTTP through `qmi up` (issue 12): identity writes what it has to
//! say into its outbox and relays it to the notifications component (its internal
//! route, by service chaining, with the internal token); people read their notices behind the gateway and receive
//! e-mails in the development mailbox. The guests' clock is manual, so retries are
//! driven by moving it, never by waiting.

use std::ops::Deref;

use qmi_tests::http::Client;
use qmi_tests::mailbox::Mailbox;
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

const PASSWORD: &str = "notifications-tests-password";

fn server() -> QmiServer {
    app::up(&["identity", "notifications"], PASSWORD)
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

    /// The status and the body of one request.
    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let r = self.client.send(method, path, token, body);
        (r.status, r.body)
    }

    fn ok(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Value {
        let (status, reply) = self.send(method, path, token, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path} answered {status}: {reply}"
        );
        reply
    }

    fn token(&self, email: &str) -> String {
        let reply = self.ok(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
        );
        reply["access_token"].as_str().unwrap().to_owned()
    }

    fn unread(&self, token: &str) -> u64 {
        self.ok("GET", "/api/notifications/unread", Some(token), None)["unread"]
            .as_u64()
            .expect("unread count")
    }

    fn notices(&self, token: &str) -> Vec<Value> {
        self.ok("GET", "/api/notifications", Some(token), None)["items"]
            .as_array()
            .expect("items")
            .clone()
    }

    /// Removes the member with `email` from commune `insee`, as `admin`.
    fn remove_member(&self, admin: &str, insee: &str, email: &str) {
        let members = self.ok(
            "GET",
            &format!("/api/communes/{insee}/members"),
            Some(admin),
            None,
        );
        let list = members["items"].as_array().or(members.as_array()).cloned();
        let id = list
            .unwrap_or_default()
            .iter()
            .find(|m| m["email"] == email)
            .and_then(|m| m["account_id"].as_str())
            .unwrap_or_else(|| panic!("{email} is not a member of {insee}: {members}"))
            .to_owned();
        self.ok(
            "DELETE",
            &format!("/api/communes/{insee}/members/{id}"),
            Some(admin),
            None,
        );
    }
}

/// The field names of a problem's `errors`.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_member_removed_is_told_in_the_app_and_by_email_in_their_language() {
    let server = server();
    let api = Api::new(&server);
    let mailbox: Mailbox = server.mailbox();
    let admin = api.token("admin.montreuil@qmi.example");
    // Julie Moreau (English) is Montreuil's reviewer.
    let julie_email = "reviewer.montreuil@qmi.example";
    api.remove_member(&admin, "93048", julie_email);

    let julie = api.token(julie_email);
    let before = api.unread(&julie);
    assert!(before >= 1, "Julie has an unread notice");
    let notices = api.notices(&julie);
    let notice = notices
        .iter()
        .find(|n| n["kind"] == "membership")
        .unwrap_or_else(|| panic!("no membership notice: {notices:?}"))
        .clone();
    assert_eq!(notice["read"], false, "{notice}");
    assert!(
        notice["title"]
            .as_str()
            .unwrap()
            .starts_with("Member removed"),
        "in English: {notice}"
    );
    let link = notice["link"].as_str().unwrap_or("/");
    assert!(link.starts_with('/'), "a path in the app: {notice}");

    let mail = mailbox.wait_for(julie_email, |m| m.subject.starts_with("Member removed"));
    assert!(
        mail.text.starts_with("Hello Julie Moreau,"),
        "{}",
        mail.text
    );
    assert!(mail.html.as_deref().is_some_and(|h| h.contains("<a href=")));
    assert!(mail.idempotency_key.is_some(), "{mail:?}");
    assert!(
        mail.link("/espace/notifications").is_some(),
        "{}",
        mail.text
    );

    // Another person's notice is not found, and stays unread.
    let id = notice["id"].as_str().unwrap();
    let paul = api.token("agent.montreuil@qmi.example");
    let (status, _) = api.send(
        "POST",
        &format!("/api/notifications/{id}/read"),
        Some(&paul),
        None,
    );
    assert_eq!(status, 404);
    assert_eq!(api.unread(&julie), before);

    // Julie reads it; then everything.
    let (status, _) = api.send(
        "POST",
        &format!("/api/notifications/{id}/read"),
        Some(&julie),
        None,
    );
    assert_eq!(status, 204);
    assert_eq!(api.unread(&julie), before - 1);
    let again = api.notices(&julie);
    assert!(
        again.iter().any(|n| n["id"] == id && n["read"] == true),
        "{again:?}"
    );
    let (status, _) = api.send("POST", "/api/notifications/read-all", Some(&julie), None);
    assert_eq!(status, 204);
    assert_eq!(api.unread(&julie), 0);
    let (status, _) = api.send(
        "POST",
        "/api/notifications/not-a-notice/read",
        Some(&julie),
        None,
    );
    assert_eq!(status, 404);
}

#[test]
fn preferences_choose_the_emails_not_the_notices() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();
    let emma_email = "reviewer.paris@qmi.example";
    let emma = api.token(emma_email);

    let all = api.ok("GET", "/api/notifications/preferences", Some(&emma), None);
    assert_eq!(
        all,
        json!({ "email": ["receipts", "reviews", "deadlines", "decisions", "memberships"] })
    );
    let (status, problem) = api.send(
        "PUT",
        "/api/notifications/preferences",
        Some(&emma),
        Some(&json!({ "email": ["receipts", "newsletters"] })),
    );
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["email[1]"], "{problem}");
    let (status, problem) = api.send(
        "PUT",
        "/api/notifications/preferences",
        Some(&emma),
        Some(&json!({ "email": [], "sms": true })),
    );
    assert_eq!(status, 400, "{problem}");
    let (status, problem) = api.send(
        "PUT",
        "/api/notifications/preferences",
        Some(&emma),
        Some(&json!({ "email": "receipts" })),
    );
    assert_eq!(status, 400, "{problem}");
    assert_eq!(fields(&problem), ["email"], "{problem}");
    // Duplicates count once, in display order.
    let chosen = api.ok(
        "PUT",
        "/api/notifications/preferences",
        Some(&emma),
        Some(&json!({ "email": ["decisions", "receipts", "decisions"] })),
    );
    assert_eq!(chosen, json!({ "email": ["receipts", "decisions"] }));
    assert_eq!(
        api.ok("GET", "/api/notifications/preferences", Some(&emma), None),
        chosen
    );

    // Memberships switched off: Emma's removal is a notice, not an e-mail. Karim's
    // removal follows hers and he keeps every e-mail: once his has arrived, hers would
    // have too (a deposit's e-mails go before the relay that made it answers).
    let admin = api.token("admin.paris@qmi.example");
    api.remove_member(&admin, "75056", emma_email);
    let karim_email = "agent.paris@qmi.example";
    api.remove_member(&admin, "75056", karim_email);
    let emma = api.token(emma_email);
    assert!(
        api.notices(&emma).iter().any(|n| n["kind"] == "membership"),
        "the notice is there"
    );
    let karim = mailbox.wait_for(karim_email, |m| m.subject.starts_with("Membre retiré"));
    assert!(
        karim.text.starts_with("Bonjour Karim Aït,"),
        "{}",
        karim.text
    );
    assert_eq!(mailbox.messages_to(emma_email), Vec::new());
}

#[test]
fn deliveries_are_an_operators_pass_and_failed_mails_are_retried_once_due() {
    let server = server();
    let api = Api::new(&server);
    let mailbox = server.mailbox();

    let (status, _) = api.send("POST", "/api/notifications/deliveries", None, None);
    assert_eq!(status, 401);
    let agent = api.token("agent.saint-denis@qmi.example");
    let (status, _) = api.send("POST", "/api/notifications/deliveries", Some(&agent), None);
    assert_eq!(status, 403);
    let hosting = api.token("hosting@qmi.example");
    let run = api.ok(
        "POST",
        "/api/notifications/deliveries",
        Some(&hosting),
        None,
    );
    for key in ["sent", "failed", "pending"] {
        assert!(run[key].is_u64(), "{run}");
    }
    assert_eq!(
        run.as_object().map(|o| o.len()),
        Some(3),
        "counts only: {run}"
    );

    // The e-mail API fails once: the mail waits a minute, then goes, once.
    let louis = "agent.saint-denis@qmi.example";
    mailbox.fail_next(1);
    let admin = api.token("admin.saint-denis@qmi.example");
    api.remove_member(&admin, "93066", louis);
    let programme = api.token("programme@qmi.example");
    let early = api.ok(
        "POST",
        "/api/notifications/deliveries",
        Some(&programme),
        None,
    );
    assert!(early["pending"].as_u64().unwrap() >= 1, "{early}");
    assert_eq!(early["sent"], 0, "not due yet: {early}");
    assert!(mailbox.messages_to(louis).is_empty());
    assert!(mailbox.stats().refused >= 1);

    mailbox.advance_clock(61);
    let due = api.ok(
        "POST",
        "/api/notifications/deliveries",
        Some(&programme),
        None,
    );
    assert!(due["sent"].as_u64().unwrap() >= 1, "{due}");
    let mail = mailbox.wait_for(louis, |m| m.subject.starts_with("Membre retiré"));
    assert!(
        mail.text.starts_with("Bonjour Louis Petit,"),
        "{}",
        mail.text
    );
    api.ok(
        "POST",
        "/api/notifications/deliveries",
        Some(&programme),
        None,
    );
    mailbox.advance_clock(3600);
    let programme = api.token("programme@qmi.example");
    api.ok(
        "POST",
        "/api/notifications/deliveries",
        Some(&programme),
        None,
    );
    assert_eq!(mailbox.messages_to(louis).len(), 1, "sent once");
    assert_eq!(mailbox.stats().duplicates, 0);
}
