//! The partner member's organisation (`/espace/organisation`): its profile
//! edited with a live preview of its public page (the directory's editor,
//! `pages/partners/editor.rs`), its members; a new organisation's form.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::identity::{
    AddOrganisationMember, Country, Email, InvitationSent, Me, OrganisationKind,
    OrganisationMember, Siret,
};
use qmi_api::partners::{NewProfile, Profile, Texts};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::pages::partners::ProfileEditor;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of};

/// The label of an organisation kind.
pub fn kind_label(i: I18n, k: OrganisationKind) -> &'static str {
    match k {
        OrganisationKind::Startup => i.t("Startup", "Startup"),
        OrganisationKind::Association => i.t("Association", "Association"),
        OrganisationKind::Sme => i.t("PME", "SME"),
        OrganisationKind::LargeCompany => i.t("Grande entreprise", "Large company"),
        OrganisationKind::PublicBody => i.t("Organisme public", "Public body"),
        OrganisationKind::Funder => i.t("Financeur", "Funder"),
        OrganisationKind::Research => i.t("Recherche", "Research"),
    }
}

/// `/espace/organisation`.
#[component]
pub fn OrganisationPage() -> impl IntoView {
    let i = use_i18n();
    view! {
        <SignedIn page=move |me: Me| match me.organisation {
            Some(o) => view! { <OwnProfile id=o.id /> }.into_any(),
            None => view! {
                <section aria-labelledby="titre-sans-organisation">
                    <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
                    <h1 id="titre-sans-organisation">{t!(i, "Votre organisation", "Your organisation")}</h1>
                    <p class="lead">{t!(i, "Votre compte n'est rattaché à aucune organisation. Créez la vôtre, ou demandez à rejoindre celle de vos collègues si elle est déjà inscrite.", "Your account belongs to no organisation. Create yours, or ask to join your colleagues' if it is registered already.")}</p>
                </section>
                <crate::pages::join::NoOrganisation />
            }.into_any(),
        } />
    }
}

#[component]
fn OwnProfile(id: String) -> impl IntoView {
    let i = use_i18n();
    let path = format!("/api/organisations/{}", api::encode(&id));
    let org = api::load(move || Some(path.clone()));
    let public = format!("/annuaire/{id}");
    view! {
        <section aria-labelledby="titre-organisation" class="wide">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <p class="eyebrow">{t!(i, "Annuaire des partenaires", "Partner directory")}</p>
            <h1 id="titre-organisation">{t!(i, "Profil de l'organisation", "Organisation profile")}</h1>
            <p class="lead">{t!(i,
                "Ce que les communes, l'équipe du programme et, si la fiche est publique, tout le monde lisent de votre organisation. L'aperçu suit vos saisies.",
                "What the communes, the programme team and, when the profile is public, everyone read about your organisation. The preview follows what you type.")}</p>
            <p><A href=public attr:id="voir-fiche-publique">{t!(i, "Voir la fiche dans l'annuaire", "See the profile in the directory")}</A></p>
            {move || match api::read::<Profile>(&org) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) => view! { <ProfileEditor profile=p /> }.into_any(),
            }}
        </section>
        <OrgMembers id=id />
    }
}

