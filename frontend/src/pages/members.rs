//! A commune's people: its admins and the programme team list, add and
//! remove them; its agents see the list.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use qmi_api::identity::{AddMember, Commune, Email, InvitationSummary, Me, Member};
use qmi_api::{MembershipRole, Page, PlatformRole};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::pages::space::{SignedInFor, role_label};
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField};

/// `/espace/communes/:insee`.
#[component]
pub fn Members() -> impl IntoView {
    let params = use_params_map();
    let insee = move || params.read_untracked().get("insee").unwrap_or_default();
    // The commune's admins and agents, and the programme team (the API's rule
    // `member-list`); anyone else gets the "not for your role" page. Those of a
    // suspended commune are told it is suspended.
    let allowed = move |me: &Me| {
        let insee = insee();
        me.platform_roles.contains(&PlatformRole::Programme)
            || me
                .memberships
                .iter()
                .chain(&me.suspended_memberships)
                .any(|m| m.insee.as_str() == insee && m.role != MembershipRole::Reviewer)
    };
    view! {
        <SignedInFor allowed page=move |me: Me| {
            let insee = insee();
            if me.suspended_memberships.iter().any(|m| m.insee.as_str() == insee) {
                let i = use_i18n();
                view! {
                    <section aria-labelledby="titre-membres">
                        <h1 id="titre-membres">{t!(i, "Membres de la commune", "Commune members")}</h1>
                        {crate::ui::suspended_notice(i)}
                    </section>
                }
                .into_any()
            } else {
                view! { <MembersOf me /> }.into_any()
            }
        } />
    }
}

