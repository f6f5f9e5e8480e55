//! Cross-tenant isolation, route by route (issue 11).
//!
//! One `qmi up` of the real application (root `spin.toml`). Through the API only, the
//! test builds its own world: two new communes A and B (an admin, an agent and a
//! reviewer in each) and two new organisations X and Y (one member each). Commune B and
//! organisation Y are the victims: B opens a published and an unpublished call for
//! solutions, Y applies (a draft, an application in review, an application decided but
//! not published, each with an attachment), B's reviewer is assigned and scores, B holds
//! a draft candidacy to a campaign, invites a person, and owns a district. Every private
//! record carries a marker string, unique to the run.
//!
//! Then every route of [`qmi_api::routes::ROUTES`] is sent with the victims' ids, by
//! every principal: anonymous, A's admin, agent and reviewer, X's member, the hosting
//! operator (the outsiders, who also attempt every write, with a plausible body), and
//! B's admin, agent, reviewer and Y's member (the insiders, who read: the positive
//! control that proves the markers are real and detectable). A path parameter the test
//! cannot fill is a failure, so a route added to the catalogue is covered the day it is.
//!
//! Checked, and reported all together at the end:
//! - no response is a 5xx (never retried) and every request gets an answer;
//! - a response carries a private marker only to the marker's audience (for an
//!   outsider: never);
//! - an outsider's write on the victims is refused (a 2xx is a violation, save the few
//!   writes that are an outsider's own business, listed in [`legit_write`]);
//! - the victims' records, read back by B's admin, B's reviewer, Y's member and the
//!   programme operator, are unchanged by the sweep;
//! - each marker was seen by someone of its audience;
//! - B's admin cannot make an outsider a juror of Y's application (a juror is one of
//!   B's reviewers); if it can, what that outsider then reads is checked too;
//! - while the hosting operator suspends B, B's content is frozen: nobody reads a
//!   private marker (Y's member still reads Y's own organisation) and the owners'
//!   writes to B are refused and change nothing;
//! - then the owners (B's people, Y's member) and the programme operator send every
//!   write on the same paths: no 5xx either, and each write body must get past
//!   validation for someone entitled to it (else the outsiders' refusals prove nothing
//!   and [`BODIES`] must be fixed).
//!
//! `--nocapture` prints the coverage, who saw each marker, and every status per route
//! and principal.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use qmi_api::routes::{Auth, ROUTES, RouteDoc};
use qmi_tests::http::{Body as HttpBody, Client};
use qmi_tests::{QmiServer, app};
use serde_json::{Map, Value, json};

const PASSWORD: &str = "cross-tenant-tests-password";
/// Commune A (the attackers' commune): Lyon, outside the Métropole du Grand Paris.
const A: &str = "69123";
/// Commune B (the victim): Marseille, outside the Métropole du Grand Paris.
const B: &str = "13055";

// ---------------------------------------------------------------- principals

/// Everyone who sends requests in the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    AAdmin,
    AAgent,
    AReviewer,
    XMember,
    Hosting,
    BAdmin,
    BAgent,
    BReviewer,
    YMember,
    /// Writes in phase 2 only: the operator entitled to every write.
    Programme,
}

impl Who {
    const ALL: [Who; 10] = [
        Who::Anonymous,
        Who::AAdmin,
        Who::AAgent,
        Who::AReviewer,
        Who::XMember,
        Who::Hosting,
        Who::BAdmin,
        Who::BAgent,
        Who::BReviewer,
        Who::YMember,
    ];

    fn label(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::AAdmin => "A's admin",
            Who::AAgent => "A's agent",
            Who::AReviewer => "A's reviewer",
            Who::XMember => "X's member",
            Who::Hosting => "hosting operator",
            Who::BAdmin => "B's admin",
            Who::BAgent => "B's agent",
            Who::BReviewer => "B's reviewer",
            Who::YMember => "Y's member",
            Who::Programme => "programme operator",
        }
    }

    /// Whether the principal has no standing in B nor in Y.
    fn outsider(self) -> bool {
        matches!(
            self,
            Who::Anonymous
                | Who::AAdmin
                | Who::AAgent
                | Who::AReviewer
                | Who::XMember
                | Who::Hosting
        )
    }

    /// The principal's address in run `run`. The two operators are the platform's
    /// bootstrap accounts (only the seed makes operators); everyone else is a
    /// newcomer of this run, invited through the API and joining by the e-mailed
    /// link with [`PASSWORD`].
    fn email(self, run: &str) -> Option<String> {
        let person = match self {
            Who::Anonymous => return None,
            Who::Hosting => return Some("hosting@qmi.example".to_owned()),
            Who::Programme => return Some("programme@qmi.example".to_owned()),
            Who::AAdmin => "a-admin",
            Who::AAgent => "a-agent",
            Who::AReviewer => "a-reviewer",
            Who::XMember => "x-member",
            Who::BAdmin => "b-admin",
            Who::BAgent => "b-agent",
            Who::BReviewer => "b-reviewer",
            Who::YMember => "y-member",
        };
        Some(format!("{person}.{run}@cross-tenant.example"))
    }
}

/// A signed-in principal (or the anonymous one).
struct Person {
    token: Option<String>,
    email: String,
    id: String,
}

// ---------------------------------------------------------------- markers

/// A string planted in a private record of the victims, and who may see it.
struct Marker {
    what: &'static str,
    text: String,
    audience: &'static [Who],
    /// Who may see it while B is suspended (B's content is frozen for all but
    /// programme operators; what it published stays public).
    frozen: &'static [Who],
}

const STAFF: &[Who] = &[Who::BAdmin, Who::BAgent];
const DRAFT_READERS: &[Who] = &[Who::YMember, Who::BAdmin, Who::BAgent];
const APPLICATION_READERS: &[Who] = &[Who::YMember, Who::BAdmin, Who::BAgent, Who::BReviewer];
const REVIEW_READERS: &[Who] = &[Who::BAdmin, Who::BReviewer];
/// A profile that is not public (issue 16): every commune's people and its members.
const DIRECTORY_READERS: &[Who] = &[
    Who::AAdmin,
    Who::AAgent,
    Who::AReviewer,
    Who::BAdmin,
    Who::BAgent,
    Who::BReviewer,
    Who::YMember,
];
/// An experiment's followers: its commune's staff and its partners.
const EXPERIMENT_READERS: &[Who] = &[Who::YMember, Who::BAdmin, Who::BAgent];

// ---------------------------------------------------------------- HTTP

/// A request body.
#[derive(Clone, Debug)]
enum Body {
    Empty,
    Json(Value),
    File(&'static str, Vec<u8>),
}

/// A response, read to the end.
struct Res {
    status: u16,
    headers: String,
    bytes: Vec<u8>,
}

impl Res {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The shared client (`qmi_tests::http`), keep-alive, redirects answered as they
/// are; a 5xx is gathered with the other violations rather than failing at once.
struct Api<'a> {
    client: Client<'a>,
    sent: std::cell::Cell<usize>,
}

impl<'a> Api<'a> {
    fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::without_redirects(server),
            sent: std::cell::Cell::new(0),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Body,
    ) -> Result<Res, String> {
        self.sent.set(self.sent.get() + 1);
        let body = match body {
            Body::Empty => HttpBody::None,
            Body::Json(v) => HttpBody::Json(v),
            Body::File(content_type, bytes) => HttpBody::Bytes(content_type, bytes.clone()),
        };
        let res = self.client.try_request(method, path, token, body, &[])?;
        let headers = res
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v.as_bytes())))
            .collect::<Vec<_>>()
            .join("\n");
        Ok(Res {
            status: res.status,
            headers,
            bytes: res.bytes,
        })
    }

    /// A setup step that must succeed.
    fn ok(&self, method: &str, path: &str, token: Option<&str>, body: Body) -> Value {
        let res = self
            .send(method, path, token, &body)
            .unwrap_or_else(|e| panic!("setup {method} {path}: {e}"));
        assert!(
            res.ok(),
            "setup {method} {path} answered {}: {}",
            res.status,
            res.text()
        );
        res.json()
    }

    fn sign_in(&self, email: &str) -> String {
        let v = self.ok(
            "POST",
            "/api/auth/token",
            None,
            Body::Json(json!({ "email": email, "password": PASSWORD })),
        );
        v["access_token"].as_str().expect("access_token").to_owned()
    }
}

