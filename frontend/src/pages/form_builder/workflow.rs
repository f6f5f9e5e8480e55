//! The workflow editor: one row per state (its key, French and English labels,
//! whether it is a decision) and a grid of the moves between states.

use leptos::prelude::*;
use qmi_api::applications::{Transition, Workflow, WorkflowState, label_parts};
use qmi_api::identity::Lang;

use crate::i18n::use_i18n;
use crate::t;
use crate::ui::{FieldErrors, described_by, error_line};

/// The states every workflow has (the API requires them; none is a decision).
const FIXED_STATES: [&str; 3] = ["draft", "submitted", "withdrawn"];

/// One workflow state being written.
#[derive(Clone, Copy)]
pub struct StateRow {
    key: usize,
    id: RwSignal<String>,
    /// The French label.
    fr: RwSignal<String>,
    /// The English label (empty: the French one serves both).
    en: RwSignal<String>,
    decision: RwSignal<bool>,
    /// `draft`, `submitted` or `withdrawn`: kept, its key not editable.
    fixed: bool,
}

impl StateRow {
    /// The label as the API stores it: `Français / English`, or the French
    /// label alone when there is no English one.
    fn label(&self) -> String {
        let (fr, en) = (self.fr.get_untracked(), self.en.get_untracked());
        let (fr, en) = (fr.trim(), en.trim());
        if en.is_empty() || en == fr {
            fr.to_owned()
        } else {
            format!("{fr} / {en}")
        }
    }

    /// The label in the current language, the key while it has none (tracked).
    fn name(&self, lang: Lang) -> String {
        let (fr, en) = (self.fr.get(), self.en.get());
        let label = if lang == Lang::En && !en.trim().is_empty() {
            en
        } else {
            fr
        };
        if label.trim().is_empty() {
            self.id.get()
        } else {
            label.trim().to_owned()
        }
    }
}

/// A workflow being written: its states, and the allowed moves between them
/// by row (so renaming a state keeps its moves), in their first order (so an
/// unchanged workflow goes back exactly as it came).
#[derive(Clone, Copy)]
pub struct WorkflowDraft {
    states: RwSignal<Vec<StateRow>>,
    moves: RwSignal<Vec<(usize, usize)>>,
    next: StoredValue<usize>,
}

impl WorkflowDraft {
    /// The rows of `w` (a call's workflow, or the standard one for a new call).
    pub fn of(w: &Workflow) -> Self {
        let states: Vec<StateRow> = w
            .states
            .iter()
            .enumerate()
            .map(|(key, s)| {
                let (fr, en) = label_parts(&s.label);
                StateRow {
                    key,
                    id: RwSignal::new(s.id.clone()),
                    fr: RwSignal::new(fr.to_owned()),
                    en: RwSignal::new(if en == fr {
                        String::new()
                    } else {
                        en.to_owned()
                    }),
                    decision: RwSignal::new(s.decision),
                    fixed: FIXED_STATES.contains(&s.id.as_str()),
                }
            })
            .collect();
        let key_of = |id: &str| w.states.iter().position(|s| s.id == id);
        let moves = w
            .transitions
            .iter()
            .filter_map(|t| Some((key_of(&t.from)?, key_of(&t.to)?)))
            .collect();
        Self {
            states: RwSignal::new(states),
            moves: RwSignal::new(moves),
            next: StoredValue::new(w.states.len()),
        }
    }

    /// The workflow as the API takes it (the API checks it and names any problem).
    pub fn workflow(&self) -> Workflow {
        let states = self.states.get_untracked();
        let id_of = |key: usize| {
            states
                .iter()
                .find(|s| s.key == key)
                .map(|s| s.id.get_untracked().trim().to_owned())
        };
        Workflow {
            states: states
                .iter()
                .map(|s| WorkflowState {
                    id: s.id.get_untracked().trim().to_owned(),
                    label: s.label(),
                    decision: s.decision.get_untracked(),
                })
                .collect(),
            transitions: self
                .moves
                .get_untracked()
                .into_iter()
                .filter_map(|(from, to)| {
                    Some(Transition {
                        from: id_of(from)?,
                        to: id_of(to)?,
                    })
                })
                .collect(),
        }
    }

    fn add(&self) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        self.states.update(|s| {
            s.push(StateRow {
                key,
                id: RwSignal::new(String::new()),
                fr: RwSignal::new(String::new()),
                en: RwSignal::new(String::new()),
                decision: RwSignal::new(false),
                fixed: false,
            })
        });
    }

    fn remove(&self, key: usize) {
        self.states.update(|s| s.retain(|r| r.key != key));
        self.moves
            .update(|m| m.retain(|(from, to)| *from != key && *to != key));
    }
}

