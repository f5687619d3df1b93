//! The printable-text rule, character by character, and the one way journal text reaches a
//! terminal.
//!
//! The judge applies [`text_problem`] to every text of every event (`rules::texts`) on append
//! and in the audit alike. Whatever a forged journal holds anyway is shown through
//! [`neutralise`], so that no text read from a journal can move the cursor, hide what follows,
//! or reorder what a reader sees.

use std::borrow::Cow;

/// The longest exam name, in UTF-8 bytes: it heads every report and the roster file.
pub const MAX_EXAM_LEN: usize = 256;

/// What kind of text a field is, which decides what it may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// Something a reader compares or types back: a bag id, seal, keyholder id, session, site,
    /// room or cabinet.
    Identifier,
    /// Words for people to read: the exam, a subject, a party, a reason, a note.
    Words,
}

/// Unicode's Bidi_Control characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
/// U+2069): they reorder what a reader sees, so that `QP-\u{202e}100` reads as `QP-001`.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: U+200B to U+200D, U+2060 to U+2064 (the word joiner and the
/// invisible operators) and U+FEFF.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// What no terminal or page shows as it is: control characters, bidi controls, zero-width
/// characters, line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_zero_width(c) || is_line_separator(c)
}

/// U+2028 and U+2029, which break a line on many terminals and viewers.
pub fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Why `text` may not stand in a field of this kind, or `None` when it may. Every text refuses
/// control characters (`char::is_control`: U+0000 to U+001F, U+007F to U+009F) and the line and
/// paragraph separators; identifiers also refuse bidi controls and zero-width characters.
pub fn text_problem(text: &str, kind: TextKind) -> Option<&'static str> {
    // Nearly every text is ASCII: one look at its bytes.
    if text.is_ascii() {
        return text
            .bytes()
            .any(|b| b < 0x20 || b == 0x7f)
            .then_some("holds a control character");
    }
    for c in text.chars() {
        if c.is_control() {
            return Some("holds a control character");
        }
        if is_line_separator(c) {
            return Some("holds a line or paragraph separator (U+2028, U+2029)");
        }
        if kind == TextKind::Identifier && is_bidi_control(c) {
            return Some("holds a bidirectional control character");
        }
        if kind == TextKind::Identifier && is_zero_width(c) {
            return Some("holds a zero-width character");
        }
    }
    None
}

/// Why the exam name is unacceptable, or `None`: not blank, at most [`MAX_EXAM_LEN`] bytes, and
/// words by [`text_problem`]. The genesis and the roster file's reader both ask this.
pub fn exam_problem(exam: &str) -> Option<String> {
    if exam.trim().is_empty() {
        Some("the exam name is empty".into())
    } else if exam.len() > MAX_EXAM_LEN {
        Some(format!(
            "the exam name is {} bytes; at most {MAX_EXAM_LEN} are allowed",
            exam.len()
        ))
    } else {
        text_problem(exam, TextKind::Words).map(|p| format!("the exam name {p}"))
    }
}

/// `text` as it may be shown on a terminal: every control character but a line feed and a tab,
/// every bidi control, zero-width character and line or paragraph separator written as `\uXXXX`
/// (four hex digits: every such character is in the BMP), so that a reader sees that it is
/// there and it does nothing. Inside a JSON string that is the character's own escape, so JSON
/// output stays valid and means the same. Text that holds none comes back as it is.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| is_hidden(c) && c != '\n' && c != '\t';
    // Every line `custody log` prints passes here: ASCII text gets one look at its bytes.
    let clean = if text.is_ascii() {
        !text
            .bytes()
            .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f)
    } else {
        !text.chars().any(hidden)
    };
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`neutralise`], and a line feed and a tab too: for one field shown on one line.
pub fn neutralise_line(text: &str) -> Cow<'_, str> {
    match neutralise(text) {
        Cow::Borrowed(t) if !t.contains(['\n', '\t']) => Cow::Borrowed(t),
        t => Cow::Owned(t.replace('\n', "\\u000a").replace('\t', "\\u0009")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn identifiers_refuse_what_hides_or_reorders_and_words_refuse_line_breaks() {
        use TextKind::*;
        assert_eq!(text_problem("QP-001", Identifier), None);
        assert_eq!(text_problem("数学 第一场", Words), None);
        for bad in ["QP-\u{202e}100", "QP\u{200b}001", "a\u{2066}b", "a\u{feff}"] {
            assert!(text_problem(bad, Identifier).is_some(), "{bad:?}");
            assert_eq!(text_problem(bad, Words), None, "{bad:?}");
        }
        for bad in [
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{1b}[8mb",
            "a\nb",
            "a\u{85}b",
        ] {
            assert!(text_problem(bad, Identifier).is_some(), "{bad:?}");
            assert!(text_problem(bad, Words).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn the_exam_name_is_bounded_and_printable() {
        assert_eq!(exam_problem("2026 学考"), None);
        assert!(exam_problem(" ").is_some());
        assert!(exam_problem("x\u{1b}[8m").is_some());
        assert!(exam_problem(&"x".repeat(MAX_EXAM_LEN + 1)).is_some());
        assert_eq!(exam_problem(&"x".repeat(MAX_EXAM_LEN)), None);
    }

    #[test]
    fn neutralised_text_shows_each_hidden_character_by_its_code() {
        assert_eq!(neutralise("QP-\u{202e}100"), "QP-\\u202e100");
        assert_eq!(neutralise("a\u{1b}[8mb\n"), "a\\u001b[8mb\n");
        assert_eq!(neutralise_line("a\nb\tc"), "a\\u000ab\\u0009c");
        assert!(matches!(neutralise("王丽 QP-001"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn neutralised_text_passes_the_rule(text in any::<String>()) {
            let shown = neutralise_line(&text);
            prop_assert_eq!(text_problem(&shown, TextKind::Identifier), None);
        }

        #[test]
        fn the_ascii_look_agrees_with_the_full_one(text in "[\\x00-\\x7f]*") {
            let full = text.chars().any(char::is_control);
            prop_assert_eq!(text_problem(&text, TextKind::Identifier).is_some(), full);
            let shown = text.chars().any(|c| is_hidden(c) && c != '\n' && c != '\t');
            prop_assert_eq!(matches!(neutralise(&text), Cow::Owned(_)), shown);
        }
    }
}
