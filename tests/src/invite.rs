//! Adding people through the API as people do (issue 12): an inviter invites an
//! e-mail, the invitation's link is read from the development mailbox, and the
//! person accepts it — a newcomer choosing a name and password, an existing account
//! giving its current password. Tests that need a person in a commune, the programme
//! team or an organisation build it this way (nobody is added without accepting).
//!
//! ```ignore
//! let server = app::serve(&["identity"], PW); // notifications comes with it (chaining)
//! let joined = invite::to_commune(&server, &admin, "93066", "x@example.org", "agent", Some("X"), PW);
//! let token = joined.access_token.expect("an invitation was accepted");
//! ```

use std::thread;

use serde_json::{Value, json};

use crate::QmiServer;
use crate::mailbox::{Mail, WAIT_ATTEMPTS, WAIT_PAUSE};

/// A person added to a place.
#[derive(Clone, Debug)]
pub struct Joined {
    /// The person's account id.
    pub account_id: String,
    /// The person's access token, signed in by accepting; `None` when no invitation
    /// was needed (an existing commune member whose role changed at once).
    pub access_token: Option<String>,
    /// The answer to the invitation request (202 and the invitation, or 200 and the member).
    pub answer: Value,
}

/// The invitation links sent to `email` so far.
fn invitation_mails(server: &QmiServer, email: &str) -> Vec<Mail> {
    server
        .mailbox()
        .messages_to(email)
        .into_iter()
        .filter(|m| m.link("/invitation/").is_some())
        .collect()
}

/// The token of the next invitation e-mailed to `email`, after `before` of them.
pub fn next_invitation_token(server: &QmiServer, email: &str, before: usize) -> String {
    for attempt in 0..WAIT_ATTEMPTS {
        if attempt > 0 {
            thread::sleep(WAIT_PAUSE);
        }
        let mails = invitation_mails(server, email);
        if mails.len() > before {
            let mail = mails.last().expect("a mail");
            return token_of(&server.mailbox().link_in(mail, "/invitation/"));
        }
    }
    panic!(
        "no new invitation e-mailed to {email} (had {before})\n{}",
        server.stderr()
    );
}

/// The token at the end of a link (`…/invitation/<token>`, `…/confirmer/<token>`).
pub fn token_of(link: &str) -> String {
    link.rsplit('/')
        .next()
        .unwrap_or_default()
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// How many invitation e-mails `email` received so far.
pub fn invitations_received(server: &QmiServer, email: &str) -> usize {
    invitation_mails(server, email).len()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Accepts invitation `token`: a newcomer (the preview says no account exists)
/// gets `name` (or the inviter's proposal, or the e-mail) and `password`; an
/// existing account gives `password`. Returns the token response (panics on failure).
pub fn accept(server: &QmiServer, token: &str, name: Option<&str>, password: &str) -> Value {
    let preview = server.get(&format!("/api/auth/invitations/{token}"));
    assert_eq!(preview.status, 200, "invitation preview: {preview:?}");
    let preview = preview.json();
    let body = if preview["account_exists"].as_bool() == Some(true) {
        json!({ "password": password })
    } else {
        let name = name
            .map(str::to_owned)
            .or_else(|| preview["name"].as_str().map(str::to_owned))
            .unwrap_or_else(|| preview["email"].as_str().unwrap_or("Invité").to_owned());
        json!({ "name": name, "password": password, "lang": "fr" })
    };
    let r = server.post(
        &format!("/api/auth/invitations/{token}/accept"),
        &body.to_string(),
        &[("content-type", "application/json")],
    );
    assert_eq!(r.status, 200, "accepting invitation: {r:?}");
    r.json()
}

fn account_of(server: &QmiServer, access_token: &str) -> String {
    let me = server.get_with("/api/me", &[("authorization", &bearer(access_token))]);
    assert_eq!(me.status, 200, "GET /api/me: {me:?}");
    me.json()["id"].as_str().expect("me.id").to_owned()
}

/// Sends an invitation (`POST path` with `body`, as `inviter`) to `email` and, if
/// one was sent (202), accepts it.
fn invite_and_accept(
    server: &QmiServer,
    inviter: &str,
    path: &str,
    body: Value,
    email: &str,
    name: Option<&str>,
    password: &str,
) -> Joined {
    let before = invitations_received(server, email);
    let r = server.post(
        path,
        &body.to_string(),
        &[
            ("content-type", "application/json"),
            ("authorization", &bearer(inviter)),
        ],
    );
    match r.status {
        200 => {
            let answer = r.json();
            Joined {
                account_id: answer["account_id"]
                    .as_str()
                    .expect("member.account_id")
                    .to_owned(),
                access_token: None,
                answer,
            }
        }
        202 => {
            let token = next_invitation_token(server, email, before);
            let tokens = accept(server, &token, name, password);
            let access = tokens["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned();
            Joined {
                account_id: account_of(server, &access),
                access_token: Some(access),
                answer: r.json(),
            }
        }
        _ => panic!("POST {path} {body}: {r:?}"),
    }
}

/// `email` joins commune `insee` with `role`, invited by `inviter` (a commune admin's
/// or programme operator's access token); a newcomer is named `name` (default: the
/// e-mail) with `password`, an existing account accepts with `password`.
pub fn to_commune(
    server: &QmiServer,
    inviter: &str,
    insee: &str,
    email: &str,
    role: &str,
    name: Option<&str>,
    password: &str,
) -> Joined {
    let mut body = json!({ "email": email, "role": role });
    if let Some(name) = name {
        body["name"] = json!(name);
    }
    invite_and_accept(
        server,
        inviter,
        &format!("/api/communes/{insee}/members"),
        body,
        email,
        name,
        password,
    )
}

/// `email` joins the programme team, invited by a programme operator.
pub fn to_programme(
    server: &QmiServer,
    inviter: &str,
    email: &str,
    name: Option<&str>,
    password: &str,
) -> Joined {
    invite_and_accept(
        server,
        inviter,
        "/api/admin/invitations",
        json!({ "email": email }),
        email,
        name,
        password,
    )
}

/// `email` joins organisation `org`, invited by one of its members (or a programme
/// operator), through the e-mailed link.
pub fn to_organisation(
    server: &QmiServer,
    inviter: &str,
    org: &str,
    email: &str,
    name: Option<&str>,
    password: &str,
) -> Joined {
    invite_and_accept(
        server,
        inviter,
        &format!("/api/organisations/{org}/members"),
        json!({ "email": email }),
        email,
        name,
        password,
    )
}
