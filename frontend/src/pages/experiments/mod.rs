//! Experiments (issue 15): the 18 months after a selection. The public list
//! and page (with the residents' feedback form) load with the `public` module;
//! the "Mon espace" pages — a commune's experiments, one experiment's
//! management page, a partner's "Mes expérimentations", the programme's
//! dashboard and the timelines — in their own module, `experimentations`.
//!
//! Everything a person typed (a resident's feedback above all) is shown as
//! text nodes, never as HTML.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};
use qmi_api::experiments::{
    Direction, DocumentKind, Due, Experiment, ExperimentStatus, GridAxis, Milestone, Outcome,
    ReportState, TimelineKind,
};
use qmi_api::identity::{Lang, Me};
use qmi_api::{MembershipRole, PlatformRole};

use crate::api::ApiError;
use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::ui::FieldErrors;

mod chart;
mod commune;
mod dashboard;
mod evaluation;
mod feedback;
mod followed;
mod indicators;
mod manage;
mod public;
mod timeline;

pub use chart::LineChart;

/// The public pages (`/experimentations`, `/experimentations/:id`), picked by
/// the path; the page follows a change of its `id` (a spread link).
#[component]
pub fn PublicPages() -> impl IntoView {
    let params = use_params_map();
    move || match params.read().get("id") {
        Some(id) => view! { <public::ExperimentPage id /> }.into_any(),
        None => view! { <public::ExperimentList /> }.into_any(),
    }
}

/// The "Mon espace" pages of the `experimentations` module, picked by the path
/// (one loader for all: each lazily loaded page costs the first download its own).
#[component]
pub fn SpacePages() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let params = use_params_map();
    let param = move |name: &'static str| params.read().get(name).unwrap_or_default();
    let parts: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["espace", "experimentations"] => view! { <commune::MyExperiments /> }.into_any(),
        ["espace", "programme", "experimentations"] => {
            view! { <dashboard::ProgrammeDashboard /> }.into_any()
        }
        ["espace", "communes", _, "experimentations"] => {
            (move || view! { <commune::CommuneExperiments insee=param("insee") /> }).into_any()
        }
        ["espace", "candidatures", _, "chronologie"] => {
            (move || view! { <timeline::TimelinePage id=param("id") application=true /> })
                .into_any()
        }
        ["espace", "experimentations", _, "chronologie"] => {
            (move || view! { <timeline::TimelinePage id=param("id") application=false /> })
                .into_any()
        }
        _ => (move || view! { <manage::ManagePage id=param("id") /> }).into_any(),
    }
}

/// The label of an experiment's status.
pub fn status_label(s: ExperimentStatus, lang: Lang) -> &'static str {
    if lang == Lang::Fr {
        return s.label_fr();
    }
    match s {
        ExperimentStatus::Preparing => "Being prepared",
        ExperimentStatus::Running => "Running",
        ExperimentStatus::Evaluating => "Being evaluated",
        ExperimentStatus::Concluded => "Concluded",
        ExperimentStatus::Suspended => "Suspended",
        ExperimentStatus::Stopped => "Stopped",
    }
}

/// The button that moves an experiment to `s`.
pub fn move_label(s: ExperimentStatus, lang: Lang) -> &'static str {
    let (fr, en) = match s {
        ExperimentStatus::Preparing => ("Revenir en préparation", "Back to preparation"),
        ExperimentStatus::Running => ("Lancer / reprendre l'expérimentation", "Start / resume"),
        ExperimentStatus::Evaluating => ("Passer en évaluation", "Move to evaluation"),
        ExperimentStatus::Concluded => ("Conclure", "Conclude"),
        ExperimentStatus::Suspended => ("Suspendre", "Suspend"),
        ExperimentStatus::Stopped => ("Arrêter", "Stop"),
    };
    pick(lang, fr, en)
}

/// A status as a badge.
pub fn status_badge(i: I18n, s: ExperimentStatus) -> AnyView {
    view! { <span class=format!("badge badge-xp-{}", s.as_str())>{move || status_label(s, i.lang())}</span> }
        .into_any()
}

