//! The e-mail's bodies: plain text and simple HTML, signed.

use qmi_api::identity::Lang;

use super::{Block, Message};

const SIGNATURE_FR: &str = "L'équipe QMI — Quartiers Métropolitains d'Innovation";
const SIGNATURE_EN: &str = "The QMI team — Quartiers Métropolitains d'Innovation";

impl Message {
    fn signature(lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => SIGNATURE_FR,
            Lang::En => SIGNATURE_EN,
        }
    }

    /// The plain-text body.
    pub fn text(&self, lang: Lang) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Para(p) => out.push_str(p),
                Block::Link(label, url) => {
                    out.push_str(label);
                    out.push_str(" : ");
                    out.push_str(url);
                }
                Block::Fields(fields) => {
                    for (i, (label, value)) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push('\n');
                        }
                        out.push_str(&format!("- {label} : {value}"));
                    }
                }
                Block::Quote(text) => {
                    let quoted: Vec<String> = text.lines().map(|l| format!("> {l}")).collect();
                    out.push_str(&quoted.join("\n"));
                }
            }
            out.push_str("\n\n");
        }
        out.push_str("-- \n");
        out.push_str(Self::signature(lang));
        out.push('\n');
        if lang == Lang::En {
            out = out.replace(" : ", ": ");
        }
        out
    }

    /// A simple HTML body (escaped text, paragraphs, links).
    pub fn html(&self, lang: Lang) -> String {
        let mut out = format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>",
            lang.as_str(),
            escape(&self.subject)
        );
        for block in &self.blocks {
            match block {
                Block::Para(p) => out.push_str(&format!("<p>{}</p>", escape(p))),
                Block::Link(label, url) => out.push_str(&format!(
                    "<p><a href=\"{}\">{}</a></p>",
                    escape(url),
                    escape(label)
                )),
                Block::Fields(fields) => {
                    out.push_str("<dl>");
                    for (label, value) in fields {
                        out.push_str(&format!(
                            "<dt>{}</dt><dd>{}</dd>",
                            escape(label),
                            escape(value).replace('\n', "<br>")
                        ));
                    }
                    out.push_str("</dl>");
                }
                Block::Quote(text) => out.push_str(&format!(
                    "<blockquote>{}</blockquote>",
                    escape(text).replace('\n', "<br>")
                )),
            }
        }
        out.push_str(&format!(
            "<p>— {}</p></body></html>",
            escape(Self::signature(lang))
        ));
        out
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
