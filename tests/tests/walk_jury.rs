//! Browser walks of the jury's pages (issue 13, findings 3, 9 and 12): the
//! weighted total builds as criteria are scored, marked provisional; declaring
//! a conflict of interest asks for confirmation and a reason, and the recused
//! reviewer reopening the application is told so plainly; the commune admin is
//! warned when the jury is too small for the reviews asked, and reads each
//! reviewer's scores and comments on the application. axe runs on every page.

use qmi_tests::browser::*;
use qmi_tests::{QmiServer, ensure, invite};
use serde_json::json;

const ADMIN: &str = "admin.saint-denis@qmi.example";

/// An open call of Saint-Denis with two criteria (impact ×3, faisabilité ×1).
fn open_call(server: &QmiServer) -> String {
    let admin = token(server, ADMIN);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let opens = qmi_kit::time::Instant((now - 3600) as i64).to_string();
    let call = api(
        server,
        "POST",
        "/api/calls",
        Some(&admin),
        Some(&json!({
            "insee": "93066",
            "title": "Cours fraîches à Saint-Denis",
            "description": "Rafraîchir les cours d'école",
            "themes": ["Climat"],
            "challenges": ["Réduire la chaleur urbaine"],
            "eligibility": { "kinds": ["startup", "association", "sme"], "countries": [] },
            "opens_at": opens,
            "closes_at": "2099-01-31T18:00",
            "target_selections": 1,
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 }],
            "criteria": [
                { "id": "impact", "name": "Impact", "weight": 3 },
                { "id": "faisabilite", "name": "Faisabilité", "weight": 1 }
            ],
            "published": true
        })),
    );
    call["id"].as_str().expect("call id").to_owned()
}

/// An application of `email`'s organisation to `call`, brought to review; its id.
fn in_review(server: &QmiServer, call: &str, email: &str, title: &str) -> String {
    let app = api(
        server,
        "POST",
        &format!("/api/calls/{call}/applications"),
        Some(&token(server, email)),
        Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
    );
    let id = app["id"].as_str().expect("application id").to_owned();
    let admin = token(server, ADMIN);
    for to in ["eligible", "in_review"] {
        api(
            server,
            "POST",
            &format!("/api/applications/{id}/transitions"),
            Some(&admin),
            Some(&json!({ "to": to })),
        );
    }
    id
}

/// A reviewer of Saint-Denis, invited by its admin and accepted: their account id.
fn juror(server: &QmiServer, email: &str, name: &str) -> String {
    let admin = token(server, ADMIN);
    invite::to_commune(
        server,
        &admin,
        "93066",
        email,
        "reviewer",
        Some(name),
        DEMO_PASSWORD,
    )
    .account_id
}

