//! Prometheus' text exposition format, version 0.0.4: for each family a
//! `# HELP` and a `# TYPE` line, then its samples, `name{label="value"} v`,
//! label values escaped (`\\`, `\"`, `\n`), help text too (`\\`, `\n`).

use std::fmt::{Display, Write as _};

/// The content type of the format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A document being written.
#[derive(Default)]
pub struct Exposition {
    out: String,
}

impl Exposition {
    /// Starts a family: its help and its type (`counter`, `gauge`,
    /// `histogram`).
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {}", escape(help, false));
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    /// Writes one sample of the current family.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (label, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{label}=\"{}\"", escape(v, true));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Escapes a label value (backslash, double quote, line feed) or a help text
/// (backslash, line feed).
fn escape(text: &str, quote: bool) -> std::borrow::Cow<'_, str> {
    let special = |c: char| c == '\\' || c == '\n' || (quote && c == '"');
    if !text.contains(special) {
        return text.into();
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '"' if quote => escaped.push_str("\\\""),
            c => escaped.push(c),
        }
    }
    escaped.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_families_and_escapes() {
        let mut doc = Exposition::default();
        doc.family("x_total", "counter", "Things\\counted\nhere \"quoted\".");
        doc.sample("x_total", &[("a", "p\"q\\r\ns"), ("b", "plain")], 3);
        doc.sample("x_total", &[], 1.5);
        assert_eq!(
            doc.finish(),
            "# HELP x_total Things\\\\counted\\nhere \"quoted\".\n\
             # TYPE x_total counter\n\
             x_total{a=\"p\\\"q\\\\r\\ns\",b=\"plain\"} 3\n\
             x_total 1.5\n"
        );
    }
}
