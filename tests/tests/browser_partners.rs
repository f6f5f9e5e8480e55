//! Browser test of issue 16: the partner directory walked in the web app
//! (harness: `qmi_tests::browser`), axe-core on every page visited. Anyone
//! searches the directory in French ("mobilite douces" finds "Mobilité douce"),
//! narrows it by a facet and opens a profile, whose contacts stay hidden; an
//! agent of Saint-Denis (93066) sees them, writes a private note and edits it
//! (its history kept); an agent of Montreuil (93048) opens the same profile and
//! does not see the note; a programme operator corrects the profile, the
//! editor's live preview following the typing, and merges a duplicate. The
//! directory and the profile are checked at 360 px wide (axe, nothing out of
//! the window).
//!
//! A second walk: a partner's member edits the organisation's profile in "Mon
//! espace" (the live preview follows the typing, a typed `javascript:` address
//! never becomes a link, a contact without a valid address is refused, the
//! logo is uploaded through the page's file input), and the programme team's
//! directory lists the organisation with its members and adds another one.
//!
//! The tests build their own world through the API first (the organisations
//! created by a programme operator, the agents, the member and the operator
//! invited as people are); the demo's programme operator only bootstraps it.

use std::time::{Duration, Instant};

use qmi_tests::browser::*;
use qmi_tests::{QmiServer, ensure, invite};
use serde_json::{Value, json};

/// The people the test invites (their password: [`DEMO_PASSWORD`]).
const AGENT_SAINT_DENIS: &str = "agent@annuaire-93066.example";
const AGENT_MONTREUIL: &str = "agent@annuaire-93048.example";
const OPERATOR: &str = "programme@annuaire-browser.example";
/// The organisation, its duplicate, and the words that find it.
const NAME: &str = "Mobilité Douce de l'Ourcq";
const DUPLICATE: &str = "Mobilite Douce Ourcq (doublon)";
const CONTACT: &str = "lea.martin@mobilite-ourcq.example";
/// Saint-Denis's note on it.
const NOTE: &str = "Rencontrée au forum des mobilités : piste pour l'appel vélo-cargo.";
const NOTE_EDITED: &str =
    "Rencontrée au forum des mobilités : piste pour l'appel vélo-cargo. Devis reçu.";

/// The world built through the API.
#[derive(Clone)]
struct World {
    /// The organisation's id.
    org: String,
    /// Its duplicate's id.
    duplicate: String,
}

fn id_of(v: &Value, what: &str) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id for {what}: {v}"))
        .to_owned()
}

/// A SIRET nobody has: 13 digits from the clock and the Luhn key.
fn fresh_siret() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let base = format!("8{:012}", nanos % 1_000_000_000_000);
    qmi_tests::siret_with_key(&base)
}

fn build(server: &QmiServer) -> World {
    let programme = token(server, "programme@qmi.example");
    let org = id_of(
        &api(
            server,
            "POST",
            "/api/organisations",
            Some(&programme),
            Some(&json!({
                "name": NAME, "kind": "association", "country": "FR", "siret": fresh_siret(),
                "city": "Pantin", "website": "https://mobilite-ourcq.example",
                "summary": { "fr": "Vélo-école et ateliers de réparation le long du canal : la mobilité douce pour tous." },
                "description": { "fr": "Depuis 2015, nous accompagnons les habitants vers la mobilité douce." },
                "themes": ["mobilité", "santé"],
                "offers": [{ "title": "Vélo-école", "description": "Apprendre à rouler en ville, en dix séances." }],
                "contacts": [{ "name": "Léa Martin", "role": "Coordinatrice", "email": CONTACT }],
                "public": true
            })),
        ),
        "organisation",
    );
    let duplicate = id_of(
        &api(
            server,
            "POST",
            "/api/organisations",
            Some(&programme),
            Some(&json!({
                "name": DUPLICATE, "kind": "association", "country": "BE",
                "registry_number": "BE0999999999", "city": "Bruxelles", "public": false
            })),
        ),
        "duplicate",
    );
    for (insee, email, name) in [
        ("93066", AGENT_SAINT_DENIS, "Sacha Saint-Denis"),
        ("93048", AGENT_MONTREUIL, "Maël Montreuil"),
    ] {
        invite::to_commune(
            server,
            &programme,
            insee,
            email,
            "agent",
            Some(name),
            DEMO_PASSWORD,
        );
    }
    invite::to_programme(
        server,
        &programme,
        OPERATOR,
        Some("Pia Programme"),
        DEMO_PASSWORD,
    );
    World { org, duplicate }
}

