//! The judge: every rule an entry must pass, as one function over the state before it.
//!
//! The append path calls [`judge`] and refuses the entry on any finding; the audit calls the
//! same function on each entry of a journal and reports the findings. No rule exists twice.

use crate::model::entry::{DecodedEntry, Hash, LedgerId};

use crate::format::signing::{check_public_key, verify_body};
use crate::format::time::check_zone;
use crate::model::event::{Event, Genesis, Revocation};
use crate::model::finding::{Code, Finding};
use crate::model::policy::{EventKind, Policy};
use crate::model::roster::{KeyKind, Keyholder, Role, display_name_problem, valid_keyholder_id};
use crate::rules::state::{Kv, State, StoreError};
use std::collections::HashSet;

/// Judges one entry against the state before it. `journal_ledger_id` is the id in the journal's
/// header, which every body must repeat.
pub fn judge<K: Kv>(
    state: &State<K>,
    e: &DecodedEntry,
    journal_ledger_id: &LedgerId,
) -> Result<Vec<Finding>, StoreError> {
    let (mut out, claims) = judge_but_signatures(state, e, journal_ledger_id)?;
    out.extend(check_signatures(e, &claims));
    Ok(out)
}

/// A co-signature to check: which one, and the key enrolled for its signer at this position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureClaim {
    pub index: usize,
    pub public_key: [u8; 32],
}

