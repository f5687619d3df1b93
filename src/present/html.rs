//! What the printable pages (the HTML audit report, the handover receipt) share: escaping, safe
//! anchors, and the page shell with its base style.
//!
//! Every text that comes from a ledger (names, notes, barcodes, sites, finding messages) is
//! attacker-controlled UTF-8, so it goes through [`escape`] on its way into a page, and into an
//! `id` or `href` only through [`anchor`]. Pages are self-contained: inline CSS and SVG, no
//! script, no external font, image or link; a Content-Security-Policy forbids fetching anything,
//! so even a slip in escaping could not load or run code.

use crate::lang::i18n::Lang;

/// Escapes text for an HTML element or a quoted attribute value. Control characters, line
/// separators, zero-width characters and bidirectional overrides become U+FFFD: they could hide
/// or reorder what a reader sees (a barcode that displays as another).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::format::printable::is_hidden(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// An element id (and `#` link target) for `id` under `prefix`, e.g. `bag-QP-0001`: ASCII
/// letters, digits, `-` and `.` stay as they are, every other character becomes `_<hex code
/// point>_`, so that the result is a valid, unambiguous id whatever the barcode holds.
pub fn anchor(prefix: &str, id: &str) -> String {
    let mut out = format!("{prefix}-");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", u32::from(c)));
        }
    }
    out
}

/// The base style of every page: a font stack of locally installed fonts that covers Chinese,
/// and print colours kept when printed.
const BASE_CSS: &str = r#"
body{margin:0;color:#1a1a1a;background:#fff;line-height:1.45;
font-family:"Noto Sans CJK SC","Source Han Sans SC","Noto Sans SC","PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Zen Hei","WenQuanYi Micro Hei",SimHei,SimSun,sans-serif;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
code,.mono{font-family:"Noto Sans Mono CJK SC","DejaVu Sans Mono","Liberation Mono",Consolas,"Courier New",monospace}
h1,h2,h3{line-height:1.2}
a{color:#0b4f8a}
"#;

/// A whole page: doctype, language, charset, a policy that forbids loading anything, the title,
/// the base style plus `css`, and `body` (already HTML).
pub fn page(lang: Lang, title: &str, css: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang.code(),
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_text() {
        let hostile = "<script>alert('x')</script>\"><img src=x onerror=1>&amp;";
        let out = escape(hostile);
        assert_eq!(
            out,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=1&gt;&amp;amp;"
        );
        for bad in ['<', '>', '"', '\''] {
            assert!(!out.contains(bad), "{out}");
        }
    }

    #[test]
    fn invisible_and_reordering_characters_are_shown_as_replacements() {
        assert_eq!(
            escape("a\u{0}b\u{1b}[31m\nc"),
            "a\u{fffd}b\u{fffd}[31m\u{fffd}c"
        );
        assert_eq!(escape("QP\u{202e}100"), "QP\u{fffd}100");
        assert_eq!(
            escape("x\u{200b}\u{2066}y\u{85}"),
            "x\u{fffd}\u{fffd}y\u{fffd}"
        );
        assert_eq!(escape("第一中学 王丽"), "第一中学 王丽");
    }

    #[test]
    fn anchors_are_plain_ascii_and_tell_ids_apart() {
        assert_eq!(anchor("bag", "QP-YW-101"), "bag-QP-YW-101");
        assert_eq!(anchor("bag", "a b\"<"), "bag-a_20_b_22__3c_");
        assert_eq!(anchor("bag", "考1"), "bag-_8003_1");
        assert_ne!(anchor("bag", "a_20_"), anchor("bag", "a "));
        let id = anchor("bag", "\u{0}<script>'\u{202e}");
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)),
            "{id}"
        );
    }

    #[test]
    fn the_page_loads_nothing_and_escapes_its_title() {
        let p = page(Lang::Zh, "<审计>", "", "<p>x</p>\n");
        assert!(p.starts_with("<!DOCTYPE html>"));
        assert!(p.contains("<html lang=\"zh-CN\">"));
        assert!(p.contains("<title>&lt;审计&gt;</title>"));
        assert!(p.contains("default-src 'none'"));
        assert!(!p.contains("<script"));
    }
}
