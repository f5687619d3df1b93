//! The `custody` command: a thin layer over the library that owns the terminal and exit codes.

#![forbid(unsafe_code)]

/// `print!` to stdout that ignores a closed pipe (`custody verify | head`): the reader has what
/// it wanted, and a panic there would be a backtrace for nothing.
macro_rules! out {
    ($($arg:tt)*) => { $crate::views::emit(&format!($($arg)*)) };
}

/// [`out!`] with a newline, for `println!`.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::views::emit(&format!("{}\n", format_args!($($arg)*))) };
}

mod bags;
mod bundles;
mod cli;
mod drafts;
mod events;
mod fail;
mod help;
mod html;
mod multi;
mod papers;
mod posts;
mod progress;
mod receipt;
mod sign;
mod tlog;
mod tokens;
mod views;

use clap::FromArgMatches;
use cli::{Cli, Command};
use custody::i18n::{Lang, Msg};

use custody::event::{Event, Revocation};
use custody::finding::refuses;
use custody::keyfile::{KdfParams, SecretKeyFile, read_public_key_file, write_key_pair};
use custody::ledger::{self, Founder, Ledger, NewLedger, Receipt};
use custody::policy::Policy;
use custody::roster::{Keyholder, Role, person_tag};
use custody::rules::judge::signer_list_problems;
use custody::summary::Context;
use custody::time::{Timestamp, check_zone};
use fail::{Fail, input, refused};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::OnceLock;

/// The language chosen once at start-up, for everything a person reads.
static LANG: OnceLock<Lang> = OnceLock::new();

pub(crate) fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// See Cargo.toml: an audit runs 1.6 times faster than with the system's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let var = |name| std::env::var(name).ok();
    // Before parsing: the help and clap's errors are in the language too.
    let lang = *LANG.get_or_init(|| {
        lang_flag(&args).unwrap_or_else(|| {
            Lang::from_locale(
                var("LC_ALL").as_deref(),
                var("LC_MESSAGES").as_deref(),
                var("LANG").as_deref(),
            )
        })
    });
    let cli = match help::command(lang)
        .try_get_matches_from(&args)
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m))
    {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, lang),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(fail) => {
            // A refusal may quote journal or draft text.
            let text = format!("{}{fail}", fail.class_prefix(lang));
            eprintln!("custody: {}", custody::printable::neutralise(&text));
            ExitCode::from(fail.code)
        }
    }
}

/// The value of `--lang` (or `--lang=`), if it names a language; a bad one is left for clap to
/// refuse, in the locale's language.
fn lang_flag(args: &[std::ffi::OsString]) -> Option<Lang> {
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    while let Some(word) = words.next() {
        match word {
            Some("--") => break,
            Some("--lang") => return words.next().flatten().and_then(Lang::parse),
            Some(w) if w.starts_with("--lang=") => return Lang::parse(&w["--lang=".len()..]),
            _ => {}
        }
    }
    None
}

/// Help, the version, or clap's refusal of the command line, in the language of the run.
fn usage_error(e: &clap::Error, lang: Lang) -> ExitCode {
    use std::io::IsTerminal;
    let color = if e.use_stderr() {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let text = help::render(e, lang, color);
    if e.use_stderr() {
        eprint!("{text}");
    } else {
        out!("{text}");
    }
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(fail::EXIT_INPUT))
}