/// An organisation's members: listed, an account added by its e-mail, one
/// removed (its members and the programme team).
#[component]
pub fn OrgMembers(id: String) -> impl IntoView {
    let i = use_i18n();
    let path = format!("/api/organisations/{}/members", api::encode(&id));
    let version = RwSignal::new(0u32);
    // Nobody removes themselves from here: that would lock them out.
    let me_id = crate::session::use_session()
        .me
        .get_untracked()
        .map(|m| m.id);
    let members = {
        let path = path.clone();
        api::load(move || {
            version.track();
            Some(path.clone())
        })
    };
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    // The last address invited: it joins once the person accepts.
    let invited = RwSignal::new(None::<String>);
    let heading = format!("titre-membres-org-{id}");
    let heading_ref = heading.clone();
    let email_id = format!("org-{id}-membre-email");
    let add = {
        let path = path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Ok(address) = email.get_untracked().parse::<Email>() else {
                error.set(Some(
                    i.t(
                        "Une adresse électronique valide.",
                        "A valid e-mail address.",
                    )
                    .to_owned(),
                ));
                crate::ui::focus_first_invalid();
                return;
            };
            let path = path.clone();
            spawn_local(async move {
                match api::post::<InvitationSent>(&path, &AddOrganisationMember { email: address })
                    .await
                {
                    Ok(sent) => {
                        email.set(String::new());
                        error.set(None);
                        failure.set(None);
                        invited.set(Some(sent.email.to_string()));
                        version.update(|v| *v += 1);
                    }
                    Err(e) => {
                        error.set(e.field("email"));
                        failure.set(Some(e).filter(|e| e.errors.is_empty()));
                        crate::ui::focus_first_invalid();
                    }
                }
            });
        }
    };
    let base = StoredValue::new(path);
    let invitations = format!("/api/organisations/{}/invitations", api::encode(&id));
    let org_id = id.clone();
    let remove = move |account: String, name: String| {
        let question = format!("{} {name} ?", i.t("Retirer", "Remove"));
        if !crate::ui::confirm(&question) {
            return;
        }
        let path = format!("{}/{}", base.get_value(), api::encode(&account));
        spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <section aria-labelledby=heading_ref class="org-members">
            <h2 id=heading>{t!(i, "Membres de l'organisation", "Organisation members")}</h2>
            {move || match api::read::<Vec<OrganisationMember>>(&members) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="plain-list">
                        {list.into_iter().map(|m| {
                            let account = m.account_id.clone();
                            let who = m.name.clone();
                            let address = m.email.clone();
                            let own = me_id.as_deref() == Some(account.as_str());
                            let name = m.name.clone();
                            view! {
                                <li data-email=address>{m.name}" — "<span class="muted">{m.email}</span>" "
                                    {(!own).then(|| view! { <button type="button" class="button button-small button-secondary"
                                        aria-label=move || format!("{} {who}", i.t("Retirer", "Remove"))
                                        on:click=move |_| remove(account.clone(), name.clone())>{t!(i, "Retirer", "Remove")}</button> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <form on:submit=add novalidate class="form-grid">
                <TextField id=email_id label=t!(i, "Inviter une personne (adresse électronique)", "Invite a person (e-mail)")
                    value=email error=Signal::derive(move || error.get()) kind="email" />
                <p><button type="submit" class="button button-secondary">{t!(i, "Inviter", "Invite")}</button></p>
            </form>
            <p role="status" class="org-invited">{move || invited.get().map(|address| format!("{} {address}. {}",
                i.t("Invitation envoyée à", "Invitation sent to"),
                i.t("La personne rejoint l'organisation en suivant le lien reçu par e-mail (valable 7 jours), ou depuis « Mon espace » si elle a déjà un compte.", "The person joins the organisation by following the link received by e-mail (valid for 7 days), or from \"My space\" if they have an account already.")))}</p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            <h3>{t!(i, "Invitations en attente", "Pending invitations")}</h3>
            <crate::pages::pending::PendingInvitations base=invitations version id="table-invitations-organisation" />
            <crate::pages::join::JoinRequests id=org_id on_answered=Callback::new(move |()| version.update(|v| *v += 1)) />
        </section>
    }
}

/// A new organisation's form: what identifies it (name, kind, country, SIRET
/// or registry number, city); the rest is written in its profile editor once it
/// exists. Values are parsed with the API's own types before sending (an
/// invalid country or SIRET never leaves the browser), and the API's per-field
/// problems are shown beside their fields. The new profile goes to `on_created`.
#[component]
pub fn CreateForm(#[prop(optional)] on_created: Option<Callback<Profile>>) -> impl IntoView {
    let i = use_i18n();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(OrganisationKind::Startup.as_str().to_owned());
    let country = RwSignal::new("FR".to_owned());
    let siret = RwSignal::new(String::new());
    let registry = RwSignal::new(String::new());
    let city = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let field = move |f: &'static str| error_of(errors, f);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        failure.set(None);
        let mut errs = std::collections::BTreeMap::new();
        let mut bad = |f: &str, fr: &'static str, en: &'static str| {
            errs.entry(f.to_owned())
                .or_insert_with(|| i.t(fr, en).to_owned());
        };
        let name_v = name.get_untracked().trim().to_owned();
        if name_v.is_empty() {
            bad(
                "name",
                "Indiquez le nom de l'organisation.",
                "Enter the organisation's name.",
            );
        }
        let country_v = country.get_untracked().parse::<Country>();
        if country_v.is_err() {
            bad(
                "country",
                "Code pays ISO à deux lettres, par exemple FR ou DE.",
                "Two-letter ISO country code, e.g. FR or DE.",
            );
        }
        let siret_text: String = siret
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let siret_v = if siret_text.is_empty() {
            Ok(None)
        } else {
            siret_text.parse::<Siret>().map(Some)
        };
        if siret_v.is_err() {
            bad(
                "siret",
                "Un SIRET compte 14 chiffres et respecte la clé de contrôle.",
                "A SIRET has 14 digits and a valid check digit.",
            );
        }
        let registry_v = Some(registry.get_untracked().trim().to_owned()).filter(|r| !r.is_empty());
        match (&country_v, &siret_v) {
            (Ok(c), Ok(None)) if c.is_france() => bad(
                "siret",
                "Le SIRET est obligatoire pour une organisation française.",
                "A SIRET is required for a French organisation.",
            ),
            (Ok(c), Ok(Some(_))) if !c.is_france() => bad(
                "siret",
                "Seule une organisation française a un SIRET : indiquez plutôt un numéro de TVA ou d'immatriculation.",
                "Only French organisations have a SIRET: give a VAT or registry number instead.",
            ),
            _ => {}
        }
        let (Ok(country_v), Ok(siret_v)) = (country_v, siret_v) else {
            errors.set(errs);
            crate::ui::focus_first_invalid();
            return;
        };
        if !errs.is_empty() {
            errors.set(errs);
            crate::ui::focus_first_invalid();
            return;
        }
        errors.set(Default::default());
        let new = NewProfile {
            name: name_v,
            kind: OrganisationKind::parse(&kind.get_untracked())
                .unwrap_or(OrganisationKind::Startup),
            country: country_v,
            siret: siret_v,
            registry_number: registry_v,
            city: city.get_untracked().trim().to_owned(),
            website: None,
            summary: Texts::default(),
            description: Texts::default(),
            themes: Vec::new(),
            offers: Vec::new(),
            contacts: Vec::new(),
            public: true,
        };
        busy.set(true);
        spawn_local(async move {
            let result = api::post::<Profile>("/api/organisations", &new).await;
            busy.set(false);
            match result {
                Ok(p) => {
                    name.set(String::new());
                    siret.set(String::new());
                    registry.set(String::new());
                    city.set(String::new());
                    saved.set(true);
                    if let Some(done) = on_created {
                        done.run(p);
                    }
                }
                Err(e) => crate::pages::access::show_failure(i, errors, failure, e, &[]),
            }
        });
    };
    view! {
        <form on:submit=submit novalidate class="form-grid" id="form-organisation">
            <TextField id="org-nom" label=t!(i, "Nom", "Name") value=name error=field("name") required=true autocomplete="organization" />
            <div class="field">
                <label for="org-type">{t!(i, "Type", "Kind")}</label>
                <select id="org-type" bind:value=kind>
                    {OrganisationKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || kind_label(i, k)}</option> }).collect_view()}
                </select>
            </div>
            <TextField id="org-pays" label=t!(i, "Pays (code ISO)", "Country (ISO code)") value=country error=field("country") required=true />
            <p class="hint" id="org-pays-nom" aria-live="polite">{move || {
                let code = country.get().trim().to_ascii_uppercase();
                if code.len() == 2 { crate::fmt::country(&code, i.lang()) } else { String::new() }
            }}</p>
            <TextField id="org-siret" label=t!(i, "SIRET", "SIRET") value=siret error=field("siret")
                hint=t!(i, "14 chiffres, obligatoire en France.", "14 digits, required in France.") />
            <TextField id="org-immatriculation" label=t!(i, "N° de TVA ou d'immatriculation", "VAT or registry number") value=registry
                error=field("registry_number") hint=t!(i, "Pour une organisation hors de France, si elle en a un.", "For an organisation outside France, if it has one.") />
            <TextField id="org-ville" label=t!(i, "Ville", "City") value=city error=field("city") autocomplete="address-level2" />
            <p><button type="submit" class="button" id="org-enregistrer" disabled=move || busy.get()>
                {t!(i, "Ajouter l'organisation", "Add the organisation")}</button></p>
            {move || (!errors.with(|e| e.is_empty())).then(|| view! {
                <p class="notice notice-error" role="alert" id="org-erreurs">{t!(i, "L'organisation n'a pas été ajoutée : corrigez les champs signalés.", "The organisation was not added: fix the fields marked.")}</p>
            })}
            {move || failure.get().map(|e| if crate::pages::join::unconfirmed(&e) {
                crate::pages::join::unconfirmed_notice(i)
            } else {
                view! { <ErrorNotice error=e /> }.into_any()
            })}
            <Show when=move || saved.get()>
                <p class="notice notice-ok" role="status" id="org-enregistre">
                    {t!(i, "Organisation ajoutée à l'annuaire.", "Organisation added to the directory.")}</p>
            </Show>
        </form>
    }
}

/// Brings the element with `id` into view and gives it focus (keyboard and
/// screen-reader users land where the page changed).
pub fn scroll_to(id: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            el.scroll_into_view();
            let _ = el.set_attribute("tabindex", "-1");
            let _ = el.focus();
        }
    });
}
