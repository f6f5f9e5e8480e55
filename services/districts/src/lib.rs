//! `qmi-districts`: a commune's innovation district, created when the programme
//! selects the commune's candidacy, then completed by the commune's admins.
//! Who may do what is decided by [`may_update`]; the Spin handler lives in
//! `component` (wasm32 only).

use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};

#[cfg(target_arch = "wasm32")]
mod component;

/// The SQLite label of the districts database.
pub const DATABASE: &str = "districts";

/// Whether `p` may create a district (programme operators: the call for communes
/// selects it).
pub fn may_create(p: &Principal) -> bool {
    p.is(PlatformRole::Programme)
}

/// Whether `p` may complete district `insee` (its commune's admins, programme operators).
pub fn may_update(p: &Principal, insee: &Insee) -> bool {
    p.is(PlatformRole::Programme) || p.role_in(insee) == Some(MembershipRole::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogued_route_is_handled_and_rules_hold() {
        let ids: Vec<_> = qmi_api::routes::ROUTES.iter().filter(|r| r.service == "districts").map(|r| r.id).collect();
        assert_eq!(ids, ["createDistrict", "listDistricts", "getDistrict", "updateDistrict"]);
        let a: Insee = "93066".parse().unwrap();
        let b: Insee = "93048".parse().unwrap();
        let mut p = Principal { sub: "s".into(), name: "n".into(), lang: "fr".into(), ops: vec![], org: None, mem: Default::default() };
        assert!(!may_create(&p) && !may_update(&p, &a));
        p.mem.insert(a.clone(), MembershipRole::Agent);
        assert!(!may_update(&p, &a));
        p.mem.insert(a.clone(), MembershipRole::Admin);
        assert!(may_update(&p, &a) && !may_update(&p, &b));
        p.ops.push(PlatformRole::Programme);
        assert!(may_create(&p) && may_update(&p, &b));
    }
}
