//! The tenant registry: communes, their status, figures and status history.

use super::*;

/// A commune's place in the programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommuneStatus {
    /// A member of the metropolis, not (yet) in the programme.
    Member,
    /// Has applied to host a district.
    Candidate,
    /// Hosts an active innovation district.
    District,
    /// Suspended by an operator: its people are refused.
    Suspended,
}

impl CommuneStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Member,
        Self::Candidate,
        Self::District,
        Self::Suspended,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Candidate => "candidate",
            Self::District => "district",
            Self::Suspended => "suspended",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A commune of the tenant registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Commune {
    /// INSEE code (tenant key).
    pub insee: Insee,
    /// Official name.
    pub name: String,
    /// Département code (`75`, `93`, `2A`, `974`).
    pub departement: String,
    /// Territorial establishment (EPT) SIREN; Paris is its own territory.
    pub ept_code: Option<String>,
    /// Territorial establishment name.
    pub ept_name: Option<String>,
    /// The metropolis (EPCI SIREN), `200054781` for the Métropole du Grand Paris.
    pub metropolis_code: Option<String>,
    /// INSEE legal population.
    pub population: Option<u64>,
    /// Status in the programme.
    pub status: CommuneStatus,
}

/// `GET /api/figures`: the registry counted — what the home page shows, without
/// reading the registry page by page (10,000 communes stay one request).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Figures {
    /// Communes in the registry.
    pub communes: u64,
    /// Their total legal population.
    pub population: u64,
    /// Per status in the programme (`code` is the status wire name).
    pub by_status: Vec<Tally>,
    /// Per département (`code` is the département code).
    pub by_departement: Vec<Tally>,
    /// Per territory (`code` is the EPT SIREN, `name` its name), largest first.
    pub by_territory: Vec<Tally>,
}

impl Figures {
    /// The number of communes with `status`.
    pub fn with_status(&self, status: CommuneStatus) -> u64 {
        self.by_status
            .iter()
            .find(|t| t.code == status.as_str())
            .map_or(0, |t| t.communes)
    }
}

/// Communes and population of one group of [`Figures`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// The group's code.
    pub code: String,
    /// The group's name, where it has one.
    pub name: Option<String>,
    /// Communes in the group.
    pub communes: u64,
    /// Their total legal population.
    pub population: u64,
}

/// `POST /api/admin/communes`: adds a commune of any metropolis.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommune {
    /// INSEE code.
    pub insee: Insee,
    /// Official name.
    pub name: String,
    /// EPT SIREN, if any.
    #[serde(default)]
    pub ept_code: Option<String>,
    /// EPT name, if any.
    #[serde(default)]
    pub ept_name: Option<String>,
    /// The metropolis (EPCI SIREN).
    #[serde(default)]
    pub metropolis_code: Option<String>,
    /// Population.
    #[serde(default)]
    pub population: Option<u64>,
    /// Initial status (default `member`; not `suspended`).
    #[serde(default)]
    pub status: Option<CommuneStatus>,
}

/// `POST /api/admin/communes/{insee}/suspend`: why the commune is suspended
/// (required; kept with the commune's status history).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suspension {
    /// The reason, 3 to 500 characters.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One change of a commune's status (`GET /api/admin/communes/{insee}/history`),
/// newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CommuneStatusEntry {
    /// The status the commune took.
    pub status: CommuneStatus,
    /// Why (required for a suspension).
    pub reason: Option<String>,
    /// The account that made the change, if a person made it.
    pub by: Option<String>,
    /// When, RFC 3339 (UTC).
    pub at: String,
}
