//! The audit trail (issue 18): a commune's, for its admins and the programme
//! team (`/espace/communes/:insee/journal`), and the platform's — sign-ins and
//! the operators' actions on no commune — for the programme team
//! (`/espace/journal`). Newest first, a page at a time, filtered by person
//! (an account id), record, action and dates; a commune's trail exports as CSV
//! with the filters shown.
//!
//! Entries name accounts by id, never by name or e-mail (an erased account's
//! entries stay); a commune's page adds the name of a current member beside
//! its id.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::accountability::AuditEntry;
use qmi_api::identity::{Commune, Lang, Me, Member};
use qmi_api::{MembershipRole, PlatformRole};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::paged::Paged;
use crate::pages::space::SignedInFor;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of, load_more};

/// Entries per page.
const PAGE: u32 = 50;

/// The actions QMI records, with their labels (French, English); an action
/// not listed shows its own name.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("sign-in", "Connexion", "Sign-in"),
    (
        "invitation-accept",
        "Invitation acceptée",
        "Invitation accepted",
    ),
    (
        "draft-reminder",
        "Rappel envoyé pour un brouillon",
        "Reminder sent for a draft",
    ),
    (
        "forbidden",
        "Accès sans droit sur la route",
        "Access without standing on the route",
    ),
    (
        "tenant-suspended",
        "Accès à une commune suspendue",
        "Access to a suspended commune",
    ),
    (
        "sign-in-failed",
        "Connexion refusée (identifiants erronés)",
        "Failed sign-in (wrong credentials)",
    ),
    (
        "tenant-create",
        "Commune ajoutée au registre",
        "Commune added to the registry",
    ),
    ("tenant-suspend", "Commune suspendue", "Commune suspended"),
    ("tenant-resume", "Commune réactivée", "Commune resumed"),
    (
        "member-manage",
        "Membres de la commune modifiés",
        "Commune members changed",
    ),
    (
        "member-add",
        "Membre ajouté ou invité",
        "Member added or invited",
    ),
    ("member-remove", "Membre retiré", "Member removed"),
    (
        "team-manage",
        "Équipe du programme modifiée",
        "Programme team changed",
    ),
    (
        "organisation-create",
        "Organisation créée",
        "Organisation created",
    ),
    (
        "organisation-update",
        "Organisation modifiée",
        "Organisation updated",
    ),
    (
        "organisation-join",
        "Demande pour rejoindre une organisation",
        "Request to join an organisation",
    ),
    (
        "campaign-open",
        "Appel à communes ouvert",
        "Call for communes opened",
    ),
    (
        "campaign-review",
        "Candidature de commune examinée",
        "Commune candidacy reviewed",
    ),
    ("campaign-select", "Commune retenue", "Commune selected"),
    (
        "candidacy-draft",
        "Candidature de la commune enregistrée",
        "Commune candidacy saved",
    ),
    (
        "candidacy-submit",
        "Candidature de la commune déposée",
        "Commune candidacy submitted",
    ),
    (
        "call-create",
        "Appel à solutions créé",
        "Call for solutions created",
    ),
    (
        "call-update",
        "Appel à solutions modifié",
        "Call for solutions updated",
    ),
    (
        "call-publish",
        "Appel à solutions publié",
        "Call for solutions published",
    ),
    (
        "application-draft",
        "Candidature enregistrée (brouillon)",
        "Application saved (draft)",
    ),
    (
        "application-submit",
        "Candidature déposée",
        "Application submitted",
    ),
    (
        "application-withdraw",
        "Candidature retirée",
        "Application withdrawn",
    ),
    (
        "application-transition",
        "Candidature passée à une autre étape",
        "Application moved to another step",
    ),
    ("review-assign", "Évaluations confiées", "Reviews assigned"),
    ("review-score", "Évaluation notée", "Review scored"),
    (
        "review-declare-conflict",
        "Conflit d'intérêts déclaré",
        "Conflict of interest declared",
    ),
    ("decision-decide", "Décision prise", "Decision taken"),
    (
        "decision-publish",
        "Décisions publiées",
        "Decisions published",
    ),
    (
        "export-applications",
        "Candidatures exportées",
        "Applications exported",
    ),
    (
        "district-update",
        "Quartier d'innovation modifié",
        "Innovation district updated",
    ),
    ("jobs-run", "Tâche planifiée lancée", "Scheduled job run"),
    (
        "experiment-create",
        "Expérimentation créée",
        "Experiment created",
    ),
    (
        "experiment-manage",
        "Expérimentation modifiée",
        "Experiment updated",
    ),
    (
        "experiment-report",
        "Compte rendu d'expérimentation",
        "Experiment report",
    ),
    (
        "experiment-evaluate",
        "Grille d'évaluation remplie",
        "Evaluation grid filled",
    ),
    (
        "feedback-give",
        "Avis d'habitant reçu",
        "Resident feedback received",
    ),
    ("feedback-moderate", "Avis modéré", "Feedback moderated"),
    ("feedback-erase", "Avis effacé", "Feedback erased"),
    (
        "partner-curate",
        "Annuaire : fiches fusionnées",
        "Directory: records merged",
    ),
    (
        "note-write",
        "Note sur une organisation",
        "Note on an organisation",
    ),
    (
        "personal-data-export",
        "Données personnelles téléchargées",
        "Personal data downloaded",
    ),
    ("account-erase", "Compte supprimé", "Account deleted"),
];

