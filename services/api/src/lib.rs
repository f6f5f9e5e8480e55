//! QMI's API contract, shared by the services (wasm32-wasip2) and the
//! frontend (wasm32-unknown-unknown) so that neither can drift from the other.

pub mod accountability;
pub mod applications;
pub mod authz;
pub mod calendar;
pub mod experiments;
pub mod geo;
pub mod identity;
pub mod internal;
pub mod notifications;
pub mod page;
pub mod partners;
pub mod personal;
pub mod principal;
pub mod routes;
pub mod tenancy;

pub use geo::Perimeter;
pub use page::Page;
pub use principal::{
    PRINCIPAL_HEADER, Principal, PrincipalError, REQUEST_ID_HEADER, TENANT_HEADER,
};
pub use tenancy::{Insee, InseeError, MembershipRole, PlatformRole};
