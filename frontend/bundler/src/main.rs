//! `cargo run --release -p qmi-bundle`: builds the Leptos frontend and writes the
//! deployable bundle to `frontend/dist/` (content-hashed names, `.gz` siblings).

mod bindgen;
mod compile;
mod dist;
mod html;
mod split;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The crate name of the frontend.
const FRONTEND: &str = "qmi-frontend";
/// The communes' map data, served at `/communes-mgp.geojson` under this fixed name.
const COMMUNES_MAP: &str = "communes-mgp.geojson";

fn main() -> Result<()> {
    let workspace = workspace_root()?;
    let frontend = workspace.join("frontend");
    let dist_dir = frontend.join("dist");

    let target_dir = compile::target_dir(&workspace)?;
    println!("qmi-bundle: building {FRONTEND} (release, wasm32-unknown-unknown)");
    let wasm = compile::build_frontend(&workspace, &target_dir, FRONTEND)?;
    println!("qmi-bundle: built {}", wasm.display());

    println!("qmi-bundle: splitting out the lazily loaded pages");
    let split = split::split(&read(&wasm)?, &target_dir.join("qmi-bundle").join("split"))?;

    println!("qmi-bundle: running wasm-bindgen (target web)");
    let bound = bindgen::bind(&split.main)?;

    println!("qmi-bundle: writing {}", dist_dir.display());
    let mut bundle = dist::Bundle::new();
    let wasm_name = bundle.add_hashed("qmi", "_bg.wasm", bound.wasm);
    let js = bindgen::point_glue_at(&bound.js, &wasm_name)?;
    let js_name = link_split(&mut bundle, &split, js)?;
    let css = read(&frontend.join("assets/qmi.css"))?;
    let css_name = bundle.add_hashed("qmi", ".css", css);
    let icon = read(&frontend.join("assets/favicon.svg"))?;
    let icon_name = bundle.add_hashed("favicon", ".svg", icon);
    // The communes' contours, fetched by the map at a fixed address (see
    // frontend/src/map.rs and data/README.md).
    let communes = read(&frontend.join("assets").join(COMMUNES_MAP))?;
    bundle.add(COMMUNES_MAP, communes);
    let index = html::index(&html::Assets {
        js: &js_name,
        wasm: &wasm_name,
        css: &css_name,
        icon: &icon_name,
    });
    bundle.add("index.html", index.into_bytes());

    let report = bundle.write(&dist_dir)?;
    for line in &report.lines {
        println!("qmi-bundle:   {line}");
    }
    if report.removed > 0 {
        println!("qmi-bundle: removed {} stale file(s)", report.removed);
    }
    let (raw, gz) = report
        .sizes(&wasm_name)
        .context("the wasm file is missing from the bundle report")?;
    println!(
        "qmi-bundle: first download {wasm_name}: {} raw, {} gzipped",
        dist::human(raw),
        dist::human(gz)
    );
    let (all_raw, all_gz) = report.total(".wasm");
    println!(
        "qmi-bundle: whole app, {} wasm modules: {} raw, {} gzipped",
        split.chunks.len() + 1,
        dist::human(all_raw),
        dist::human(all_gz)
    );
    println!("qmi-bundle: done");
    Ok(())
}

/// The workspace root: two levels above this crate's manifest. `cargo run`
/// passes the manifest directory at run time; that one wins over the one
/// compiled in, which is stale when a shared target directory holds a binary
/// built from another checkout.
fn workspace_root() -> Result<PathBuf> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let manifest = manifest.as_path();
    manifest
        .join("../..")
        .canonicalize()
        .with_context(|| format!("locating the workspace above {}", manifest.display()))
}

