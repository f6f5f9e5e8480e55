//! Configurable workflows: ordered states and allowed transitions, checked once
//! when a call is saved, then consulted on every move.

use std::collections::HashSet;

use qmi_api::applications::{Application, Workflow};
use qmi_kit::FieldError;

/// The state of a saved, unsubmitted application.
pub const DRAFT: &str = "draft";
/// The state of a submitted application.
pub const SUBMITTED: &str = "submitted";
/// The state of a withdrawn application.
pub const WITHDRAWN: &str = "withdrawn";

/// Problems of a workflow definition (fields `workflow.…`).
pub fn check(w: &Workflow) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut ids = HashSet::new();
    for (i, s) in w.states.iter().enumerate() {
        if !crate::form::valid_key(&s.id) {
            errors.push(FieldError::new(
                format!("workflow.states[{i}].id"),
                "1 to 64 characters among a-z, 0-9 and _",
            ));
        } else if !ids.insert(s.id.as_str()) {
            errors.push(FieldError::new(
                format!("workflow.states[{i}].id"),
                format!("`{}` is used twice", s.id),
            ));
        }
    }
    for needed in [DRAFT, SUBMITTED, WITHDRAWN] {
        if !ids.contains(needed) {
            errors.push(FieldError::new(
                "workflow.states",
                format!("the state `{needed}` is required"),
            ));
        }
    }
    if w.states
        .iter()
        .any(|s| s.decision && [DRAFT, SUBMITTED, WITHDRAWN].contains(&s.id.as_str()))
    {
        errors.push(FieldError::new(
            "workflow.states",
            "draft, submitted and withdrawn cannot be decisions",
        ));
    }
    for (i, t) in w.transitions.iter().enumerate() {
        for (name, v) in [("from", &t.from), ("to", &t.to)] {
            if !ids.contains(v.as_str()) {
                errors.push(FieldError::new(
                    format!("workflow.transitions[{i}].{name}"),
                    format!("no state `{v}`"),
                ));
            }
        }
        if w.states.iter().any(|s| s.id == t.from && s.decision) {
            errors.push(FieldError::new(
                format!("workflow.transitions[{i}].from"),
                "a decision is final",
            ));
        }
    }
    if !allows(w, DRAFT, SUBMITTED) {
        errors.push(FieldError::new(
            "workflow.transitions",
            "draft → submitted must be allowed",
        ));
    }
    errors
}

/// Whether `from → to` is allowed.
pub fn allows(w: &Workflow, from: &str, to: &str) -> bool {
    w.transitions.iter().any(|t| t.from == from && t.to == to)
}

/// Whether `state` is a decision.
pub fn is_decision(w: &Workflow, state: &str) -> bool {
    w.states.iter().any(|s| s.id == state && s.decision)
}

/// Whether an application in `state` still awaits its reviews: submitted and
/// on its way, neither withdrawn nor decided.
pub fn awaits_review(w: &Workflow, state: &str) -> bool {
    state != DRAFT && state != WITHDRAWN && !is_decision(w, state)
}

/// The label of a state (its id when unknown).
pub fn label<'a>(w: &'a Workflow, state: &'a str) -> &'a str {
    w.states
        .iter()
        .find(|s| s.id == state)
        .map_or(state, |s| s.label.as_str())
}

/// Shows an application as it was before its decision, for those who may not
/// know the decision before it is published: the decision steps leave its
/// history, and its status, reason and last change are those of the last step
/// left (a decision is final and reached from a step that is not one).
pub fn hide_decision(w: &Workflow, app: &mut Application) {
    app.history.retain(|s| !is_decision(w, &s.status));
    match app.history.last() {
        Some(last) => {
            app.status = last.status.clone();
            app.reason = last.reason.clone();
            app.updated_at = last.at.clone();
        }
        None => {
            app.status = SUBMITTED.to_owned();
            app.reason = None;
            app.updated_at = app
                .submitted_at
                .clone()
                .unwrap_or_else(|| app.created_at.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qmi_api::applications::{StatusChange, Transition};

    #[test]
    fn a_hidden_decision_shows_the_step_before_it() {
        let step = |at: &str, status: &str, reason: Option<&str>| StatusChange {
            at: at.into(),
            status: status.into(),
            actor: "a".into(),
            reason: reason.map(Into::into),
        };
        let mut app: Application = serde_json::from_value(serde_json::json!({
            "id": "x", "call_id": "c", "insee": "93066", "organisation": "o", "title": "t", "answers": {},
            "status": "rejected", "reason": "Note insuffisante", "created_at": "1", "updated_at": "9", "submitted_at": "2",
            "history": []
        }))
        .unwrap();
        app.history = vec![
            step("1", "draft", None),
            step("2", "submitted", None),
            step("5", "in_review", Some("jury")),
            step("9", "rejected", Some("Note insuffisante")),
        ];
        hide_decision(&Workflow::standard(), &mut app);
        assert_eq!(
            (
                app.status.as_str(),
                app.reason.as_deref(),
                app.updated_at.as_str()
            ),
            ("in_review", Some("jury"), "5")
        );
        assert!(app.history.iter().all(|s| s.status != "rejected"));
        assert_eq!(app.history.len(), 3);
    }

    #[test]
    fn default_is_valid_and_behaves() {
        let w = Workflow::standard();
        assert!(check(&w).is_empty(), "{:?}", check(&w));
        assert!(allows(&w, "in_review", WITHDRAWN));
        assert!(!allows(&w, "selected", WITHDRAWN));
        assert!(!allows(&w, "submitted", "selected"));
        assert!(is_decision(&w, "rejected") && !is_decision(&w, "shortlisted"));
    }

    #[test]
    fn broken_workflows_are_named() {
        let mut w = Workflow::standard();
        w.states.retain(|s| s.id != "withdrawn");
        w.transitions.push(Transition {
            from: "selected".into(),
            to: "rejected".into(),
        });
        let fields: Vec<_> = check(&w).into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"workflow.states".to_owned()));
        assert!(fields.iter().any(|f| f.ends_with(".from")));
        assert!(fields.iter().any(|f| f.ends_with(".to")));
    }
}
