//! The profile editor: every field of a profile (the organisation's members in
//! "Mon espace", the programme team on the organisation's page), its logo, and
//! beside the form (below it on a phone) a live preview of the public page —
//! the very component that draws it, fed by the form's current values.

use leptos::prelude::*;
use leptos::task::spawn_local;
use qmi_api::identity::{Country, Email, OrganisationKind, Siret};
use qmi_api::partners::{
    CONTACTS_MAX, Contact, LOGO_MAX_BYTES, OFFERS_MAX, Offer, Profile, ProfilePatch, THEMES_MAX,
    Texts,
};

use super::ProfileView;
use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::pages::access::show_failure;
use crate::pages::organisation::kind_label;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, TextField, described_by, error_line, error_of};

/// A contact as typed (its e-mail not parsed yet).
#[derive(Clone, Debug, Default, PartialEq)]
struct ContactRow {
    name: String,
    role: String,
    email: String,
    phone: String,
}

/// Themes typed as a list separated by commas: trimmed, empty ones dropped.
pub fn themes(typed: &str) -> Vec<String> {
    typed
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `Some(text)` unless it is blank.
fn some(text: String) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The values of one form, as signals.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    kind: RwSignal<String>,
    country: RwSignal<String>,
    siret: RwSignal<String>,
    registry: RwSignal<String>,
    city: RwSignal<String>,
    website: RwSignal<String>,
    summary_fr: RwSignal<String>,
    summary_en: RwSignal<String>,
    description_fr: RwSignal<String>,
    description_en: RwSignal<String>,
    themes: RwSignal<String>,
    offers: RwSignal<Vec<Offer>>,
    contacts: RwSignal<Vec<ContactRow>>,
    public: RwSignal<bool>,
    logo: RwSignal<Option<String>>,
}

impl Fields {
    fn new(p: &Profile) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        Self {
            name: s(&p.name),
            kind: s(p.kind.as_str()),
            country: s(p.country.as_str()),
            siret: RwSignal::new(
                p.siret
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
            registry: RwSignal::new(p.registry_number.clone().unwrap_or_default()),
            city: s(&p.city),
            website: RwSignal::new(p.website.clone().unwrap_or_default()),
            summary_fr: s(&p.summary.fr),
            summary_en: RwSignal::new(p.summary.en.clone().unwrap_or_default()),
            description_fr: s(&p.description.fr),
            description_en: RwSignal::new(p.description.en.clone().unwrap_or_default()),
            themes: RwSignal::new(p.themes.join(", ")),
            offers: RwSignal::new(p.offers.clone()),
            contacts: RwSignal::new(
                p.contacts
                    .iter()
                    .flatten()
                    .map(|c| ContactRow {
                        name: c.name.clone(),
                        role: c.role.clone(),
                        email: c.email.to_string(),
                        phone: c.phone.clone().unwrap_or_default(),
                    })
                    .collect(),
            ),
            public: RwSignal::new(p.public),
            logo: RwSignal::new(p.logo_url.clone()),
        }
    }

    /// The profile as the form has it now (for the preview): what does not
    /// parse yet keeps the saved value, or is left out.
    fn preview(&self, saved: &Profile, contacts: bool) -> Profile {
        let texts = |fr: RwSignal<String>, en: RwSignal<String>| Texts {
            fr: fr.get(),
            en: some(en.get()),
        };
        Profile {
            id: saved.id.clone(),
            name: Some(self.name.get().trim().to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| saved.name.clone()),
            kind: OrganisationKind::parse(&self.kind.get()).unwrap_or(saved.kind),
            country: self
                .country
                .get()
                .parse()
                .unwrap_or_else(|_| saved.country.clone()),
            siret: self.siret.get().parse().ok(),
            registry_number: some(self.registry.get()),
            city: self.city.get().trim().to_owned(),
            website: some(self.website.get()),
            logo_url: self.logo.get(),
            summary: texts(self.summary_fr, self.summary_en),
            description: texts(self.description_fr, self.description_en),
            themes: themes(&self.themes.get()),
            offers: self
                .offers
                .get()
                .into_iter()
                .filter(|o| !o.title.trim().is_empty())
                .collect(),
            contacts: contacts.then(|| {
                self.contacts
                    .get()
                    .into_iter()
                    .filter_map(|c| {
                        Some(Contact {
                            name: some(c.name)?,
                            role: c.role.trim().to_owned(),
                            email: c.email.parse().ok()?,
                            phone: some(c.phone),
                        })
                    })
                    .collect()
            }),
            public: self.public.get(),
            updated_at: saved.updated_at.clone(),
        }
    }
}