#[component]
fn MembersOf(me: Me) -> impl IntoView {
    let i = use_i18n();
    let params = use_params_map();
    let insee = Memo::new(move |_| params.read().get("insee").unwrap_or_default());
    // Who may change the list (the API decides; this only spares others buttons that would be refused).
    let manages = move || {
        me.platform_roles.contains(&PlatformRole::Programme)
            || me
                .memberships
                .iter()
                .any(|m| m.insee.as_str() == insee.get() && m.role == MembershipRole::Admin)
    };
    let manages = Memo::new(move |_| manages());
    // Nobody removes themselves from here: that would lock them out.
    let me_id = StoredValue::new(me.id.clone());
    let version = RwSignal::new(0u32);
    let commune = api::load(move || Some(format!("/api/communes/{}", api::encode(&insee.get()))));
    let members = api::compute(move || {
        let insee = insee.get();
        version.track();
        async move { all_members(&insee).await }
    });
    let action_error = RwSignal::new(None::<ApiError>);

    let remove = move |account: String, name: String| {
        let question = format!("{} {name} ?", i.t("Retirer", "Remove"));
        if !crate::ui::confirm(&question) {
            return;
        }
        let insee = insee.get_untracked();
        spawn_local(async move {
            match api::delete(&format!(
                "/api/communes/{insee}/members/{}",
                api::encode(&account)
            ))
            .await
            {
                Ok(()) => {
                    action_error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => action_error.set(Some(e)),
            }
        });
    };

    view! {
        <section aria-labelledby="titre-membres">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <p class="eyebrow">{move || match api::read::<Commune>(&commune) { Some(Ok(c)) => c.name, _ => insee.get() }}</p>
            <h1 id="titre-membres">{t!(i, "Membres de la commune", "Commune members")}</h1>
            {move || manages.get().then(|| view! {
                <p><A href=format!("/espace/communes/{}/journal", api::encode(&insee.get())) attr:id="lien-journal">
                    {t!(i, "Journal d'audit de la commune", "The commune's audit trail")}
                </A></p>
            })}
            {move || action_error.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || match members.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="table table-stack" id="table-membres">
                            <caption class="visually-hidden">{t!(i, "Membres et rôles", "Members and roles")}</caption>
                            <thead><tr>
                                <th scope="col">{t!(i, "Nom", "Name")}</th>
                                <th scope="col">{t!(i, "E-mail", "E-mail")}</th>
                                <th scope="col">{t!(i, "Rôle", "Role")}</th>
                                {manages.get().then(|| view! { <th scope="col"><span class="visually-hidden">{t!(i, "Actions", "Actions")}</span></th> })}
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| {
                                    let role = m.role;
                                    let (account, name) = (m.account_id.clone(), m.name.clone());
                                    let label = m.name.clone();
                                    view! {
                                        <tr data-email=m.email.clone()>
                                            <td>{m.name.clone()}</td>
                                            <td>{m.email.clone()}</td>
                                            <td>{move || role_label(i, role)}</td>
                                            {manages.get().then(|| {
                                                let own = me_id.with_value(|id| *id == account);
                                                view! { <td>{(!own).then(|| view! { <button type="button" class="button button-small button-danger"
                                                    aria-label=move || format!("{} {}", i.t("Retirer", "Remove"), label)
                                                    on:click=move |_| remove(account.clone(), name.clone())>
                                                    {t!(i, "Retirer", "Remove")}
                                                </button> })}</td> }
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
        <ReviewFollowUp insee=insee.get_untracked() />
        <Show when=move || manages.get()>
            <AddMemberForm insee on_added=move || version.update(|v| *v += 1) />
            <section aria-labelledby="titre-invitations-commune">
                <h2 id="titre-invitations-commune">{t!(i, "Invitations en attente", "Pending invitations")}</h2>
                <p>{t!(i, "Une personne invitée rejoint la commune en suivant le lien reçu par e-mail, valable 7 jours.", "An invited person joins the commune by following the link received by e-mail, valid for 7 days.")}</p>
                <crate::pages::pending::PendingInvitations base=format!("/api/communes/{}/invitations", api::encode(&insee.get_untracked()))
                    version id="table-invitations-commune" />
            </section>
        </Show>
    }
}

/// One call's review follow-up: its assignments, each reviewer named.
struct FollowedCall {
    call: qmi_api::applications::Call,
    assignments: Result<Vec<qmi_api::applications::Assignment>, ApiError>,
}

/// The commune's calls (open and closed) with their assignments, read only.
async fn follow_up(insee: &str) -> Result<(Vec<FollowedCall>, Vec<Member>), ApiError> {
    use qmi_api::applications::{Assignment, Call, CallStatus};
    let mut calls = Vec::new();
    for status in [CallStatus::Open, CallStatus::Closed] {
        let page: Page<Call> = api::get(&format!(
            "/api/calls?status={status}&commune={}&limit=100",
            api::encode(insee)
        ))
        .await?;
        calls.extend(page.items);
    }
    let mut out = Vec::new();
    for call in calls {
        let assignments = api::get::<Vec<Assignment>>(&format!(
            "/api/calls/{}/assignments",
            api::encode(&call.id)
        ))
        .await;
        out.push(FollowedCall { call, assignments });
    }
    Ok((out, all_members(insee).await?))
}

/// The review follow-up of the commune's calls (admins and agents, read only):
/// which applications await reviews, which reviewers have not finished
/// although the call has closed (late).
#[component]
fn ReviewFollowUp(insee: String) -> impl IntoView {
    let i = use_i18n();
    let data = api::compute(move || {
        let insee = insee.clone();
        async move { follow_up(&insee).await.map(std::rc::Rc::new) }
    });
    let now = js_sys::Date::now();
    view! {
        <section aria-labelledby="titre-suivi" id="suivi-evaluations">
            <h2 id="titre-suivi">{t!(i, "Suivi des évaluations", "Review follow-up")}</h2>
            <p class="muted">{t!(i,
                "Pour chaque appel de la commune : les candidatures qui attendent des évaluations et les évaluateurs en retard (l'appel est clos et leur grille n'est pas terminée). Lecture seule.",
                "For each call of the commune: the applications awaiting reviews and the reviewers who are late (the call has closed and their sheet is not finished). Read only.")}</p>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(d)) => {
                    let (calls, members) = (&d.0, &d.1);
                    if calls.is_empty() {
                        return view! { <p class="notice">{t!(i, "La commune n'a pas encore d'appel publié.", "The commune has no published call yet.")}</p> }.into_any();
                    }
                    calls.iter().map(|f| {
                        let closed = js_sys::Date::parse(&f.call.closes_at) < now;
                        let rows = match &f.assignments {
                            Err(e) => view! { <ErrorNotice error=e.clone() /> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p>{t!(i, "Aucune évaluation confiée pour l'instant.", "No review assigned yet.")}</p> }.into_any(),
                            Ok(list) => {
                                let awaiting = list.iter().filter(|a| a.open && !a.done && !a.conflict)
                                    .map(|a| a.application.as_str()).collect::<std::collections::BTreeSet<_>>().len();
                                let late = if closed { list.iter().filter(|a| a.open && !a.done && !a.conflict).count() } else { 0 };
                                view! {
                                    <p class="follow-summary">{format!("{awaiting} {} · {late} {}",
                                        i.t("candidature(s) en attente d'évaluations", "application(s) awaiting reviews"),
                                        i.t("évaluation(s) en retard", "late review(s)"))}</p>
                                    <div class="table-wrap">
                                        <table class="table table-stack">
                                            <caption class="visually-hidden">{f.call.title.clone()}</caption>
                                            <thead><tr>
                                                <th scope="col">{t!(i, "Candidature", "Application")}</th>
                                                <th scope="col">{t!(i, "Évaluateur ou évaluatrice", "Reviewer")}</th>
                                                <th scope="col">{t!(i, "État", "State")}</th>
                                            </tr></thead>
                                            <tbody>{list.iter().map(|a| {
                                                let who = members.iter().find(|m| m.account_id == a.reviewer)
                                                    .map_or_else(|| a.reviewer.clone(), |m| m.name.clone());
                                                let state = if a.conflict { i.t("Récusé (conflit d'intérêts)", "Recused (conflict of interest)") }
                                                    else if a.done { i.t("Évaluée", "Reviewed") }
                                                    else if !a.open { i.t("Sans suite", "No longer awaited") }
                                                    else if closed { i.t("En retard", "Late") }
                                                    else { i.t("En attente", "Awaited") };
                                                view! { <tr><td>{a.title.clone()}</td><td>{who}</td><td>{state}</td></tr> }
                                            }).collect_view()}</tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }
                        };
                        view! { <h3>{f.call.title.clone()}</h3>{rows} }
                    }).collect_view().into_any()
                }
            }}
        </section>
    }
}

/// Every member of a commune, following the cursors.
pub async fn all_members(insee: &str) -> Result<Vec<Member>, ApiError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/communes/{}/members?limit=500", api::encode(insee));
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", api::encode(c)));
        }
        let page: Page<Member> = api::get(&path).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
            _ => return Ok(out),
        }
    }
}

#[component]
fn AddMemberForm(
    insee: Memo<String>,
    on_added: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("agent".to_owned());
    let email_error = RwSignal::new(None::<String>);
    let name_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        error.set(None);
        name_error.set(None);
        let parsed: Result<Email, _> = email.get_untracked().parse();
        let Ok(parsed) = parsed else {
            email_error.set(Some(
                i.t(
                    "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                    "Enter a valid e-mail address (name@domain.org).",
                )
                .into(),
            ));
            return;
        };
        email_error.set(None);
        let body = AddMember {
            email: parsed,
            role: MembershipRole::parse(&role.get_untracked()).unwrap_or(MembershipRole::Agent),
            name: Some(name.get_untracked().trim().to_owned()).filter(|n| !n.is_empty()),
        };
        let insee = insee.get_untracked();
        spawn_local(async move {
            match api::post::<Added>(&format!("/api/communes/{insee}/members"), &body).await {
                Ok(added) => {
                    email.set(String::new());
                    name.set(String::new());
                    done.set(Some(match added {
                        Added::Invited(inv) => format!(
                            "{} {}. {}",
                            i.t("Invitation envoyée à", "Invitation sent to"),
                            inv.email,
                            i.t(
                                "La personne rejoint la commune en suivant le lien reçu, valable 7 jours.",
                                "The person joins the commune by following the link received, valid for 7 days."
                            )
                        ),
                        Added::Member(m) => format!(
                            "{} {} : {}.",
                            i.t("Rôle changé pour", "Role changed for"),
                            m.name,
                            role_label(i, m.role)
                        ),
                    }));
                    on_added();
                }
                Err(e) => {
                    email_error.set(e.field("email"));
                    name_error.set(e.field("name"));
                    error.set(Some(e));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-ajout-membre">
            <h2 id="titre-ajout-membre">{t!(i, "Inviter une personne", "Invite a person")}</h2>
            <p>{t!(i, "La personne reçoit une invitation par e-mail et rejoint la commune en l'acceptant. Pour un membre de la commune, le rôle change aussitôt.", "The person gets an invitation by e-mail and joins the commune by accepting it. For a member of the commune, the role changes at once.")}</p>
            <form on:submit=submit novalidate class="form-grid">
                <TextField id="membre-email" label=t!(i, "Adresse e-mail", "E-mail address") value=email
                    error=email_error kind="email" required=true />
                <TextField id="membre-nom" label=t!(i, "Nom (si la personne n'a pas encore de compte)", "Name (if the person has no account yet)")
                    value=name error=name_error />
                <div class="field">
                    <label for="membre-role">{t!(i, "Rôle", "Role")}</label>
                    <select id="membre-role" bind:value=role>
                        {[MembershipRole::Admin, MembershipRole::Agent, MembershipRole::Reviewer].into_iter()
                            .map(|r| view! { <option value=r.as_str()>{move || role_label(i, r)}</option> }).collect_view()}
                    </select>
                </div>
                <p><button type="submit" class="button" id="membre-ajouter">{t!(i, "Inviter", "Invite")}</button></p>
                {move || error.get().filter(|e| e.errors.is_empty()).map(|e| view! { <ErrorNotice error=e /> })}
                <p role="status" id="membre-ajoute">{move || done.get().map(|m| view! { <span class="notice notice-ok">{m}</span> })}</p>
            </form>
        </section>
    }
}

/// The answer to an invitation: a pending invitation (202), or the member
/// whose role changed (200).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Added {
    Invited(InvitationSummary),
    Member(Member),
}
