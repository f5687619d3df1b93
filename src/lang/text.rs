//! Text laid out for a terminal: display width (a Chinese character takes two columns), cutting,
//! padding and wrapping, and one-line cells that no control character can break.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width the views fit when the caller knows no better: an 80-column terminal.
pub const DEFAULT_WIDTH: usize = 80;

/// Display width in terminal columns: a CJK character takes two, a combining mark none.
pub fn text_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Text safe to put in one cell: every control character (newline, tab, escape) becomes a space,
/// so that a note typed by a signer can neither break the layout nor drive the terminal.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Cuts `s` to at most `width` columns, ending in "…" when anything was cut.
pub fn truncate(s: &str, width: usize) -> String {
    if text_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let budget = width - 1;
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    // Character widths can undercount a sequence the string width knows better (emoji).
    while text_width(&out) > budget {
        out.pop();
    }
    out.push('…');
    out
}

/// How a column lines up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    /// Numbers: right-aligned, and never cut.
    Right,
}

/// Pads `s` with spaces to `width` columns (a wider `s` is left as it is).
pub fn pad(s: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(text_width(s)));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

/// Breaks `s` into lines of at most `width` columns, at spaces where it can and anywhere in a
/// run of text without spaces (Chinese).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in one_line(s).split(' ').filter(|w| !w.is_empty()) {
        let sep = usize::from(!line.is_empty());
        if text_width(&line) + sep + text_width(word) <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if !line.is_empty()
                && text_width(&line) + UnicodeWidthChar::width(c).unwrap_or(0) > width
            {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_keeps_within_the_width_and_marks_the_cut() {
        assert_eq!(truncate("第一中学", 8), "第一中学");
        assert_eq!(truncate("第一中学", 7), "第一中…");
        assert_eq!(truncate("第一中学", 6), "第一…");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(pad("王丽", 6, Align::Left), "王丽  ");
        assert_eq!(pad("7", 3, Align::Right), "  7");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_chinese() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(
            wrap("封条破损封条破损", 6),
            vec!["封条破", "损封条", "破损"]
        );
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(one_line("a\nb\x1b[31m"), "a b [31m");
    }
}