fn run(cli: Cli) -> Result<u8, Fail> {
    let dir = cli.ledger.as_path();
    match cli.command {
        Command::Keygen(a) => keygen(a),
        Command::Init(a) => init(dir, a),
        Command::Enroll(a) => enroll(dir, a),
        Command::Revoke(a) => revoke(dir, a),
        Command::Log(a) => views::log(dir, &a),
        Command::Bag(a) => views::bag(dir, &a),
        Command::Status(a) => views::status(dir, &a),
        Command::Schedule(a) => events::schedule(dir, a),
        Command::Policy(cmd) => events::policy(dir, cmd),
        Command::Record(a) => events::record_event(dir, a.event),
        Command::Draft(a) => events::draft(dir, a),
        Command::Show(a) => views::show(dir, a.seq, a.json),
        Command::Verify(a) => multi::verify(dir, &a),
        Command::Checkpoint(a) => tlog::checkpoint(dir, a),
        // Both generated from the clap definitions, never written by hand; buffered so that a
        // closed pipe (`| head`) is not an error.
        Command::Completions(a) => {
            let mut cmd = help::command(lang());
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "custody", &mut script);
            let _ = std::io::stdout().write_all(&script);
            Ok(0)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(help::command(lang()))
                .render(&mut page)
                .map_err(|e| input(format!("cannot render the manual page: {e}")))?;
            if lang() == Lang::Zh {
                page = help::man_zh(&String::from_utf8_lossy(&page)).into_bytes();
            }
            let _ = std::io::stdout().write_all(&page);
            Ok(0)
        }
        Command::Prove(a) => tlog::prove(dir, a),
        Command::Receipt(a) => receipt::receipt(dir, a),
        Command::Keys(a) => tlog::keys(dir, a),
        Command::Cosign(a) => drafts::cosign(a),
        Command::Submit(a) => drafts::submit(dir, a),
        Command::Roster(a) => drafts::roster(dir, a),
        Command::Reindex => {
            let ledger = Ledger::reindex(dir)?;
            let head = ledger.head()?;
            ledger.close()?;
            outln!("{}", lang().f(Msg::IndexRebuilt, &[("n", &head.size)]));
            Ok(0)
        }
        Command::Export(a) => bundles::export(dir, a),
        Command::Backup(a) => bundles::backup(dir, a),
        Command::Restore(a) => bundles::restore(dir, a),
        Command::Assign(cmd) => posts::assign(dir, cmd),
        Command::Grant(a) => posts::grant(dir, a),
        Command::Void(a) => papers::void(dir, a),
        Command::Postpone(a) => papers::postpone(dir, a),
        Command::Manifest(cli::ManifestCmd::Import(a)) => papers::import(dir, a),
    }
}

fn keygen(a: cli::KeygenArgs) -> Result<u8, Fail> {
    if let Some(uri) = &a.token {
        return tokens::keygen(&a, uri);
    }
    let params = match a.kdf.as_str() {
        "default" => KdfParams::DEFAULT,
        "low-cost" => KdfParams::LOW_COST,
        other => return Err(input(format!("--kdf {other:?}: use default or low-cost"))),
    };
    // Refuse before asking for a passphrase that would be wasted.
    for ext in ["key", "pub"] {
        fail::fresh(&a.out.join(format!("{}.{ext}", a.id)))?;
    }
    let pass = match &a.pass_file {
        Some(p) => sign::read_pass_file(p)?,
        None => {
            let lang = lang();
            let first = sign::prompt_passphrase(&lang.f(Msg::NewPassphrase, &[("id", &a.id)]))?;
            let again = sign::prompt_passphrase(lang.t(Msg::SamePassphrase))?;
            if first != again {
                return Err(input(lang.t(Msg::PassphrasesDiffer)));
            }
            first
        }
    };
    let (bytes, public) = SecretKeyFile::generate(&a.id, &a.name, &pass, params)?;
    let (key_path, pub_path) = write_key_pair(&a.out, &bytes, &public)?;
    let lang = lang();
    if params.is_low_cost() {
        eprintln!("{}", lang.t(Msg::LowCostProfile));
    }
    outln!(
        "{}",
        lang.f(Msg::WrotePrivate, &[("path", &key_path.display())])
    );
    outln!(
        "{}",
        lang.f(Msg::WrotePublic, &[("path", &pub_path.display())])
    );
    outln!("{}", public.to_line());
    Ok(0)
}

/// Asks for a person number on the terminal, without echo: it is kept out of shell history and
/// off the screen that others in the room can read (issue 12).
fn ask_line(prompt: &str) -> Result<String, Fail> {
    let line = rpassword::prompt_password(prompt).map_err(|e| {
        input(format!(
            "cannot ask for the person number ({e}); give --person or --founder-person"
        ))
    })?;
    Ok(line.trim().to_string())
}

