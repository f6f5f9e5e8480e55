//! Running the programme: the calls for communes and their candidacies
//! (programme operators); the calls for solutions someone runs — a programme
//! operator's or a commune admin's, one set of pages, the API scoping them —
//! with their reviewers, ranking, decisions and exports; a commune's district.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::applications::{
    Application, AssignRequest, Assignment, Call, CallInput, Campaign, CampaignInput, Candidacy,
    CandidacyDecision, Challenge, Criterion, District, DistrictInput, Question, QuestionKind,
    Ranking, TransitionRequest, Workflow,
};
use qmi_api::identity::{CommuneStatus, Lang, Me, OrganisationKind};
use qmi_api::{Insee, MembershipRole, Page, PlatformRole};

use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::pages::calls::AnswersView;
use crate::pages::form_builder::{
    CriteriaEditor, FormDraft, QuestionsEditor, WorkflowDraft, WorkflowEditor,
};
use crate::pages::jury::JuryReviews;
use crate::pages::organisation::kind_label;
use crate::pages::space::SignedIn;
use crate::registry::{self, use_names};
use crate::t;
use crate::ui::{
    ErrorNotice, FieldErrors, Loading, TextField, described_by, error_line, error_of, facts,
    route_param, set_errors, table, text, when,
};

mod campaigns;
mod district;
mod selection;
mod solutions;

pub use campaigns::{CampaignPage, Campaigns};
pub use district::DistrictPage;
pub use selection::SelectionPage;
pub use solutions::ManagedCalls;

/// The label of a workflow state in the current language, its id when the
/// workflow lacks it.
pub fn state_label(w: &Workflow, state: &str, lang: Lang) -> String {
    let Some(s) = w.states.iter().find(|s| s.id == state) else {
        return state.to_owned();
    };
    let (fr, en) = qmi_api::applications::label_parts(&s.label);
    if lang == Lang::Fr { fr } else { en }.to_owned()
}

/// Whether `state` is a decision of the workflow.
pub fn is_decision(w: &Workflow, state: &str) -> bool {
    w.states.iter().any(|s| s.id == state && s.decision)
}

/// Lines of a text area, trimmed, empty ones dropped.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// What the "publish now" box means, the same for both kinds of call: unticked
/// by default, the call is kept unpublished, to edit and publish later.
const PUBLISH_HINT_FR: &str = "Décoché par défaut : l'appel reste non publié, visible de vous seuls ; vous pourrez le modifier puis le publier plus tard.";
const PUBLISH_HINT_EN: &str = "Unticked by default: the call stays unpublished, seen only by you; you can edit it and publish it later.";

fn published(i: I18n, yes: bool) -> Signal<&'static str> {
    if yes {
        t!(i, "Publié", "Published")
    } else {
        t!(i, "Non publié", "Not published")
    }
}

fn back(i: I18n, href: &'static str, fr: &'static str, en: &'static str) -> impl IntoView {
    view! { <p><A href=href>{t!(i, fr, en)}</A></p> }
}

/// A success message (`role=status`) shown while `msg` holds one.
fn status_line(id: &'static str, msg: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        msg.get()
            .map(|m| view! { <p class="notice notice-ok" role="status" id=id>{m}</p> })
    }
}

/// The error of the last action, unless shown beside its fields.
fn failure_line(failure: RwSignal<Option<ApiError>>) -> impl IntoView {
    move || {
        failure
            .get()
            .filter(|e| e.errors.is_empty())
            .map(|e| view! { <ErrorNotice error=e /> })
    }
}

/// One required long answer per line (`q1`, `q2`… as keys): the questions a
/// call for communes puts to the candidate communes.
fn parse_questions(text: &str) -> Vec<Question> {
    lines(text)
        .enumerate()
        .map(|(n, l)| Question {
            id: format!("q{}", n + 1),
            label: l.to_owned(),
            kind: QuestionKind::LongText,
            required: true,
            max_length: Some(4000),
            min: None,
            max: None,
            options: Vec::new(),
            max_choices: None,
        })
        .collect()
}

/// A whole number typed in a field (spaces may group thousands); `None` for
/// anything else (a decimal, a sign, letters, nothing), refused beside the field.
fn whole(text: &str) -> Option<u32> {
    text.trim()
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .parse()
        .ok()
}

/// Why a field wanting a whole number refuses what was typed.
fn not_whole(i: I18n) -> String {
    i.t(
        "Un nombre entier est attendu, par exemple 2.",
        "A whole number is expected, for example 2.",
    )
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_questions_are_read_line_by_line() {
        let q = parse_questions("Votre solution\n\nVotre équipe");
        assert_eq!(
            q.iter()
                .map(|q| (q.id.as_str(), q.label.as_str(), q.required))
                .collect::<Vec<_>>(),
            [("q1", "Votre solution", true), ("q2", "Votre équipe", true)]
        );
    }

    #[test]
    fn workflow_labels_follow_the_language() {
        let w = qmi_api::applications::Workflow {
            states: vec![
                qmi_api::applications::WorkflowState {
                    id: "selected".into(),
                    label: "Retenue / Selected".into(),
                    decision: true,
                },
                qmi_api::applications::WorkflowState {
                    id: "jury".into(),
                    label: "Jury".into(),
                    decision: false,
                },
            ],
            transitions: Vec::new(),
        };
        assert_eq!(state_label(&w, "selected", Lang::Fr), "Retenue");
        assert_eq!(state_label(&w, "selected", Lang::En), "Selected");
        assert_eq!(state_label(&w, "jury", Lang::En), "Jury");
        assert_eq!(state_label(&w, "unknown", Lang::Fr), "unknown");
        assert!(is_decision(&w, "selected") && !is_decision(&w, "jury"));
    }
}
