//! The partner directory at scale: `cargo bench -p qmi-tests --bench partners`.
//!
//! Starts `qmi up` (identity, and the partners component it chains to, behind
//! the gateway), seeds 50,000 organisations straight into the `partners`
//! database with SQL (the search index follows by the table's triggers, as for
//! any writer): names, cities, French summaries, descriptions and offers drawn
//! from a varied vocabulary (about 2% speaking of "mobilité douce" or "mobilités
//! douces", a few of a rare word), one to three of the programme's themes each,
//! presences in 130 communes, 95% public. Then, through the gateway, it prints
//! the p50 and p99 of `GET /api/organisations` (the first page of 20 with its
//! facets) for a rare word, a common word, two words, a prefix, a facet filter
//! and words with a facet — anonymous, and the common word once more for a
//! programme operator (who sees every profile) — each over
//! `QMI_BENCH_ROUNDS` requests (default 300) after 20 to warm up.
//!
//! The goal (issue 16): p50 under 5 ms. Asserts nothing but the answers' status.
//! `QMI_BENCH_ORGANISATIONS` (default 50000).

use std::time::{Duration, Instant};

use qmi_tests::{Qmi, qmi_bin, workspace_root};
use serde_json::{Value, json};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (splitmix64): the same directory every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }
}

const PREFIXES: &[&str] = &[
    "Atelier",
    "Réseau",
    "Collectif",
    "Agence",
    "Laboratoire",
    "Fabrique",
    "Coopérative",
    "Studio",
    "Maison",
    "Institut",
    "Compagnie",
    "Bureau",
    "Comptoir",
    "Fondation",
    "Groupe",
    "Société",
    "Association",
    "Les Ateliers",
    "Cité",
    "Plateforme",
];
const MIDDLES: &[&str] = &[
    "Vert",
    "Solaire",
    "Urbain",
    "Commun",
    "Durable",
    "Local",
    "Citoyen",
    "Numérique",
    "Bleu",
    "Partagé",
    "Ouvert",
    "Vivant",
    "Sobre",
    "Agile",
    "des Possibles",
    "Éclairé",
    "Fertile",
    "Solidaire",
    "Circulaire",
    "Léger",
];
const PLACES: &[&str] = &[
    "de l'Ourcq",
    "des Lilas",
    "du Canal",
    "de la Plaine",
    "des Coteaux",
    "du Marais",
    "de Belleville",
    "des Hauts",
    "du Port",
    "de la Gare",
    "du Faubourg",
    "des Docks",
    "de la Vallée",
    "du Plateau",
    "des Quais",
    "",
    "",
    "",
];
const CITIES: &[&str] = &[
    "Paris",
    "Saint-Denis",
    "Montreuil",
    "Lyon",
    "Marseille",
    "Lille",
    "Nantes",
    "Bordeaux",
    "Toulouse",
    "Strasbourg",
    "Rennes",
    "Grenoble",
    "Besançon",
    "Orléans",
    "Nîmes",
    "Créteil",
];
const FOREIGN: &[(&str, &str)] = &[
    ("DE", "Berlin"),
    ("BE", "Bruxelles"),
    ("IT", "Milan"),
    ("ES", "Barcelone"),
    ("PT", "Lisbonne"),
    ("CH", "Genève"),
    ("NL", "Rotterdam"),
];
const KINDS: &[&str] = &[
    "startup",
    "startup",
    "startup",
    "association",
    "association",
    "sme",
    "sme",
    "large_company",
    "public_body",
    "funder",
    "research",
];
const THEMES: &[&str] = &[
    "mobilité",
    "énergie",
    "climat",
    "éducation",
    "santé",
    "nature en ville",
    "déchets",
    "alimentation",
    "logement",
    "numérique",
    "culture",
    "emploi",
    "sécurité",
    "eau",
];
const SUBJECTS: &[&str] = &[
    "Nous",
    "Notre équipe",
    "La structure",
    "Depuis sa création, l'équipe",
    "Avec ses partenaires, elle",
];
const VERBS: &[&str] = &[
    "conçoit",
    "déploie",
    "accompagne",
    "installe",
    "anime",
    "finance",
    "mesure",
    "entretient",
    "expérimente",
    "fabrique",
    "évalue",
    "cartographie",
];
const OBJECTS: &[&str] = &[
    "des capteurs de qualité de l'air",
    "des panneaux solaires sur les toits des écoles",
    "des jardins partagés",
    "des ateliers de réparation de vélos",
    "des composteurs collectifs",
    "des réseaux de chaleur",
    "des logements passerelles",
    "des plateformes de données ouvertes",
    "des cantines locales et bio",
    "des îlots de fraîcheur dans les cours d'école",
    "des parcours de santé",
    "des formations au numérique",
    "des bornes de recharge",
    "des toitures végétalisées",
    "des ressourceries",
    "des navettes électriques",
    "des potagers pédagogiques",
    "des fontaines publiques",
    "des éclairages économes",
    "des services d'aide à domicile",
    "des chantiers d'insertion",
    "des récupérateurs d'eau de pluie",
    "des tiers-lieux culturels",
    "des réseaux de vélos-cargos",
];
const COMPLEMENTS: &[&str] = &[
    "avec les habitants",
    "dans les quartiers prioritaires",
    "pour les communes de moins de 20 000 habitants",
    "en lien avec les services techniques",
    "au plus près des écoles",
    "sur l'ensemble de la métropole",
    "depuis 2015",
    "avec des associations locales",
    "pour réduire la facture énergétique",
    "en zone rurale comme en ville",
    "avec les bailleurs sociaux",
    "pendant les vacances scolaires",
    "en mesurant chaque résultat",
    "à coût maîtrisé",
];
const MOBILITY: &[&str] = &[
    "Nous favorisons la mobilité douce : marche, vélo et trottinette.",
    "Nos itinéraires plantés encouragent les mobilités douces entre écoles et gares.",
    "Un programme de mobilité douce accompagne chaque chantier.",
];
const OFFER_TITLES: &[&str] = &[
    "Diagnostic",
    "Accompagnement",
    "Formation",
    "Prototype",
    "Étude de faisabilité",
    "Service clé en main",
    "Atelier participatif",
    "Tableau de bord",
];

