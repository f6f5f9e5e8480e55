//! The mailbox's messages: kept in memory, deduplicated by idempotency key,
//! appended to `<data-dir>/mailbox.jsonl` (read back on the next start).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

/// A message as the e-mail API received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// The mailbox's id for it.
    pub id: String,
    /// The sender.
    pub from: String,
    /// The one recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, if any.
    pub html: Option<String>,
    /// When the mailbox accepted it (RFC 3339, the guests' wall clock).
    pub received_at: String,
    /// The `Idempotency-Key` it came with, if any.
    pub idempotency_key: Option<String>,
}

/// The body of `POST /messages`.
#[derive(Clone, Debug, Deserialize)]
pub struct Submission {
    /// The sender.
    pub from: String,
    /// The one recipient address.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    #[serde(default)]
    pub html: Option<String>,
}

impl Submission {
    /// The first field that is not acceptable, with why.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        let address = |a: &str| {
            let a = a.trim();
            let bare = (a.contains('@') && !a.starts_with('@') && !a.ends_with('@'))
                && !a.contains(char::is_whitespace);
            let named = a.ends_with('>') && a.contains('<') && a.contains('@');
            bare || named
        };
        if !address(&self.from) {
            Some(("from", "an e-mail address is required"))
        } else if !address(&self.to) {
            Some(("to", "one e-mail address is required"))
        } else if self.subject.trim().is_empty() {
            Some(("subject", "a subject is required"))
        } else if self.text.trim().is_empty() {
            Some(("text", "a plain-text body is required"))
        } else {
            None
        }
    }
}

/// What became of a `POST /messages`.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored under this id.
    Accepted(String),
    /// Its idempotency key was seen before: the first message's id.
    Duplicate(String),
}

/// Counters of `GET /stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Messages stored.
    pub accepted: u64,
    /// Requests whose idempotency key had been seen (not stored again).
    pub duplicates: u64,
    /// Requests answered with an error: injected faults and invalid bodies.
    pub refused: u64,
}

#[derive(Default)]
struct Inner {
    mails: Vec<Mail>,
    by_key: HashMap<String, String>,
    next_id: u64,
    fail_next: u64,
    stats: Stats,
}

/// The mailbox's state.
pub struct Store {
    inner: Mutex<Inner>,
    file: Option<PathBuf>,
}

impl Store {
    /// A store appending to `file` (when given), with the messages already in it.
    pub fn open(file: Option<PathBuf>) -> Self {
        let mut inner = Inner::default();
        if let Some(path) = &file
            && let Ok(text) = std::fs::read_to_string(path)
        {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                match serde_json::from_str::<Mail>(line) {
                    Ok(mail) => inner.remember(mail),
                    Err(error) => {
                        tracing::warn!(path = %path.display(), %error, "skipping a mailbox line");
                    }
                }
            }
        }
        Self {
            inner: Mutex::new(inner),
            file,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the next delivery must fail (consuming one injected fault).
    pub fn take_fault(&self) -> bool {
        let mut inner = self.lock();
        if inner.fail_next == 0 {
            return false;
        }
        inner.fail_next -= 1;
        inner.stats.refused += 1;
        true
    }

    /// Counts a request refused for its content.
    pub fn refuse(&self) {
        self.lock().stats.refused += 1;
    }

    /// Stores a valid submission received at `received_at`, unless its key was
    /// seen before.
    pub fn deliver(
        &self,
        submission: Submission,
        key: Option<String>,
        received_at: String,
    ) -> Outcome {
        let mut inner = self.lock();
        if let Some(id) = key.as_ref().and_then(|k| inner.by_key.get(k)).cloned() {
            inner.stats.duplicates += 1;
            return Outcome::Duplicate(id);
        }
        let mail = Mail {
            id: (inner.next_id + 1).to_string(),
            from: submission.from,
            to: submission.to,
            subject: submission.subject,
            text: submission.text,
            html: submission.html,
            received_at,
            idempotency_key: key,
        };
        if let Some(path) = &self.file {
            let appended = serde_json::to_string(&mail)
                .map_err(std::io::Error::other)
                .and_then(|line| {
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)?
                        .write_all(format!("{line}\n").as_bytes())
                });
            if let Err(error) = appended {
                tracing::warn!(path = %path.display(), %error, "cannot append to the mailbox file");
            }
        }
        let id = mail.id.clone();
        inner.remember(mail);
        inner.stats.accepted += 1;
        Outcome::Accepted(id)
    }

