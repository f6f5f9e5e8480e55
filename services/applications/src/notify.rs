//! What the applications service tells people (issue 12): receipts of
//! applications and candidacies, assignments to review, published decisions with
//! their letter, and the reminder 72 hours before a call closes to the
//! organisations holding a draft. Each message is built from the records and
//! written to the outbox (`qmi_kit::outbox::enqueue_in`, with the commune whose
//! content it carries) inside the transaction of the change that causes it: no
//! message without its change, and a change that fails leaves none. [`after`] runs
//! after every request: the reminder sweep (one
//! indexed query when nothing is due) and the relay of the outbox to the
//! notifications component (best effort; a failed relay is retried later).
//!
//! Who is told: the person who submitted (a receipt), the reviewer (an
//! assignment), the applicant organisation's members (a decision, a reminder:
//! the application is the organisation's), the commune admin who submitted a
//! candidacy (its receipt and its decision). One message per person and event:
//! an event names one recipient, and an organisation recipient fans out to its
//! members, so a receipt sent to both the submitter and their organisation would
//! reach the submitter twice; it goes to the submitter only.

use std::collections::{BTreeMap, HashMap};

use qmi_api::Insee;
use qmi_api::applications::{Campaign, Candidacy, QuestionKind, Ranking, ReminderRun};
use qmi_api::notifications::{Event, Recipient};
use qmi_kit::Problem;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::outbox;
use qmi_kit::sql::{Across, Rows, Select};

use super::{
    APPLICATIONS, ATTACHMENTS, Action, CALLS, CANDIDACIES, Ctx, Facts, REMINDERS, StoredApp,
    StoredCall, app_of, call_apps, load_app, ranking, step,
};
use crate::paris::Instant;
use crate::{letter, notice, sniff, workflow};

/// Writes `event`, which carries commune `insee`'s content, into the outbox, in the
/// caller's transaction (its notices are hidden while the commune is suspended).
async fn enqueue(cx: &Ctx<'_>, insee: &Insee, event: Event) -> Result<(), Problem> {
    Ok(outbox::enqueue_in(&cx.db, insee, event).await?)
}

/// Sweeps the reminders due and relays the outbox; after every request, never
/// failing it.
pub(super) async fn after(cx: &Ctx<'_>) {
    // The platform's sweep, not the caller's action: no decision of the caller
    // covers it and nothing it reads is answered to the caller (the reminders
    // go to the organisations through the outbox). The audit trail names the
    // platform for what it writes.
    cx.db.attend_platform(cx.request_id());
    if let Err(e) = sweep(cx, cx.db.facts()).await {
        qmi_kit::log!("reminders: {e}");
    }
    outbox::relay(&cx.db).await;
}

// ---------------------------------------------------------------- receipts

/// The receipt of an application the caller just submitted (inside the
/// submission's transaction): its title and answers in the form's order, files
/// by the name they download as.
pub(super) async fn received(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    call: &StoredCall,
    insee: &Insee,
    application: &str,
    title: &str,
    answers: &BTreeMap<String, serde_json::Value>,
) -> Result<(), Problem> {
    let Some(me) = cx.who() else {
        return Ok(());
    };
    let files = file_names(cx, allowed, call, insee, application, answers).await?;
    let copy = notice::application_copy(title, &call.input.form, answers, &|id| {
        files.get(id).cloned()
    });
    enqueue(
        cx,
        insee,
        Event::ApplicationReceived {
            recipient: Recipient::Account {
                account_id: me.sub.clone(),
            },
            call: call.input.title.clone(),
            answers: copy,
            link: outbox::public_link(notice::MY_APPLICATIONS).await,
        },
    )
    .await
}