pub(crate) fn event_time(at: Option<&str>, zone: &str) -> Result<Timestamp, Fail> {
    match at {
        Some(t) => Timestamp::parse(t, zone).map_err(|e| input(format!("--at: {e}"))),
        None => Ok(Timestamp::now()),
    }
}

fn init(dir: &Path, a: cli::InitArgs) -> Result<u8, Fail> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(ledger::LedgerError::AlreadyExists(dir.to_path_buf()).into());
    }
    check_zone(&a.tz).map_err(|e| input(format!("--tz: {e}")))?;
    if a.founders.len() < 2 {
        return Err(input(
            "a ledger needs at least two founding admins: give --founder twice or more",
        ));
    }
    if !a.founder_key_kinds.is_empty() && a.founder_key_kinds.len() != a.founders.len() {
        return Err(input(format!(
            "{} --founder but {} --founder-key-kind: give one key kind per founder, in the same order",
            a.founders.len(),
            a.founder_key_kinds.len()
        )));
    }
    let policy = match &a.policy {
        Some(path) => events::read_policy(path)?,
        None => Policy::default(),
    };
    if !a.founder_persons.is_empty() && a.founder_persons.len() != a.founders.len() {
        return Err(input(format!(
            "{} --founder but {} --founder-person: give one person number per founder, in the same order",
            a.founders.len(),
            a.founder_persons.len()
        )));
    }
    let mut founders = Vec::new();
    for (i, path) in a.founders.iter().enumerate() {
        let public = read_public_key_file(path)?;
        let person_number = match a.founder_persons.get(i) {
            Some(n) => n.clone(),
            None => ask_line(&lang().f(
                Msg::AskPerson,
                &[("name", &public.name), ("id", &public.id)],
            ))?,
        };
        custody::roster::normalize_person_number(&person_number)
            .map_err(|e| input(format!("person number of {}: {e}", public.id)))?;
        founders.push(Founder {
            id: public.id,
            name: public.name,
            public_key: public.key,
            person_number,
            key_kind: a
                .founder_key_kinds
                .get(i)
                .map(|k| tokens::key_kind(k))
                .transpose()?,
        });
    }
    if founders.len() < 3 {
        eprintln!("{}", lang().f(Msg::FewFounders, &[("n", &founders.len())]));
    }
    let signers = sign::load(&a.sign)?;
    // The genesis is signed by exactly its founders, in founder order.
    let mut ordered = Vec::new();
    for f in &founders {
        let pos = signers.iter().position(|s| s.id() == f.id).ok_or_else(|| {
            input(format!(
                "founder {} must co-sign: give --sign {}.key",
                f.id, f.id
            ))
        })?;
        ordered.push(pos);
    }
    if signers.len() != founders.len() {
        return Err(input(
            "give --sign exactly once for each founder, and for no one else",
        ));
    }
    let mut signers = signers.into_iter().map(Some).collect::<Vec<_>>();
    let signers: Vec<sign::Signer> = ordered.iter().filter_map(|&i| signers[i].take()).collect();
    if signers.len() != founders.len() {
        return Err(input("give --sign exactly once for each founder"));
    }

    let time = event_time(a.sign.at.as_deref(), &a.tz)?;
    let new = NewLedger::prepare(&a.exam, &a.tz, founders, policy, time)?;
    let sigs = sign::cosign(&signers, &new.body_bytes, &a.tz, &Default::default())?;
    let ledger_id = new.body.ledger_id;
    let (ledger, receipt) = new.create(dir, sigs, Timestamp::now())?;
    ledger.close()?;
    let id = custody::entry::hex(&ledger_id);
    let genesis = custody::entry::hex(&receipt.hash);
    let line = custody::register::line(&ledger_id, receipt.tree_size, &receipt.root);
    if a.sign.json {
        outln!(
            "{}",
            serde_json::json!({"ledger_id": id, "genesis_hash": genesis, "seq": 0, "register": line})
        );
    } else {
        // Staff copy the register line and check the ledger with it; the genesis hash is for
        // auditors, on a line of its own that says so (issue 12: no 64-digit hex to copy by hand).
        let lang = lang();
        outln!("{}", lang.f(Msg::LedgerCreated, &[("dir", &dir.display())]));
        outln!("{}", lang.f(Msg::ReceiptLine, &[("line", &line)]));
        outln!("{}", lang.f(Msg::InitRegisterCheck, &[("line", &line)]));
        outln!("{}", lang.f(Msg::InitForAuditors, &[("genesis", &genesis)]));
    }
    Ok(0)
}