/// A message in both languages, for [`check`].
type Refusal = (&'static str, &'static str, &'static str);

/// The form's values checked as the API will check them, as the patch to
/// send; else each field at fault with its message (field, French, English).
fn check(f: &Fields, contacts: bool) -> Result<ProfilePatch, Vec<Refusal>> {
    let mut bad: Vec<Refusal> = Vec::new();
    let name = f.name.get_untracked().trim().to_owned();
    if name.is_empty() {
        bad.push((
            "name",
            "Indiquez le nom de l'organisation.",
            "Enter the organisation's name.",
        ));
    } else if name.chars().count() > qmi_api::partners::NAME_MAX {
        bad.push(("name", "200 caractères au plus.", "At most 200 characters."));
    }
    let country = f.country.get_untracked().parse::<Country>();
    if country.is_err() {
        bad.push((
            "country",
            "Code pays ISO à deux lettres, par exemple FR ou DE.",
            "Two-letter ISO country code, e.g. FR or DE.",
        ));
    }
    let siret_text: String = f
        .siret
        .get_untracked()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let siret = if siret_text.is_empty() {
        Ok(None)
    } else {
        siret_text.parse::<Siret>().map(Some)
    };
    if siret.is_err() {
        bad.push((
            "siret",
            "Un SIRET compte 14 chiffres et respecte la clé de contrôle.",
            "A SIRET has 14 digits and a valid check digit.",
        ));
    }
    let registry = some(f.registry.get_untracked());
    match (&country, &siret) {
        (Ok(c), Ok(None)) if c.is_france() => bad.push((
            "siret",
            "Le SIRET est obligatoire pour une organisation française.",
            "A SIRET is required for a French organisation.",
        )),
        (Ok(c), Ok(Some(_))) if !c.is_france() => bad.push((
            "siret",
            "Seule une organisation française a un SIRET : indiquez plutôt un numéro de TVA ou d'immatriculation.",
            "Only French organisations have a SIRET: give a VAT or registry number instead.",
        )),
        _ => {}
    }
    let website = some(f.website.get_untracked());
    if website
        .as_deref()
        .is_some_and(|w| !(w.starts_with("https://") || w.starts_with("http://")))
    {
        bad.push((
            "website",
            "Une adresse qui commence par https://",
            "An address starting with https://",
        ));
    }
    let themes = themes(&f.themes.get_untracked());
    if themes.len() > THEMES_MAX {
        bad.push(("themes", "12 thèmes au plus.", "At most 12 themes."));
    }
    let offers: Vec<Offer> = f
        .offers
        .get_untracked()
        .into_iter()
        .map(|o| Offer {
            title: o.title.trim().to_owned(),
            description: o.description.trim().to_owned(),
        })
        .filter(|o| !(o.title.is_empty() && o.description.is_empty()))
        .collect();
    if offers.iter().any(|o| o.title.is_empty()) {
        bad.push((
            "offers",
            "Chaque offre a un titre.",
            "Every offer has a title.",
        ));
    }
    let mut list = Vec::new();
    for c in f.contacts.get_untracked() {
        if c == ContactRow::default() {
            continue;
        }
        let email = c.email.parse::<Email>();
        match (some(c.name.clone()), email) {
            (Some(name), Ok(email)) => list.push(Contact {
                name,
                role: c.role.trim().to_owned(),
                email,
                phone: some(c.phone),
            }),
            _ => {
                bad.push((
                    "contacts",
                    "Chaque contact a un nom et une adresse électronique valable.",
                    "Every contact has a name and a valid e-mail address.",
                ));
                break;
            }
        }
    }
    let (Ok(country), Ok(siret)) = (country, siret) else {
        return Err(bad);
    };
    if !bad.is_empty() {
        return Err(bad);
    }
    let texts = |fr: RwSignal<String>, en: RwSignal<String>| Texts {
        fr: fr.get_untracked().trim().to_owned(),
        en: some(en.get_untracked()),
    };
    Ok(ProfilePatch {
        name: Some(name),
        kind: OrganisationKind::parse(&f.kind.get_untracked()),
        country: Some(country),
        // The form's whole state: an emptied SIRET clears it (checked above).
        siret: Some(siret),
        registry_number: Some(registry),
        city: Some(f.city.get_untracked().trim().to_owned()),
        website: Some(website),
        summary: Some(texts(f.summary_fr, f.summary_en)),
        description: Some(texts(f.description_fr, f.description_en)),
        themes: Some(themes),
        offers: Some(offers),
        contacts: contacts.then_some(list),
        public: Some(f.public.get_untracked()),
    })
}

/// The editor of `profile`: the form, the logo, the live preview. A saved
/// profile is handed to `on_saved`.
#[component]
pub fn ProfileEditor(
    profile: Profile,
    #[prop(optional)] on_saved: Option<Callback<Profile>>,
) -> impl IntoView {
    let i = use_i18n();
    let f = Fields::new(&profile);
    // Contacts are edited by those who may read them (the profile has them).
    let contacts_known = profile.contacts.is_some();
    let path = format!("/api/organisations/{}", api::encode(&profile.id));
    let saved = StoredValue::new(profile);
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = {
        let path = path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            done.set(false);
            failure.set(None);
            let patch = match check(&f, contacts_known) {
                Ok(p) => p,
                Err(bad) => {
                    let mut map = std::collections::BTreeMap::new();
                    for (field, fr, en) in bad {
                        map.entry(field.to_owned())
                            .or_insert_with(|| i.t(fr, en).to_owned());
                    }
                    errors.set(map);
                    crate::ui::focus_first_invalid();
                    return;
                }
            };
            errors.set(Default::default());
            let path = path.clone();
            busy.set(true);
            spawn_local(async move {
                let result = api::patch::<Profile>(&path, &patch).await;
                busy.set(false);
                match result {
                    Ok(p) => {
                        f.siret.set(
                            p.siret
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default(),
                        );
                        f.registry
                            .set(p.registry_number.clone().unwrap_or_default());
                        f.themes.set(p.themes.join(", "));
                        saved.set_value(p.clone());
                        done.set(true);
                        if let Some(cb) = on_saved {
                            cb.run(p);
                        }
                    }
                    Err(e) => show_failure(i, errors, failure, e, &[]),
                }
            });
        }
    };
    let preview = Signal::derive(move || saved.with_value(|s| f.preview(s, contacts_known)));
    let field = move |name: &'static str| error_of(errors, name);
    view! {
        <div class="editor-layout">
            <form on:submit=submit novalidate class="profile-form" id="form-organisation">
                <TextField id="org-nom" label=t!(i, "Nom", "Name") value=f.name error=field("name") required=true autocomplete="organization" />
                <div class="field">
                    <label for="org-type">{t!(i, "Type", "Kind")}</label>
                    <select id="org-type" bind:value=f.kind>
                        {OrganisationKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || kind_label(i, k)}</option> }).collect_view()}
                    </select>
                </div>
                <TextField id="org-pays" label=t!(i, "Pays (code ISO)", "Country (ISO code)") value=f.country error=field("country") required=true />
                <p class="hint" id="org-pays-nom" aria-live="polite">{move || {
                    let code = f.country.get().trim().to_ascii_uppercase();
                    if code.len() == 2 { crate::fmt::country(&code, i.lang()) } else { String::new() }
                }}</p>
                <TextField id="org-siret" label=t!(i, "SIRET", "SIRET") value=f.siret error=field("siret")
                    hint=t!(i, "14 chiffres, obligatoire en France.", "14 digits, required in France.") />
                <TextField id="org-immatriculation" label=t!(i, "N° de TVA ou d'immatriculation", "VAT or registry number") value=f.registry
                    error=field("registry_number") hint=t!(i, "Pour une organisation hors de France, si elle en a un.", "For an organisation outside France, if it has one.") />
                <TextField id="org-ville" label=t!(i, "Ville", "City") value=f.city error=field("city") autocomplete="address-level2" />
                <TextField id="org-site" label=t!(i, "Site web", "Website") value=f.website error=field("website") kind="url" autocomplete="url"
                    hint=t!(i, "Une adresse qui commence par https://", "An address starting with https://") />
                <fieldset>
                    <legend>{t!(i, "Présentation courte (300 caractères au plus)", "Short presentation (at most 300 characters)")}</legend>
                    <TextField id="org-resume-fr" label=t!(i, "En français", "In French") value=f.summary_fr error=field("summary") multiline=true />
                    <TextField id="org-resume-en" label=t!(i, "En anglais (facultatif)", "In English (optional)") value=f.summary_en error=Signal::derive(|| None::<String>) multiline=true />
                </fieldset>
                <fieldset>
                    <legend>{t!(i, "Présentation détaillée", "Detailed presentation")}</legend>
                    <TextField id="org-description-fr" label=t!(i, "En français", "In French") value=f.description_fr error=field("description") multiline=true />
                    <TextField id="org-description-en" label=t!(i, "En anglais (facultatif)", "In English (optional)") value=f.description_en error=Signal::derive(|| None::<String>) multiline=true />
                </fieldset>
                <TextField id="org-themes" label=t!(i, "Thèmes", "Themes") value=f.themes error=field("themes")
                    hint=t!(i, "Séparés par des virgules, 12 au plus : mobilite, energie, alimentation…", "Separated by commas, at most 12: mobilite, energie, alimentation…") />
                <Offers f errors />
                {contacts_known.then(|| view! { <Contacts f errors /> })}
                <div class="field">
                    <label class="choice" for="org-public">
                        <input type="checkbox" id="org-public" bind:checked=f.public aria-describedby="org-public-aide" />
                        {t!(i, "Fiche publique", "Public profile")}
                    </label>
                    <p class="hint" id="org-public-aide">{t!(i,
                        "Cochée, la fiche figure dans l'annuaire public ; décochée, seuls les communes et le programme la voient. Les contacts ne sont jamais publics.",
                        "Ticked, the profile is in the public directory; unticked, only the communes and the programme see it. Contacts are never public.")}</p>
                </div>
                <p><button type="submit" class="button" id="org-enregistrer" disabled=move || busy.get()>{t!(i, "Enregistrer", "Save")}</button></p>
                {move || (!errors.with(|e| e.is_empty())).then(|| view! {
                    <p class="notice notice-error" role="alert" id="org-erreurs">{t!(i, "Le profil n'a pas été enregistré : corrigez les champs signalés.", "The profile was not saved: fix the fields marked.")}</p>
                })}
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                <Show when=move || done.get()>
                    <p class="notice notice-ok" role="status" id="org-enregistre">{t!(i, "Profil enregistré.", "Profile saved.")}</p>
                </Show>
            </form>
            <div class="editor-side">
                <Logo path=path f saved />
                <section class="profile-preview" aria-labelledby="titre-apercu">
                    <h2 id="titre-apercu">{t!(i, "Aperçu de la fiche publique", "Preview of the public page")}</h2>
                    <p class="hint">{t!(i, "Il suit vos saisies ; rien n'est publié avant « Enregistrer ».", "It follows what you type; nothing is published before \"Save\".")}</p>
                    <div class="preview-frame">
                        <ProfileView profile=preview top=3 prefix="apercu" />
                    </div>
                </section>
            </div>
        </div>
    }
}

