//! The partner directory over HTTP through `qmi up` (issue 16): the `partners`
//! component behind the gateway, with identity, applications, districts and
//! experiments (the services whose links a merge moves and whose records a
//! track record shows).
//!
//! Each test starts its own server and builds its own world through the API:
//! the demo's operators (`programme@qmi.example`, `hosting@qmi.example`) only
//! bootstrap it — communes are created by the hosting operator, organisations
//! by the programme operator, people join by the e-mailed invitation. Every
//! name carries a run id, and results are filtered to the test's own ids, so the
//! demo directory cannot make a test pass or fail. A 5xx fails at once (the
//! shared client); nothing is retried and nothing waits on the wall clock.
//!
//! - search: "mobilite douces" finds "Mobilité Douce" (accents, case, plural,
//!   prefix), a name match ranks above a description match, snippets are marked;
//! - facets: counts per kind, theme and country over every match, not the page,
//!   and the cursor pages through them all;
//! - visibility: a profile that is not public and every profile's contacts are
//!   read by commune people, programme operators and its members only;
//! - notes: a commune's notes are its admins' and agents' alone, on every notes
//!   route, with their history; the programme's notes are the programme team's;
//! - merge: applications, experiments, members and notes move to the record
//!   kept, the duplicate redirects and leaves the search;
//! - profiles are checked field by field (SIRET key, website, themes, logo);
//! - the track record lists applications and experiments with their commune;
//! - a partner creates its own organisation once.

use std::collections::{BTreeMap, BTreeSet};

use qmi_tests::http::{Client, Res};
use qmi_tests::{QmiServer, app, invite};
use serde_json::{Value, json};

const PASSWORD: &str = "partners-tests-password";
/// The commune whose notes are private (Lyon: outside the demo's metropolis).
const S: &str = "69123";
/// Another commune (Marseille).
const M: &str = "13055";

fn server() -> QmiServer {
    app::serve(
        &["identity", "applications", "districts", "experiments"],
        PASSWORD,
    )
}

// ---------------------------------------------------------------- helpers

/// The shared client (a 5xx fails the test), redirects answered as they are.
struct Api<'a> {
    client: Client<'a>,
    server: &'a QmiServer,
}

impl<'a> Api<'a> {
    fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::without_redirects(server),
            server,
        }
    }

    fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Res {
        self.client.send(method, path, token, body)
    }

    fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send("GET", path, token, None)
    }

    /// A 2xx answer's body; panics with the answer otherwise.
    fn ok(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Value {
        let r = self.send(method, path, token, body);
        assert!(
            (200..300).contains(&r.status),
            "{method} {path} {}: {r:?}",
            body.map(Value::to_string).unwrap_or_default()
        );
        r.body
    }

    fn sign_in(&self, email: &str) -> String {
        let r = self.send(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.str("access_token")
    }

    /// A new organisation (201), created by `token`; its id.
    fn organisation(&self, token: &str, body: Value) -> String {
        let r = self.send("POST", "/api/organisations", Some(token), Some(&body));
        assert_eq!(r.status, 201, "create {body}: {r:?}");
        r.str("id")
    }

    /// A new commune, created by the hosting operator.
    fn commune(&self, hosting: &str, insee: &str, name: &str) {
        self.ok(
            "POST",
            "/api/admin/communes",
            Some(hosting),
            Some(&json!({ "insee": insee, "name": name, "population": 1000, "status": "member" })),
        );
    }

    /// `email` joins commune `insee` with `role` (invited by `inviter`), then
    /// signs in: its token.
    fn commune_member(&self, inviter: &str, insee: &str, email: &str, role: &str) -> String {
        invite::to_commune(
            self.server,
            inviter,
            insee,
            email,
            role,
            Some(&format!("{role} {insee}")),
            PASSWORD,
        );
        self.sign_in(email)
    }

    /// `email` joins organisation `org` (invited by `inviter`), then signs in:
    /// its token.
    fn organisation_member(&self, inviter: &str, org: &str, email: &str) -> String {
        invite::to_organisation(
            self.server,
            inviter,
            org,
            email,
            Some("Partenaire"),
            PASSWORD,
        );
        self.sign_in(email)
    }

    /// A directory page (`GET /api/organisations?{query}`), 200.
    fn directory(&self, query: &str, token: Option<&str>) -> Value {
        let r = self.get(&format!("/api/organisations?{query}"), token);
        assert_eq!(r.status, 200, "directory ?{query}: {r:?}");
        assert!(
            r.content_type.starts_with("application/json"),
            "{}",
            r.content_type
        );
        r.body
    }

    /// Every item of a search, page after page (limit 100), in order, with the
    /// raw bodies of the pages.
    fn everything(&self, query: &str, token: Option<&str>) -> (Vec<Value>, Vec<String>) {
        let mut items = Vec::new();
        let mut bodies = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = format!("{query}&limit=100");
            if let Some(c) = &cursor {
                q.push_str(&format!("&cursor={}", enc(c)));
            }
            let r = self.get(&format!("/api/organisations?{q}"), token);
            assert_eq!(r.status, 200, "directory ?{q}: {r:?}");
            items.extend(r.body["items"].as_array().cloned().unwrap_or_default());
            bodies.push(r.text.clone());
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(bodies.len() < 100, "the cursor never ends");
        }
        (items, bodies)
    }
}

