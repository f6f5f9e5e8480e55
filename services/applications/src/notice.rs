//! What the applications service tells people, as plain data: the copy of the
//! answers in a receipt, the paths its messages link to, the letter of a
//! candidacy's decision, the reminder window. The component (`notify`) turns
//! them into [`qmi_api::notifications::Event`]s inside the transaction of the
//! change that causes them.

use std::collections::BTreeMap;

use qmi_api::applications::{Challenge, Question, QuestionKind};
use serde_json::Value;

/// A reminder goes to the holders of a draft this long before the call closes (72 h).
pub const REMINDER_WINDOW: i64 = 72 * 3600;

/// Drafts reminded per sweep (one transaction); the operator route runs several.
pub const REMINDER_BATCH: u32 = 50;

/// The workflow state that is a selection (any other decision is not).
pub const SELECTED: &str = "selected";

/// Where an applicant follows their applications (`/espace/candidatures`).
pub const MY_APPLICATIONS: &str = "/espace/candidatures";

/// The decision letter of application `id`.
pub fn letter_path(application: &str) -> String {
    format!("/espace/candidatures/{application}/lettre")
}

/// Where a reviewer scores application `id`.
pub fn review_path(application: &str) -> String {
    format!("/espace/evaluations/{application}")
}

/// Where an organisation finishes its draft to call `id`.
pub fn draft_path(call: &str) -> String {
    format!("/appels/{call}/candidature")
}

/// A commune's candidacy to a campaign.
pub fn candidacy_path(insee: &str, campaign: &str) -> String {
    format!("/espace/communes/{insee}/candidatures/{campaign}")
}

/// What is shown for a question left unanswered.
const NONE: &str = "—";

