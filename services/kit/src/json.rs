//! JSON request bodies: content-type check (415) and serde errors turned into a
//! 400 problem naming the field at fault. A struct is read only from a JSON
//! object, never from an array (`json/strict.rs`).

mod strict;

use serde::de::DeserializeOwned;

use self::strict::Strict;
use crate::problem::Problem;

/// Whether a `content-type` value is JSON (`application/json`, `…+json`,
/// with or without parameters).
pub fn is_json_content_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON body of type `T`.
///
/// - no or non-JSON `content-type` → 415;
/// - empty or malformed JSON → 400 with the line and column;
/// - an array where an object (a struct) is expected, at any depth → 400;
/// - a field of the wrong type, a missing field, an unknown variant → 400
///   whose `errors` names the field (`members[0].role`).
pub fn parse_json<T: DeserializeOwned>(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<T, Problem> {
    match content_type {
        Some(ct) if is_json_content_type(ct) => {}
        other => return Err(Problem::unsupported_media_type(other)),
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(
            Problem::bad_request("the request body is empty; a JSON document is expected")
                .field("", "empty body"),
        );
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(Strict(&mut de)).map_err(|err| {
        let mut field = err.path().to_string();
        if field == "." {
            field = String::new();
        }
        from_serde(field, err.inner())
    })?;
    de.end().map_err(|e| from_serde(String::new(), &e))?;
    Ok(value)
}

/// The 400 problem for a serde error at `field`.
fn from_serde(mut field: String, inner: &serde_json::Error) -> Problem {
    let message = strip_position(&inner.to_string());
    if let Some(missing) = missing_field(&message) {
        field = if field.is_empty() {
            missing.to_owned()
        } else {
            format!("{field}.{missing}")
        };
    }
    let detail = if inner.is_syntax() || inner.is_eof() {
        format!(
            "malformed JSON at line {} column {}: {message}",
            inner.line(),
            inner.column()
        )
    } else if field.is_empty() {
        format!("the body does not match the expected document: {message}")
    } else {
        format!("invalid field `{field}`: {message}")
    };
    Problem::bad_request(detail).field(field, message)
}

/// `missing field `email`` → `email`.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Drops serde_json's ` at line L column C` suffix.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Member {
        #[allow(dead_code)]
        role: qmi_api::MembershipRole,
    }

    #[derive(Debug, Deserialize)]
    struct Body {
        #[allow(dead_code)]
        email: String,
        #[allow(dead_code)]
        #[serde(default)]
        members: Vec<Member>,
    }

    fn err(body: &str) -> Problem {
        parse_json::<Body>(Some("application/json"), body.as_bytes()).unwrap_err()
    }

    #[test]
    fn content_type_is_checked() {
        assert_eq!(parse_json::<Body>(None, b"{}").unwrap_err().status, 415);
        assert_eq!(
            parse_json::<Body>(Some("text/plain"), b"{}")
                .unwrap_err()
                .status,
            415
        );
        assert!(
            parse_json::<Body>(Some("application/json; charset=utf-8"), br#"{"email":"a"}"#)
                .is_ok()
        );
        assert!(is_json_content_type("application/merge-patch+json"));
    }

    #[test]
    fn malformed_json_is_400_with_position() {
        let p = err(r#"{"email": "#);
        assert_eq!(p.status, 400);
        assert!(p.detail.unwrap().contains("malformed JSON at line 1"));
        assert_eq!(err("").status, 400);
        assert_eq!(err(r#"{"email":"a"} trailing"#).status, 400);
    }

    #[test]
    fn names_the_field() {
        let p = err(r#"{"email": 3}"#);
        assert_eq!(p.errors[0].field, "email");
        let p = err(r#"{}"#);
        assert_eq!(p.errors[0].field, "email");
        assert!(p.errors[0].message.contains("missing field"));
        let p = err(r#"{"email":"a","members":[{"role":"admin"},{"role":"boss"}]}"#);
        assert_eq!(p.errors[0].field, "members[1].role");
        let p = err(r#"{"email":"a","members":[{}]}"#);
        assert_eq!(p.errors[0].field, "members[0].role");
    }

    #[test]
    fn an_array_is_no_object() {
        // serde_json alone takes these arrays for the structs.
        assert!(serde_json::from_str::<Body>(r#"["a@b.fr", []]"#).is_ok());
        assert!(
            serde_json::from_str::<qmi_api::identity::AddMember>(r#"["a@b.fr", "admin", null]"#)
                .is_ok()
        );
        assert!(serde_json::from_str::<Body>(r#"{"email":"a","members":[["admin"]]}"#).is_ok());

        let p = err(r#"["a@b.fr", []]"#);
        assert_eq!((p.status, p.errors[0].field.as_str()), (400, ""));
        assert_eq!(
            p.detail.as_deref(),
            Some(
                "the body does not match the expected document: invalid type: sequence, expected struct Body"
            )
        );
        let p = err(r#"{"email":"a","members":[{"role":"admin"},["admin"]]}"#);
        assert_eq!((p.status, p.errors[0].field.as_str()), (400, "members[1]"));
        assert_eq!(
            p.errors[0].message,
            "invalid type: sequence, expected struct Member"
        );
        assert_eq!(
            p.detail.as_deref(),
            Some("invalid field `members[1]`: invalid type: sequence, expected struct Member")
        );
        let p = parse_json::<qmi_api::identity::AddMember>(
            Some("application/json"),
            br#"["a@b.fr", "admin", null]"#,
        )
        .unwrap_err();
        assert_eq!((p.status, p.errors[0].field.as_str()), (400, ""));
        let p = parse_json::<qmi_api::applications::CallInput>(Some("application/json"), br#"{"title":"t","opens_at":"","closes_at":"","form":[{"id":"q","label":"Q","kind":"date"},["q2","Q2","date"]]}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "form[1]");
        let p = parse_json::<qmi_api::applications::CallInput>(
            Some("application/json"),
            br#"{"title":"t","opens_at":"","closes_at":"","eligibility":[["startup"],["FR"]]}"#,
        )
        .unwrap_err();
        assert_eq!(p.errors[0].field, "eligibility");
        // Paths inside a nested object still name the field.
        let p = parse_json::<qmi_api::applications::ScoreSheet>(
            Some("application/json"),
            br#"{"scores":[{"criterion":"impact","score":"5"}]}"#,
        )
        .unwrap_err();
        assert_eq!(p.errors[0].field, "scores[0].score");
    }

    /// Every JSON request body of the route catalogue parses a typical object,
    /// to the same value serde_json alone gives; as an array it is refused.
    #[test]
    fn request_types_of_the_catalogue_parse_their_objects() {
        use qmi_api::applications::*;
        use qmi_api::identity::*;
        use serde::Serialize;
        use serde_json::{Value, json};

        fn check<T: DeserializeOwned + Serialize>(body: Value) {
            let text = body.to_string();
            let ours: T = parse_json(Some("application/json"), text.as_bytes())
                .unwrap_or_else(|p| panic!("{text}: {p:?}"));
            let plain: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                serde_json::to_value(&ours).ok(),
                serde_json::to_value(&plain).ok(),
                "{text}"
            );
            let values: Vec<&Value> = body
                .as_object()
                .map(|o| o.values().collect())
                .unwrap_or_default();
            let array = serde_json::to_vec(&values).unwrap_or_default();
            let p = parse_json::<T>(Some("application/json"), &array)
                .err()
                .unwrap_or_else(|| panic!("array accepted for {text}"));
            assert_eq!((p.status, p.errors[0].field.as_str()), (400, ""), "{text}");
        }

        let polygon = json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.35,48.94],[2.35,48.93]]]});
        check::<CallInput>(json!({
            "insee": "93066",
            "title": "Énergie et mobilité à Saint-Denis",
            "description": "Tester des solutions dans le quartier Pleyel",
            "themes": ["Énergie", "Mobilité"],
            "challenges": ["Réduire la chaleur urbaine"],
            "eligibility": { "kinds": ["startup", "association", "sme"], "countries": [] },
            "opens_at": "2026-05-01T10:00:00Z",
            "closes_at": "2099-01-31T18:00",
            "target_selections": 3,
            "form": [
                { "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 },
                { "id": "budget", "label": "Budget (€)", "kind": "number", "required": true, "min": 0, "max": 100000 },
                { "id": "theme", "label": "Thème", "kind": "single_choice", "required": true, "options": ["energie", "mobilite"] },
                { "id": "start", "label": "Début souhaité", "kind": "date" },
                { "id": "deck", "label": "Présentation", "kind": "file" }
            ],
            "criteria": [
                { "id": "impact", "name": "Impact", "weight": 3 },
                { "id": "feasibility", "name": "Faisabilité", "weight": 1 }
            ],
            "workflow": {
                "states": [{ "id": "draft", "label": "Brouillon / Draft" }, { "id": "submitted", "label": "Déposée" }, { "id": "selected", "label": "Retenue", "decision": true }],
                "transitions": [{ "from": "draft", "to": "submitted" }, { "from": "submitted", "to": "selected" }]
            },
            "letter_template": "{{title}} : {{decision}}. Motif : {{reason}}. Note : {{score}}.",
            "published": true
        }));
        check::<CallInput>(
            json!({ "districts": ["93048", "75056"], "title": "Programme", "opens_at": "2026-01-01T00:00", "closes_at": "2026-02-01T00:00" }),
        );
        check::<ApplicationInput>(
            json!({ "title": "Solution 1", "answers": { "pitch": "Solution 1", "budget": 1000, "theme": "energie", "start": "2026-09-01", "deck": null, "tags": ["a", "b"], "nested": { "k": [1] } }, "submit": true, "district": "93048" }),
        );
        check::<ApplicationInput>(json!({ "title": "Sans réponse" }));
        check::<AssignRequest>(
            json!({ "reviewers": ["01900000-0000-7000-8000-000000000013"], "per_application": 2 }),
        );
        check::<AssignRequest>(json!({ "reviewers": ["r1", "r2"], "applications": ["a1"] }));
        check::<TransitionRequest>(json!({ "to": "selected", "reason": "Meilleure note" }));
        check::<ConflictDeclaration>(json!({ "reason": "ancien associé" }));
        check::<ScoreSheet>(
            json!({ "scores": [{ "criterion": "impact", "score": 4, "comment": "solide" }, { "criterion": "feasibility", "score": 0 }] }),
        );
        check::<CampaignInput>(
            json!({ "title": "AMI Quartiers d'innovation", "text": "Accueillez un quartier", "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2099-01-31T18:00", "published": true,
            "questions": [{ "id": "why", "label": "Pourquoi ?", "kind": "long_text", "required": true }] }),
        );
        check::<CandidacyInput>(
            json!({ "district_name": "Pleyel", "perimeter": polygon, "challenges": [{ "theme": "énergie", "text": "îlots de chaleur" }], "partners": ["Plaine Commune"], "means": "2 agents", "answers": { "why": "Un quartier en mutation" } }),
        );
        check::<CandidacyDecision>(json!({ "selected": true, "reason": "Projet solide" }));
        check::<DistrictInput>(
            json!({ "insee": "93066", "name": "Pleyel", "perimeter": polygon, "description": "Le quartier Pleyel", "challenges": [{ "theme": "mobilité", "text": "franchir les voies" }], "sites": ["Halle"], "stakeholders": ["SNCF"], "campaign_id": "c1" }),
        );
        check::<CommuneStatusChange>(json!({ "status": "district" }));
        check::<NewCommune>(
            json!({ "insee": "93066", "name": "Saint-Denis", "ept_code": "200057972", "ept_name": "Plaine Commune", "metropolis_code": "200054781", "population": 113116, "status": "candidate" }),
        );
        check::<NewCommune>(json!({ "insee": "93048", "name": "Montreuil" }));
        check::<TokenRequest>(
            json!({ "email": "admin.saint-denis@qmi.example", "password": "secret" }),
        );
        check::<RefreshRequest>(json!({ "refresh_token": "opaque" }));
        check::<AddMember>(
            json!({ "email": "reviewer@qmi.example", "role": "reviewer", "name": "Ada" }),
        );
        check::<qmi_api::partners::NewProfile>(
            json!({ "name": "Solaire", "kind": "startup", "country": "FR", "siret": "12002701600357" }),
        );
        check::<qmi_api::partners::ProfilePatch>(
            json!({ "name": "Labo BE", "kind": "research", "country": "BE" }),
        );
        check::<AddOrganisationMember>(json!({ "email": "partner@qmi.example" }));
    }
}