/// The reviewer sees the total build, marked provisional; declaring a conflict
/// asks for confirmation and a reason; reopened, the application says plainly
/// that they declared a conflict, with the reason.
#[test]
fn a_reviewer_scores_then_declares_a_conflict_with_its_reason() {
    let server = server_with(&["applications", "districts"]);
    let call = open_call(&server);
    let app = in_review(
        &server,
        &call,
        "partner@solaire-urbain.example",
        "Cours Oasis",
    );
    let email = "juror.walk@example.org";
    let id = juror(&server, email, "Jules Juré");
    api(
        &server,
        "POST",
        &format!("/api/calls/{call}/assignments"),
        Some(&token(&server, ADMIN)),
        Some(&json!({ "reviewers": [id], "per_application": 1 })),
    );
    run_on("walk_jury_conflict", server, move |b| {
        Box::pin(async move {
            b.sign_in(email).await?;
            b.goto(&format!("/espace/evaluations/{app}")).await?;
            b.wait_text("#total-pondere", "notez chaque critère")
                .await?;
            // One criterion scored: a provisional total already.
            b.choose("#note-impact", "4").await?;
            b.wait_text("#total-pondere", "provisoire").await?;
            b.wait_text("#total-pondere", "4,00 / 5").await?;
            b.axe("a provisional total").await?;
            // Both: the total, no longer provisional ((3 × 4 + 1 × 2) / 4 = 3,5).
            b.choose("#note-faisabilite", "2").await?;
            b.wait_text("#total-pondere", "3,50 / 5").await?;
            let text = b.el("#total-pondere").await?.text().await.ctx("total")?;
            ensure!(!text.contains("provisoire"), "still provisional: {text}");
            // Declaring a conflict asks first, with a reason; cancelling keeps the form.
            b.click("#declarer-conflit").await?;
            b.wait_text("#form-conflit", "Déclarer un conflit d'intérêts ?")
                .await?;
            b.axe("the conflict's confirmation").await?;
            b.click("#conflit-annuler").await?;
            wait_count(b, "#form-conflit", 0).await?;
            b.el("#form-notation").await?;
            b.click("#declarer-conflit").await?;
            b.click("#conflit-confirmer").await?;
            b.wait_text("#conflit-motif-erreur", "motif").await?;
            b.fill("#conflit-motif", "Ancien associé du porteur")
                .await?;
            b.click("#conflit-confirmer").await?;
            b.wait_text(
                "#recusation",
                "Vous vous êtes déclaré(e) en conflit d'intérêts",
            )
            .await?;
            b.wait_text("#recusation-motif", "Ancien associé du porteur")
                .await?;
            b.axe("recused").await?;
            // Reopened: the same plain page, never an unreadable answer.
            b.c.refresh().await.ctx("reloading")?;
            b.wait_text(
                "#recusation",
                "Vous vous êtes déclaré(e) en conflit d'intérêts",
            )
            .await?;
            b.wait_text("#recusation-motif", "Ancien associé du porteur")
                .await?;
            let page = b.el("main").await?.text().await.ctx("page")?;
            ensure!(
                !page.contains("Unreadable") && !page.contains("illisible"),
                "{page}"
            );
            wait_count(b, "#form-notation", 0).await?;
            b.axe("recused, reopened").await?;
            Ok(())
        })
    });
}

/// The commune admin asks for 2 reviews per application from a jury of one and
/// is told; once the reviewer has scored, the admin reads their scores and
/// comments on the application, and the exports say which file opens in French
/// Excel.
#[test]
fn the_commune_admin_reads_the_jurys_work() {
    let server = server_with(&["applications", "districts"]);
    let call = open_call(&server);
    let app = in_review(
        &server,
        &call,
        "partner@solaire-urbain.example",
        "Cours Oasis",
    );
    let email = "juror.read@example.org";
    let id = juror(&server, email, "Jeanne Jurée");
    run_on("walk_jury_commune", server, move |b| {
        Box::pin(async move {
            b.sign_in(ADMIN).await?;
            b.goto(&format!("/espace/appels/{call}")).await?;
            b.click(&format!("#evaluateur-{id}")).await?;
            b.fill("#par-candidature", "2").await?;
            b.click("#affecter").await?;
            b.wait_text("#selection-message", "1 affectation").await?;
            b.wait_text(
                "#selection-message",
                "1 candidature a moins de 2 évaluations",
            )
            .await?;
            b.axe("a jury too small").await?;
            // The reviewer scores, with comments.
            api_now(
                &b.server,
                "PUT",
                &format!("/api/applications/{app}/review"),
                email,
                Some(&json!({ "scores": [
                    { "criterion": "impact", "score": 5, "comment": "Fort effet sur la chaleur" },
                    { "criterion": "faisabilite", "score": 3, "comment": "Budget serré" }
                ] })),
            );
            b.c.refresh().await.ctx("reloading")?;
            let reviews = format!("#evaluations-{app}");
            b.click(&format!("{reviews} summary")).await?;
            b.wait_text(&reviews, "Jeanne Jurée").await?;
            b.wait_text(&reviews, "4,50 / 5").await?;
            b.wait_text(
                &format!("{reviews} [data-criterion=impact] .commentaire"),
                "Fort effet sur la chaleur",
            )
            .await?;
            b.wait_text(
                &format!("{reviews} [data-criterion=faisabilite] .note"),
                "3",
            )
            .await?;
            b.wait_text("#exports-aide", "Excel").await?;
            b.el("#export-csv-excel").await?;
            b.axe("the jury's reviews").await?;
            Ok(())
        })
    });
}
