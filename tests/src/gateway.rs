//! Support for the gateway tests and bench: an application where the `gateway`
//! middleware fronts the `whoami` fixture, a fresh Ed25519 key pair to sign tokens with,
//! tenant statuses seeded into Spin's key-value file, and a raw HTTP/1.1 client for
//! requests `reqwest` will not send (hop-by-hop headers, chunked bodies).
//!
//! Routes of the application: `/api/...` → gateway → whoami; `/plain/...` → whoami
//! without the gateway (for the bench).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{Qmi, QmiServer, workspace_root};

/// An Ed25519 key pair for signing test tokens.
pub struct Keys {
    /// The signing key.
    pub encoding: EncodingKey,
    /// The SPKI PEM public key, as the gateway reads it from `jwt_public_key`.
    pub public_pem: String,
    /// The PKCS#8 PEM private key, as `identity` reads it from `jwt_private_key`.
    pub private_pem: String,
}

impl Keys {
    /// A fresh key pair from the operating system's randomness.
    pub fn generate() -> Keys {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("randomness");
        let sk = SigningKey::from_bytes(&seed);
        let private_pem = sk.to_pkcs8_pem(LineEnding::LF).expect("pkcs8").to_string();
        Keys {
            encoding: EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("ed25519 pem"),
            public_pem: sk
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .expect("spki"),
            private_pem,
        }
    }

    /// Signs `claims` with EdDSA.
    pub fn sign(&self, claims: &Value) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &self.encoding)
            .expect("sign token")
    }
}

/// The current Unix time in seconds.
pub fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Valid access-token claims (contract "Access token") for the given platform roles and
/// commune memberships (`[("93066", "admin")]`).
pub fn claims(ops: &[&str], mem: &[(&str, &str)]) -> Value {
    let mem: serde_json::Map<String, Value> = mem
        .iter()
        .map(|(i, r)| ((*i).to_owned(), json!(r)))
        .collect();
    json!({
        "iss": "qmi", "aud": "qmi-api", "sub": "0190c5f2-7a1b-7c3d-8e4f-000000000001",
        "iat": now(), "nbf": now(), "exp": now() + 900, "jti": "0190c5f2-7a1b-4c3d-8e4f-0000000000aa",
        "name": "Camille Martin", "lang": "fr", "ops": ops, "mem": mem,
    })
}

/// Builds the gateway and the whoami fixture once per process.
pub fn build_components() {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let out = Command::new(cargo)
            .current_dir(workspace_root())
            .args(["build", "--target", "wasm32-wasip2", "--release"])
            .args(["-p", "qmi-gateway", "-p", "fixture-whoami"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "building the gateway and whoami failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(msg) = outcome {
        panic!("{msg}");
    }
}

/// Writes the gateway test manifest into `dir`; returns its path. The middleware
/// attachment is exactly the one every `/api` trigger of the root manifest uses.
pub fn write_manifest(dir: &Path) -> PathBuf {
    let wasm = workspace_root().join("target/wasm32-wasip2/release");
    let text = format!(
        r#"spin_manifest_version = 2

[application]
name = "qmi-gateway-tests"
version = "0.1.0"

[variables]
jwt_public_key = {{ default = "" }}
jwt_issuer = {{ default = "qmi" }}
jwt_audience = {{ default = "qmi-api" }}

[[trigger.http]]
route = "/api/..."
component = "whoami"
dependencies.middleware = [{{ component = "gateway", inherit_configuration = ["variables", "key_value_stores"] }}]

[[trigger.http]]
route = "/plain/..."
component = "whoami"

[component.whoami]
source = "{wasm}/fixture_whoami.wasm"
key_value_stores = ["default"]
[component.whoami.variables]
jwt_public_key = "{{{{ jwt_public_key }}}}"
jwt_issuer = "{{{{ jwt_issuer }}}}"
jwt_audience = "{{{{ jwt_audience }}}}"

[component.gateway]
source = "{wasm}/qmi_gateway.wasm"
"#,
        wasm = wasm.display()
    );
    let path = dir.join("spin.toml");
    std::fs::write(&path, text).expect("write gateway manifest");
    path
}

/// Writes tenant statuses (`[("93066", "district")]`) into `<data_dir>/sqlite_key_value.db`,
/// Spin's layout for the `default` key-value store, before the server starts.
pub fn seed_tenants(data_dir: &Path, tenants: &[(&str, &str)]) {
    let entries: Vec<(String, String)> = tenants
        .iter()
        .map(|(insee, status)| (format!("tenant-status/{insee}"), (*status).to_owned()))
        .collect();
    let entries: Vec<(&str, &str)> = entries
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    set_keys(data_dir, &entries);
}

/// Sets keys of the `default` key-value store in `<data_dir>/sqlite_key_value.db`
/// (Spin's file), before the server starts or while it runs: the file is the one
/// store every instance reads, so a change holds for the next request.
pub fn set_keys(data_dir: &Path, entries: &[(&str, &str)]) {
    std::fs::create_dir_all(data_dir).expect("data dir");
    let mut db =
        rusqlite::Connection::open(data_dir.join("sqlite_key_value.db")).expect("open kv db");
    db.busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    db.execute(
        "CREATE TABLE IF NOT EXISTS spin_key_value (
            store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
            PRIMARY KEY (store, key))",
        [],
    )
    .expect("create spin_key_value");
    let tx = db.transaction().expect("begin");
    for (key, value) in entries {
        tx.execute(
            "INSERT OR REPLACE INTO spin_key_value (store, key, value) VALUES ('default', ?1, ?2)",
            rusqlite::params![key, value.as_bytes()],
        )
        .expect("insert key");
    }
    tx.commit().expect("commit keys");
}

