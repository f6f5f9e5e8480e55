//! The route catalogue of every service, from which the OpenAPI 3.1 document
//! (`GET /api/openapi.json`, [`openapi()`]) is generated, the services dispatch
//! ([`find_op`]: a typed, exhaustive `match` on their [`ServiceOp`]) and the
//! gateway classifies requests ([`lookup`] + [`Auth`]). A route a service answers
//! is documented by construction; `tests/tests/identity.rs` checks `spin.toml`'s
//! triggers against it.
//!
//! Each service's table is one file ([`web`], [`identity`], [`applications`],
//! [`districts`], [`experiments`], [`notifications`]) declared with `catalogue!`: one entry per
//! route makes the service's `Op` variant, its `operationId` and its [`RouteDoc`],
//! so every operation has exactly one route and every route one operation.

use schemars::{JsonSchema, Schema, SchemaGenerator};

mod matching;
mod openapi;

pub mod applications;
pub mod districts;
pub mod experiments;
pub mod identity;
pub mod notifications;
pub mod partners;
pub mod web;

#[cfg(test)]
mod tests;

pub use matching::{
    MAX_PARAMS, Params, PathParams, RouteMiss, find, find_op, lookup, match_template,
};
pub use openapi::openapi;

/// Who may call a route: the gateway admits requests by it (`qmi_gateway::route`,
/// through the policy's gate), then the service decides record by record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Anyone, without a token.
    Public,
    /// The caller's own account (`/api/me…`): any signed-in principal, a
    /// hosting operator included.
    Account,
    /// Any signed-in principal (the gateway turns away a hosting-only operator,
    /// who manages the platform, not its programme).
    Principal,
    /// A member of the route's commune (`{insee}`), or a programme operator.
    Tenant,
    /// A platform operator (programme or hosting).
    Operator,
}

impl Auth {
    /// The sentence the OpenAPI document gives as the operation's description.
    fn describe(self) -> &'static str {
        match self {
            Self::Public => "Public: no token needed.",
            Self::Account | Self::Principal => "Any signed-in principal (bearer token).",
            Self::Tenant => "A member of the commune `{insee}` or a programme operator.",
            Self::Operator => "A platform operator (programme or hosting).",
        }
    }
}

/// A documented query parameter.
#[derive(Clone, Copy, Debug)]
pub struct QueryParam {
    /// Name.
    pub name: &'static str,
    /// JSON type (`string` or `integer`).
    pub ty: &'static str,
    /// What it does.
    pub description: &'static str,
}

/// Produces a schema (a `$ref` into `components/schemas` for named types).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// One route of one service.
#[derive(Clone, Copy, Debug)]
pub struct RouteDoc {
    /// The operation: the service's dispatch key, which names the
    /// `operationId` ([`RouteOp::id`]) and the service ([`RouteOp::service`]).
    pub op: RouteOp,
    /// HTTP method.
    pub method: &'static str,
    /// Path template, parameters as `{name}`.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Who may call it.
    pub auth: Auth,
    /// Query parameters.
    pub query: &'static [QueryParam],
    /// Request body schema (JSON).
    pub request: Option<SchemaFn>,
    /// Success status.
    pub status: u16,
    /// Success body schema (JSON); `None` for an empty body.
    pub response: Option<SchemaFn>,
    /// The length of the path's literal start, before its first parameter: a path
    /// that does not start with it is not this route's (a cheap first test).
    literal: usize,
}

impl RouteDoc {
    /// `operationId`.
    pub const fn id(&self) -> &'static str {
        self.op.id()
    }

    /// The Spin component serving it.
    pub const fn service(&self) -> &'static str {
        self.op.service()
    }
}

/// An operation of any service: which service, and which of its operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteOp {
    /// The `web` component's.
    Web(web::Op),
    /// The `identity` service's.
    Identity(identity::Op),
    /// The `applications` service's.
    Applications(applications::Op),
    /// The `districts` service's.
    Districts(districts::Op),
    /// The `experiments` service's.
    Experiments(experiments::Op),
    /// The `notifications` service's.
    Notifications(notifications::Op),
    /// The `partners` service's.
    Partners(partners::Op),
}

impl RouteOp {
    /// `operationId`.
    pub const fn id(self) -> &'static str {
        match self {
            Self::Web(op) => op.id(),
            Self::Identity(op) => op.id(),
            Self::Applications(op) => op.id(),
            Self::Districts(op) => op.id(),
            Self::Experiments(op) => op.id(),
            Self::Notifications(op) => op.id(),
            Self::Partners(op) => op.id(),
        }
    }

    /// The Spin component serving it.
    pub const fn service(self) -> &'static str {
        match self {
            Self::Web(_) => web::SERVICE,
            Self::Identity(_) => identity::SERVICE,
            Self::Applications(_) => applications::SERVICE,
            Self::Districts(_) => districts::SERVICE,
            Self::Experiments(_) => experiments::SERVICE,
            Self::Notifications(_) => notifications::SERVICE,
            Self::Partners(_) => partners::SERVICE,
        }
    }
}