/// A random id for this run: lower-case letters and digits, one search word.
fn run_id() -> String {
    let mut random = [0u8; 5];
    getrandom::fill(&mut random).expect("random run id");
    format!(
        "zq{}",
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// A query-string value, percent-encoded (UTF-8).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A SIRET nobody has: 13 random digits and the Luhn key.
fn fresh_siret() -> String {
    let mut random = [0u8; 13];
    getrandom::fill(&mut random).expect("random digits");
    let mut base: String = random.iter().map(|b| char::from(b'0' + b % 10)).collect();
    // Not La Poste's SIREN (another rule) and no leading zero.
    base.replace_range(0..1, "7");
    qmi_tests::siret_with_key(&base)
}

/// The ids of directory items.
fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

/// A facet as value → count.
fn facet(dir: &Value, name: &str) -> BTreeMap<String, u64> {
    dir["facets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("no facet {name}: {dir}"))
        .iter()
        .map(|f| {
            (
                f["value"].as_str().expect("value").to_owned(),
                f["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// A refusal: a 4xx problem.
fn refused(r: &Res, what: &str) {
    assert!(
        (400..500).contains(&r.status),
        "{what} should be refused: {r:?}"
    );
}

/// A problem+json naming `field` with `status` (one of).
fn names(r: &Res, statuses: &[u16], field: &str, what: &str) {
    assert!(statuses.contains(&r.status), "{what}: {r:?}");
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{what}: {} {r:?}",
        r.content_type
    );
    assert!(
        r.fields().iter().any(|f| f == field),
        "{what}: the problem names {:?}, not {field}: {r:?}",
        r.fields()
    );
}

/// An RFC 3339 instant `secs` from now.
fn in_secs(secs: i64) -> String {
    qmi_kit::time::Instant(qmi_kit::time::now().0 + secs).to_string()
}

// ---------------------------------------------------------------- 1. search

#[test]
fn search_finds_mobilite_douce_whatever_the_accents_case_and_plural_and_ranks_a_name_first() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    // Created first and named before it: only relevance ranks the name match
    // above it (not the name order, not the id order).
    let by_description = api.organisation(
        &programme,
        json!({
            "name": format!("Atelier Rouages {run}"), "kind": "startup", "country": "DE",
            "summary": { "fr": "Équipements de rue." },
            "description": { "fr": "Nous équipons les communes pour les mobilités douces : vélos-cargos partagés, stationnement sécurisé et cartes des itinéraires." },
            "public": true
        }),
    );
    let by_name = api.organisation(
        &programme,
        json!({
            "name": format!("Mobilité Douce {run}"), "kind": "association", "country": "BE",
            "summary": { "fr": "Ateliers de quartier pour tous les âges." },
            "description": { "fr": "Une association de bénévoles, ouverte le samedi." },
            "public": true
        }),
    );
    let unrelated = api.organisation(
        &programme,
        json!({
            "name": format!("Fournil Solidaire {run}"), "kind": "association", "country": "IT",
            "description": { "fr": "Pain au levain et insertion professionnelle." },
            "offers": [{ "title": "Fournée solidaire", "description": "Du pain pour les épiceries sociales." }],
            "public": true
        }),
    );
    let ours = [by_name.clone(), by_description.clone(), unrelated.clone()];
    // The test's organisations among a search's matches, in the order found.
    let found = |q: &str, token: Option<&str>| -> Vec<String> {
        let (items, _) = api.everything(&format!("q={}", enc(q)), token);
        ids(&items)
            .into_iter()
            .filter(|id| ours.contains(id))
            .collect()
    };

    // Typed without accents, in the plural: both, the name match first.
    for token in [None, Some(programme.as_str())] {
        assert_eq!(
            found("mobilite douces", token),
            vec![by_name.clone(), by_description.clone()],
            "`mobilite douces` (signed in: {})",
            token.is_some()
        );
    }
    // Accents and case as typed, singular, plural alone, a prefix.
    for q in [
        "MOBILITÉ douce",
        "Mobilité Douce",
        "mobilites",
        "mobil",
        "DOUCES",
    ] {
        assert_eq!(
            found(q, None),
            vec![by_name.clone(), by_description.clone()],
            "{q:?}"
        );
    }
    // The run's organisations alone, with their snippets.
    let dir = api.directory(
        &format!("q={}", enc(&format!("mobilite douces {run}"))),
        None,
    );
    assert_eq!(dir["total"], 2, "{dir}");
    let items = dir["items"].as_array().expect("items");
    assert_eq!(
        ids(items),
        vec![by_name.clone(), by_description.clone()],
        "{dir}"
    );
    let snippet = |i: usize| items[i]["snippet"].as_str().unwrap_or("").to_owned();
    assert!(
        snippet(0).contains("[Mobilité]") && snippet(0).contains("[Douce]"),
        "the name's words are marked: {:?}",
        snippet(0)
    );
    assert!(
        snippet(1).contains("[mobilités]") && snippet(1).contains("[douces]"),
        "the description's words are marked: {:?}",
        snippet(1)
    );
    // The run id alone finds all three; the unrelated one by its own words only.
    assert_eq!(
        found(&run, None).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([by_name.clone(), by_description.clone(), unrelated.clone()]),
    );
    assert_eq!(found("levain", None), vec![unrelated.clone()]);
    // Offers are searched too; an elision is dropped.
    assert_eq!(found("FOURNEES", None), vec![unrelated.clone()]);
    assert_eq!(found("épiceries", None), vec![unrelated.clone()]);
    assert_eq!(found("l'insertion", None), vec![unrelated.clone()]);
    assert!(
        found("douceur", None).is_empty(),
        "a longer word is not a prefix match"
    );
    // Without words there is no snippet.
    let plain = api.directory("q=&limit=100&kind=association&country=BE", None);
    assert!(
        plain["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["snippet"].is_null()),
        "{plain}"
    );

    // What is typed is never FTS5 syntax: punctuation alone, quotes, operators.
    for q in [
        "?!,;:-",
        "\"",
        "'",
        "*",
        "NEAR(mobilité OR",
        "mobilité\" OR \"x",
        "^douce",
        "()",
        "l'",
    ] {
        let r = api.get(&format!("/api/organisations?q={}", enc(q)), None);
        assert_eq!(r.status, 200, "{q:?}: {r:?}");
    }
    let r = api.get(
        &format!("/api/organisations?q={}", enc(&"mobilité ".repeat(40))),
        None,
    );
    assert!(matches!(r.status, 200 | 400), "a long query: {r:?}");
}

// ---------------------------------------------------------------- 2. facets

#[test]
fn facets_count_every_match_and_the_cursor_pages_through_them_all() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    let theme = format!("essai {run}");
    let second = format!("second {run}");
    let mut with_theme = BTreeSet::new();
    let mut by_kind: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (i, (kind, country, themes, public)) in [
        ("startup", "FR", vec![theme.as_str(), second.as_str()], true),
        ("startup", "DE", vec![theme.as_str()], true),
        (
            "association",
            "FR",
            vec![theme.as_str(), second.as_str()],
            true,
        ),
        ("association", "BE", vec![theme.as_str()], true),
        ("research", "DE", vec![theme.as_str(), "climat"], true),
        // Not of the run's theme.
        ("sme", "DE", vec![second.as_str()], true),
        // Of the theme, but not public: counted only for those who see it.
        ("funder", "FR", vec![theme.as_str()], false),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({
            "name": format!("Facette {i} {run}"), "kind": kind, "country": country,
            "themes": themes, "public": public
        });
        if country == "FR" {
            body["siret"] = json!(fresh_siret());
        }
        let id = api.organisation(&programme, body);
        if themes.contains(&theme.as_str()) && public {
            with_theme.insert(id.clone());
            by_kind.entry(kind).or_default().insert(id);
        }
    }
    assert_eq!(with_theme.len(), 5);

    let q = format!("theme={}", enc(&theme));
    let all = api.directory(&format!("{q}&limit=100"), None);
    assert_eq!(all["total"], 5, "{all}");
    assert_eq!(
        ids(all["items"].as_array().expect("items"))
            .into_iter()
            .collect::<BTreeSet<_>>(),
        with_theme
    );
    assert_eq!(
        facet(&all, "kind"),
        counts(&[("startup", 2), ("association", 2), ("research", 1)])
    );
    assert_eq!(
        facet(&all, "country"),
        counts(&[("FR", 2), ("DE", 2), ("BE", 1)])
    );
    assert_eq!(
        facet(&all, "theme"),
        counts(&[(theme.as_str(), 5), (second.as_str(), 2), ("climat", 1)])
    );
    assert_eq!(facet(&all, "commune"), BTreeMap::new());
    // The theme as typed with capitals is the same theme.
    let upper = api.directory(&format!("theme={}", enc(&theme.to_uppercase())), None);
    assert_eq!(upper["total"], 5, "{upper}");

    // A kind narrows; its facets are those of the narrower matches.
    let startups = api.directory(&format!("{q}&kind=startup"), None);
    assert_eq!(startups["total"], 2, "{startups}");
    assert_eq!(
        ids(startups["items"].as_array().expect("items"))
            .into_iter()
            .collect::<BTreeSet<_>>(),
        by_kind["startup"]
    );
    assert_eq!(facet(&startups, "kind"), counts(&[("startup", 2)]));
    assert_eq!(facet(&startups, "country"), counts(&[("FR", 1), ("DE", 1)]));
    let german = api.directory(&format!("{q}&country=DE"), None);
    assert_eq!(german["total"], 2, "{german}");
    let both = api.directory(&format!("{q}&kind=association&country=BE"), None);
    assert_eq!(both["total"], 1, "{both}");
    let second_theme = api.directory(&format!("theme={}", enc(&second)), None);
    assert_eq!(second_theme["total"], 3, "{second_theme}");
    assert_eq!(
        facet(&second_theme, "kind"),
        counts(&[("startup", 1), ("association", 1), ("sme", 1)])
    );
    // With words too.
    let worded = api.directory(&format!("{q}&q={}", enc(&run)), None);
    assert_eq!(worded["total"], 5, "{worded}");

    // Counts cover every match, not the page: one item a page, five pages.
    for limit in [1, 2] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut page_q = format!("{q}&limit={limit}");
            if let Some(c) = &cursor {
                page_q.push_str(&format!("&cursor={}", enc(c)));
            }
            let page = api.directory(&page_q, None);
            pages += 1;
            assert_eq!(page["total"], 5, "page {pages}: {page}");
            assert_eq!(facet(&page, "kind"), facet(&all, "kind"), "{page}");
            assert_eq!(facet(&page, "country"), facet(&all, "country"), "{page}");
            let items = page["items"].as_array().expect("items");
            assert!(items.len() <= limit, "{page}");
            seen.extend(ids(items));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages <= 5, "the cursor goes on past the matches: {page}");
        }
        assert_eq!(pages, 5usize.div_ceil(limit), "limit {limit}");
        assert_eq!(seen.len(), 5, "each match once: {seen:?}");
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), with_theme);
    }

    // The programme operator also sees the profile that is not public, and the
    // counts follow.
    let staff = api.directory(&format!("{q}&limit=100"), Some(&programme));
    assert_eq!(staff["total"], 6, "{staff}");
    assert_eq!(
        facet(&staff, "kind"),
        counts(&[
            ("startup", 2),
            ("association", 2),
            ("research", 1),
            ("funder", 1)
        ])
    );
    assert_eq!(
        facet(&staff, "country"),
        counts(&[("FR", 3), ("DE", 2), ("BE", 1)])
    );

    // A filter that is not one is named.
    for (param, value) in [
        ("kind", "licorne"),
        ("country", "France"),
        ("limit", "0"),
        ("limit", "101"),
        ("cursor", "nope"),
        ("commune", "123"),
    ] {
        let r = api.get(&format!("/api/organisations?{param}={value}"), None);
        names(&r, &[400, 422], param, &format!("{param}={value}"));
    }
}

// ---------------------------------------------------------------- 3. visibility

#[test]
fn profiles_not_public_and_contacts_are_read_only_by_those_who_work_with_organisations() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    let hosting = api.sign_in("hosting@qmi.example");
    api.commune(&hosting, S, &format!("Lectureville {run}"));
    let agent = api.commune_member(
        &programme,
        S,
        &format!("agent.{run}@partners.example"),
        "agent",
    );
    let reviewer = api.commune_member(
        &programme,
        S,
        &format!("reviewer.{run}@partners.example"),
        "reviewer",
    );
    let contact_p = format!("zqcontactp{run}@partners.example");
    let contact_q = format!("zqcontactq{run}@partners.example");
    let hidden = api.organisation(
        &programme,
        json!({
            "name": format!("Réseau Discret {run}"), "kind": "startup", "country": "DE",
            "description": { "fr": "Capteurs de qualité de l'air." },
            "contacts": [{ "name": "Camille Secret", "role": "Directrice", "email": contact_p, "phone": "+49 30 1234" }],
            "public": false
        }),
    );
    let shown = api.organisation(
        &programme,
        json!({
            "name": format!("Réseau Ouvert {run}"), "kind": "association", "country": "BE",
            "contacts": [{ "name": "Dominique Ouvert", "email": contact_q }],
            "public": true
        }),
    );
    let other = api.organisation(
        &programme,
        json!({ "name": format!("Autre Structure {run}"), "kind": "sme", "country": "DE" }),
    );
    let hidden_member =
        api.organisation_member(&programme, &hidden, &format!("p.{run}@partners.example"));
    let other_member =
        api.organisation_member(&programme, &other, &format!("o.{run}@partners.example"));

    // (who, token, reads the hidden profile, its contacts, the public one's contacts)
    let viewers: [(&str, Option<&str>, bool, bool, bool); 7] = [
        ("anonymous", None, false, false, false),
        (
            "hosting operator",
            Some(hosting.as_str()),
            false,
            false,
            false,
        ),
        (
            "another organisation's member",
            Some(other_member.as_str()),
            false,
            false,
            false,
        ),
        ("commune agent", Some(agent.as_str()), true, true, true),
        (
            "commune reviewer",
            Some(reviewer.as_str()),
            true,
            true,
            true,
        ),
        (
            "programme operator",
            Some(programme.as_str()),
            true,
            true,
            true,
        ),
        (
            "the organisation's member",
            Some(hidden_member.as_str()),
            true,
            true,
            false,
        ),
    ];
    for (who, token, reads, contacts_p, contacts_q) in viewers {
        let r = api.get(&format!("/api/organisations/{hidden}"), token);
        if reads {
            assert_eq!(r.status, 200, "{who} reads the profile: {r:?}");
            assert_eq!(r.body["public"], false);
        } else {
            // Everyone who may not read it gets 404, as for a missing profile
            // (anonymous callers included: they cannot tell it exists).
            let refusals: &[u16] = &[404];
            assert!(
                refusals.contains(&r.status),
                "{who} is refused the profile that is not public: {r:?}"
            );
            assert!(!r.text.contains("Discret"), "{who} saw its name: {r:?}");
        }
        assert_eq!(
            r.text.contains(&contact_p),
            contacts_p,
            "{who}: the hidden profile's contact shown? {r:?}"
        );
        if contacts_p {
            assert_eq!(r.body["contacts"][0]["email"], contact_p.as_str(), "{who}");
        }
        for sub in ["track-record", "logo"] {
            let r = api.get(&format!("/api/organisations/{hidden}/{sub}"), token);
            if !reads {
                assert!(matches!(r.status, 401 | 403 | 404), "{who} {sub}: {r:?}");
            }
            assert!(!r.text.contains(&contact_p), "{who} {sub}: {r:?}");
        }

        let r = api.get(&format!("/api/organisations/{shown}"), token);
        assert_eq!(r.status, 200, "{who} reads the public profile: {r:?}");
        assert_eq!(
            r.text.contains(&contact_q),
            contacts_q,
            "{who}: the public profile's contact shown? {r:?}"
        );
        if !contacts_q {
            assert!(r.body["contacts"].is_null(), "{who}: {r:?}");
        }

        // The directory lists the hidden profile to its readers, never a contact.
        let (items, bodies) = api.everything(&format!("q={}", enc(&run)), token);
        let listed = ids(&items);
        assert_eq!(listed.contains(&hidden), reads, "{who}: {listed:?}");
        assert!(listed.contains(&shown), "{who}: {listed:?}");
        for body in bodies {
            assert!(
                !body.contains(&contact_p) && !body.contains(&contact_q),
                "{who}: a contact in the directory: {body}"
            );
        }
        let (items, _) = api.everything("kind=startup&country=DE", token);
        assert_eq!(ids(&items).contains(&hidden), reads, "{who}: by facets");
        // Contacts are not searched: their addresses find nothing.
        let dir = api.directory(&format!("q={}", enc(&format!("zqcontactp{run}"))), token);
        assert_eq!(dir["total"], 0, "{who}: {dir}");
    }

    // Made public, it is read by anyone, its contacts still by its readers only.
    api.ok(
        "PATCH",
        &format!("/api/organisations/{hidden}"),
        Some(&programme),
        Some(&json!({ "public": true })),
    );
    for (who, token) in [
        ("anonymous", None),
        ("hosting operator", Some(hosting.as_str())),
        ("another organisation's member", Some(other_member.as_str())),
    ] {
        let r = api.get(&format!("/api/organisations/{hidden}"), token);
        assert_eq!(r.status, 200, "{who}: {r:?}");
        assert!(!r.text.contains(&contact_p), "{who}: {r:?}");
    }
    let r = api.get(&format!("/api/organisations/{hidden}"), Some(&agent));
    assert!(r.text.contains(&contact_p), "{r:?}");
}

