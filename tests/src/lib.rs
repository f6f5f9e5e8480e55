//! Test support: start `qmi up` as a real process on the conformance fixtures and talk
//! to it over real HTTP.
//!
//! - [`Qmi::up`] builds a server invocation; [`Up::start`] spawns it in a fresh temp
//!   directory and waits for its `Serving http://…` line; [`Up::expect_failure`] expects
//!   it to exit with an error instead.
//! - [`QmiServer::mailbox`] reads the e-mails the app sent to `qmi up`'s development
//!   mailbox, injects delivery faults and moves the [`Up::manual_clock`].
//! - The fixtures are built once per test binary with `qmi build -f tests/fixtures/spin.toml`.
//! - The binary is `$QMI_BIN`, else `<workspace>/target/release/qmi`.
//! - At most `$QMI_TESTS_SERVERS` (default 2) servers run at once, so timing-sensitive
//!   tests (deadlines, idle timeouts) are not starved on a small machine.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to print its `Serving` line (or to fail): a
/// deadline for a hung start, not a measure (a cold start compiles every
/// component, which takes minutes on a loaded 2-core machine).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(240);

/// Secret given to the fixtures through `SPIN_VARIABLE_API_KEY` by default.
pub const API_KEY: &str = "s3cret-from-env";

/// Value of the application variable `target` given through `SPIN_VARIABLE_TARGET`.
pub const TARGET: &str = "conformance";

/// The Cargo workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The fixtures directory, `tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The fixture manifest, `tests/fixtures/spin.toml`.
pub fn fixture_manifest() -> PathBuf {
    fixtures_dir().join("spin.toml")
}

/// The fixture runtime config, `tests/fixtures/runtime-config.toml`.
pub fn fixture_runtime_config() -> PathBuf {
    fixtures_dir().join("runtime-config.toml")
}

/// Path of a built fixture component, e.g. `fixture_path("echo")`.
pub fn fixture_wasm(name: &str) -> PathBuf {
    workspace_root()
        .join("target/wasm32-wasip2/release")
        .join(format!("fixture_{}.wasm", name.replace('-', "_")))
}

/// The `qmi` binary under test.
pub fn qmi_bin() -> PathBuf {
    match std::env::var_os("QMI_BIN") {
        Some(bin) => PathBuf::from(bin),
        None => workspace_root().join("target/release/qmi"),
    }
}

