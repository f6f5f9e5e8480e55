//! JSON request bodies: content-type check (415) and serde errors turned into a
//! 400 problem naming the field at fault.

use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// Whether a `content-type` value is JSON (`application/json`, `…+json`,
/// with or without parameters).
pub fn is_json_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON body of type `T`.
///
/// - no or non-JSON `content-type` → 415;
/// - empty or malformed JSON → 400 with the line and column;
/// - a field of the wrong type, a missing field, an unknown variant → 400
///   whose `errors` names the field (`members[0].role`).
pub fn parse_json<T: DeserializeOwned>(content_type: Option<&str>, body: &[u8]) -> Result<T, Problem> {
    match content_type {
        Some(ct) if is_json_content_type(ct) => {}
        other => return Err(Problem::unsupported_media_type(other)),
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::bad_request("the request body is empty; a JSON document is expected").field("", "empty body"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let mut field = err.path().to_string();
        if field == "." {
            field = String::new();
        }
        from_serde(field, err.inner())
    })?;
    de.end().map_err(|e| from_serde(String::new(), &e))?;
    Ok(value)
}

/// The 400 problem for a serde error at `field`.
fn from_serde(mut field: String, inner: &serde_json::Error) -> Problem {
    let message = strip_position(&inner.to_string());
    if let Some(missing) = missing_field(&message) {
        field = if field.is_empty() { missing.to_owned() } else { format!("{field}.{missing}") };
    }
    let detail = if inner.is_syntax() || inner.is_eof() {
        format!("malformed JSON at line {} column {}: {message}", inner.line(), inner.column())
    } else if field.is_empty() {
        format!("the body does not match the expected document: {message}")
    } else {
        format!("invalid field `{field}`: {message}")
    };
    Problem::bad_request(detail).field(field, message)
}

/// `missing field `email`` → `email`.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Drops serde_json's ` at line L column C` suffix.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Member {
        #[allow(dead_code)]
        role: qmi_api::MembershipRole,
    }

    #[derive(Debug, Deserialize)]
    struct Body {
        #[allow(dead_code)]
        email: String,
        #[allow(dead_code)]
        #[serde(default)]
        members: Vec<Member>,
    }

    fn err(body: &str) -> Problem {
        parse_json::<Body>(Some("application/json"), body.as_bytes()).unwrap_err()
    }

    #[test]
    fn content_type_is_checked() {
        assert_eq!(parse_json::<Body>(None, b"{}").unwrap_err().status, 415);
        assert_eq!(parse_json::<Body>(Some("text/plain"), b"{}").unwrap_err().status, 415);
        assert!(parse_json::<Body>(Some("application/json; charset=utf-8"), br#"{"email":"a"}"#).is_ok());
        assert!(is_json_content_type("application/merge-patch+json"));
    }

    #[test]
    fn malformed_json_is_400_with_position() {
        let p = err(r#"{"email": "#);
        assert_eq!(p.status, 400);
        assert!(p.detail.unwrap().contains("malformed JSON at line 1"));
        assert_eq!(err("").status, 400);
        assert_eq!(err(r#"{"email":"a"} trailing"#).status, 400);
    }

    #[test]
    fn names_the_field() {
        let p = err(r#"{"email": 3}"#);
        assert_eq!(p.errors[0].field, "email");
        let p = err(r#"{}"#);
        assert_eq!(p.errors[0].field, "email");
        assert!(p.errors[0].message.contains("missing field"));
        let p = err(r#"{"email":"a","members":[{"role":"admin"},{"role":"boss"}]}"#);
        assert_eq!(p.errors[0].field, "members[1].role");
        let p = err(r#"{"email":"a","members":[{}]}"#);
        assert_eq!(p.errors[0].field, "members[0].role");
    }
}