/// Prepares, co-signs and appends an event; prints the receipt.
pub(crate) fn record(
    dir: &Path,
    args: &cli::SignArgs,
    make: impl FnOnce(&ledger::Peek) -> Result<Event, Fail>,
) -> Result<u8, Fail> {
    let peek = ledger::peek(dir)?;
    let signers = sign::load(args)?;
    let ids: Vec<String> = signers.iter().map(|s| s.id().to_string()).collect();
    let problems = signer_list_problems(peek.head.size, &ids);
    if !problems.is_empty() {
        return Err(refused(&problems));
    }
    let event = make(&peek)?;
    let replaced = events::replaced_policy(dir, &event)?;
    let time = event_time(args.at.as_deref(), &peek.time_zone)?;
    let body = ledger::prepare(&peek, event, time, ids);
    let body_bytes = body
        .encode()
        .map_err(|e| input(format!("the event cannot be encoded: {e}")))?;
    // Every rule but the signatures is judged before anyone types a passphrase; the lock is not
    // held while people type, and the append judges everything again.
    let ledger = Ledger::open(dir)?;
    // What opening it repaired (a torn tail cut, an index rebuilt) is told once, here.
    print_notices(&ledger);
    let mut context = judge_unsigned(&ledger, &body, &body_bytes)?;
    context.in_force = replaced;
    ledger.close()?;
    let sigs = sign::cosign(&signers, &body_bytes, &peek.time_zone, &context)?;
    let mut ledger = Ledger::open(dir)?;
    let result = ledger.append(body_bytes, sigs);
    finish_append(ledger, result.map_err(Fail::from), args.json)
}

fn print_notices(ledger: &Ledger) {
    for n in &ledger.notices {
        eprintln!("{}", lang().f(Msg::Note, &[("text", n)]));
    }
}

/// Judges an unsigned body on the ledger: a violation that would be refused is refused now;
/// otherwise the summary's context, with the seal and count the ledger holds for each bag the
/// event names and the violations an incident note lets through.
fn judge_unsigned(
    ledger: &Ledger,
    body: &custody::entry::Body,
    body_bytes: &[u8],
) -> Result<Context, Fail> {
    let findings = ledger.judge_unsigned(body_bytes, Timestamp::now())?;
    if refuses(&findings, body.event.incident_note().is_some()) {
        return Err(refused(&findings));
    }
    let state = ledger.state();
    let store = custody::ledger::LedgerError::from;
    let mut expected = Vec::new();
    // The sessions of new bags from the event, of known bags from the ledger.
    let mut session_ids: Vec<String> = match &body.event {
        Event::Collect(c) => c.bags.iter().map(|b| b.session.clone()).collect(),
        Event::Seal(s) => vec![s.bag.session.clone()],
        _ => Vec::new(),
    };
    for id in body.event.bag_ids() {
        if let Some(bag) = state.bag(id).map_err(store)? {
            session_ids.push(bag.spec.session.clone());
            expected.push((id.to_string(), bag.spec.seal, bag.spec.count));
        }
    }
    session_ids.sort();
    session_ids.dedup();
    let mut sessions = Vec::new();
    for id in session_ids {
        if let Some(s) = state.session(&id).map_err(store)? {
            sessions.push((id, s.subject, s.start, s.end));
        }
    }
    let mut people = Vec::new();
    if let Event::Dispatch(d) = &body.event {
        for id in &d.escorts {
            if let Some(k) = state.keyholder(id).map_err(store)? {
                people.push((id.clone(), k.keyholder.name));
            }
        }
    }
    let violations = findings
        .iter()
        .map(|f| {
            format!(
                "[{}] {}",
                f.code,
                custody::present::labels::finding_text(f, lang())
            )
        })
        .collect();
    Ok(Context {
        expected,
        violations,
        people,
        sessions,
        in_force: None,
    })
}

