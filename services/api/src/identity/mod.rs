//! Request and response types of the identity service: the tenant registry,
//! accounts, tokens, memberships, organisations. Validated values are parsed
//! at the edge (`Email`, `Country`, `Siret`…), so a handler never holds an
//! invalid one.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tenancy::{Insee, MembershipRole, PlatformRole};

mod accounts;
mod organisations;
mod registry;
mod values;

pub use accounts::*;
pub use organisations::*;
pub use registry::*;
pub use values::*;
