//! `GET /` of the mailbox: every message, newest first, in an accessible
//! French page; content escaped, URLs of the text made clickable.

use super::store::{Mail, Stats};

/// The page listing `mails` (oldest first, as stored).
pub fn render(mails: &[Mail], stats: Stats) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Boîte aux lettres de développement — QMI</title>\n\
         <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.5}\
         article{border:1px solid #666;border-radius:.4rem;padding:.5rem 1rem;margin:1rem 0}\
         pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit}\
         dl{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem}dd{margin:0}\
         a{color:#0645ad}a:focus{outline:3px solid #000}\
         iframe{width:100%;min-height:20rem;border:1px solid #999}</style>\n\
         </head>\n<body>\n<main>\n<h1>Boîte aux lettres de développement</h1>\n",
    );
    out.push_str(&format!(
        "<p>Les courriels envoyés par l’application pendant ce <code>qmi up</code> \
         (<span lang=\"en\">development mailbox</span>) : {} reçu(s), {} doublon(s) ignoré(s), \
         {} refusé(s). Liste JSON : <a href=\"/messages\">/messages</a>.</p>\n",
        stats.accepted, stats.duplicates, stats.refused
    ));
    if mails.is_empty() {
        out.push_str("<p>Aucun courriel pour l’instant.</p>\n");
    }
    for mail in mails.iter().rev() {
        let id = escape(&mail.id);
        out.push_str(&format!(
            "<article aria-labelledby=\"m{id}\">\n<h2 id=\"m{id}\">{}</h2>\n<dl>\n\
             <dt>De</dt><dd>{}</dd>\n<dt>À</dt><dd>{}</dd>\n\
             <dt>Reçu le</dt><dd><time datetime=\"{at}\">{at}</time></dd>\n\
             <dt>Identifiant</dt><dd><a href=\"/messages/{id}\">{id}</a></dd>\n</dl>\n\
             <h3>Texte</h3>\n<pre>{}</pre>\n",
            escape(&mail.subject),
            escape(&mail.from),
            escape(&mail.to),
            linkify(&mail.text),
            at = escape(&mail.received_at),
        ));
        if let Some(html) = &mail.html {
            out.push_str(&format!(
                "<details>\n<summary>Version HTML</summary>\n\
                 <iframe sandbox=\"\" title=\"Version HTML : {}\" srcdoc=\"{}\"></iframe>\n</details>\n",
                escape(&mail.subject),
                escape(html)
            ));
        }
        out.push_str("</article>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

/// The text escaped, its `http(s)://` URLs made links.
pub fn linkify(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = next_url(rest) {
        out.push_str(&escape(&rest[..start]));
        let url = url_at(&rest[start..]);
        let url_escaped = escape(url);
        out.push_str(&format!("<a href=\"{url_escaped}\">{url_escaped}</a>"));
        rest = &rest[start + url.len()..];
    }
    out.push_str(&escape(rest));
    out
}

/// Where the next `http://` or `https://` starts.
fn next_url(text: &str) -> Option<usize> {
    [text.find("http://"), text.find("https://")]
        .into_iter()
        .flatten()
        .min()
}

/// The URL at the start of `text`: up to a space, a quote or an angle
/// bracket, without trailing punctuation.
pub fn url_at(text: &str) -> &str {
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
        .unwrap_or(text.len());
    text[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_escaping() {
        assert_eq!(
            linkify("Voir https://qmi.example/invitation/abc. <b>&"),
            "Voir <a href=\"https://qmi.example/invitation/abc\">https://qmi.example/invitation/abc</a>. &lt;b&gt;&amp;"
        );
        assert_eq!(
            linkify("(http://a.b/x?y=1&z=2)"),
            "(<a href=\"http://a.b/x?y=1&amp;z=2\">http://a.b/x?y=1&amp;z=2</a>)"
        );
        assert_eq!(linkify("rien"), "rien");
    }

    #[test]
    fn page_escapes_and_orders() {
        let mail = |id: &str, subject: &str| Mail {
            id: id.into(),
            from: "a@b".into(),
            to: "c@d".into(),
            subject: subject.into(),
            text: "t".into(),
            html: Some("<p onclick=\"x\">h</p>".into()),
            received_at: "2026-01-01T00:00:00Z".into(),
            idempotency_key: None,
        };
        let page = render(
            &[mail("1", "premier"), mail("2", "<script>alert(1)</script>")],
            Stats::default(),
        );
        assert!(page.contains("<html lang=\"fr\">"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.find("id=\"m2\"").unwrap() < page.find("id=\"m1\"").unwrap());
        assert!(page.contains("srcdoc=\"&lt;p onclick=&quot;x&quot;&gt;h&lt;/p&gt;\""));
    }
}
