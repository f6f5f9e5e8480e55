//! The `notifications` service's routes: the inbox, preferences, e-mail delivery.

use super::{PAGE, s};
use crate::notifications::*;
use crate::page::Page;

super::catalogue! {
    /// The operations of the `notifications` service.
    service Notifications = "notifications";
    ListNotifications = "listNotifications": GET "/api/notifications", Principal, 200,
        "The signed-in account's notices, newest first, cursor-paginated",
        query: PAGE, request: None, response: Some(s::<Page<Notice>>);
    CountUnreadNotifications = "countUnreadNotifications": GET "/api/notifications/unread", Principal, 200,
        "How many of the signed-in account's notices are unread",
        query: &[], request: None, response: Some(s::<Unread>);
    ReadNotification = "readNotification": POST "/api/notifications/{id}/read", Principal, 204,
        "Mark one of the signed-in account's notices read",
        query: &[], request: None, response: None;
    ReadAllNotifications = "readAllNotifications": POST "/api/notifications/read-all", Principal, 204,
        "Mark every notice of the signed-in account read",
        query: &[], request: None, response: None;
    GetNotificationPreferences = "getNotificationPreferences": GET "/api/notifications/preferences", Principal, 200,
        "The e-mails the signed-in account receives",
        query: &[], request: None, response: Some(s::<Preferences>);
    PutNotificationPreferences = "putNotificationPreferences": PUT "/api/notifications/preferences", Principal, 200,
        "Choose the e-mails the signed-in account receives (invitations, password and security messages are always sent)",
        query: &[], request: Some(s::<Preferences>), response: Some(s::<Preferences>);
    RunDeliveries = "runDeliveries": POST "/api/notifications/deliveries", Operator, 200,
        "Run one e-mail delivery pass now (platform operators or a scheduler); counts only",
        query: &[], request: None, response: Some(s::<DeliveryRun>);
}
