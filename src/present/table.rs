//! Text tables: aligned by display width and fitted to a width by cutting the widest text
//! columns with "…". Human output of every view is a [`Table`].

use crate::lang::text::{Align, one_line, pad, text_width, truncate, wrap};

#[derive(Clone, Debug)]
enum Line {
    Row(Vec<String>),
    /// Free text under the row above it, indented to the second column and wrapped.
    Note(String),
    /// A dashed line across the table, e.g. above a totals row.
    Rule,
}

/// A small text table: headers, rows, right-aligned numeric columns, notes under rows.
///
/// [`Table::render`] fits it to a width: columns are as wide as their widest cell, and while the
/// table is too wide the widest text column loses a column, its cells cut with "…". Numeric
/// columns are never cut. Widths are display widths, so Chinese names line up.
///
/// ```
/// use custody::present::table::Table;
/// let mut t = Table::new(["NAME", "PAPERS"]).right(1);
/// t.push(["王丽", "30"]);
/// t.push(["Li", "5"]);
/// assert_eq!(t.render(80), "NAME  PAPERS\n王丽      30\nLi         5\n");
/// ```
#[derive(Clone, Debug)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    lines: Vec<Line>,
}

/// Columns between two cells.
const GAP: usize = 2;
/// A text column is never cut below this many columns (or its natural width, if smaller).
const MIN_TEXT_WIDTH: usize = 4;

impl Table {
    pub fn new<I, S>(headers: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let headers: Vec<String> = headers.into_iter().map(|h| one_line(&h.into())).collect();
        let align = vec![Align::Left; headers.len()];
        Table {
            headers,
            align,
            lines: Vec::new(),
        }
    }

    /// Makes column `col` (from 0) a right-aligned numeric column.
    pub fn right(mut self, col: usize) -> Table {
        if let Some(a) = self.align.get_mut(col) {
            *a = Align::Right;
        }
        self
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn push<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut row: Vec<String> = cells
            .into_iter()
            .take(self.headers.len())
            .map(|c| one_line(&c.into()))
            .collect();
        row.resize(self.headers.len(), String::new());
        self.lines.push(Line::Row(row));
    }

    /// Adds a line of free text under the last row, wrapped to the table's width.
    pub fn note(&mut self, text: impl Into<String>) {
        self.lines.push(Line::Note(text.into()));
    }

    /// Adds a dashed line across the table.
    pub fn rule(&mut self) {
        self.lines.push(Line::Rule);
    }

    /// How many rows (not notes or rules) the table holds.
    pub fn len(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| matches!(l, Line::Row(_)))
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column widths that fit `width` (or come as close as the numeric columns allow).
    fn widths(&self, width: usize) -> Vec<usize> {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| text_width(h)).collect();
        for line in &self.lines {
            if let Line::Row(row) = line {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(text_width(cell));
                }
            }
        }
        let floor: Vec<usize> = widths
            .iter()
            .zip(&self.align)
            .map(|(&w, a)| match a {
                Align::Right => w,
                Align::Left => w.min(MIN_TEXT_WIDTH),
            })
            .collect();
        let gaps = GAP * n.saturating_sub(1);
        while widths.iter().sum::<usize>() + gaps > width {
            // The widest column that may shrink; the rightmost of equals.
            let Some(i) = (0..n)
                .filter(|&i| widths[i] > floor[i])
                .max_by_key(|&i| (widths[i], i))
            else {
                break;
            };
            widths[i] -= 1;
        }
        widths
    }

    fn render_row(&self, cells: &[String], widths: &[usize]) -> String {
        let gap = " ".repeat(GAP);
        let line = cells
            .iter()
            .zip(widths)
            .zip(&self.align)
            .map(|((c, &w), &a)| pad(&truncate(c, w), w, a))
            .collect::<Vec<_>>()
            .join(&gap);
        line.trim_end().to_string()
    }

    /// The table as text, one line per row ending in a newline, at most `width` columns wide
    /// unless its numeric columns alone are wider.
    pub fn render(&self, width: usize) -> String {
        let widths = self.widths(width);
        let total = widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1);
        let indent = match widths.len() {
            0 | 1 => 2,
            _ => widths[0] + GAP,
        };
        let mut out = self.render_row(&self.headers, &widths);
        out.push('\n');
        for line in &self.lines {
            match line {
                Line::Row(row) => {
                    out.push_str(&self.render_row(row, &widths));
                    out.push('\n');
                }
                Line::Note(text) => {
                    let room = width.max(indent + 20) - indent;
                    for l in wrap(text, room) {
                        out.push_str(&" ".repeat(indent));
                        out.push_str(&l);
                        out.push('\n');
                    }
                }
                Line::Rule => {
                    out.push_str(&"-".repeat(total.min(width)));
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// Lines of a heading, each cut to `width`.
pub fn heading(lines: &[String], width: usize) -> String {
    lines
        .iter()
        .map(|l| truncate(&one_line(l), width) + "\n")
        .collect()
}
