//! The partner directory (service `partners`): organisation profiles, one
//! identity across every commune, searchable in French; each commune's private
//! notes on them and the programme team's own.
//!
//! An organisation's card ([`Organisation`]: id, name, kind, country, SIRET) is
//! what other services need; its [`Profile`] is the whole record. Accounts and
//! memberships stay `identity`'s.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::identity::{Country, Email, Organisation, OrganisationKind, Siret};
use crate::tenancy::Insee;

/// Longest name, in characters.
pub const NAME_MAX: usize = 200;
/// Longest short description, in characters.
pub const SUMMARY_MAX: usize = 300;
/// Longest long description, in characters.
pub const DESCRIPTION_MAX: usize = 8_000;
/// Most themes on a profile.
pub const THEMES_MAX: usize = 12;
/// Most offers on a profile.
pub const OFFERS_MAX: usize = 20;
/// Most contacts on a profile.
pub const CONTACTS_MAX: usize = 10;
/// Largest logo, in bytes.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;
/// Longest note, in characters.
pub const NOTE_MAX: usize = 10_000;

/// A text in French, optionally in English.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Texts {
    /// French (the reference).
    #[serde(default)]
    pub fr: String,
    /// English, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// A solution or an offer the organisation brings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Offer {
    /// Its title.
    pub title: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
}

/// A contact person: shown to signed-in commune staff, programme operators and
/// the organisation's members, never to the public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Role in the organisation.
    #[serde(default)]
    pub role: String,
    /// E-mail.
    pub email: Email,
    /// Telephone, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// An organisation's profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Profile {
    /// Id (UUID v7).
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Country.
    pub country: Country,
    /// SIRET (French organisations).
    pub siret: Option<Siret>,
    /// VAT or company-registry number (organisations outside France).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_number: Option<String>,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Website (`https://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Where its logo is served, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Short description.
    pub summary: Texts,
    /// Long description.
    pub description: Texts,
    /// The programme's themes it works on.
    pub themes: Vec<String>,
    /// Solutions or offers.
    pub offers: Vec<Offer>,
    /// Contacts: present only for those who may see them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
    /// Whether the profile is in the public directory.
    pub public: bool,
    /// Last change (RFC 3339, UTC).
    pub updated_at: String,
}

impl Profile {
    /// The card other services use.
    pub fn card(&self) -> Organisation {
        Organisation {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
            country: self.country.clone(),
            siret: self.siret.clone(),
        }
    }
}