/// The label of an outcome.
pub fn outcome_label(o: Outcome, lang: Lang) -> &'static str {
    match o {
        Outcome::Deployed => pick(lang, "Déployée durablement", "Deployed for good"),
        Outcome::Spread => pick(lang, "Essaimée", "Spread"),
        Outcome::Stopped => pick(lang, "Arrêtée", "Stopped"),
    }
}

/// The label of an indicator's direction.
pub fn direction_label(d: Direction, lang: Lang) -> &'static str {
    match d {
        Direction::Higher => pick(lang, "plus c'est haut, mieux c'est", "higher is better"),
        Direction::Lower => pick(lang, "plus c'est bas, mieux c'est", "lower is better"),
    }
}

/// The label of a document's kind.
pub fn document_label(k: DocumentKind, lang: Lang) -> &'static str {
    let (fr, en) = match k {
        DocumentKind::Agreement => ("Convention d'expérimentation", "Experimentation agreement"),
        DocumentKind::Report => ("Rapport d'étape", "Progress report"),
        DocumentKind::Protocol => ("Protocole d'évaluation", "Evaluation protocol"),
        DocumentKind::FinalReport => ("Rapport final", "Final report"),
        DocumentKind::Evidence => ("Preuve d'un jalon", "Milestone evidence"),
        DocumentKind::Other => ("Autre document", "Other document"),
    };
    pick(lang, fr, en)
}

/// The label of an axis of the common grid.
pub fn axis_label(a: GridAxis, lang: Lang) -> &'static str {
    let (fr, en) = match a {
        GridAxis::Efficiency => ("Efficacité", "Efficiency"),
        GridAxis::Feasibility => ("Faisabilité", "Feasibility"),
        GridAxis::Sustainability => ("Durabilité", "Sustainability"),
        GridAxis::Scalability => ("Capacité à essaimer", "Scalability"),
    };
    pick(lang, fr, en)
}

/// The label of a report's state.
pub fn report_label(s: ReportState, lang: Lang) -> &'static str {
    match s {
        ReportState::Sent => pick(lang, "Envoyé", "Sent"),
        ReportState::Due => pick(lang, "À rendre", "Due"),
        ReportState::Overdue => pick(lang, "En retard", "Overdue"),
    }
}

/// The label of a timeline entry's kind.
pub fn timeline_label(k: TimelineKind, lang: Lang) -> &'static str {
    let (fr, en) = match k {
        TimelineKind::CallPublished => ("Appel publié", "Call published"),
        TimelineKind::Application => ("Candidature", "Application"),
        TimelineKind::Created => ("Expérimentation créée", "Experiment created"),
        TimelineKind::Moved => ("Changement de statut", "Status changed"),
        TimelineKind::MilestonePlanned => ("Jalon prévu", "Milestone planned"),
        TimelineKind::MilestoneDone => ("Jalon atteint", "Milestone done"),
        TimelineKind::ReportSent => ("Rapport d'étape envoyé", "Progress report sent"),
        TimelineKind::Evaluated => ("Grille d'évaluation remplie", "Grid filled"),
        TimelineKind::OutcomeRecorded => ("Résultat enregistré", "Outcome recorded"),
        TimelineKind::SpreadTo => (
            "Essaimée vers une autre commune",
            "Spread to another commune",
        ),
        TimelineKind::SpreadFrom => (
            "Essaimée depuis une autre commune",
            "Spread from another commune",
        ),
    };
    pick(lang, fr, en)
}

fn pick(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Fr { fr } else { en }
}

/// What an experiment waits for, one phrase per kind (none: nothing is due).
pub fn due_labels(d: &Due, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |n: u32, fr: (&str, &str), en: (&str, &str)| {
        if n > 0 {
            out.push(fmt::count(u64::from(n), lang, fr, en));
        }
    };
    add(
        d.milestones_late,
        ("jalon en retard", "jalons en retard"),
        ("milestone late", "milestones late"),
    );
    add(
        d.reports_overdue,
        ("rapport en retard", "rapports en retard"),
        ("report overdue", "reports overdue"),
    );
    add(
        d.reports_due,
        ("rapport à rendre", "rapports à rendre"),
        ("report due", "reports due"),
    );
    add(
        d.feedback_waiting,
        ("avis à modérer", "avis à modérer"),
        ("feedback to moderate", "feedback to moderate"),
    );
    out
}

