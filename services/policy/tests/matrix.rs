//! Exhaustive decision matrix: every role × every action × every relation.
//!
//! Each cell lists, for the eight roles in order, the role's letter when the action is
//! allowed and `.` when it is refused:
//!
//! | letter | role |
//! |---|---|
//! | `a` | anonymous (no principal) |
//! | `P` | programme operator |
//! | `H` | hosting operator |
//! | `D` | commune admin of A |
//! | `G` | commune agent of A |
//! | `R` | reviewer of A |
//! | `M` | partner member of organisation X |
//! | `N` | signed-in account with no role |
//!
//! Relations (columns); unless stated: commune call, not assigned, no conflict,
//! unpublished. "Assigned"/"conflict" are facts about the asking principal, so in
//! those columns every role is the assigned reviewer in question.
//!
//! | column | tenant | organisation | other facts |
//! |---|---|---|---|
//! | `-` | none | none | |
//! | `A` | A (own commune) | none | |
//! | `Ap` | A | none | published |
//! | `B` | B (other commune) | none | |
//! | `X` | none | X (own organisation) | |
//! | `Y` | none | Y (other organisation) | |
//! | `AX` | A | X | |
//! | `AXp` | A | X | published |
//! | `AY` | A | Y | |
//! | `AYr` | A | Y | assigned reviewer |
//! | `AYc` | A | Y | assigned reviewer, conflict declared |
//! | `PA` | A | Y | programme call |

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failed unwrap is a failed test, helpers included"
)]

use qmi_policy::rules::{
    Action, CommuneRole, Decision, Facts, Membership, PlatformRole, Principal, decide,
};