/// `POST /api/organisations`: a new organisation (its creator becomes its first
/// member unless a programme operator creates it).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProfile {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Country (ISO 3166-1 alpha-2).
    pub country: Country,
    /// SIRET, required when the country is FR (its Luhn key is checked).
    #[serde(default)]
    pub siret: Option<Siret>,
    /// VAT or registry number (organisations outside France).
    #[serde(default)]
    pub registry_number: Option<String>,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Short description.
    #[serde(default)]
    pub summary: Texts,
    /// Long description.
    #[serde(default)]
    pub description: Texts,
    /// Themes.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Offers.
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// Contacts.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// In the public directory (default: yes).
    #[serde(default = "yes")]
    pub public: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH /api/organisations/{id}`: the fields to change (absent: unchanged;
/// `null` for `website` and `registry_number` clears them).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Kind.
    #[serde(default)]
    pub kind: Option<OrganisationKind>,
    /// Country.
    #[serde(default)]
    pub country: Option<Country>,
    /// SIRET (`null` clears it: an organisation that moved abroad).
    #[serde(default, with = "patch_field", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Siret>")]
    pub siret: Option<Option<Siret>>,
    /// VAT or registry number.
    #[serde(default, with = "patch_field", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub registry_number: Option<Option<String>>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Website.
    #[serde(default, with = "patch_field", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub website: Option<Option<String>>,
    /// Short description.
    #[serde(default)]
    pub summary: Option<Texts>,
    /// Long description.
    #[serde(default)]
    pub description: Option<Texts>,
    /// Themes (the whole list).
    #[serde(default)]
    pub themes: Option<Vec<String>>,
    /// Offers (the whole list).
    #[serde(default)]
    pub offers: Option<Vec<Offer>>,
    /// Contacts (the whole list).
    #[serde(default)]
    pub contacts: Option<Vec<Contact>>,
    /// In the public directory.
    #[serde(default)]
    pub public: Option<bool>,
}

/// A field a PATCH may set, clear (`null`) or leave out.
mod patch_field {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// A facet value and how many matching organisations carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FacetCount {
    /// The value (a kind, a theme, a country, an INSEE code).
    pub value: String,
    /// Organisations among the matches.
    pub count: u64,
}

/// Counts per facet over every match of a search (not only the page).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Facets {
    /// By kind.
    pub kind: Vec<FacetCount>,
    /// By theme.
    pub theme: Vec<FacetCount>,
    /// By country.
    pub country: Vec<FacetCount>,
    /// By commune where they applied or experimented.
    pub commune: Vec<FacetCount>,
}

/// One organisation found by the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DirectoryEntry {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Country.
    pub country: Country,
    /// SIRET.
    pub siret: Option<Siret>,
    /// City.
    pub city: String,
    /// Short description (French).
    pub summary: String,
    /// Themes.
    pub themes: Vec<String>,
    /// Whether the profile is public.
    pub public: bool,
    /// Where the words searched for appear, marked `[…]` around each match
    /// (plain text: the client escapes it and turns the brackets into marks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

/// `GET /api/organisations`: a page of the directory, best match first when
/// searching (by name otherwise), with the facets of every match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Directory {
    /// The page.
    pub items: Vec<DirectoryEntry>,
    /// Opaque cursor of the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many organisations match.
    pub total: u64,
    /// Counts per facet over every match.
    pub facets: Facets,
}

/// A call the organisation applied to, on its track record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrackApplication {
    /// The application.
    pub application_id: String,
    /// The call.
    pub call_id: String,
    /// The call's title.
    pub call_title: String,
    /// The commune.
    pub insee: Insee,
    /// The application's status.
    pub status: String,
}

/// An experiment the organisation ran or runs, on its track record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrackExperiment {
    /// The experiment.
    pub experiment_id: String,
    /// Its title.
    pub title: String,
    /// The commune where it runs.
    pub insee: Insee,
    /// The commune's name.
    pub commune_name: String,
    /// Its status.
    pub status: String,
    /// Its outcome, once concluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// `GET /api/organisations/{id}/track-record`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrackRecord {
    /// Calls applied to that the caller may see.
    pub applications: Vec<TrackApplication>,
    /// Experiments the caller may see, published ones for everybody.
    pub experiments: Vec<TrackExperiment>,
}

/// `POST /api/organisations/{id}/merge`: the duplicate record merged into this
/// one (its applications, experiments, members and notes move over; it then
/// answers with a redirect to this one).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The duplicate's id.
    pub duplicate_id: String,
}

/// What a merge moved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MergeReport {
    /// The organisation kept.
    pub kept: String,
    /// The record merged into it.
    pub merged: String,
    /// Applications re-pointed.
    pub applications: u64,
    /// Experiment links re-pointed.
    pub experiments: u64,
    /// Members moved.
    pub members: u64,
    /// Notes moved (every commune's and the programme's).
    pub notes: u64,
}

/// `POST /api/organisations/{id}/links/merge` (each service that links
/// records to organisations): re-points its links from `from` to `to`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repoint {
    /// The record merged away.
    pub from: String,
}

/// How many links a service re-pointed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Repointed {
    /// Links moved.
    pub moved: u64,
}

/// A note on an organisation: a commune's (its staff only) or the programme's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Note {
    /// Id (UUID v7).
    pub id: String,
    /// The organisation.
    pub organisation_id: String,
    /// The commune whose note it is (`null`: the programme's).
    pub insee: Option<Insee>,
    /// Text.
    pub text: String,
    /// Who wrote it first (display name).
    pub author: String,
    /// When it was written (RFC 3339, UTC).
    pub created_at: String,
    /// Who changed it last (display name).
    pub edited_by: String,
    /// When it was changed last.
    pub updated_at: String,
    /// How many versions it has (1: never edited).
    pub versions: u32,
}

/// A note's earlier or current text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoteVersion {
    /// 1 for the first text.
    pub version: u32,
    /// Text.
    pub text: String,
    /// Who wrote this version.
    pub author: String,
    /// When.
    pub written_at: String,
}

/// `POST` a note, `PATCH` its text.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// Text (1 to 10,000 characters).
    pub text: String,
}

/// Where an organisation is present, as `applications` and `experiments` tell
/// `partners` (`POST /presence` on its private route, Spin service chaining)
/// when they record an application or an experiment: the commune facet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Presence {
    /// The organisation.
    pub organisation_id: String,
    /// The commune.
    pub insee: Insee,
    /// What brought it there.
    pub source: PresenceSource,
}

/// What made an organisation present in a commune.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresenceSource {
    /// It applied to one of the commune's calls.
    Application,
    /// It holds or joined one of the commune's experiments.
    Experiment,
}

impl PresenceSource {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Experiment => "experiment",
        }
    }
}