/// The offers: a title and a description each, added and removed.
#[component]
fn Offers(f: Fields, errors: FieldErrors) -> impl IntoView {
    let i = use_i18n();
    // The rows are drawn again when one is added or removed, not as one is typed.
    let count = Memo::new(move |_| f.offers.with(Vec::len));
    let set = move |n: usize, title: bool, value: String| {
        f.offers.update(|o| {
            if let Some(o) = o.get_mut(n) {
                if title {
                    o.title = value;
                } else {
                    o.description = value;
                }
            }
        })
    };
    view! {
        <fieldset aria-describedby=described_by(errors, "offers", "org-offres-erreur")>
            <legend>{t!(i, "Solutions et offres", "Solutions and offers")}</legend>
            {move || (0..count.get()).map(|n| {
                let o = f.offers.with_untracked(|o| o.get(n).cloned()).unwrap_or(Offer { title: String::new(), description: String::new() });
                let title_id = format!("org-offre-{n}-titre");
                let text_id = format!("org-offre-{n}-description");
                view! {
                    <div class="builder-row offer-row">
                        <div class="field">
                            <label for=title_id.clone()>{move || format!("{} {}", i.t("Titre de l'offre", "Offer title"), n + 1)}</label>
                            <input id=title_id type="text" prop:value=o.title on:input=move |ev| set(n, true, event_target_value(&ev)) />
                        </div>
                        <div class="field builder-wide">
                            <label for=text_id.clone()>{move || format!("{} {}", i.t("Description de l'offre", "Offer description"), n + 1)}</label>
                            <textarea id=text_id prop:value=o.description on:input=move |ev| set(n, false, event_target_value(&ev))></textarea>
                        </div>
                        <p><button type="button" class="button button-small button-secondary"
                            on:click=move |_| f.offers.update(|o| { if n < o.len() { o.remove(n); } })>
                            {move || format!("{} {}", i.t("Retirer l'offre", "Remove offer"), n + 1)}</button></p>
                    </div>
                }
            }).collect_view()}
            {error_line(errors, "offers", "org-offres-erreur")}
            <Show when=move || { count.get() < OFFERS_MAX }>
                <p><button type="button" class="button button-small" id="org-offre-ajouter"
                    on:click=move |_| f.offers.update(|o| o.push(Offer { title: String::new(), description: String::new() }))>
                    {t!(i, "Ajouter une offre", "Add an offer")}</button></p>
            </Show>
        </fieldset>
    }
}