const MATRIX: &str = "
action                   -        A        Ap       B        X        Y        AX       AXp      AY       AYr      AYc      PA
registry-read            aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN aPHDGRMN
tenant-create            .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH.....
tenant-suspend           .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH.....
tenant-resume            .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH.....
tenant-content-read      ........ .P.DGR.. aPHDGRMN .P...... ........ ........ .P.DGR.. aPHDGRMN .P.DGR.. .P.DGR.. .P.DGR.. .P.DGR..
member-list              ........ .P.DG... .P.DG... .P...... ........ ........ .P.DG... .P.DG... .P.DG... .P.DG... .P.DG... .P.DG...
member-manage            ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P.D....
organisation-create      .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N
organisation-read        ........ ........ ........ ........ .P....M. .P...... .P....M. .P....M. .P...... .P...... .P...... .P......
organisation-update      ........ ........ ........ ........ .P....M. .P...... .P....M. .P....M. .P...... .P...... .P...... .P......
campaign-read            .P...... .P...... aPHDGRMN .P...... .P...... .P...... .P...... aPHDGRMN .P...... .P...... .P...... .P......
campaign-open            .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P......
campaign-review          .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P......
campaign-select          .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P......
candidacy-draft          ........ ...D.... ...D.... ........ ........ ........ ...D.... ...D.... ...D.... ...D.... ...D.... ...D....
candidacy-submit         ........ ...D.... ...D.... ........ ........ ........ ...D.... ...D.... ...D.... ...D.... ...D.... ...D....
candidacy-read           ........ .P.DG... .P.DG... .P...... ........ ........ .P.DG... .P.DG... .P.DG... .P.DG... .P.DG... .P.DG...
call-create              ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P......
call-update              ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P......
call-publish             ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P......
call-read                ........ .P.DG... aPHDGRMN .P...... ........ ........ .P.DG... aPHDGRMN .P.DG... .P.DG... .P.DG... .P......
application-draft        ........ ........ ........ ........ ......M. ........ ......M. ......M. ........ ........ ........ ........
application-submit       ........ ........ ........ ........ ......M. ........ ......M. ......M. ........ ........ ........ ........
application-withdraw     ........ ........ ........ ........ ......M. ........ ......M. ......M. ........ ........ ........ ........
application-read         ........ ........ ........ ........ .P....M. .P...... .P.DG.M. .P.DG.M. .P.DG... .P.DGRMN ........ .P.DG...
application-read-title   ........ ........ ........ ........ .P....M. .P...... .P.DG.M. .P.DG.M. .P.DG... .P.DGRMN .P.DGRMN .P.DG...
review-assign            ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... ........ .P......
review-score             ........ ........ ........ ........ ........ ........ ........ ........ ........ .P.DGRMN ........ ........
review-declare-conflict  ........ ........ ........ ........ ........ ........ ........ ........ ........ .P.DGRMN .P.DGRMN ........
review-read              ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.DGRMN ........ .P......
decision-decide          ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... ........ .P......
decision-publish         ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... ........ .P......
decision-read            ........ ........ ........ ........ .P...... .P...... .P.DG... .P.DG.M. .P.DG... .P.DG... ........ .P.DG...
export-applications      ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P......
export-open-data         ........ ........ aPHDGRMN ........ ........ ........ ........ aPHDGRMN ........ ........ ........ ........
district-update          ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P.D....
notification-read        .PHDGRMN .P.DGRMN .P.DGRMN .P.DGRMN .PHDGRMN .PHDGRMN .P.DGRMN .P.DGRMN .P.DGRMN .P.DGRMN .P.DGRMN .P.DGRMN
team-manage              .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P......
organisation-join        ........ ........ ........ ........ .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N .PHDGR.N
review-follow            ........ .P.DG... .P.DG... .P...... ........ ........ .P.DG... .P.DG... .P.DG... .P.DG... .P.DG... .P......
jobs-run                 .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH.....
experiment-create        ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P.D....
experiment-read          ........ .P.DG... aPHDGRMN .P...... ........ ........ .P.DG.M. aPHDGRMN .P.DG... .P.DG... .P.DG... .P.DG...
experiment-manage        ........ .P.D.... .P.D.... .P...... ........ ........ .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P.D....
experiment-report        ........ ...D.... ...D.... ........ ........ ........ ...D..M. ...D..M. ...D.... ...D.... ...D.... ...D....
feedback-give            ........ ........ aPHDGRMN ........ ........ ........ ........ aPHDGRMN ........ ........ ........ ........
feedback-moderate        ........ ...DG... ...DG... ........ ........ ........ ...DG... ...DG... ...DG... ...DG... ...DG... ...DG...
experiment-evaluate      ........ ...D.... ...D.... ........ ........ ........ ...D.... ...D.... ...D.... ...D.... ...D.... .P......
experiment-figures       .P...... .P.DG... .P.DG... .P...... .P...... .P...... .P.DG... .P.DG... .P.DG... .P.DG... .P.DG... .P.DG...
partner-read             ........ ........ aPHDGRMN ........ .P.DGRM. .P.DGR.. .P.DGRM. aPHDGRMN .P.DGR.. .P.DGR.. .P.DGR.. .P.DGR..
partner-contacts         ........ ........ ........ ........ .P.DGRM. .P.DGR.. .P.DGRM. .P.DGRM. .P.DGR.. .P.DGR.. .P.DGR.. .P.DGR..
partner-curate           .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P...... .P......
note-read                .P...... ...DG... ...DG... ........ .P...... .P...... ...DG... ...DG... ...DG... ...DG... ...DG... ...DG...
note-write               .P...... ...DG... ...DG... ........ .P...... .P...... ...DG... ...DG... ...DG... ...DG... ...DG... ...DG...
audit-read               .P...... .P.D.... .P.D.... .P...... .P...... .P...... .P.D.... .P.D.... .P.D.... .P.D.... .P.D.... .P.D....
usage-read               .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH..... .PH.....
personal-data-export     .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN
account-erase            .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN .PHDGRMN
";

/// The role letters, in column order within a cell.
const ROLES: &str = "aPHDGRMN";

