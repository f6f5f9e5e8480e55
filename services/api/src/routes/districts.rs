//! The `districts` service's routes.

use super::{PAGE, s};
use crate::applications::*;
use crate::page::Page;

super::catalogue! {
    /// The operations of the `districts` service.
    service Districts = "districts";
    CreateDistrict = "createDistrict": POST "/api/districts", Principal, 201,
        "Create a district (programme operators; done by a selection)",
        query: &[], request: Some(s::<DistrictInput>), response: Some(s::<District>);
    ListDistricts = "listDistricts": GET "/api/districts", Public, 200,
        "Districts, cursor-paginated",
        query: PAGE, request: None, response: Some(s::<Page<District>>);
    GetDistrict = "getDistrict": GET "/api/districts/{insee}", Public, 200,
        "One district",
        query: &[], request: None, response: Some(s::<District>);
    UpdateDistrict = "updateDistrict": PUT "/api/districts/{insee}", Principal, 200,
        "Complete a district (its commune's admins, programme operators)",
        query: &[], request: Some(s::<DistrictInput>), response: Some(s::<District>);
}
