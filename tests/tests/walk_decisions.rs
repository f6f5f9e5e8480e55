//! Browser walk of issue 13's findings 4, 5 and 12 (the web app under `qmi up`
//! with applications, headless Chromium, axe-core on every page visited):
//!
//! - a call for communes created unpublished — the default, said on the form —
//!   is edited and then published from its page, its history shown;
//! - on a call still open, a decision is refused in French until the call is
//!   closed early with a reason; the decision letter then names its sender, its
//!   date, its signatory and the means and time limits of appeal;
//! - the withdraw confirmation says a withdrawn application reopens as a draft
//!   while the call is open, and it does.
//!
//! Calls, campaigns and applications are made here through the API; people are
//! the demo accounts.

use qmi_tests::browser::*;
use qmi_tests::{QmiServer, ensure};
use serde_json::json;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn rfc3339(t: i64) -> String {
    qmi_kit::time::Instant(t).to_string()
}

/// A published Saint-Denis call, open now until 2099, open to every organisation.
fn open_call(server: &QmiServer, title: &str) -> String {
    let admin = token(server, "admin.saint-denis@qmi.example");
    let call = api(
        server,
        "POST",
        "/api/calls",
        Some(&admin),
        Some(&json!({
            "insee": "93066",
            "title": title,
            "description": "Rafraîchir les cours d'école",
            "opens_at": rfc3339(unix_now() - 3600),
            "closes_at": "2099-01-31T18:00",
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true }],
            "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
            "published": true
        })),
    );
    call["id"].as_str().expect("call id").to_owned()
}

/// A submitted application of `email`'s organisation to `call`; its id.
fn apply(server: &QmiServer, call: &str, email: &str, title: &str) -> String {
    let app = api(
        server,
        "POST",
        &format!("/api/calls/{call}/applications"),
        Some(&token(server, email)),
        Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
    );
    app["id"].as_str().expect("application id").to_owned()
}

#[test]
fn a_call_for_communes_is_edited_then_published_from_its_page() {
    let server = server_with(&["applications", "districts"]);
    let programme = token(&server, "programme@qmi.example");
    let campaign = api(
        &server,
        "POST",
        "/api/campaigns",
        Some(&programme),
        Some(&json!({
            "title": "AMI brouillon",
            "text": "Accueillir un quartier d'innovation",
            "opens_at": rfc3339(unix_now() - 3600),
            "closes_at": "2099-06-30T18:00",
            "published": false
        })),
    )["id"]
        .as_str()
        .expect("campaign id")
        .to_owned();
    run_on("walk_decisions_campaign", server, move |b| {
        let campaign = campaign.clone();
        Box::pin(async move {
            b.sign_in("programme@qmi.example").await?;
            // The form says what the unticked box means, for both kinds of call.
            b.goto("/espace/campagnes").await?;
            b.wait_text("#campagne-publiee-aide", "non publié").await?;
            let ticked = b
                .el("#campagne-publiee")
                .await?
                .prop("checked")
                .await
                .ctx("checked")?;
            ensure!(
                ticked.as_deref() == Some("false"),
                "the campaign's publish box is ticked by default: {ticked:?}"
            );

            b.goto(&format!("/espace/campagnes/{campaign}")).await?;
            b.wait_text("#campagne-etat", "Non publié").await?;
            b.axe("an unpublished call for communes").await?;
            b.click("#campagne-gestion summary").await?;
            b.fill("#campagne-modifier-titre", "AMI quartiers 2031")
                .await?;
            b.click("#campagne-enregistrer").await?;
            b.wait_text("#campagne-message", "Modifications enregistrées")
                .await?;
            b.wait_text("#campagne-historique", "Modifié").await?;
            b.click("#campagne-publier").await?;
            b.c.accept_alert().await.ctx("confirming the publication")?;
            b.wait_text("#campagne-etat", "Publié : les communes le voient")
                .await?;
            b.wait_text("#campagne-historique", "Publié").await?;
            b.axe("a published call for communes").await?;
            let edit =
                b.c.find_all(fantoccini::Locator::Css(
                    "#campagne-publier, #form-campagne-modifier",
                ))
                .await
                .ctx("looking for the editor")?;
            ensure!(
                edit.is_empty(),
                "a published campaign still offers its editor"
            );
            Ok(())
        })
    });
}

