//! The development mailbox of a running `qmi up` (its dev port, printed as
//! `Mailbox: http://…/`): the e-mails the application sent, injected delivery
//! faults, and the manual wall clock (`Up::manual_clock`).
//!
//! ```ignore
//! let server = app::up(&["identity", "notifications"], PW).manual_clock().start();
//! let mailbox = server.mailbox();
//! // … an API call that sends an invitation to camille@example.org …
//! let mail = mailbox.wait_for("camille@example.org", |m| m.subject.contains("Invitation"));
//! let link = mailbox.link_in(&mail, "/invitation/");
//! mailbox.advance_clock(8 * 24 * 3600); // the invitation has expired
//! ```

use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::Reply;

/// How many times [`Mailbox::wait_for`] looks before failing.
pub const WAIT_ATTEMPTS: u32 = 300;

/// The pause between two looks of [`Mailbox::wait_for`].
pub const WAIT_PAUSE: Duration = Duration::from_millis(100);

/// A message the mailbox received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// The mailbox's id for it.
    pub id: String,
    /// The sender.
    pub from: String,
    /// The recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, if any.
    pub html: Option<String>,
    /// When the mailbox accepted it (RFC 3339, the guests' wall clock).
    pub received_at: String,
    /// The `Idempotency-Key` it came with.
    pub idempotency_key: Option<String>,
}

impl Mail {
    fn from_json(v: &Value) -> Mail {
        let s = |k: &str| v[k].as_str().map(str::to_owned);
        let req = |k: &str| s(k).unwrap_or_else(|| panic!("mailbox message without {k}: {v:#}"));
        Mail {
            id: req("id"),
            from: req("from"),
            to: req("to"),
            subject: req("subject"),
            text: req("text"),
            html: s("html"),
            received_at: req("received_at"),
            idempotency_key: s("idempotency_key"),
        }
    }

    /// The URLs of the plain-text body, in order.
    pub fn urls(&self) -> Vec<String> {
        let mut urls = Vec::new();
        let mut rest = self.text.as_str();
        while let Some(start) = [rest.find("http://"), rest.find("https://")]
            .into_iter()
            .flatten()
            .min()
        {
            let tail = &rest[start..];
            let end = tail
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
                .unwrap_or(tail.len());
            let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
            urls.push(url.to_owned());
            rest = &tail[url.len().max(1)..];
        }
        urls
    }

    /// The first URL of the text whose path starts with `path_prefix`
    /// (e.g. `"/invitation/"`), if any.
    pub fn link(&self, path_prefix: &str) -> Option<String> {
        self.urls()
            .into_iter()
            .find(|url| path_of(url).starts_with(path_prefix))
    }
}

/// The path (with query) of an absolute URL.
pub fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or("/", |slash| &after_scheme[slash..])
}

/// The counters of `GET /stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Messages stored.
    pub accepted: u64,
    /// Deliveries whose `Idempotency-Key` had been seen (not stored again).
    pub duplicates: u64,
    /// Deliveries answered with an error (injected faults, invalid bodies).
    pub refused: u64,
}

/// A client of the mailbox's dev port.
pub struct Mailbox {
    base_url: String,
    client: reqwest::blocking::Client,
}