/// Runs `qmi build -f tests/fixtures/spin.toml` once per test binary; panics (in every
/// caller) if it failed.
pub fn build_fixtures() {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = BUILT.get_or_init(|| {
        let bin = qmi_bin();
        if !bin.exists() {
            return Err(format!(
                "{} does not exist: run `cargo build --release -p qmi` or set QMI_BIN",
                bin.display()
            ));
        }
        let out = Command::new(&bin)
            .arg("build")
            .arg("-f")
            .arg(fixture_manifest())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        if !out.status.success() {
            return Err(format!(
                "`qmi build` failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    });
    if let Err(msg) = outcome {
        panic!("{msg}");
    }
}

/// A counting semaphore bounding how many servers run at once.
struct Slots {
    free: Mutex<usize>,
    cond: Condvar,
}

/// Holds one server slot until dropped.
struct Permit(&'static Slots);

impl Slots {
    /// The process-wide slots, sized by `$QMI_TESTS_SERVERS` (default 2).
    fn global() -> &'static Slots {
        static SLOTS: OnceLock<Slots> = OnceLock::new();
        SLOTS.get_or_init(|| Slots {
            free: Mutex::new(
                std::env::var("QMI_TESTS_SERVERS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n: &usize| n > 0)
                    .unwrap_or(2),
            ),
            cond: Condvar::new(),
        })
    }

    /// Waits for a free slot.
    fn acquire(&'static self) -> Permit {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.cond.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.cond.notify_one();
    }
}

/// Entry point of the builder: `Qmi::up().flag("--request-timeout", "2s").start()`.
pub struct Qmi;

impl Qmi {
    /// A `qmi up` invocation on the fixture manifest and runtime config, with
    /// `SPIN_VARIABLE_API_KEY` and `SPIN_VARIABLE_TARGET` set.
    pub fn up() -> Up {
        Up {
            manifest: fixture_manifest(),
            runtime_config: Some(fixture_runtime_config()),
            data_dir: None,
            work_dir: None,
            work_files: Vec::new(),
            args: Vec::new(),
            database: None,
            postgres_by_dir: false,
            env: vec![
                ("SPIN_VARIABLE_API_KEY".into(), API_KEY.into()),
                ("SPIN_VARIABLE_TARGET".into(), TARGET.into()),
            ],
        }
    }
}

/// A `qmi up` invocation being prepared.
pub struct Up {
    manifest: PathBuf,
    runtime_config: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    work_dir: Option<PathBuf>,
    work_files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// The PostgreSQL database the server uses (`--database-url`), if any.
    database: Option<std::sync::Arc<postgres::TestDatabase>>,
    /// [`Up::on_postgres`]: the database is chosen when the server starts.
    postgres_by_dir: bool,
}

impl Up {
    /// Uses another manifest.
    pub fn manifest(mut self, path: impl Into<PathBuf>) -> Self {
        self.manifest = path.into();
        self
    }

    /// Omits `--runtime-config-file`.
    pub fn without_runtime_config(mut self) -> Self {
        self.runtime_config = None;
        self
    }

    /// Uses this data directory instead of a fresh one (e.g. to restart on the same data).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Runs the server in `dir` (its working directory, where relative SQLite paths
    /// of the runtime config resolve) instead of a fresh temp dir: two servers in one
    /// directory with one runtime config share its databases and stores.
    pub fn in_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.work_dir = Some(dir.into());
        self
    }

    /// Writes `contents` to `name` in the server's working directory before it
    /// starts (e.g. a runtime config given by its relative path).
    pub fn work_file(mut self, name: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.work_files.push((name.to_owned(), contents.into()));
        self
    }

    /// Adds `name value` to the command line.
    pub fn flag(mut self, name: &str, value: &str) -> Self {
        self.args.push(name.to_owned());
        self.args.push(value.to_owned());
        self
    }

    /// Runs the server with `--clock manual`: the guests' wall clock starts at the real
    /// time and moves only with [`mailbox::Mailbox::advance_clock`].
    pub fn manual_clock(self) -> Self {
        self.flag("--clock", "manual")
    }

    /// Serves the operator's metrics on a free port (`--metrics-listen
    /// 127.0.0.1:0`): [`QmiServer::metrics_url`].
    pub fn with_metrics(self) -> Self {
        self.flag("--metrics-listen", "127.0.0.1:0")
    }

    /// Sets an environment variable for the server.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Serves from a fresh PostgreSQL database of its own, or, when it runs
    /// [`Up::in_dir`] a directory another server runs in, from that server's
    /// database (replicas of one deployment share their data).
    pub fn on_postgres(mut self) -> Self {
        self.postgres_by_dir = true;
        self
    }

    /// Serves from a PostgreSQL database (`--database-url`, the admin's URL)
    /// instead of SQLite files; the database lives as long as the server (and
    /// any other server given it).
    pub fn database(mut self, database: std::sync::Arc<postgres::TestDatabase>) -> Self {
        self.args.retain(|a| !a.starts_with("--database-url="));
        self.args.push(format!("--database-url={}", database.url()));
        self.database = Some(database);
        self
    }

    /// Spawns the server in a fresh temp dir (its working directory; the data dir is
    /// `<tmp>/data` unless given) and returns the child with its output collectors.
    fn spawn(self) -> (Child, Collected, tempfile::TempDir, PathBuf, PathBuf) {
        build_fixtures();
        let work = tempfile::Builder::new()
            .prefix("qmi-conformance-")
            .tempdir()
            .expect("temp dir");
        let cwd = self
            .work_dir
            .clone()
            .unwrap_or_else(|| work.path().to_path_buf());
        for (name, contents) in &self.work_files {
            std::fs::write(cwd.join(name), contents).expect("write a file into the work dir");
        }
        let data_dir = self.data_dir.clone().unwrap_or_else(|| cwd.join("data"));
        let mut cmd = Command::new(qmi_bin());
        cmd.current_dir(&cwd)
            .arg("up")
            .arg("-f")
            .arg(&self.manifest)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data_dir);
        if let Some(rc) = &self.runtime_config {
            cmd.arg("--runtime-config-file").arg(rc);
        }
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn {}: {e}", qmi_bin().display()));
        let collected = Collected::attach(&mut child);
        (child, collected, work, data_dir, cwd)
    }

    /// Starts the server and waits for `Serving http://…`; panics with its output if it
    /// exits or stays silent for [`STARTUP_TIMEOUT`].
    pub fn start(mut self) -> QmiServer {
        let permit = Slots::global().acquire();
        if self.postgres_by_dir && self.database.is_none() {
            self = match self.work_dir.clone() {
                Some(dir) => self.database(postgres::TestDatabase::for_dir(&dir)),
                None => self.database(std::sync::Arc::new(postgres::TestDatabase::new())),
            };
        }
        let database = self.database.clone();
        let (mut child, collected, work, data_dir, cwd) = self.spawn();
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(base_url) = collected.serving_url() {
                return QmiServer {
                    child,
                    mailbox_url: collected.mailbox_url(),
                    metrics_url: collected.metrics_url(),
                    base_url,
                    collected,
                    data_dir,
                    cwd,
                    _work: work,
                    client: client(),
                    _permit: permit,
                    _database: database,
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                collected.finish();
                panic!(
                    "qmi up exited ({status}) before serving\n{}",
                    collected.describe()
                );
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                collected.finish();
                panic!(
                    "qmi up printed no `Serving http://…` line within {STARTUP_TIMEOUT:?}\n{}",
                    collected.describe()
                );
            }
            collected.wait_for_output(Duration::from_millis(100));
        }
    }

    /// Starts the server expecting it to fail at startup: returns its exit status and
    /// output; panics if it starts serving or hangs.
    pub fn expect_failure(self) -> StartupFailure {
        let _permit = Slots::global().acquire();
        let (mut child, collected, _work, _data, _cwd) = self.spawn();
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                collected.finish();
                assert!(
                    !status.success(),
                    "qmi up was expected to fail but exited successfully\n{}",
                    collected.describe()
                );
                return StartupFailure {
                    status,
                    stdout: collected.stdout(),
                    stderr: collected.stderr(),
                };
            }
            if collected.serving_url().is_some() || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                collected.finish();
                panic!(
                    "qmi up was expected to fail at startup, but it served or hung\n{}",
                    collected.describe()
                );
            }
            collected.wait_for_output(Duration::from_millis(100));
        }
    }
}

/// How a server that was expected to fail at startup ended.
#[derive(Debug)]
pub struct StartupFailure {
    /// Its (unsuccessful) exit status.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

/// The stdout and stderr of a child, collected by reader threads.
#[derive(Clone)]
struct Collected {
    state: Arc<(Mutex<Output>, Condvar)>,
}

/// What has been read so far.
#[derive(Default)]
struct Output {
    stdout: String,
    stderr: String,
    readers: Vec<Option<thread::JoinHandle<()>>>,
}

impl Collected {
    /// Starts one reader thread per pipe.
    fn attach(child: &mut Child) -> Self {
        let collected = Collected {
            state: Arc::new((Mutex::new(Output::default()), Condvar::new())),
        };
        let out = child.stdout.take().expect("piped stdout");
        let err = child.stderr.take().expect("piped stderr");
        let a = collected.reader(out, true);
        let b = collected.reader(err, false);
        collected.lock().readers = vec![Some(a), Some(b)];
        collected
    }

    /// Reads a pipe line by line into the shared output.
    fn reader(&self, pipe: impl Read + Send + 'static, is_stdout: bool) -> thread::JoinHandle<()> {
        let me = self.clone();
        thread::spawn(move || {
            let mut lines = BufReader::new(pipe);
            let mut line = Vec::new();
            while matches!(lines.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let text = String::from_utf8_lossy(&line).into_owned();
                {
                    let mut out = me.lock();
                    if is_stdout {
                        out.stdout.push_str(&text);
                    } else {
                        out.stderr.push_str(&text);
                    }
                }
                me.state.1.notify_all();
                line.clear();
            }
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Output> {
        self.state.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until more output arrives or `timeout` passes.
    fn wait_for_output(&self, timeout: Duration) {
        let guard = self.lock();
        let _ = self.state.1.wait_timeout(guard, timeout);
    }

    /// Joins the reader threads (after the child has exited).
    fn finish(&self) {
        let handles: Vec<_> = self
            .lock()
            .readers
            .iter_mut()
            .filter_map(Option::take)
            .collect();
        for handle in handles {
            let _ = handle.join();
        }
    }

    fn stdout(&self) -> String {
        self.lock().stdout.clone()
    }

    fn stderr(&self) -> String {
        self.lock().stderr.clone()
    }

    /// The base URL from a complete `Serving http://…` line, if printed yet.
    fn serving_url(&self) -> Option<String> {
        let out = self.lock();
        out.stdout
            .lines()
            .zip(out.stdout.split_inclusive('\n'))
            .find_map(|(line, raw)| {
                let url = line.trim().strip_prefix("Serving ")?;
                (raw.ends_with('\n') && url.starts_with("http://"))
                    .then(|| url.trim_end_matches('/').to_owned())
            })
    }

    /// The mailbox's base URL from the `Mailbox: http://…/` line (printed before
    /// the `Serving` line), if any.
    fn mailbox_url(&self) -> Option<String> {
        let out = self.lock();
        out.stdout.lines().find_map(|line| {
            let url = line.trim().strip_prefix("Mailbox: ")?;
            url.starts_with("http://")
                .then(|| url.trim_end_matches('/').to_owned())
        })
    }

    /// The metrics listener's base URL from the `Metrics: http://…/metrics`
    /// line (printed before the `Serving` line), if any.
    fn metrics_url(&self) -> Option<String> {
        let out = self.lock();
        out.stdout.lines().find_map(|line| {
            let url = line.trim().strip_prefix("Metrics: ")?;
            url.strip_suffix("/metrics")
                .filter(|base| base.starts_with("http://"))
                .map(str::to_owned)
        })
    }

    /// Both streams, for failure messages.
    fn describe(&self) -> String {
        let out = self.lock();
        format!("--- stdout\n{}\n--- stderr\n{}", out.stdout, out.stderr)
    }
}

/// A running `qmi up`; stopped (SIGTERM, then SIGKILL) on drop.
pub struct QmiServer {
    child: Child,
    base_url: String,
    mailbox_url: Option<String>,
    metrics_url: Option<String>,
    collected: Collected,
    data_dir: PathBuf,
    cwd: PathBuf,
    /// The fresh temp dir (the working directory unless [`Up::in_dir`] named another).
    _work: tempfile::TempDir,
    client: reqwest::blocking::Client,
    _permit: Permit,
    /// Dropped after the server stops.
    _database: Option<std::sync::Arc<postgres::TestDatabase>>,
}

/// An HTTP client for the tests: no redirects, no proxy, generous timeout.
fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

impl QmiServer {
    /// Starts `qmi up` on the fixtures with extra command-line arguments
    /// (`name`, `value` pairs), e.g. `QmiServer::start(&[("--request-timeout", "2s")])`.
    pub fn start(flags: &[(&str, &str)]) -> QmiServer {
        flags
            .iter()
            .fold(Qmi::up(), |up, (name, value)| up.flag(name, value))
            .start()
    }

    /// `http://127.0.0.1:PORT`, as printed on the `Serving` line.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `host:port` authority of the base URL.
    pub fn authority(&self) -> &str {
        self.base_url.trim_start_matches("http://")
    }

    /// The absolute URL of `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base_url, path_and_query)
    }

    /// A client of the development mailbox (the server's dev port, also where its
    /// manual clock is moved); panics if the server runs with `--no-mailbox`.
    pub fn mailbox(&self) -> mailbox::Mailbox {
        let url = self.mailbox_url.as_deref().unwrap_or_else(|| {
            panic!(
                "qmi up printed no `Mailbox:` line (--no-mailbox?)\n{}",
                self.collected.describe()
            )
        });
        mailbox::Mailbox::new(url)
    }

    /// The base URL of the operator's metrics listener (`http://127.0.0.1:PORT`,
    /// serving `/metrics` and `/usage/requests`); panics unless the server was
    /// started [`Up::with_metrics`].
    pub fn metrics_url(&self) -> &str {
        self.metrics_url.as_deref().unwrap_or_else(|| {
            panic!(
                "qmi up printed no `Metrics:` line (started without --metrics-listen?)\n{}",
                self.collected.describe()
            )
        })
    }

    /// The `--data-dir` given to the server.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server's working directory (relative runtime-config paths resolve here).
    pub fn work_dir(&self) -> &Path {
        &self.cwd
    }

    /// The PostgreSQL database the server serves from (`--database-url`), if any.
    pub fn database(&self) -> Option<&postgres::TestDatabase> {
        self._database.as_deref()
    }

    /// What the server printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.collected.stdout()
    }

    /// What the server printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.collected.stderr()
    }

    /// Waits up to `timeout` for stdout to contain `needle`; returns whether it did.
    pub fn wait_for_stdout(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.collected.stdout().contains(needle) {
                return true;
            }
            self.collected.wait_for_output(Duration::from_millis(50));
        }
        self.collected.stdout().contains(needle)
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path)))
    }

    /// `GET path` with extra request headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let req = headers
            .iter()
            .fold(self.client.get(self.url(path)), |req, (k, v)| {
                req.header(*k, *v)
            });
        self.send(req)
    }

    /// `HEAD path` with extra request headers.
    pub fn head_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let req = headers
            .iter()
            .fold(self.client.head(self.url(path)), |req, (k, v)| {
                req.header(*k, *v)
            });
        self.send(req)
    }

    /// `POST path` with a body and extra request headers.
    pub fn post(&self, path: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
        let req = headers
            .iter()
            .fold(self.client.post(self.url(path)), |req, (k, v)| {
                req.header(*k, *v)
            })
            .body(body.to_owned());
        self.send(req)
    }

    /// Sends a request; panics with the server's stderr if the transport fails.
    fn send(&self, req: reqwest::blocking::RequestBuilder) -> Reply {
        let resp = req.send().unwrap_or_else(|e| {
            panic!(
                "request failed: {e:?}\n--- server stderr\n{}",
                self.collected.stderr()
            )
        });
        Reply::read(resp)
    }

    /// Whether the server still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends `signal` (e.g. `libc::SIGTERM`) and waits up to `timeout` for the exit;
    /// `None` if it did not exit in time (it is then killed).
    pub fn stop_with(mut self, signal: i32, timeout: Duration) -> Option<ExitStatus> {
        let status = self.signal_and_wait(signal, timeout);
        if status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        status
    }

    /// Sends a signal, then polls for the exit until `timeout`.
    fn signal_and_wait(&mut self, signal: i32, timeout: Duration) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: `pid` is our own child, not yet reaped (try_wait above saw it running).
        unsafe {
            libc::kill(pid, signal);
        }
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for QmiServer {
    fn drop(&mut self) {
        if self
            .signal_and_wait(libc::SIGTERM, Duration::from_secs(5))
            .is_none()
        {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A fully read HTTP response.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, lower-case names; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// Body as text (lossy UTF-8).
    pub body: String,
}

impl Reply {
    /// Reads a response to the end.
    fn read(resp: reqwest::blocking::Response) -> Reply {
        let status = resp.status().as_u16();
        let mut headers = BTreeMap::<String, String>::new();
        for (name, value) in resp.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        let body = resp.text().unwrap_or_else(|e| format!("<body error: {e}>"));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A response header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The body parsed as JSON; panics with the body if it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!("response ({}) is not JSON: {e}\n{}", self.status, self.body)
        })
    }

    /// Asserts a `200` and returns the JSON echo of fixture-echo.
    pub fn echo(&self) -> Echo {
        assert_eq!(self.status, 200, "expected 200, got {self:?}");
        Echo(self.json())
    }
}