fn rfc3339(t: i64) -> String {
    qmi_kit::time::Instant(t).to_string()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

fn polygon() -> Value {
    json!({"type":"Polygon","coordinates":[[[5.36,43.29],[5.38,43.29],[5.38,43.30],[5.36,43.30],[5.36,43.29]]]})
}

/// A 1×1 PNG, whole (a logo).
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

// ---------------------------------------------------------------- the victims' world

/// Everything the test built, with the ids the sweep sends.
struct World {
    programme: String,
    people: BTreeMap<Who, Person>,
    b_name: String,
    org_x: String,
    org_y: String,
    campaign_selected: String,
    campaign_draft: String,
    call_published: String,
    call_unpublished: String,
    app_draft: String,
    app_in_review: String,
    app_decided: String,
    attachment_draft: String,
    attachment_in_review: String,
    attachment_decided: String,
    invited_member: String,
    invitation_y: String,
    /// A pending invitation to B (issue 12; its address carries a marker).
    commune_invitation_b: String,
    /// A pending invitation to Y, by its member, sent by link.
    org_invitation_y: String,
    /// A pending invitation to the programme team.
    team_invitation: String,
    /// A pending request to join Y (its requester's address carries a marker).
    join_request_y: String,
    /// A session of Y's member (`session_id` of a sign-in): only they sign it out.
    session_y: String,
    /// A notice of Y's member (in-app notifications are per account).
    notice_y: String,
    /// Y's application selected (decision published) to B's third call, and the
    /// experiment it became (issue 15), with its followed records.
    app_experiment: String,
    experiment: String,
    site: String,
    document: String,
    milestone: String,
    indicator: String,
    feedback: String,
    /// A third record the operators merge into Y in phase 3 (issue 16).
    org_dup: String,
    /// B's private note on Y, and the programme's note on Y.
    note_b: String,
    programme_note: String,
    markers: Vec<Marker>,
}

impl World {
    fn person(&self, who: Who) -> &Person {
        &self.people[&who]
    }

    fn token(&self, who: Who) -> Option<&str> {
        self.person(who).token.as_deref()
    }

    /// Victim ids by path parameter, keyed `<literal segments before it>:<name>` (e.g.
    /// `calls:id`, `communes/members:account`). The first map is complete; each next one
    /// gives other victims for some parameters (a route is sent once per distinct path).
    fn contexts(&self) -> Vec<BTreeMap<&'static str, String>> {
        let first: BTreeMap<&'static str, String> = [
            ("communes:insee", B.to_owned()),
            ("communes/members:account", self.invited_member.clone()),
            ("admin/communes:insee", B.to_owned()),
            ("organisations:id", self.org_y.clone()),
            (
                "organisations/members:account",
                self.person(Who::YMember).id.clone(),
            ),
            ("campaigns:id", self.campaign_selected.clone()),
            ("campaigns/candidacies:insee", B.to_owned()),
            ("candidacies:insee", B.to_owned()),
            ("calls:id", self.call_published.clone()),
            ("applications:id", self.app_draft.clone()),
            (
                "applications/attachments:attachment",
                self.attachment_draft.clone(),
            ),
            ("open-data:file", "calls.json".to_owned()),
            ("districts:insee", B.to_owned()),
            ("me/invitations:id", self.invitation_y.clone()),
            ("communes/invitations:id", self.commune_invitation_b.clone()),
            (
                "organisations/invitations:invitation",
                self.org_invitation_y.clone(),
            ),
            ("admin/invitations:id", self.team_invitation.clone()),
            (
                "organisations/join-requests:request",
                self.join_request_y.clone(),
            ),
            // A link's token is its own key: an outsider only has a guess.
            (
                "auth/invitations:token",
                "guessed-invitation-token".to_owned(),
            ),
            ("me/sessions:id", self.session_y.clone()),
            ("notifications:id", self.notice_y.clone()),
            ("experiments:id", self.experiment.clone()),
            ("experiments/communes:insee", B.to_owned()),
            ("experiments/applications:id", self.app_experiment.clone()),
            ("experiments/partners:organisation", self.org_y.clone()),
            ("experiments/sites:site", self.site.clone()),
            ("experiments/documents:document", self.document.clone()),
            ("experiments/milestones:milestone", self.milestone.clone()),
            ("experiments/indicators:indicator", self.indicator.clone()),
            ("experiments/reports:period", "2026-01-15".to_owned()),
            ("experiments/feedback:feedback", self.feedback.clone()),
            ("experiments/grid:side", "commune".to_owned()),
            ("organisations/notes:insee", B.to_owned()),
            ("organisations/notes:note", self.note_b.clone()),
            (
                "organisations/programme-notes:note",
                self.programme_note.clone(),
            ),
            ("admin/organisations:id", self.org_y.clone()),
            ("applications/organisations:id", self.org_y.clone()),
            ("experiments/organisations:id", self.org_y.clone()),
        ]
        .into_iter()
        .collect();
        let second = [
            (
                "communes/members:account",
                self.person(Who::BAgent).id.clone(),
            ),
            ("campaigns:id", self.campaign_draft.clone()),
            ("calls:id", self.call_unpublished.clone()),
            ("applications:id", self.app_in_review.clone()),
            (
                "applications/attachments:attachment",
                self.attachment_in_review.clone(),
            ),
            ("open-data:file", "calls.csv".to_owned()),
            ("experiments/grid:side", "programme".to_owned()),
        ];
        let third = [
            ("applications:id", self.app_decided.clone()),
            (
                "applications/attachments:attachment",
                self.attachment_decided.clone(),
            ),
            ("open-data:file", "decisions.json".to_owned()),
        ];
        let fourth = [("open-data:file", "decisions.csv".to_owned())];
        vec![
            first,
            second.into_iter().collect(),
            third.into_iter().collect(),
            fourth.into_iter().collect(),
        ]
    }
}

