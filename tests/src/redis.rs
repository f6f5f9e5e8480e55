//! A throwaway Redis server: Debian's `redis-server` (installed by
//! `scripts/test`) on a free port of 127.0.0.1, working in a temp dir,
//! persisting nothing, killed on drop.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long the server may take to answer its first `PING`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `redis-server`; killed (and its temp dir removed) on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// The `redis-server` binary: `$REDIS_SERVER`, else the one on `PATH`.
fn binary() -> PathBuf {
    std::env::var_os("REDIS_SERVER").map_or_else(|| PathBuf::from("redis-server"), PathBuf::from)
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

impl RedisServer {
    /// Starts a server and waits until it answers `PING`; panics with its
    /// output if it cannot (e.g. `redis-server` is not installed: run
    /// `scripts/test`, or `apt-get install redis-server`).
    pub fn start() -> RedisServer {
        // The port may be taken between the probe and the server's bind: try
        // a few ports.
        let mut last_error = String::new();
        for _ in 0..5 {
            match Self::try_start(free_port()) {
                Ok(server) => return server,
                Err(e) => last_error = e,
            }
        }
        panic!("redis-server did not start: {last_error}");
    }

    fn try_start(port: u16) -> Result<RedisServer, String> {
        let dir = tempfile::Builder::new()
            .prefix("qmi-redis-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let child = Command::new(binary())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(dir.path())
            .arg("--logfile")
            .arg(dir.path().join("redis.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot run {} ({e}): install Debian's redis-server (scripts/test does)",
                    binary().display()
                )
            })?;
        let mut server = RedisServer { child, port, dir };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if server.pong() {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let log = std::fs::read_to_string(server.dir.path().join("redis.log"))
                    .unwrap_or_default();
                return Err(format!("redis-server exited ({status}):\n{log}"));
            }
            if Instant::now() > deadline {
                return Err(format!("no PONG within {STARTUP_TIMEOUT:?}"));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server answers `PING`.
    fn pong(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 7];
        std::io::Write::write_all(&mut stream, b"PING\r\n").is_ok()
            && std::io::Read::read_exact(&mut stream, &mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// `redis://127.0.0.1:<port>`, for a runtime config's `url`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection to the server, to look at what a store wrote.
    pub fn connect(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("connect to the test Redis server")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