/// Adds the split modules, the link module and the glue to `bundle`, all under
/// content-hashed names, and returns the glue's name.
///
/// The glue imports the link module and the link module imports the glue, so
/// neither name can be the hash of its final text. The link module's name
/// hashes both texts before either names the other: that pair decides the
/// glue's final text, so the name still changes whenever anything does.
fn link_split(bundle: &mut dist::Bundle, split: &split::Split, glue: String) -> Result<String> {
    let mut link = split.link_js.clone();
    for chunk in &split.chunks {
        let name = bundle.add_hashed(&format!("qmi-{}", chunk.label), ".wasm", chunk.wasm.clone());
        link = replace_once(
            &link,
            &format!("\"./{}.wasm\"", chunk.stem),
            &format!("\"./{name}\""),
        )?;
    }
    let link_name = format!(
        "qmi-split-{}.js",
        dist::content_hash(format!("{link}\n{glue}").as_bytes())
    );
    // wasm-bindgen writes one import of the link module per function it
    // provides; the import object keeps the name the wasm module asks for.
    let glue = replace_all(
        &glue,
        &format!("from \"{}\"", split::LINK_MODULE),
        &format!("from \"./{link_name}\""),
    )?;
    let glue_name = bundle.add_hashed("qmi", ".js", glue.into_bytes());
    let link = replace_once(
        &link,
        &format!("\"{}\"", split::MAIN_MODULE),
        &format!("\"./{glue_name}\""),
    )?;
    bundle.add(&link_name, link.into_bytes());
    Ok(glue_name)
}

/// `text` with its one occurrence of `from` replaced by `to`; an error if
/// `from` occurs any other number of times.
fn replace_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => anyhow::bail!("expected one {from} in the generated JS, found {n}"),
    }
}

/// `text` with every occurrence of `from` replaced by `to`; an error if there is none.
fn replace_all(text: &str, from: &str, to: &str) -> Result<String> {
    if !text.contains(from) {
        anyhow::bail!("expected {from} in the generated JS, found none");
    }
    Ok(text.replace(from, to))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_of(link_js: &str) -> split::Split {
        split::Split {
            main: PathBuf::from("main.wasm"),
            chunks: vec![split::Chunk {
                stem: "split_gestion_42".into(),
                label: "gestion".into(),
                wasm: b"\0asm".to_vec(),
            }],
            link_js: link_js.into(),
        }
    }

    const LINK: &str = "import { initSync } from \"./__qmi_main.js\";\nconst src = fetch(new URL(\"./split_gestion_42.wasm\", import.meta.url));\n";
    const GLUE: &str = "import * as import1 from \"./__wasm_split.js\"\nimport * as import2 from \"./__wasm_split.js\"\nconst imports = { \"./__wasm_split.js\": import1 };\n";

    fn file<'a>(bundle: &'a dist::Bundle, prefix: &str) -> (&'a str, &'a str) {
        let (name, bytes) = bundle
            .files()
            .iter()
            .find(|(n, _)| n.starts_with(prefix))
            .expect(prefix);
        (
            name.as_str(),
            std::str::from_utf8(bytes).unwrap_or_default(),
        )
    }

    #[test]
    fn the_glue_and_the_loader_name_each_other_by_hash() {
        let mut bundle = dist::Bundle::new();
        let glue_name = link_split(&mut bundle, &split_of(LINK), GLUE.into()).unwrap();
        let (link_name, link) = file(&bundle, "qmi-split-");
        let (chunk_name, _) = file(&bundle, "qmi-gestion-");
        let (_, glue) = file(&bundle, &glue_name);
        // The glue imports the loader by its hashed name, and still gives the
        // wasm module the import object under the name it asks for.
        assert_eq!(
            glue.matches(&format!("from \"./{link_name}\"")).count(),
            2,
            "{glue}"
        );
        assert!(glue.contains("\"./__wasm_split.js\": import1"), "{glue}");
        // The loader imports the glue and fetches the chunk by their hashed names.
        assert!(link.contains(&format!("from \"./{glue_name}\"")), "{link}");
        assert!(
            link.contains(&format!("\"./{chunk_name}\"")) && !link.contains("split_gestion_42"),
            "{link}"
        );
    }

    #[test]
    fn the_loader_name_changes_with_the_glue() {
        let name = |glue: &str| {
            let mut bundle = dist::Bundle::new();
            link_split(&mut bundle, &split_of(LINK), glue.into()).unwrap();
            file(&bundle, "qmi-split-").0.to_owned()
        };
        assert_ne!(name(GLUE), name(&format!("{GLUE}// another build\n")));
    }

    #[test]
    fn an_unexpected_loader_is_refused() {
        let mut bundle = dist::Bundle::new();
        assert!(link_split(&mut bundle, &split_of("no main import here"), GLUE.into()).is_err());
    }
}