fn call_body(title: &str, description: &str, published: bool) -> Value {
    json!({
        "insee": B,
        "title": title,
        "description": description,
        "themes": ["Énergie"],
        "challenges": ["Rafraîchir les cours d'école"],
        "eligibility": { "kinds": [], "countries": [] },
        "opens_at": rfc3339(unix_now() - 3600),
        "closes_at": "2099-12-31T23:59",
        "target_selections": 2,
        "form": [
            { "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 2000 },
            { "id": "deck", "label": "Présentation", "kind": "file" }
        ],
        "criteria": [
            { "id": "impact", "name": "Impact", "weight": 3 },
            { "id": "feasibility", "name": "Faisabilité", "weight": 1 }
        ],
        "published": published
    })
}

/// Builds A, B, X, Y and B's and Y's records through the API. The demo accounts only
/// bootstrap: operators create the communes and organisations, and people are given
/// their roles and organisations here.
fn build_world(api: &Api, server: &QmiServer) -> World {
    let mut random = [0u8; 5];
    getrandom::fill(&mut random).expect("random run id");
    let run: String = random.iter().map(|b| format!("{b:02x}")).collect();
    // Markers: lower-case letters and digits only, unchanged by JSON, CSV, XML and
    // e-mail normalisation, so a leak is found in any format.
    let marker = |what, tag: &str, audience, frozen| Marker {
        what,
        text: format!("zq{tag}{run}"),
        audience,
        frozen,
    };
    let markers = vec![
        marker("unpublished call", "unpubcall", STAFF, &[]),
        marker("draft application", "draftapp", DRAFT_READERS, &[]),
        marker(
            "application in review",
            "reviewapp",
            APPLICATION_READERS,
            &[],
        ),
        marker(
            "decided application",
            "decidedapp",
            APPLICATION_READERS,
            &[],
        ),
        marker("draft attachment", "draftfile", DRAFT_READERS, &[]),
        marker(
            "attachment in review",
            "reviewfile",
            APPLICATION_READERS,
            &[],
        ),
        marker(
            "decided attachment",
            "decidedfile",
            APPLICATION_READERS,
            &[],
        ),
        marker(
            "review comment (in review)",
            "commenta",
            REVIEW_READERS,
            &[],
        ),
        marker("review comment (decided)", "commentb", REVIEW_READERS, &[]),
        marker("unpublished decision reason", "reason", STAFF, &[]),
        // Issue 15: an experiment (unpublished) and what is followed of it.
        marker("experiment record", "exprecord", EXPERIMENT_READERS, &[]),
        marker("residents' feedback", "feedback", STAFF, &[]),
        marker("selected candidacy (means, answers)", "candsel", STAFF, &[]),
        marker("draft candidacy", "canddraft", STAFF, &[]),
        marker("invited member of B", "member", STAFF, &[]),
        marker("pending invitation to B", "invitb", &[Who::BAdmin], &[]),
        // Y's invitations and join requests are not B's content.
        marker(
            "pending invitation to Y",
            "invity",
            &[Who::YMember],
            &[Who::YMember],
        ),
        marker(
            "request to join Y",
            "joiny",
            &[Who::YMember],
            &[Who::YMember],
        ),
        // Y's profile is not public (issue 16): commune people and Y's member read
        // it, its contacts too; it is not B's content, so B's suspension hides
        // nothing of it.
        marker(
            "organisation Y's name",
            "orgy",
            DIRECTORY_READERS,
            DIRECTORY_READERS,
        ),
        marker(
            "Y's contact",
            "contacty",
            DIRECTORY_READERS,
            DIRECTORY_READERS,
        ),
        // B's private note on Y: B's admins and agents alone.
        marker("B's note on Y", "noteb", STAFF, &[]),
    ];
    let mark = |what: &str| {
        markers
            .iter()
            .find(|m| m.what == what)
            .expect("marker")
            .text
            .clone()
    };

    let programme = api.sign_in("programme@qmi.example");
    let hosting = api.sign_in("hosting@qmi.example");
    let p = Some(programme.as_str());

    // Two communes of another metropolis, added by the hosting operator.
    let b_name = format!("Victimeville {run}");
    for (insee, name) in [(A, format!("Attaqueville {run}")), (B, b_name.clone())] {
        api.ok(
            "POST",
            "/api/admin/communes",
            Some(&hosting),
            Body::Json(
                json!({ "insee": insee, "name": name, "population": 1000, "status": "member" }),
            ),
        );
    }

    // Two organisations, each with its partner: a newcomer invited by the
    // programme operator, joining by the e-mailed link.
    let new_org = |name: &str, contact: &str| {
        api.ok(
            "POST",
            "/api/organisations",
            p,
            Body::Json(json!({
                "name": name, "kind": "startup", "country": "DE", "public": false,
                "contacts": [{ "name": format!("Contact {contact}"), "email": format!("{contact}@cross-tenant.example") }],
            })),
        )["id"]
            .as_str()
            .expect("org id")
            .to_owned()
    };
    let org_x = new_org(&format!("Organisation X {run}"), &format!("x{run}"));
    let org_y = new_org(
        &format!("Organisation Y {}", mark("organisation Y's name")),
        &mark("Y's contact"),
    );
    // A record merged away by the operators' writes of phase 3 (never Y nor X).
    let org_dup = new_org(&format!("Organisation doublon {run}"), &format!("d{run}"));
    for (who, org, name) in [
        (Who::XMember, &org_x, "Partenaire X"),
        (Who::YMember, &org_y, "Partenaire Y"),
    ] {
        let email = who.email(&run).expect("email");
        qmi_tests::invite::to_organisation(server, &programme, org, &email, Some(name), PASSWORD);
    }

    // Roles in A and B.
    for (insee, admin, agent, reviewer) in [
        (A, Who::AAdmin, Who::AAgent, Who::AReviewer),
        (B, Who::BAdmin, Who::BAgent, Who::BReviewer),
    ] {
        for (who, role) in [(admin, "admin"), (agent, "agent"), (reviewer, "reviewer")] {
            // An invitation, accepted with the account's password (issue 12).
            let email = who.email(&run).expect("email");
            let name = format!("{} {insee}", who.label());
            qmi_tests::invite::to_commune(
                server,
                &programme,
                insee,
                &email,
                role,
                Some(&name),
                PASSWORD,
            );
        }
    }

    // Everyone signs in now, with their new roles and organisations in their tokens.
    let mut people = BTreeMap::new();
    for who in Who::ALL.into_iter().chain([Who::Programme]) {
        let person = match who.email(&run) {
            None => Person {
                token: None,
                email: "anonymous@intruder.example".into(),
                id: "01900000-0000-7000-8000-0000000fffff".into(),
            },
            Some(email) => {
                let token = match who {
                    Who::Hosting => hosting.clone(),
                    Who::Programme => programme.clone(),
                    _ => api.sign_in(&email),
                };
                let me = api.ok("GET", "/api/me", Some(&token), Body::Empty);
                Person {
                    id: me["id"].as_str().expect("id").to_owned(),
                    email,
                    token: Some(token),
                }
            }
        };
        people.insert(who, person);
    }
    let me_y = api.ok(
        "GET",
        "/api/me",
        people[&Who::YMember].token.as_deref(),
        Body::Empty,
    );
    assert_eq!(
        me_y["organisation"]["id"].as_str(),
        Some(org_y.as_str()),
        "{me_y}"
    );
    let b_admin = people[&Who::BAdmin].token.clone();
    let b_admin = b_admin.as_deref();

    // The call for communes: B is selected (its district is created), and drafts a
    // candidacy to a second campaign.
    let campaign = |title: &str| {
        let body = json!({ "title": title, "text": "Accueillez un quartier d'innovation", "opens_at": rfc3339(unix_now() - 60), "closes_at": "2099-01-31T18:00", "published": true,
            "questions": [{ "id": "why", "label": "Pourquoi ?", "kind": "long_text", "required": true }] });
        api.ok("POST", "/api/campaigns", p, Body::Json(body))["id"]
            .as_str()
            .expect("campaign id")
            .to_owned()
    };
    let campaign_selected = campaign(&format!("AMI 1 {run}"));
    let campaign_draft = campaign(&format!("AMI 2 {run}"));
    let candidacy = |district: &str, secret: &str| {
        json!({ "district_name": district, "perimeter": polygon(), "challenges": [{ "theme": "énergie", "text": format!("Îlots de chaleur {run}") }],
            "partners": [format!("Partenaire local {run}")], "means": format!("Moyens {secret}"), "answers": { "why": format!("Parce que {secret}") } })
    };
    let selected = format!("/api/campaigns/{campaign_selected}/candidacies/{B}");
    api.ok(
        "PUT",
        &selected,
        b_admin,
        Body::Json(candidacy(
            &format!("Quartier public {run}"),
            &mark("selected candidacy (means, answers)"),
        )),
    );
    api.ok("POST", &format!("{selected}/submit"), b_admin, Body::Empty);
    api.ok(
        "POST",
        &format!("{selected}/decision"),
        p,
        Body::Json(json!({ "selected": true, "reason": "Projet solide" })),
    );
    assert_eq!(
        api.ok("GET", &format!("/api/communes/{B}"), None, Body::Empty)["status"],
        "district"
    );
    api.ok("GET", &format!("/api/districts/{B}"), None, Body::Empty);
    let draft_district = format!("Quartier {}", mark("draft candidacy"));
    api.ok(
        "PUT",
        &format!("/api/campaigns/{campaign_draft}/candidacies/{B}"),
        b_admin,
        Body::Json(candidacy(&draft_district, &mark("draft candidacy"))),
    );

    // A person invited into B (an account without a password yet).
    let member = mark("invited member of B");
    let invited_member = qmi_tests::invite::to_commune(
        server,
        b_admin.expect("B's admin"),
        B,
        &format!("{member}@victim.example"),
        "agent",
        Some(&format!("Invitée {member}")),
        PASSWORD,
    )
    .account_id;

    // A pending invitation to join Y, addressed to someone outside every principal
    // of the sweep: nobody else may accept or decline it (its id from Y's list).
    let invitee = format!("cto.{run}@cross-tenant.example");
    let y_token = people[&Who::YMember]
        .token
        .clone()
        .expect("Y's member signed in");
    api.ok(
        "POST",
        &format!("/api/organisations/{org_y}/members"),
        Some(&y_token),
        Body::Json(json!({ "email": invitee })),
    );
    let pending = api.ok(
        "GET",
        &format!("/api/organisations/{org_y}/invitations"),
        Some(&y_token),
        Body::Empty,
    );
    let invitation_y = pending
        .as_array()
        .and_then(|all| all.iter().find(|i| i["email"] == invitee.as_str()))
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("no invitation to Y for {invitee}: {pending}"))
        .to_owned();

    // Issue 12: pending invitations to B, to Y (by link) and to the programme team,
    // and a request to join Y by a partner who signed up.
    let commune_invitation_b = api.ok(
        "POST",
        &format!("/api/communes/{B}/members"),
        b_admin,
        Body::Json(json!({
            "email": format!("{}@victim.example", mark("pending invitation to B")),
            "role": "agent"
        })),
    )["id"]
        .as_str()
        .expect("invitation id")
        .to_owned();
    let invited_to_y = format!("{}@victim.example", mark("pending invitation to Y"));
    api.ok(
        "POST",
        &format!("/api/organisations/{org_y}/members"),
        Some(&y_token),
        Body::Json(json!({ "email": invited_to_y })),
    );
    let listed = api.ok(
        "GET",
        &format!("/api/organisations/{org_y}/invitations"),
        Some(&y_token),
        Body::Empty,
    );
    let org_invitation_y = listed
        .as_array()
        .and_then(|all| all.iter().find(|i| i["email"] == invited_to_y.as_str()))
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("no invitation for {invited_to_y}: {listed}"))
        .to_owned();
    let team_invitation = api.ok(
        "POST",
        "/api/admin/invitations",
        p,
        Body::Json(json!({ "email": format!("equipe.{run}@victim.example") })),
    )["id"]
        .as_str()
        .expect("invitation id")
        .to_owned();
    let requester = format!("{}@victim.example", mark("request to join Y"));
    api.ok(
        "POST",
        "/api/auth/sign-up",
        None,
        Body::Json(json!({ "email": requester, "name": "Demandeur", "password": PASSWORD })),
    );
    let mailbox = server.mailbox();
    let mail = mailbox.wait_for(&requester, |m| m.link("/confirmer/").is_some());
    let confirmed = api.ok(
        "POST",
        "/api/auth/confirm-email",
        None,
        Body::Json(json!({
            "token": qmi_tests::invite::token_of(&mailbox.link_in(&mail, "/confirmer/"))
        })),
    );
    let join_request_y = api.ok(
        "POST",
        &format!("/api/organisations/{org_y}/join-requests"),
        confirmed["access_token"].as_str(),
        Body::Empty,
    )["id"]
        .as_str()
        .expect("join request id")
        .to_owned();

    // B's calls for solutions.
    let call_published = api.ok(
        "POST",
        "/api/calls",
        b_admin,
        Body::Json(call_body(
            &format!("Appel public {run}"),
            "Ouvert à tous",
            true,
        )),
    )["id"]
        .as_str()
        .expect("call id")
        .to_owned();
    let unpublished = mark("unpublished call");
    let call_unpublished = api.ok(
        "POST",
        "/api/calls",
        b_admin,
        Body::Json(call_body(
            &format!("Appel {unpublished}"),
            &format!("Brouillon {unpublished}"),
            false,
        )),
    )["id"]
        .as_str()
        .expect("call id")
        .to_owned();

    // Y's applications, each with an attachment.
    let y = people[&Who::YMember].token.clone();
    let y = y.as_deref();
    let apply = |secret: &str, file_secret: &str, submit: bool| -> (String, String) {
        let body = json!({ "title": format!("Candidature {secret}"), "answers": { "pitch": format!("Notre solution {secret}") } });
        let id = api.ok(
            "POST",
            &format!("/api/calls/{call_published}/applications"),
            y,
            Body::Json(body),
        )["id"]
            .as_str()
            .expect("application id")
            .to_owned();
        let file = api.ok(
            "POST",
            &format!("/api/applications/{id}/attachments"),
            y,
            Body::File("application/pdf", pdf(&format!("Dossier {file_secret}"))),
        );
        let file = file["id"].as_str().expect("attachment id").to_owned();
        let body = json!({ "title": format!("Candidature {secret}"), "answers": { "pitch": format!("Notre solution {secret}"), "deck": file }, "submit": submit });
        api.ok(
            "PUT",
            &format!("/api/applications/{id}"),
            y,
            Body::Json(body),
        );
        (id, file)
    };
    let (app_draft, attachment_draft) =
        apply(&mark("draft application"), &mark("draft attachment"), false);
    let (app_in_review, attachment_in_review) = apply(
        &mark("application in review"),
        &mark("attachment in review"),
        true,
    );
    let (app_decided, attachment_decided) = apply(
        &mark("decided application"),
        &mark("decided attachment"),
        true,
    );

    // Eligibility, review by B's reviewer, a decision that is not published.
    let step = |id: &str, to: &str, reason: Option<String>| {
        api.ok(
            "POST",
            &format!("/api/applications/{id}/transitions"),
            b_admin,
            Body::Json(json!({ "to": to, "reason": reason })),
        );
    };
    for id in [&app_in_review, &app_decided] {
        step(id, "eligible", None);
        step(id, "in_review", None);
    }
    let reviewer = &people[&Who::BReviewer];
    let assigned = api.ok(
        "POST",
        &format!("/api/calls/{call_published}/assignments"),
        b_admin,
        Body::Json(json!({ "reviewers": [reviewer.id], "per_application": 1 })),
    );
    assert_eq!(assigned.as_array().map(Vec::len), Some(2), "{assigned}");
    for (id, comment) in [
        (&app_in_review, mark("review comment (in review)")),
        (&app_decided, mark("review comment (decided)")),
    ] {
        let sheet = json!({ "scores": [{ "criterion": "impact", "score": 4, "comment": format!("Avis {comment}") }, { "criterion": "feasibility", "score": 3, "comment": "" }] });
        api.ok(
            "PUT",
            &format!("/api/applications/{id}/review"),
            reviewer.token.as_deref(),
            Body::Json(sheet),
        );
    }
    step(&app_decided, "shortlisted", None);
    // Decisions follow the call's close (issue 13): closed early, with its reason.
    api.ok(
        "POST",
        &format!("/api/calls/{call_published}/close"),
        b_admin,
        Body::Json(json!({ "reason": "Décider sans attendre" })),
    );
    step(
        &app_decided,
        "selected",
        Some(format!(
            "Retenue car {}",
            mark("unpublished decision reason")
        )),
    );
    let call = api.ok(
        "GET",
        &format!("/api/calls/{call_published}"),
        b_admin,
        Body::Empty,
    );
    assert_eq!(call["decisions_published"], false, "{call}");

    // Y's member has a notice (the receipts of Y's applications).
    let notices = api.ok(
        "GET",
        "/api/notifications",
        people[&Who::YMember].token.as_deref(),
        Body::Empty,
    );
    let notice_y = notices["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("Y's member has no notice: {notices}"))
        .to_owned();

    // A session of Y's member, opened for the sweep: nobody else may sign it out.
    let session_y = api.ok(
        "POST",
        "/api/auth/token",
        None,
        Body::Json(json!({ "email": people[&Who::YMember].email, "password": PASSWORD })),
    )["session_id"]
        .as_str()
        .expect("session_id")
        .to_owned();

    // The experiment's holder: a third organisation, Z, whose selected application
    // (title and name public once the decisions are published) Y joins as a partner.
    let org_z = new_org(&format!("Organisation Z {run}"), &format!("z{run}"));
    // B's private note on Y, and a programme note on Y (issue 16).
    let note_b = api.ok(
        "POST",
        &format!("/api/organisations/{org_y}/notes/{B}"),
        b_admin,
        Body::Json(json!({ "text": format!("Note de B : {}", mark("B's note on Y")) })),
    )["id"]
        .as_str()
        .expect("note id")
        .to_owned();
    let programme_note = api.ok(
        "POST",
        &format!("/api/organisations/{org_y}/programme-notes"),
        p,
        Body::Json(json!({ "text": "Note du programme" })),
    )["id"]
        .as_str()
        .expect("programme note id")
        .to_owned();
    let z_email = format!("z-member.{run}@cross-tenant.example");
    qmi_tests::invite::to_organisation(
        server,
        &programme,
        &org_z,
        &z_email,
        Some("Partenaire Z"),
        PASSWORD,
    );
    let z = api.sign_in(&z_email);
    let ex = build_experiment(
        api,
        Holders {
            b_admin,
            z: Some(&z),
            y,
            programme: p,
            org_y: &org_y,
        },
        &mark("experiment record"),
        &mark("residents' feedback"),
    );

    World {
        org_dup,
        note_b,
        programme_note,
        app_experiment: ex.application,
        experiment: ex.id,
        site: ex.site,
        document: ex.document,
        milestone: ex.milestone,
        indicator: ex.indicator,
        feedback: ex.feedback,
        programme,
        people,
        b_name,
        org_x,
        org_y,
        campaign_selected,
        campaign_draft,
        call_published,
        call_unpublished,
        app_draft,
        app_in_review,
        app_decided,
        attachment_draft,
        attachment_in_review,
        attachment_decided,
        invited_member,
        invitation_y,
        commune_invitation_b,
        org_invitation_y,
        team_invitation,
        join_request_y,
        session_y,
        notice_y,
        markers,
    }
}