/// One answer as text: strings as written, numbers without a needless `.0`,
/// choices joined by commas.
pub fn answer_text(v: &Value) -> String {
    match v {
        Value::Null => NONE.to_owned(),
        Value::String(s) if s.trim().is_empty() => NONE.to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "Oui / Yes".to_owned(),
        Value::Bool(false) => "Non / No".to_owned(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::Array(items) if items.is_empty() => NONE.to_owned(),
        Value::Array(items) => items.iter().map(answer_text).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

/// The copy of an application's answers in its receipt: its title, then every
/// question of the form in the form's order (label, answer); a file is shown by
/// the name it downloads as (`file_name` of the attachment id, else the id).
pub fn application_copy(
    title: &str,
    form: &[Question],
    answers: &BTreeMap<String, Value>,
    file_name: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let mut out = vec![("Titre / Title".to_owned(), title.trim().to_owned())];
    for q in form {
        let value = match (q.kind, answers.get(&q.id)) {
            (_, None) => NONE.to_owned(),
            (QuestionKind::File, Some(Value::String(id))) if !id.trim().is_empty() => {
                file_name(id).unwrap_or_else(|| id.clone())
            }
            (_, Some(v)) => answer_text(v),
        };
        out.push((q.label.clone(), value));
    }
    out
}

/// What a commune's candidacy said, as its receipt copies it.
pub struct CandidacyCopy<'a> {
    /// Proposed district name.
    pub district_name: &'a str,
    /// Challenges by theme.
    pub challenges: &'a [Challenge],
    /// Local partners.
    pub partners: &'a [String],
    /// Means committed.
    pub means: &'a str,
    /// The campaign's questions.
    pub questions: &'a [Question],
    /// Their answers.
    pub answers: &'a BTreeMap<String, Value>,
}

/// The copy of a candidacy in its receipt: the district, its challenges,
/// partners and means, then the campaign's questions in their order.
pub fn candidacy_copy(c: &CandidacyCopy<'_>) -> Vec<(String, String)> {
    let or_none = |s: String| {
        if s.trim().is_empty() {
            NONE.to_owned()
        } else {
            s
        }
    };
    let challenges = c
        .challenges
        .iter()
        .map(|ch| format!("{} : {}", ch.theme.trim(), ch.text.trim()))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = vec![
        (
            "Nom du quartier / District name".to_owned(),
            or_none(c.district_name.trim().to_owned()),
        ),
        ("Enjeux / Challenges".to_owned(), or_none(challenges)),
        (
            "Partenaires / Partners".to_owned(),
            or_none(c.partners.join(", ")),
        ),
        (
            "Moyens / Means".to_owned(),
            or_none(c.means.trim().to_owned()),
        ),
    ];
    out.extend(
        application_copy("", c.questions, c.answers, &|_| None)
            .into_iter()
            .skip(1),
    );
    out
}

/// The letter of a candidacy's decision (campaigns have no letter template):
/// French, then English, with the reason given.
pub fn candidacy_letter(district: &str, campaign: &str, selected: bool, reason: &str) -> String {
    let (fr, en) = if selected {
        ("retenue", "selected")
    } else {
        ("non retenue", "not selected")
    };
    let reason = reason.trim();
    let mut text = format!(
        "Objet : la candidature « {district} » à la campagne « {campaign} »\nDécision : {fr}.\n"
    );
    if !reason.is_empty() {
        text.push_str(&format!("Motif : {reason}\n"));
    }
    text.push_str(&format!(
        "\nSubject: the candidacy \"{district}\" to the campaign \"{campaign}\"\nDecision: {en}.\n"
    ));
    if !reason.is_empty() {
        text.push_str(&format!("Reason: {reason}\n"));
    }
    text
}

/// Whether a call closing at `closes_at` is within the reminder window at `now`
/// (still open, closing within 72 hours).
pub fn closing_soon(closes_at: i64, now: i64) -> bool {
    now < closes_at && closes_at <= now + REMINDER_WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(id: &str, label: &str, kind: QuestionKind) -> Question {
        Question {
            id: id.into(),
            label: label.into(),
            kind,
            required: false,
            max_length: None,
            min: None,
            max: None,
            options: Vec::new(),
            max_choices: None,
        }
    }

    #[test]
    fn the_copy_follows_the_form_and_names_files() {
        let form = [
            q("pitch", "Votre solution", QuestionKind::LongText),
            q("budget", "Budget", QuestionKind::Number),
            q("themes", "Thèmes", QuestionKind::MultipleChoice),
            q("deck", "Présentation", QuestionKind::File),
            q("date", "Début", QuestionKind::Date),
        ];
        let answers: BTreeMap<String, Value> = serde_json::from_value(json!({
            "budget": 1000, "pitch": "Des cours ombragées", "deck": "att-1",
            "themes": ["Climat", "Eau"]
        }))
        .unwrap();
        let names = |id: &str| (id == "att-1").then(|| "att-1.pdf".to_owned());
        let copy = application_copy(" Cours ", &form, &answers, &names);
        let pairs: Vec<(&str, &str)> = copy.iter().map(|(l, v)| (l.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("Titre / Title", "Cours"),
                ("Votre solution", "Des cours ombragées"),
                ("Budget", "1000"),
                ("Thèmes", "Climat, Eau"),
                ("Présentation", "att-1.pdf"),
                ("Début", "—"),
            ]
        );
        assert_eq!(answer_text(&json!(2.5)), "2.5");
    }

    #[test]
    fn a_candidacy_copy_and_letter() {
        let answers: BTreeMap<String, Value> =
            serde_json::from_value(json!({ "why": "Parce que" })).unwrap();
        let questions = [q("why", "Pourquoi ?", QuestionKind::ShortText)];
        let challenges = [Challenge {
            theme: "Climat".into(),
            text: "Îlots de chaleur".into(),
        }];
        let copy = candidacy_copy(&CandidacyCopy {
            district_name: "Pleyel",
            challenges: &challenges,
            partners: &[],
            means: "",
            questions: &questions,
            answers: &answers,
        });
        assert_eq!(copy[0].1, "Pleyel");
        assert_eq!(copy[1].1, "Climat : Îlots de chaleur");
        assert_eq!(copy[2].1, "—");
        assert_eq!(copy[4], ("Pourquoi ?".to_owned(), "Parce que".to_owned()));
        let letter = candidacy_letter("Pleyel", "Vague 2", true, "Projet solide");
        assert!(letter.contains("Décision : retenue.\nMotif : Projet solide"));
        assert!(letter.contains("Decision: selected.\nReason: Projet solide"));
        assert!(!candidacy_letter("P", "V", false, " ").contains("Motif"));
    }

    #[test]
    fn the_window_is_the_last_72_hours() {
        let close = 1_000_000;
        assert!(!closing_soon(close, close - REMINDER_WINDOW - 1));
        assert!(closing_soon(close, close - REMINDER_WINDOW));
        assert!(closing_soon(close, close - 1));
        assert!(!closing_soon(close, close));
    }

    #[test]
    fn paths_match_the_web_app() {
        assert_eq!(letter_path("a1"), "/espace/candidatures/a1/lettre");
        assert_eq!(review_path("a1"), "/espace/evaluations/a1");
        assert_eq!(draft_path("c1"), "/appels/c1/candidature");
        assert_eq!(
            candidacy_path("93066", "k"),
            "/espace/communes/93066/candidatures/k"
        );
    }
}
