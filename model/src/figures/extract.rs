//! Reading the figures out of a report's sections, in one pass over each section's folded
//! text: words and numbers become tokens; a number is the figure of the last cue before
//! it in its clause (收到申请12件), else of a cue right after it (8件予以公开), else — after
//! 共计/合计 — the total of the figures the sentence is about (同意公开8件、部分公开2件,共计10
//! 件). A clause with a statement of none (未收到, 未发生, 无) makes every cue in it that has
//! no number `0`; a short sentence of none under a heading that names figures (五、…举报的情况
//! / 无。) makes the heading's figures `0`. A table turned to text (a line of cues, a line
//! of numbers) is read column by column.

use crate::fold::fold;
use crate::report::{Report, Section};

use super::cues::{Scope, Word, CUES};
use super::number::{number_at, Number, Unit};
use super::{Amount, Figure, FigureKind, Figures, Flag, MAX_CHARS};

/// How far (in characters) a number may stand after its cue.
const MAX_GAP: usize = 20;
/// How far a number without a measure word may stand after its cue (`申请数量: 12`).
const MAX_BARE_GAP: usize = 6;
/// How far a cue may stand after its number (`8件予以公开`, `8件为同意公开`).
const MAX_GAP_AFTER: usize = 2;
/// A quote longer than this is cut to the words around the figure.
const MAX_QUOTE: usize = 200;
const QUOTE_CONTEXT: usize = 40;

/// How sure a reading is: a stated total beats a plain statement, which beats a statement
/// of none, which beats a part read after 其中.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rank {
    Part,
    Zero,
    Plain,
    Total,
}

#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) kind: FigureKind,
    pub(super) value: Amount,
    pub(super) approx: bool,
    pub(super) rank: Rank,
    pub(super) home: bool,
    pub(super) section_index: usize,
    /// Character span of the evidence in the section text.
    pub(super) start: usize,
    pub(super) end: usize,
}

pub(super) struct Extracted {
    pub figures: Figures,
    pub conflicts: Vec<Flag>,
}

#[derive(Debug, Clone)]
enum Tok {
    Num(Number),
    Cue {
        kind: FigureKind,
        /// The cue counts only in the figure's home section or a sentence about disclosure.
        home_scoped: bool,
        start: usize,
        end: usize,
    },
    Neg,
    Total,
    Part,
    Each,
    All,
    Clause,
}

/// Every figure of `report`, with the conflicts between its statements.
pub(super) fn figures(report: &Report) -> Extracted {
    let mut budget = MAX_CHARS;
    let mut candidates = Vec::new();
    for (index, section) in report.sections.iter().enumerate() {
        if budget == 0 {
            break;
        }
        let original: Vec<char> = section.text.chars().take(budget).collect();
        budget -= original.len();
        let text: String = original.iter().collect();
        let folded: Vec<char> = fold(&text).chars().collect();
        if folded.len() != original.len() {
            // fold keeps char counts; if that ever broke, offsets would lie.
            continue;
        }
        let scan = SectionScan {
            index,
            section,
            folded: &folded,
        };
        scan.sentences(&mut candidates);
        scan.tables(&mut candidates);
    }
    choose(report, candidates)
}

pub(super) struct SectionScan<'a> {
    pub(super) index: usize,
    pub(super) section: &'a Section,
    pub(super) folded: &'a [char],
}