/// A milestone's state in words: done (when), late, or planned (when).
pub fn milestone_state(m: &Milestone, lang: Lang) -> String {
    match (&m.done_on, m.late) {
        (Some(done), _) => format!(
            "{} {}",
            pick(lang, "Atteint le", "Done on"),
            fmt::date(&done.to_string(), lang)
        ),
        (None, true) => format!(
            "{} {}",
            pick(lang, "En retard : prévu le", "Late: planned for"),
            fmt::date(&m.planned_on.to_string(), lang)
        ),
        (None, false) => format!(
            "{} {}",
            pick(lang, "Prévu le", "Planned for"),
            fmt::date(&m.planned_on.to_string(), lang)
        ),
    }
}

/// A CSV import's refusal: the lines at fault, in line order ("Ligne 3 : …"),
/// then any other message.
pub fn import_errors(e: &ApiError, lang: Lang) -> Vec<String> {
    let mut lines: Vec<(u64, String)> = e
        .errors
        .iter()
        .map(|f| {
            let message = crate::messages::localise(&f.message);
            match f
                .field
                .strip_prefix("line ")
                .and_then(|n| n.trim().parse::<u64>().ok())
            {
                Some(n) => (
                    n,
                    format!("{} {n} : {message}", pick(lang, "Ligne", "Line")),
                ),
                None if f.field.is_empty() => (u64::MAX, message),
                None => (u64::MAX, format!("{} : {message}", f.field)),
            }
        })
        .collect();
    lines.sort_by_key(|(n, _)| *n);
    lines.into_iter().map(|(_, l)| l).collect()
}

/// What the signed-in person may do on one experiment, from their roles (the
/// server decides; this only hides the controls it would refuse).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rights {
    /// Moves, details, publication, consortium, sites, milestones, indicators.
    pub manage: bool,
    /// Reports, measurements, milestones done, the holder's evaluation.
    pub report: bool,
    /// Publish or reject residents' feedback.
    pub moderate: bool,
    /// The grid's side this person fills, if any.
    pub side: Option<qmi_api::experiments::Side>,
}

/// [`Rights`] of `me` on the experiment of commune `insee` with `partners`.
pub fn rights(me: &Me, insee: &str, partners: &[qmi_api::experiments::Partner]) -> Rights {
    use qmi_api::experiments::Side;
    let operator = me.platform_roles.contains(&PlatformRole::Programme);
    let role = me
        .memberships
        .iter()
        .find(|m| m.insee.as_str() == insee)
        .map(|m| m.role);
    let admin = role == Some(MembershipRole::Admin);
    let agent = role == Some(MembershipRole::Agent);
    let partner = me
        .organisation
        .as_ref()
        .is_some_and(|o| partners.iter().any(|p| p.organisation_id == o.id));
    Rights {
        manage: operator || admin,
        report: partner || admin,
        moderate: admin || agent,
        side: if admin {
            Some(Side::Commune)
        } else if operator {
            Some(Side::Programme)
        } else {
            None
        },
    }
}

/// [`rights`] for an [`Experiment`].
pub fn rights_on(me: &Me, e: &Experiment) -> Rights {
    rights(me, e.insee.as_str(), &e.partners)
}

/// The state of one form of a page: its field messages, its failure (when it
/// names no field), its success line, whether it is on its way, and the tick
/// that makes the page read its data again after a change.
#[derive(Clone, Copy)]
pub struct Form {
    /// Field messages.
    pub errors: FieldErrors,
    /// The failure naming no field.
    pub failure: RwSignal<Option<ApiError>>,
    /// The success line (French, English).
    pub done: RwSignal<Option<(&'static str, &'static str)>>,
    /// On its way.
    pub busy: RwSignal<bool>,
    /// Bumped after a change.
    pub tick: RwSignal<u32>,
    /// The language of the messages (taken when the form is built: an event
    /// handler runs outside the page's context).
    i: I18n,
}

impl Form {
    /// A form whose changes bump `tick`.
    pub fn new(tick: RwSignal<u32>) -> Self {
        Self {
            errors: RwSignal::new(Default::default()),
            failure: RwSignal::new(None),
            done: RwSignal::new(None),
            busy: RwSignal::new(false),
            tick,
            i: use_i18n(),
        }
    }