/// The label of an action: known ones in the interface language, a refusal
/// (`refusal:<action>`) as such, any other by its own name.
pub fn action_label(action: &str, lang: Lang) -> String {
    let known = |a: &str| {
        ACTIONS
            .iter()
            .find(|(code, _, _)| *code == a)
            .map(|(_, fr, en)| if lang == Lang::Fr { *fr } else { *en })
    };
    if let Some(label) = known(action) {
        return label.to_owned();
    }
    if let Some(refused) = action.strip_prefix("refusal:") {
        let what = known(refused).map_or_else(|| refused.to_owned(), str::to_owned);
        return match lang {
            Lang::Fr => format!("Refusé : {what}"),
            Lang::En => format!("Refused: {what}"),
        };
    }
    action.to_owned()
}

/// The label of the role an entry names (`admin`, `programme`, …).
fn role_label(role: &str, lang: Lang) -> String {
    let (fr, en) = match role {
        "admin" => ("Administration de la commune", "Commune admin"),
        "agent" => ("Agent de la commune", "Commune agent"),
        "reviewer" => ("Évaluation (jury)", "Reviewer"),
        "programme" => ("Équipe du programme", "Programme team"),
        "hosting" => ("Hébergement", "Hosting operator"),
        "organisation" => ("Membre d'une organisation", "Organisation member"),
        "account" => ("Compte", "Account"),
        "anonymous" => ("Anonyme", "Anonymous"),
        "platform" => ("Plateforme", "Platform"),
        other => return other.to_owned(),
    };
    (if lang == Lang::Fr { fr } else { en }).to_owned()
}

/// The label of a kind of record (the table it lives in).
fn record_label(kind: &str, lang: Lang) -> String {
    let (fr, en) = match kind {
        "applications" => ("Candidature", "Application"),
        "calls" => ("Appel à solutions", "Call for solutions"),
        "campaigns" => ("Appel à communes", "Call for communes"),
        "candidacies" => ("Candidature de commune", "Commune candidacy"),
        "accounts" => ("Compte", "Account"),
        "memberships" | "members" => ("Membre", "Member"),
        "invitations" => ("Invitation", "Invitation"),
        "communes" => ("Commune", "Commune"),
        "districts" => ("Quartier d'innovation", "Innovation district"),
        "assignments" | "reviews" => ("Évaluation", "Review"),
        "decisions" => ("Décision", "Decision"),
        "organisations" => ("Organisation", "Organisation"),
        "notes" => ("Note", "Note"),
        "experiments" => ("Expérimentation", "Experiment"),
        "feedback" => ("Avis d'habitant", "Resident feedback"),
        "indicators" => ("Indicateur", "Indicator"),
        "measurements" => ("Mesure", "Measurement"),
        "milestones" => ("Jalon", "Milestone"),
        "documents" => ("Document", "Document"),
        "sites" => ("Site", "Site"),
        other => return other.to_owned(),
    };
    (if lang == Lang::Fr { fr } else { en }).to_owned()
}

/// The filters of a trail (an empty one filters nothing).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    /// An account id.
    pub account: String,
    /// A record id.
    pub record: String,
    /// An action's name.
    pub action: String,
    /// First day (YYYY-MM-DD).
    pub from: String,
    /// Last day (YYYY-MM-DD).
    pub to: String,
}

