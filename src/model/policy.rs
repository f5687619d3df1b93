//! The policy: who co-signs what, opening windows and time limits. It is data, fixed by the
//! genesis event and changed only by an admin-pair event; the two-person rule is not in it.

use crate::model::roster::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Every kind of event, including those that carry no policy rule of their own. The order of
/// the variants is part of the signed format: new kinds are only ever appended.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Genesis,
    Enroll,
    Revoke,
    Schedule,
    Policy,
    Collect,
    Store,
    Withdraw,
    Inspect,
    Dispatch,
    Arrive,
    Open,
    Seal,
    Return,
    Release,
    Incident,
    Correct,
    Handover,
    Assign,
    Grant,
    Reseal,
    Cabinet,
    Void,
    Postpone,
    Manifest,
}

impl EventKind {
    pub const ALL: [EventKind; 25] = [
        EventKind::Genesis,
        EventKind::Enroll,
        EventKind::Revoke,
        EventKind::Schedule,
        EventKind::Policy,
        EventKind::Collect,
        EventKind::Store,
        EventKind::Withdraw,
        EventKind::Inspect,
        EventKind::Dispatch,
        EventKind::Arrive,
        EventKind::Open,
        EventKind::Seal,
        EventKind::Return,
        EventKind::Release,
        EventKind::Incident,
        EventKind::Correct,
        EventKind::Handover,
        EventKind::Assign,
        EventKind::Grant,
        EventKind::Reseal,
        EventKind::Cabinet,
        EventKind::Void,
        EventKind::Postpone,
        EventKind::Manifest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Genesis => "genesis",
            EventKind::Enroll => "enroll",
            EventKind::Revoke => "revoke",
            EventKind::Schedule => "schedule",
            EventKind::Policy => "policy",
            EventKind::Collect => "collect",
            EventKind::Store => "store",
            EventKind::Withdraw => "withdraw",
            EventKind::Inspect => "inspect",
            EventKind::Dispatch => "dispatch",
            EventKind::Arrive => "arrive",
            EventKind::Open => "open",
            EventKind::Seal => "seal",
            EventKind::Return => "return",
            EventKind::Release => "release",
            EventKind::Incident => "incident",
            EventKind::Correct => "correct",
            EventKind::Handover => "handover",
            EventKind::Assign => "assign",
            EventKind::Grant => "grant",
            EventKind::Reseal => "reseal",
            EventKind::Cabinet => "cabinet",
            EventKind::Void => "void",
            EventKind::Postpone => "postpone",
            EventKind::Manifest => "manifest",
        }
    }

    /// Roster and policy changes: the code, not the policy, demands two admins for these.
    pub fn is_administrative(self) -> bool {
        matches!(
            self,
            EventKind::Enroll
                | EventKind::Revoke
                | EventKind::Schedule
                | EventKind::Policy
                | EventKind::Grant
                | EventKind::Cabinet
                | EventKind::Void
                | EventKind::Postpone
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The alternative sets of roles that may co-sign one kind of event. Each role of a set must
/// be filled by a different signer; an empty set means any two keyholders.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CosignRule {
    pub kind: EventKind,
    pub any_of: Vec<Vec<Role>>,
}

/// The whole policy. Every field is part of the genesis event; later issues add enforcement of
/// the custody limits, never fields.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// One rule per event kind other than genesis, which all founders sign.
    pub cosigners: Vec<CosignRule>,
    /// Pairs of roles that one person may not hold together (they check each other).
    pub separated_roles: Vec<(Role, Role)>,
    /// A question-paper bag may be opened this many minutes before its session starts.
    pub open_question_papers_before_min: u32,
    /// A blank answer-sheet bag may be opened this many minutes before its session starts.
    pub open_answer_sheets_before_min: u32,
    /// Opening a spare-paper bag needs an incident note.
    pub spare_papers_need_incident: bool,
    /// Opening later than this many minutes after the start is a finding.
    pub open_late_after_min: u32,
    /// Papers held by the county at most this many minutes before their session.
    pub max_hold_before_session_min: u32,
    /// Dispatch to arrival (or return) at most this many minutes.
    pub max_transit_min: u32,
    /// Completed answer sheets back in the room on the session's calendar day (exam zone).
    pub answer_sheets_back_same_day: bool,
    /// An event recorded at most this many minutes after it happened.
    pub max_record_delay_min: u32,
    /// An event time at most this many seconds after the recorded time.
    pub clock_tolerance_sec: u32,
    /// How many entries the ledger may have grown between preparing and appending an event;
    /// also the replay window.
    pub max_head_lag: u64,
    /// A policy change takes effect this many minutes after it is recorded; a reschedule closer
    /// than this to the session's old or new start is a finding.
    pub change_delay_min: u32,
    /// Roles whose holders must sign with a key declared at enrolment as on a token; a
    /// strictly increasing set, empty by default. Absent from an older policy file: empty.
    #[serde(default)]
    pub tokens_required: Vec<Role>,
    /// The roles that may escort bags: be named on a dispatch and fill the `escort` role of a
    /// co-signer set (police escort papers in China, 公安押运).
    pub escort_roles: Vec<Role>,
    /// A bag is withdrawn or dispatched to a site at most this many minutes before its
    /// session starts.
    pub leave_before_session_min: u32,
    /// Answer sheets are sealed only after their session ends (otherwise after it starts).
    pub seal_after_session_end: bool,
    /// A bag in a cabinet is inspected at least this many minutes after it was stored or last
    /// inspected; 0 turns the rule off.
    pub max_inspection_gap_min: u32,
    /// The printers and carriers a collection may come from (`collect --from`); empty: any.
    /// Absent from an older policy file: empty.
    #[serde(default)]
    pub approved_senders: Vec<String>,
}