// ---------------------------------------------------------------- 4. notes

#[test]
fn a_communes_notes_are_its_admins_and_agents_alone_on_every_route() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    let hosting = api.sign_in("hosting@qmi.example");
    api.commune(&hosting, S, &format!("Notreville {run}"));
    api.commune(&hosting, M, &format!("Voisineville {run}"));
    let person = |insee: &str, role: &str| {
        api.commune_member(
            &programme,
            insee,
            &format!("{role}.{insee}.{run}@partners.example"),
            role,
        )
    };
    let (s_admin, s_agent, s_reviewer) = (
        person(S, "admin"),
        person(S, "agent"),
        person(S, "reviewer"),
    );
    let (m_admin, m_agent, m_reviewer) = (
        person(M, "admin"),
        person(M, "agent"),
        person(M, "reviewer"),
    );
    let org = api.organisation(
        &programme,
        json!({ "name": format!("Sujet De Notes {run}"), "kind": "startup", "country": "DE", "public": true }),
    );
    let member = api.organisation_member(&programme, &org, &format!("y.{run}@partners.example"));

    // S's admin writes, S's agent edits: two versions, in order.
    let marker = format!("zqnote{run}");
    let first = format!("Rencontrée au forum {marker} : piste pour l'appel vélo-cargo.");
    let second = format!("Devis reçu {marker}, à relancer en juin.");
    let notes = format!("/api/organisations/{org}/notes/{S}");
    let r = api.send(
        "POST",
        &notes,
        Some(&s_admin),
        Some(&json!({ "text": first })),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let note = r.str("id");
    assert_eq!(r.body["versions"], 1);
    assert_eq!(r.body["insee"], S);
    let note_path = format!("{notes}/{note}");
    let edited = api.ok(
        "PATCH",
        &note_path,
        Some(&s_agent),
        Some(&json!({ "text": second })),
    );
    assert_eq!(edited["versions"], 2, "{edited}");
    assert_eq!(edited["text"], second.as_str());
    let history = api.ok("GET", &format!("{note_path}/history"), Some(&s_admin), None);
    let texts: Vec<&str> = history
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["text"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(texts, [first.as_str(), second.as_str()], "{history}");
    assert_eq!(history[0]["version"], 1);
    assert_eq!(history[1]["version"], 2);
    // S's staff read it (the positive control: the marker is findable).
    for token in [&s_admin, &s_agent] {
        let r = api.get(&notes, Some(token));
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r.text.contains(&marker), "{r:?}");
    }
    // M keeps a note of its own on the same organisation, which S never sees.
    let m_marker = format!("zqmnote{run}");
    let m_notes = format!("/api/organisations/{org}/notes/{M}");
    api.ok(
        "POST",
        &m_notes,
        Some(&m_agent),
        Some(&json!({ "text": format!("Note de M {m_marker}") })),
    );
    let r = api.get(&notes, Some(&s_admin));
    assert!(!r.text.contains(&m_marker), "S reads M's note: {r:?}");

    // Everyone else, on every notes route and every list.
    let intruder = format!("zqintrus{run}");
    let outsiders: [(&str, Option<&str>); 8] = [
        ("M's admin", Some(m_admin.as_str())),
        ("M's agent", Some(m_agent.as_str())),
        ("M's reviewer", Some(m_reviewer.as_str())),
        ("S's reviewer", Some(s_reviewer.as_str())),
        ("the organisation's member", Some(member.as_str())),
        ("hosting operator", Some(hosting.as_str())),
        ("programme operator", Some(programme.as_str())),
        ("anonymous", None),
    ];
    for (who, token) in outsiders {
        let write = json!({ "text": format!("Réécrit par {who} {intruder}") });
        let tries: Vec<(&str, String, Option<&Value>)> = vec![
            ("GET", notes.clone(), None),
            ("GET", format!("{note_path}/history"), None),
            ("PATCH", note_path.clone(), Some(&write)),
            ("POST", notes.clone(), Some(&write)),
            // S's note on another commune's path is not there.
            ("GET", format!("{m_notes}/{note}/history"), None),
            ("PATCH", format!("{m_notes}/{note}"), Some(&write)),
        ];
        for (method, path, body) in &tries {
            let r = api.send(method, path, token, *body);
            refused(&r, &format!("{who}: {method} {path}"));
            assert!(!r.text.contains(&marker), "{who}: {method} {path}: {r:?}");
        }
        // Lists and pages where a note could slip in.
        for path in [
            format!("/api/organisations/{org}"),
            format!("/api/organisations/{org}/track-record"),
            format!("/api/organisations/{org}/programme-notes"),
            m_notes.clone(),
            format!("/api/organisations?q={}", enc(&run)),
            format!("/api/organisations?q={}", enc(&marker)),
            "/api/me".to_owned(),
            "/api/notifications".to_owned(),
        ] {
            let r = api.get(&path, token);
            assert!(!r.text.contains(&marker), "{who}: GET {path}: {r:?}");
        }
    }

    // Nothing changed: one note of S, its two versions, no intruder's text.
    let list = api.ok("GET", &notes, Some(&s_admin), None);
    let list = list.as_array().expect("notes");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], note.as_str());
    assert_eq!(list[0]["text"], second.as_str());
    assert_eq!(list[0]["versions"], 2);
    let again = api.ok("GET", &format!("{note_path}/history"), Some(&s_agent), None);
    assert_eq!(again, history);
    assert!(!again.to_string().contains(&intruder));
    // M's own list holds its note only, whatever M's people tried.
    let theirs = api.ok("GET", &m_notes, Some(&m_admin), None);
    let theirs = theirs.as_array().expect("notes");
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(!Value::Array(theirs.clone()).to_string().contains(&marker));
    // The search knows nothing of notes.
    let dir = api.directory(&format!("q={}", enc(&marker)), Some(&s_admin));
    assert_eq!(dir["total"], 0, "{dir}");
    // A note's text is required and bounded.
    let r = api.send(
        "POST",
        &notes,
        Some(&s_admin),
        Some(&json!({ "text": "  " })),
    );
    names(&r, &[400, 422], "text", "an empty note");
    let r = api.send(
        "POST",
        &notes,
        Some(&s_admin),
        Some(&json!({ "text": "x".repeat(10_001) })),
    );
    names(&r, &[400, 422], "text", "a note too long");
}

