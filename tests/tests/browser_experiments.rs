//! Browser test of issue 15: the whole story of an experiment, walked in the
//! web app (harness: `qmi_tests::browser`), axe-core on every page visited. A
//! commune admin turns a selected application into an experiment, runs and
//! publishes it, plans a milestone, defines an indicator and uploads the
//! agreement; the holder's member finds it under "Mes expérimentations",
//! marks the late milestone done, enters a measurement, imports a CSV through the
//! page's file input (a bad line first: nothing imported, the line named) and
//! sends a progress report; a resident leaves feedback on the public page; an
//! agent publishes it; the commune and the programme fill the grid; the
//! outcome spreads it to another commune; the public page, the commune's and
//! the programme's dashboards and the home page (figures, and the map of
//! the communes on request) show it.
//!
//! The test builds its own world through the API first (people invited as
//! people are, an organisation, a call with the application selected and the
//! decisions published). The demo's programme and hosting operators only
//! bootstrap it. The experiment's commune is a commune of the registry (so that
//! the map of the Métropole draws it) that has no experiment yet, found through
//! the API; the commune it spreads to is created by the test. Dates are far in
//! the past (2020), never near the wall clock.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use qmi_tests::browser::*;
use qmi_tests::{QmiServer, ensure, invite};
use serde_json::{Value, json};

/// Where the experiment spreads: a commune the test creates (outside the Métropole).
const SPREAD_TO: &str = "33063";
const SPREAD_TO_NAME: &str = "Essaimville";
/// The people the test invites (their password: [`DEMO_PASSWORD`], so that
/// [`Ctx::sign_in`] signs them in).
const ADMIN: &str = "admin@xp-browser.example";
const AGENT: &str = "agent@xp-browser.example";
const PARTNER: &str = "partenaire@xp-browser.example";
const OPERATOR: &str = "programme@xp-browser.example";
/// The selected application, and so the experiment.
const TITLE: &str = "Cours Oasis à l'essai";
const INDICATOR: &str = "Température au sol";

/// The world built through the API.
#[derive(Clone)]
struct World {
    /// The experiment's commune (INSEE code) and name.
    insee: String,
    commune: String,
    /// The selected application.
    application: String,
}

fn id_of(v: &Value, what: &str) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id for {what}: {v}"))
        .to_owned()
}

/// A commune of the Métropole's registry, still a plain member, with no
/// experiment at all (published or not): code and name.
fn fresh_registry_commune(server: &QmiServer, programme: &str) -> (String, String) {
    let figures = api(
        server,
        "GET",
        "/api/experiments/programme/figures",
        Some(programme),
        None,
    );
    let busy: Vec<&str> = figures["by_commune"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["key"].as_str()).collect())
        .unwrap_or_default();
    let page = api(
        server,
        "GET",
        "/api/communes?departement=94&status=member&limit=100",
        None,
        None,
    );
    let commune = page["items"]
        .as_array()
        .and_then(|items| {
            items.iter().find(|c| {
                c["metropolis_code"] == "200054781"
                    && c["insee"].as_str().is_some_and(|i| !busy.contains(&i))
            })
        })
        .unwrap_or_else(|| panic!("no member commune of the 94 without experiments: {page}"));
    (
        commune["insee"].as_str().unwrap_or_default().to_owned(),
        commune["name"].as_str().unwrap_or_default().to_owned(),
    )
}