/// A sentence of a description.
fn sentence(r: &mut Rng) -> String {
    format!(
        "{} {} {} {}.",
        r.pick(SUBJECTS),
        r.pick(VERBS),
        r.pick(OBJECTS),
        r.pick(COMPLEMENTS)
    )
}

/// A SIRET from `n`: 13 digits and the Luhn key (unique per `n`).
fn siret(n: usize) -> String {
    let base = format!("9{n:012}");
    qmi_tests::siret_with_key(&base)
}

/// Seeds `n` organisations into the partners database of the server in `dir`.
fn seed(dir: &std::path::Path, n: usize) -> (usize, usize) {
    let mut db = rusqlite::Connection::open(dir.join(".spin/partners.db")).expect("partners.db");
    db.busy_timeout(Duration::from_secs(60))
        .expect("busy timeout");
    let communes: Vec<String> = (0..130).map(|c| format!("{:05}", 20_000 + c * 7)).collect();
    let mut r = Rng(16);
    let (mut mobility, mut rare) = (0, 0);
    let tx = db.transaction().expect("transaction");
    {
        let mut org = tx
            .prepare(
                "INSERT INTO organisations (id, name, kind, country, siret, registry_number, city, website, summary_fr, description_fr, offers, contacts, public, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '[]', ?12, ?13, ?13)",
            )
            .expect("prepare");
        let mut theme = tx
            .prepare("INSERT OR IGNORE INTO organisation_themes (organisation_id, theme) VALUES (?1, ?2)")
            .expect("prepare");
        let mut presence = tx
            .prepare("INSERT OR IGNORE INTO organisation_presence (organisation_id, insee, source) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        for i in 0..n {
            let id = format!("01950000-0000-7000-8000-{i:012}");
            let place = r.pick(PLACES);
            let name = format!(
                "{} {}{}{} {}",
                r.pick(PREFIXES),
                r.pick(MIDDLES),
                if place.is_empty() { "" } else { " " },
                place,
                i
            );
            let french = r.below(10) < 7;
            let (country, city) = if french {
                ("FR", r.pick(CITIES))
            } else {
                FOREIGN[r.below(FOREIGN.len())]
            };
            let (siret, registry) = if french {
                (Some(siret(i)), None)
            } else {
                (None, Some(format!("{country}{:09}", i)))
            };
            let mut sentences: Vec<String> =
                (0..4 + r.below(4)).map(|_| sentence(&mut r)).collect();
            if r.chance(20) {
                mobility += 1;
                let at = r.below(sentences.len());
                sentences.insert(at, r.pick(MOBILITY).to_owned());
            }
            if r.chance(1) {
                rare += 1;
                sentences.push("Nous testons aussi une hydrolienne fluviale.".to_owned());
            }
            let summary = sentences[0].clone();
            let description = sentences[1..].join(" ");
            let offers: Vec<Value> = (0..1 + r.below(2))
                .map(|_| {
                    json!({ "title": format!("{} {}", r.pick(OFFER_TITLES), r.pick(OBJECTS)), "description": sentence(&mut r) })
                })
                .collect();
            let public = !r.chance(50);
            let at = format!(
                "2026-{:02}-{:02}T10:00:00Z",
                1 + r.below(11),
                1 + r.below(28)
            );
            org.execute(rusqlite::params![
                id,
                name,
                r.pick(KINDS),
                country,
                siret,
                registry,
                city,
                format!("https://org-{i}.example"),
                summary,
                description,
                Value::Array(offers).to_string(),
                i64::from(public),
                at,
            ])
            .expect("insert organisation");
            for _ in 0..1 + r.below(3) {
                theme
                    .execute(rusqlite::params![id, r.pick(THEMES)])
                    .expect("insert theme");
            }
            for _ in 0..r.below(4) {
                let source = if r.below(2) == 0 {
                    "application"
                } else {
                    "experiment"
                };
                presence
                    .execute(rusqlite::params![
                        id,
                        communes[r.below(communes.len())],
                        source
                    ])
                    .expect("insert presence");
            }
        }
    }
    tx.commit().expect("commit");
    (mobility, rare)
}