/// A running gateway application with the key its tokens must be signed with.
pub struct GatewayApp {
    /// The server (stopped on drop).
    pub server: QmiServer,
    /// The key pair whose public half the gateway trusts.
    pub keys: Keys,
    _dir: tempfile::TempDir,
}

impl GatewayApp {
    /// Starts `qmi up` on the gateway manifest with these tenant statuses seeded.
    pub fn start(tenants: &[(&str, &str)]) -> GatewayApp {
        Self::start_with(tenants, &[])
    }

    /// Like [`GatewayApp::start`], with extra `qmi up` flags.
    pub fn start_with(tenants: &[(&str, &str)], flags: &[(&str, &str)]) -> GatewayApp {
        build_components();
        let dir = tempfile::Builder::new()
            .prefix("qmi-gateway-")
            .tempdir()
            .expect("temp dir");
        let data = dir.path().join("data");
        seed_tenants(&data, tenants);
        let keys = Keys::generate();
        let up = Qmi::up()
            .manifest(write_manifest(dir.path()))
            .without_runtime_config()
            .data_dir(&data)
            .env("SPIN_VARIABLE_JWT_PUBLIC_KEY", &keys.public_pem);
        let server = flags
            .iter()
            .fold(up, |up, (name, value)| up.flag(name, value))
            .start();
        GatewayApp {
            server,
            keys,
            _dir: dir,
        }
    }

    /// Sets keys of the shared key-value store while the server runs.
    pub fn set_keys(&self, entries: &[(&str, &str)]) {
        set_keys(self.server.data_dir(), entries);
    }

    /// `Authorization` header value for a token signed with the trusted key.
    pub fn bearer(&self, claims: &Value) -> String {
        format!("Bearer {}", self.keys.sign(claims))
    }
}

/// A response read off a raw connection.
#[derive(Debug)]
pub struct RawReply {
    /// Status code.
    pub status: u16,
    /// Headers, lower-case names, repeated ones joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// Body (lossy UTF-8).
    pub body: String,
}

impl RawReply {
    /// The body as JSON; panics with the reply if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("reply is not JSON ({e}): {self:?}"))
    }
}

/// Sends `head` (request line and headers, without the final blank line; `Host` is
/// added) then `body` on a fresh connection, from a writer thread so that a server that
/// answers early is not blocked; reads one response (by its content-length, else to EOF).
pub fn raw_request(authority: &str, head: &str, body: Vec<u8>) -> RawReply {
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream.set_nodelay(true).ok();
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut writer = stream.try_clone().expect("clone stream");
    let head = format!("{head}\r\nHost: {authority}\r\n\r\n");
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        for chunk in body.chunks(64 * 1024) {
            if writer.write_all(chunk).is_err() {
                break;
            }
        }
        let _ = writer.flush();
    });
    let reply = read_response(&mut stream);
    let _ = sender.join();
    reply
}

/// Reads one HTTP/1.1 response.
fn read_response(stream: &mut TcpStream) -> RawReply {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        match stream.read(&mut chunk) {
            Ok(0) => panic!(
                "connection closed before a response: {:?}",
                String::from_utf8_lossy(&buf)
            ),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => panic!(
                "reading the response failed: {e}; read so far {:?}",
                String::from_utf8_lossy(&buf)
            ),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let mut headers = BTreeMap::<String, String>::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            headers
                .entry(k.trim().to_ascii_lowercase())
                .and_modify(|old| {
                    old.push_str(", ");
                    old.push_str(v.trim());
                })
                .or_insert_with(|| v.trim().to_owned());
        }
    }
    let mut body = buf[head_end + 4..].to_vec();
    match headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(len) => {
            while body.len() < len {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => body.extend_from_slice(&chunk[..n]),
                }
            }
            body.truncate(len);
        }
        None => {
            let _ = stream.read_to_end(&mut body);
        }
    }
    RawReply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