#[test]
fn programme_notes_are_the_programme_teams_alone() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    let hosting = api.sign_in("hosting@qmi.example");
    api.commune(&hosting, S, &format!("Programmeville {run}"));
    let s_admin = api.commune_member(
        &programme,
        S,
        &format!("admin.{run}@partners.example"),
        "admin",
    );
    let s_agent = api.commune_member(
        &programme,
        S,
        &format!("agent.{run}@partners.example"),
        "agent",
    );
    let org = api.organisation(
        &programme,
        json!({ "name": format!("Suivie {run}"), "kind": "research", "country": "DE", "public": true }),
    );
    let member = api.organisation_member(&programme, &org, &format!("m.{run}@partners.example"));

    let marker = format!("zqprog{run}");
    let path = format!("/api/organisations/{org}/programme-notes");
    let note = api.ok(
        "POST",
        &path,
        Some(&programme),
        Some(&json!({ "text": format!("À suivre {marker}") })),
    );
    assert!(note["insee"].is_null(), "{note}");
    let note_path = format!("{path}/{}", note["id"].as_str().expect("id"));
    let edited = api.ok(
        "PATCH",
        &note_path,
        Some(&programme),
        Some(&json!({ "text": format!("Rencontrée {marker}") })),
    );
    assert_eq!(edited["versions"], 2);
    let history = api.ok(
        "GET",
        &format!("{note_path}/history"),
        Some(&programme),
        None,
    );
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");
    assert_eq!(history[0]["text"], format!("À suivre {marker}"));
    let list = api.ok("GET", &path, Some(&programme), None);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");

    let write = json!({ "text": format!("Intrus zqintrus{run}") });
    for (who, token) in [
        ("commune admin", Some(s_admin.as_str())),
        ("commune agent", Some(s_agent.as_str())),
        ("the organisation's member", Some(member.as_str())),
        ("hosting operator", Some(hosting.as_str())),
        ("anonymous", None),
    ] {
        for (method, p, body) in [
            ("GET", path.clone(), None),
            ("GET", format!("{note_path}/history"), None),
            ("POST", path.clone(), Some(&write)),
            ("PATCH", note_path.clone(), Some(&write)),
        ] {
            let r = api.send(method, &p, token, body);
            refused(&r, &format!("{who}: {method} {p}"));
            assert!(!r.text.contains(&marker), "{who}: {method} {p}: {r:?}");
        }
        // Not on the commune's notes either.
        let r = api.get(&format!("/api/organisations/{org}/notes/{S}"), token);
        assert!(!r.text.contains(&marker), "{who}: {r:?}");
    }
    let after = api.ok("GET", &path, Some(&programme), None);
    assert_eq!(after, list);
    assert_eq!(after[0], edited);
    assert!(!after.to_string().contains("zqintrus"));
}

