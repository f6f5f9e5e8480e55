//! `qmi up`'s development mailbox and manual clock, over real HTTP: the e-mail API
//! (idempotency, injected faults, listings, the HTML page), the variables `qmi up`
//! points at it, templated `allowed_outbound_hosts` resolved with them, and a guest
//! wall clock that moves only when told to.

use qmi_tests::{Qmi, QmiServer, manifest_variant};
use serde_json::{Value, json};

fn message(to: &str, subject: &str, text: &str) -> Value {
    json!({
        "from": "QMI <ne-pas-repondre@qmi.localhost>",
        "to": to,
        "subject": subject,
        "text": text,
        "html": format!("<p>{subject}</p>"),
    })
}

/// A repeated `Idempotency-Key` is answered 200 with the first message's id and is
/// not stored again; messages without a key are all kept.
#[test]
fn idempotency_keys_deduplicate_deliveries() {
    let server = QmiServer::start(&[]);
    let mailbox = server.mailbox();
    let mail = message("camille@example.org", "Bienvenue", "Bonjour Camille");
    let first = mailbox.post_message(&mail, Some("mail-1"));
    assert_eq!(first.status, 202, "{first:?}");
    let id = first.json()["id"].as_str().expect("an id").to_owned();
    let again = mailbox.post_message(&mail, Some("mail-1"));
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.json()["id"], id.as_str());
    let kept = mailbox.messages_to("camille@example.org");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].idempotency_key.as_deref(), Some("mail-1"));
    assert_eq!(kept[0].subject, "Bienvenue");
    let stats = mailbox.stats();
    assert_eq!((stats.accepted, stats.duplicates, stats.refused), (1, 1, 0));

    let one = mailbox.get(&format!("/messages/{id}"));
    assert_eq!(one.status, 200, "{one:?}");
    assert_eq!(one.json()["to"], "camille@example.org");
    assert_eq!(mailbox.get("/messages/999999").status, 404);
}

/// `POST /faults {"fail_next": N}` makes the next N deliveries answer 503, then they
/// are accepted again; invalid bodies are refused with a 4xx naming the field.
#[test]
fn injected_faults_then_acceptance() {
    let server = QmiServer::start(&[]);
    let mailbox = server.mailbox();
    mailbox.fail_next(2);
    let mail = message("dominique@example.org", "Rappel", "Texte");
    for _ in 0..2 {
        let refused = mailbox.post_message(&mail, Some("retry-me"));
        assert_eq!(refused.status, 503, "{refused:?}");
    }
    let accepted = mailbox.post_message(&mail, Some("retry-me"));
    assert_eq!(accepted.status, 202, "{accepted:?}");
    let invalid = mailbox.post_message(&json!({ "to": "nobody", "subject": "x" }), None);
    assert_eq!(invalid.status, 400, "{invalid:?}");
    let no_address = mailbox.post_message(&message("nobody", "x", "y"), None);
    assert_eq!(no_address.status, 422, "{no_address:?}");
    assert!(no_address.body.contains("to:"), "{no_address:?}");
    let stats = mailbox.stats();
    assert_eq!((stats.accepted, stats.duplicates, stats.refused), (1, 0, 4));
    assert_eq!(mailbox.messages_to("dominique@example.org").len(), 1);
}

/// `GET /messages?to=` lists one recipient's messages (case aside), oldest first;
/// without `to`, all of them.
#[test]
fn listing_filters_by_recipient() {
    let server = QmiServer::start(&[]);
    let mailbox = server.mailbox();
    for (to, subject) in [
        ("a@example.org", "un"),
        ("b@example.org", "deux"),
        ("A@Example.org", "trois"),
    ] {
        let reply = mailbox.post_message(&message(to, subject, "t"), None);
        assert_eq!(reply.status, 202, "{reply:?}");
    }
    let to_a: Vec<String> = mailbox
        .messages_to("a@example.org")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(to_a, ["un", "trois"]);
    assert_eq!(mailbox.messages_to("b@example.org").len(), 1);
    assert!(mailbox.messages_to("c@example.org").is_empty());
    assert_eq!(mailbox.messages().len(), 3);
}

