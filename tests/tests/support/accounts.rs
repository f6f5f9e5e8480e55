//! What the password and account-page tests share (`tests/tests/passwords.rs`,
//! `tests/tests/account.rs`): a JSON client over the root app under `qmi up`
//! with the manual clock and the development mailbox, and people who sign up
//! through the API (the sign-up's e-mailed link confirms them): no demo account
//! and no database file is touched.

#![allow(dead_code)] // Each test file uses part of it.

use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};

pub use qmi_tests::http::Res;
use qmi_tests::http::{Body, Client};
use qmi_tests::mailbox::{Mail, Mailbox};
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

/// The demo accounts' password (unused here but required by `app::up`).
pub const DEMO_PASSWORD: &str = "accounts-tests-password";

/// `qmi up` with identity (and the notifications component it relays to), the
/// manual clock and the development mailbox.
pub fn server() -> QmiServer {
    app::up(&["identity", "notifications"], DEMO_PASSWORD)
        .manual_clock()
        .start()
}

/// The shared JSON client ([`qmi_tests::http::Client`]) over the server.
pub struct Api<'a> {
    client: Client<'a>,
}

impl<'a> Deref for Api<'a> {
    type Target = Client<'a>;

    fn deref(&self) -> &Client<'a> {
        &self.client
    }
}

impl<'a> Api<'a> {
    pub fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::new(server),
        }
    }

    /// One request with an optional JSON body; `headers` are added as given.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Res {
        self.request(method, path, token, Body::from(body), headers)
    }

    /// `POST /api/auth/token`.
    pub fn sign_in(&self, email: &str, password: &str) -> Res {
        self.post(
            "/api/auth/token",
            None,
            &json!({ "email": email, "password": password }),
        )
    }

    /// Signs in, which must succeed: the token response.
    pub fn session(&self, email: &str, password: &str) -> Tokens {
        let r = self.sign_in(email, password);
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        Tokens::of(&r)
    }

    /// `POST /api/auth/refresh`.
    pub fn refresh(&self, refresh_token: &str) -> Res {
        self.post(
            "/api/auth/refresh",
            None,
            &json!({ "refresh_token": refresh_token }),
        )
    }

    /// A person who signs up through the API with `password` and confirms the
    /// e-mail by the link the mailbox received: their first session.
    pub fn sign_up(&self, mailbox: &Mailbox, name: &str, password: &str) -> Person {
        let email = unique_email(name);
        let r = self.post(
            "/api/auth/sign-up",
            None,
            &json!({ "email": email, "name": name, "password": password, "lang": "fr" }),
        );
        assert_eq!(r.status, 202, "sign-up of {email}: {r:?}");
        let mail = mailbox.wait_for(&email, |m| m.link("/confirmer/").is_some());
        let token = token_of(&mailbox.link_in(&mail, "/confirmer/"));
        let r = self.post("/api/auth/confirm-email", None, &json!({ "token": token }));
        assert_eq!(r.status, 200, "confirming {email}: {r:?}");
        let me = self.get("/api/me", Some(&Tokens::of(&r).access));
        assert_eq!(me.status, 200, "{me:?}");
        Person {
            id: me.str("id"),
            email,
            password: password.to_owned(),
            tokens: Tokens::of(&r),
        }
    }
}

/// A token response.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub session: String,
}

impl Tokens {
    pub fn of(r: &Res) -> Tokens {
        Tokens {
            access: r.str("access_token"),
            refresh: r.str("refresh_token"),
            session: r.str("session_id"),
        }
    }
}

/// Somebody with an account built through the API.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub password: String,
    /// The session the confirmation opened.
    pub tokens: Tokens,
}

/// An address no other test of this run uses.
pub fn unique_email(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let mut random = [0u8; 4];
    getrandom::fill(&mut random).expect("random");
    let run: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let tag: String = tag
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    format!(
        "{tag}.{run}.{}@accounts.example",
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The token at the end of a link (`…/reinitialiser/<token>`).
pub fn token_of(link: &str) -> String {
    link.rsplit('/')
        .next()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| panic!("no token in {link}"))
        .to_owned()
}

/// The ids of the messages `email` has received so far.
pub fn seen(mailbox: &Mailbox, email: &str) -> Vec<String> {
    mailbox
        .messages_to(email)
        .into_iter()
        .map(|m| m.id)
        .collect()
}

/// The first message to `email` that is not among `before` and satisfies `predicate`.
pub fn next_mail(
    mailbox: &Mailbox,
    email: &str,
    before: &[String],
    predicate: impl Fn(&Mail) -> bool,
) -> Mail {
    mailbox.wait_for(email, |m| !before.contains(&m.id) && predicate(m))
}
