//! The `partners` service's routes: the partner directory (profiles, search
//! with facets, logos, track records, merges) and the notes each commune and
//! the programme team keep on organisations.

use super::{QueryParam, file_body, s};
use crate::partners::*;

const DIRECTORY_QUERY: &[QueryParam] = &[
    QueryParam {
        name: "q",
        ty: "string",
        description: "Words to find in names, descriptions and offers (French: accents, case and plurals ignored; the last word is a prefix).",
    },
    QueryParam {
        name: "kind",
        ty: "string",
        description: "startup, association, sme, large_company, public_body, funder or research.",
    },
    QueryParam {
        name: "theme",
        ty: "string",
        description: "One of the programme's themes.",
    },
    QueryParam {
        name: "country",
        ty: "string",
        description: "ISO 3166-1 alpha-2 code.",
    },
    QueryParam {
        name: "commune",
        ty: "string",
        description: "INSEE code of a commune where the organisation applied or experimented.",
    },
    QueryParam {
        name: "siret",
        ty: "string",
        description: "Only the organisation with this SIRET (an account without an organisation finds the one it may ask to join).",
    },
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 100 (default 20).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

super::catalogue! {
    /// The operations of the `partners` service.
    service Partners = "partners";
    ListOrganisations = "listOrganisations": GET "/api/organisations", Public, 200,
        "The partner directory: public profiles for everyone, every profile for commune staff and operators; searched in French, with facets",
        query: DIRECTORY_QUERY, request: None, response: Some(s::<Directory>);
    CreateOrganisation = "createOrganisation": POST "/api/organisations", Principal, 201,
        "Create an organisation (its creator joins it unless an operator)",
        query: &[], request: Some(s::<NewProfile>), response: Some(s::<Profile>);
    GetOrganisation = "getOrganisation": GET "/api/organisations/{id}", Public, 200,
        "One organisation's profile (contacts for commune staff, operators and its members); a merged record answers 308 to its survivor",
        query: &[], request: None, response: Some(s::<Profile>);
    UpdateOrganisation = "updateOrganisation": PATCH "/api/organisations/{id}", Principal, 200,
        "Change a profile (its members or a programme operator)",
        query: &[], request: Some(s::<ProfilePatch>), response: Some(s::<Profile>);
    GetLogo = "getLogo": GET "/api/organisations/{id}/logo", Public, 200,
        "The organisation's logo (PNG or JPEG)",
        query: &[], request: None, response: Some(file_body);
    PutLogo = "putLogo": PUT "/api/organisations/{id}/logo", Principal, 200,
        "Replace the logo: a PNG or JPEG image of at most 512 KiB, checked by its whole content",
        query: &[], request: Some(file_body), response: Some(s::<Profile>);
    DeleteLogo = "deleteLogo": DELETE "/api/organisations/{id}/logo", Principal, 204,
        "Remove the logo",
        query: &[], request: None, response: None;
    GetTrackRecord = "getTrackRecord": GET "/api/organisations/{id}/track-record", Public, 200,
        "The calls the organisation applied to and the experiments it ran, where, with their outcomes (what the caller may see)",
        query: &[], request: None, response: Some(s::<TrackRecord>);
    MergeOrganisation = "mergeOrganisation": POST "/api/organisations/{id}/merge", Operator, 200,
        "Merge a duplicate record into this one (programme operators): its applications, experiments, members and notes move over",
        query: &[], request: Some(s::<MergeRequest>), response: Some(s::<MergeReport>);
    ListProgrammeNotes = "listProgrammeNotes": GET "/api/organisations/{id}/programme-notes", Operator, 200,
        "The programme team's notes on the organisation (programme operators)",
        query: &[], request: None, response: Some(s::<Vec<Note>>);
    AddProgrammeNote = "addProgrammeNote": POST "/api/organisations/{id}/programme-notes", Operator, 201,
        "Write a programme note on the organisation",
        query: &[], request: Some(s::<NoteInput>), response: Some(s::<Note>);
    EditProgrammeNote = "editProgrammeNote": PATCH "/api/organisations/{id}/programme-notes/{note}", Operator, 200,
        "Change a programme note (its earlier text is kept)",
        query: &[], request: Some(s::<NoteInput>), response: Some(s::<Note>);
    GetProgrammeNoteHistory = "getProgrammeNoteHistory": GET "/api/organisations/{id}/programme-notes/{note}/history", Operator, 200,
        "Every version of a programme note, oldest first",
        query: &[], request: None, response: Some(s::<Vec<NoteVersion>>);
    ListNotes = "listNotes": GET "/api/organisations/{id}/notes/{insee}", Tenant, 200,
        "The commune's private notes on the organisation (its admins and agents)",
        query: &[], request: None, response: Some(s::<Vec<Note>>);
    AddNote = "addNote": POST "/api/organisations/{id}/notes/{insee}", Tenant, 201,
        "Write a private note of the commune on the organisation",
        query: &[], request: Some(s::<NoteInput>), response: Some(s::<Note>);
    EditNote = "editNote": PATCH "/api/organisations/{id}/notes/{insee}/{note}", Tenant, 200,
        "Change one of the commune's notes (its earlier text is kept)",
        query: &[], request: Some(s::<NoteInput>), response: Some(s::<Note>);
    GetNoteHistory = "getNoteHistory": GET "/api/organisations/{id}/notes/{insee}/{note}/history", Tenant, 200,
        "Every version of one of the commune's notes, oldest first",
        query: &[], request: None, response: Some(s::<Vec<NoteVersion>>);
}