impl Mailbox {
    /// A client of the mailbox at `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(base_url: &str) -> Mailbox {
        Mailbox {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client: crate::client(),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn send(&self, req: reqwest::blocking::RequestBuilder) -> Reply {
        Reply::read(
            req.send()
                .unwrap_or_else(|e| panic!("mailbox request failed: {e:?}")),
        )
    }

    /// `GET path` on the mailbox (e.g. `/` for the HTML page).
    pub fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(format!("{}{path}", self.base_url)))
    }

    /// `POST /messages` as the application does: `message` is the JSON body,
    /// `idempotency_key` the header.
    pub fn post_message(&self, message: &Value, idempotency_key: Option<&str>) -> Reply {
        let mut req = self
            .client
            .post(format!("{}/messages", self.base_url))
            .header("content-type", "application/json")
            .body(message.to_string());
        if let Some(key) = idempotency_key {
            req = req.header("idempotency-key", key);
        }
        self.send(req)
    }

    fn list(&self, path: &str) -> Vec<Mail> {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "GET {path} on the mailbox: {reply:?}");
        reply
            .json()
            .as_array()
            .unwrap_or_else(|| panic!("GET {path}: not a list: {}", reply.body))
            .iter()
            .map(Mail::from_json)
            .collect()
    }

    /// Every message, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
        self.list("/messages")
    }

    /// The messages to `email` (compared without case), oldest first.
    pub fn messages_to(&self, email: &str) -> Vec<Mail> {
        self.list(&format!("/messages?to={}", encode(email)))
    }

    /// The newest message to `email` that satisfies `predicate`, looking up to
    /// [`WAIT_ATTEMPTS`] times, [`WAIT_PAUSE`] apart (deliveries may follow
    /// the request that caused them); panics listing what did arrive.
    pub fn wait_for(&self, email: &str, predicate: impl Fn(&Mail) -> bool) -> Mail {
        let mut seen = Vec::new();
        for attempt in 0..WAIT_ATTEMPTS {
            if attempt > 0 {
                thread::sleep(WAIT_PAUSE);
            }
            seen = self.messages_to(email);
            if let Some(mail) = seen.iter().rev().find(|m| predicate(m)) {
                return mail.clone();
            }
        }
        let subjects: Vec<&str> = seen.iter().map(|m| m.subject.as_str()).collect();
        panic!(
            "no matching e-mail to {email} after {WAIT_ATTEMPTS} looks ({:?} apart); \
             messages to that address: {subjects:?}; mailbox stats: {:?}",
            WAIT_PAUSE,
            self.stats()
        );
    }

    /// The first URL of `mail`'s text whose path starts with `path_prefix`
    /// (e.g. `"/invitation/"`); panics showing the text if there is none.
    pub fn link_in(&self, mail: &Mail, path_prefix: &str) -> String {
        mail.link(path_prefix).unwrap_or_else(|| {
            panic!(
                "no link to {path_prefix}… in the e-mail {:?}:\n{}",
                mail.subject, mail.text
            )
        })
    }

    /// Makes the next `n` deliveries (`POST /messages`) answer 503.
    pub fn fail_next(&self, n: u64) {
        let reply = self.send(
            self.client
                .post(format!("{}/faults", self.base_url))
                .body(serde_json::json!({ "fail_next": n }).to_string()),
        );
        assert_eq!(reply.status, 200, "POST /faults: {reply:?}");
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        let reply = self.get("/stats");
        assert_eq!(reply.status, 200, "GET /stats: {reply:?}");
        let v = reply.json();
        let n = |k: &str| {
            v[k].as_u64()
                .unwrap_or_else(|| panic!("stats without {k}: {v}"))
        };
        Stats {
            accepted: n("accepted"),
            duplicates: n("duplicates"),
            refused: n("refused"),
        }
    }

    /// Moves the guests' wall clock `secs` seconds forward (the server runs
    /// with [`crate::Up::manual_clock`]); returns the new time (RFC 3339).
    pub fn advance_clock(&self, secs: u64) -> String {
        let reply = self.send(
            self.client
                .post(format!("{}/clock", self.base_url))
                .body(serde_json::json!({ "advance_seconds": secs }).to_string()),
        );
        assert_eq!(
            reply.status, 200,
            "POST /clock (is the server started with manual_clock()?): {reply:?}"
        );
        reply.json()["now"].as_str().unwrap_or_default().to_owned()
    }

    /// The guests' wall clock now (RFC 3339).
    pub fn clock_now(&self) -> String {
        let reply = self.get("/clock");
        assert_eq!(reply.status, 200, "GET /clock: {reply:?}");
        reply.json()["now"].as_str().unwrap_or_default().to_owned()
    }

    /// The guests' wall clock now, in seconds since the Unix epoch: what deadlines
    /// of a test on the manual clock are computed from (never the test's own clock).
    pub fn clock_unix(&self) -> i64 {
        let now = self.clock_now();
        unix_of(&now).unwrap_or_else(|| panic!("GET /clock: not an RFC 3339 UTC instant: {now:?}"))
    }
}

/// Seconds since the Unix epoch of `YYYY-MM-DDTHH:MM:SSZ` (the clock's format).
fn unix_of(rfc3339: &str) -> Option<i64> {
    let b = rfc3339.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| rfc3339.get(r)?.parse::<i64>().ok();
    let days = qmi_kit::time::days_from_civil(n(0..4)?, n(5..7)? as u32, n(8..10)? as u32);
    Some(days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?)
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(text: &str) -> Mail {
        Mail {
            id: "1".into(),
            from: "a@b".into(),
            to: "c@d".into(),
            subject: "s".into(),
            text: text.into(),
            html: None,
            received_at: "t".into(),
            idempotency_key: None,
        }
    }

    #[test]
    fn clock_instants_read_as_unix_seconds() {
        assert_eq!(unix_of("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_of("2026-12-02T15:39:04Z"), Some(1_796_225_944));
        assert_eq!(unix_of("2026-12-02T15:39:04+01:00"), None);
    }

    #[test]
    fn links_are_found_by_path() {
        let m = mail(
            "Bonjour,\nhttp://127.0.0.1:3000/compte puis http://127.0.0.1:3000/invitation/AbC_d-1.\nFin",
        );
        assert_eq!(
            m.link("/invitation/").as_deref(),
            Some("http://127.0.0.1:3000/invitation/AbC_d-1")
        );
        assert_eq!(m.link("/reinitialiser/"), None);
        assert_eq!(path_of("http://h:1/a/b?c=d"), "/a/b?c=d");
        assert_eq!(encode("a+b@x.fr"), "a%2Bb@x.fr");
    }
}