/// The largest replay window a policy may set, so that memory stays bounded.
pub const MAX_HEAD_LAG: u64 = 1_000_000;

impl Default for Policy {
    fn default() -> Policy {
        use Role::*;
        let rule = |kind, any_of: &[&[Role]]| CosignRule {
            kind,
            any_of: any_of.iter().map(|s| s.to_vec()).collect(),
        };
        Policy {
            cosigners: vec![
                rule(EventKind::Enroll, &[&[Admin, Admin]]),
                rule(EventKind::Revoke, &[&[Admin, Admin]]),
                rule(EventKind::Schedule, &[&[Admin, Admin]]),
                rule(EventKind::Policy, &[&[Admin, Admin]]),
                rule(EventKind::Collect, &[&[Custodian, Supervisor]]),
                rule(EventKind::Store, &[&[Custodian, Supervisor]]),
                rule(EventKind::Withdraw, &[&[Custodian, Supervisor]]),
                rule(EventKind::Inspect, &[&[Custodian, Supervisor]]),
                rule(
                    EventKind::Dispatch,
                    &[&[Custodian, Escort], &[ChiefExaminer, Escort]],
                ),
                rule(EventKind::Arrive, &[&[ChiefExaminer, Escort]]),
                rule(
                    EventKind::Open,
                    &[&[ChiefExaminer, Invigilator], &[Invigilator, Invigilator]],
                ),
                rule(EventKind::Seal, &[&[Invigilator, Invigilator]]),
                rule(EventKind::Return, &[&[Custodian, Escort]]),
                rule(EventKind::Release, &[&[Admin, Custodian]]),
                rule(EventKind::Incident, &[&[]]),
                rule(EventKind::Correct, &[&[Custodian, Supervisor]]),
                rule(EventKind::Handover, &[&[Escort, Escort]]),
                // The site's own chief examiner with a supervisor (docs/CUSTODY.md, "Posts").
                rule(
                    EventKind::Assign,
                    &[&[ChiefExaminer, Supervisor], &[Admin, Admin]],
                ),
                rule(EventKind::Grant, &[&[Admin, Admin]]),
                // The office head, not the custodian's daily co-signer: the pair that keeps a
                // bag cannot put a new seal on it alone.
                rule(EventKind::Reseal, &[&[Admin, Custodian]]),
                rule(EventKind::Cabinet, &[&[Admin, Admin]]),
                rule(EventKind::Void, &[&[Admin, Admin]]),
                rule(EventKind::Postpone, &[&[Admin, Admin]]),
                rule(EventKind::Manifest, &[&[Custodian, Supervisor]]),
            ],
            separated_roles: vec![(Custodian, Supervisor)],
            open_question_papers_before_min: 15,
            open_answer_sheets_before_min: 30,
            spare_papers_need_incident: true,
            open_late_after_min: 15,
            max_hold_before_session_min: 2 * 24 * 60,
            max_transit_min: 3 * 60,
            answer_sheets_back_same_day: true,
            max_record_delay_min: 24 * 60,
            clock_tolerance_sec: 5 * 60,
            max_head_lag: 10_000,
            change_delay_min: 24 * 60,
            tokens_required: Vec::new(),
            escort_roles: vec![Escort, Police],
            // Four hours: time for the longest run from the county to a site (the transit
            // limit, 3 h) with a margin, and less than the gap between a morning and an
            // afternoon start, so afternoon papers cannot ride with the morning's.
            leave_before_session_min: 4 * 60,
            seal_after_session_end: false,
            // China's rules ask for a joint check of the confidentiality room every half day.
            max_inspection_gap_min: 12 * 60,
            approved_senders: Vec::new(),
        }
    }
}

