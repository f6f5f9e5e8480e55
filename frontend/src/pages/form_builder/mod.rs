//! The editors of a call's application form, evaluation criteria and
//! workflow: one row per question (its text, type, whether it is required, the
//! options of a choice), per criterion (name, weight, what reviewers look at);
//! the workflow's states and moves in [`workflow`].

use leptos::prelude::*;
use qmi_api::applications::{Criterion, Question, QuestionKind};

use crate::i18n::{I18n, use_i18n};
use crate::t;
use crate::ui::{FieldErrors, described_by, error_line};

/// The question types offered, in the order of the select.
const KINDS: [QuestionKind; 7] = [
    QuestionKind::LongText,
    QuestionKind::ShortText,
    QuestionKind::Number,
    QuestionKind::Date,
    QuestionKind::SingleChoice,
    QuestionKind::MultipleChoice,
    QuestionKind::File,
];

/// The name of a question type for people.
fn kind_label(i: I18n, k: QuestionKind) -> &'static str {
    match k {
        QuestionKind::ShortText => i.t("Texte court", "Short text"),
        QuestionKind::LongText => i.t("Texte long", "Long text"),
        QuestionKind::Number => i.t("Nombre", "Number"),
        QuestionKind::Date => i.t("Date", "Date"),
        QuestionKind::SingleChoice => i.t("Choix unique", "Single choice"),
        QuestionKind::MultipleChoice => i.t("Choix multiples", "Multiple choice"),
        QuestionKind::File => i.t("Pièce jointe (PDF, PNG, JPEG)", "File (PDF, PNG, JPEG)"),
    }
}

/// One question being written.
#[derive(Clone, Copy)]
pub struct QuestionRow {
    key: usize,
    /// The question as the call has it, when it already exists: its key (the
    /// answers are stored under it) and the limits this editor does not show
    /// go back unchanged.
    original: StoredValue<Option<Question>>,
    label: RwSignal<String>,
    kind: RwSignal<usize>,
    required: RwSignal<bool>,
    options: RwSignal<String>,
}

impl QuestionRow {
    fn new(key: usize) -> Self {
        Self {
            key,
            original: StoredValue::new(None),
            label: RwSignal::new(String::new()),
            kind: RwSignal::new(0),
            required: RwSignal::new(true),
            options: RwSignal::new(String::new()),
        }
    }

    fn of(key: usize, q: &Question) -> Self {
        Self {
            key,
            original: StoredValue::new(Some(q.clone())),
            label: RwSignal::new(q.label.clone()),
            kind: RwSignal::new(KINDS.iter().position(|k| *k == q.kind).unwrap_or(0)),
            required: RwSignal::new(q.required),
            options: RwSignal::new(q.options.join(", ")),
        }
    }
}

/// One criterion being written.
#[derive(Clone, Copy)]
pub struct CriterionRow {
    key: usize,
    /// The criterion's key when it already exists (scores are stored under it).
    id: StoredValue<Option<String>>,
    name: RwSignal<String>,
    weight: RwSignal<String>,
    description: RwSignal<String>,
}

impl CriterionRow {
    fn new(key: usize) -> Self {
        Self {
            key,
            id: StoredValue::new(None),
            name: RwSignal::new(String::new()),
            weight: RwSignal::new("1".to_owned()),
            description: RwSignal::new(String::new()),
        }
    }

    fn of(key: usize, c: &Criterion) -> Self {
        Self {
            key,
            id: StoredValue::new(Some(c.id.clone())),
            name: RwSignal::new(c.name.clone()),
            weight: RwSignal::new(c.weight.to_string()),
            description: RwSignal::new(c.description.clone()),
        }
    }
}

/// The rows of both editors, and the next row key.
#[derive(Clone, Copy)]
pub struct FormDraft {
    questions: RwSignal<Vec<QuestionRow>>,
    criteria: RwSignal<Vec<CriterionRow>>,
    next: StoredValue<usize>,
}

impl FormDraft {
    /// One empty question and one empty criterion.
    pub fn new() -> Self {
        Self {
            questions: RwSignal::new(vec![QuestionRow::new(0)]),
            criteria: RwSignal::new(vec![CriterionRow::new(1)]),
            next: StoredValue::new(2),
        }
    }

    fn key(&self) -> usize {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        key
    }

