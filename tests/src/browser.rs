//! The browser tests' harness (tests/tests/browser*.rs): `qmi up` on the root
//! manifest with the web app, headless Chromium driven through Debian's
//! `chromedriver` with `fantoccini`, and axe-core run on every page visited (a
//! serious or critical violation fails the test). A failing scenario saves a
//! screenshot into `target/browser-screenshots/<test>.png`.

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::{Qmi, QmiServer, qmi_bin, workspace_root};

/// Password of the demo accounts in these tests.
pub const DEMO_PASSWORD: &str = "browser-tests-password";
/// How long a page may take to show what a step waits for.
pub const WAIT: Duration = Duration::from_secs(15);

pub type Outcome = Result<(), String>;

pub fn root_manifest() -> PathBuf {
    workspace_root().join("spin.toml")
}

/// Builds the components and the frontend bundle once per test binary.
pub fn build_app() {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = BUILT.get_or_init(|| {
        let out = Command::new(qmi_bin())
            .args(["build", "-f"])
            .arg(root_manifest())
            .args([
                "-c",
                "web",
                "-c",
                "identity",
                "-c",
                "gateway",
                "-c",
                "applications",
                "-c",
                "districts",
                "-c",
                "experiments",
                // The partner directory (identity reads organisation cards from it).
                "-c",
                "partners",
                // Identity and applications relay their outbox to it (service chaining).
                "-c",
                "notifications",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "qmi build failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// The axe-core source, fetched once per test binary.
pub fn axe_source() -> &'static str {
    static AXE: OnceLock<Result<String, String>> = OnceLock::new();
    let outcome = AXE.get_or_init(|| {
        let dir = workspace_root().join("target/browser-axe");
        let script = workspace_root().join("tests/browser/fetch-axe.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "fetch-axe.sh failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))
    });
    match outcome {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// `qmi up` on the root manifest (web and identity, gateway in front), demo data seeded.
pub fn server() -> QmiServer {
    server_with(&[])
}

/// [`server`] with more components (e.g. `applications`, `districts`).
pub fn server_with(more: &[&str]) -> QmiServer {
    build_app();
    // The runtime config in the server's own directory: its databases and its
    // key-value store are its own.
    let mut up = Qmi::up()
        .manifest(root_manifest())
        .without_runtime_config()
        .work_file("runtime-config.toml", crate::app::runtime_config())
        .flag("--runtime-config-file", "runtime-config.toml");
    let components: Vec<&str> = ["web", "identity"]
        .into_iter()
        .chain(more.iter().copied())
        .collect();
    // Spin's loader gives a component one id per trigger with middleware.
    for id in crate::app::locked_ids(&components) {
        up = up.flag("--component-id", &id);
    }
    up.env("QMI_DEMO_PASSWORD", DEMO_PASSWORD).start()
}

/// A JSON call to the API for a test's setup (before the browser starts);
/// panics unless the status is 2xx.
pub fn api(
    server: &QmiServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Value {
    // The shared client: a 5xx (and any transport error) fails the test.
    let res = crate::http::Client::new(server).request(
        method,
        path,
        token,
        body.into(),
        &[("accept", "application/json")],
    );
    assert!((200..300).contains(&res.status), "{method} {path}: {res:?}");
    if res.text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&res.text).unwrap_or(Value::Null)
    }
}

/// An access token for a demo account.
pub fn token(server: &QmiServer, email: &str) -> String {
    let r = api(
        server,
        "POST",
        "/api/auth/token",
        None,
        Some(&json!({ "email": email, "password": DEMO_PASSWORD })),
    );
    r["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access_token for {email}: {r}"))
        .to_owned()
}

/// The account id of a demo account (`GET /api/me` signed in as it): tests name
/// people by e-mail, never by a seeded id.
pub fn account_id(server: &QmiServer, email: &str) -> String {
    let me = api(server, "GET", "/api/me", Some(&token(server, email)), None);
    me["id"]
        .as_str()
        .unwrap_or_else(|| panic!("GET /api/me as {email}: no id in {me}"))
        .to_owned()
}

/// Waits until the input `css` has the value `want`.
pub async fn wait_value(b: &Ctx, css: &str, want: &str) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = b.el(css).await?.prop("value").await.ctx("value")?;
        if got.as_deref() == Some(want) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{css} has {got:?}, not {want:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A chromedriver process on a free port, killed on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts chromedriver on a free port; panics when it cannot.
    pub fn start() -> Driver {
        Driver::try_start().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts chromedriver on a free port, or says why it did not listen.
    pub fn try_start() -> Result<Driver, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: apt-get install chromium chromium-driver (scripts/test does)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("chromedriver did not listen on port {port}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Driver { child, port })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One test's world: the server, the browser session, its profile directory.
pub struct Ctx {
    /// The server under test.
    pub server: QmiServer,
    /// The WebDriver session.
    pub c: Client,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

/// Runs a scenario in a fresh server and browser; on failure saves a screenshot and panics.
pub fn run<F>(name: &str, scenario: F)
where
    F: for<'a> FnOnce(&'a Ctx) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>,
{
    let _ = axe_source();
    run_on(name, server(), scenario);
}

/// [`run`] on a server the test started (and prepared) itself.
pub fn run_on<F>(name: &str, server: QmiServer, scenario: F)
where
    F: for<'a> FnOnce(&'a Ctx) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>,
{
    let _ = axe_source();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    rt.block_on(async move {
        let (c, driver, profile) = session().await;
        let ctx = Ctx {
            server,
            c,
            _profile: profile,
            _driver: driver,
        };
        let outcome = scenario(&ctx).await;
        if let Err(msg) = &outcome {
            let dir = workspace_root().join("target/browser-screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let path = dir.join(format!("{name}.png"));
            match ctx.c.screenshot().await {
                Ok(png) => {
                    let _ = std::fs::write(&path, png);
                    eprintln!("screenshot of the failure: {}", path.display());
                }
                Err(e) => eprintln!("no screenshot: {e}"),
            }
            let _ = ctx.c.clone().close().await;
            panic!("{name}: {msg}\n--- server stderr\n{}", ctx.server.stderr());
        }
        let _ = ctx.c.clone().close().await;
    });
}

/// How many times a WebDriver session is asked for before the test fails.
pub const SESSION_ATTEMPTS: u32 = 3;
/// How long one attempt at starting a session may take.
pub const SESSION_TIMEOUT: Duration = Duration::from_secs(60);

/// A WebDriver session in a fresh headless Chromium, with its chromedriver and
/// profile directory. A slow machine sometimes fails to start one (Chromium times
/// out, chromedriver refuses): the start, and only the start, is tried
/// [`SESSION_ATTEMPTS`] times, each with its own chromedriver and profile; the
/// test fails with every attempt's error. A scenario's steps are never retried.
async fn session() -> (Client, Driver, tempfile::TempDir) {
    let mut errors = Vec::new();
    for attempt in 1..=SESSION_ATTEMPTS {
        let driver = match Driver::try_start() {
            Ok(driver) => driver,
            Err(e) => {
                eprintln!("WebDriver attempt {attempt}: {e}");
                errors.push(format!("attempt {attempt}: {e}"));
                continue;
            }
        };
        let profile = tempfile::Builder::new()
            .prefix("qmi-chromium-")
            .tempdir()
            .expect("temp dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        // chromedriver listens on loopback over plain HTTP: no TLS stack, so
        // no process-wide crypto provider to choose.
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{}", driver.port);
        let error = match tokio::time::timeout(SESSION_TIMEOUT, builder.connect(&url)).await {
            Ok(Ok(c)) => return (c, driver, profile),
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no session after {SESSION_TIMEOUT:?}"),
        };
        eprintln!("WebDriver attempt {attempt}: {error}");
        errors.push(format!("attempt {attempt}: {error}"));
    }
    panic!(
        "no WebDriver session after {SESSION_ATTEMPTS} attempts:\n{}",
        errors.join("\n")
    );
}

/// Maps any error into the scenario's failure with what was being done.
pub trait Context<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// Fails the scenario with a message unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

impl Ctx {
    pub async fn goto(&self, path: &str) -> Outcome {
        self.c
            .goto(&self.server.url(path))
            .await
            .ctx(&format!("opening {path}"))
    }

    /// Waits for an element matching `css`.
    pub async fn el(&self, css: &str) -> Result<Element, String> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                return Ok(e);
            }
            if Instant::now() > deadline {
                return Err(format!("no element {css:?} after {WAIT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Text of the page's `<main>` (or `css`), waiting until it contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String, String> {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                last = e.text().await.unwrap_or_default();
                if last.contains(needle) {
                    return Ok(last);
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{css:?} never contained {needle:?}; last text:\n{last}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.c.execute(script, args).await.ctx("running a script")
    }

    /// The wasm modules this document has fetched: path and bytes on the wire
    /// (gzipped when the server sent them so).
    pub async fn wasm_fetched(&self) -> Result<Vec<(String, u64)>, String> {
        let list = self
            .js(
                "return performance.getEntriesByType('resource')
                    .filter(e => new URL(e.name).pathname.endsWith('.wasm'))
                    .map(e => [new URL(e.name).pathname, e.encodedBodySize]);",
                vec![],
            )
            .await?;
        serde_json::from_value(list).map_err(|e| format!("reading the resource entries: {e}"))
    }

    /// Replaces an input's value as typing would (the app listens to `input`).
    pub async fn fill(&self, css: &str, text: &str) -> Outcome {
        let e = self.el(css).await?;
        let arg = serde_json::to_value(&e).ctx("element reference")?;
        self.js("arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", vec![arg]).await?;
        e.send_keys(text).await.ctx(&format!("typing into {css}"))
    }

    /// Chooses an option of a `<select>`.
    pub async fn choose(&self, css: &str, value: &str) -> Outcome {
        let e = self.el(css).await?;
        let arg = serde_json::to_value(&e).ctx("element reference")?;
        self.js(
            "arguments[0].value = arguments[1]; for (const t of ['input', 'change']) arguments[0].dispatchEvent(new Event(t, {bubbles: true}));",
            vec![arg, json!(value)],
        )
        .await
        .map(drop)
    }

    pub async fn click(&self, css: &str) -> Outcome {
        self.el(css)
            .await?
            .click()
            .await
            .ctx(&format!("clicking {css}"))
    }

    /// Signs in through the form and waits for "Mon espace".
    pub async fn sign_in(&self, email: &str) -> Outcome {
        self.goto("/connexion").await?;
        self.fill("#connexion-email", email).await?;
        self.fill("#connexion-mot-de-passe", DEMO_PASSWORD).await?;
        self.click("#connexion-valider").await?;
        self.wait_text("#mon-email", email).await.map(drop)
    }

    /// With `QMI_SCREENSHOTS=<dir>`, saves the page as `<dir>/<name>.png` (how the
    /// signed-in screenshots of docs/screenshots/ are taken).
    pub async fn snapshot(&self, name: &str) -> Outcome {
        let Some(dir) = std::env::var_os("QMI_SCREENSHOTS") else {
            return Ok(());
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.c.screenshot().await.ctx("screenshot")?;
        std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png)
            .ctx("writing a screenshot")
    }

    /// Runs axe-core on the current page; fails on any serious or critical violation.
    pub async fn axe(&self, page: &str) -> Outcome {
        let loaded = self
            .js("return typeof window.axe === 'object';", vec![])
            .await?;
        if loaded != json!(true) {
            self.js(axe_source(), vec![])
                .await
                .ctx("injecting axe-core")?;
        }
        let found = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations
                        .filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .ctx("running axe-core")?;
        let list: Vec<String> = serde_json::from_value(found).ctx("axe results")?;
        ensure!(list.is_empty(), "axe-core on {page}:\n{}", list.join("\n"));
        Ok(())
    }
}

/// [`api`] from inside a scenario: on its own thread, since a blocking HTTP
/// client may not be made or dropped on the scenario's async runtime.
pub fn api_now(
    server: &QmiServer,
    method: &str,
    path: &str,
    email: &str,
    body: Option<&Value>,
) -> Value {
    std::thread::scope(|s| {
        s.spawn(|| api(server, method, path, Some(&token(server, email)), body))
            .join()
            .expect("API call")
    })
}

/// Waits until `css` matches exactly `n` elements.
pub async fn wait_count(b: &Ctx, css: &str, n: usize) -> Outcome {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = b.c.find_all(Locator::Css(css)).await.ctx(css)?.len();
        if got == n {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "{css} matches {got} elements, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Resizes the window and waits until the page has taken the new width: its
/// `innerWidth` has changed and holds over two animation frames (a condition, not a
/// pause: a slow machine only takes longer).
pub async fn resize(b: &Ctx, width: u32, height: u32) -> Outcome {
    const WIDTH_AFTER_TWO_FRAMES: &str = "return new Promise(done => requestAnimationFrame(() => \
        requestAnimationFrame(() => done(window.innerWidth))));";
    let before = b.js("return window.innerWidth;", vec![]).await?;
    b.c.set_window_size(width, height)
        .await
        .ctx(&format!("resizing to {width} px"))?;
    let deadline = Instant::now() + WAIT;
    let mut last = before.clone();
    loop {
        let now = b.js(WIDTH_AFTER_TWO_FRAMES, vec![]).await?;
        if now != before && now == last {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the page did not take the width {width} (innerWidth {before} before, {now} now)"
            ));
        }
        last = now;
    }
}

/// At 360 px wide, the page does not scroll sideways, and no button, link
/// styled as a button or form control lies outside the window (scrolled out of
/// sight in a wide table, say).
pub async fn fits_360(b: &Ctx, page: &str) -> Outcome {
    resize(b, 360, 800).await?;
    let over = b
        .js(
            "const out = [...document.querySelectorAll('main button, main .button, main input, main select, main textarea')]
                 .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.left < -1 || r.right > window.innerWidth + 1); })
                 .map(e => e.id || e.textContent.trim() || e.outerHTML.slice(0, 60));
             return [window.innerWidth, document.documentElement.scrollWidth - document.documentElement.clientWidth, out];",
            vec![],
        )
        .await?;
    resize(b, 1280, 900).await?;
    ensure!(
        over[0].as_i64().is_some_and(|w| w <= 400),
        "the window did not shrink: {over}"
    );
    ensure!(
        over[1].as_i64().unwrap_or(1) <= 0,
        "{page} scrolls sideways at 360 px: {over}"
    );
    ensure!(
        over[2].as_array().is_some_and(Vec::is_empty),
        "{page} has controls out of the window at 360 px: {over}"
    );
    Ok(())
}