/// The query string of the page shown.
async fn search_of(b: &Ctx) -> Result<String, String> {
    let v = b.js("return location.search;", vec![]).await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Waits until the address's query contains `want`.
async fn wait_search(b: &Ctx, want: &str) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = search_of(b).await?;
        if got.contains(want) {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "the address's query is {got:?}, without {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs out through the header.
async fn sign_out(b: &Ctx) -> Outcome {
    b.click("#deconnexion").await?;
    b.wait_text("nav", "Connexion").await.map(drop)
}

/// axe-core at 360 px wide, then nothing out of the window there.
async fn at_360(b: &Ctx, page: &str, shot: &str) -> Outcome {
    resize(b, 360, 800).await?;
    b.axe(&format!("{page} at 360 px")).await?;
    b.snapshot(&format!("{shot}-360")).await?;
    resize(b, 1280, 900).await?;
    fits_360(b, page).await
}

#[test]
fn the_directory_is_searched_and_a_commune_keeps_private_notes() {
    qmi_tests::app::build(&["partners", "policy"]);
    let server = server_with(&["partners", "applications", "experiments"]);
    let world = build(&server);
    run_on("partner_directory", server, move |b| {
        let w = world.clone();
        Box::pin(async move {
            let card = format!("#liste-organisations li[data-id='{}']", w.org);
            let profile = format!("/annuaire/{}", w.org);

            // 1. Anyone: the directory from the header, searched in French.
            b.goto("/").await?;
            b.click("nav a[href='/annuaire']").await?;
            b.wait_text("main h1", "Annuaire des partenaires").await?;
            b.el("#liste-organisations").await?;
            b.fill("#annuaire-recherche", "mobilite douces").await?;
            b.click("#annuaire-chercher").await?;
            wait_search(b, "q=mobilite%20douces").await?;
            b.wait_text(&card, NAME).await?;
            // Where the words were found, marked (as elements, never as markup).
            b.el(&format!("{card} .snippet mark")).await?;
            b.wait_text("#annuaire-total", "trouvée").await?;
            // A facet narrows the search, in the address too.
            b.click("#filtre-kind a[data-value='association']").await?;
            wait_search(b, "kind=association").await?;
            b.el("#filtre-kind a[aria-current='true']").await?;
            b.wait_text(&card, NAME).await?;
            b.axe("directory, searched").await?;
            b.snapshot("annuaire").await?;
            at_360(b, "the directory", "annuaire").await?;

            // The profile: public parts only, its track record.
            b.click(&format!("{card} a[href='{profile}']")).await?;
            b.wait_text("#fiche-nom", NAME).await?;
            b.wait_text(".profile-page", "Vélo-école").await?;
            b.wait_text("#titre-parcours", "Parcours").await?;
            b.wait_text(".track-record", "Aucune candidature").await?;
            let page = b.wait_text("main", "Pantin").await?;
            ensure!(
                !page.contains(CONTACT),
                "the public sees the contacts:\n{page}"
            );
            ensure!(
                b.c.find(fantoccini::Locator::Css(".notes-panel"))
                    .await
                    .is_err(),
                "the public sees a notes panel"
            );
            b.axe("organisation page").await?;
            b.snapshot("annuaire-fiche").await?;
            at_360(b, "the organisation page", "annuaire-fiche").await?;

            // 2. Saint-Denis's agent: the contacts, and a private note.
            b.sign_in(AGENT_SAINT_DENIS).await?;
            b.goto(&profile).await?;
            b.wait_text(".profile-contacts", CONTACT).await?;
            b.wait_text("#titre-notes-93066", "Notes de Saint-Denis")
                .await?;
            b.wait_text("#notes-93066 .notes-private", "privées")
                .await?;
            b.wait_text("#notes-93066", "Aucune note").await?;
            b.fill("#note-93066-texte", NOTE).await?;
            b.click("#note-93066-ajouter").await?;
            b.wait_text("#notes-93066", "Note ajoutée").await?;
            b.wait_text("#notes-93066 .note-list", NOTE).await?;
            // Edited: the earlier text stays in its history.
            b.click("#notes-93066 .note-modifier").await?;
            let edit = b
                .el("#notes-93066 .note textarea")
                .await?
                .attr("id")
                .await
                .ctx("the edit field's id")?
                .ok_or("the edit field has no id")?;
            b.fill(&format!("#{edit}"), NOTE_EDITED).await?;
            b.click("#notes-93066 .note-enregistrer").await?;
            b.wait_text("#notes-93066", "Note modifiée").await?;
            b.wait_text("#notes-93066 .note-list", "Devis reçu").await?;
            b.wait_text("#notes-93066 .note-meta", "2 versions").await?;
            b.click("#notes-93066 .note-history summary").await?;
            b.wait_text("#notes-93066 .note-history li[data-version='1']", NOTE)
                .await?;
            b.axe("organisation page with the commune's notes").await?;
            b.snapshot("annuaire-fiche-notes").await?;
            at_360(
                b,
                "the organisation page with notes",
                "annuaire-fiche-notes",
            )
            .await?;
            sign_out(b).await?;

            // 3. Montreuil's agent: the same profile, Montreuil's notes only.
            b.sign_in(AGENT_MONTREUIL).await?;
            b.goto(&profile).await?;
            b.wait_text(".profile-contacts", CONTACT).await?;
            b.wait_text("#titre-notes-93048", "Notes de Montreuil")
                .await?;
            let page = b.wait_text("#notes-93048", "Aucune note").await?;
            ensure!(
                !page.contains("vélo-cargo"),
                "Montreuil reads Saint-Denis's note:\n{page}"
            );
            let main = b.wait_text("main", NAME).await?;
            ensure!(
                !main.contains("vélo-cargo") && !main.contains("Notes de Saint-Denis"),
                "Saint-Denis's note shows to Montreuil:\n{main}"
            );
            b.axe("organisation page, another commune").await?;
            sign_out(b).await?;

            // 4. A programme operator corrects the profile (the preview follows
            // the typing) and merges the duplicate.
            b.sign_in(OPERATOR).await?;
            b.goto(&profile).await?;
            b.wait_text("#titre-curation", "Curation").await?;
            b.click("#curation-modifier summary").await?;
            wait_value(b, "#org-nom", NAME).await?;
            b.fill(
                "#org-resume-fr",
                "Vélo-école, ateliers et prêt de vélos-cargos le long du canal.",
            )
            .await?;
            b.wait_text(".preview-frame .profile-summary", "vélos-cargos")
                .await?;
            b.axe("the operator's editor").await?;
            b.snapshot("annuaire-curation").await?;
            b.click("#org-enregistrer").await?;
            b.wait_text("#org-enregistre", "Profil enregistré").await?;
            b.wait_text(".profile-page .profile-summary", "vélos-cargos")
                .await?;
            b.fill("#doublon-recherche", &w.duplicate).await?;
            b.click("#doublon-chercher").await?;
            b.wait_text("#doublons-trouves", DUPLICATE).await?;
            b.click(&format!(
                "#doublons-trouves li[data-id='{}'] button",
                w.duplicate
            ))
            .await?;
            b.wait_text("#fusion-confirmation", DUPLICATE).await?;
            b.click("#fusion-confirmer").await?;
            b.wait_text("#fusion-rapport", "Fusion faite").await?;
            b.wait_text("#fusion-rapport", "0 membre déplacé").await?;
            b.axe("after a merge").await?;
            Ok(())
        })
    });
}

/// The member who edits the second walk's organisation, and its name.
const MEMBER: &str = "membre@atelier-canal.example";
const WORKSHOP: &str = "Atelier du Canal";

/// A 1×1 PNG image (checked by its content by the API).
const PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f,
    0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
fn a_member_edits_the_profile_with_its_preview_and_the_programme_keeps_the_directory() {
    qmi_tests::app::build(&["partners", "policy"]);
    let server = server_with(&["partners"]);
    let programme = token(&server, "programme@qmi.example");
    let org = id_of(
        &api(
            &server,
            "POST",
            "/api/organisations",
            Some(&programme),
            Some(&json!({
                "name": WORKSHOP, "kind": "sme", "country": "FR", "siret": fresh_siret(), "city": "Pantin",
                "summary": { "fr": "Réparation de vélos." }
            })),
        ),
        "organisation",
    );
    invite::to_organisation(
        &server,
        &programme,
        &org,
        MEMBER,
        Some("Mina Membre"),
        DEMO_PASSWORD,
    );
    invite::to_programme(
        &server,
        &programme,
        OPERATOR,
        Some("Pia Programme"),
        DEMO_PASSWORD,
    );
    run_on("partner_profile_editor", server, move |b| {
        let org = org.clone();
        Box::pin(async move {
            let files = tempfile::tempdir().ctx("a folder for the logo")?;

            // 1. The member's editor, from "Mon espace".
            b.sign_in(MEMBER).await?;
            b.click(".card a[href='/espace/organisation']").await?;
            b.wait_text("#titre-organisation", "Profil de l'organisation")
                .await?;
            wait_value(b, "#org-nom", WORKSHOP).await?;
            b.wait_text(".preview-frame #apercu-nom", WORKSHOP).await?;
            // The preview follows the typing, before anything is saved.
            b.fill("#org-ville", "Bobigny").await?;
            b.wait_text(".preview-frame .ville", "Bobigny").await?;
            b.fill("#org-themes", "mobilité, énergie").await?;
            b.wait_text(".preview-frame .themes", "mobilité, énergie")
                .await?;
            b.click("#org-offre-ajouter").await?;
            b.fill("#org-offre-0-titre", "Atelier mobile").await?;
            b.fill(
                "#org-offre-0-description",
                "Nous venons réparer au pied des immeubles.",
            )
            .await?;
            b.wait_text(".preview-frame .profile-offers", "Atelier mobile")
                .await?;
            // A typed address is never a link until it is a web address.
            b.fill("#org-site", "javascript:alert(1)").await?;
            b.wait_text(".preview-frame .site", "javascript:alert(1)")
                .await?;
            ensure!(
                b.c.find(fantoccini::Locator::Css(".preview-frame .site a"))
                    .await
                    .is_err(),
                "a javascript: address became a link in the preview"
            );
            // A contact without a valid address is refused beside the contacts.
            b.click("#org-contact-ajouter").await?;
            b.fill("#org-contact-0-0", "Noé Durand").await?;
            b.fill("#org-contact-0-2", "noé-sans-arobase").await?;
            b.click("#org-enregistrer").await?;
            b.wait_text("#org-contacts-erreur", "adresse électronique")
                .await?;
            b.wait_text("#org-site-erreur", "https://").await?;
            b.axe("the profile editor with errors").await?;
            b.fill("#org-contact-0-2", "noe.durand@atelier-canal.example")
                .await?;
            b.fill("#org-site", "https://atelier-canal.example").await?;
            b.wait_text(".preview-frame .site a", "atelier-canal.example")
                .await?;
            b.click("#org-enregistrer").await?;
            b.wait_text("#org-enregistre", "Profil enregistré").await?;
            // The logo, sent as soon as it is chosen, shows in the preview.
            let logo = files.path().join("logo.png");
            std::fs::write(&logo, PNG).ctx("writing logo.png")?;
            b.el("#org-logo")
                .await?
                .send_keys(&logo.to_string_lossy())
                .await
                .ctx("choosing logo.png")?;
            b.wait_text("#org-logo-etat", "Logo enregistré").await?;
            b.el(".preview-frame img.profile-logo").await?;
            b.axe("the profile editor").await?;
            b.snapshot("espace-organisation").await?;
            fits_360(b, "the profile editor").await?;

            // The public page says what was saved.
            b.click("#voir-fiche-publique").await?;
            b.wait_text("#fiche-nom", WORKSHOP).await?;
            b.wait_text(".profile-page .ville", "Bobigny").await?;
            b.wait_text(".profile-page .profile-offers", "Atelier mobile")
                .await?;
            b.wait_text(".profile-page .profile-contacts", "noe.durand@")
                .await?;
            b.el(".profile-page img.profile-logo").await?;
            b.wait_text("#votre-organisation", "votre organisation")
                .await?;
            sign_out(b).await?;

            // 2. The programme team's directory: the organisation, its members,
            // and another one added (abroad: no SIRET).
            b.sign_in(OPERATOR).await?;
            b.click("a[href='/espace/annuaire']").await?;
            b.wait_text("main h1", "équipe du programme").await?;
            b.fill("#annuaire-recherche", "atelier canal").await?;
            b.click("#annuaire-chercher").await?;
            let card = format!("#liste-organisations li[data-id='{org}']");
            b.wait_text(&card, WORKSHOP).await?;
            b.wait_text(&format!("{card} .pays"), "France").await?;
            b.click(&format!("{card} summary")).await?;
            b.wait_text(&format!("{card} .org-members"), MEMBER).await?;
            b.fill("#org-nom", "Stadtlabor Köln").await?;
            b.choose("#org-type", "research").await?;
            b.fill("#org-pays", "DE").await?;
            b.wait_text("#org-pays-nom", "Allemagne").await?;
            b.click("#org-enregistrer").await?;
            b.wait_text("#org-enregistre", "Organisation ajoutée")
                .await?;
            b.click("#annuaire-tout").await?;
            b.fill("#annuaire-recherche", "stadtlabor").await?;
            b.click("#annuaire-chercher").await?;
            b.wait_text("#liste-organisations", "Stadtlabor Köln")
                .await?;
            b.axe("the programme team's directory").await?;
            Ok(())
        })
    });
}
