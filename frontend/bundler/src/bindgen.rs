//! wasm-bindgen through its library crate: JS glue for `--target web`.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// Output name given to wasm-bindgen; the glue refers to `<OUT_NAME>_bg.wasm`.
const OUT_NAME: &str = "qmi";

/// The bound module and its JS glue, in memory.
pub struct Bound {
    /// ES module glue.
    pub js: String,
    /// The processed wasm module.
    pub wasm: Vec<u8>,
}

/// Runs wasm-bindgen on the main module `wasm` left by the split: web target,
/// no TypeScript, name and producers sections removed, the default module path
/// kept in the glue, and the linker's exports kept (the split modules import
/// the memory, the table and the shared functions through them).
pub fn bind(wasm: &Path) -> Result<Bound> {
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(wasm)
        .out_name(OUT_NAME)
        .web(true)
        .context("selecting the web target")?
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .keep_lld_exports(true)
        .omit_default_module_path(false);
    let mut output = bindgen
        .generate_output()
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))?;
    if !output.snippets().values().all(Vec::is_empty) || !output.local_modules().is_empty() {
        bail!(
            "the frontend uses JS snippets or local modules, which the bundler does not ship yet"
        );
    }
    Ok(Bound {
        js: output.js().to_owned(),
        wasm: output.wasm_mut().emit_wasm(),
    })
}

/// Makes the glue's default module path the content-hashed wasm name.
pub fn point_glue_at(js: &str, wasm_name: &str) -> Result<String> {
    let default = format!("'{OUT_NAME}_bg.wasm'");
    match js.matches(&default).count() {
        1 => Ok(js.replace(&default, &format!("'{wasm_name}'"))),
        n => bail!("expected one {default} in the wasm-bindgen glue, found {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_the_default_path_once() {
        let js = "module_or_path = new URL('qmi_bg.wasm', import.meta.url);";
        let out = point_glue_at(js, "qmi-0123456789abcdef_bg.wasm").unwrap();
        assert_eq!(
            out,
            "module_or_path = new URL('qmi-0123456789abcdef_bg.wasm', import.meta.url);"
        );
        assert!(point_glue_at("nothing here", "x").is_err());
    }
}