/// The download names of the application's attachments (`<id>.<ext>`), read
/// only when the form has a file question answered.
async fn file_names(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    call: &StoredCall,
    insee: &Insee,
    application: &str,
    answers: &BTreeMap<String, serde_json::Value>,
) -> Result<HashMap<String, String>, Problem> {
    let any = call.input.form.iter().any(|q| {
        q.kind == QuestionKind::File
            && answers
                .get(&q.id)
                .and_then(|v| v.as_str())
                .is_some_and(|s| !s.trim().is_empty())
    });
    if !any {
        return Ok(HashMap::new());
    }
    let rows = cx
        .db
        .across(allowed)
        .select(ATTACHMENTS, &["id", "content_type"])
        .within(insee)
        .filter("application_id = ?", [application.into()])
        .rows()
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id = r.string("id");
            let ext = sniff::extension(r.text("content_type").unwrap_or(""));
            (id.clone(), format!("{id}.{ext}"))
        })
        .collect())
}

/// The receipt of a commune's candidacy the caller (its admin) just submitted,
/// inside the submission's transaction.
pub(super) async fn candidacy_received(
    cx: &Ctx<'_>,
    insee: &Insee,
    campaign: &Campaign,
    cand: &Candidacy,
) -> Result<(), Problem> {
    let Some(me) = cx.who() else {
        return Ok(());
    };
    let copy = notice::candidacy_copy(&notice::CandidacyCopy {
        district_name: &cand.district_name,
        challenges: &cand.challenges,
        partners: &cand.partners,
        means: &cand.means,
        questions: &campaign.questions,
        answers: &cand.answers,
    });
    enqueue(
        cx,
        insee,
        Event::ApplicationReceived {
            recipient: Recipient::Account {
                account_id: me.sub.clone(),
            },
            call: campaign.title.clone(),
            answers: copy,
            link: outbox::public_link(&notice::candidacy_path(insee.as_str(), &campaign.id)).await,
        },
    )
    .await
}

// ---------------------------------------------------------------- reviews

/// The reviewer's notice of an assignment, right after the statement that
/// wrote it, in the assignment's transaction: nothing if that statement changed
/// nothing (the reviewer was assigned already).
pub(super) async fn assigned(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    call: &StoredCall,
    insee: &Insee,
    application: &str,
    reviewer: &str,
) -> Result<(), Problem> {
    if cx.db.changes().await == 0 {
        return Ok(());
    }
    let rows = cx
        .db
        .across(allowed)
        .select(APPLICATIONS, &["title", "organisation_name"])
        .within(insee)
        .filter("id = ?", [application.into()])
        .rows()
        .await?;
    let (title, applicant) = rows
        .first()
        .map(|r| (r.string("title"), r.string("organisation_name")))
        .unwrap_or_default();
    let what = match (title.trim(), applicant.trim()) {
        ("", a) => a.to_owned(),
        (t, "") => t.to_owned(),
        (t, a) => format!("{t} — {a}"),
    };
    enqueue(
        cx,
        insee,
        Event::ReviewAssigned {
            recipient: Recipient::Account {
                account_id: reviewer.to_owned(),
            },
            call: call.input.title.clone(),
            application: what,
            link: outbox::public_link(&notice::review_path(application)).await,
        },
    )
    .await
}

// ---------------------------------------------------------------- decisions

/// The decision of `app` with its letter, as the applicant reads it once published.
async fn decision(cx: &Ctx<'_>, call: &StoredCall, rank: &Ranking, app: &StoredApp) -> Event {
    let score = rank
        .applications
        .iter()
        .find(|r| r.id == app.id)
        .and_then(|r| r.weighted_score);
    let head = super::decisions::letterhead(cx, call, app).await;
    let letter = letter::compose(
        &head,
        call.input.letter_template.as_deref(),
        &app.title,
        &call.input.title,
        workflow::label(&call.workflow, &app.status),
        app.reason.as_deref().unwrap_or(""),
        score,
    );
    Event::DecisionPublished {
        recipient: Recipient::Organisation {
            organisation_id: app.organisation.clone(),
        },
        call: call.input.title.clone(),
        selected: app.status == notice::SELECTED,
        letter,
        link: outbox::public_link(&notice::letter_path(&app.id)).await,
    }
}

