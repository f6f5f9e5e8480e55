//! The OpenAPI 3.1 document generated from the catalogue.

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::applications::Op;
use super::{Auth, ROUTES, RouteDoc, RouteOp};
use crate::page::{DEFAULT_LIMIT, MAX_LIMIT};

/// A route whose body (request or response) is a file rather than JSON.
#[derive(Clone, Copy)]
struct FileMedia {
    /// Whether the file is the request body (an upload) rather than the response.
    request: bool,
    /// The media types it may have.
    media: &'static [&'static str],
}

/// The media types of the routes that carry files (the services set exactly these
/// `content-type`s).
fn file_media(op: RouteOp) -> Option<FileMedia> {
    const ATTACHMENT: &[&str] = &["application/pdf", "image/png", "image/jpeg"];
    let RouteOp::Applications(op) = op else {
        return None;
    };
    let (request, media): (bool, &'static [&'static str]) = match op {
        Op::UploadAttachment => (true, ATTACHMENT),
        Op::GetAttachment => (false, ATTACHMENT),
        Op::ExportCsv => (false, &["text/csv"]),
        Op::ExportXlsx => (
            false,
            &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
        ),
        Op::OpenData => (false, &["application/json", "text/csv"]),
        _ => return None,
    };
    Some(FileMedia { request, media })
}

/// An OpenAPI `content` map giving `schema` under each media type.
fn content(media: &[&str], schema: Schema) -> Value {
    let mut map = Map::new();
    for m in media {
        map.insert((*m).to_owned(), json!({ "schema": schema.clone() }));
    }
    Value::Object(map)
}

/// The schema of a path or query parameter, from the types the services parse it
/// with: an INSEE code (`insee`, `commune`) is [`crate::Insee`], `limit` is
/// 1..=[`MAX_LIMIT`].
fn parameter_schema(name: &str, ty: &str, generator: &mut SchemaGenerator) -> Value {
    match name {
        "insee" | "commune" => generator.subschema_for::<crate::Insee>().to_value(),
        "limit" => {
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT })
        }
        _ => json!({ "type": ty }),
    }
}

/// The refusals a route can answer, each a problem+json document.
fn error_responses(route: &RouteDoc, has_path_params: bool) -> Vec<(u16, &'static str)> {
    let mut out = vec![(
        400,
        "Malformed request: a query parameter or the body does not parse (`errors` names the field)",
    )];
    if route.auth != Auth::Public || route.method != "GET" {
        out.push((401, "No valid bearer token (`WWW-Authenticate` says why)"));
        out.push((403, "The policy refuses this principal (e.g. not a member of the commune, commune suspended)"));
    }
    if has_path_params {
        out.push((404, "No such record, or one the caller may not know exists"));
    }
    if route.request.is_some() {
        out.push((413, "Body over the limit (1 MiB; 10 MiB for attachments)"));
        out.push((415, "The body's content type is not the one expected"));
        out.push((
            422,
            "The body parses but breaks a rule (`errors` names each field)",
        ));
    }
    out
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details; `errors` names the fields at fault",
        "required": ["type", "title", "status"],
        "properties": {
            "type": { "type": "string", "format": "uri" },
            "title": { "type": "string" },
            "status": { "type": "integer" },
            "detail": { "type": "string" },
            "instance": { "type": "string" },
            "errors": { "type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": { "field": { "type": "string" }, "message": { "type": "string" } }
            } }
        }
    })
}

/// The OpenAPI 3.1 document of every route in [`ROUTES`].
pub fn openapi() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let mut paths = Map::new();
    for route in ROUTES {
        let mut op = Map::new();
        op.insert("operationId".into(), json!(route.id()));
        op.insert("summary".into(), json!(route.summary));
        op.insert("description".into(), json!(route.auth.describe()));
        op.insert("tags".into(), json!([route.service()]));
        if route.auth != Auth::Public {
            op.insert("security".into(), json!([{ "bearer": [] }]));
        }
        let path_params: Vec<&str> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|n| n.strip_suffix('}')))
            .collect();
        let mut params: Vec<Value> = path_params
            .iter()
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": parameter_schema(name, "string", &mut generator) }))
            .collect();
        params.extend(route.query.iter().map(|q| {
            json!({ "name": q.name, "in": "query", "required": false, "description": q.description, "schema": parameter_schema(q.name, q.ty, &mut generator) })
        }));
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        let files = file_media(route.op);
        if let Some(req) = route.request {
            let media = files
                .filter(|f| f.request)
                .map_or(&["application/json"][..], |f| f.media);
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": content(media, req(&mut generator)) }),
            );
        }
        let mut responses = Map::new();
        let ok = match route.response {
            Some(resp) => {
                let media = files
                    .filter(|f| !f.request)
                    .map_or(&["application/json"][..], |f| f.media);
                json!({ "description": "Success", "content": content(media, resp(&mut generator)) })
            }
            None => json!({ "description": "Success, no content" }),
        };
        responses.insert(route.status.to_string(), ok);
        for (status, description) in error_responses(route, !path_params.is_empty()) {
            responses.insert(
                status.to_string(),
                json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
            );
        }
        responses.insert(
            "default".into(),
            json!({ "description": "Error", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = entry.as_object_mut() {
            item.insert(route.method.to_ascii_lowercase(), Value::Object(op));
        }
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert("Problem".into(), problem_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "QMI API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Quartiers Métropolitains d'Innovation: every route of every service, generated from the route catalogue in qmi-api."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } }
        }
    })
}