    /// Sends `call`; on success says `done` and bumps the tick, else shows
    /// the failure (beside its fields when it names them).
    pub fn send(
        self,
        done: (&'static str, &'static str),
        call: impl std::future::Future<Output = Result<(), ApiError>> + 'static,
    ) {
        self.send_boxed(done, Box::pin(call));
    }

    fn send_boxed(
        self,
        done: (&'static str, &'static str),
        call: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>,
    ) {
        let i = self.i;
        self.busy.set(true);
        self.done.set(None);
        self.failure.set(None);
        self.errors.set(Default::default());
        leptos::task::spawn_local(async move {
            let result = call.await;
            self.busy.set(false);
            match result {
                Ok(()) => {
                    self.done.set(Some(done));
                    self.tick.update(|t| *t = t.wrapping_add(1));
                }
                Err(e) => crate::pages::access::show_failure(i, self.errors, self.failure, e, &[]),
            }
        });
    }

    /// A client-side refusal beside `field`.
    pub fn refuse(self, field: &'static str, i: I18n, fr: &'static str, en: &'static str) {
        self.done.set(None);
        crate::pages::access::field_error(self.errors, field, i.t(fr, en));
        crate::ui::focus_first_invalid();
    }

    /// The message for `field` (for [`crate::ui::TextField`]).
    pub fn error(self, field: &'static str) -> Signal<Option<String>> {
        crate::ui::error_of(self.errors, field)
    }

    /// The form of one item of a list that is drawn again after each change
    /// (a measurement, a report, a feedback): its success line goes to `done`,
    /// which the list's section shows (the item's own would vanish with it).
    pub fn with_done(mut self, done: RwSignal<Option<(&'static str, &'static str)>>) -> Self {
        self.done = done;
        self
    }

    /// The failure only (the section shows the success line: [`Form::with_done`]).
    pub fn failure_notice(self) -> AnyView {
        view! {
            {move || self.failure.get().map(|e| view! { <crate::ui::ErrorNotice error=e /> })}
        }
        .into_any()
    }

    /// A section's success line for the forms of its items ([`Form::with_done`]).
    pub fn done_line(done: RwSignal<Option<(&'static str, &'static str)>>) -> AnyView {
        let i = use_i18n();
        view! {
            {move || done.get().map(|(fr, en)| view! { <p class="notice notice-ok" role="status">{move || i.t(fr, en)}</p> })}
        }
        .into_any()
    }

    /// The success line and the failure, where the form shows them.
    pub fn outcome(self) -> AnyView {
        let i = self.i;
        view! {
            {move || self.done.get().map(|(fr, en)| view! { <p class="notice notice-ok" role="status">{move || i.t(fr, en)}</p> })}
            {move || self.failure.get().map(|e| view! { <crate::ui::ErrorNotice error=e /> })}
        }
        .into_any()
    }
}

