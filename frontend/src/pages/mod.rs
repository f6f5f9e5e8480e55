//! One module per routed page.

pub mod access;
pub mod account;
pub mod call;
pub mod calls;
pub mod candidacy;
pub mod communes;
pub mod decisions;
pub mod directory;
pub mod form_builder;
pub mod home;
pub mod invitations;
pub mod join;
pub mod lazy;
pub mod legal;
pub mod manage;
pub mod members;
pub mod mine;
pub mod not_found;
pub mod notices;
pub mod organisation;
pub mod pending;
pub mod signin;
pub mod space;
pub mod team;
pub mod tenants;