/// The operations of one service (its `Op`, made by `catalogue!`), which it
/// dispatches on with [`find_op`] and matches exhaustively.
pub trait ServiceOp: Copy + std::fmt::Debug + Eq + 'static {
    /// The Spin component's name.
    const SERVICE: &'static str;
    /// The service's routes, in catalogue order.
    const ROUTES: &'static [RouteDoc];
    /// Every operation, in catalogue order.
    const ALL: &'static [Self];
    /// The operation of `op`, if it is this service's.
    fn of(op: RouteOp) -> Option<Self>;
    /// `operationId`.
    fn id(self) -> &'static str;
    /// The operation's route.
    fn route(self) -> &'static RouteDoc;
}

/// The tables in document order (that of the OpenAPI `paths` and of [`ROUTES`]).
const TABLES: &[&[RouteDoc]] = &[
    web::ROUTES,
    identity::ROUTES,
    // Before applications': its exact open-data files win over `/api/open-data/{file}`.
    experiments::ROUTES,
    applications::ROUTES,
    districts::ROUTES,
    notifications::ROUTES,
    partners::ROUTES,
];

/// How many routes there are.
const COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < TABLES.len() {
        n += TABLES[i].len();
        i += 1;
    }
    n
};

/// The tables one after the other, at compile time.
const fn concat<const N: usize>(tables: &[&[RouteDoc]]) -> [RouteDoc; N] {
    let mut out = [web::ROUTES[0]; N];
    let mut k = 0;
    let mut i = 0;
    while i < tables.len() {
        let mut j = 0;
        while j < tables[i].len() {
            out[k] = tables[i][j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// Every route of every service under `/api`.
pub static ROUTES: &[RouteDoc] = &concat::<COUNT>(TABLES);

fn s<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

fn any_object(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({ "type": "object" })
}

fn file_body(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({ "type": "string", "format": "binary", "description": "The file itself (CSV, XLSX, PDF, PNG or JPEG), not JSON" })
}

/// The length of `template`'s start before its first `{`.
const fn literal_len(template: &str) -> usize {
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] != b'{' {
        i += 1;
    }
    i
}

/// A page of a listing.
const PAGE: &[QueryParam] = &[
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 500 (default 100).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

/// Declares one service's routes: its `Op` enum (one variant per route, documented
/// by the route's summary), the variant's `operationId`, and its `ROUTES` table.
///
/// `Variant = "operationId": METHOD "/api/path/{param}", Auth, status, "summary",
/// query: …, request: …, response: …;`
macro_rules! catalogue {
    (
        $(#[$meta:meta])*
        service $svc:ident = $name:literal;
        $(
            $variant:ident = $id:literal : $method:ident $path:literal, $auth:ident, $status:literal,
            $summary:literal,
            query: $query:expr, request: $request:expr, response: $response:expr;
        )+
    ) => {
        /// The Spin component's name.
        pub const SERVICE: &str = $name;

        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Op {
            $(
                #[doc = $summary]
                $variant,
            )+
        }

        impl Op {
            /// `operationId`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Self::$variant => $id,)+
                }
            }

            /// The operation's route (the variants are in table order).
            pub const fn route(self) -> &'static $crate::routes::RouteDoc {
                &ROUTES[self as usize]
            }
        }

        impl $crate::routes::ServiceOp for Op {
            const SERVICE: &'static str = SERVICE;
            const ROUTES: &'static [$crate::routes::RouteDoc] = ROUTES;
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn of(op: $crate::routes::RouteOp) -> Option<Self> {
                match op {
                    $crate::routes::RouteOp::$svc(op) => Some(op),
                    _ => None,
                }
            }

            fn id(self) -> &'static str {
                Op::id(self)
            }

            fn route(self) -> &'static $crate::routes::RouteDoc {
                Op::route(self)
            }
        }

        /// The service's routes, in catalogue order.
        pub const ROUTES: &[$crate::routes::RouteDoc] = &[
            $(
                $crate::routes::RouteDoc {
                    op: $crate::routes::RouteOp::$svc(Op::$variant),
                    method: stringify!($method),
                    path: $path,
                    summary: $summary,
                    auth: $crate::routes::Auth::$auth,
                    query: $query,
                    request: $request,
                    status: $status,
                    response: $response,
                    literal: $crate::routes::literal_len($path),
                },
            )+
        ];
    };
}
pub(crate) use catalogue;