    /// Makes the next `n` deliveries fail.
    pub fn fail_next(&self, n: u64) {
        self.lock().fail_next = n;
    }

    /// The messages (to `to` when given, compared without case), oldest first.
    pub fn list(&self, to: Option<&str>) -> Vec<Mail> {
        let to = to.map(|t| t.trim().to_lowercase());
        self.lock()
            .mails
            .iter()
            .filter(|m| to.as_deref().is_none_or(|to| addressed_to(&m.to, to)))
            .cloned()
            .collect()
    }

    /// One message.
    pub fn get(&self, id: &str) -> Option<Mail> {
        self.lock().mails.iter().find(|m| m.id == id).cloned()
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        self.lock().stats
    }
}

impl Inner {
    fn remember(&mut self, mail: Mail) {
        if let Ok(n) = mail.id.parse::<u64>() {
            self.next_id = self.next_id.max(n);
        }
        if let Some(key) = &mail.idempotency_key {
            self.by_key.insert(key.clone(), mail.id.clone());
        }
        self.mails.push(mail);
    }
}

/// Whether `to` (`a@b` or `Name <a@b>`) is the address `address` (lowercase).
fn addressed_to(to: &str, address: &str) -> bool {
    let to = to.trim().to_lowercase();
    let bare = match (to.rfind('<'), to.rfind('>')) {
        (Some(start), Some(end)) if start < end => &to[start + 1..end],
        _ => to.as_str(),
    };
    bare.trim() == address
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(to: &str) -> Submission {
        Submission {
            from: "QMI <ne-pas-repondre@qmi.localhost>".into(),
            to: to.into(),
            subject: "Bonjour".into(),
            text: "Voir https://example.org/a".into(),
            html: None,
        }
    }

    #[test]
    fn keys_deduplicate_and_faults_count() {
        let store = Store::open(None);
        let first = store.deliver(submission("a@example.org"), Some("k1".into()), "t".into());
        assert_eq!(first, Outcome::Accepted("1".into()));
        assert_eq!(
            store.deliver(submission("a@example.org"), Some("k1".into()), "t".into()),
            Outcome::Duplicate("1".into())
        );
        store.deliver(submission("B@example.org"), None, "t".into());
        store.deliver(submission("Bea <b@example.org>"), None, "t".into());
        store.fail_next(1);
        assert!(store.take_fault());
        assert!(!store.take_fault());
        assert_eq!(
            store.stats(),
            Stats {
                accepted: 3,
                duplicates: 1,
                refused: 1
            }
        );
        assert_eq!(store.list(Some("b@EXAMPLE.org")).len(), 2);
        assert_eq!(store.list(None).len(), 3);
        assert_eq!(store.get("2").unwrap().to, "B@example.org");
    }

    #[test]
    fn messages_survive_a_restart() {
        let dir = std::env::temp_dir().join(format!("qmi-mailbox-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("mailbox.jsonl");
        let store = Store::open(Some(file.clone()));
        store.deliver(submission("a@example.org"), Some("k".into()), "t".into());
        drop(store);
        let again = Store::open(Some(file));
        assert_eq!(again.list(None).len(), 1);
        assert!(matches!(
            again.deliver(submission("a@example.org"), Some("k".into()), "t".into()),
            Outcome::Duplicate(_)
        ));
        assert_eq!(
            again.deliver(submission("a@example.org"), None, "t".into()),
            Outcome::Accepted("2".into())
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn submissions_are_checked() {
        assert_eq!(submission("a@example.org").problem(), None);
        assert_eq!(submission("Bea <b@example.org>").problem(), None);
        assert_eq!(submission("nobody").problem().unwrap().0, "to");
        let mut s = submission("a@example.org");
        s.subject = " ".into();
        assert_eq!(s.problem().unwrap().0, "subject");
    }
}