/// After an append (`record` or `submit`): the ledger's notes, the receipt, and a warning when
/// fewer than two admins are left to change the roster.
pub(crate) fn finish_append(
    ledger: Ledger,
    result: Result<Receipt, Fail>,
    json: bool,
) -> Result<u8, Fail> {
    print_notices(&ledger);
    let receipt = result?;
    let admins = ledger
        .state()
        .keyholders()
        .map_err(custody::ledger::LedgerError::from)?
        .iter()
        .filter(|k| k.active() && k.keyholder.has_role(Role::Admin))
        .count();
    let ledger_id = ledger.ledger_id();
    ledger.close()?;
    print_receipt(&receipt, &ledger_id, json);
    if admins < 2 {
        eprintln!("{}", lang().f(Msg::FewAdmins, &[("n", &admins)]));
    }
    Ok(0)
}

pub(crate) fn print_receipt(r: &Receipt, ledger_id: &custody::entry::LedgerId, json: bool) {
    if json {
        outln!("{}", serde_json::to_string(r).unwrap_or_default());
    } else {
        // The register line, not hashes: people copy it by hand (`custody verify --register`).
        let lang = lang();
        outln!("{}", lang.f(Msg::Recorded, &[("seq", &r.seq)]));
        outln!(
            "{}",
            lang.f(
                Msg::ReceiptLine,
                &[(
                    "line",
                    &custody::register::line(ledger_id, r.tree_size, &r.root)
                )]
            )
        );
    }
    for f in &r.flagged {
        eprintln!(
            "{}",
            lang().f(
                Msg::Flagged,
                &[
                    ("code", &f.code),
                    ("text", &custody::present::labels::finding_text(f, lang()))
                ]
            )
        );
    }
}

fn enroll(dir: &Path, a: cli::EnrollArgs) -> Result<u8, Fail> {
    let public = read_public_key_file(&a.public)?;
    let mut roles = a
        .roles
        .iter()
        .map(|r| r.parse::<Role>().map_err(input))
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    roles.dedup();
    let key_kind = a.key_kind.as_deref().map(tokens::key_kind).transpose()?;
    record(dir, &a.sign, |peek| {
        let person = match &a.person {
            Some(p) => p.clone(),
            None => ask_line(&lang().f(
                Msg::AskPerson,
                &[("name", &public.name), ("id", &public.id)],
            ))?,
        };
        let key = ledger::person_key(dir)?;
        let tag = person_tag(&key, &person).map_err(|e| input(format!("--person: {e}")))?;
        let when = |t: &Option<String>, flag: &str| -> Result<Option<Timestamp>, Fail> {
            t.as_deref()
                .map(|t| {
                    Timestamp::parse(t, &peek.time_zone).map_err(|e| input(format!("{flag}: {e}")))
                })
                .transpose()
        };
        Ok(Event::Enroll(Keyholder {
            id: public.id.clone(),
            name: public.name.clone(),
            roles,
            public_key: public.key,
            person_tag: tag,
            valid_from: when(&a.valid_from, "--valid-from")?,
            valid_until: when(&a.valid_until, "--valid-until")?,
            key_kind,
        }))
    })
}

fn revoke(dir: &Path, a: cli::RevokeArgs) -> Result<u8, Fail> {
    if a.reason.trim().is_empty() {
        return Err(input(
            "--reason is empty: say in a few words why the key is revoked",
        ));
    }
    record(dir, &a.sign, |_| {
        Ok(Event::Revoke(Revocation {
            id: a.id.clone(),
            reason: a.reason.clone(),
        }))
    })
}