// ---------------------------------------------------------------- 5 and 7: selections

/// A published call of `insee`, `member`'s organisation applying twice: one
/// application selected with the decision published and the experiment it
/// became (created by the commune's admin), one left in review.
struct Selection {
    selected: String,
    in_review: String,
    experiment: String,
    call_title: String,
}

fn select(api: &Api, admin: &str, insee: &str, member: &str, run: &str) -> Selection {
    let call_title = format!("Rafraîchir les cours {run}");
    let call = api.ok(
        "POST",
        "/api/calls",
        Some(admin),
        Some(&json!({
            "insee": insee, "title": call_title, "description": "Îlots de fraîcheur",
            "themes": ["Climat"], "opens_at": in_secs(-3600), "closes_at": "2099-12-31T23:59",
            "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 2000 }],
            "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
            "signatory": { "name": "Marie Dupont", "role": "Maire adjointe" },
            "published": true
        })),
    )["id"]
        .as_str()
        .expect("call id")
        .to_owned();
    let apply = |title: &str| {
        let id = api.ok(
            "POST",
            &format!("/api/calls/{call}/applications"),
            Some(member),
            Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" } })),
        )["id"]
            .as_str()
            .expect("application id")
            .to_owned();
        api.ok(
            "PUT",
            &format!("/api/applications/{id}"),
            Some(member),
            Some(&json!({ "title": title, "answers": { "pitch": "Des arbres" }, "submit": true })),
        );
        id
    };
    let selected = apply("Cours Oasis");
    let in_review = apply("Cours Brume");
    let step = |id: &str, to: &str| {
        api.ok(
            "POST",
            &format!("/api/applications/{id}/transitions"),
            Some(admin),
            Some(&json!({ "to": to, "reason": "Retenue par le jury" })),
        );
    };
    for id in [&selected, &in_review] {
        step(id, "eligible");
        step(id, "in_review");
    }
    step(&selected, "shortlisted");
    api.ok(
        "POST",
        &format!("/api/calls/{call}/close"),
        Some(admin),
        Some(&json!({ "reason": "Décider" })),
    );
    step(&selected, "selected");
    api.ok(
        "POST",
        &format!("/api/calls/{call}/decisions/publish"),
        Some(admin),
        Some(&json!({})),
    );
    let experiment = api.ok(
        "POST",
        &format!("/api/experiments/communes/{insee}"),
        Some(admin),
        Some(&json!({ "application_id": selected, "starts_on": "2026-01-15" })),
    )["id"]
        .as_str()
        .expect("experiment id")
        .to_owned();
    Selection {
        selected,
        in_review,
        experiment,
        call_title,
    }
}

// ---------------------------------------------------------------- 5. merge