/// The experiment of the world and its records' ids.
struct BuiltExperiment {
    application: String,
    id: String,
    site: String,
    document: String,
    milestone: String,
    indicator: String,
    feedback: String,
}

/// Who builds the experiment: B's admin runs it, Z's member holds it, the
/// programme operator adds Y to its consortium, Y's member reports.
struct Holders<'a> {
    b_admin: Option<&'a str>,
    z: Option<&'a str>,
    y: Option<&'a str>,
    programme: Option<&'a str>,
    org_y: &'a str,
}

/// B's third call, Z's application to it selected and the decision published, the
/// experiment it became (issue 15) with Y in its consortium, a site, a document, a
/// milestone, an indicator measured, a report, and a resident's feedback left while
/// it was briefly published. `record` marks what its followers see of its records,
/// `said` the feedback (its moderators').
fn build_experiment(api: &Api, h: Holders<'_>, record: &str, said: &str) -> BuiltExperiment {
    let (b_admin, y) = (h.b_admin, h.y);
    let mut body = call_body("Appel à expérimenter", "Pour une expérimentation", true);
    body["signatory"] = json!({ "name": "Marie Dupont", "role": "Maire adjointe" });
    let call = api.ok("POST", "/api/calls", b_admin, Body::Json(body))["id"]
        .as_str()
        .expect("call id")
        .to_owned();
    let answers =
        json!({ "title": "Expérimentation des cours", "answers": { "pitch": "Des arbres" } });
    let app = api.ok(
        "POST",
        &format!("/api/calls/{call}/applications"),
        h.z,
        Body::Json(answers.clone()),
    )["id"]
        .as_str()
        .expect("application id")
        .to_owned();
    let mut submitted = answers;
    submitted["submit"] = json!(true);
    api.ok(
        "PUT",
        &format!("/api/applications/{app}"),
        h.z,
        Body::Json(submitted),
    );
    for to in ["eligible", "in_review", "shortlisted"] {
        api.ok(
            "POST",
            &format!("/api/applications/{app}/transitions"),
            b_admin,
            Body::Json(json!({ "to": to })),
        );
    }
    api.ok(
        "POST",
        &format!("/api/calls/{call}/close"),
        b_admin,
        Body::Json(json!({ "reason": "Décider" })),
    );
    api.ok(
        "POST",
        &format!("/api/applications/{app}/transitions"),
        b_admin,
        Body::Json(json!({ "to": "selected", "reason": "Retenue par le jury" })),
    );
    api.ok(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        b_admin,
        Body::Empty,
    );
    let created = api.ok(
        "POST",
        &format!("/api/experiments/communes/{B}"),
        b_admin,
        Body::Json(json!({ "application_id": app, "starts_on": "2026-01-15" })),
    );
    let id = created["id"].as_str().expect("experiment id").to_owned();
    let path = format!("/api/experiments/{id}");
    let details = |published: bool| {
        json!({ "title": "Expérimentation des cours", "summary": format!("Résumé {record}"), "themes": ["Énergie"],
                "starts_on": "2026-01-15", "ends_on": "2027-07-15", "report_every_months": 1, "published": published })
    };
    api.ok("PUT", &path, b_admin, Body::Json(details(false)));
    api.ok(
        "POST",
        &format!("{path}/partners"),
        h.programme,
        Body::Json(json!({ "organisation_id": h.org_y })),
    );
    let id_of = |v: Value| v["id"].as_str().expect("id").to_owned();
    let site = id_of(api.ok(
        "POST",
        &format!("{path}/sites"),
        b_admin,
        Body::Json(
            json!({ "name": format!("Cour {record}"), "point": { "lon": 5.37, "lat": 43.29 } }),
        ),
    ));
    let document = id_of(api.ok(
        "POST",
        &format!("{path}/documents?kind=agreement&name=convention.pdf"),
        b_admin,
        Body::File("application/pdf", pdf(&format!("Convention {record}"))),
    ));
    let milestone = id_of(api.ok(
        "POST",
        &format!("{path}/milestones"),
        b_admin,
        Body::Json(json!({ "title": format!("Jalon {record}"), "planned_on": "2026-03-01" })),
    ));
    let indicator = id_of(api.ok(
        "POST",
        &format!("{path}/indicators"),
        b_admin,
        Body::Json(json!({ "name": format!("Mesure {record}"), "baseline": 1, "target": 2, "direction": "higher", "public": true })),
    ));
    api.ok(
        "POST",
        &format!("{path}/indicators/{indicator}/measurements"),
        y,
        Body::Json(
            json!({ "on": "2026-02-01", "value": 1.5, "comment": format!("Relevé {record}") }),
        ),
    );
    api.ok(
        "PUT",
        &format!("{path}/reports/2026-01-15"),
        y,
        Body::Json(json!({ "text": format!("Rapport {record}") })),
    );
    // Published for a moment: a resident's feedback, then back to the followers only.
    api.ok("PUT", &path, b_admin, Body::Json(details(true)));
    api.ok(
        "POST",
        &format!("{path}/feedback"),
        None,
        Body::Json(json!({ "text": format!("Avis {said}"), "rating": 4 })),
    );
    api.ok("PUT", &path, b_admin, Body::Json(details(false)));
    let feedback = api.ok("GET", &format!("{path}/feedback"), b_admin, Body::Empty);
    let feedback = feedback[0]["id"].as_str().expect("feedback id").to_owned();
    BuiltExperiment {
        application: app,
        id,
        site,
        document,
        milestone,
        indicator,
        feedback,
    }
}

// ---------------------------------------------------------------- paths

