//! The catalogue's own tests.

use super::*;
use crate::page::MAX_LIMIT;

#[test]
fn templates_match() {
    let p = match_template(
        "/api/communes/{insee}/members/{account}",
        "/api/communes/93066/members/abc",
    )
    .unwrap();
    assert_eq!(
        p,
        vec![("insee", "93066".to_owned()), ("account", "abc".to_owned())]
    );
    assert!(match_template("/api/communes/{insee}", "/api/communes/").is_none());
    assert!(match_template("/api/communes/{insee}", "/api/communes/1/x").is_none());
    assert!(match_template("/api/communes", "/api/communes/").is_some());
}

#[test]
fn find_distinguishes_404_and_405() {
    assert_eq!(
        find("identity", "GET", "/api/communes/93066")
            .unwrap()
            .0
            .id(),
        "getCommune"
    );
    assert_eq!(
        find("identity", "PUT", "/api/communes/93066").unwrap_err(),
        RouteMiss::MethodNotAllowed(vec!["GET"])
    );
    assert_eq!(
        find("identity", "GET", "/api/nope").unwrap_err(),
        RouteMiss::NotFound
    );
}

#[test]
fn ids_and_routes_are_unique() {
    let mut ids: Vec<_> = ROUTES.iter().map(|r| r.id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ROUTES.len());
    let mut keys: Vec<_> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), ROUTES.len());
}

#[test]
fn openapi_document_is_complete_and_refs_resolve() {
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    for r in ROUTES {
        assert!(
            doc["paths"][r.path][r.method.to_ascii_lowercase()].is_object(),
            "{} {}",
            r.method,
            r.path
        );
    }
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
    assert!(doc["components"]["schemas"]["Commune"]["properties"]["insee"].is_object());
}

#[test]
fn openapi_states_constraints_errors_and_file_types() {
    let doc = openapi();
    let members = &doc["paths"]["/api/communes/{insee}/members"]["get"];
    let insee = members["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "insee")
        .unwrap();
    let schema = insee["schema"].to_string();
    assert!(
        schema.contains("$ref") || schema.contains("pattern"),
        "{schema}"
    );
    let limit = members["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], MAX_LIMIT);
    for status in ["400", "401", "403", "404"] {
        assert!(
            members["responses"][status].is_object(),
            "listMembers documents {status}"
        );
    }
    let create = &doc["paths"]["/api/calls"]["post"];
    assert!(create["responses"]["422"].is_object());
    let csv = &doc["paths"]["/api/calls/{id}/export.csv"]["get"]["responses"]["200"]["content"];
    assert!(
        csv["text/csv"].is_object() && csv["application/json"].is_null(),
        "{csv}"
    );
    let upload =
        &doc["paths"]["/api/applications/{id}/attachments"]["post"]["requestBody"]["content"];
    assert!(upload["application/pdf"].is_object() && upload["application/json"].is_null());
    for id in [
        "uploadAttachment",
        "getAttachment",
        "exportCsv",
        "exportXlsx",
        "openData",
    ] {
        assert!(
            ROUTES.iter().any(|r| r.id() == id),
            "{id} is a catalogued route"
        );
    }
}

/// Every route of a service has exactly one of its operations, and every
/// operation exactly one route, whose `operationId` is the operation's.
fn one_route_per_op<O: ServiceOp>() {
    assert_eq!(O::ROUTES.len(), O::ALL.len(), "{}", O::SERVICE);
    for (route, op) in O::ROUTES.iter().zip(O::ALL) {
        assert_eq!(O::of(route.op), Some(*op), "{}", route.id());
        assert_eq!(route.service(), O::SERVICE);
        assert_eq!(route.id(), op.id());
        assert_eq!(op.route().op, route.op);
    }
    for op in O::ALL {
        let routes: Vec<_> = ROUTES.iter().filter(|r| O::of(r.op) == Some(*op)).collect();
        assert_eq!(routes.len(), 1, "{op:?}");
        let (found, doc, _) = find_op::<O>(routes[0].method, routes[0].path).unwrap();
        assert_eq!((found, doc.path), (*op, routes[0].path));
    }
}

#[test]
fn every_route_has_one_op_and_every_op_one_route() {
    one_route_per_op::<web::Op>();
    one_route_per_op::<identity::Op>();
    one_route_per_op::<applications::Op>();
    one_route_per_op::<districts::Op>();
    one_route_per_op::<experiments::Op>();
    one_route_per_op::<notifications::Op>();
    one_route_per_op::<partners::Op>();
    let per_service = web::ROUTES.len()
        + identity::ROUTES.len()
        + applications::ROUTES.len()
        + districts::ROUTES.len()
        + experiments::ROUTES.len()
        + notifications::ROUTES.len()
        + partners::ROUTES.len();
    assert_eq!(ROUTES.len(), per_service);
    assert_eq!(
        lookup("GET", "/api/applications/x").unwrap().0.op,
        RouteOp::Applications(applications::Op::GetApplication)
    );
    // An experiments open-data file is the experiments service's, the other
    // files applications'.
    assert_eq!(
        lookup("GET", "/api/open-data/experiments.csv")
            .unwrap()
            .0
            .op,
        RouteOp::Experiments(experiments::Op::OpenDataExperimentsCsv)
    );
    assert_eq!(
        lookup("GET", "/api/open-data/calls.csv")
            .unwrap()
            .0
            .op
            .service(),
        "applications"
    );
}

#[test]
fn templates_fit_the_parameter_buffer() {
    for r in ROUTES {
        let n = r.path.split('/').filter(|s| s.starts_with('{')).count();
        assert!(n <= MAX_PARAMS, "{} has {n} parameters", r.path);
        let sample = r.path.replace('{', "x").replace('}', "");
        let (doc, params) = lookup(r.method, &sample).unwrap();
        assert_eq!(params.iter().count(), n, "{}", r.path);
        assert_eq!(
            doc.path, r.path,
            "{} {} is reached first by another route",
            r.method, r.path
        );
    }
}
