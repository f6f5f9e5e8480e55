//! The route table of `qmi bench`: what the web component's static files cost
//! against the health route through the gateway, and the registry's reads
//! against the native baseline, at 130 and at 10,000 communes.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use http::StatusCode;

use super::load::{Figures, Probe, fetch, load, micros, plain_hyper};

/// One measured row.
struct Row {
    label: String,
    figures: Figures,
}

/// Measures every probe against `addr`, `duration` each, after a short warm-up.
async fn measure(
    addr: SocketAddr,
    probes: Vec<(String, Probe)>,
    connections: usize,
    duration: Duration,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (label, probe) in probes {
        load(addr, &probe, connections, Duration::from_millis(300)).await?;
        let figures = load(addr, &probe, connections, duration).await?;
        if figures.errors > 0 {
            bail!(
                "{label}: {} answers were not {}",
                figures.errors,
                probe.expect
            );
        }
        rows.push(Row { label, figures });
    }
    Ok(rows)
}

/// The name of the bundle's hashed wasm file (`<stem>-<hash>_bg.wasm`).
fn hashed_wasm(bundle: &Path) -> Result<String> {
    std::fs::read_dir(bundle)
        .with_context(|| format!("reading the bundle {}", bundle.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .find(|name| name.ends_with("_bg.wasm"))
        .with_context(|| {
            format!(
                "no hashed _bg.wasm in {} (run `qmi build`)",
                bundle.display()
            )
        })
}

/// Static files against `/api/health` through the gateway: throughput, p50,
/// p99 and each row's p50 over the health route's.
pub async fn static_files(
    addr: SocketAddr,
    bundle: &Path,
    connections: usize,
    duration: Duration,
) -> Result<()> {
    let wasm = format!("/{}", hashed_wasm(bundle)?);
    let gzip = |path: &str| Probe::get(path).header("accept-encoding", "gzip, deflate, br");
    let index = gzip("/index.html")?;
    let (status, headers, _) = fetch(addr, &index).await?;
    if status != StatusCode::OK {
        bail!("/index.html answered {status}");
    }
    let etag = headers
        .get(http::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut probes = vec![
        (
            "/api/health (gateway + web)".to_owned(),
            Probe::get("/api/health"),
        ),
        ("/index.html, gzip".to_owned(), index.clone()),
        (format!("{wasm}, gzip"), gzip(&wasm)?),
        (
            "/une/page/inconnue (client route)".to_owned(),
            gzip("/une/page/inconnue")?,
        ),
    ];
    match etag {
        Some(etag) => probes.push((
            "/index.html, If-None-Match → 304".to_owned(),
            index
                .header("if-none-match", &etag)?
                .expect(StatusCode::NOT_MODIFIED),
        )),
        None => println!("\n/index.html has no ETag: no revalidation row"),
    }
    let mut rows = measure(addr, probes, connections, duration).await?;
    // The floor for the wasm row: a plain hyper server sending the same bytes.
    let (_, _, bytes) = fetch(addr, &gzip(&wasm)?).await?;
    let size = bytes.len();
    let plain = plain_hyper(bytes).await?;
    rows.extend(
        measure(
            plain,
            vec![(
                format!("plain hyper, the same {} KiB (reference)", size / 1024),
                Probe::get("/"),
            )],
            connections,
            duration,
        )
        .await?,
    );
    let health = rows
        .first()
        .map_or(Duration::ZERO, |r| r.figures.percentile(0.5));
    println!(
        "\nStatic files against the health route through the gateway (qmi, default reuse)\n{:<58} {:>9} {:>10} {:>10} {:>14}",
        "route", "req/s", "p50 µs", "p99 µs", "p50 / health"
    );
    for row in &rows {
        let p50 = row.figures.percentile(0.5);
        println!(
            "{:<58} {:>9.0} {:>10.1} {:>10.1} {:>14.2}",
            row.label,
            row.figures.rps(),
            micros(p50),
            micros(row.figures.percentile(0.99)),
            p50.as_secs_f64() / health.as_secs_f64().max(f64::EPSILON)
        );
    }
    Ok(())
}

/// What one size of the registry measured: qmi's page, the native page, qmi's figures.
pub struct Registry {
    communes: usize,
    page: Figures,
    native: Figures,
    figures: Figures,
}

/// The registry's first page through qmi and from the native server (after
/// checking both answer the same JSON), and `/api/figures` through qmi.
pub async fn registry(
    qmi: SocketAddr,
    native: SocketAddr,
    communes: usize,
    connections: usize,
    duration: Duration,
) -> Result<Registry> {
    let page = Probe::get("/api/communes?limit=20");
    let (_, _, ours) = fetch(qmi, &page).await?;
    let (_, _, theirs) = fetch(native, &page).await?;
    let ours: serde_json::Value = serde_json::from_slice(&ours).context("qmi's page")?;
    let theirs: serde_json::Value = serde_json::from_slice(&theirs).context("the native page")?;
    if ours != theirs {
        bail!("the native server's page differs from qmi's:\n{ours}\n{theirs}");
    }
    let mut rows = measure(
        qmi,
        vec![
            ("page".to_owned(), page.clone()),
            ("figures".to_owned(), Probe::get("/api/figures")),
        ],
        connections,
        duration,
    )
    .await?;
    let native = measure(
        native,
        vec![("native".to_owned(), page)],
        connections,
        duration,
    )
    .await?;
    let (Some(figures), Some(page), Some(native)) =
        (rows.pop(), rows.pop(), native.into_iter().next())
    else {
        bail!("a registry measurement is missing");
    };
    Ok(Registry {
        communes,
        page: page.figures,
        native: native.figures,
        figures: figures.figures,
    })
}

/// The registry's rows: p50 and req/s at each size, and the larger size's p50
/// over the smaller's; then qmi over the native baseline.
pub fn print_registry(small: &Registry, large: &Registry) {
    println!(
        "\nRegistry reads (qmi: gateway, policy, identity, SQLite; native: hyper + rusqlite on the same file)\n{:<44} {:>24} {:>24} {:>10}",
        "",
        format!("{} communes", small.communes),
        format!("{} communes", large.communes),
        "ratio"
    );
    let cell = |f: &Figures| {
        format!(
            "p50 {:>7.1} µs {:>7.0}/s",
            micros(f.percentile(0.5)),
            f.rps()
        )
    };
    let ratio = |a: &Figures, b: &Figures| {
        b.percentile(0.5).as_secs_f64() / a.percentile(0.5).as_secs_f64().max(f64::EPSILON)
    };
    for (label, a, b) in [
        ("/api/communes?limit=20, qmi", &small.page, &large.page),
        (
            "/api/communes?limit=20, native",
            &small.native,
            &large.native,
        ),
        ("/api/figures, qmi", &small.figures, &large.figures),
    ] {
        println!(
            "{label:<44} {:>24} {:>24} {:>9.2}×",
            cell(a),
            cell(b),
            ratio(a, b)
        );
    }
    println!(
        "{:<44} {:>23.2}× {:>23.2}×",
        "qmi / native (p50)",
        ratio(&small.native, &small.page),
        ratio(&large.native, &large.page)
    );
}

/// Adds synthetic communes (départements outside the Métropole) to the
/// identity database until it holds `total`, in one transaction; the
/// registry's triggers keep its tallies. Returns how many it holds.
pub fn grow_registry(database: &Path, total: usize) -> Result<usize> {
    let mut conn = rusqlite::Connection::open(database)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    let tx = conn.transaction()?;
    let have: i64 = tx.query_row("SELECT COUNT(*) FROM communes", [], |r| r.get(0))?;
    let mut have = usize::try_from(have).unwrap_or(0);
    {
        let mut insert = tx.prepare(
            "INSERT OR IGNORE INTO communes (insee, name, name_norm, departement, population, status) \
             VALUES (?1, ?2, ?3, ?4, 1000, 'member')",
        )?;
        'fill: for dep in (1..=90).filter(|d| *d != 75) {
            for n in 1..=200 {
                if have >= total {
                    break 'fill;
                }
                let insee = format!("{dep:02}{n:03}");
                have += insert.execute(rusqlite::params![
                    insee,
                    format!("Commune synthétique {insee}"),
                    format!("commune synthetique {insee}"),
                    format!("{dep:02}"),
                ])?;
            }
        }
    }
    tx.commit()?;
    // The readers that follow must not pay for a WAL holding the whole load.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(have)
}