    /// The rows of an existing form and criteria (editing a call).
    pub fn of(form: &[Question], criteria: &[Criterion]) -> Self {
        let draft = Self::new();
        let questions: Vec<QuestionRow> = form
            .iter()
            .map(|q| QuestionRow::of(draft.key(), q))
            .collect();
        let criteria: Vec<CriterionRow> = criteria
            .iter()
            .map(|c| CriterionRow::of(draft.key(), c))
            .collect();
        if !questions.is_empty() {
            draft.questions.set(questions);
        }
        if !criteria.is_empty() {
            draft.criteria.set(criteria);
        }
        draft
    }

    /// The form as the API takes it: rows without a text are left out; an
    /// existing question keeps its key, a new one gets the first free `qN`.
    pub fn questions(&self) -> Vec<Question> {
        self.questions.with_untracked(|rows| {
            let texts: Vec<QuestionText> = rows
                .iter()
                .map(|r| QuestionText {
                    original: r.original.get_value(),
                    label: r.label.get_untracked(),
                    kind: KINDS[r.kind.get_untracked()],
                    required: r.required.get_untracked(),
                    options: r.options.get_untracked(),
                })
                .collect();
            build_questions(texts)
        })
    }

    /// The criteria as the API takes them: empty rows left out; an existing
    /// criterion keeps its key, a new one gets the first free `cN`; an
    /// unreadable weight goes as 0 for the API to name it.
    pub fn criteria(&self) -> Vec<Criterion> {
        self.criteria.with_untracked(|rows| {
            build_criteria(
                rows.iter()
                    .map(|r| {
                        (
                            r.id.get_value(),
                            r.name.get_untracked(),
                            r.weight.get_untracked(),
                            r.description.get_untracked(),
                        )
                    })
                    .collect(),
            )
        })
    }
}

/// A question as written in its row.
struct QuestionText {
    /// The question as the call has it, if it exists.
    original: Option<Question>,
    label: String,
    kind: QuestionKind,
    required: bool,
    /// Comma-separated options (choices).
    options: String,
}

/// Questions from their rows.
fn build_questions(rows: Vec<QuestionText>) -> Vec<Question> {
    let rows: Vec<QuestionText> = rows
        .into_iter()
        .filter(|r| !r.label.trim().is_empty())
        .collect();
    let mut used: Vec<String> = rows
        .iter()
        .filter_map(|r| r.original.as_ref().map(|q| q.id.clone()))
        .collect();
    rows.into_iter()
        .map(|r| {
            let id = r
                .original
                .as_ref()
                .map(|q| q.id.clone())
                .unwrap_or_else(|| fresh_key("q", &mut used));
            let choice = matches!(
                r.kind,
                QuestionKind::SingleChoice | QuestionKind::MultipleChoice
            );
            // Limits this editor does not show stay as they were while the
            // kind stays; a new question (or kind) takes the defaults.
            let kept = r.original.filter(|q| q.kind == r.kind);
            Question {
                id,
                label: r.label.trim().to_owned(),
                kind: r.kind,
                required: r.required,
                max_length: kept.as_ref().map_or(
                    match r.kind {
                        QuestionKind::ShortText => Some(200),
                        QuestionKind::LongText => Some(4000),
                        _ => None,
                    },
                    |q| q.max_length,
                ),
                min: kept.as_ref().and_then(|q| q.min),
                max: kept.as_ref().and_then(|q| q.max),
                options: if choice {
                    r.options
                        .split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect()
                } else {
                    Vec::new()
                },
                max_choices: kept.and_then(|q| q.max_choices),
            }
        })
        .collect()
}

/// The first `<prefix>N` (N = 1, 2…) not in `used`, which it joins.
fn fresh_key(prefix: &str, used: &mut Vec<String>) -> String {
    let fresh = (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|id| !used.contains(id))
        .expect("a free key");
    used.push(fresh.clone());
    fresh
}

/// Criteria from (existing key, name, weight as typed, description).
fn build_criteria(rows: Vec<(Option<String>, String, String, String)>) -> Vec<Criterion> {
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, name, _, description)| {
            !(name.trim().is_empty() && description.trim().is_empty())
        })
        .collect();
    let mut used: Vec<String> = rows.iter().filter_map(|(id, ..)| id.clone()).collect();
    rows.into_iter()
        .map(|(id, name, weight, description)| Criterion {
            id: id.unwrap_or_else(|| fresh_key("c", &mut used)),
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
            weight: weight.trim().replace(',', ".").parse().unwrap_or(0.0),
        })
        .collect()
}