impl SectionScan<'_> {
    fn sentences(&self, out: &mut Vec<Candidate>) {
        let f = self.folded;
        let mut start = 0;
        for i in 0..=f.len() {
            if i == f.len() || matches!(f[i], '。' | '!' | '?' | '\n') {
                if i > start {
                    self.sentence(start, i, out);
                }
                start = i + 1;
            }
        }
    }

    /// The tokens of `f[from..to]`.
    fn tokens(&self, from: usize, to: usize) -> Vec<Tok> {
        let f = &self.folded[..to];
        let mut toks = Vec::new();
        let mut i = from;
        while i < to {
            let c = f[i];
            if matches!(c, ',' | ';') {
                toks.push(Tok::Clause);
                i += 1;
                continue;
            }
            if !c.is_ascii_digit() {
                if let Some((len, word)) = CUES.word_at(f, i) {
                    match word {
                        Word::Figure(kind, scope) => toks.push(Tok::Cue {
                            kind,
                            home_scoped: scope == Scope::Home,
                            start: i,
                            end: i + len,
                        }),
                        Word::Negation => toks.push(Tok::Neg),
                        Word::Total => toks.push(Tok::Total),
                        Word::Part => toks.push(Tok::Part),
                        Word::Each => toks.push(Tok::Each),
                        Word::All => toks.push(Tok::All),
                        Word::Ignore => {}
                    }
                    i += len;
                    continue;
                }
            }
            if let Some(n) = number_at(f, i, &CUES) {
                i = n.end.max(i + 1);
                toks.push(Tok::Num(n));
                continue;
            }
            i += 1;
        }
        toks
    }

    pub(super) fn in_scope(
        &self,
        kind: FigureKind,
        scope_home: bool,
        about_disclosure: bool,
    ) -> bool {
        !scope_home || self.section.id == kind.home() || about_disclosure
    }

    fn sentence(&self, from: usize, to: usize, out: &mut Vec<Candidate>) {
        let f = self.folded;
        let text: String = f[from..to].iter().collect();
        let about_disclosure = text.contains("信息公开");
        let toks: Vec<Tok> = self
            .tokens(from, to)
            .into_iter()
            .filter(|t| match t {
                Tok::Cue {
                    kind, home_scoped, ..
                } => self.in_scope(*kind, *home_scoped, about_disclosure),
                _ => true,
            })
            .collect();
        let (s_from, s_to) = trim(f, from, to);
        let emit = |kind: FigureKind,
                    value: Amount,
                    approx: bool,
                    rank: Rank,
                    anchor: (usize, usize),
                    out: &mut Vec<Candidate>| {
            let (start, end) = quote_span(s_from, s_to, anchor);
            out.push(Candidate {
                kind,
                value,
                approx,
                rank,
                home: self.section.id == kind.home(),
                section_index: self.index,
                start,
                end,
            });
        };
        let mut topic: Option<FigureKind> = None;
        let mut after_part = false;
        let mut any_cue = false;
        let mut any_neg = false;
        // The requests this sentence says were received, for 均予以公开.
        let mut received: Option<(Amount, bool)> = None;
        for clause in toks.split(|t| matches!(t, Tok::Clause)) {
            // (kind, start, end, has a number)
            let mut cues: Vec<(FigureKind, usize, usize, bool)> = Vec::new();
            let mut total = false;
            let mut neg = false;
            let mut each = false;
            let mut all = false;
            for (k, tok) in clause.iter().enumerate() {
                match tok {
                    Tok::Cue {
                        kind, start, end, ..
                    } => {
                        let taken = cues.iter().any(|c| c.1 == *start);
                        // 同意公开的申请6件: the part named first is the figure, not the
                        // total that 申请 would name.
                        let part_before = cues.last().is_some_and(|c| {
                            kind.is_total()
                                && !c.0.is_total()
                                && c.0.total() == Some(*kind)
                                && *start <= c.2 + 3
                        });
                        if !taken && !part_before {
                            cues.push((*kind, *start, *end, false));
                        }
                        topic = Some(*kind);
                        any_cue = true;
                    }
                    Tok::Neg => {
                        neg = true;
                        any_neg = true;
                    }
                    Tok::Total => total = true,
                    Tok::Part => after_part = true,
                    Tok::Each => each = true,
                    Tok::All => all = true,
                    Tok::Clause => {}
                    Tok::Num(n) => {
                        let rank_for = |kind: FigureKind| {
                            if total {
                                Rank::Total
                            } else if after_part && kind.is_total() {
                                Rank::Part
                            } else {
                                Rank::Plain
                            }
                        };
                        // 行政复议、行政诉讼均为0件: every cue before it without a number.
                        if each {
                            for cue in cues.iter_mut().filter(|c| !c.3) {
                                if unit_fits(cue.0, n, false) {
                                    cue.3 = true;
                                    let rank = rank_for(cue.0);
                                    emit(
                                        cue.0,
                                        amount(cue.0, n),
                                        n.approx,
                                        rank,
                                        (cue.1, n.end),
                                        out,
                                    );
                                }
                            }
                            continue;
                        }
                        // The last cue before it.
                        if let Some(cue) = cues.last_mut().filter(|c| !c.3) {
                            if fits_after(f, cue.0, cue.2, n) {
                                cue.3 = true;
                                let rank = rank_for(cue.0);
                                if cue.0 == FigureKind::RequestsReceived {
                                    received = Some((amount(cue.0, n), n.approx));
                                }
                                emit(cue.0, amount(cue.0, n), n.approx, rank, (cue.1, n.end), out);
                                continue;
                            }
                        }
                        // A cue right after it.
                        if let Some(Tok::Cue {
                            kind, start, end, ..
                        }) = clause.get(k + 1)
                        {
                            if *start <= n.end + MAX_GAP_AFTER && unit_fits(*kind, n, false) {
                                cues.push((*kind, *start, *end, true));
                                topic = Some(*kind);
                                any_cue = true;
                                let rank = rank_for(*kind);
                                emit(
                                    *kind,
                                    amount(*kind, n),
                                    n.approx,
                                    rank,
                                    (n.start, *end),
                                    out,
                                );
                                continue;
                            }
                        }
                        // A total of what the sentence is about.
                        if let Some(kind) = topic.and_then(FigureKind::total) {
                            if total && unit_fits(kind, n, false) {
                                emit(
                                    kind,
                                    amount(kind, n),
                                    n.approx,
                                    Rank::Total,
                                    (n.start, n.end),
                                    out,
                                );
                            }
                        }
                    }
                }
            }
            if all && !neg {
                if let Some((value, approx)) = received {
                    for cue in cues.iter_mut().filter(|c| !c.3) {
                        let part = cue.0.total() == Some(FigureKind::RequestsReceived)
                            && !cue.0.is_total();
                        if part {
                            cue.3 = true;
                            emit(cue.0, value, approx, Rank::Plain, (cue.1, cue.2), out);
                        }
                    }
                }
            }
            if neg {
                for (kind, start, end, numbered) in cues {
                    if !numbered && !kind.is_percent() {
                        emit(kind, Amount::Count(0), false, Rank::Zero, (start, end), out);
                    }
                }
            }
        }
        if !any_cue && any_neg && s_to - s_from <= CUES.none_sentence_max {
            for kind in heading_figures(&self.section.heading) {
                emit(
                    kind,
                    Amount::Count(0),
                    false,
                    Rank::Zero,
                    (s_from, s_to),
                    out,
                );
            }
        }
    }
}