/// `(name, key)` of each path parameter of a template: the key is the literal segments
/// before it (after `/api/`) and its name, e.g. `campaigns/candidacies:insee`.
fn param_keys(template: &str) -> Vec<(String, String)> {
    let mut literals: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for seg in template.trim_start_matches("/api/").split('/') {
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => out.push((name.to_owned(), format!("{}:{name}", literals.join("/")))),
            None => literals.push(seg),
        }
    }
    out
}

/// The distinct paths of `route` filled with the victims' ids, or why it cannot be.
fn fill(
    route: &RouteDoc,
    contexts: &[BTreeMap<&'static str, String>],
) -> Result<Vec<String>, String> {
    let keys = param_keys(route.path);
    let mut paths: Vec<String> = Vec::new();
    for ctx in contexts {
        let mut path = route.path.to_owned();
        for (name, key) in &keys {
            let value = ctx.get(key.as_str()).or_else(|| contexts[0].get(key.as_str())).ok_or_else(|| {
                let known: Vec<&str> = contexts[0].keys().copied().collect();
                format!(
                    "no victim id for the path parameter `{{{name}}}` (key `{key}`) of {} {}: give World::contexts in tests/tests/cross_tenant.rs a victim for it (known keys: {})",
                    route.method,
                    route.path,
                    known.join(", ")
                )
            })?;
            path = path.replacen(&format!("{{{name}}}"), value, 1);
        }
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    Ok(paths)
}

/// For a route with documented filters: one more request whose filters aim at B.
fn query_variant(route: &RouteDoc, path: &str, w: &World) -> Option<String> {
    let mut aimed = false;
    let mut pairs = Vec::new();
    for q in route.query {
        let value = match q.name {
            "commune" | "insee" => B.to_owned(),
            "managed" => "true".to_owned(),
            "departement" => B[..2].to_owned(),
            "q" => w.b_name.split(' ').next().unwrap_or_default().to_owned(),
            "limit" => "500".to_owned(),
            _ => continue,
        };
        aimed |= q.name != "limit";
        pairs.push(format!("{}={value}", q.name));
    }
    aimed.then(|| format!("{path}?{}", pairs.join("&")))
}

// ---------------------------------------------------------------- request bodies

/// What a body is built from.
struct BodyCx<'a> {
    w: &'a World,
    who: Who,
    me: &'a Person,
}

type BodyFn = fn(&BodyCx) -> Body;

/// Plausible bodies of the catalogue's writes, as an outsider would send them to the
/// victims. A write route missing here gets a body derived from its request schema.
const BODIES: &[(&str, BodyFn)] = &[
    // Guessing the victim admin's password (a few failures: no lock-out).
    ("createToken", |c| {
        Body::Json(
            json!({ "email": c.w.person(Who::BAdmin).email, "password": "guessed-password-123" }),
        )
    }),
    ("refreshToken", |_| {
        Body::Json(json!({ "refresh_token": "guessed-refresh-token" }))
    }),
    ("logout", |_| {
        Body::Json(json!({ "refresh_token": "guessed-refresh-token" }))
    }),
    // Signing up with the victim admin's address: the same 202 as for any address,
    // nothing changes (its owner is written to); guessed links.
    ("signUp", |c| {
        Body::Json(
            json!({ "email": c.w.person(Who::BAdmin).email, "name": "Intrus", "password": "a guessed new password" }),
        )
    }),
    ("confirmEmail", |_| {
        Body::Json(json!({ "token": "guessed-confirmation-token" }))
    }),
    ("acceptInvitationLink", |_| {
        Body::Json(json!({ "name": "Intrus", "password": "a guessed new password" }))
    }),
    ("inviteToProgramme", |c| {
        Body::Json(json!({ "email": c.me.email }))
    }),
    // A reset link for the victim admin (the same 202 for any address; the link
    // goes to its owner), and a guessed one.
    ("requestPasswordReset", |c| {
        Body::Json(json!({ "email": c.w.person(Who::BAdmin).email }))
    }),
    ("confirmPasswordReset", |_| {
        Body::Json(json!({ "token": "guessed-reset-token", "password": "a guessed new password" }))
    }),
    // A wrong current password (one failure per account: below sign-in's lock-out).
    ("changePassword", |_| {
        Body::Json(
            json!({ "current_password": "guessed-password-123", "new_password": "a guessed new password" }),
        )
    }),
    // Erasing one's own account with a wrong password (one failure per account:
    // below sign-in's lock-out): refused for everyone, nobody is erased mid-sweep.
    ("deleteMe", |_| {
        Body::Json(json!({ "password": "guessed-password-123" }))
    }),
    // Taking the victim admin's address: accepted, never applied (nothing is sent).
    ("changeEmail", |c| {
        Body::Json(json!({ "email": c.w.person(Who::BAdmin).email, "password": PASSWORD }))
    }),
    ("addMember", |c| {
        Body::Json(json!({ "email": c.me.email, "role": "admin", "name": "Intrus" }))
    }),
    ("createCommune", |_| {
        Body::Json(json!({ "insee": B, "name": "Commune détournée", "status": "member" }))
    }),
    ("createOrganisation", |_| {
        Body::Json(json!({ "name": "Organisation intruse", "kind": "startup", "country": "DE" }))
    }),
    // Issue 16: the directory, its curation and the notes.
    ("registerOrganisation", |c| {
        Body::Json(json!({ "id": c.w.org_y }))
    }),
    ("absorbOrganisation", |c| {
        Body::Json(json!({ "from": c.w.org_dup }))
    }),
    ("absorbOrganisationApplications", |c| {
        Body::Json(json!({ "from": c.w.org_dup }))
    }),
    ("absorbOrganisationExperiments", |c| {
        Body::Json(json!({ "from": c.w.org_dup }))
    }),
    ("mergeOrganisation", |c| {
        Body::Json(json!({ "duplicate_id": c.w.org_dup }))
    }),
    ("putLogo", |_| Body::File("image/png", PNG_1X1.to_vec())),
    ("addNote", |_| Body::Json(json!({ "text": "Note intruse" }))),
    ("editNote", |_| {
        Body::Json(json!({ "text": "Note détournée" }))
    }),
    ("addProgrammeNote", |_| {
        Body::Json(json!({ "text": "Note intruse" }))
    }),
    ("editProgrammeNote", |_| {
        Body::Json(json!({ "text": "Note détournée" }))
    }),
    ("updateOrganisation", |_| {
        Body::Json(json!({ "name": "Organisation détournée" }))
    }),
    ("addOrganisationMember", |c| {
        Body::Json(json!({ "email": c.me.email }))
    }),
    ("setCommuneStatus", |_| {
        Body::Json(json!({ "status": "candidate" }))
    }),
    ("createCampaign", |_| {
        Body::Json(
            json!({ "title": "Campagne intruse", "text": "", "opens_at": "2026-01-01T00:00", "closes_at": "2099-01-01T00:00", "questions": [], "published": true }),
        )
    }),
    ("updateCampaign", |_| {
        Body::Json(
            json!({ "title": "Campagne détournée", "text": "", "opens_at": "2026-01-01T00:00", "closes_at": "2099-01-01T00:00", "questions": [], "published": false }),
        )
    }),
    ("saveCandidacy", |_| {
        Body::Json(
            json!({ "district_name": "Quartier détourné", "perimeter": polygon(), "challenges": [], "partners": [], "means": "intrus", "answers": { "why": "intrus" } }),
        )
    }),
    ("decideCandidacy", |_| {
        Body::Json(json!({ "selected": false, "reason": "Rejet par un intrus" }))
    }),
    ("createCall", |_| {
        Body::Json(call_body("Appel intrus", "Créé par un intrus", true))
    }),
    ("updateCall", |_| {
        Body::Json(call_body("Appel détourné", "Modifié par un intrus", true))
    }),
    ("createApplication", |_| {
        Body::Json(json!({ "title": "Candidature intruse", "answers": { "pitch": "intrus" } }))
    }),
    // An outsider makes themselves a juror; an owner assigns B's reviewer.
    ("assignReviewers", |c| {
        let reviewer = if c.who.outsider() {
            &c.me.id
        } else {
            &c.w.person(Who::BReviewer).id
        };
        Body::Json(json!({ "reviewers": [reviewer], "per_application": 1 }))
    }),
    ("saveApplication", |_| {
        Body::Json(json!({ "title": "Candidature détournée", "answers": { "pitch": "détournée" } }))
    }),
    ("transitionApplication", |_| {
        Body::Json(json!({ "to": "rejected", "reason": "Rejet par un intrus" }))
    }),
    ("uploadAttachment", |_| {
        Body::File("application/pdf", pdf("fichier intrus"))
    }),
    ("declareConflict", |_| {
        Body::Json(json!({ "reason": "intrus" }))
    }),
    ("saveReview", |_| {
        Body::Json(
            json!({ "scores": [{ "criterion": "impact", "score": 0, "comment": "intrus" }, { "criterion": "feasibility", "score": 0, "comment": "intrus" }] }),
        )
    }),
    ("createDistrict", |_| {
        Body::Json(
            json!({ "insee": B, "name": "Quartier détourné", "perimeter": polygon(), "description": "intrus", "challenges": [], "sites": [], "stakeholders": [] }),
        )
    }),
    ("putNotificationPreferences", |_| {
        Body::Json(json!({ "email": ["receipts", "decisions"] }))
    }),
    ("createExperiment", |c| {
        Body::Json(json!({ "application_id": c.w.app_experiment }))
    }),
    ("updateExperiment", |_| {
        Body::Json(
            json!({ "title": "Expérimentation détournée", "summary": "intrus", "themes": [], "starts_on": "2026-01-15", "ends_on": "2027-07-15", "report_every_months": 1, "published": false }),
        )
    }),
    ("moveExperiment", |_| {
        Body::Json(json!({ "to": "suspended", "reason": "Suspendue par un intrus" }))
    }),
    ("addPartner", |c| {
        Body::Json(json!({ "organisation_id": c.w.org_x }))
    }),
    ("addSite", |_| {
        Body::Json(json!({ "name": "Site intrus", "point": { "lon": 5.0, "lat": 43.0 } }))
    }),
    ("uploadDocument", |_| {
        Body::File("application/pdf", pdf("document intrus"))
    }),
    ("addMilestone", |_| {
        Body::Json(json!({ "title": "Jalon intrus", "planned_on": "2026-06-01" }))
    }),
    ("markMilestone", |_| {
        Body::Json(json!({ "done_on": "2026-02-01", "evidence": "intrus" }))
    }),
    ("addIndicator", |_| {
        Body::Json(
            json!({ "name": "Indicateur intrus", "baseline": 0, "target": 1, "direction": "higher" }),
        )
    }),
    ("addMeasurement", |_| {
        Body::Json(json!({ "on": "2026-02-02", "value": 9, "comment": "intrus" }))
    }),
    ("importMeasurements", |c| {
        Body::File(
            "text/csv",
            format!(
                "indicator,date,value,comment,source\n{},2026-02-03,9,intrus,intrus\n",
                c.w.indicator
            )
            .into_bytes(),
        )
    }),
    ("sendReport", |_| {
        Body::Json(json!({ "text": "Rapport intrus" }))
    }),
    ("giveFeedback", |_| {
        Body::Json(json!({ "text": "Avis intrus", "rating": 1 }))
    }),
    ("moderateFeedback", |_| {
        Body::Json(json!({ "publish": false, "reason": "Rejet par un intrus" }))
    }),
    ("saveGrid", |_| {
        Body::Json(json!({ "scores": [
            { "axis": "efficiency", "score": 0 }, { "axis": "feasibility", "score": 0 },
            { "axis": "sustainability", "score": 0 }, { "axis": "scalability", "score": 0 }
        ] }))
    }),
    ("saveHolderEvaluation", |_| {
        Body::Json(json!({ "protocol": "intrus", "final_report": "intrus" }))
    }),
    ("recordOutcome", |_| {
        Body::Json(json!({ "outcome": "stopped", "reason": "intrus" }))
    }),
    ("spreadExperiment", |_| Body::Json(json!({ "insee": A }))),
    ("updateDistrict", |_| {
        Body::Json(
            json!({ "insee": B, "name": "Quartier détourné", "perimeter": polygon(), "description": "intrus", "challenges": [], "sites": [], "stakeholders": [] }),
        )
    }),
];

/// The body of a request: none for a route without a request schema, the table's, or
/// one derived from the route's request schema in the OpenAPI document.
fn body_for(route: &RouteDoc, cx: &BodyCx, openapi: &Value) -> Body {
    if route.request.is_none() {
        return Body::Empty;
    }
    if let Some((_, f)) = BODIES.iter().find(|(id, _)| *id == route.id()) {
        return f(cx);
    }
    let content =
        &openapi["paths"][route.path][route.method.to_ascii_lowercase()]["requestBody"]["content"];
    match content.get("application/json") {
        Some(media) => Body::Json(example(&media["schema"], openapi, cx, None, 0)),
        // A file: a PDF, which every upload takes.
        None => Body::File("application/pdf", pdf("fichier intrus")),
    }
}

/// A value fitting `schema` (references resolved in `doc`), aimed at the victims where
/// a field names a commune or a person.
fn example(schema: &Value, doc: &Value, cx: &BodyCx, field: Option<&str>, depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    match field {
        Some("insee") => return json!(B),
        Some("email") => return json!(cx.me.email),
        _ => {}
    }
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        return example(
            &doc["components"]["schemas"][name],
            doc,
            cx,
            field,
            depth + 1,
        );
    }
    if let Some(v) = schema["enum"].as_array().and_then(|e| e.first()) {
        return v.clone();
    }
    if let Some(v) = schema.get("const") {
        return v.clone();
    }
    for k in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[k]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["type"] != "null"))
        {
            return example(first, doc, cx, field, depth + 1);
        }
    }
    let ty = match &schema["type"] {
        Value::String(s) => s.as_str(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, s) in props {
                    out.insert(k.clone(), example(s, doc, cx, Some(k), depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => json!([example(&schema["items"], doc, cx, None, depth + 1)]),
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ if schema["format"] == "date-time" || field.is_some_and(|f| f.ends_with("_at")) => {
            json!("2099-01-01T00:00")
        }
        _ => json!("intrusion"),
    }
}

/// Why an outsider's accepted write is their own business, not the victims'.
fn legit_write(route: &RouteDoc, who: Who, path: &str, w: &World) -> Option<&'static str> {
    match route.id() {
        "createToken" | "refreshToken" | "logout" => Some("a session of one's own"),
        "createOrganisation" => Some("an organisation of one's own"),
        "signUp" => Some("the same answer for any address; nothing changes on a taken one"),
        "createJoinRequest" => Some("asking to join: Y's members decide"),
        "updateMe" | "changeEmail" => Some("one's own account (a taken address is never applied)"),
        "requestPasswordReset" => {
            Some("the same answer for any address; the link goes to its owner")
        }
        "readAllNotifications" | "putNotificationPreferences" => {
            Some("one's own notices and e-mail preferences")
        }
        "createApplication" if who == Who::XMember && path.contains(&w.call_published) => {
            Some("X applies to B's published call")
        }
        _ if who == Who::Hosting && route.auth == Auth::Operator => {
            Some("the hosting operator manages tenants")
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- findings

/// One finding.
struct Violation {
    kind: &'static str,
    route: String,
    method: String,
    path: String,
    who: String,
    status: String,
    excerpt: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {} {} {} | {} | {} | {}",
            self.kind, self.route, self.method, self.path, self.who, self.status, self.excerpt
        )
    }
}

/// `text` around byte `at`, on one line.
fn excerpt(text: &str, at: usize, width: usize) -> String {
    let mut start = at.saturating_sub(width / 2);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + width).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text[start..end].replace(['\n', '\r'], " ")
}

/// Whether a ZIP archive (an XLSX export) stores an entry compressed, where a marker
/// could hide from a byte search.
fn compressed_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && bytes.windows(4).enumerate().any(|(i, w)| {
            w == b"PK\x03\x04" && bytes.get(i + 8..i + 10).is_some_and(|m| m != [0, 0])
        })
}

