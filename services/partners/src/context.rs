//! What every handler shares: the request context (the kit's, with the
//! database), a profile looked up by id with the facts the policy is asked
//! about, ids, and JSON helpers.

use qmi_api::identity::{Country, OrganisationKind, Siret};
use qmi_api::partners::{Contact, Offer, Profile, Texts};
use qmi_kit::Problem;
use qmi_kit::sql::Row;
use qmi_kit::store::Db;

pub(crate) use qmi_kit::policy::{Action, Facts};

/// The request context: the kit's (request, principal, `ask`, `sees`) and the
/// database.
pub(crate) struct Ctx<'a> {
    pub(crate) kit: qmi_kit::context::Ctx<'a>,
    pub(crate) db: Db,
}

impl<'a> std::ops::Deref for Ctx<'a> {
    type Target = qmi_kit::context::Ctx<'a>;

    fn deref(&self) -> &Self::Target {
        &self.kit
    }
}

impl Ctx<'_> {
    /// The `{id}` path parameter, an organisation id (404 when it cannot be one).
    pub(crate) fn org_id(&self) -> Result<String, Problem> {
        let id = self.param("id");
        if is_id(id) {
            Ok(id.to_owned())
        } else {
            Err(Problem::not_found(format!("no organisation {id:?}")))
        }
    }

    /// The instant of the request as the API writes it.
    pub(crate) fn stamp(&self) -> String {
        self.now().to_string()
    }
}

/// Whether `s` may be an id: letters, digits and dashes, 1 to 64.
pub(crate) fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A body id (`field`): letters, digits and dashes, or a 422 naming it.
pub(crate) fn body_id(field: &str, s: &str) -> Result<String, Problem> {
    let s = s.trim();
    if is_id(s) {
        Ok(s.to_owned())
    } else {
        Err(Problem::invalid_field(
            field,
            "an id: letters, digits and dashes",
        ))
    }
}

/// A new id (UUID v7: ordered by creation).
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// JSON text of a value (a stored column).
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Problem> {
    serde_json::to_string(v).map_err(Problem::internal)
}

/// A stored JSON column.
fn from_json<T: serde::de::DeserializeOwned + Default>(
    r: &Row<'_>,
    column: &str,
) -> Result<T, Problem> {
    match r.text(column) {
        None => Ok(T::default()),
        Some(s) => {
            serde_json::from_str(s).map_err(|e| Problem::internal(format!("stored {column}: {e}")))
        }
    }
}

/// The card in a row with the columns `id, name, kind, country, siret`.
pub(crate) fn card_of(r: &Row<'_>) -> Result<qmi_api::identity::Organisation, Problem> {
    Ok(qmi_api::identity::Organisation {
        id: r.string("id"),
        name: r.string("name"),
        kind: OrganisationKind::parse(r.text("kind").unwrap_or_default())
            .ok_or_else(|| Problem::internal("stored organisation kind"))?,
        country: r.string("country").parse().map_err(Problem::internal)?,
        siret: r
            .text("siret")
            .map(str::parse)
            .transpose()
            .map_err(Problem::internal)?,
    })
}

/// The profile columns [`Stored::of`] reads.
pub(crate) const COLUMNS: &str = "o.rowid AS rowid, o.id, o.name, o.kind, o.country, o.siret, o.registry_number, o.city, o.website, o.summary_fr, o.summary_en, o.description_fr, o.description_en, o.offers, o.contacts, o.public, o.merged_into, o.updated_at, EXISTS (SELECT 1 FROM organisation_logos l WHERE l.organisation_id = o.id) AS has_logo";

/// A stored profile, its contacts apart (shown only to some).
pub(crate) struct Stored {
    /// The profile, `contacts: None`.
    pub(crate) profile: Profile,
    /// Its contacts.
    pub(crate) contacts: Vec<Contact>,
    /// The survivor, for a merged record.
    pub(crate) merged_into: Option<String>,
}

impl Stored {
    /// Reads a row of [`COLUMNS`] (themes apart).
    pub(crate) fn of(r: Row<'_>) -> Result<Self, Problem> {
        let id = r.string("id");
        let kind = OrganisationKind::parse(r.text("kind").unwrap_or_default())
            .ok_or_else(|| Problem::internal("stored organisation kind"))?;
        let country: Country = r.string("country").parse().map_err(Problem::internal)?;
        let siret: Option<Siret> = r
            .text("siret")
            .map(str::parse)
            .transpose()
            .map_err(Problem::internal)?;
        let offers: Vec<Offer> = from_json(&r, "offers")?;
        let contacts: Vec<Contact> = from_json(&r, "contacts")?;
        let logo_url =
            (r.int("has_logo") == Some(1)).then(|| format!("/api/organisations/{id}/logo"));
        Ok(Self {
            profile: Profile {
                name: r.string("name"),
                kind,
                country,
                siret,
                registry_number: r.text("registry_number").map(str::to_owned),
                city: r.string("city"),
                website: r.text("website").map(str::to_owned),
                logo_url,
                summary: Texts {
                    fr: r.string("summary_fr"),
                    en: r.text("summary_en").map(str::to_owned),
                },
                description: Texts {
                    fr: r.string("description_fr"),
                    en: r.text("description_en").map(str::to_owned),
                },
                themes: Vec::new(),
                offers,
                contacts: None,
                public: r.int("public") == Some(1),
                updated_at: r.string("updated_at"),
                id,
            },
            contacts,
            merged_into: r.text("merged_into").map(str::to_owned),
        })
    }

    /// What the policy is asked about this profile.
    pub(crate) fn facts(&self) -> Facts {
        Facts {
            organisation: Some(self.profile.id.clone()),
            published: self.profile.public,
            ..Facts::default()
        }
    }
}

/// The profile `id` (merged or not) with its themes, or `None`.
pub(crate) async fn load(db: &Db, id: &str) -> Result<Option<Stored>, Problem> {
    let rows = db
        .platform()
        .run(
            &format!("SELECT {COLUMNS} FROM organisations o WHERE o.id = ?"),
            vec![id.into()],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let mut stored = Stored::of(row)?;
    let themes = db
        .platform()
        .run(
            "SELECT theme FROM organisation_themes WHERE organisation_id = ? ORDER BY theme",
            vec![id.into()],
        )
        .await?;
    stored.profile.themes = themes.iter().map(|r| r.string("theme")).collect();
    Ok(Some(stored))
}

/// The profile `id`, or 404.
pub(crate) async fn require(db: &Db, id: &str) -> Result<Stored, Problem> {
    load(db, id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no organisation {id}")))
}