fn build(server: &QmiServer) -> World {
    let programme = token(server, "programme@qmi.example");
    let hosting = token(server, "hosting@qmi.example");
    let (insee, commune) = fresh_registry_commune(server, &programme);
    api(
        server,
        "POST",
        "/api/admin/communes",
        Some(&hosting),
        Some(
            &json!({ "insee": SPREAD_TO, "name": SPREAD_TO_NAME, "population": 1000, "status": "member" }),
        ),
    );
    let org = id_of(
        &api(
            server,
            "POST",
            "/api/organisations",
            Some(&programme),
            Some(&json!({ "name": "Solutions Fraîcheur", "kind": "startup", "country": "DE" })),
        ),
        "organisation",
    );
    invite::to_organisation(
        server,
        &programme,
        &org,
        PARTNER,
        Some("Paula Partenaire"),
        DEMO_PASSWORD,
    );
    for (email, role, name) in [
        (ADMIN, "admin", "Adèle Admin"),
        (AGENT, "agent", "Anatole Agent"),
    ] {
        invite::to_commune(
            server,
            &programme,
            &insee,
            email,
            role,
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
    let admin = token(server, ADMIN);
    let partner = token(server, PARTNER);

    // The commune's call, the partner's application, selected once the call has
    // closed, the decisions published.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let call = id_of(
        &api(
            server,
            "POST",
            "/api/calls",
            Some(&admin),
            Some(&json!({
                "insee": insee, "title": "Rafraîchir les cours d'école", "description": "Îlots de fraîcheur",
                "themes": ["Climat", "Écoles"], "opens_at": qmi_kit::time::Instant(now - 3600).to_string(),
                "closes_at": "2099-12-31T23:59",
                "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 2000 }],
                "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
                "signatory": { "name": "Marie Dupont", "role": "Maire adjointe" },
                "published": true
            })),
        ),
        "call",
    );
    let application = id_of(
        &api(
            server,
            "POST",
            &format!("/api/calls/{call}/applications"),
            Some(&partner),
            Some(
                &json!({ "title": TITLE, "answers": { "pitch": "Des arbres et des brumisateurs" }, "submit": true }),
            ),
        ),
        "application",
    );
    let step = |to: &str| {
        api(
            server,
            "POST",
            &format!("/api/applications/{application}/transitions"),
            Some(&admin),
            Some(&json!({ "to": to, "reason": "Retenue par le jury" })),
        );
    };
    for to in ["eligible", "in_review", "shortlisted"] {
        step(to);
    }
    api(
        server,
        "POST",
        &format!("/api/calls/{call}/close"),
        Some(&admin),
        Some(&json!({ "reason": "Décider" })),
    );
    step("selected");
    api(
        server,
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        Some(&admin),
        Some(&json!({})),
    );
    World {
        insee,
        commune,
        application,
    }
}

/// The path of the page shown.
async fn path(b: &Ctx) -> Result<String, String> {
    let v = b.js("return location.pathname;", vec![]).await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Waits until the page shown is under `prefix`; the rest of its path.
async fn wait_path_under(b: &Ctx, prefix: &str) -> Result<String, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = path(b).await?;
        if let Some(rest) = got.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return Ok(rest.to_owned());
        }
        ensure!(
            Instant::now() < deadline,
            "the page is {got}, not under {prefix}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sets a date (or any input's) value as a person choosing it would.
async fn set(b: &Ctx, css: &str, value: &str) -> Outcome {
    b.choose(css, value).await
}

/// Clicks the move button to `to` on the management page and confirms.
async fn move_to(b: &Ctx, to: &str, shown: &str) -> Outcome {
    b.click(&format!("#changements-possibles button[data-to='{to}']"))
        .await?;
    b.c.accept_alert()
        .await
        .ctx(&format!("confirming the move to {to}"))?;
    b.wait_text("#statut", &format!("Statut actuel : {shown}"))
        .await
        .map(drop)
}

/// Signs out through the header.
async fn sign_out(b: &Ctx) -> Outcome {
    b.click("#deconnexion").await?;
    b.wait_text("nav", "Connexion").await.map(drop)
}

/// The texts of the map's communes (their `<title>`: name — status — count).
async fn map_titles(b: &Ctx) -> Result<Vec<String>, String> {
    b.el(".commune-map svg .map-commune").await?;
    let v = b
        .js(
            "return [...document.querySelectorAll('.commune-map svg .map-commune title')].map(t => t.textContent);",
            vec![],
        )
        .await?;
    serde_json::from_value(v).ctx("map titles")
}

/// Waits until the map says `want` of a commune.
async fn wait_map_title(b: &Ctx, want: &str) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let titles = map_titles(b).await?;
        if titles.iter().any(|t| t == want) {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "the map never said {want:?}; it says e.g. {:?}",
            titles
                .iter()
                .filter(|t| t.contains("expérimentation"))
                .take(5)
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until `css` has the attribute `name` set to `value`.
async fn wait_attr(b: &Ctx, css: &str, name: &str, value: &str) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = b.el(css).await?.attr(name).await.ctx(name)?;
        if got.as_deref() == Some(value) {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "{css} has {name}={got:?}, not {value:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn an_experiment_walked_from_selection_to_spread_in_the_browser() {
    let server = server_with(&["applications", "districts", "experiments"]);
    let world = build(&server);
    run_on("experiment_story", server, move |b| {
        let w = world.clone();
        Box::pin(async move {
            let files = tempfile::tempdir().ctx("a folder for the files")?;

            // 1. The commune's admin creates the experiment from the selected
            // application, starts it, publishes it and defines an indicator.
            b.sign_in(ADMIN).await?;
            let commune_page = format!("/espace/communes/{}/experimentations", w.insee);
            b.click(&format!("a[href='{commune_page}']")).await?;
            b.wait_text("main h1", "Expérimentations de la commune")
                .await?;
            b.wait_text("main", "Aucune expérimentation pour l'instant.")
                .await?;
            b.el(&format!(
                "select#creation-candidature option[value='{}']",
                w.application
            ))
            .await?;
            b.axe("the commune's experiments (none yet)").await?;
            b.choose("#creation-candidature", &w.application).await?;
            set(b, "#creation-debut", "2020-01-15").await?;
            b.click("#formulaire-creation button[type='submit']")
                .await?;
            let id = wait_path_under(b, "/espace/experimentations/").await?;
            let manage = format!("/espace/experimentations/{id}");
            b.wait_text("main h1", TITLE).await?;
            let facts = b.wait_text("main", "En préparation").await?;
            for needle in ["Solutions Fraîcheur", "Non publiée", &w.commune] {
                // (The commune's name is an eyebrow, shown in capitals.)
                ensure!(
                    facts.to_lowercase().contains(&needle.to_lowercase()),
                    "no {needle:?} on the page:\n{facts}"
                );
            }
            // 18 months by default.
            b.wait_text("main", "15 juillet 2021").await?;
            b.axe("the management page, just created").await?;
            move_to(b, "running", "En cours").await?;
            b.wait_text("#historique-statut", "En préparation → En cours")
                .await?;
            b.choose("#xp-rythme", "3").await?;
            b.click("#xp-publiee").await?;
            b.click("#formulaire-details button[type='submit']").await?;
            b.wait_text("#details", "Modifications enregistrées.")
                .await?;
            b.wait_text("main", "Publiée").await?;
            b.fill("#jalon-titre", "Plantation des arbres").await?;
            set(b, "#jalon-date", "2020-03-01").await?;
            b.click("#jalons button[type='submit']").await?;
            b.wait_text("#liste-jalons", "En retard : prévu le 1er mars 2020")
                .await?;
            b.fill("#indicateur-nom", INDICATOR).await?;
            b.fill("#indicateur-unite", "°C").await?;
            b.fill("#indicateur-reference", "35").await?;
            b.fill("#indicateur-objectif", "30").await?;
            b.choose("#indicateur-sens", "lower").await?;
            b.click("#nouvel-indicateur button[type='submit']").await?;
            b.wait_text("#liste-indicateurs", &format!("{INDICATOR} (°C)"))
                .await?;
            b.wait_text("#liste-indicateurs", "plus c'est bas, mieux c'est")
                .await?;
            // The experimentation agreement, a PDF checked by its content.
            let agreement = files.path().join("convention.pdf");
            std::fs::write(
                &agreement,
                b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            )
            .ctx("writing convention.pdf")?;
            b.choose("#document-type", "agreement").await?;
            b.el("#document-fichier")
                .await?
                .send_keys(&agreement.to_string_lossy())
                .await
                .ctx("choosing convention.pdf")?;
            b.wait_text("#documents", "Document déposé.").await?;
            b.wait_text(
                "#liste-documents",
                "convention.pdf — Convention d'expérimentation",
            )
            .await?;
            b.axe("the management page, running").await?;
            b.snapshot("experiment-management").await?;
            fits_360(b, "the management page").await?;
            sign_out(b).await?;

            // 2. The holder's member: "Mes expérimentations", a measurement, a
            // CSV import (a bad line first), a progress report.
            b.sign_in(PARTNER).await?;
            b.click("a[href='/espace/experimentations']").await?;
            b.wait_text("main h1", "Mes expérimentations").await?;
            let mine = b.wait_text("#liste-mes-experimentations", TITLE).await?;
            for needle in [
                w.commune.as_str(),
                "Solutions Fraîcheur",
                "En cours",
                "1 jalon en retard",
                "rapports en retard",
            ] {
                ensure!(
                    mine.contains(needle),
                    "no {needle:?} in my experiments:\n{mine}"
                );
            }
            b.axe("my experiments").await?;
            b.click(&format!("#liste-mes-experimentations a[href='{manage}']"))
                .await?;
            b.wait_text("main h1", TITLE).await?;
            b.wait_text("#liste-indicateurs", INDICATOR).await?;
            // What the holder may not do is not offered.
            ensure!(
                b.c.find_all(Locator::Css(
                    "#changements-possibles, #nouvel-indicateur, #formulaire-details"
                ))
                .await
                .ctx("controls")?
                .is_empty(),
                "the holder is offered the commune's controls"
            );
            let indicator = b
                .el("#liste-indicateurs .xp-indicator")
                .await?
                .attr("data-id")
                .await
                .ctx("data-id")?
                .ok_or("no indicator id")?;
            let prefix = format!("#indicateur-{indicator}");
            b.js(
                "document.querySelectorAll('#liste-indicateurs details').forEach(d => d.open = true);",
                vec![],
            )
            .await?;
            set(b, &format!("{prefix}-date"), "2020-02-28").await?;
            b.fill(&format!("{prefix}-valeur"), "33.5").await?;
            b.fill(&format!("{prefix}-source"), "capteur").await?;
            b.click(&format!(
                "#liste-indicateurs .xp-indicator[data-id='{indicator}'] button[type='submit']"
            ))
            .await?;
            b.wait_text("#indicateurs", "Mesure enregistrée.").await?;
            b.wait_text("#liste-indicateurs", "objectif pas encore atteint")
                .await?;
            let bad = files.path().join("mesures-erronees.csv");
            std::fs::write(
                &bad,
                format!("indicator,date,value,comment,source\n{INDICATOR},2020-03-31,31,,capteur\n{INDICATOR},2020-04-31,30,,capteur\n"),
            )
            .ctx("writing the bad CSV")?;
            b.el("#import-fichier")
                .await?
                .send_keys(&bad.to_string_lossy())
                .await
                .ctx("choosing the bad CSV")?;
            let refused = b.wait_text("#import-erreurs", "Ligne 3").await?;
            ensure!(
                refused.contains("Rien n'a été importé"),
                "the refusal does not say nothing was imported:\n{refused}"
            );
            b.axe("the CSV import refused").await?;
            let good = files.path().join("mesures.csv");
            std::fs::write(
                &good,
                format!("indicator,date,value,comment,source\n{INDICATOR},2020-03-31,31,,capteur\n{INDICATOR},2020-04-30,\"29,5\",mai,capteur\n"),
            )
            .ctx("writing the CSV")?;
            b.el("#import-fichier")
                .await?
                .send_keys(&good.to_string_lossy())
                .await
                .ctx("choosing the CSV")?;
            b.wait_text("#import-resultat", "2 mesures importées")
                .await?;
            // 29.5 °C reaches the target of 30 (lower is better).
            b.wait_text("#liste-indicateurs", "objectif atteint")
                .await?;
            b.js(
                "document.querySelectorAll('#liste-indicateurs details').forEach(d => d.open = true);",
                vec![],
            )
            .await?;
            let measures = b
                .wait_text("#liste-indicateurs", "30 avril 2020 : 29,5 (mai — capteur)")
                .await?;
            ensure!(
                measures.contains("28 février 2020 : 33,5 (capteur)"),
                "the measurement entered is not listed:\n{measures}"
            );
            // The late milestone, marked done with its evidence.
            let milestone = b
                .el("#liste-jalons li")
                .await?
                .attr("data-id")
                .await
                .ctx("data-id")?
                .ok_or("no milestone id")?;
            b.js(
                "document.querySelectorAll('#liste-jalons details').forEach(d => d.open = true);",
                vec![],
            )
            .await?;
            set(b, &format!("#jalon-{milestone}-fait"), "2020-03-10").await?;
            b.fill(
                &format!("#jalon-{milestone}-preuve"),
                "Photos de la plantation",
            )
            .await?;
            b.click(&format!(
                "#liste-jalons li[data-id='{milestone}'] button[type='submit']"
            ))
            .await?;
            b.wait_text("#jalons", "Jalon enregistré.").await?;
            b.wait_text("#liste-jalons", "Atteint le 10 mars 2020")
                .await?;
            b.wait_text("#liste-jalons", "Preuve : Photos de la plantation")
                .await?;
            let report = "#liste-rapports li[data-period='2020-01-15']";
            wait_attr(b, report, "data-state", "overdue").await?;
            b.fill(
                "#rapport-2020-01-15",
                "Premier trimestre : les arbres sont plantés, les capteurs posés.",
            )
            .await?;
            b.click(&format!("{report} button[type='submit']")).await?;
            wait_attr(b, report, "data-state", "sent").await?;
            b.wait_text("#rapports", "Rapport envoyé.").await?;
            b.wait_text(report, "Envoyé").await?;
            b.wait_text(report, "les capteurs posés").await?;
            b.axe("the management page, as the holder").await?;
            sign_out(b).await?;

            // 3. A resident, without an account, on the public page.
            b.goto("/experimentations").await?;
            b.wait_text("main h1", "Expérimentations").await?;
            b.wait_text("#liste-experimentations", TITLE).await?;
            b.axe("the public experiments").await?;
            let public = format!("/experimentations/{id}");
            b.click(&format!("#liste-experimentations a[href='{public}']"))
                .await?;
            b.wait_text("main h1", TITLE).await?;
            let page = b.wait_text("main", INDICATOR).await?;
            for needle in [
                "Solutions Fraîcheur",
                w.commune.as_str(),
                "Plantation des arbres — Atteint le 10 mars 2020",
                "Aucun avis publié pour l'instant.",
            ] {
                ensure!(
                    page.contains(needle),
                    "no {needle:?} on the public page:\n{page}"
                );
            }
            b.axe("the public page").await?;
            fits_360(b, "the public page").await?;
            let said = "<b>Enfin</b> de l'ombre dans la cour !";
            b.fill("#avis-texte", said).await?;
            b.click("label[for='avis-note-4']").await?;
            b.fill("#avis-prenom", "Léa").await?;
            b.fill("#avis-quartier", "Centre").await?;
            b.click("#formulaire-avis button[type='submit']").await?;
            b.wait_text(
                "main",
                "Merci ! Votre avis sera publié après relecture par la commune.",
            )
            .await?;
            b.axe("the public page, feedback sent").await?;
            b.goto(&public).await?;
            b.wait_text("main", "Aucun avis publié pour l'instant.")
                .await?;

            // 4. The commune's agent publishes it.
            b.sign_in(AGENT).await?;
            b.goto(&manage).await?;
            b.wait_text("#avis-a-moderer", said).await?;
            b.wait_text("#avis-a-moderer", "Léa, Centre").await?;
            b.axe("the moderation").await?;
            b.click("#avis-a-moderer .publier").await?;
            b.wait_text("#moderation", "Avis publié.").await?;
            b.wait_text("#avis-a-moderer", "Publié").await?;
            sign_out(b).await?;
            b.goto(&public).await?;
            b.wait_text("#avis-publies", said).await?;
            ensure!(
                b.c.find_all(Locator::Css("#avis-publies b"))
                    .await
                    .ctx("bold")?
                    .is_empty(),
                "the resident's text was rendered as HTML"
            );
            let rating = b
                .js(
                    "return document.querySelector('#avis-publies .xp-rating').textContent;",
                    vec![],
                )
                .await?;
            ensure!(
                rating
                    .as_str()
                    .is_some_and(|r| r.contains("★★★★☆") && r.contains("Note 4 / 5")),
                "the rating is not 4 out of 5: {rating}"
            );

            // 5. The commune fills its side of the grid.
            b.sign_in(ADMIN).await?;
            b.goto(&manage).await?;
            b.wait_text("main h1", TITLE).await?;
            move_to(b, "evaluating", "En évaluation").await?;
            b.el("#grille-commune").await?;
            for (axis, score) in [
                ("efficiency", "4"),
                ("feasibility", "4"),
                ("sustainability", "3"),
                ("scalability", "5"),
            ] {
                b.choose(&format!("#note-{axis}"), score).await?;
            }
            b.fill("#note-efficiency-commentaire", "Deux degrés de moins")
                .await?;
            b.click("#grille-commune button[type='submit']").await?;
            b.wait_text("#grille-commune", "Grille enregistrée.")
                .await?;
            b.wait_text("#grille-evaluation", "Deux degrés de moins")
                .await?;
            b.axe("the evaluation, the commune's side").await?;
            sign_out(b).await?;

            // 6. The programme team fills its side: both side by side.
            b.sign_in(OPERATOR).await?;
            b.goto(&manage).await?;
            b.el("#grille-programme").await?;
            for axis in ["efficiency", "feasibility", "sustainability", "scalability"] {
                b.choose(&format!("#note-{axis}"), "3").await?;
            }
            b.click("#grille-programme button[type='submit']").await?;
            b.wait_text("#grille-programme", "Grille enregistrée.")
                .await?;
            let grid = b.wait_text("#grille-evaluation", "3 / 5").await?;
            ensure!(
                grid.contains("4 / 5") && grid.contains("5 / 5"),
                "the commune's scores are not beside the programme's:\n{grid}"
            );
            b.axe("the evaluation, side by side").await?;
            sign_out(b).await?;

            // 7. The commune concludes it and records the outcome.
            b.sign_in(ADMIN).await?;
            b.goto(&manage).await?;
            b.wait_text("main h1", TITLE).await?;
            move_to(b, "concluded", "Terminée").await?;
            b.choose("#resultat-type", "spread").await?;
            b.fill("#resultat-raison", "Efficace et peu coûteux")
                .await?;
            b.fill(
                "#resultat-enseignements",
                "Associer les parents dès le début",
            )
            .await?;
            b.click("#formulaire-resultat button[type='submit']")
                .await?;
            b.wait_text("#resultat-enregistre", "Essaimée").await?;
            b.axe("the outcome").await?;
            // The commune's dashboard.
            b.goto(&commune_page).await?;
            let list = b
                .wait_text("#liste-experimentations-commune", TITLE)
                .await?;
            ensure!(
                list.contains("Terminée"),
                "not concluded in the list:\n{list}"
            );
            b.wait_text("dd[data-figure='on_target']", "1").await?;
            b.wait_text("main", "Indicateurs à l'objectif").await?;
            b.axe("the commune's experiments").await?;
            sign_out(b).await?;

            // 8. The programme spreads it to another commune, then reads its
            // dashboard and the timeline.
            b.sign_in(OPERATOR).await?;
            b.goto(&manage).await?;
            b.el("#formulaire-essaimage").await?;
            b.fill("#essaimage-insee", SPREAD_TO).await?;
            b.click("#formulaire-essaimage button[type='submit']")
                .await?;
            b.wait_text("#resultat", "Expérimentation essaimée").await?;
            b.wait_text("#essaimages", &format!("{TITLE} ({SPREAD_TO})"))
                .await?;
            b.axe("the spread").await?;
            b.goto(&format!("{manage}/chronologie")).await?;
            let timeline = b
                .wait_text("#chronologie", "Essaimée vers une autre commune")
                .await?;
            for needle in [
                "Candidature",
                "Expérimentation créée",
                "Changement de statut",
                "Rapport d'étape envoyé",
                "Grille d'évaluation remplie",
                "Résultat enregistré",
            ] {
                ensure!(
                    timeline.contains(needle),
                    "no {needle:?} in the timeline:\n{timeline}"
                );
            }
            b.axe("the timeline").await?;
            b.goto("/espace/programme/experimentations").await?;
            b.wait_text("main h1", "tableau de bord du programme")
                .await?;
            let dashboard = b.wait_text("main", SPREAD_TO_NAME).await?;
            ensure!(
                dashboard.contains(&w.commune),
                "the experiment's commune is not in the dashboard:\n{dashboard}"
            );
            wait_map_title(b, &format!("{} — Membre — 1 expérimentation", w.commune)).await?;
            b.axe("the programme's dashboard").await?;
            b.snapshot("experiments-dashboard").await?;
            sign_out(b).await?;

            // 9. The public page and the home page show all of it.
            b.goto(&public).await?;
            b.wait_text("main h1", TITLE).await?;
            let page = b.wait_text("#resultat", "Essaimée").await?;
            ensure!(page.contains("Essaimée"), "{page}");
            let page = b
                .wait_text("main", "Associer les parents dès le début")
                .await?;
            for needle in ["Efficace et peu coûteux", "Terminée", said] {
                ensure!(
                    page.contains(needle),
                    "no {needle:?} on the public page:\n{page}"
                );
            }
            b.axe("the public page, concluded").await?;
            // The home page: the published experiments in figures, and the map
            // on request (its module would take the first download over budget).
            b.goto("/").await?;
            b.wait_text("main", "Expérimentations par statut").await?;
            b.wait_text("main", "Terminées").await?;
            let early = b.wasm_fetched().await?;
            ensure!(
                !early.iter().any(|(p, _)| p.starts_with("/qmi-carte-")),
                "the map's module came with the home page: {early:?}"
            );
            b.click("#afficher-carte").await?;
            wait_map_title(b, &format!("{} — Membre — 1 expérimentation", w.commune)).await?;
            let figures = blocking_api(b, "/api/experiments/figures");
            let total = figures["total"].as_u64().unwrap_or(0);
            b.wait_text("dd[data-figure='experiments']", &total.to_string())
                .await?;
            b.axe("the home page with the map").await?;
            b.snapshot("home-map").await?;
            fits_360(b, "the home page").await
        })
    });
}

/// A public GET from inside the scenario (on a thread of its own: the client blocks).
fn blocking_api(b: &Ctx, path: &str) -> Value {
    std::thread::scope(|s| {
        s.spawn(|| api(&b.server, "GET", path, None, None))
            .join()
            .expect("API call")
    })
}