/// Every decided application of the call tells its applicant, with its letter:
/// right after the statement that published the call's decisions, in its
/// transaction; nothing if that statement changed nothing (published already).
pub(super) async fn decisions_published(cx: &Ctx<'_>, call: &StoredCall) -> Result<(), Problem> {
    if cx.db.changes().await == 0 {
        return Ok(());
    }
    let rank = ranking(cx, call).await?;
    let rows = call_apps(cx, call, &["*"], true).await?;
    for row in rows.iter() {
        let app = app_of(row)?;
        if workflow::is_decision(&call.workflow, &app.status) {
            let event = decision(cx, call, &rank, &app).await;
            enqueue(cx, &app.insee, event).await?;
        }
    }
    Ok(())
}

/// Moves an application (see `step`) in a transaction of its own; a decision
/// reached once the call's decisions are published tells the applicant at once,
/// in the same transaction. Returns whether it moved.
pub(super) async fn move_to(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
    call: &StoredCall,
    to: &str,
    reason: Option<&str>,
) -> Result<bool, Problem> {
    cx.db
        .atomic(async |_| {
            let moved = step(cx, allowed, app, &app.status, to, reason).await?;
            if moved && call.decisions_published && workflow::is_decision(&call.workflow, to) {
                let rank = ranking(cx, call).await?;
                let now = load_app(cx, &app.id).await?;
                let event = decision(cx, call, &rank, &now).await;
                enqueue(cx, &now.insee, event).await?;
            }
            Ok(moved)
        })
        .await
}

/// The decision on a commune's candidacy, told to the admin who submitted it:
/// right after the statement that decided it, in its transaction; nothing if
/// that statement changed nothing, nor for a candidacy submitted before its
/// submitter was recorded.
pub(super) async fn candidacy_decided(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    insee: &Insee,
    campaign: &Campaign,
    cand: &Candidacy,
    selected: bool,
    reason: &str,
) -> Result<(), Problem> {
    if cx.db.changes().await == 0 {
        return Ok(());
    }
    let rows = cx
        .db
        .across(allowed)
        .select(CANDIDACIES, &["submitted_by"])
        .within(insee)
        .filter("campaign_id = ?", [campaign.id.as_str().into()])
        .rows()
        .await?;
    let Some(account) = rows
        .first()
        .and_then(|r| r.text("submitted_by").map(str::to_owned))
    else {
        return Ok(());
    };
    enqueue(
        cx,
        insee,
        Event::DecisionPublished {
            recipient: Recipient::Account {
                account_id: account,
            },
            call: campaign.title.clone(),
            selected,
            letter: notice::candidacy_letter(
                &cand.district_name,
                &campaign.title,
                selected,
                reason,
            ),
            link: outbox::public_link(&notice::candidacy_path(insee.as_str(), &campaign.id)).await,
        },
    )
    .await
}

// ---------------------------------------------------------------- reminders