// ---------------------------------------------------------------- snapshots

/// The victims' records as their owners read them, label → status and normalised body.
fn snapshot(api: &Api, w: &World) -> BTreeMap<String, String> {
    let b_admin = w.token(Who::BAdmin);
    let y = w.token(Who::YMember);
    let mut reads: Vec<(String, Option<&str>, String)> = vec![
        (
            "B's members".into(),
            b_admin,
            format!("/api/communes/{B}/members?limit=500"),
        ),
        (
            "B's candidacies".into(),
            b_admin,
            format!("/api/candidacies/{B}"),
        ),
        (
            "B's district".into(),
            b_admin,
            format!("/api/districts/{B}"),
        ),
        (
            "submitted candidacies".into(),
            Some(&w.programme),
            format!("/api/campaigns/{}/candidacies", w.campaign_selected),
        ),
        (
            "organisation Y".into(),
            y,
            format!("/api/organisations/{}", w.org_y),
        ),
        (
            "Y's members".into(),
            y,
            format!("/api/organisations/{}/members", w.org_y),
        ),
        (
            "Y's applications".into(),
            y,
            "/api/applications?limit=500".into(),
        ),
        (
            "B's reviewer's assignments".into(),
            w.token(Who::BReviewer),
            "/api/reviews".into(),
        ),
    ];
    for (what, path) in [
        ("experiment", ""),
        ("experiment's follow-up", "/followed"),
        ("experiment's evaluation", "/evaluation"),
        ("experiment's timeline", "/timeline"),
    ] {
        reads.push((
            what.into(),
            b_admin,
            format!("/api/experiments/{}{path}", w.experiment),
        ));
    }
    for campaign in [&w.campaign_selected, &w.campaign_draft] {
        reads.push((
            format!("B's candidacy to {campaign}"),
            b_admin,
            format!("/api/campaigns/{campaign}/candidacies/{B}"),
        ));
    }
    for call in [&w.call_published, &w.call_unpublished] {
        reads.push((
            format!("call {call}"),
            b_admin,
            format!("/api/calls/{call}"),
        ));
        reads.push((
            format!("applications to {call}"),
            b_admin,
            format!("/api/calls/{call}/applications?limit=500"),
        ));
        reads.push((
            format!("assignments of {call}"),
            b_admin,
            format!("/api/calls/{call}/assignments"),
        ));
    }
    for (app, file) in [
        (&w.app_draft, &w.attachment_draft),
        (&w.app_in_review, &w.attachment_in_review),
        (&w.app_decided, &w.attachment_decided),
    ] {
        reads.push((
            format!("application {app}"),
            y,
            format!("/api/applications/{app}"),
        ));
        reads.push((
            format!("attachment {file}"),
            y,
            format!("/api/applications/{app}/attachments/{file}"),
        ));
        reads.push((
            format!("reviews of {app}"),
            b_admin,
            format!("/api/applications/{app}/reviews"),
        ));
        reads.push((
            format!("letter of {app}"),
            b_admin,
            format!("/api/applications/{app}/letter"),
        ));
    }
    reads
        .into_iter()
        .map(|(label, token, path)| {
            let value = match api.send("GET", &path, token, &Body::Empty) {
                Err(e) => format!("{path}: {e}"),
                Ok(res) => {
                    let body = match serde_json::from_slice::<Value>(&res.bytes) {
                        Ok(v) => without_org(v, &w.org_x).to_string(),
                        Err(_) => res.text(),
                    };
                    format!("{} {body}", res.status)
                }
            };
            (label, value)
        })
        .collect()
}