impl Filters {
    /// The query parameters of the filters set, `&`-joined, values encoded.
    pub fn query(&self) -> String {
        [
            ("account", &self.account),
            ("record", &self.record),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", api::encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Whose trail: a commune's, or the platform's.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// The commune of this INSEE code.
    Commune(String),
    /// The platform's chains (sign-ins, operator actions on no commune).
    Platform,
}

impl Scope {
    fn base(&self) -> String {
        match self {
            Scope::Commune(insee) => format!("/api/communes/{}/audit", api::encode(insee)),
            Scope::Platform => "/api/admin/audit".to_owned(),
        }
    }

    /// The first page's path with `filters` (the cursor is appended to it).
    pub fn list(&self, filters: &Filters) -> String {
        let query = filters.query();
        let sep = if query.is_empty() { "" } else { "&" };
        format!("{}?limit={PAGE}{sep}{query}", self.base())
    }

    /// The CSV export with `filters` (a commune's trail only).
    pub fn csv(&self, filters: &Filters) -> Option<String> {
        let Scope::Commune(_) = self else {
            return None;
        };
        let query = filters.query();
        let sep = if query.is_empty() { "" } else { "?" };
        Some(format!("{}.csv{sep}{query}", self.base()))
    }
}

/// `/espace/communes/:insee/journal`: the commune's admins and the programme
/// team; the admins of a suspended commune are told it is suspended.
#[component]
pub fn CommuneAudit(insee: String) -> impl IntoView {
    let allowed = {
        let insee = insee.clone();
        move |me: &Me| {
            me.platform_roles.contains(&PlatformRole::Programme)
                || me
                    .memberships
                    .iter()
                    .chain(&me.suspended_memberships)
                    .any(|m| m.insee.as_str() == insee && m.role == MembershipRole::Admin)
        }
    };
    view! {
        <SignedInFor allowed page=move |me: Me| {
            if me.suspended_memberships.iter().any(|m| m.insee.as_str() == insee) {
                let i = use_i18n();
                view! {
                    <section aria-labelledby="titre-journal">
                        <h1 id="titre-journal">{t!(i, "Journal d'audit", "Audit trail")}</h1>
                        {crate::ui::suspended_notice(i)}
                    </section>
                }
                .into_any()
            } else {
                view! { <Trail scope=Scope::Commune(insee.clone()) /> }.into_any()
            }
        } />
    }
}

/// `/espace/journal`: the platform's trail, for the programme team.
#[component]
pub fn PlatformAudit() -> impl IntoView {
    let allowed = |me: &Me| me.platform_roles.contains(&PlatformRole::Programme);
    view! { <SignedInFor allowed page=|_: Me| view! { <Trail scope=Scope::Platform /> } /> }
}

#[component]
fn Trail(scope: Scope) -> impl IntoView {
    let i = use_i18n();
    let commune = match &scope {
        Scope::Commune(insee) => Some(insee.clone()),
        Scope::Platform => None,
    };
    let scope = StoredValue::new(scope);
    let list = Paged::<AuditEntry>::new();
    let applied = RwSignal::new(Filters::default());
    let load = move |reset: bool| {
        let path = scope.with_value(|s| s.list(&applied.get_untracked()));
        list.load(path, reset);
    };
    load(true);

    // The filters as typed; applied (and the CSV link changed) on "Filtrer".
    let account = RwSignal::new(String::new());
    let record = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (from_v, to_v) = (from.get_untracked(), to.get_untracked());
        if !from_v.is_empty() && !to_v.is_empty() && from_v > to_v {
            crate::pages::access::field_error(
                errors,
                "to",
                i.t(
                    "La date de fin précède la date de début.",
                    "The end date comes before the start date.",
                ),
            );
            crate::ui::focus_first_invalid();
            return;
        }
        errors.set(Default::default());
        applied.set(Filters {
            account: account.get_untracked(),
            record: record.get_untracked(),
            action: action.get_untracked(),
            from: from_v,
            to: to_v,
        });
        load(true);
    };
    let clear = move |_| {
        for s in [account, record, action, from, to] {
            s.set(String::new());
        }
        errors.set(Default::default());
        applied.set(Filters::default());
        load(true);
    };

    // The names of the commune's current members, beside their ids.
    let names = {
        let commune = commune.clone();
        api::compute(move || {
            let commune = commune.clone();
            async move {
                match commune {
                    Some(insee) => crate::pages::members::all_members(&insee)
                        .await
                        .unwrap_or_default(),
                    None => Vec::<Member>::new(),
                }
            }
        })
    };
    let commune_page = commune
        .clone()
        .map(|insee| api::load(move || Some(format!("/api/communes/{}", api::encode(&insee)))));

    // The actions offered as filters: the known ones, and any other met.
    let options = Memo::new(move |_| {
        let lang = i.lang();
        let mut out: Vec<(String, String)> = ACTIONS
            .iter()
            .map(|(code, fr, en)| {
                (
                    (*code).to_owned(),
                    (if lang == Lang::Fr { *fr } else { *en }).to_owned(),
                )
            })
            .collect();
        list.items.with(|items| {
            for e in items {
                if !out.iter().any(|(code, _)| *code == e.action) {
                    out.push((e.action.clone(), action_label(&e.action, lang)));
                }
            }
        });
        out
    });

    let export_failure = RwSignal::new(None::<ApiError>);
    let file = format!("journal-{}.csv", commune.clone().unwrap_or_default());
    let export = move || {
        scope.with_value(|s| s.csv(&applied.get())).map(|href| {
            let file = file.clone();
            let path = href.clone();
            view! {
                <p class="actions">
                    <a href=href class="button button-secondary" id="journal-export"
                        on:click=move |ev| {
                            ev.prevent_default();
                            let (path, file) = (path.clone(), file.clone());
                            spawn_local(async move {
                                export_failure.set(api::download(&path, &file).await.err());
                            });
                        }>
                        {t!(i, "Exporter en CSV", "Export as CSV")}
                    </a>
                </p>
                <p class="hint">{t!(i, "Le fichier reprend les filtres appliqués, toutes pages comprises.", "The file follows the filters applied, every page included.")}</p>
            }
        })
    };

    let platform = commune.is_none();
    let back = if platform {
        "/espace".to_owned()
    } else {
        format!(
            "/espace/communes/{}",
            api::encode(commune.as_deref().unwrap_or_default())
        )
    };
    view! {
        <section aria-labelledby="titre-journal">
            <p><A href=back>{move || if platform { i.t("← Mon espace", "← My space") } else { i.t("← Membres de la commune", "← Commune members") }}</A></p>
            {commune_page.map(|page| view! {
                <p class="eyebrow">{move || match api::read::<Commune>(&page) {
                    Some(Ok(c)) => c.name,
                    _ => commune.clone().unwrap_or_default(),
                }}</p>
            })}
            <h1 id="titre-journal">{move || if platform { i.t("Journal de la plateforme", "Platform trail") } else { i.t("Journal d'audit", "Audit trail") }}</h1>
            <p>{move || if platform {
                i.t("Les connexions (réussies ou refusées) et les actions des opérateurs qui ne concernent aucune commune, les plus récentes d'abord.",
                    "Sign-ins (successful or refused) and the operators' actions that concern no commune, newest first.")
            } else {
                i.t("Chaque modification des données de la commune, avec qui l'a faite, quand, et sur quel enregistrement, les plus récentes d'abord.",
                    "Every change to the commune's data, with who made it, when, and to which record, newest first.")
            }}</p>
            <p class="muted">{t!(i,
                "Le journal ne se modifie ni ne s'efface : chaque entrée est chaînée à la précédente. Les personnes y sont désignées par l'identifiant de leur compte, jamais par leur adresse ; un compte supprimé y reste sous son identifiant.",
                "The trail can be neither changed nor erased: every entry is chained to the one before. People appear by their account id, never by their address; a deleted account stays there under its id.")}</p>
            <form class="filters" role="search" id="journal-filtres" novalidate on:submit=apply
                aria-label=t!(i, "Filtrer le journal", "Filter the trail")>
                <TextField id="journal-personne" label=t!(i, "Personne (identifiant du compte)", "Person (account id)") value=account error=Signal::derive(|| None::<String>) />
                <TextField id="journal-enregistrement" label=t!(i, "Enregistrement (identifiant)", "Record (id)") value=record error=Signal::derive(|| None::<String>) />
                <div class="field">
                    <label for="journal-action">{t!(i, "Action", "Action")}</label>
                    <select id="journal-action" bind:value=action>
                        <option value="">{t!(i, "Toutes les actions", "Every action")}</option>
                        {move || options.get().into_iter().map(|(code, label)| view! { <option value=code>{label}</option> }).collect_view()}
                    </select>
                </div>
                <TextField id="journal-du" label=t!(i, "Du", "From") value=from kind="date" error=error_of(errors, "from") />
                <TextField id="journal-au" label=t!(i, "Au", "To") value=to kind="date" error=error_of(errors, "to") />
                <p class="actions">
                    <button type="submit" class="button" id="journal-filtrer">{t!(i, "Filtrer", "Filter")}</button>
                    <button type="button" class="button button-secondary" id="journal-tout" on:click=clear>{t!(i, "Tout afficher", "Show all")}</button>
                </p>
            </form>
            {export}
            {move || export_failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || list.error.get().map(|e| view! { <ErrorNotice error=e /> })}
            <p class="muted" role="status" id="journal-total">{move || {
                let n = list.items.with(Vec::len) as u64;
                if list.loading.get() && n == 0 {
                    return String::new();
                }
                crate::fmt::count(n, i.lang(), ("entrée affichée", "entrées affichées"), ("entry shown", "entries shown"))
            }}</p>
            {move || {
                let entries = list.items.get();
                if entries.is_empty() {
                    return if list.loading.get() {
                        view! { <Loading /> }.into_any()
                    } else if list.error.with(Option::is_none) {
                        view! { <p class="notice" id="journal-vide">{t!(i, "Aucune entrée ne correspond.", "No entry matches.")}</p> }.into_any()
                    } else {
                        ().into_any()
                    };
                }
                let members = names.get().unwrap_or_default();
                entries_table(i, entries, &members, platform)
            }}
            {load_more("journal-plus", list.done, list.loading, move || load(false))}
        </section>
    }
}

/// The table of entries (newest first, as the API gives them).
fn entries_table(i: I18n, entries: Vec<AuditEntry>, members: &[Member], platform: bool) -> AnyView {
    let lang = i.lang();
    let rows = entries
        .into_iter()
        .map(|e| {
            let name = members
                .iter()
                .find(|m| !e.account_id.is_empty() && m.account_id == e.account_id)
                .map(|m| m.name.clone());
            let who = if e.account_id.is_empty() {
                view! { <span class="muted">{t!(i, "— (anonyme ou plateforme)", "— (anonymous or platform)")}</span> }.into_any()
            } else {
                view! {
                    {name.map(|n| view! { <span>{n}</span><br /> })}
                    <code class="audit-id">{e.account_id.clone()}</code>
                }
                .into_any()
            };
            let record = if e.record_kind.is_empty() && e.record_id.is_empty() {
                crate::ui::text("—")
            } else {
                view! {
                    <span>{record_label(&e.record_kind, lang)}</span>
                    {(!e.record_id.is_empty()).then(|| view! { <br /><code class="audit-id">{e.record_id.clone()}</code> })}
                }
                .into_any()
            };
            let mut cells = vec![
                crate::ui::when(e.at.clone()),
                who,
                crate::ui::text(role_label(&e.role, lang)),
                view! { <span class="audit-action" data-action=e.action.clone()>{action_label(&e.action, lang)}</span> }.into_any(),
                record,
            ];
            if platform {
                cells.push(crate::ui::text(e.service.clone()));
            }
            (e.action, cells)
        })
        .collect();
    let mut heads = vec![
        t!(i, "Date et heure", "Date and time"),
        t!(i, "Personne", "Person"),
        t!(i, "Rôle", "Role"),
        t!(i, "Action", "Action"),
        t!(i, "Enregistrement", "Record"),
    ];
    if platform {
        heads.push(t!(i, "Service", "Service"));
    }
    crate::ui::table(
        "table-journal",
        t!(
            i,
            "Entrées du journal, les plus récentes d'abord",
            "Trail entries, newest first"
        ),
        heads,
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_in_french_or_by_their_name() {
        assert_eq!(action_label("sign-in", Lang::Fr), "Connexion");
        assert_eq!(
            action_label("tenant-suspend", Lang::En),
            "Commune suspended"
        );
        assert_eq!(
            action_label("refusal:member-manage", Lang::Fr),
            "Refusé : Membres de la commune modifiés"
        );
        assert_eq!(
            action_label("refusal:brand-new", Lang::En),
            "Refused: brand-new"
        );
        assert_eq!(
            action_label("brand-new-action", Lang::Fr),
            "brand-new-action"
        );
        let codes: std::collections::BTreeSet<_> = ACTIONS.iter().map(|a| a.0).collect();
        assert_eq!(codes.len(), ACTIONS.len(), "an action is listed twice");
    }

    #[test]
    fn filters_travel_in_the_query() {
        let none = Filters::default();
        let commune = Scope::Commune("93066".into());
        assert_eq!(commune.list(&none), "/api/communes/93066/audit?limit=50");
        assert_eq!(
            commune.csv(&none).as_deref(),
            Some("/api/communes/93066/audit.csv")
        );
        let some = Filters {
            account: " 0190-ab ".into(),
            action: "member-manage".into(),
            from: "2026-01-01".into(),
            to: "2026-12-31".into(),
            ..Filters::default()
        };
        assert_eq!(
            commune.csv(&some).as_deref(),
            Some(
                "/api/communes/93066/audit.csv?account=0190-ab&action=member-manage&from=2026-01-01&to=2026-12-31"
            )
        );
        assert_eq!(
            Scope::Platform.list(&some),
            "/api/admin/audit?limit=50&account=0190-ab&action=member-manage&from=2026-01-01&to=2026-12-31"
        );
        assert_eq!(Scope::Platform.csv(&some), None);
    }
}
