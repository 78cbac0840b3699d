//! Tables turned to text: a line of headings that each name a figure, then a line of as
//! many numbers (`申请总数 同意公开 部分公开` / `7 5 1`), read column by column.

use super::cues::{Scope, Word, CUES};
use super::extract::{amount, unit_fits, Candidate, Rank, SectionScan};
use super::number::{number_at, Number};
use super::FigureKind;

impl SectionScan<'_> {
    /// A line of cues followed by a line of as many numbers (a table turned to text).
    pub(super) fn tables(&self, out: &mut Vec<Candidate>) {
        let f = self.folded;
        let mut lines: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for i in 0..=f.len() {
            if i == f.len() || f[i] == '\n' {
                if f[start..i].iter().any(|c| !c.is_whitespace()) {
                    lines.push((start, i));
                }
                start = i + 1;
            }
        }
        for pair in lines.windows(2) {
            let (head, values) = (pair[0], pair[1]);
            let head_cells = cells(f, head);
            let value_cells = cells(f, values);
            if head_cells.len() < 2 || head_cells.len() != value_cells.len() {
                continue;
            }
            let heading: String = f[head.0..head.1].iter().collect();
            let about = heading.contains("信息公开") || heading.contains("申请");
            let kinds: Option<Vec<FigureKind>> = head_cells
                .iter()
                .map(|&(a, b)| {
                    let cell: String = f[a..b].iter().collect();
                    cell_figure(&cell)
                        .filter(|(kind, home)| self.in_scope(*kind, *home, about))
                        .map(|(kind, _)| kind)
                })
                .collect();
            let Some(kinds) = kinds else { continue };
            let numbers: Option<Vec<Number>> = value_cells
                .iter()
                .map(|&(a, b)| number_at(&f[..b], a, &CUES).filter(|n| n.end == b))
                .collect();
            let Some(numbers) = numbers else { continue };
            for (kind, n) in kinds.into_iter().zip(numbers) {
                if unit_fits(kind, &n, true) {
                    out.push(Candidate {
                        kind,
                        value: amount(kind, &n),
                        approx: n.approx,
                        rank: Rank::Plain,
                        home: self.section.id == kind.home(),
                        section_index: self.index,
                        start: head.0,
                        end: values.1,
                    });
                }
            }
        }
    }
}

/// The figure a table header cell names, and whether its cue is home-scoped.
fn cell_figure(cell: &str) -> Option<(FigureKind, bool)> {
    let f: Vec<char> = cell.chars().collect();
    (0..f.len()).find_map(|i| match CUES.word_at(&f, i) {
        Some((_, Word::Figure(kind, scope))) => Some((kind, scope == Scope::Home)),
        _ => None,
    })
}

/// Cells of a line split at whitespace and `|`.
fn cells(f: &[char], (from, to): (usize, usize)) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for i in from..=to {
        let sep = i == to || f.get(i).is_none_or(|c| c.is_whitespace() || *c == '|');
        match (sep, start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}