/// A listing without the items of organisation `org` (X's own applications to B's
/// published call are X's business).
fn without_org(mut v: Value, org: &str) -> Value {
    let keep = |item: &Value| item["organisation"] != org;
    if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) {
        items.retain(keep);
    } else if let Some(items) = v.as_array_mut() {
        items.retain(keep);
    }
    v
}

/// Compares `now` with `before` and reports each record that changed.
fn compare(
    before: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
    blame: &str,
    out: &mut Vec<Violation>,
) {
    for (label, old) in before {
        let new = now.get(label).map(String::as_str).unwrap_or("<missing>");
        if old != new {
            out.push(Violation {
                kind: "victim data changed",
                route: blame.to_owned(),
                method: "-".into(),
                path: label.clone(),
                who: "-".into(),
                status: "-".into(),
                excerpt: format!(
                    "before: {} | after: {}",
                    excerpt(old, 0, 400),
                    excerpt(new, 0, 400)
                ),
            });
        }
    }
}

/// Puts B back in the registry as a district after an operator's legitimate
/// suspension or status change, so the sweep goes on against the same victim.
fn restore_registry(api: &Api, w: &World) -> Result<(), String> {
    let send =
        |method: &str, path: &str, token: Option<&str>, body: Body| -> Result<Value, String> {
            let res = api.send(method, path, token, &body)?;
            if res.ok() {
                Ok(res.json())
            } else {
                Err(format!(
                    "{method} {path} answered {}: {}",
                    res.status,
                    excerpt(&res.text(), 0, 300)
                ))
            }
        };
    let commune = format!("/api/communes/{B}");
    if send("GET", &commune, None, Body::Empty)?["status"] == "suspended" {
        send(
            "POST",
            &format!("/api/admin/communes/{B}/resume"),
            Some(&w.programme),
            Body::Empty,
        )?;
    }
    if send("GET", &commune, None, Body::Empty)?["status"] != "district" {
        send(
            "PUT",
            &format!("/api/admin/communes/{B}/status"),
            Some(&w.programme),
            Body::Json(json!({ "status": "district" })),
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------- the sweep

/// The phases of the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Outsiders send every route, insiders read: isolation is checked.
    Isolation,
    /// B suspended by the hosting operator: everyone reads, B's people and Y's member
    /// write to B's records; nothing private of B may come out, nothing may change.
    Suspended,
    /// Then the owners (and the programme operator) write on the same paths: answers
    /// are checked (no 5xx), and that each write body is one the services accept from
    /// someone entitled to it.
    OwnersWrite,
}

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Phase::Isolation => "isolation",
            Phase::Suspended => "B suspended",
            Phase::OwnersWrite => "owners' writes",
        }
    }
}

/// What the sweep gathered.
#[derive(Default)]
struct Sweep {
    violations: Vec<Violation>,
    /// Marker → who of its audience read it.
    seen: BTreeMap<&'static str, BTreeSet<Who>>,
    /// Phase → route id → principal → the statuses it got.
    statuses: BTreeMap<Phase, BTreeMap<&'static str, BTreeMap<Who, Vec<u16>>>>,
}

/// A finding not tied to one request.
fn finding(kind: &'static str, route: &str, excerpt: String) -> Violation {
    Violation {
        kind,
        route: route.to_owned(),
        method: "-".into(),
        path: "-".into(),
        who: "-".into(),
        status: "-".into(),
        excerpt,
    }
}

/// The body `who` sends to `route` (none for a read).
fn request_body(route: &RouteDoc, who: Who, w: &World, openapi: &Value) -> Body {
    if route.method == "GET" {
        Body::Empty
    } else {
        body_for(
            route,
            &BodyCx {
                w,
                who,
                me: w.person(who),
            },
            openapi,
        )
    }
}

/// Whether a write aims at B's records (by its path or its body).
fn touches_b(path: &str, body: &Body, w: &World) -> bool {
    let ids = [
        B,
        &w.call_published,
        &w.call_unpublished,
        &w.app_draft,
        &w.app_in_review,
        &w.app_decided,
    ];
    ids.iter().any(|id| path.contains(*id))
        || matches!(body, Body::Json(v) if v.to_string().contains(B))
}

/// Sends one request of the sweep and checks its answer.
#[allow(clippy::too_many_arguments)]
fn probe(
    api: &Api,
    w: &World,
    route: &'static RouteDoc,
    path: &str,
    who: Who,
    body: &Body,
    phase: Phase,
    out: &mut Sweep,
) -> Option<Res> {
    let write = route.method != "GET";
    let violation = |kind: &'static str, status: String, excerpt: String| Violation {
        kind,
        route: route.id().into(),
        method: route.method.into(),
        path: path.to_owned(),
        who: who.label().into(),
        status,
        excerpt,
    };
    let res = match api.send(route.method, path, w.token(who), body) {
        Ok(res) => res,
        Err(e) => {
            out.violations.push(violation("no answer", "-".into(), e));
            return None;
        }
    };
    out.statuses
        .entry(phase)
        .or_default()
        .entry(route.id())
        .or_default()
        .entry(who)
        .or_default()
        .push(res.status);
    if res.status >= 500 {
        out.violations.push(violation(
            "5xx",
            res.status.to_string(),
            excerpt(&res.text(), 0, 300),
        ));
    }
    if phase == Phase::OwnersWrite {
        return Some(res);
    }
    let text = format!("{}\n{}", res.headers, res.text());
    if compressed_zip(&res.bytes) {
        out.violations.push(violation(
            "uninspectable",
            res.status.to_string(),
            "a compressed archive: markers cannot be searched in it".into(),
        ));
    }
    for marker in &w.markers {
        let Some(at) = text.find(&marker.text) else {
            continue;
        };
        let audience = if phase == Phase::Suspended {
            marker.frozen
        } else {
            marker.audience
        };
        if !audience.contains(&who) {
            let kind = if phase == Phase::Suspended {
                "read while B is suspended"
            } else {
                "leak"
            };
            out.violations.push(violation(
                kind,
                res.status.to_string(),
                format!("{}: …{}…", marker.what, excerpt(&text, at, 240)),
            ));
        } else if phase == Phase::Isolation {
            out.seen.entry(marker.what).or_default().insert(who);
        }
    }
    if write && res.ok() {
        if phase == Phase::Suspended {
            out.violations.push(violation(
                "write accepted while B is suspended",
                res.status.to_string(),
                excerpt(&res.text(), 0, 300),
            ));
        } else if who.outsider() && legit_write(route, who, path, w).is_none() {
            out.violations.push(violation(
                "outsider write accepted",
                res.status.to_string(),
                excerpt(&res.text(), 0, 300),
            ));
        }
    }
    Some(res)
}