/// The workflow editor: the states (key, label, whether a decision) and a grid
/// of the allowed moves; API errors on `workflow…` show under it.
#[component]
pub fn WorkflowEditor(draft: WorkflowDraft, errors: FieldErrors) -> impl IntoView {
    let i = use_i18n();
    let states = draft.states;
    let moves = draft.moves;
    let name = move |r: &StateRow| r.name(i.lang());
    let grid = move || {
        let rows = states.get();
        // A decision is final: no move starts from one.
        let sources: Vec<StateRow> = rows.iter().copied().filter(|r| !r.decision.get()).collect();
        view! {
            <div class="table-wrap">
                <table class="table workflow-grid" id="etapes-transitions">
                    <caption>{t!(i, "Passages permis (ligne : depuis, colonne : vers)", "Allowed moves (row: from, column: to)")}</caption>
                    <thead><tr>
                        <td></td>
                        {rows.iter().map(|to| view! { <th scope="col"><span>{name(to)}</span></th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {sources.into_iter().map(|from| {
                            let cells = rows.iter().map(|to| {
                                let pair = (from.key, to.key);
                                let same = from.key == to.key;
                                let label = format!("{} {} {} {}", i.t("De", "From"), name(&from), i.t("vers", "to"), name(to));
                                view! {
                                    <td>{(!same).then(|| view! {
                                        <label class="grid-cell">
                                        <input type="checkbox" id=format!("passage-{}-{}", from.key, to.key) aria-label=label
                                            prop:checked=move || moves.with(|m| m.contains(&pair))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                moves.update(|m| {
                                                    m.retain(|p| *p != pair);
                                                    if on { m.push(pair); }
                                                });
                                            } />
                                        <span class="grid-to" aria-hidden="true">{name(to)}</span>
                                        </label>
                                    })}</td>
                                }
                            }).collect_view();
                            view! { <tr><th scope="row">{name(&from)}</th>{cells}</tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    view! {
        <details class="builder" id="appel-etapes">
            <summary>{t!(i, "Étapes de la sélection", "Selection steps")}</summary>
            <fieldset aria-describedby=described_by(errors, "workflow", "appel-etapes-erreur")>
                <legend class="visually-hidden">{t!(i, "Étapes de la sélection", "Selection steps")}</legend>
                <p class="hint">{t!(i,
                    "Les étapes par lesquelles passent les candidatures. Brouillon, déposée et retirée existent toujours ; une décision est définitive et fait l'objet d'une lettre. La clé identifie l'étape dans les exports et l'API : des minuscules, sans espace (par exemple audition).",
                    "The steps applications go through. Draft, submitted and withdrawn always exist; a decision is final and comes with a letter. The key names the step in exports and the API: lower case, no spaces (for example hearing).")}</p>
                <For each=move || states.get() key=|r| r.key let(r)>
                    <StateLine r on_remove=move || draft.remove(r.key) />
                </For>
                <p><button type="button" class="button button-secondary button-small" id="ajouter-etape" on:click=move |_| draft.add()>
                    {t!(i, "Ajouter une étape", "Add a step")}</button></p>
                {grid}
                {error_line(errors, "workflow", "appel-etapes-erreur")}
            </fieldset>
        </details>
    }
}

#[component]
fn StateLine(r: StateRow, on_remove: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i = use_i18n();
    let key = r.key;
    let id = move |what: &str| format!("etape-{key}-{what}");
    view! {
        <div class="builder-row step-row" data-row=r.key>
            <div class="field">
                <label for=id("cle")>{t!(i, "Clé", "Key")}</label>
                <input id=id("cle") type="text" bind:value=r.id disabled=r.fixed autocomplete="off" />
            </div>
            <div class="field builder-wide">
                <label for=id("libelle")>{t!(i, "Libellé en français", "Label in French")}</label>
                <input id=id("libelle") type="text" lang="fr" bind:value=r.fr />
            </div>
            <div class="field builder-wide">
                <label for=id("libelle-en")>{t!(i, "Libellé en anglais", "Label in English")}</label>
                <input id=id("libelle-en") type="text" lang="en" bind:value=r.en />
            </div>
            <label class="choice"><input type="checkbox" id=id("decision") bind:checked=r.decision disabled=r.fixed />" "{t!(i, "Décision", "Decision")}</label>
            {(!r.fixed).then(|| view! {
                <button type="button" class="button button-secondary button-small" id=id("retirer") on:click=move |_| on_remove()>
                    {t!(i, "Retirer", "Remove")}</button>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_workflow_goes_back_as_it_came() {
        let standard = Workflow::standard();
        let draft = WorkflowDraft::of(&standard);
        assert_eq!(draft.workflow(), standard);
        // A new step between review and decision, reached from in_review.
        draft.add();
        let row = draft.states.get_untracked().last().copied().unwrap();
        row.id.set(" audition ".into());
        row.fr.set("Audition".into());
        row.en.set("Hearing".into());
        let in_review = draft
            .states
            .get_untracked()
            .iter()
            .find(|r| r.id.get_untracked() == "in_review")
            .unwrap()
            .key;
        draft.moves.update(|m| m.push((in_review, row.key)));
        let w = draft.workflow();
        assert_eq!(
            w.states.last().map(|s| (s.id.as_str(), s.label.as_str())),
            Some(("audition", "Audition / Hearing"))
        );
        assert_eq!(
            (row.name(Lang::Fr), row.name(Lang::En)),
            ("Audition".to_owned(), "Hearing".to_owned())
        );
        // Without an English label the French one serves both.
        row.en.set(" ".into());
        assert_eq!(
            draft.workflow().states.last().map(|s| s.label.clone()),
            Some("Audition".to_owned())
        );
        assert_eq!(row.name(Lang::En), "Audition");
        assert!(
            w.transitions
                .iter()
                .any(|t| t.from == "in_review" && t.to == "audition")
        );
        // Removing a step removes its moves.
        draft.remove(row.key);
        assert_eq!(draft.workflow(), standard);
    }
}