fn main() {
    let password = "bench-password";
    let manifest = workspace_root().join("spin.toml");
    let out = std::process::Command::new(qmi_bin())
        .args(["build", "-f"])
        .arg(&manifest)
        .args([
            "-c",
            "identity",
            "-c",
            "partners",
            "-c",
            "gateway",
            "-c",
            "policy",
            "-c",
            "notifications",
        ])
        .output()
        .expect("qmi build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut up = Qmi::up()
        .manifest(&manifest)
        .without_runtime_config()
        .work_file("runtime-config.toml", qmi_tests::app::runtime_config())
        .flag("--runtime-config-file", "runtime-config.toml")
        .env("QMI_DEMO_PASSWORD", password);
    // identity chains to partners: its triggers are selected with it.
    for id in qmi_tests::app::locked_ids(&["identity", "partners"]) {
        up = up.flag("--component-id", &id);
    }
    let server = up.start();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");

    let n = env("QMI_BENCH_ORGANISATIONS", 50_000);
    let rounds = env("QMI_BENCH_ROUNDS", 300);
    let started = Instant::now();
    let (mobility, rare) = seed(server.work_dir(), n);
    println!(
        "seeded {n} organisations ({mobility} on mobilité douce, {rare} with a rare word) in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let operator: Value = serde_json::from_slice(
        &http
            .post(server.url("/api/auth/token"))
            .header("content-type", "application/json")
            .body(json!({ "email": "programme@qmi.example", "password": password }).to_string())
            .send()
            .expect("sign in")
            .bytes()
            .expect("body"),
    )
    .expect("json");
    let operator = operator["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();

    let queries: &[(&str, &str, bool)] = &[
        ("rare word", "q=hydrolienne", false),
        ("common word", "q=habitants", false),
        ("two words", "q=mobilite%20douces", false),
        ("prefix", "q=mobil", false),
        ("facet filter", "theme=mobilit%C3%A9&kind=startup", false),
        (
            "words and facet",
            "q=capteurs&country=FR&theme=climat",
            false,
        ),
        ("common word, operator", "q=habitants", true),
    ];
    println!(
        "GET /api/organisations through the gateway, {rounds} requests each (first page of 20, facets of every match):"
    );
    for (label, query, signed_in) in queries {
        let url = server.url(&format!("/api/organisations?{query}"));
        let send = || {
            let mut req = http.get(&url);
            if *signed_in {
                req = req.bearer_auth(&operator);
            }
            let r = req.send().expect("answer");
            assert_eq!(r.status().as_u16(), 200, "{label}");
            r.bytes().expect("body")
        };
        let first: Value = serde_json::from_slice(&send()).expect("json");
        for _ in 0..20 {
            send();
        }
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            send();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  {label:<24} ?{query:<40} {:>6} matches  p50 {:6.2} ms  p99 {:6.2} ms",
            first["total"],
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
}