#[test]
fn a_merge_moves_every_application_experiment_member_and_note_to_the_record_kept() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    let hosting = api.sign_in("hosting@qmi.example");
    api.commune(&hosting, S, &format!("Fusionville {run}"));
    let admin = api.commune_member(
        &programme,
        S,
        &format!("admin.{run}@partners.example"),
        "admin",
    );
    let kept = api.organisation(
        &programme,
        json!({ "name": format!("Gardée {run}"), "kind": "startup", "country": "DE", "themes": ["mobilité"] }),
    );
    let dup = api.organisation(
        &programme,
        json!({ "name": format!("Doublon {run}"), "kind": "startup", "country": "DE", "themes": ["climat"] }),
    );
    let dup_email = format!("d.{run}@partners.example");
    let dup_member = api.organisation_member(&programme, &dup, &dup_email);
    let kept_member =
        api.organisation_member(&programme, &kept, &format!("k.{run}@partners.example"));
    let sel = select(&api, &admin, S, &dup_member, &run);
    let experiment_path = format!("/api/experiments/{}", sel.experiment);
    // The record kept is in the duplicate's consortium too: one row stays.
    api.ok(
        "POST",
        &format!("{experiment_path}/partners"),
        Some(&programme),
        Some(&json!({ "organisation_id": kept })),
    );
    let before = api.ok("GET", &experiment_path, Some(&admin), None);
    assert_eq!(
        before["partners"].as_array().map(Vec::len),
        Some(2),
        "{before}"
    );
    // Notes written on the duplicate: the commune's and the programme's.
    let note = api.ok(
        "POST",
        &format!("/api/organisations/{dup}/notes/{S}"),
        Some(&admin),
        Some(&json!({ "text": format!("Note sur le doublon zqdup{run}") })),
    )["id"]
        .as_str()
        .expect("note id")
        .to_owned();
    let programme_note = api.ok(
        "POST",
        &format!("/api/organisations/{dup}/programme-notes"),
        Some(&programme),
        Some(&json!({ "text": format!("Programme zqdupp{run}") })),
    )["id"]
        .as_str()
        .expect("note id")
        .to_owned();

    // Nobody but a programme operator merges; a refusal moves nothing.
    let merge = format!("/api/organisations/{kept}/merge");
    let body = json!({ "duplicate_id": dup });
    for (who, token) in [
        ("commune admin", Some(admin.as_str())),
        ("the duplicate's member", Some(dup_member.as_str())),
        ("the kept one's member", Some(kept_member.as_str())),
        ("hosting operator", Some(hosting.as_str())),
        ("anonymous", None),
    ] {
        let r = api.send("POST", &merge, token, Some(&body));
        assert!(matches!(r.status, 401 | 403), "{who} merges: {r:?}");
    }
    for (who, token) in [
        ("commune admin", Some(admin.as_str())),
        ("hosting operator", Some(hosting.as_str())),
    ] {
        for service in ["applications", "experiments", "admin"] {
            let path = if service == "admin" {
                format!("/api/admin/organisations/{kept}/absorb")
            } else {
                format!("/api/{service}/organisations/{kept}/absorb")
            };
            let r = api.send("POST", &path, token, Some(&json!({ "from": dup })));
            assert!(matches!(r.status, 401 | 403), "{who}: {path}: {r:?}");
        }
    }
    let r = api.get(&format!("/api/organisations/{dup}"), None);
    assert_eq!(r.status, 200, "nothing merged yet: {r:?}");
    let app = api.ok(
        "GET",
        &format!("/api/applications/{}", sel.selected),
        Some(&admin),
        None,
    );
    assert_eq!(app["organisation"], dup.as_str());
    // Merging a record into itself, or an unknown one, is named.
    for bad in [kept.as_str(), "01900000-0000-7000-8000-0000000fffff"] {
        let r = api.send(
            "POST",
            &merge,
            Some(&programme),
            Some(&json!({ "duplicate_id": bad })),
        );
        names(&r, &[400, 404, 422], "duplicate_id", bad);
    }

    let report = api.ok("POST", &merge, Some(&programme), Some(&body));
    assert_eq!(report["kept"], kept.as_str(), "{report}");
    assert_eq!(report["merged"], dup.as_str(), "{report}");
    assert_eq!(report["applications"], 2, "{report}");
    assert_eq!(report["experiments"], 1, "{report}");
    assert_eq!(report["members"], 1, "{report}");
    assert_eq!(
        report["notes"], 2,
        "one commune note, one programme note: {report}"
    );

    // The duplicate's member is now the kept one's.
    let fresh = api.sign_in(&dup_email);
    let me = api.ok("GET", "/api/me", Some(&fresh), None);
    assert_eq!(me["organisation"]["id"], kept.as_str(), "{me}");
    let members = api.ok(
        "GET",
        &format!("/api/organisations/{kept}/members"),
        Some(&programme),
        None,
    );
    assert!(
        members.to_string().contains(&dup_email),
        "the kept one's members: {members}"
    );
    // Both applications are the kept one's, read by the commune and the member.
    for id in [&sel.selected, &sel.in_review] {
        let app = api.ok(
            "GET",
            &format!("/api/applications/{id}"),
            Some(&admin),
            None,
        );
        assert_eq!(app["organisation"], kept.as_str(), "{app}");
        let r = api.get(&format!("/api/applications/{id}"), Some(&fresh));
        assert_eq!(r.status, 200, "the member still reads it: {r:?}");
    }
    // The experiment: one partner row, the kept one, holding it.
    let after = api.ok("GET", &experiment_path, Some(&admin), None);
    let partners = after["partners"].as_array().expect("partners");
    assert_eq!(partners.len(), 1, "{after}");
    assert_eq!(partners[0]["organisation_id"], kept.as_str(), "{after}");
    assert_eq!(partners[0]["holder"], true, "{after}");
    let r = api.get(&experiment_path, Some(&fresh));
    assert_eq!(r.status, 200, "the member still follows it: {r:?}");

    // The duplicate redirects to the one kept and leaves the directory.
    for token in [None, Some(programme.as_str())] {
        let r = api.get(&format!("/api/organisations/{dup}"), token);
        assert_eq!(r.status, 308, "{r:?}");
        assert_eq!(
            r.header("location"),
            Some(format!("/api/organisations/{kept}").as_str()),
            "{r:?}"
        );
        let r = api.get(&format!("/api/organisations/{dup}/track-record"), token);
        assert_eq!(r.status, 308, "{r:?}");
        assert_eq!(
            r.header("location"),
            Some(format!("/api/organisations/{kept}/track-record").as_str()),
            "{r:?}"
        );
        let (items, _) = api.everything(&format!("q={}", enc(&run)), token);
        let found = ids(&items);
        assert!(found.contains(&kept), "{found:?}");
        assert!(
            !found.contains(&dup),
            "the duplicate is still searched: {found:?}"
        );
        let dir = api.directory(&format!("q={}", enc("Doublon")), token);
        assert!(
            !ids(dir["items"].as_array().expect("items")).contains(&dup),
            "{dir}"
        );
    }
    // Its themes and its presence in the commune are the kept one's.
    let profile = api.ok("GET", &format!("/api/organisations/{kept}"), None, None);
    assert_eq!(
        profile["themes"],
        json!(["climat", "mobilité"]),
        "{profile}"
    );
    let (items, _) = api.everything(&format!("commune={S}"), Some(&programme));
    let present = ids(&items);
    assert!(present.contains(&kept), "{present:?}");
    assert!(!present.contains(&dup), "{present:?}");
    // The notes written on the duplicate are read under the one kept.
    let notes = api.ok(
        "GET",
        &format!("/api/organisations/{kept}/notes/{S}"),
        Some(&admin),
        None,
    );
    assert!(
        notes
            .as_array()
            .expect("notes")
            .iter()
            .any(|n| n["id"] == note.as_str()),
        "{notes}"
    );
    let history = api.ok(
        "GET",
        &format!("/api/organisations/{kept}/notes/{S}/{note}/history"),
        Some(&admin),
        None,
    );
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
    let pnotes = api.ok(
        "GET",
        &format!("/api/organisations/{kept}/programme-notes"),
        Some(&programme),
        None,
    );
    assert!(
        pnotes
            .as_array()
            .expect("notes")
            .iter()
            .any(|n| n["id"] == programme_note.as_str()),
        "{pnotes}"
    );
    // The track record of the one kept lists what the duplicate did.
    let track = api.ok(
        "GET",
        &format!("/api/organisations/{kept}/track-record"),
        Some(&admin),
        None,
    );
    let apps: BTreeSet<&str> = track["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .filter_map(|a| a["application_id"].as_str())
        .collect();
    assert_eq!(
        apps,
        BTreeSet::from([sel.selected.as_str(), sel.in_review.as_str()]),
        "{track}"
    );
    assert_eq!(
        track["experiments"][0]["experiment_id"],
        sel.experiment.as_str()
    );
    // Merging it again is refused (it is no longer in the directory).
    let r = api.send("POST", &merge, Some(&programme), Some(&body));
    names(&r, &[400, 404, 409, 422], "duplicate_id", "a second merge");
}

