//! Code splitting: the pages marked `#[lazy]` in the frontend leave the main
//! module for modules of their own, fetched the first time they are shown.
//!
//! `wasm_split_cli_support` reads the linked module (built with
//! `--emit-relocs`), writes the main module, one module per split (and shared
//! chunks), and a small JS link module that loads them. wasm-bindgen then binds
//! the main module only.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

/// The module path the main module imports the split loaders from; the glue
/// wasm-bindgen writes imports it under this name.
pub const LINK_MODULE: &str = "./__wasm_split.js";
/// The module path the link module imports the wasm-bindgen glue from.
pub const MAIN_MODULE: &str = "./__qmi_main.js";

/// One lazily loaded module.
pub struct Chunk {
    /// Its file name in the link module, without `.wasm` (`split_<name>` or
    /// `chunk_<n>`).
    pub stem: String,
    /// A short name for the bundle: the split's group (`gestion`, say), or
    /// `shared-<n>` for code several groups share.
    pub label: String,
    /// The module.
    pub wasm: Vec<u8>,
}

/// The output of [`split`].
pub struct Split {
    /// The main module, still to be bound by wasm-bindgen.
    pub main: PathBuf,
    /// The lazily loaded modules.
    pub chunks: Vec<Chunk>,
    /// The link module (JS), importing [`MAIN_MODULE`] and fetching the
    /// chunks by the names in [`Chunk::stem`].
    pub link_js: String,
}

/// Splits `wasm`, using `work` as scratch space (emptied first).
pub fn split(wasm: &[u8], work: &Path) -> Result<Split> {
    if work.exists() {
        std::fs::remove_dir_all(work).with_context(|| format!("emptying {}", work.display()))?;
    }
    std::fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let main_path = work.join("main.wasm");
    let output = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(wasm);
        options.output_dir = work;
        options.main_out_path = &main_path;
        options.link_name = LINK_MODULE;
        options.main_module = MAIN_MODULE;
        options
    })
    .map_err(|e| anyhow!("wasm-split: {e:#}"))?;
    let link_js = String::from_utf8(read(&work.join(LINK_MODULE))?)
        .context("the wasm-split link module is not UTF-8")?;
    let mut chunks = Vec::new();
    for path in &output.split_modules {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .with_context(|| format!("unexpected split module name {}", path.display()))?
            .to_owned();
        let wasm = strip_custom_sections(&read(path)?)
            .with_context(|| format!("reading the sections of {}", path.display()))?;
        let label = label(&stem);
        chunks.push(Chunk { stem, label, wasm });
    }
    chunks.sort_by(|a, b| a.stem.cmp(&b.stem));
    Ok(Split {
        main: main_path,
        chunks,
        link_js,
    })
}

/// The bundle name of a split module: `split_<group>_<hash of the call site>`
/// becomes `<group>` (with dashes), `chunk_<n>` becomes `shared-<n>`.
fn label(stem: &str) -> String {
    if let Some(n) = stem.strip_prefix("chunk_") {
        return format!("shared-{n}");
    }
    let name = stem.strip_prefix("split_").unwrap_or(stem);
    let name = match name.rsplit_once('_') {
        Some((group, hash)) if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit()) => {
            group
        }
        _ => name,
    };
    name.replace('_', "-")
}

/// `wasm` without its custom sections (the name section above all: the split
/// modules do not go through wasm-bindgen, which strips it from the main one).
pub fn strip_custom_sections(wasm: &[u8]) -> Result<Vec<u8>> {
    const HEADER: usize = 8;
    if wasm.len() < HEADER || &wasm[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut out = wasm[..HEADER].to_vec();
    let mut at = HEADER;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, body) = leb128_u32(wasm, at + 1)?;
        let end = body
            .checked_add(size as usize)
            .filter(|&end| end <= wasm.len())
            .context("a section runs past the end of the module")?;
        if id != 0 {
            out.extend_from_slice(&wasm[at..end]);
        }
        at = end;
    }
    Ok(out)
}

/// Reads an unsigned LEB128 `u32` at `at`; returns it and the offset after it.
fn leb128_u32(bytes: &[u8], mut at: usize) -> Result<(u32, usize)> {
    let mut value = 0u32;
    for shift in (0..35).step_by(7) {
        let byte = *bytes
            .get(at)
            .context("a section size runs past the end of the module")?;
        at += 1;
        value |= u32::from(byte & 0x7f)
            .checked_shl(shift)
            .context("a section size does not fit in 32 bits")?;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    bail!("a section size does not fit in 32 bits")
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_custom_sections_and_keeps_the_rest() {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        // A custom section "name" with one byte of payload.
        module.extend_from_slice(&[0, 6, 4, b'n', b'a', b'm', b'e', 0xff]);
        // A type section with no types.
        module.extend_from_slice(&[1, 1, 0]);
        let stripped = strip_custom_sections(&module).unwrap();
        assert_eq!(stripped, b"\0asm\x01\0\0\0\x01\x01\0");
    }

    #[test]
    fn labels_name_the_group() {
        assert_eq!(label("split_gestion_10350473195990300510"), "gestion");
        assert_eq!(label("split_mon_espace_42"), "mon-espace");
        assert_eq!(label("chunk_7"), "shared-7");
    }

    #[test]
    fn refuses_a_truncated_module() {
        let module = b"\0asm\x01\0\0\0\x01\x05\0".to_vec();
        assert!(strip_custom_sections(&module).is_err());
        assert!(strip_custom_sections(b"nope").is_err());
    }
}
