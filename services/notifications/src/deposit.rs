//! `POST /internal/notifications/deposit` (internal, with the internal token, from the services
//! outboxes): every envelope once, all of one deposit in one transaction. An
//! `account` event updates the directory and releases the messages that waited for
//! that account; a message is resolved to its recipients, who get an in-app notice
//! (accounts only) and an e-mail (unless they opted out of its topic).

use qmi_api::identity::Lang;
use qmi_api::notifications::{Deposit, Envelope, Event, Recipient, Topic};
use qmi_kit::store::{Db, StoreError};

use crate::templates::{app_path, render};

/// Someone a message goes to.
struct Target {
    /// The account (`None`: an address without one; no notice, no preferences).
    account_id: Option<String>,
    email: String,
    name: Option<String>,
    lang: Lang,
}

fn lang_of(s: &str) -> Lang {
    if s == "en" { Lang::En } else { Lang::Fr }
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn kind_of(event: &Event) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// Writes a deposit; returns how many envelopes were new.
pub async fn deposit(db: &Db, deposit: &Deposit, public_url: &str) -> Result<u32, StoreError> {
    db.atomic(async |db| {
        let mut fresh = 0;
        for envelope in &deposit.envelopes {
            if accept(db, envelope, public_url).await? {
                fresh += 1;
            }
        }
        Ok(fresh)
    })
    .await
}

/// One envelope; `false` when it was deposited before.
async fn accept(db: &Db, envelope: &Envelope, public_url: &str) -> Result<bool, StoreError> {
    let event_json = serde_json::to_string(&envelope.event).unwrap_or_default();
    db.platform().run(
        "INSERT INTO envelopes (id, kind, at, tenant, event, deposited_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        vec![
            envelope.id.as_str().into(),
            kind_of(&envelope.event).into(),
            envelope.at.as_str().into(),
            envelope.tenant.as_ref().map(|t| t.as_str()).into(),
            event_json.into(),
            qmi_kit::time::now().0.into(),
        ],
    )
    .await?;
    if db.changes().await == 0 {
        return Ok(false);
    }
    match &envelope.event {
        Event::Account {
            account_id,
            email,
            name,
            lang,
            organisation_id,
        } => {
            // The latest profile wins, whatever order the envelopes arrive in.
            db.platform().run(
                "INSERT INTO directory (account_id, email, name, lang, organisation_id, at) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, name = excluded.name, lang = excluded.lang, \
                 organisation_id = excluded.organisation_id, at = excluded.at WHERE excluded.at >= directory.at",
                vec![
                    account_id.as_str().into(),
                    email.as_str().into(),
                    name.as_str().into(),
                    lang.as_str().into(),
                    organisation_id.as_deref().into(),
                    envelope.at.as_str().into(),
                ],
            )
            .await?;
            release_waiting(db, account_id, public_url).await?;
        }
        event => {
            let targets = match event.recipient() {
                None => Vec::new(),
                Some(Recipient::Account { account_id }) => {
                    match directory_entry(db, account_id).await? {
                        Some(target) => vec![target],
                        None => {
                            db.platform().run(
                                "INSERT INTO waiting (account_id, envelope_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                vec![account_id.as_str().into(), envelope.id.as_str().into()],
                            )
                            .await?;
                            Vec::new()
                        }
                    }
                }
                Some(Recipient::Organisation { organisation_id }) => {
                    organisation_members(db, organisation_id).await?
                }
                Some(Recipient::Address { email, name, lang }) => vec![Target {
                    account_id: None,
                    email: email.as_str().to_owned(),
                    name: name.clone(),
                    lang: *lang,
                }],
            };
            let stored = Stored {
                id: &envelope.id,
                at: &envelope.at,
                tenant: envelope.tenant.as_ref().map(|t| t.as_str()),
            };
            for target in targets {
                write(db, &stored, event, &target, public_url).await?;
            }
        }
    }
    Ok(true)
}

fn target_of(r: qmi_kit::sql::Row<'_>) -> Target {
    Target {
        account_id: Some(r.string("account_id")),
        email: r.string("email"),
        name: Some(r.string("name")),
        lang: lang_of(r.text("lang").unwrap_or("fr")),
    }
}