#[test]
fn a_call_is_closed_early_with_a_reason_before_its_decisions_and_letters_say_how_to_appeal() {
    let server = server_with(&["applications", "districts"]);
    let call = open_call(&server, "Cours fraîches à Saint-Denis");
    let later = open_call(&server, "Toits verts à Saint-Denis");
    let partner = "partner@solaire-urbain.example";
    let oasis = apply(&server, &call, partner, "Cours Oasis");
    let toits = apply(&server, &later, partner, "Toits plantés");
    let admin = token(&server, "admin.saint-denis@qmi.example");
    for to in ["eligible", "in_review", "shortlisted"] {
        api(
            &server,
            "POST",
            &format!("/api/applications/{oasis}/transitions"),
            Some(&admin),
            Some(&json!({ "to": to })),
        );
    }
    run_on("walk_decisions_close_and_letter", server, move |b| {
        let (call, oasis, toits) = (call.clone(), oasis.clone(), toits.clone());
        Box::pin(async move {
            b.sign_in("admin.saint-denis@qmi.example").await?;
            b.goto(&format!("/espace/appels/{call}")).await?;
            b.wait_text("#cloture-attente", "après la clôture").await?;

            // Deciding while the call is open: refused, in French.
            b.choose(&format!("#etape-{oasis}"), "selected").await?;
            b.fill(&format!("#motif-{oasis}"), "Le meilleur impact")
                .await?;
            b.click(&format!("#valider-{oasis}")).await?;
            b.wait_text(
                "#liste-decisions li[data-title='Cours Oasis']",
                "décisions se prennent après la clôture",
            )
            .await?;
            b.axe("a decision refused before the close").await?;

            // Closed early: the reason is asked, then kept and shown.
            b.click("#cloturer-appel").await?;
            b.c.accept_alert().await.ctx("confirming the close")?;
            b.wait_text("#cloture-motif-erreur", "dites pourquoi")
                .await?;
            b.fill("#cloture-motif", "Les candidatures attendues sont là")
                .await?;
            b.click("#cloturer-appel").await?;
            b.c.accept_alert().await.ctx("confirming the close")?;
            b.wait_text("#cloture-anticipee", "Les candidatures attendues sont là")
                .await?;
            b.axe("a call closed early").await?;

            b.choose(&format!("#etape-{oasis}"), "selected").await?;
            b.fill(&format!("#motif-{oasis}"), "Le meilleur impact")
                .await?;
            b.click(&format!("#valider-{oasis}")).await?;
            b.wait_text("#selection-message", "Cours Oasis → Retenue")
                .await?;
            b.click("#publier-decisions").await?;
            b.c.accept_alert().await.ctx("confirming the publication")?;
            b.wait_text(".decisions-etat", "Publiées").await?;

            // The applicant's letter: sender, date, signatory, appeal.
            b.click("#deconnexion").await?;
            b.sign_in("partner@solaire-urbain.example").await?;
            b.goto(&format!("/espace/candidatures/{oasis}/lettre"))
                .await?;
            let text = b.wait_text("#lettre", "Voies et délais de recours").await?;
            for needed in [
                "Commune de Saint-Denis",
                "Le ",
                "(signé / signed)",
                "recours gracieux",
                "tribunal administratif",
                "Télérecours citoyens",
                "Means and time limits of appeal",
            ] {
                ensure!(
                    text.contains(needed),
                    "{needed:?} missing from the letter:\n{text}"
                );
            }
            b.axe("a decision letter").await?;

            // Withdrawn while the call is open: the confirmation says it may
            // reopen as a draft, and it does.
            b.goto("/espace/candidatures").await?;
            let card = format!("li[data-id='{toits}']");
            b.click(&format!("{card} .retirer")).await?;
            let asked =
                b.c.get_alert_text()
                    .await
                    .ctx("the withdraw confirmation")?;
            ensure!(
                asked.contains("rouvrir en brouillon"),
                "the withdraw confirmation does not say it can reopen: {asked}"
            );
            b.c.accept_alert().await.ctx("confirming the withdrawal")?;
            b.wait_text(&format!("{card} .statut"), "Retirée").await?;
            b.click(&format!("{card} .rouvrir")).await?;
            b.wait_text(&format!("{card} .statut"), "Brouillon").await?;
            b.axe("an application reopened as a draft").await?;
            Ok(())
        })
    });
}