#[test]
fn no_route_lets_another_tenant_or_organisation_read_or_change_the_victims_records() {
    let server = app::serve(
        &[
            "web",
            "identity",
            "applications",
            "districts",
            "experiments",
        ],
        PASSWORD,
    );
    let api = Api::new(&server);
    let w = build_world(&api, &server);
    let openapi = qmi_api::routes::openapi();
    let contexts = w.contexts();
    let mut out = Sweep::default();

    // The body table names only catalogued routes.
    for (id, _) in BODIES {
        if !ROUTES.iter().any(|r| r.id() == *id) {
            out.violations.push(finding(
                "stale body table",
                id,
                "BODIES names a route the catalogue no longer has".into(),
            ));
        }
    }

    // Every route, with the victims' ids filled in (and, for a listing with filters, a
    // second request whose filters aim at B).
    let mut plan: Vec<(&'static RouteDoc, Vec<String>)> = Vec::new();
    for route in ROUTES {
        match fill(route, &contexts) {
            Ok(mut paths) => {
                if route.method == "GET" {
                    let variants: Vec<String> = paths
                        .iter()
                        .filter_map(|p| query_variant(route, p, &w))
                        .collect();
                    paths.extend(variants);
                }
                plan.push((route, paths));
            }
            Err(why) => out.violations.push(Violation {
                method: route.method.into(),
                path: route.path.into(),
                ..finding("route not covered", route.id(), why)
            }),
        }
    }

    // The internal routes (`/internal/<component>/…`, outside the catalogue and the
    // gateway) answer only the components' shared token: no person's token, whoever
    // holds it, reads B's organisations or records anything in B's commune.
    let mut internal: Vec<(&str, String, Body)> = vec![
        (
            "GET",
            format!("/internal/partners/cards?ids={}", w.org_y),
            Body::Empty,
        ),
        (
            "POST",
            "/internal/partners/presence".into(),
            Body::Json(json!({"organisation_id": w.org_y, "insee": B, "source": "application"})),
        ),
        (
            "POST",
            "/internal/notifications/deposit".into(),
            Body::Json(json!({"envelopes": []})),
        ),
    ];
    // A person's data (issue 18): nobody reads or erases Y's member through them.
    let y = w.person(Who::YMember);
    for (service, _) in qmi_api::internal::PERSONAL {
        internal.push((
            "GET",
            format!(
                "/internal/{service}/export?account={}&organisation={}",
                y.id, w.org_y
            ),
            Body::Empty,
        ));
        internal.push((
            "POST",
            format!("/internal/{service}/erase"),
            Body::Json(json!({ "account": y.id, "tombstone": "compte-supprime-intrus" })),
        ));
    }
    // The audit chains and usage counts (issue 18): B's trail and every
    // commune's counts, never to a person's token.
    for target in qmi_api::internal::AUDITED {
        internal.push((
            "GET",
            format!("{}/audit?insee={B}", target.prefix),
            Body::Empty,
        ));
        internal.push(("GET", format!("{}/usage", target.prefix), Body::Empty));
    }
    let who_all = std::iter::once(Who::Programme).chain(Who::ALL);
    for who in who_all {
        for (method, path, body) in &internal {
            match api.send(method, path, w.token(who), body) {
                Ok(res) if res.status == 401 => {}
                Ok(res) => out.violations.push(Violation {
                    method: (*method).into(),
                    path: path.clone(),
                    who: who.label().into(),
                    status: res.status.to_string(),
                    ..finding("internal route open to a person", path, res.text())
                }),
                Err(e) => out.violations.push(finding("no answer", path, e)),
            }
        }
    }

    // Phase 1: isolation.
    let started = api.sent.get();
    let mut baseline = snapshot(&api, &w);
    for (route, paths) in &plan {
        let write = route.method != "GET";
        let mut accepted: Vec<String> = Vec::new();
        for path in paths {
            // Insiders only read here: their writes would move the ground the
            // outsiders are tested on (they write in phase 3).
            for who in Who::ALL.into_iter().filter(|who| !write || who.outsider()) {
                let body = request_body(route, who, &w, &openapi);
                let Some(res) = probe(
                    &api,
                    &w,
                    route,
                    path,
                    who,
                    &body,
                    Phase::Isolation,
                    &mut out,
                ) else {
                    continue;
                };
                if write && res.ok() {
                    accepted.push(format!("{} ({path})", who.label()));
                    if route.path.starts_with("/api/admin/")
                        && let Err(e) = restore_registry(&api, &w)
                    {
                        out.violations.push(Violation {
                            path: path.clone(),
                            who: who.label().into(),
                            ..finding("cannot restore B", route.id(), e)
                        });
                    }
                }
            }
        }
        if !accepted.is_empty() {
            // Accepted writes: did any touch the victims' records?
            let now = snapshot(&api, &w);
            compare(
                &baseline,
                &now,
                &format!(
                    "{} after writes accepted for {}",
                    route.id(),
                    accepted.join(", ")
                ),
                &mut out.violations,
            );
            baseline = now;
        }
    }
    // Refused writes must not have changed anything either.
    let after = snapshot(&api, &w);
    compare(
        &baseline,
        &after,
        "the sweep's refused writes",
        &mut out.violations,
    );
    // The positive control: each marker reached its audience somewhere.
    for marker in &w.markers {
        if !out.seen.contains_key(marker.what) {
            let audience = marker
                .audience
                .iter()
                .map(|w| w.label())
                .collect::<Vec<_>>()
                .join(", ");
            out.violations.push(Violation {
                who: audience,
                ..finding("marker never seen", "-", format!("{} ({}): its owners never read it, so its absence elsewhere proves nothing", marker.what, marker.text))
            });
        }
    }
    let isolation_requests = api.sent.get() - started;

    // A juror is one of B's reviewers: B's admin cannot open Y's application to an
    // outsider by assigning them (and if it can, what the outsider then reads is shown).
    let assignments = format!("/api/calls/{}/assignments", w.call_published);
    let read_application = ROUTES.iter().find(|r| r.id() == "getApplication");
    let application = format!("/api/applications/{}", w.app_in_review);
    for who in Who::ALL
        .into_iter()
        .filter(|who| who.outsider() && *who != Who::Anonymous)
    {
        let body = Body::Json(
            json!({ "reviewers": [w.person(who).id], "applications": [w.app_in_review] }),
        );
        let answer = api.send("POST", &assignments, w.token(Who::BAdmin), &body);
        let (kind, status, text) = match &answer {
            Err(e) => ("no answer", "-".to_owned(), e.clone()),
            Ok(res) if res.ok() => ("outsider made a juror", res.status.to_string(), res.text()),
            Ok(res) if res.status >= 500 => ("5xx", res.status.to_string(), res.text()),
            Ok(_) => continue,
        };
        out.violations.push(Violation {
            method: "POST".into(),
            path: assignments.clone(),
            who: "B's admin".into(),
            status,
            ..finding(
                kind,
                "assignReviewers",
                format!(
                    "{} as a reviewer of Y's application in review: {}",
                    who.label(),
                    excerpt(&text, 0, 200)
                ),
            )
        });
        if let (Some(route), true) = (read_application, kind == "outsider made a juror") {
            probe(
                &api,
                &w,
                route,
                &application,
                who,
                &Body::Empty,
                Phase::Isolation,
                &mut out,
            );
        }
    }
    let after = snapshot(&api, &w);

    // Phase 2: B suspended by the hosting operator.
    let started = api.sent.get();
    match api.send(
        "POST",
        &format!("/api/admin/communes/{B}/suspend"),
        w.token(Who::Hosting),
        &Body::Json(json!({ "reason": "cross-tenant sweep" })),
    ) {
        Ok(res) if res.ok() => {
            // Reads first, on the state as it was; then the owners' writes to B.
            for (route, paths) in plan.iter().filter(|(r, _)| r.method == "GET") {
                for path in paths {
                    for who in Who::ALL {
                        probe(
                            &api,
                            &w,
                            route,
                            path,
                            who,
                            &Body::Empty,
                            Phase::Suspended,
                            &mut out,
                        );
                    }
                }
            }
            for (route, paths) in plan.iter().filter(|(r, _)| r.method != "GET") {
                for path in paths {
                    for who in [Who::BAdmin, Who::BAgent, Who::BReviewer, Who::YMember] {
                        let body = request_body(route, who, &w, &openapi);
                        if touches_b(path, &body, &w) {
                            probe(
                                &api,
                                &w,
                                route,
                                path,
                                who,
                                &body,
                                Phase::Suspended,
                                &mut out,
                            );
                        }
                    }
                }
                let status = api
                    .send("GET", &format!("/api/communes/{B}"), None, &Body::Empty)
                    .map(|r| r.json()["status"].clone());
                if status.as_ref().ok() != Some(&json!("suspended")) {
                    out.violations.push(finding(
                        "B no longer suspended",
                        route.id(),
                        format!("after the owners' writes: {status:?}"),
                    ));
                    let _ = api.send(
                        "POST",
                        &format!("/api/admin/communes/{B}/suspend"),
                        w.token(Who::Hosting),
                        &Body::Json(json!({ "reason": "cross-tenant sweep" })),
                    );
                }
            }
            if let Err(e) = restore_registry(&api, &w) {
                out.violations
                    .push(finding("cannot restore B", "resumeCommune", e));
            }
            compare(
                &after,
                &snapshot(&api, &w),
                "writes while B was suspended",
                &mut out.violations,
            );
        }
        Ok(res) => out.violations.push(finding(
            "cannot suspend B",
            "suspendCommune",
            format!("{}: {}", res.status, excerpt(&res.text(), 0, 300)),
        )),
        Err(e) => out
            .violations
            .push(finding("cannot suspend B", "suspendCommune", e)),
    }
    let suspended_requests = api.sent.get() - started;

    // Phase 3: the owners write.
    let started = api.sent.get();
    for (route, paths) in plan.iter().filter(|(r, _)| r.method != "GET") {
        for path in paths {
            for who in [
                Who::BAdmin,
                Who::BAgent,
                Who::BReviewer,
                Who::YMember,
                Who::Programme,
            ] {
                let body = request_body(route, who, &w, &openapi);
                probe(
                    &api,
                    &w,
                    route,
                    path,
                    who,
                    &body,
                    Phase::OwnersWrite,
                    &mut out,
                );
            }
            if route.path.starts_with("/api/admin/")
                && let Err(e) = restore_registry(&api, &w)
            {
                out.violations.push(Violation {
                    path: path.clone(),
                    ..finding("cannot restore B", route.id(), e)
                });
            }
        }
    }
    let owner_requests = api.sent.get() - started;
    // A write body nobody entitled could get past validation tests nothing: fix it.
    for (route, _) in plan
        .iter()
        .filter(|(r, _)| r.method != "GET" && r.request.is_some())
    {
        let got: Vec<u16> = out
            .statuses
            .values()
            .filter_map(|by_route| by_route.get(route.id()))
            .flat_map(|by_who| by_who.values().flatten().copied())
            .collect();
        let parsed = got.iter().any(|s| (200..300).contains(s) || *s == 409);
        let invalid: Vec<u16> = got
            .iter()
            .copied()
            .filter(|s| matches!(s, 400 | 413 | 415 | 422))
            .collect();
        if !parsed && !invalid.is_empty() {
            out.violations.push(finding("implausible body", route.id(), format!("refused as invalid ({invalid:?}) and accepted by no one: fix its entry in BODIES")));
        }
    }

    // The report.
    let pairs: BTreeSet<(&str, Who)> = out
        .statuses
        .values()
        .flat_map(|by_route| {
            by_route
                .iter()
                .flat_map(|(route, by_who)| by_who.keys().map(|who| (*route, *who)))
        })
        .collect();
    let outsider_pairs = pairs.iter().filter(|(_, who)| who.outsider()).count();
    println!(
        "cross-tenant sweep: {} routes; {} (route, principal) pairs, {outsider_pairs} of them by outsiders; requests: {isolation_requests} for isolation, {suspended_requests} while B was suspended, {owner_requests} owners' writes",
        ROUTES.len(),
        pairs.len()
    );
    for marker in &w.markers {
        let by: Vec<&str> = out
            .seen
            .get(marker.what)
            .map(|s| s.iter().map(|w| w.label()).collect())
            .unwrap_or_default();
        println!("  marker {:<38} seen by {}", marker.what, by.join(", "));
    }
    for (phase, by_route) in &out.statuses {
        println!("statuses, {}:", phase.label());
        for (route, by_who) in by_route {
            let line: Vec<String> = by_who
                .iter()
                .map(|(who, st)| format!("{} {st:?}", who.label()))
                .collect();
            println!("  {route}: {}", line.join("; "));
        }
    }
    if !out.violations.is_empty() {
        let list: Vec<String> = out.violations.iter().map(ToString::to_string).collect();
        panic!(
            "{} cross-tenant violation(s):\n{}",
            out.violations.len(),
            list.join("\n")
        );
    }
}