/// The JSON report of fixture-echo's default route.
#[derive(Debug, Clone)]
pub struct Echo(pub serde_json::Value);

impl Echo {
    /// A request header as the component saw it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.0["headers"][name].as_str()
    }

    /// A request header the component must have seen.
    pub fn require_header(&self, name: &str) -> &str {
        self.header(name)
            .unwrap_or_else(|| panic!("the component saw no `{name}` header: {:#}", self.0))
    }

    /// The value of a component variable, or `Err` with the guest's error text.
    pub fn variable(&self, name: &str) -> Result<String, String> {
        let v = &self.0["variables"][name];
        match (v["value"].as_str(), v["error"].as_str()) {
            (Some(value), _) => Ok(value.to_owned()),
            (None, Some(err)) => Err(err.to_owned()),
            _ => panic!("no report for variable {name}: {:#}", self.0),
        }
    }

    /// A top-level string field (`method`, `uri`, `path`, `query`, `body`).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.0[name].as_str()
    }
}

/// Writes a variant of the fixture manifest into `dir` (component sources made absolute,
/// the `files` mount dropped since Spin requires mount sources relative to the manifest),
/// with `edit` applied to its text; returns the new manifest's path. No runtime config
/// lies beside it.
pub fn manifest_variant(dir: &Path, edit: impl FnOnce(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(fixture_manifest()).expect("read fixture manifest");
    let target = workspace_root().join("target");
    let text: String = text
        .replace("\"../../target/", &format!("\"{}/", target.display()))
        .lines()
        .filter(|line| !line.starts_with("files = "))
        .map(|line| format!("{line}\n"))
        .collect();
    let path = dir.join("spin.toml");
    std::fs::write(&path, edit(text)).expect("write manifest variant");
    path
}

/// A SIRET from its 13 first digits: `base` followed by its Luhn key (14 digits
/// from the right, every second one doubled: those at an even index of `base`).
pub fn siret_with_key(base: &str) -> String {
    let sum: u32 = base
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    format!("{base}{}", (10 - sum % 10) % 10)
}

pub mod app;
pub mod browser;
pub mod crd;
pub mod gateway;
pub mod http;
pub mod ingress;
pub mod invite;
pub mod mailbox;
pub mod postgres;
pub mod redis;