/// The question editor; API errors on `form…` show under it.
#[component]
pub fn QuestionsEditor(draft: FormDraft, errors: FieldErrors) -> impl IntoView {
    let i = use_i18n();
    let rows = draft.questions;
    let add = move |_| {
        let key = draft.key();
        rows.update(|r| r.push(QuestionRow::new(key)));
    };
    view! {
        <fieldset id="appel-questions" class="builder" aria-describedby=described_by(errors, "form", "appel-questions-erreur")>
            <legend>{t!(i, "Questions posées aux candidats", "Questions put to applicants")}</legend>
            <For each=move || rows.get() key=|r| r.key let(r)>
                <QuestionLine r on_remove=move || rows.update(|v| v.retain(|x| x.key != r.key)) />
            </For>
            <p><button type="button" class="button button-secondary button-small" id="ajouter-question" on:click=add>
                {t!(i, "Ajouter une question", "Add a question")}</button></p>
            {error_line(errors, "form", "appel-questions-erreur")}
        </fieldset>
    }
}

#[component]
fn QuestionLine(
    r: QuestionRow,
    on_remove: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let key = r.key;
    let id = move |what: &str| format!("question-{key}-{what}");
    let choice = move || {
        matches!(
            KINDS[r.kind.get()],
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
        )
    };
    view! {
        <div class="builder-row" data-row=r.key>
            <div class="field builder-wide">
                <label for=id("libelle")>{t!(i, "Question", "Question")}</label>
                <input id=id("libelle") type="text" bind:value=r.label />
            </div>
            <div class="field">
                <label for=id("type")>{t!(i, "Type de réponse", "Answer type")}</label>
                <select id=id("type") prop:value=move || r.kind.get().to_string()
                    on:change=move |ev| r.kind.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {KINDS.iter().enumerate().map(|(n, k)| {
                        let k = *k;
                        view! { <option value=n.to_string()>{move || kind_label(i, k)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <Show when=choice>
                <div class="field builder-wide">
                    <label for=id("options")>{t!(i, "Options, séparées par des virgules", "Options, comma-separated")}</label>
                    <input id=id("options") type="text" bind:value=r.options />
                </div>
            </Show>
            <label class="choice"><input type="checkbox" id=id("obligatoire") bind:checked=r.required />" "{t!(i, "Obligatoire", "Required")}</label>
            <button type="button" class="button button-secondary button-small" id=id("retirer") on:click=move |_| on_remove()>
                {t!(i, "Retirer", "Remove")}</button>
        </div>
    }
}

/// The criteria editor; API errors on `criteria…` show under it.
#[component]
pub fn CriteriaEditor(draft: FormDraft, errors: FieldErrors) -> impl IntoView {
    let i = use_i18n();
    let rows = draft.criteria;
    let add = move |_| {
        let key = draft.key();
        rows.update(|r| r.push(CriterionRow::new(key)));
    };
    view! {
        <fieldset id="appel-criteres" class="builder" aria-describedby=described_by(errors, "criteria", "appel-criteres-erreur")>
            <legend>{t!(i, "Critères d'évaluation", "Evaluation criteria")}</legend>
            <p class="hint">{t!(i, "Chaque évaluateur note chaque critère de 0 à 5 ; le total est la moyenne pondérée.", "Each reviewer scores every criterion 0 to 5; the total is the weighted mean.")}</p>
            <For each=move || rows.get() key=|r| r.key let(r)>
                <CriterionLine r on_remove=move || rows.update(|v| v.retain(|x| x.key != r.key)) />
            </For>
            <p><button type="button" class="button button-secondary button-small" id="ajouter-critere" on:click=add>
                {t!(i, "Ajouter un critère", "Add a criterion")}</button></p>
            {error_line(errors, "criteria", "appel-criteres-erreur")}
        </fieldset>
    }
}

#[component]
fn CriterionLine(
    r: CriterionRow,
    on_remove: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let key = r.key;
    let id = move |what: &str| format!("critere-{key}-{what}");
    view! {
        <div class="builder-row" data-row=r.key>
            <div class="field builder-wide">
                <label for=id("nom")>{t!(i, "Critère", "Criterion")}</label>
                <input id=id("nom") type="text" bind:value=r.name />
            </div>
            <div class="field">
                <label for=id("poids")>{t!(i, "Poids", "Weight")}</label>
                <input id=id("poids") type="text" inputmode="decimal" bind:value=r.weight />
            </div>
            <div class="field builder-wide">
                <label for=id("description")>{t!(i, "Ce que regardent les évaluateurs", "What reviewers look at")}</label>
                <input id=id("description") type="text" bind:value=r.description />
            </div>
            <button type="button" class="button button-secondary button-small" id=id("retirer") on:click=move |_| on_remove()>
                {t!(i, "Retirer", "Remove")}</button>
        </div>
    }
}

mod workflow;

pub use workflow::{WorkflowDraft, WorkflowEditor};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_the_api_form_and_criteria() {
        let existing = |id: &str, kind| Question {
            id: id.into(),
            label: "Avant".into(),
            kind,
            required: true,
            max_length: Some(1500),
            min: None,
            max: None,
            options: Vec::new(),
            max_choices: None,
        };
        let row = |id: Option<&str>, label: &str, kind, required, options: &str| QuestionText {
            original: id.map(|id| existing(id, QuestionKind::LongText)),
            label: label.into(),
            kind,
            required,
            options: options.into(),
        };
        let q = build_questions(vec![
            row(None, " Votre solution ", QuestionKind::LongText, true, ""),
            row(None, "   ", QuestionKind::Number, true, ""),
            row(
                None,
                "Thème",
                QuestionKind::SingleChoice,
                false,
                "eau, , ombre ",
            ),
            row(None, "Budget", QuestionKind::Number, true, "ignored"),
        ]);
        assert_eq!(
            q.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
            ["q1", "q2", "q3"]
        );
        // Editing: existing questions keep their keys, new ones take free keys.
        let edited = build_questions(vec![
            row(None, "Nouvelle", QuestionKind::Date, true, ""),
            row(Some("q1"), "Ancienne", QuestionKind::LongText, true, ""),
        ]);
        assert_eq!(
            edited.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
            ["q2", "q1"]
        );
        // …and the limits the editor does not show, unless their kind changed.
        assert_eq!(
            (edited[1].label.as_str(), edited[1].max_length),
            ("Ancienne", Some(1500))
        );
        let retyped = build_questions(vec![row(
            Some("q1"),
            "Ancienne",
            QuestionKind::ShortText,
            true,
            "",
        )]);
        assert_eq!(retyped[0].max_length, Some(200));
        assert_eq!(
            (q[0].label.as_str(), q[0].max_length),
            ("Votre solution", Some(4000))
        );
        assert_eq!(
            (q[1].options.clone(), q[1].required),
            (vec!["eau".to_owned(), "ombre".to_owned()], false)
        );
        assert!(q[2].options.is_empty());

        let c = build_criteria(vec![
            (None, "Impact".into(), "3".into(), String::new()),
            (None, String::new(), "1".into(), String::new()),
            (
                None,
                "Faisabilité".into(),
                "1,5".into(),
                "Coûts et délais".into(),
            ),
            (None, "Sans poids".into(), "beaucoup".into(), String::new()),
        ]);
        assert_eq!(
            c.iter()
                .map(|c| (c.id.as_str(), c.weight))
                .collect::<Vec<_>>(),
            [("c1", 3.0), ("c2", 1.5), ("c3", 0.0)]
        );
        assert_eq!(c[1].description, "Coûts et délais");
        // Existing criteria keep their keys (the scores are stored under them).
        let kept = build_criteria(vec![
            (None, "Nouveau".into(), "1".into(), String::new()),
            (
                Some("c1".into()),
                "Impact".into(),
                "3".into(),
                String::new(),
            ),
        ]);
        assert_eq!(
            kept.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["c2", "c1"]
        );
    }

    #[test]
    fn an_unchanged_form_goes_back_as_it_came() {
        // A call written elsewhere (the API, the demo data): its own keys and limits.
        let form = vec![
            Question {
                id: "pitch".into(),
                label: "Votre solution".into(),
                kind: QuestionKind::LongText,
                required: true,
                max_length: Some(1500),
                min: None,
                max: None,
                options: Vec::new(),
                max_choices: None,
            },
            Question {
                id: "budget".into(),
                label: "Budget (€)".into(),
                kind: QuestionKind::Number,
                required: true,
                max_length: None,
                min: Some(0.0),
                max: Some(150000.0),
                options: Vec::new(),
                max_choices: None,
            },
            Question {
                id: "theme".into(),
                label: "Thème".into(),
                kind: QuestionKind::MultipleChoice,
                required: false,
                max_length: None,
                min: None,
                max: None,
                options: vec!["eau".into(), "ombre".into()],
                max_choices: Some(1),
            },
        ];
        let criteria = vec![
            Criterion {
                id: "impact".into(),
                name: "Impact".into(),
                description: "Sur la chaleur".into(),
                weight: 3.0,
            },
            Criterion {
                id: "faisabilite".into(),
                name: "Faisabilité".into(),
                description: String::new(),
                weight: 1.5,
            },
        ];
        let draft = FormDraft::of(&form, &criteria);
        assert_eq!(draft.questions(), form);
        assert_eq!(draft.criteria(), criteria);
    }
}
