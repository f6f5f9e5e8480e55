//! A small JSON client for the invitation and sign-up tests (issue 12), over real
//! HTTP against `qmi up`.

#![allow(dead_code)]

use std::ops::Deref;

use qmi_tests::QmiServer;
use qmi_tests::http::Client;
pub use qmi_tests::http::Res;
use serde_json::{Value, json};

/// The shared JSON client ([`qmi_tests::http::Client`]) with the demo password.
pub struct Api<'a> {
    pub server: &'a QmiServer,
    pub password: &'a str,
    client: Client<'a>,
}

impl<'a> Deref for Api<'a> {
    type Target = Client<'a>;

    fn deref(&self) -> &Client<'a> {
        &self.client
    }
}

impl<'a> Api<'a> {
    pub fn new(server: &'a QmiServer, password: &'a str) -> Self {
        Self {
            server,
            password,
            client: Client::new(server),
        }
    }

    /// Signs in with `password`; the response.
    pub fn sign_in_with(&self, email: &str, password: &str) -> Res {
        self.post(
            "/api/auth/token",
            None,
            &json!({ "email": email, "password": password }),
        )
    }

    /// A demo account's (or any account with the demo password's) access token.
    pub fn token(&self, email: &str) -> String {
        let r = self.sign_in_with(email, self.password);
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// The access token of `email` signed in with `password`.
    pub fn token_with(&self, email: &str, password: &str) -> String {
        let r = self.sign_in_with(email, password);
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// `GET /api/me`.
    pub fn me(&self, token: &str) -> Value {
        let r = self.get("/api/me", Some(token));
        assert_eq!(r.status, 200, "GET /api/me: {r:?}");
        r.body
    }
}

/// The newest link to `path_prefix` e-mailed to `email` after `before` such e-mails,
/// as its token.
pub fn next_link_token(
    server: &QmiServer,
    email: &str,
    path_prefix: &str,
    before: usize,
) -> String {
    let mailbox = server.mailbox();
    for attempt in 0..qmi_tests::mailbox::WAIT_ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(qmi_tests::mailbox::WAIT_PAUSE);
        }
        let mails: Vec<_> = mailbox
            .messages_to(email)
            .into_iter()
            .filter(|m| m.link(path_prefix).is_some())
            .collect();
        if mails.len() > before {
            let link = mailbox.link_in(mails.last().unwrap(), path_prefix);
            return qmi_tests::invite::token_of(&link);
        }
    }
    panic!(
        "no new {path_prefix} link e-mailed to {email}\n{}",
        server.stderr()
    );
}

/// How many e-mails with a link to `path_prefix` reached `email`.
pub fn links_received(server: &QmiServer, email: &str, path_prefix: &str) -> usize {
    server
        .mailbox()
        .messages_to(email)
        .iter()
        .filter(|m| m.link(path_prefix).is_some())
        .count()
}

/// A JSON value without the keys in `keys` (at any depth): what stays of an answer
/// once its ids, addresses and times are set aside.
pub fn without(value: &Value, keys: &[&str]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), without(v, keys)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| without(v, keys)).collect()),
        other => other.clone(),
    }
}
