//! A small JSON client for the invitation and sign-up tests (issue 12), over real
//! HTTP against `qmi up`.

#![allow(dead_code)]

use std::time::Duration;

use qmi_tests::QmiServer;
use serde_json::{Value, json};

/// A response: status and JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Res {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Res {
    /// The problem's `type` slug (after `/problems/`).
    pub fn problem(&self) -> &str {
        self.body["type"]
            .as_str()
            .and_then(|t| t.rsplit('/').next())
            .unwrap_or("")
    }

    /// The fields a 422 names.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct Api<'a> {
    pub server: &'a QmiServer,
    pub password: &'a str,
    http: reqwest::blocking::Client,
}

impl<'a> Api<'a> {
    pub fn new(server: &'a QmiServer, password: &'a str) -> Self {
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        Self {
            server,
            password,
            http,
        }
    }

    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Res {
        let mut req = self
            .http
            .request(method.parse().unwrap(), self.server.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req
            .send()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.server.stderr()));
        let status = resp.status().as_u16();
        assert!(
            status < 500,
            "{method} {path}: {status}\n{}",
            self.server.stderr()
        );
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = resp.text().unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Res {
            status,
            content_type,
            body,
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send("GET", path, token, None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Res {
        self.send("POST", path, token, Some(body))
    }

    pub fn delete(&self, path: &str, token: Option<&str>) -> Res {
        self.send("DELETE", path, token, None)
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