/// The principal playing role `letter` (`None` for anonymous).
fn principal(letter: char) -> Option<Principal> {
    let member = |role| Principal {
        sub: format!("{letter}"),
        memberships: vec![Membership {
            insee: "A".into(),
            role,
        }],
        ..Principal::default()
    };
    let p = match letter {
        'a' => return None,
        'P' => Principal {
            sub: "P".into(),
            platform_roles: vec![PlatformRole::Programme],
            ..Principal::default()
        },
        'H' => Principal {
            sub: "H".into(),
            platform_roles: vec![PlatformRole::Hosting],
            ..Principal::default()
        },
        'D' => member(CommuneRole::Admin),
        'G' => member(CommuneRole::Agent),
        'R' => member(CommuneRole::Reviewer),
        'M' => Principal {
            sub: "M".into(),
            organisation: Some("X".into()),
            ..Principal::default()
        },
        'N' => Principal {
            sub: "N".into(),
            ..Principal::default()
        },
        other => panic!("unknown role letter {other}"),
    };
    Some(p)
}

/// The facts of relation column `name`.
fn relation(name: &str) -> Facts {
    let at = |tenant: Option<&str>, org: Option<&str>| Facts {
        tenant: tenant.map(Into::into),
        organisation: org.map(Into::into),
        ..Facts::default()
    };
    match name {
        "-" => at(None, None),
        "A" => at(Some("A"), None),
        "Ap" => Facts {
            published: true,
            ..at(Some("A"), None)
        },
        "B" => at(Some("B"), None),
        "X" => at(None, Some("X")),
        "Y" => at(None, Some("Y")),
        "AX" => at(Some("A"), Some("X")),
        "AXp" => Facts {
            published: true,
            ..at(Some("A"), Some("X"))
        },
        "AY" => at(Some("A"), Some("Y")),
        "AYr" => Facts {
            assigned_reviewer: true,
            ..at(Some("A"), Some("Y"))
        },
        "AYc" => Facts {
            assigned_reviewer: true,
            conflict_declared: true,
            ..at(Some("A"), Some("Y"))
        },
        "PA" => Facts {
            programme_call: true,
            ..at(Some("A"), Some("Y"))
        },
        other => panic!("unknown relation {other}"),
    }
}

/// One expected outcome.
struct Case {
    action: Action,
    relation: &'static str,
    role: char,
    allowed: bool,
}

/// Parses [`MATRIX`], checking its shape (every action once, every cell well formed).
fn cases() -> Vec<Case> {
    let mut lines = MATRIX.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().skip(1).collect();
    assert_eq!(header.len(), 12, "twelve relations");
    let mut seen = Vec::new();
    let mut cases = Vec::new();
    for line in lines {
        let mut cols = line.split_whitespace();
        let name = cols.next().unwrap();
        let action = Action::from_name(name).unwrap_or_else(|| panic!("unknown action {name}"));
        assert!(!seen.contains(&action), "{name} listed twice");
        seen.push(action);
        let cells: Vec<&str> = cols.collect();
        assert_eq!(cells.len(), header.len(), "{name}: one cell per relation");
        for (relation, cell) in header.iter().zip(cells) {
            assert_eq!(
                cell.len(),
                ROLES.len(),
                "{name}/{relation}: one mark per role"
            );
            for (role, mark) in ROLES.chars().zip(cell.chars()) {
                assert!(
                    mark == role || mark == '.',
                    "{name}/{relation}: `{mark}` where `{role}` or `.` belongs"
                );
                cases.push(Case {
                    action,
                    relation,
                    role,
                    allowed: mark == role,
                });
            }
        }
    }
    assert_eq!(seen.len(), Action::ALL.len(), "every action has a row");
    cases
}

#[test]
fn every_role_action_and_relation_matches_the_matrix() {
    let cases = cases();
    assert_eq!(cases.len(), Action::ALL.len() * 12 * 8);
    let mut wrong = Vec::new();
    for c in &cases {
        let decision = decide(principal(c.role).as_ref(), c.action, &relation(c.relation));
        if decision.is_allowed() != c.allowed {
            wrong.push(format!(
                "{} / {} / {}: expected {}, got {decision:?}",
                c.action.name(),
                c.relation,
                c.role,
                if c.allowed { "allowed" } else { "refused" }
            ));
        }
        if let Decision::Refused(r) = &decision {
            assert!(
                !r.reason.is_empty(),
                "{} refused without a reason",
                c.action.name()
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