impl Policy {
    /// The alternative role sets for a kind; `None` when the policy names no rule for it.
    pub fn cosigners_for(&self, kind: EventKind) -> Option<&[Vec<Role>]> {
        self.cosigners
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.any_of.as_slice())
    }

    /// Why this policy cannot be put in force, if it cannot.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for kind in EventKind::ALL
            .into_iter()
            .filter(|k| *k != EventKind::Genesis)
        {
            match self.cosigners.iter().filter(|r| r.kind == kind).count() {
                1 => {}
                0 => out.push(format!("no co-signer rule for {kind}")),
                _ => out.push(format!("more than one co-signer rule for {kind}")),
            }
        }
        for rule in &self.cosigners {
            if rule.kind == EventKind::Genesis {
                out.push("genesis has no co-signer rule: all founders sign it".into());
            }
            if rule.any_of.is_empty() {
                out.push(format!(
                    "co-signer rule for {} lists no role set",
                    rule.kind
                ));
            }
        }
        if !(1..=MAX_HEAD_LAG).contains(&self.max_head_lag) {
            out.push(format!("max_head_lag must be 1 to {MAX_HEAD_LAG}"));
        }
        if !self.tokens_required.windows(2).all(|w| w[0] < w[1]) {
            out.push("tokens_required must list each role once, in the order of the roles".into());
        }
        if !self.escort_roles.windows(2).all(|w| w[0] < w[1]) {
            out.push("escort_roles must be a sorted set".into());
        }
        if self
            .approved_senders
            .iter()
            .any(|s| s.trim().is_empty() || s.chars().any(char::is_control))
        {
            out.push(
                "approved_senders names an empty sender or one with a control character".into(),
            );
        }
        for (a, b) in &self.separated_roles {
            if a == b {
                out.push(format!("separated_roles pairs {a} with itself"));
            }
        }
        out
    }

    /// Every rule of the policy as (name, value) in words, in a fixed order: one co-signer rule
    /// per kind (`cosigners.open`: `chief_examiner + invigilator | invigilator + invigilator`),
    /// `separated_roles`, then each limit by its field name. What a signer compares and an
    /// auditor reads; [`Policy::changes`] is built on it.
    pub fn rules(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for kind in EventKind::ALL
            .into_iter()
            .filter(|k| *k != EventKind::Genesis)
        {
            let value = match self.cosigners_for(kind) {
                None => "(no rule)".to_string(),
                Some(sets) => sets
                    .iter()
                    .map(|set| match set.as_slice() {
                        [] => "any two keyholders".to_string(),
                        roles => roles
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(" + "),
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
            };
            out.push((format!("cosigners.{kind}"), value));
        }
        let pairs: Vec<String> = self
            .separated_roles
            .iter()
            .map(|(a, b)| format!("{a}/{b}"))
            .collect();
        out.push((
            "separated_roles".into(),
            if pairs.is_empty() {
                "(none)".into()
            } else {
                pairs.join(", ")
            },
        ));
        let tokens: Vec<&str> = self.tokens_required.iter().map(|r| r.as_str()).collect();
        out.push((
            "tokens_required".into(),
            if tokens.is_empty() {
                "(none)".into()
            } else {
                tokens.join(", ")
            },
        ));
        let Policy {
            cosigners: _,
            separated_roles: _,
            tokens_required: _,
            escort_roles,
            leave_before_session_min,
            seal_after_session_end,
            max_inspection_gap_min,
            open_question_papers_before_min,
            open_answer_sheets_before_min,
            spare_papers_need_incident,
            open_late_after_min,
            max_hold_before_session_min,
            max_transit_min,
            answer_sheets_back_same_day,
            max_record_delay_min,
            clock_tolerance_sec,
            max_head_lag,
            change_delay_min,
            approved_senders,
        } = self; // destructured, so that a new field cannot be left out of the list
        for (name, value) in [
            (
                "open_question_papers_before_min",
                open_question_papers_before_min.to_string(),
            ),
            (
                "open_answer_sheets_before_min",
                open_answer_sheets_before_min.to_string(),
            ),
            (
                "spare_papers_need_incident",
                spare_papers_need_incident.to_string(),
            ),
            ("open_late_after_min", open_late_after_min.to_string()),
            (
                "max_hold_before_session_min",
                max_hold_before_session_min.to_string(),
            ),
            ("max_transit_min", max_transit_min.to_string()),
            (
                "answer_sheets_back_same_day",
                answer_sheets_back_same_day.to_string(),
            ),
            ("max_record_delay_min", max_record_delay_min.to_string()),
            ("clock_tolerance_sec", clock_tolerance_sec.to_string()),
            ("max_head_lag", max_head_lag.to_string()),
            ("change_delay_min", change_delay_min.to_string()),
            (
                "escort_roles",
                escort_roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "leave_before_session_min",
                leave_before_session_min.to_string(),
            ),
            ("seal_after_session_end", seal_after_session_end.to_string()),
            ("max_inspection_gap_min", max_inspection_gap_min.to_string()),
            (
                "approved_senders",
                if approved_senders.is_empty() {
                    "(any)".into()
                } else {
                    approved_senders.join(", ")
                },
            ),
        ] {
            out.push((name.into(), value));
        }
        out
    }

    /// Every rule `new` sets differently from `self`, as `name: old -> new`, in the order of
    /// [`Policy::rules`]. Empty when the two policies judge alike.
    pub fn changes(&self, new: &Policy) -> Vec<String> {
        self.rules()
            .into_iter()
            .zip(new.rules())
            .filter(|((_, old), (_, new))| old != new)
            .map(|((name, old), (_, new))| format!("{name}: {old} -> {new}"))
            .collect()
    }

    /// The pair of roles a keyholder may not hold together, if they hold one.
    pub fn separation_conflict(&self, roles: &[Role]) -> Option<(Role, Role)> {
        self.separated_roles
            .iter()
            .copied()
            .find(|(a, b)| roles.contains(a) && roles.contains(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_complete() {
        assert_eq!(Policy::default().problems(), Vec::<String>::new());
    }

    #[test]
    fn tokens_required_is_a_set_of_roles_in_order() {
        let mut p = Policy {
            tokens_required: vec![Role::Admin, Role::Custodian],
            ..Policy::default()
        };
        assert!(p.problems().is_empty());
        for wrong in [
            vec![Role::Custodian, Role::Admin],
            vec![Role::Admin, Role::Admin],
        ] {
            p.tokens_required = wrong;
            assert_eq!(p.problems().len(), 1, "{:?}", p.tokens_required);
        }
        // A policy file from before tokens_required reads as requiring none.
        let mut old = toml::to_string(&Policy::default()).unwrap();
        old = old.replace("tokens_required = []\n", "");
        assert!(!old.contains("tokens_required"));
        let read: Policy = toml::from_str(&old).unwrap();
        assert_eq!(read, Policy::default());
    }

    #[test]
    fn every_difference_is_a_change_co_signers_and_separated_roles_included() {
        let old = Policy::default();
        assert_eq!(old.changes(&old), Vec::<String>::new());
        let mut new = old.clone();
        new.cosigners
            .iter_mut()
            .find(|r| r.kind == EventKind::Open)
            .unwrap()
            .any_of = vec![vec![]];
        new.separated_roles.clear();
        new.max_transit_min = 240;
        assert_eq!(
            old.changes(&new),
            vec![
                "cosigners.open: chief_examiner + invigilator | invigilator + invigilator -> any two keyholders",
                "separated_roles: custodian/supervisor -> (none)",
                "max_transit_min: 180 -> 240",
            ]
        );
    }

    #[test]
    fn the_rules_name_every_field_of_the_policy() {
        // Each field by the name `policy set --file` reads, the co-signer rules by kind.
        let json = serde_json::to_value(Policy::default()).unwrap();
        let names: Vec<String> = Policy::default()
            .rules()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        for field in json.as_object().unwrap().keys() {
            assert!(
                names
                    .iter()
                    .any(|n| n == field || n.starts_with(&format!("{field}."))),
                "{field} is not among the rules"
            );
        }
    }

    #[test]
    fn a_missing_rule_is_a_problem() {
        let mut p = Policy::default();
        p.cosigners.retain(|r| r.kind != EventKind::Open);
        assert_eq!(p.problems(), vec!["no co-signer rule for open".to_string()]);
    }
}