async fn directory_entry(db: &Db, account_id: &str) -> Result<Option<Target>, StoreError> {
    let rows = db
        .platform()
        .run(
            "SELECT account_id, email, name, lang FROM directory WHERE account_id = ?",
            vec![account_id.into()],
        )
        .await?;
    Ok(rows.first().map(target_of))
}

async fn organisation_members(db: &Db, organisation_id: &str) -> Result<Vec<Target>, StoreError> {
    let rows = db
        .platform().run(
            "SELECT account_id, email, name, lang FROM directory WHERE organisation_id = ? ORDER BY account_id",
            vec![organisation_id.into()],
        )
        .await?;
    Ok(rows.iter().map(target_of).collect())
}

/// The messages that waited for `account_id`'s profile, now written.
async fn release_waiting(db: &Db, account_id: &str, public_url: &str) -> Result<(), StoreError> {
    let Some(target) = directory_entry(db, account_id).await? else {
        return Ok(());
    };
    let rows = db
        .platform().run(
            "SELECT e.id, e.at, e.tenant, e.event FROM waiting w JOIN envelopes e ON e.id = w.envelope_id \
             WHERE w.account_id = ? ORDER BY e.id",
            vec![account_id.into()],
        )
        .await?;
    for r in rows.iter() {
        match serde_json::from_str::<Event>(r.text("event").unwrap_or("")) {
            Ok(event) => {
                let stored = Stored {
                    id: r.text("id").unwrap_or(""),
                    at: r.text("at").unwrap_or(""),
                    tenant: r.text("tenant"),
                };
                write(db, &stored, &event, &target, public_url).await?
            }
            Err(e) => qmi_kit::log!(
                "notifications: waiting envelope {} unreadable: {e}",
                r.string("id")
            ),
        }
    }
    db.platform()
        .run(
            "DELETE FROM waiting WHERE account_id = ?",
            vec![account_id.into()],
        )
        .await
        .map(drop)
}

/// The topics `account_id` receives by e-mail.
pub async fn topics(db: &Db, account_id: &str) -> Result<Vec<Topic>, StoreError> {
    let rows = db
        .platform()
        .run(
            "SELECT email FROM preferences WHERE account_id = ?",
            vec![account_id.into()],
        )
        .await?;
    Ok(match rows.first() {
        None => Topic::ALL.to_vec(),
        Some(r) => serde_json::from_str(r.text("email").unwrap_or("[]")).unwrap_or_default(),
    })
}

/// What is kept of an envelope for its notices and e-mails.
struct Stored<'a> {
    id: &'a str,
    at: &'a str,
    /// The commune whose content the message carries.
    tenant: Option<&'a str>,
}

/// The notice (for an account) and the e-mail (unless opted out) of one message to
/// one target; both idempotent.
async fn write(
    db: &Db,
    envelope: &Stored<'_>,
    event: &Event,
    target: &Target,
    public_url: &str,
) -> Result<(), StoreError> {
    let (envelope_id, at) = (envelope.id, envelope.at);
    let Some(message) = render(event, target.lang, target.name.as_deref(), public_url) else {
        return Ok(());
    };
    let mut email = true;
    if let Some(account_id) = &target.account_id {
        db.platform().run(
            "INSERT INTO notices (id, account_id, envelope_id, kind, title, body, link, at, tenant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (envelope_id, account_id) DO NOTHING",
            vec![
                new_id().into(),
                account_id.as_str().into(),
                envelope_id.into(),
                kind_of(event).into(),
                message.subject.as_str().into(),
                message.summary.as_str().into(),
                message.notice_link.as_deref().map(app_path).into(),
                at.into(),
                envelope.tenant.into(),
            ],
        )
        .await?;
        if let Some(topic) = event.topic() {
            email = topics(db, account_id).await?.contains(&topic);
        }
    }
    if !email || target.email.is_empty() {
        return Ok(());
    }
    let t = qmi_kit::time::now().0;
    db.platform().run(
        "INSERT INTO mails (id, envelope_id, account_id, to_address, subject, text, html, next_attempt_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (envelope_id, to_address) DO NOTHING",
        vec![
            new_id().into(),
            envelope_id.into(),
            target.account_id.as_deref().into(),
            target.email.as_str().into(),
            message.subject.as_str().into(),
            message.text(target.lang).into(),
            message.html(target.lang).into(),
            t.into(),
            t.into(),
        ],
    )
    .await
    .map(drop)
}
