//! Request and response types of the `applications` service (calls for communes
//! and their candidacies, calls for solutions, applications, reviews, decisions)
//! and of the `districts` service. Instants are RFC 3339 strings in UTC
//! (`2026-05-01T10:00:00Z`); inputs may also be written as Europe/Paris local time
//! (`2026-05-01T12:00`), see `opens_at`/`closes_at`.

mod calls;
mod campaigns;
mod districts;
mod forms;
mod reviews;
mod submissions;

pub use calls::*;
pub use campaigns::*;
pub use districts::*;
pub use forms::*;
pub use reviews::*;
pub use submissions::*;