/// Every rule of [`judge`] except the signature checks themselves, which it returns as claims.
/// No state change depends on whether a signature verifies, so an audit can judge entry after
/// entry in order and check the claims of many entries in parallel, with exactly the verdicts
/// [`judge`] gives.
pub fn judge_but_signatures<K: Kv>(
    state: &State<K>,
    e: &DecodedEntry,
    journal_ledger_id: &LedgerId,
) -> Result<(Vec<Finding>, Vec<SignatureClaim>), StoreError> {
    let mut claims = Vec::new();
    let mut out = Vec::new();
    let seq = e.entry.seq;
    let body = &e.body;
    let tip = state.tip()?;

    // Position: sequence, chain and recorded time against the entry before it.
    let (expected_seq, expected_prev) = tip.map_or((0, [0; 32]), |t| (t.size, t.hash));
    if seq != expected_seq {
        out.push(Finding::new(
            Code::Sequence,
            seq,
            format!("sequence number {seq} where {expected_seq} was expected"),
        ));
    }
    if e.entry.prev_hash != expected_prev {
        out.push(Finding::new(
            Code::Chain,
            seq,
            "previous-hash does not match the entry before it",
        ));
    }
    if let Some(t) = tip
        && e.entry.recorded_at < t.recorded_at
    {
        out.push(Finding::new(Code::ClockBackwards, seq, {
            // Rare: the zone is looked up only when the finding is made.
            let zone = state.ledger()?.map(|l| l.time_zone).unwrap_or_default();
            format!(
                "recorded at {}, before the previous entry ({})",
                e.entry.recorded_at.display_in(&zone),
                t.recorded_at.display_in(&zone)
            )
        }));
    }
    if body.ledger_id != *journal_ledger_id {
        out.push(Finding::new(
            Code::LedgerId,
            seq,
            "the body names another ledger",
        ));
    }

    let genesis = match (&body.event, tip.is_some()) {
        (Event::Genesis(g), false) => Some(g),
        (Event::Genesis(_), true) => {
            out.push(Finding::new(
                Code::GenesisMisplaced,
                seq,
                "a genesis event after the first entry",
            ));
            return Ok((out, claims));
        }
        (_, false) => {
            out.push(Finding::new(
                Code::GenesisMissing,
                seq,
                "the first entry is not a genesis event",
            ));
            return Ok((out, claims));
        }
        (_, true) => None,
    };
    let (policy, time_zone) = match genesis {
        Some(g) => (std::sync::Arc::new(g.policy.clone()), g.time_zone.clone()),
        None => (
            state.policy_at(e.entry.recorded_at)?.unwrap_or_default(),
            state.ledger()?.map(|l| l.time_zone).unwrap_or_default(),
        ),
    };

    out.extend(signer_list_problems(seq, &body.signers));
    if e.entry
        .signatures
        .iter()
        .map(|s| &s.signer)
        .ne(body.signers.iter())
    {
        out.push(Finding::new(
            Code::SignersMismatch,
            seq,
            format!(
                "signed by [{}] but the body names [{}]",
                e.entry
                    .signatures
                    .iter()
                    .map(|s| s.signer.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                body.signers.join(", ")
            ),
        ));
    }

    // Who signed, as the roster knows them at this position.
    let mut signers: Vec<Keyholder> = Vec::new();
    for (index, sig) in e.entry.signatures.iter().enumerate() {
        let holder = match genesis {
            Some(g) => g.founders.iter().find(|f| f.id == sig.signer).cloned(),
            None => match state.keyholder(&sig.signer)? {
                None => {
                    out.push(
                        Finding::new(
                            Code::SignerUnknown,
                            seq,
                            format!("{} is not on the roster", sig.signer),
                        )
                        .signer(&sig.signer),
                    );
                    None
                }
                Some(r) if !r.active() => {
                    out.push(
                        Finding::new(
                            Code::SignerRevoked,
                            seq,
                            format!(
                                "{} was revoked at entry {}",
                                sig.signer,
                                r.revoked_seq.unwrap_or_default()
                            ),
                        )
                        .signer(&sig.signer),
                    );
                    None
                }
                Some(r) => Some(r.keyholder),
            },
        };
        let Some(holder) = holder else {
            if genesis.is_some() {
                out.push(
                    Finding::new(
                        Code::SignerUnknown,
                        seq,
                        format!("{} is not a founder", sig.signer),
                    )
                    .signer(&sig.signer),
                );
            }
            continue;
        };
        claims.push(SignatureClaim {
            index,
            public_key: holder.public_key,
        });
        if !holder.valid_at(body.event_time) {
            out.push(
                Finding::new(
                    Code::SignerNotValid,
                    seq,
                    format!(
                        "{}'s key is not valid at the event time {}",
                        sig.signer,
                        body.event_time.display_in(&time_zone)
                    ),
                )
                .signer(&sig.signer),
            );
        }
        signers.push(holder);
    }

    let distinct_people: HashSet<&[u8; 32]> = signers.iter().map(|k| &k.person_tag).collect();
    if distinct_people.len() < signers.len() {
        out.push(Finding::new(
            Code::SamePerson,
            seq,
            "two of the signing keys belong to the same person",
        ));
    }

    out.extend(token_problems(seq, &policy, &signers));

    let kind = body.event.kind();
    if genesis.is_none() {
        let roles: Vec<&[Role]> = signers.iter().map(|k| k.roles.as_slice()).collect();
        if let Some(problem) = role_problem(&policy, kind, &roles) {
            out.push(Finding::new(Code::RoleMissing, seq, problem));
        }
    }

    // The head the signers saw must be in this journal, before this entry, and recent enough.
    let head = body.head;
    if head.size > seq {
        out.push(Finding::new(
            Code::HeadUnknown,
            seq,
            format!(
                "signed against a head of size {} that lies after this entry",
                head.size
            ),
        ));
    } else if seq - head.size > policy.max_head_lag {
        out.push(Finding::new(
            Code::HeadTooOld,
            seq,
            format!(
                "signed against a head {} entries old; the policy allows {}",
                seq - head.size,
                policy.max_head_lag
            ),
        ));
    } else {
        let known: Option<Hash> = match head.size {
            0 => Some([0; 32]),
            // Signed against the entry right before: the chain check already compares that
            // hash, so an edit to the previous entry is reported once, there.
            n if n == seq && head.hash == e.entry.prev_hash => Some(head.hash),
            n => state.recent_hash(n - 1)?,
        };
        if known != Some(head.hash) {
            out.push(Finding::new(
                Code::HeadUnknown,
                seq,
                format!(
                    "signed against a head of size {} that this ledger never had",
                    head.size
                ),
            ));
        }
    }
    if let Some(first) = state.nonce_seq(&body.nonce)?
        && first >= head.size
    {
        out.push(Finding::new(
            Code::Replay,
            seq,
            format!("the same signed event was already appended at entry {first}"),
        ));
    }
    let latest = e
        .entry
        .recorded_at
        .plus_seconds(i64::from(policy.clock_tolerance_sec));
    if body.event_time > latest {
        out.push(Finding::new(
            Code::FutureEvent,
            seq,
            format!(
                "event time {} is after the recorded time {} beyond the clock tolerance",
                body.event_time.display_in(&time_zone),
                e.entry.recorded_at.display_in(&time_zone)
            ),
        ));
    }

    match &body.event {
        Event::Genesis(g) => genesis_problems(&mut out, seq, g, &body.signers),
        Event::Enroll(k) => enroll_problems(state, &mut out, seq, k, &policy, &signers)?,
        Event::Revoke(r) => revoke_problems(state, &mut out, seq, r)?,
        // A granted role is checked as an enrolment with every role would be.
        Event::Grant(g) => {
            if let Some(k) = crate::rules::posts::granted(state, seq, g, &signers, &mut out)?
                && let Some((code, m)) = keyholder_problem(&k, &policy)
            {
                out.push(Finding::new(code, seq, m).signer(&k.id));
            }
        }
        _ => {}
    }
    crate::rules::custody::check(
        state,
        seq,
        body,
        e.entry.recorded_at,
        &policy,
        &time_zone,
        &mut out,
    )?;
    Ok((out, claims))
}

/// Checks the signature claims of one entry with the acceptance rule (`verify_strict`).
pub fn check_signatures(e: &DecodedEntry, claims: &[SignatureClaim]) -> Vec<Finding> {
    check_signatures_with(e, claims, |_, _| None)
}

/// [`check_signatures`], taking the verdict of signature `index` under `key` from `known` when
/// it has one: an audit checks signatures ahead, in parallel, with the same rule.
pub fn check_signatures_with(
    e: &DecodedEntry,
    claims: &[SignatureClaim],
    known: impl Fn(usize, &[u8; 32]) -> Option<bool>,
) -> Vec<Finding> {
    claims
        .iter()
        .filter_map(|c| {
            let sig = e.entry.signatures.get(c.index)?;
            let valid = known(c.index, &c.public_key)
                .unwrap_or_else(|| verify_body(&c.public_key, &e.entry.body, &sig.signature));
            if valid {
                return None;
            }
            Some(
                Finding::new(
                    Code::Signature,
                    e.entry.seq,
                    format!("the signature of {} does not verify", sig.signer),
                )
                .signer(&sig.signer),
            )
        })
        .collect()
}

/// The two-person rule on the list of named signers; fixed in code, no policy lowers it.
pub fn signer_list_problems(seq: u64, signers: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for id in signers {
        if !seen.insert(id) {
            out.push(
                Finding::new(
                    Code::SignerTwice,
                    seq,
                    format!("{id} is named as a signer twice"),
                )
                .signer(id),
            );
        }
    }
    if seen.len() < 2 {
        out.push(Finding::new(
            Code::TooFewSigners,
            seq,
            format!(
                "{} distinct signer(s); every event needs at least two people",
                seen.len()
            ),
        ));
    }
    out
}

/// Whether the signers' roles satisfy the policy for this kind, each role by a different signer.
/// Roster and policy changes need two admins whatever the policy says.
pub fn role_problem(policy: &Policy, kind: EventKind, signer_roles: &[&[Role]]) -> Option<String> {
    if kind.is_administrative() && !can_fill(&[Role::Admin, Role::Admin], signer_roles) {
        return Some(format!("{kind} needs two different admins"));
    }
    let sets = policy.cosigners_for(kind)?;
    // The escort of a set may be any role the policy lets escort (police, by default).
    let fills = |held: &[Role], wanted: Role| {
        held.contains(&wanted)
            || (wanted == Role::Escort && held.iter().any(|r| policy.escort_roles.contains(r)))
    };
    if sets
        .iter()
        .any(|set| can_fill_with(set, signer_roles, &fills))
    {
        return None;
    }
    let wanted: Vec<String> = sets
        .iter()
        .map(|set| {
            let names: Vec<&str> = set.iter().map(|r| r.as_str()).collect();
            if names.is_empty() {
                "any two keyholders".to_string()
            } else {
                names.join(" + ")
            }
        })
        .collect();
    Some(format!(
        "{kind} must be co-signed by {}",
        wanted.join(", or ")
    ))
}

/// Assigns each required role to a distinct signer holding it (sets are tiny: backtracking).
fn can_fill(required: &[Role], signer_roles: &[&[Role]]) -> bool {
    can_fill_with(required, signer_roles, &|held, wanted| {
        held.contains(&wanted)
    })
}

/// [`can_fill`], with `fills(held, wanted)` saying whether a signer holding `held` fills `wanted`.
fn can_fill_with(
    required: &[Role],
    signer_roles: &[&[Role]],
    fills: &dyn Fn(&[Role], Role) -> bool,
) -> bool {
    fn go(
        required: &[Role],
        signer_roles: &[&[Role]],
        fills: &dyn Fn(&[Role], Role) -> bool,
        used: &mut Vec<bool>,
    ) -> bool {
        let Some((first, rest)) = required.split_first() else {
            return true;
        };
        for (i, roles) in signer_roles.iter().enumerate() {
            if !used[i] && fills(roles, *first) {
                used[i] = true;
                if go(rest, signer_roles, fills, used) {
                    return true;
                }
                used[i] = false;
            }
        }
        false
    }
    go(
        required,
        signer_roles,
        fills,
        &mut vec![false; signer_roles.len()],
    )
}

/// Signers holding a role for which the policy requires a token, whose enrolment did not declare
/// a token key. The audit can only check what was declared (docs/SECURITY.md).
fn token_problems(seq: u64, policy: &Policy, signers: &[Keyholder]) -> Vec<Finding> {
    signers
        .iter()
        .filter(|k| k.key_kind != Some(KeyKind::Token))
        .filter_map(|k| {
            let role = policy.tokens_required.iter().find(|r| k.has_role(**r))?;
            let key = match k.key_kind {
                Some(KeyKind::File) => "a key file",
                _ => "a key not declared at enrolment",
            };
            Some(
                Finding::new(
                    Code::TokenRequired,
                    seq,
                    format!(
                        "{} signed with {key}; the policy requires a token for {role}",
                        k.id
                    ),
                )
                .signer(&k.id),
            )
        })
        .collect()
}

/// Whether a keyholder record is well-formed on its own; `None` when it is.
pub fn keyholder_problem(k: &Keyholder, policy: &Policy) -> Option<(Code, String)> {
    let invalid = |m: String| Some((Code::EnrollInvalid, m));
    if !valid_keyholder_id(&k.id) {
        return invalid(format!(
            "keyholder id {:?} is not of the form [a-z0-9._-]{{1,32}}",
            k.id
        ));
    }
    if let Some(problem) = display_name_problem(&k.name) {
        return invalid(format!("display name of {}: {problem}", k.id));
    }
    if k.roles.is_empty() || !k.roles.windows(2).all(|w| w[0] < w[1]) {
        return invalid(format!("roles of {} must be a non-empty, sorted set", k.id));
    }
    if let (Some(from), Some(until)) = (k.valid_from, k.valid_until)
        && from > until
    {
        return invalid(format!("validity window of {} ends before it starts", k.id));
    }
    if let Err(problem) = check_public_key(&k.public_key) {
        return invalid(format!("public key of {}: {problem}", k.id));
    }
    if let Some((a, b)) = policy.separation_conflict(&k.roles) {
        return Some((
            Code::RoleSeparation,
            format!("{} may not hold both {a} and {b}", k.id),
        ));
    }
    None
}

fn genesis_problems(out: &mut Vec<Finding>, seq: u64, g: &Genesis, signers: &[String]) {
    let mut bad = |m: String| out.push(Finding::new(Code::GenesisInvalid, seq, m));
    if let Some(problem) = crate::format::printable::exam_problem(&g.exam) {
        bad(problem);
    }
    if check_zone(&g.time_zone).is_err() {
        bad(format!("unknown time zone {:?}", g.time_zone));
    }
    for problem in g.policy.problems() {
        bad(format!("policy: {problem}"));
    }
    if check_public_key(&g.ledger_key).is_err() {
        bad("the ledger key is not a valid public key".into());
    }
    if g.founders.len() < 2 {
        bad("fewer than two founders".into());
    }
    let mut ids = HashSet::new();
    let mut people = HashSet::new();
    let mut keys = HashSet::new();
    for f in &g.founders {
        if let Some((_, m)) = keyholder_problem(f, &g.policy) {
            bad(m);
        }
        if !f.has_role(Role::Admin) {
            bad(format!("founder {} is not an admin", f.id));
        }
        if !ids.insert(f.id.as_str()) {
            bad(format!("founder id {} appears twice", f.id));
        }
        if !people.insert(f.person_tag) {
            bad(format!(
                "founder {} is the same person as another founder",
                f.id
            ));
        }
        if !keys.insert(f.public_key) {
            bad(format!(
                "founder {} shares a key with another founder",
                f.id
            ));
        }
    }
    let named: HashSet<&str> = signers.iter().map(String::as_str).collect();
    if named != ids {
        bad("the genesis event must be signed by exactly its founders".into());
    }
}

fn enroll_problems<K: Kv>(
    state: &State<K>,
    out: &mut Vec<Finding>,
    seq: u64,
    k: &Keyholder,
    policy: &Policy,
    signers: &[Keyholder],
) -> Result<(), StoreError> {
    if let Some((code, m)) = keyholder_problem(k, policy) {
        out.push(Finding::new(code, seq, m).signer(&k.id));
    }
    if signers
        .iter()
        .any(|s| s.id == k.id || s.person_tag == k.person_tag || s.public_key == k.public_key)
    {
        out.push(
            Finding::new(
                Code::SelfEnroll,
                seq,
                format!("{} co-signed their own enrolment", k.id),
            )
            .signer(&k.id),
        );
    }
    if let Some(existing) = state.keyholder(&k.id)?
        && existing.active()
    {
        out.push(
            Finding::new(
                Code::IdInUse,
                seq,
                format!("{} is already enrolled; revoke it before re-keying", k.id),
            )
            .signer(&k.id),
        );
    }
    if let Some(holder) = state.key_holder(&k.public_key)? {
        out.push(
            Finding::new(
                Code::KeyInUse,
                seq,
                format!("this public key is already enrolled as {holder}"),
            )
            .signer(&k.id),
        );
    }
    if let Some(holder) = state.person_holder(&k.person_tag)? {
        out.push(
            Finding::new(
                Code::PersonDuplicate,
                seq,
                format!("the same person already holds the active key {holder}"),
            )
            .signer(&k.id),
        );
    }
    Ok(())
}

fn revoke_problems<K: Kv>(
    state: &State<K>,
    out: &mut Vec<Finding>,
    seq: u64,
    r: &Revocation,
) -> Result<(), StoreError> {
    // A keyholder may co-sign their own revocation (docs/AUDIT.md): it only takes power away,
    // and with two admins left, an admin's revocation needs that admin's signature.
    let active = state.keyholder(&r.id)?.is_some_and(|k| k.active());
    if !active {
        out.push(
            Finding::new(
                Code::RevokeUnknown,
                seq,
                format!("{} is not an active keyholder", r.id),
            )
            .signer(&r.id),
        );
    }
    if r.reason.trim().is_empty() {
        out.push(Finding::new(
            Code::RevokeUnknown,
            seq,
            "a revocation needs a reason",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn each_role_is_filled_by_a_different_signer() {
        let p = Policy::default();
        let cust: &[Role] = &[Custodian];
        let sup: &[Role] = &[Supervisor];
        assert!(role_problem(&p, EventKind::Collect, &[cust, sup]).is_none());
        assert!(role_problem(&p, EventKind::Collect, &[cust, cust]).is_some());
        let inv: &[Role] = &[Invigilator];
        assert!(role_problem(&p, EventKind::Open, &[inv, inv]).is_none());
        let both: &[Role] = &[ChiefExaminer, Invigilator];
        assert!(role_problem(&p, EventKind::Open, &[both, sup]).is_some());
    }

    /// Police may escort (the default `escort_roles`), and only escort: mutation testing found
    /// a police officer accepted in any role unnoticed.
    #[test]
    fn an_escort_role_stands_in_for_an_escort_only() {
        let p = Policy::default();
        let police: &[Role] = &[Police];
        let cust: &[Role] = &[Custodian];
        let sup: &[Role] = &[Supervisor];
        assert!(role_problem(&p, EventKind::Dispatch, &[cust, police]).is_none());
        assert!(role_problem(&p, EventKind::Collect, &[police, sup]).is_some());
        assert!(role_problem(&p, EventKind::Collect, &[cust, police]).is_some());
    }

    #[test]
    fn roster_changes_need_two_admins_whatever_the_policy() {
        let mut p = Policy::default();
        for rule in &mut p.cosigners {
            rule.any_of = vec![vec![]];
        }
        let admin: &[Role] = &[Admin];
        let cust: &[Role] = &[Custodian];
        assert!(role_problem(&p, EventKind::Enroll, &[admin, cust]).is_some());
        assert!(role_problem(&p, EventKind::Enroll, &[admin, admin]).is_none());
        assert!(role_problem(&p, EventKind::Incident, &[cust, cust]).is_none());
    }

    #[test]
    fn a_required_token_is_one_declared_at_enrolment() {
        let holder = |id: &str, roles: Vec<Role>, key_kind| Keyholder {
            id: id.into(),
            name: id.into(),
            roles,
            public_key: [0; 32],
            person_tag: [0; 32],
            valid_from: None,
            valid_until: None,
            key_kind,
        };
        let p = Policy {
            tokens_required: vec![Custodian],
            ..Policy::default()
        };
        let signers = [
            holder("c-token", vec![Custodian], Some(KeyKind::Token)),
            holder("c-file", vec![Custodian], Some(KeyKind::File)),
            holder("c-none", vec![Admin, Custodian], None),
            holder("s-file", vec![Supervisor], Some(KeyKind::File)),
        ];
        let found = token_problems(7, &p, &signers);
        let who: Vec<_> = found.iter().map(|f| f.signer.as_deref().unwrap()).collect();
        assert_eq!(who, vec!["c-file", "c-none"]);
        assert!(
            found
                .iter()
                .all(|f| f.code == Code::TokenRequired && f.seq == 7)
        );
        assert_eq!(
            found[1].message,
            "c-none signed with a key not declared at enrolment; the policy requires a token for custodian"
        );
        assert!(token_problems(7, &Policy::default(), &signers).is_empty());
    }

    #[test]
    fn one_signer_and_the_same_signer_twice_are_refused() {
        let one = signer_list_problems(3, &["a".into()]);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].code, Code::TooFewSigners);
        let twice = signer_list_problems(3, &["a".into(), "a".into()]);
        let codes: Vec<Code> = twice.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![Code::SignerTwice, Code::TooFewSigners]);
    }
}
