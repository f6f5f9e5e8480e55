//! Locates the WIT of Spin's interfaces inside the `spin-sdk` crate (the same
//! WIT the components are built against) and generates the host bindings'
//! `bindgen!` invocations pointing at it, so the project keeps no copy.

use std::{env, fs, path::PathBuf, process::Command};

fn main() {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(&manifest_dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("running cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata JSON");
    let sdk = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "spin-sdk")
        .expect("spin-sdk is a dependency of the workspace's components");
    let wit = PathBuf::from(sdk["manifest_path"].as_str().unwrap())
        .parent()
        .unwrap()
        .join("wit");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("spin_bindings.rs");
    fs::write(
        &out,
        BINDINGS.replace("@WIT@", &format!("{:?}", wit.display().to_string())),
    )
    .unwrap();
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../../Cargo.lock");
}

/// The host bindings of the Spin interfaces QMI implements.
const BINDINGS: &str = r#"
wasmtime::component::bindgen!({
    inline: "
        package qmi:host;
        world spin-host {
            import spin:variables/variables@3.0.0;
            import spin:sqlite/sqlite@3.1.0;
            import spin:key-value/key-value@3.0.0;
            import spin:postgres/postgres@4.2.0;
        }
    ",
    path: @WIT@,
    imports: { default: async | trappable },
    with: {
        "spin:sqlite/sqlite.connection": crate::factors::sqlite::Connection,
        "spin:key-value/key-value.store": crate::factors::key_value::Store,
        "spin:postgres/postgres.connection": crate::factors::postgres::Connection,
        "spin:postgres/postgres.connection-builder": crate::factors::postgres::ConnectionBuilder,
    },
    require_store_data_send: true,
});
"#;