// ---------------------------------------------------------------- 6. checks

#[test]
fn profiles_are_checked_field_by_field() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    let create =
        |body: Value| api.send("POST", "/api/organisations", Some(&programme), Some(&body));
    let named = |n: u32| format!("Refusée {n} {run}");

    // A French organisation: a SIRET with its Luhn key.
    let r = create(
        json!({ "name": named(1), "kind": "sme", "country": "FR", "siret": "81234567800014" }),
    );
    names(&r, &[400, 422], "siret", "a wrong SIRET key");
    let r = create(json!({ "name": named(2), "kind": "sme", "country": "FR" }));
    names(&r, &[422], "siret", "no SIRET in France");
    let r = create(json!({ "name": named(3), "kind": "sme", "country": "FR", "siret": "1234" }));
    names(&r, &[400, 422], "siret", "not 14 digits");
    let r =
        create(json!({ "name": named(4), "kind": "sme", "country": "DE", "siret": fresh_siret() }));
    names(&r, &[422], "siret", "a SIRET abroad");
    let siret = fresh_siret();
    let first = api.organisation(
        &programme,
        json!({ "name": format!("Première {run}"), "kind": "sme", "country": "FR", "siret": siret }),
    );
    let r = create(json!({ "name": named(5), "kind": "sme", "country": "FR", "siret": siret }));
    names(&r, &[409], "siret", "a SIRET already registered");
    let second = api.organisation(
        &programme,
        json!({ "name": format!("Seconde {run}"), "kind": "sme", "country": "FR", "siret": fresh_siret() }),
    );
    let r = api.send(
        "PATCH",
        &format!("/api/organisations/{second}"),
        Some(&programme),
        Some(&json!({ "siret": siret })),
    );
    names(&r, &[409], "siret", "changed to a SIRET already registered");

    // Other fields, on a new profile and on an existing foreign one.
    let foreign = api.organisation(
        &programme,
        json!({ "name": format!("Étrangère {run}"), "kind": "startup", "country": "DE" }),
    );
    for (n, (body, field)) in [
        (json!({ "website": "javascript:x" }), "website"),
        (json!({ "website": "https://nohost" }), "website"),
        (json!({ "themes": ["<script>"] }), "themes[0]"),
        (json!({ "themes": ["climat", "a;b"] }), "themes[1]"),
        (json!({ "name": "   " }), "name"),
        (json!({ "kind": "licorne" }), "kind"),
        (json!({ "country": "Allemagne" }), "country"),
        (
            json!({ "contacts": [{ "name": "X", "email": "pas une adresse" }] }),
            "contacts[0].email",
        ),
        (
            json!({ "contacts": [{ "name": "X", "email": "x@example.org", "phone": "<b>" }] }),
            "contacts[0].phone",
        ),
        (
            json!({ "summary": { "fr": "x".repeat(301) } }),
            "summary.fr",
        ),
        (json!({ "offers": [{ "title": "" }] }), "offers[0].title"),
        (json!({ "registry_number": "DE<1>" }), "registry_number"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut full = json!({ "name": named(10 + n as u32), "kind": "startup", "country": "DE" });
        for (k, v) in body.as_object().expect("object") {
            full[k] = v.clone();
        }
        let r = create(full.clone());
        names(&r, &[400, 422], field, &full.to_string());
        // The same field on an existing profile.
        if !matches!(field, "name" | "kind" | "country") {
            let r = api.send(
                "PATCH",
                &format!("/api/organisations/{foreign}"),
                Some(&programme),
                Some(&body),
            );
            names(&r, &[400, 422], field, &format!("PATCH {body}"));
        }
    }

    // The logo: an image by its content, 512 KiB at most.
    let logo = format!("/api/organisations/{first}/logo");
    let put = |content_type: &str, bytes: Vec<u8>| {
        api.client.request(
            "PUT",
            &logo,
            Some(&programme),
            qmi_tests::http::Body::Bytes(content_type, bytes),
            &[],
        )
    };
    let r = put("image/png", b"<svg onload=alert(1)></svg>".to_vec());
    names(&r, &[400, 415, 422], "logo", "a logo that is not an image");
    let r = put("image/png", b"%PDF-1.4\n%%EOF\n".to_vec());
    names(&r, &[400, 415, 422], "logo", "a PDF as a logo");
    let mut big = PNG_1X1.to_vec();
    big.resize(600 * 1024, 0);
    let r = put("image/png", big);
    assert_eq!(r.status, 413, "a logo over 512 KiB: {r:?}");
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{r:?}"
    );
    let r = api.get(&logo, None);
    assert_eq!(r.status, 404, "no logo was kept: {r:?}");
    let r = put("image/png", PNG_1X1.to_vec());
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["logo_url"], logo.as_str());
    let r = api.get(&logo, None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.content_type, "image/png");
    assert_eq!(r.bytes, PNG_1X1);
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    // Someone else's profile is not theirs to change.
    let hosting = api.sign_in("hosting@qmi.example");
    let r = api.send(
        "PATCH",
        &format!("/api/organisations/{first}"),
        Some(&hosting),
        Some(&json!({ "city": "Ailleurs" })),
    );
    assert!(matches!(r.status, 403 | 404), "{r:?}");

    // Nothing refused was written.
    let (items, _) = api.everything(&format!("q={}", enc(&run)), Some(&programme));
    let found: BTreeSet<String> = ids(&items).into_iter().collect();
    assert_eq!(found, BTreeSet::from([first, second, foreign]));
}

/// A 1×1 PNG, whole.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

// ---------------------------------------------------------------- 7. track record