/// Drafts to published calls closing within the window (`?` its start and end),
/// not reminded yet: a range of `calls_closing`, then `applications_drafts`.
/// The drafts of published calls closing within the reminder window and not
/// reminded yet, read across communes (a programme call's applications live in
/// other communes than its row, so the join on `calls` is across communes).
fn due_drafts<'a>(cx: &Ctx<'_>, reader: Across<'a>, columns: &'a [&'static str]) -> Select<'a> {
    reader
        .select(APPLICATIONS, columns)
        .alias("a")
        .join_across_as(CALLS, "c", "c.id = a.call_id", [])
        .filter("a.status = 'draft'", [])
        .filter("c.published = 1", [])
        .filter(
            "c.closes_at > ? AND c.closes_at <= ?",
            [cx.now.0.into(), (cx.now.0 + notice::REMINDER_WINDOW).into()],
        )
        .filter(
            "NOT EXISTS (SELECT 1 FROM reminders r WHERE r.insee = a.insee AND r.application_id = a.id)",
            [],
        )
}

/// The columns a reminder needs.
const DUE_COLUMNS: &[&str] = &[
    "a.insee",
    "a.id",
    "a.call_id",
    "a.organisation_id",
    "c.closes_at",
    "json_extract(c.body, '$.title') AS title",
];

/// What one sweep did.
#[derive(Default)]
struct Sweep {
    /// Drafts reminded.
    reminded: u32,
    /// Whether the batch was full (more may be due).
    full: bool,
}

/// The due drafts, oldest deadline first, but those of the communes in `frozen`.
async fn due(cx: &Ctx<'_>, reader: Across<'_>, frozen: &[String]) -> Result<Rows, Problem> {
    let mut select = due_drafts(cx, reader, DUE_COLUMNS);
    for insee in frozen {
        select = select.filter("a.insee <> ?", [insee.as_str().into()]);
    }
    Ok(select
        .order_by("c.closes_at, a.id")
        .limit(notice::REMINDER_BATCH)
        .rows()
        .await?)
}

/// Reminds the organisations holding a draft to a call that closes within 72
/// hours, each draft once: the reminder's row and its outbox row commit
/// together, so a sweep run twice (or two at once) reminds nobody twice. A
/// suspended commune's drafts wait (its content is frozen). One indexed query
/// when nothing is due.
async fn sweep(cx: &Ctx<'_>, reader: Across<'_>) -> Result<Sweep, Problem> {
    let seen = due(cx, reader, &[]).await?;
    if seen.is_empty() {
        return Ok(Sweep::default());
    }
    let mut frozen: Vec<String> = Vec::new();
    for r in seen.iter() {
        let insee = r.string("insee");
        if !frozen.contains(&insee) && cx.is_suspended(insee.parse().ok().as_ref()).await? {
            frozen.push(insee);
        }
    }
    cx.db
        .atomic(async |_| {
            // Read again under the write lock: what another sweep reminded meanwhile is gone.
            let rows = due(cx, reader, &frozen).await?;
            let mut reminded = 0;
            for r in rows.iter() {
                let Ok(insee) = r.string("insee").parse::<Insee>() else {
                    continue;
                };
                let (id, call) = (r.string("id"), r.string("call_id"));
                // The platform's sweep has no principal to ask about: it acts on
                // the draft its organisation saved under its own decision.
                let draft = Allowed::standing(insee.clone(), "draft-reminder");
                cx.db
                    .tenant(&draft)?
                    .insert(
                        REMINDERS,
                        vec![
                            ("application_id", id.as_str().into()),
                            ("call_id", call.as_str().into()),
                            ("sent_at", cx.now.0.into()),
                        ],
                    )
                    .or_ignore()
                    .run()
                    .await?;
                if cx.db.changes().await == 0 {
                    continue;
                }
                enqueue(
                    cx,
                    &insee,
                    Event::CallClosing {
                        recipient: Recipient::Organisation {
                            organisation_id: r.string("organisation_id"),
                        },
                        call: r.string("title"),
                        closes_at: Instant(r.int("closes_at").unwrap_or(0)).to_string(),
                        link: outbox::public_link(&notice::draft_path(&call)).await,
                    },
                )
                .await?;
                reminded += 1;
            }
            Ok(Sweep {
                reminded,
                full: rows.rows.len() as u32 >= notice::REMINDER_BATCH,
            })
        })
        .await
}

/// `POST /api/calls/reminders` (platform operators, a scheduler): sweeps until
/// nothing more is due (bounded), then relays; counts only.
pub(super) async fn send_reminders(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let allowed = cx.ask(Action::JobsRun, &Facts::default()).await?;
    let mut reminded = 0;
    for _ in 0..20 {
        let s = sweep(cx, cx.db.across(&allowed)).await?;
        reminded += s.reminded;
        if !s.full || s.reminded == 0 {
            break;
        }
    }
    let pending = due_drafts(cx, cx.db.across(&allowed), &[])
        .count()
        .await?
        .max(0) as u32;
    Ok(json(200, &ReminderRun { reminded, pending }))
}