/// The figures a section heading names (五、因学校信息公开工作遭到举报的情况 → complaints).
fn heading_figures(heading: &str) -> Vec<FigureKind> {
    let f: Vec<char> = fold(heading).chars().collect();
    let mut kinds = Vec::new();
    let mut i = 0;
    while i < f.len() {
        match CUES.word_at(&f, i) {
            Some((len, word)) => {
                if let Word::Figure(kind, _) = word {
                    if !kind.is_percent() && !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                i += len;
            }
            None => i += 1,
        }
    }
    kinds
}

/// Whether number `n` can be the figure of a cue ending at `cue_end`.
fn fits_after(f: &[char], kind: FigureKind, cue_end: usize, n: &Number) -> bool {
    let at = n.start;
    if at < cue_end || at - cue_end > MAX_GAP {
        return false;
    }
    match n.unit {
        Unit::Bare => {
            at - cue_end <= MAX_BARE_GAP
                && f[cue_end..at]
                    .iter()
                    .all(|c| c.is_whitespace() || ":数量总为是共计达(|".contains(*c) || *c == ')')
                && unit_fits(kind, n, true)
        }
        _ => unit_fits(kind, n, false),
    }
}

pub(super) fn unit_fits(kind: FigureKind, n: &Number, bare_ok: bool) -> bool {
    match &n.unit {
        Unit::Word(u) => {
            CUES.allows(kind, u)
                && (kind.is_percent() || n.integer)
                && (u != "%" || kind.is_percent())
        }
        Unit::Bare => bare_ok && !kind.is_percent() && n.integer,
        Unit::Other => false,
    }
}

pub(super) fn amount(kind: FigureKind, n: &Number) -> Amount {
    if kind.is_percent() {
        Amount::Percent(n.value)
    } else {
        // Integer-valued and at most twelve digits (see number.rs).
        Amount::Count(n.value as u64)
    }
}

/// The sentence without its surrounding spaces.
fn trim(f: &[char], mut from: usize, mut to: usize) -> (usize, usize) {
    while from < to && f[from].is_whitespace() {
        from += 1;
    }
    while to > from && f[to - 1].is_whitespace() {
        to -= 1;
    }
    (from, to)
}

/// The sentence, or for a long one the words around `anchor`.
fn quote_span(from: usize, to: usize, anchor: (usize, usize)) -> (usize, usize) {
    if to - from <= MAX_QUOTE {
        return (from, to);
    }
    (
        anchor.0.saturating_sub(QUOTE_CONTEXT).max(from),
        (anchor.1 + QUOTE_CONTEXT).min(to),
    )
}

/// The best candidate of each figure; disagreeing statements of equal standing are flagged.
fn choose(report: &Report, mut candidates: Vec<Candidate>) -> Extracted {
    let mut figures = Figures::default();
    let mut conflicts = Vec::new();
    // Stable: among equals the first in the report wins.
    candidates.sort_by_key(|c| std::cmp::Reverse((c.rank, c.home)));
    for kind in FigureKind::ALL {
        let mut of_kind = candidates.iter().filter(|c| c.kind == kind);
        let Some(best) = of_kind.next() else { continue };
        // Reports state proactive items per channel as often as in total: only the
        // request and complaint figures are stated once.
        let stated_once = kind != FigureKind::ProactiveItems;
        if let Some(other) = of_kind
            .filter(|_| stated_once)
            .filter(|c| (c.rank, c.home) == (best.rank, best.home))
            .find(|c| c.value != best.value)
        {
            conflicts.push(Flag::Conflict {
                figure: kind,
                kept: best.value,
                other: other.value,
            });
        }
        let Some(section) = report.sections.get(best.section_index) else {
            continue;
        };
        let quote: String = section
            .text
            .chars()
            .skip(best.start)
            .take(best.end - best.start)
            .collect();
        figures.set(
            kind,
            Some(Figure {
                value: best.value,
                approx: best.approx,
                quote,
                section: section.id,
                section_index: best.section_index,
                report_id: report.id.clone(),
                start: best.start,
                end: best.end,
            }),
        );
    }
    Extracted { figures, conflicts }
}

/// The flags of a report's figures: parts above their total, percentages above 100, and
/// the conflicts found while choosing.
pub(super) fn flags(figures: &Figures, conflicts: Vec<Flag>) -> Vec<Flag> {
    let mut flags = Vec::new();
    let count = |kind| match figures.get(kind).map(|f| f.value) {
        Some(Amount::Count(n)) => Some(n),
        _ => None,
    };
    if let Some(total) = count(FigureKind::RequestsReceived) {
        let parts: u64 = [
            FigureKind::RequestsGranted,
            FigureKind::RequestsPartly,
            FigureKind::RequestsRefused,
            FigureKind::RequestsNotHeld,
        ]
        .into_iter()
        .filter_map(count)
        .sum();
        if parts > total {
            flags.push(Flag::PartsExceedTotal { total, parts });
        }
    }
    for kind in FigureKind::ALL.into_iter().filter(|k| k.is_percent()) {
        if figures.get(kind).is_some_and(|f| f.value.as_f64() > 100.0) {
            flags.push(Flag::PercentAbove100 { figure: kind });
        }
    }
    flags.extend(conflicts);
    flags
}
