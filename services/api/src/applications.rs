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

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    /// The fixed sets' wire names are serde's (the API and stored values agree).
    #[test]
    fn status_names_are_the_serde_names() {
        fn check<T: Serialize + Copy>(all: &[T], name: impl Fn(T) -> &'static str) {
            for v in all {
                assert_eq!(
                    serde_json::to_value(v).ok(),
                    Some(serde_json::json!(name(*v)))
                );
            }
        }
        check(&CallStatus::ALL, CallStatus::as_str);
        check(&CandidacyStatus::ALL, CandidacyStatus::as_str);
        check(&CampaignAction::ALL, CampaignAction::as_str);
        check(&MediaType::ALL, MediaType::as_str);
        check(
            &[ConflictKind::Declared, ConflictKind::Organisation],
            ConflictKind::as_str,
        );
        for s in CandidacyStatus::ALL {
            assert_eq!(CandidacyStatus::parse(s.as_str()), Some(s));
        }
        for s in CallStatus::ALL {
            assert_eq!(CallStatus::parse(s.as_str()), Some(s));
        }
        for a in CampaignAction::ALL {
            assert_eq!(CampaignAction::parse(a.as_str()), Some(a));
        }
        for m in MediaType::ALL {
            assert_eq!(MediaType::parse(m.as_str()), Some(m));
        }
    }
}