/// The HTML page is French, escapes what it shows, makes the text's URLs links and
/// shows the newest message first; the harness finds links by path.
#[test]
fn page_escapes_and_links() {
    let server = QmiServer::start(&[]);
    let mailbox = server.mailbox();
    let text = "Acceptez : http://127.0.0.1:3000/invitation/AbC-12_x. Merci <b>";
    let reply = mailbox.post_message(
        &message("e@example.org", "<script>alert(1)</script>", text),
        None,
    );
    assert_eq!(reply.status, 202, "{reply:?}");
    let reply = mailbox.post_message(&message("e@example.org", "Plus récent", "t"), None);
    assert_eq!(reply.status, 202, "{reply:?}");
    let page = mailbox.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{page:?}"
    );
    let body = &page.body;
    assert!(body.contains("<html lang=\"fr\">"), "{body}");
    assert!(!body.contains("<script>"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
    assert!(body.contains("Merci &lt;b&gt;"), "{body}");
    assert!(
        body.contains(
            "<a href=\"http://127.0.0.1:3000/invitation/AbC-12_x\">http://127.0.0.1:3000/invitation/AbC-12_x</a>"
        ),
        "{body}"
    );
    assert!(body.find("Plus récent").unwrap() < body.find("&lt;script&gt;").unwrap());

    let mail = mailbox.wait_for("e@example.org", |m| m.subject.contains("script"));
    assert_eq!(
        mailbox.link_in(&mail, "/invitation/"),
        "http://127.0.0.1:3000/invitation/AbC-12_x"
    );
}

/// `--clock manual`: the guests' wall clock stands still until `POST /clock` moves it,
/// by exactly that much; the system clock cannot be moved.
#[test]
fn manual_clock_moves_only_when_told() {
    let server = Qmi::up().manual_clock().start();
    let now = |server: &QmiServer| {
        server.get("/echo/x").echo().0["now"]
            .as_u64()
            .expect("echo reports its wall clock")
    };
    let start = now(&server);
    let mailbox = server.mailbox();
    let before = mailbox.clock_now();
    assert_eq!(now(&server), start, "the manual clock moved by itself");
    let after = mailbox.advance_clock(3600);
    assert_ne!(before, after);
    assert_eq!(now(&server), start + 3600);
    mailbox.advance_clock(7 * 24 * 3600);
    assert_eq!(now(&server), start + 3600 + 7 * 24 * 3600);
    // Mails are dated by the same clock.
    let reply = mailbox.post_message(&message("f@example.org", "Daté", "t"), None);
    assert_eq!(reply.status, 202, "{reply:?}");
    assert_eq!(
        mailbox.messages_to("f@example.org")[0].received_at,
        mailbox.clock_now()
    );

    let system = QmiServer::start(&[]);
    let refused = system.mailbox().get("/clock");
    assert_eq!(refused.json()["mode"], "system");
    let reply = reqwest::blocking::Client::new()
        .post(format!("{}/clock", system.mailbox().base_url()))
        .body(r#"{"advance_seconds": 60}"#)
        .send()
        .expect("POST /clock");
    assert_eq!(reply.status().as_u16(), 409);
}

/// The variant of the fixture app declaring the variables `qmi up` sets, read by
/// `echo` (`who` = `public_url`, `message` = `mail_api_url`), with `outbound` allowed
/// only `{{ mail_api_origin }}`.
fn variables_variant(dir: &std::path::Path) -> std::path::PathBuf {
    manifest_variant(dir, |text| {
        let start = text
            .find("allowed_outbound_hosts = [\n    \"http://127.0.0.1:*\"")
            .expect("outbound hosts");
        let end = start + text[start..].find("]\n").expect("end of outbound hosts") + 2;
        let text = format!(
            "{}allowed_outbound_hosts = [\"{{{{ mail_api_origin }}}}\"]\n{}",
            &text[..start],
            &text[end..]
        );
        text.replacen(
            "[variables]\n",
            "[variables]\npublic_url = { default = \"http://localhost:3000\" }\n\
             mail_api_url = { default = \"http://127.0.0.1:3025/messages\" }\n\
             mail_api_origin = { default = \"http://127.0.0.1:3025\" }\n",
            1,
        )
        .replacen("who = \"echo\"", "who = \"{{ public_url }}\"", 1)
        .replacen(
            "message = \"{{ greeting }}, {{ target }}!\"",
            "message = \"{{ mail_api_url }}\"",
            1,
        )
    })
}

/// `qmi up` points `public_url`, `mail_api_url` and `mail_api_origin` at itself and its
/// mailbox, and a templated `allowed_outbound_hosts` entry resolves with them: the
/// guest reaches the mailbox and nothing else.
#[test]
fn dev_variables_and_templated_outbound_hosts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Qmi::up().manifest(variables_variant(dir.path())).start();
    let mailbox = server.mailbox();
    let echo = server.get("/echo/x").echo();
    assert_eq!(echo.variable("who"), Ok(server.base_url().to_owned()));
    assert_eq!(
        echo.variable("message"),
        Ok(format!("{}/messages", mailbox.base_url()))
    );
    let fetch = |url: &str| {
        let encoded: String = url
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let reply = server.get(&format!("/outbound/fetch?url={encoded}"));
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.json()
    };
    let allowed = fetch(&format!("{}/stats", mailbox.base_url()));
    assert_eq!(allowed["status"], 200, "{allowed:#}");
    let denied = fetch(&format!("{}/echo/x", server.base_url()));
    assert!(
        denied["error"]
            .as_str()
            .is_some_and(|e| e.contains("HttpRequestDenied")),
        "{denied:#}"
    );

    // The operator's values win over qmi's.
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Qmi::up()
        .manifest(variables_variant(dir.path()))
        .env("SPIN_VARIABLE_PUBLIC_URL", "https://qmi.example")
        .flag(
            "--variable",
            "mail_api_url=https://mail.example/v1/messages",
        )
        .start();
    let echo = server.get("/echo/x").echo();
    assert_eq!(echo.variable("who"), Ok("https://qmi.example".to_owned()));
    assert_eq!(
        echo.variable("message"),
        Ok("https://mail.example/v1/messages".to_owned())
    );
}

/// A templated `allowed_outbound_hosts` entry that resolves to no valid host stops
/// the start-up, naming the entry.
#[test]
fn invalid_resolved_outbound_host_fails_startup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let failure = Qmi::up()
        .manifest(variables_variant(dir.path()))
        .env("SPIN_VARIABLE_MAIL_API_ORIGIN", "mail.example")
        .expect_failure();
    assert!(
        failure
            .stderr
            .contains("component.outbound.allowed_outbound_hosts[0]"),
        "{failure:#?}"
    );
    assert!(
        failure.stderr.contains("does not contain a scheme"),
        "{failure:#?}"
    );
}
