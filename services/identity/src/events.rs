//! What identity tells the notifications component about people (issue 12): an
//! account's current profile for its directory (`Event::Account`, on every creation
//! or change of name, e-mail, language or organisation) and a person's membership
//! added or removed. Always inside the transaction of the change.
//!
//! A child of `component`.

use qmi_api::notifications::{Event, Recipient};
use qmi_kit::outbox;

use super::*;

/// Tells the notifications directory an account's current profile
/// (`Event::Account`), inside the transaction of the change.
pub(super) async fn account_changed(db: &Db, account: &str) -> Result<(), Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT id, email, name, lang, organisation_id FROM accounts WHERE id = ?",
            vec![account.into()],
        )
        .await?;
    let Some(a) = rows.first() else {
        return Ok(());
    };
    let email: Email = a.string("email").parse().map_err(Problem::internal)?;
    outbox::enqueue(
        db,
        Event::Account {
            account_id: a.string("id"),
            email,
            name: a.string("name"),
            lang: lang_of(a.text("lang")),
            organisation_id: a.text("organisation_id").map(str::to_owned),
        },
    )
    .await?;
    Ok(())
}

/// Tells a person they were added to (or removed from) a commune or organisation.
pub(super) async fn membership_changed(
    db: &Db,
    account: &str,
    place: &str,
    commune: Option<(&Insee, Option<MembershipRole>)>,
    added: bool,
) -> Result<(), Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT name FROM accounts WHERE id = ?",
            vec![account.into()],
        )
        .await?;
    let person = rows.first().map(|r| r.string("name")).unwrap_or_default();
    outbox::enqueue(
        db,
        Event::Membership {
            recipient: Recipient::Account {
                account_id: account.to_owned(),
            },
            person,
            place: place.to_owned(),
            commune: commune.map(|(insee, _)| insee.clone()),
            role: commune.and_then(|(_, role)| role),
            added,
        },
    )
    .await?;
    Ok(())
}

pub(super) fn lang_of(lang: Option<&str>) -> Lang {
    if lang == Some("en") {
        Lang::En
    } else {
        Lang::Fr
    }
}