/// A decimal typed by a person: `12,5`, `12.5`, `-3`, `1 200` (spaces group
/// thousands); `None` for anything else.
pub fn decimal(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A value for people: a decimal with up to two places, its sign kept.
pub fn value(x: f64, lang: Lang) -> String {
    let places = if (x - x.round()).abs() < 1e-9 { 0 } else { 2 };
    let text = fmt::decimal(x.abs(), places, lang);
    let text = if places == 2 {
        let sep = if lang == Lang::Fr { ',' } else { '.' };
        let trimmed = text.trim_end_matches('0');
        trimmed.trim_end_matches(sep).to_owned()
    } else {
        text
    };
    if x < 0.0 { format!("−{text}") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FieldError;
    use qmi_api::experiments::{Day, Partner, Side};

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn due_labels_agree_with_their_number() {
        let d = Due {
            milestones_late: 2,
            reports_due: 1,
            reports_overdue: 0,
            feedback_waiting: 3,
        };
        assert_eq!(
            due_labels(&d, Lang::Fr),
            [
                "2 jalons en retard",
                "1 rapport à rendre",
                "3 avis à modérer"
            ]
        );
        assert_eq!(
            due_labels(&d, Lang::En),
            [
                "2 milestones late",
                "1 report due",
                "3 feedback to moderate"
            ]
        );
        assert!(due_labels(&Due::default(), Lang::Fr).is_empty());
    }

    #[test]
    fn milestones_say_late_done_or_planned() {
        let mut m = Milestone {
            id: "m".into(),
            title: "Pose des capteurs".into(),
            planned_on: day("2026-03-01"),
            done_on: None,
            evidence: String::new(),
            late: true,
        };
        assert_eq!(
            milestone_state(&m, Lang::Fr),
            "En retard : prévu le 1er mars 2026"
        );
        m.late = false;
        assert_eq!(milestone_state(&m, Lang::En), "Planned for 1 March 2026");
        m.done_on = Some(day("2026-03-12"));
        assert_eq!(milestone_state(&m, Lang::Fr), "Atteint le 12 mars 2026");
    }

    #[test]
    fn import_errors_name_their_lines_in_order() {
        let f = |field: &str, message: &str| FieldError {
            field: field.into(),
            message: message.into(),
        };
        let e = ApiError {
            status: 422,
            title: "invalid".into(),
            detail: None,
            errors: vec![
                f("line 12", "not a number"),
                f("body", "no header"),
                f("line 3", "unknown indicator"),
            ],
            code: None,
            kind: None,
        };
        assert_eq!(
            import_errors(&e, Lang::Fr),
            [
                "Ligne 3 : unknown indicator",
                "Ligne 12 : not a number",
                "body : no header"
            ]
        );
        assert_eq!(import_errors(&e, Lang::En)[0], "Line 3 : unknown indicator");
    }

    #[test]
    fn decimals_typed_the_french_way() {
        assert_eq!(decimal("12,5"), Some(12.5));
        assert_eq!(decimal(" 1 200 "), Some(1200.0));
        assert_eq!(decimal("-3"), Some(-3.0));
        assert_eq!(decimal("abc"), None);
        assert_eq!(decimal(""), None);
        assert_eq!(decimal("NaN"), None);
        assert_eq!(value(12.5, Lang::Fr), "12,5");
        assert_eq!(value(3.0, Lang::En), "3");
        assert_eq!(value(-0.25, Lang::En), "−0.25");
    }

    #[test]
    fn rights_follow_the_roles() {
        let me = |roles: Vec<PlatformRole>,
                  memberships: Vec<(&str, MembershipRole)>,
                  org: Option<&str>| {
            serde_json::from_value::<Me>(serde_json::json!({
                "id": "a", "email": "a@x.example", "name": "A", "lang": "fr",
                "platform_roles": roles,
                "organisation": org.map(|o| serde_json::json!({"id": o, "name": "O", "kind": "startup", "country": "FR", "siret": null})),
                "memberships": memberships.iter().map(|(insee, role)| serde_json::json!({"insee": insee, "name": "C", "role": role})).collect::<Vec<_>>(),
            }))
            .unwrap()
        };
        let partners = [Partner {
            organisation_id: "org-1".into(),
            name: "Solaire".into(),
            holder: true,
        }];
        let admin = rights(
            &me(vec![], vec![("93066", MembershipRole::Admin)], None),
            "93066",
            &partners,
        );
        assert_eq!(
            admin,
            Rights {
                manage: true,
                report: true,
                moderate: true,
                side: Some(Side::Commune)
            }
        );
        let agent = rights(
            &me(vec![], vec![("93066", MembershipRole::Agent)], None),
            "93066",
            &partners,
        );
        assert_eq!(
            agent,
            Rights {
                moderate: true,
                ..Rights::default()
            }
        );
        let elsewhere = rights(
            &me(vec![], vec![("93048", MembershipRole::Admin)], None),
            "93066",
            &partners,
        );
        assert_eq!(elsewhere, Rights::default());
        let partner = rights(&me(vec![], vec![], Some("org-1")), "93066", &partners);
        assert_eq!(
            partner,
            Rights {
                report: true,
                ..Rights::default()
            }
        );
        let other = rights(&me(vec![], vec![], Some("org-2")), "93066", &partners);
        assert_eq!(other, Rights::default());
        let operator = rights(
            &me(vec![PlatformRole::Programme], vec![], None),
            "93066",
            &partners,
        );
        assert_eq!(
            operator,
            Rights {
                manage: true,
                side: Some(Side::Programme),
                ..Rights::default()
            }
        );
    }
}
