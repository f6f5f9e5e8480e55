//! The `index.html` shell that loads the app.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Content-hashed file names the page refers to.
pub struct Assets<'a> {
    /// wasm-bindgen glue (ES module).
    pub js: &'a str,
    /// The bound wasm module.
    pub wasm: &'a str,
    /// The stylesheet.
    pub css: &'a str,
    /// The SVG favicon.
    pub icon: &'a str,
}

/// Renders `index.html`. Asset paths are absolute so deep client-side routes load
/// them too; the one inline script is allowed by its hash in the CSP.
pub fn index(assets: &Assets<'_>) -> String {
    let Assets {
        js,
        wasm,
        css,
        icon,
    } = assets;
    let boot = format!("import init from '/{js}';\ninit({{ module_or_path: '/{wasm}' }});");
    let boot_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&boot));
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{boot_hash}'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'"
    );
    format!(
        r##"<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="description" content="Quartiers Métropolitains d'Innovation : des communes de la Métropole du Grand Paris accueillent des expérimentations menées avec les habitants.">
<meta name="theme-color" content="#1d4e89">
<title>QMI — Quartiers Métropolitains d'Innovation</title>
<link rel="icon" href="/{icon}" type="image/svg+xml">
<link rel="stylesheet" href="/{css}">
<link rel="modulepreload" href="/{js}">
<link rel="preload" href="/{wasm}" as="fetch" type="application/wasm" crossorigin>
</head>
<body>
<noscript><p class="noscript">QMI a besoin de JavaScript et de WebAssembly pour fonctionner.</p></noscript>
<script type="module">{boot}</script>
</body>
</html>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refers_to_every_asset_by_absolute_path() {
        let html = index(&Assets {
            js: "qmi-aaaaaaaaaaaaaaaa.js",
            wasm: "qmi-bbbbbbbbbbbbbbbb_bg.wasm",
            css: "qmi-cccccccccccccccc.css",
            icon: "favicon-dddddddddddddddd.svg",
        });
        for name in [
            "/qmi-aaaaaaaaaaaaaaaa.js",
            "/qmi-bbbbbbbbbbbbbbbb_bg.wasm",
            "/qmi-cccccccccccccccc.css",
            "/favicon-dddddddddddddddd.svg",
        ] {
            assert!(html.contains(name), "{name}");
        }
        assert!(html.contains("lang=\"fr\""));
    }
}
