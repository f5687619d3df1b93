//! The summary each signer reads before typing a passphrase. It is rendered from the canonical
//! body bytes about to be signed, never from the command line, so what is shown is what is signed.

use crate::encoding::EncodingError;
use crate::entry::{Body, Event, hex};

/// Renders the body bytes as a short, plain-text summary: event, fields, time, signers, ledger.
pub fn summary(body_bytes: &[u8], time_zone: &str) -> Result<String, EncodingError> {
    let body = Body::decode(body_bytes)?;
    Ok(render(&body, time_zone))
}

/// One line of detail about an event, for summaries and the log.
pub fn detail(event: &Event) -> String {
    match event {
        Event::Genesis(g) => format!(
            "exam {:?}, zone {}, founders {}",
            g.exam,
            g.time_zone,
            g.founders
                .iter()
                .map(|f| format!("{} ({})", f.id, f.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Event::Enroll(k) => {
            let roles: Vec<&str> = k.roles.iter().map(|r| r.as_str()).collect();
            format!("{} ({}) as {}", k.id, k.name, roles.join(", "))
        }
        Event::Revoke(r) => format!("{}: {}", r.id, r.reason),
    }
}

fn render(body: &Body, time_zone: &str) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        out.push_str(&format!("  {label:<10} {value}\n"));
    };
    line("event", body.event.kind().to_string());
    line("what", detail(&body.event));
    if let Event::Enroll(k) = &body.event {
        if let Some(from) = k.valid_from {
            line("from", from.display_in(time_zone));
        }
        if let Some(until) = k.valid_until {
            line("until", until.display_in(time_zone));
        }
        line("key", hex(&k.public_key[..8]) + "…");
    }
    line("time", body.event_time.display_in(time_zone));
    line("signers", body.signers.join(" + "));
    line(
        "ledger",
        format!("{} at entry {}", hex(&body.ledger_id), body.head.size),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Head, Revocation};
    use crate::time::Timestamp;

    #[test]
    fn the_summary_shows_what_the_bytes_say() {
        let body = Body {
            ledger_id: [0xab; 16],
            head: Head {
                size: 7,
                hash: [1; 32],
            },
            event_time: Timestamp::parse("2026-06-07T08:00", "Asia/Shanghai").unwrap(),
            nonce: [0; 16],
            signers: vec!["admin1".into(), "admin2".into()],
            event: Event::Revoke(Revocation {
                id: "esc1".into(),
                reason: "钥匙丢失".into(),
            }),
        };
        let text = summary(&body.encode().unwrap(), "Asia/Shanghai").unwrap();
        assert!(text.contains("revoke"), "{text}");
        assert!(text.contains("esc1: 钥匙丢失"), "{text}");
        assert!(text.contains("2026-06-07 08:00:00 +08:00"), "{text}");
        assert!(text.contains("admin1 + admin2"), "{text}");
        assert!(
            text.contains(&format!("{} at entry 7", hex(&[0xab; 16]))),
            "{text}"
        );
    }
}