/// The contacts: name, role, e-mail, telephone each, added and removed.
#[component]
fn Contacts(f: Fields, errors: FieldErrors) -> impl IntoView {
    let i = use_i18n();
    let count = Memo::new(move |_| f.contacts.with(Vec::len));
    let set = move |n: usize, part: u8, value: String| {
        f.contacts.update(|c| {
            if let Some(c) = c.get_mut(n) {
                match part {
                    0 => c.name = value,
                    1 => c.role = value,
                    2 => c.email = value,
                    _ => c.phone = value,
                }
            }
        })
    };
    let input = move |n: usize,
                      part: u8,
                      kind: &'static str,
                      auto: &'static str,
                      fr: &'static str,
                      en: &'static str,
                      value: String| {
        let id = format!("org-contact-{n}-{part}");
        view! {
            <div class="field">
                <label for=id.clone()>{move || format!("{} {}", i.t(fr, en), n + 1)}</label>
                <input id=id type=kind autocomplete=auto prop:value=value on:input=move |ev| set(n, part, event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <fieldset aria-describedby=described_by(errors, "contacts", "org-contacts-erreur")>
            <legend>{t!(i, "Contacts", "Contacts")}</legend>
            <p class="hint">{t!(i,
                "Visibles des communes, de l'équipe du programme et de vos membres seulement, jamais du public.",
                "Seen by the communes, the programme team and your members only, never by the public.")}</p>
            {move || (0..count.get()).map(|n| {
                let c = f.contacts.with_untracked(|c| c.get(n).cloned()).unwrap_or_default();
                view! {
                    <div class="builder-row contact-row">
                        {input(n, 0, "text", "off", "Nom du contact", "Contact name", c.name)}
                        {input(n, 1, "text", "off", "Fonction du contact", "Contact role", c.role)}
                        {input(n, 2, "email", "off", "Adresse électronique du contact", "Contact e-mail", c.email)}
                        {input(n, 3, "tel", "off", "Téléphone du contact", "Contact telephone", c.phone)}
                        <p><button type="button" class="button button-small button-secondary"
                            on:click=move |_| f.contacts.update(|c| { if n < c.len() { c.remove(n); } })>
                            {move || format!("{} {}", i.t("Retirer le contact", "Remove contact"), n + 1)}</button></p>
                    </div>
                }
            }).collect_view()}
            {error_line(errors, "contacts", "org-contacts-erreur")}
            <Show when=move || { count.get() < CONTACTS_MAX }>
                <p><button type="button" class="button button-small" id="org-contact-ajouter"
                    on:click=move |_| f.contacts.update(|c| c.push(ContactRow::default()))>
                    {t!(i, "Ajouter un contact", "Add a contact")}</button></p>
            </Show>
        </fieldset>
    }
}

/// The media types a logo may have.
const LOGO_TYPES: [&str; 2] = ["image/png", "image/jpeg"];

/// Whether a file of `media_type` and `size` bytes may be sent as the logo;
/// else why not (French, English).
fn logo_refusal(media_type: &str, size: f64) -> Option<(&'static str, &'static str)> {
    if !LOGO_TYPES.contains(&media_type) {
        Some((
            "Le logo est une image PNG ou JPEG.",
            "The logo is a PNG or JPEG image.",
        ))
    } else if size > LOGO_MAX_BYTES as f64 {
        Some((
            "Le logo pèse 512 Kio au plus.",
            "The logo weighs at most 512 KiB.",
        ))
    } else {
        None
    }
}

/// The logo: sent as soon as it is chosen (the image itself, as its type),
/// or removed.
#[component]
fn Logo(path: String, f: Fields, saved: StoredValue<Profile>) -> impl IntoView {
    let i = use_i18n();
    let logo_path = format!("{path}/logo");
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<(&'static str, &'static str)>);
    let failure = RwSignal::new(None::<ApiError>);
    let applied = move |p: Profile| {
        f.logo.set(p.logo_url.clone());
        saved.update_value(|s| {
            s.logo_url = p.logo_url;
            s.updated_at = p.updated_at;
        });
    };
    let chosen = {
        let logo_path = logo_path.clone();
        move |ev: leptos::ev::Event| {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|l| l.get(0)) else {
                return;
            };
            status.set(None);
            failure.set(None);
            if let Some((fr, en)) = logo_refusal(&file.type_(), file.size()) {
                error.set(Some(i.t(fr, en).to_owned()));
                input.set_value("");
                crate::ui::focus_first_invalid();
                return;
            }
            error.set(None);
            let path = logo_path.clone();
            let media_type = file.type_();
            spawn_local(async move {
                match api::put_as::<Profile>(&path, file.into(), &media_type).await {
                    Ok(p) => {
                        applied(p);
                        status.set(Some(("Logo enregistré.", "Logo saved.")));
                    }
                    Err(e) => match e.errors.first() {
                        Some(fe) => error.set(Some(crate::messages::localise(&fe.message))),
                        None => failure.set(Some(e)),
                    },
                }
                input.set_value("");
            });
        }
    };
    let remove = move |_| {
        let path = logo_path.clone();
        status.set(None);
        failure.set(None);
        spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => {
                    f.logo.set(None);
                    saved.update_value(|s| s.logo_url = None);
                    status.set(Some(("Logo retiré.", "Logo removed.")));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div class="field logo-field" class:field-invalid=move || error.get().is_some()>
            <label for="org-logo">{t!(i, "Logo", "Logo")}</label>
            <p class="hint" id="org-logo-aide">{t!(i, "PNG ou JPEG, 512 Kio au plus ; envoyé dès qu'il est choisi.", "PNG or JPEG, at most 512 KiB; sent as soon as it is chosen.")}</p>
            <input type="file" id="org-logo" accept="image/png,image/jpeg" on:change=chosen
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || if error.get().is_some() { "org-logo-aide org-logo-erreur" } else { "org-logo-aide" } />
            {move || error.get().map(|e| view! { <p class="field-error" id="org-logo-erreur">{e}</p> })}
            <Show when=move || f.logo.with(Option::is_some)>
                <p><button type="button" class="button button-small button-secondary" id="org-logo-retirer" on:click=remove.clone()>
                    {t!(i, "Retirer le logo", "Remove the logo")}</button></p>
            </Show>
            <p role="status" id="org-logo-etat">{move || status.get().map(|(fr, en)| i.t(fr, en))}</p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_are_split_on_commas() {
        assert_eq!(
            themes(" mobilite, energie ,, alimentation;eau\n"),
            vec!["mobilite", "energie", "alimentation", "eau"]
        );
        assert!(themes(" , ").is_empty());
    }

    #[test]
    fn logos_are_images_of_512_kib_at_most() {
        assert!(logo_refusal("image/png", 1000.0).is_none());
        assert!(logo_refusal("image/jpeg", 512.0 * 1024.0).is_none());
        assert!(logo_refusal("image/webp", 10.0).is_some());
        assert!(logo_refusal("image/png", 512.0 * 1024.0 + 1.0).is_some());
        assert!(logo_refusal("image/svg+xml", 10.0).is_some());
        assert!(logo_refusal("", 10.0).is_some());
    }
}