#[test]
fn the_track_record_lists_applications_and_experiments_with_their_commune() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let programme = api.sign_in("programme@qmi.example");
    let hosting = api.sign_in("hosting@qmi.example");
    let commune_name = format!("Pisteville {run}");
    api.commune(&hosting, S, &commune_name);
    let admin = api.commune_member(
        &programme,
        S,
        &format!("admin.{run}@partners.example"),
        "admin",
    );
    let org = api.organisation(
        &programme,
        json!({ "name": format!("Parcours {run}"), "kind": "startup", "country": "DE", "public": true }),
    );
    let member = api.organisation_member(&programme, &org, &format!("t.{run}@partners.example"));
    let other = api.organisation(
        &programme,
        json!({ "name": format!("Ailleurs {run}"), "kind": "sme", "country": "DE" }),
    );
    let outsider =
        api.organisation_member(&programme, &other, &format!("u.{run}@partners.example"));
    let before = api.ok(
        "GET",
        &format!("/api/organisations/{org}/track-record"),
        None,
        None,
    );
    assert_eq!(before, json!({ "applications": [], "experiments": [] }));
    let sel = select(&api, &admin, S, &member, &run);
    let path = format!("/api/organisations/{org}/track-record");

    let listed = |token: Option<&str>| -> (BTreeMap<String, Value>, Vec<Value>) {
        let track = api.ok("GET", &path, token, None);
        let apps = track["applications"]
            .as_array()
            .expect("applications")
            .iter()
            .map(|a| {
                (
                    a["application_id"].as_str().unwrap_or("").to_owned(),
                    a.clone(),
                )
            })
            .collect();
        (
            apps,
            track["experiments"].as_array().cloned().unwrap_or_default(),
        )
    };
    // Everyone: the published selection, with its call and commune.
    for (who, token) in [
        ("anonymous", None),
        ("another organisation's member", Some(outsider.as_str())),
        ("hosting operator", Some(hosting.as_str())),
    ] {
        let (apps, experiments) = listed(token);
        assert_eq!(
            apps.keys().cloned().collect::<Vec<_>>(),
            vec![sel.selected.clone()],
            "{who}: only the published selection"
        );
        let a = &apps[&sel.selected];
        assert_eq!(a["insee"], S, "{who}: {a}");
        assert_eq!(a["status"], "selected", "{who}: {a}");
        assert_eq!(a["call_title"], sel.call_title.as_str(), "{who}: {a}");
        assert!(
            experiments.is_empty(),
            "{who}: the experiment is not published: {experiments:?}"
        );
    }
    // Its member, the commune's admin and the programme: both applications and
    // the experiment, with its commune.
    for (who, token) in [
        ("its member", member.as_str()),
        ("the commune's admin", admin.as_str()),
        ("programme operator", programme.as_str()),
    ] {
        let (apps, experiments) = listed(Some(token));
        assert_eq!(
            apps.keys().cloned().collect::<BTreeSet<_>>(),
            BTreeSet::from([sel.selected.clone(), sel.in_review.clone()]),
            "{who}"
        );
        assert_eq!(apps[&sel.in_review]["status"], "in_review", "{who}");
        assert_eq!(apps[&sel.in_review]["insee"], S, "{who}");
        assert_eq!(experiments.len(), 1, "{who}: {experiments:?}");
        assert_eq!(experiments[0]["experiment_id"], sel.experiment.as_str());
        assert_eq!(experiments[0]["insee"], S, "{who}");
        assert_eq!(
            experiments[0]["commune_name"],
            commune_name.as_str(),
            "{who}"
        );
        assert_eq!(experiments[0]["status"], "preparing", "{who}");
    }
    // The commune facet: where it applied and experimented.
    let dir = api.directory(&format!("q={}", enc(&run)), None);
    assert_eq!(facet(&dir, "commune"), counts(&[(S, 1)]), "{dir}");
    let (items, _) = api.everything(&format!("commune={S}"), None);
    let present = ids(&items);
    assert!(present.contains(&org), "{present:?}");
    assert!(!present.contains(&other), "{present:?}");
}

// ---------------------------------------------------------------- 8. own flows

#[test]
fn a_partner_creates_its_own_organisation_once_and_edits_it() {
    let server = server();
    let api = Api::new(&server);
    let run = run_id();
    let email = format!("fondatrice.{run}@partners.example");
    let r = api.send(
        "POST",
        "/api/auth/sign-up",
        None,
        Some(&json!({ "email": email, "name": "Fondatrice", "password": PASSWORD, "lang": "fr" })),
    );
    assert_eq!(r.status, 202, "{r:?}");
    let mailbox = server.mailbox();
    let mail = mailbox.wait_for(&email, |m| m.link("/confirmer/").is_some());
    let confirmed = api.ok(
        "POST",
        "/api/auth/confirm-email",
        None,
        Some(&json!({ "token": invite::token_of(&mailbox.link_in(&mail, "/confirmer/")) })),
    );
    let token = confirmed["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();

    let name = format!("Toits Verts {run}");
    let created = api.send(
        "POST",
        "/api/organisations",
        Some(&token),
        Some(&json!({
            "name": name, "kind": "startup", "country": "FR", "siret": fresh_siret(),
            "contacts": [{ "name": "Fondatrice", "email": email }], "public": false
        })),
    );
    assert_eq!(created.status, 201, "{created:?}");
    let org = created.str("id");
    let fresh = api.sign_in(&email);
    let me = api.ok("GET", "/api/me", Some(&fresh), None);
    assert_eq!(me["organisation"]["id"], org.as_str(), "{me}");
    assert_eq!(me["organisation"]["name"], name.as_str(), "{me}");
    // Its member reads its contacts.
    let profile = api.ok(
        "GET",
        &format!("/api/organisations/{org}"),
        Some(&fresh),
        None,
    );
    assert_eq!(profile["contacts"][0]["email"], email.as_str(), "{profile}");
    // Its own profile, not public, is in its directory and nobody else's.
    let (items, _) = api.everything(&format!("q={}", enc(&run)), Some(&fresh));
    assert_eq!(ids(&items), vec![org.clone()]);
    let (items, _) = api.everything(&format!("q={}", enc(&run)), None);
    assert!(items.is_empty(), "{items:?}");
    // It edits it.
    let edited = api.ok(
        "PATCH",
        &format!("/api/organisations/{org}"),
        Some(&fresh),
        Some(&json!({ "summary": { "fr": "Toitures végétalisées." }, "public": true })),
    );
    assert_eq!(edited["summary"]["fr"], "Toitures végétalisées.");
    assert_eq!(edited["public"], true);

    // A second organisation: refused, with the token from before the first
    // (identity says no) and with a fresh one (the policy says no); nothing kept.
    let second = format!("Deuxième Toit {run}");
    for (which, t) in [("first token", &token), ("fresh token", &fresh)] {
        let r = api.send(
            "POST",
            "/api/organisations",
            Some(t),
            Some(&json!({ "name": second, "kind": "startup", "country": "DE" })),
        );
        assert!(
            matches!(r.status, 403 | 409),
            "{which}: a second organisation: {r:?}"
        );
        assert!(
            r.content_type.starts_with("application/problem+json"),
            "{which}: {r:?}"
        );
    }
    let r = api.send(
        "POST",
        "/api/organisations",
        Some(&token),
        Some(&json!({ "name": second, "kind": "startup", "country": "DE" })),
    );
    assert_eq!(r.status, 409, "identity's answer is the caller's: {r:?}");
    let programme = api.sign_in("programme@qmi.example");
    let (items, _) = api.everything(&format!("q={}", enc(&run)), Some(&programme));
    assert_eq!(
        ids(&items),
        vec![org.clone()],
        "no second record left behind: {items:?}"
    );
    let me = api.ok("GET", "/api/me", Some(&api.sign_in(&email)), None);
    assert_eq!(me["organisation"]["id"], org.as_str(), "{me}");
    // Another organisation's profile is not its to change.
    let other = api.organisation(
        &programme,
        json!({ "name": format!("Voisine {run}"), "kind": "sme", "country": "DE" }),
    );
    let r = api.send(
        "PATCH",
        &format!("/api/organisations/{other}"),
        Some(&fresh),
        Some(&json!({ "city": "Ailleurs" })),
    );
    assert_eq!(r.status, 403, "{r:?}");

    // The 201 answer to its creator shows the contacts it has just typed,
    // though its token does not carry the organisation yet.
    assert_eq!(
        created.body["contacts"][0]["email"],
        email.as_str(),
        "the creator's 201 answer: {created:?}"
    );
}
