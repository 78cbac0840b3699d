//! A readable diff between two versions of a report, section by section: which parts were
//! added or removed, and inside a changed part which sentences — and within a reworded
//! sentence which characters — went and came.
//!
//! Chinese has no spaces, so word diffs do not apply and a bare character diff of a whole
//! section shreds it into fragments. We diff sentences first (split after 。！？；
//! and line ends) and compare characters only inside a run of sentences that was
//! replaced by a similar one (a reworded sentence, a changed number).
//!
//! ```
//! use xxgk_archive::diff::{diff_texts, Piece};
//!
//! let pieces = diff_texts("共收到申请3件。均已答复。", "共收到申请5件。均已答复。");
//! assert_eq!(
//!     pieces,
//!     [
//!         Piece::Same("共收到申请".into()),
//!         Piece::Removed("3".into()),
//!         Piece::Added("5".into()),
//!         Piece::Same("件。均已答复。".into()),
//!     ]
//! );
//! ```

use std::time::Duration;

use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffTag, TextDiff};
use xxgk_model::{Report, SectionId};

/// Runs of sentences longer than this (in characters, old and new together) are shown as
/// removed and added rather than compared character by character.
const MAX_CHAR_DIFF: usize = 4000;
/// How alike a replaced run must be (0–1) to be compared character by character.
const MIN_SIMILARITY: f32 = 0.5;
/// A diff that takes longer gives up on the best alignment (similar's deadline).
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// A piece of text in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum Piece {
    Same(String),
    Added(String),
    Removed(String),
}

/// What happened to one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Unchanged,
    Changed,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionDiff {
    pub section: SectionId,
    /// Which occurrence of `section` (0 for the first).
    pub nth: usize,
    pub old_heading: Option<String>,
    pub new_heading: Option<String>,
    pub status: Status,
    /// The text as pieces: for a changed section the diff, for an added or removed one
    /// its whole text, for an unchanged one nothing.
    pub pieces: Vec<Piece>,
}

/// A change of one of the report's own fields (title, date, year, school).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportDiff {
    pub fields: Vec<FieldChange>,
    pub sections: Vec<SectionDiff>,
    /// Characters added and removed over all sections.
    pub added_chars: usize,
    pub removed_chars: usize,
}

impl ReportDiff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.sections.iter().all(|s| s.status == Status::Unchanged)
    }
}

/// Sections keyed by (id, occurrence), in document order.
fn keyed(report: &Report) -> Vec<(SectionId, usize)> {
    let mut seen: std::collections::HashMap<SectionId, usize> = Default::default();
    report
        .sections
        .iter()
        .map(|s| {
            let n = seen.entry(s.id).or_default();
            let key = (s.id, *n);
            *n += 1;
            key
        })
        .collect()
}

/// The diff from `old` to `new`.
pub fn diff_reports(old: &Report, new: &Report) -> ReportDiff {
    let mut fields = Vec::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    for (field, a, b) in [
        ("title", old.title.clone(), new.title.clone()),
        ("school", old.school.clone(), new.school.clone()),
        ("year", opt(&old.year), opt(&new.year)),
        ("published", opt(&old.published), opt(&new.published)),
    ] {
        if a != b {
            fields.push(FieldChange {
                field,
                old: a,
                new: b,
            });
        }
    }
    let old_keys = keyed(old);
    let new_keys = keyed(new);
    let mut sections = Vec::new();
    let removed = |i: usize| {
        let s = &old.sections[i];
        SectionDiff {
            section: s.id,
            nth: old_keys[i].1,
            old_heading: Some(s.heading.clone()),
            new_heading: None,
            status: Status::Removed,
            pieces: vec![Piece::Removed(s.text.clone())],
        }
    };
    let added = |j: usize| {
        let s = &new.sections[j];
        SectionDiff {
            section: s.id,
            nth: new_keys[j].1,
            old_heading: None,
            new_heading: Some(s.heading.clone()),
            status: Status::Added,
            pieces: vec![Piece::Added(s.text.clone())],
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                for (i, j) in o.zip(n) {
                    let (a, b) = (&old.sections[i], &new.sections[j]);
                    let same = a.text == b.text && a.heading == b.heading;
                    sections.push(SectionDiff {
                        section: b.id,
                        nth: new_keys[j].1,
                        old_heading: Some(a.heading.clone()),
                        new_heading: Some(b.heading.clone()),
                        status: if same {
                            Status::Unchanged
                        } else {
                            Status::Changed
                        },
                        pieces: if same {
                            Vec::new()
                        } else {
                            diff_texts(&a.text, &b.text)
                        },
                    });
                }
            }
            DiffTag::Delete => sections.extend(o.map(removed)),
            DiffTag::Insert => sections.extend(n.map(added)),
            DiffTag::Replace => {
                sections.extend(o.map(removed));
                sections.extend(n.map(added));
            }
        }
    }
    let chars = |pick: fn(&Piece) -> Option<&String>| -> usize {
        sections
            .iter()
            .flat_map(|s| s.pieces.iter())
            .filter_map(pick)
            .map(|t| t.chars().count())
            .sum()
    };
    let added_chars = chars(|p| match p {
        Piece::Added(t) => Some(t),
        _ => None,
    });
    let removed_chars = chars(|p| match p {
        Piece::Removed(t) => Some(t),
        _ => None,
    });
    ReportDiff {
        fields,
        sections,
        added_chars,
        removed_chars,
    }
}

/// Splits after sentence ends and line breaks; the pieces joined give `text` back.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n') {
            let end = i + c.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The diff of two texts: sentences, then characters inside similar replaced runs.
pub fn diff_texts(old: &str, new: &str) -> Vec<Piece> {
    let a = sentences(old);
    let b = sentences(new);
    let by_sentence = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(DIFF_TIMEOUT)
        .diff_slices(&a, &b);
    let mut pieces = Vec::new();
    for op in by_sentence.ops() {
        let (tag, o, n) = op.as_tag_tuple();
        let old_run: String = a[o].concat();
        let new_run: String = b[n].concat();
        match tag {
            DiffTag::Equal => pieces.push(Piece::Same(old_run)),
            DiffTag::Delete => pieces.push(Piece::Removed(old_run)),
            DiffTag::Insert => pieces.push(Piece::Added(new_run)),
            DiffTag::Replace => pieces.extend(diff_run(&old_run, &new_run)),
        }
    }
    merge(pieces)
}

/// A replaced run: character by character when the two are alike, else out and in.
fn diff_run(old: &str, new: &str) -> Vec<Piece> {
    let whole = || {
        vec![
            Piece::Removed(old.to_string()),
            Piece::Added(new.to_string()),
        ]
    };
    if old.chars().count() + new.chars().count() > MAX_CHAR_DIFF {
        return whole();
    }
    let by_char = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_chars(old, new);
    if by_char.ratio() < MIN_SIMILARITY {
        return whole();
    }
    let mut pieces = Vec::new();
    for op in by_char.ops() {
        for (tag, text) in by_char.iter_changes(op).map(|c| (c.tag(), c.value())) {
            pieces.push(match tag {
                similar::ChangeTag::Equal => Piece::Same(text.to_string()),
                similar::ChangeTag::Delete => Piece::Removed(text.to_string()),
                similar::ChangeTag::Insert => Piece::Added(text.to_string()),
            });
        }
    }
    merge(pieces)
}

/// Joins neighbouring pieces of the same kind and drops empty ones; within a change,
/// removals come before additions.
fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let empty = match &piece {
            Piece::Same(t) | Piece::Added(t) | Piece::Removed(t) => t.is_empty(),
        };
        if empty {
            continue;
        }
        match (out.last_mut(), piece) {
            (Some(Piece::Same(a)), Piece::Same(b))
            | (Some(Piece::Added(a)), Piece::Added(b))
            | (Some(Piece::Removed(a)), Piece::Removed(b)) => a.push_str(&b),
            (_, piece) => out.push(piece),
        }
    }
    // Added-then-removed next to each other reads better the other way round.
    let mut i = 0;
    while i + 1 < out.len() {
        if matches!((&out[i], &out[i + 1]), (Piece::Added(_), Piece::Removed(_))) {
            out.swap(i, i + 1);
            // A removal may now meet an earlier removal.
            if i > 0 {
                i -= 1;
                continue;
            }
        }
        i += 1;
    }
    let mut joined: Vec<Piece> = Vec::with_capacity(out.len());
    for piece in out {
        match (joined.last_mut(), piece) {
            (Some(Piece::Added(a)), Piece::Added(b))
            | (Some(Piece::Removed(a)), Piece::Removed(b)) => a.push_str(&b),
            (_, piece) => joined.push(piece),
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(sections: &[(SectionId, &str, &str)]) -> Report {
        let builder = xxgk_testkit::report("甲大学", "2020-2021")
            .id("r")
            .url("https://a.edu.cn/1.htm")
            .published("2021-10-28");
        sections
            .iter()
            .fold(builder, |b, (id, h, t)| b.section(*id, h, t))
            .build()
    }

    fn rebuild(pieces: &[Piece]) -> (String, String) {
        let mut old = String::new();
        let mut new = String::new();
        for p in pieces {
            match p {
                Piece::Same(t) => {
                    old.push_str(t);
                    new.push_str(t);
                }
                Piece::Removed(t) => old.push_str(t),
                Piece::Added(t) => new.push_str(t),
            }
        }
        (old, new)
    }

    #[test]
    fn sentences_rejoin_to_the_text() {
        let text = "一句。二句！三句？四；五\n六";
        assert_eq!(sentences(text).concat(), text);
        assert_eq!(sentences(text).len(), 6);
        assert!(sentences("").is_empty());
    }

    #[test]
    fn a_changed_number_is_a_small_change_and_a_new_sentence_a_whole_one() {
        let old = "本学年共收到依申请公开3件。均已按期答复。学校未发生行政复议。";
        let new =
            "本学年共收到依申请公开12件。均已按期答复。学校未发生行政复议。因信息公开被举报1次。";
        let pieces = diff_texts(old, new);
        assert_eq!(rebuild(&pieces), (old.to_string(), new.to_string()));
        assert!(pieces.contains(&Piece::Removed("3".into())), "{pieces:?}");
        assert!(pieces.contains(&Piece::Added("12".into())), "{pieces:?}");
        assert!(
            pieces.contains(&Piece::Added("因信息公开被举报1次。".into())),
            "{pieces:?}"
        );
    }

    #[test]
    fn a_rewritten_sentence_is_shown_out_and_in_not_shredded() {
        let old = "学校公开了收费标准。";
        let new = "相关材料另行发布。";
        assert_eq!(
            diff_texts(old, new),
            [
                Piece::Removed(old.to_string()),
                Piece::Added(new.to_string())
            ]
        );
        assert_eq!(diff_texts(old, old), [Piece::Same(old.to_string())]);
    }

    #[test]
    fn sections_added_removed_and_changed_are_told_apart() {
        let old = report(&[
            (SectionId::Overview, "一、概述", "学校重视信息公开。"),
            (
                SectionId::Proactive,
                "二、主动公开",
                "公开收费标准和收费依据。",
            ),
            (SectionId::Complaints, "六、举报", "未收到举报。"),
        ]);
        let mut new = report(&[
            (SectionId::Overview, "一、概述", "学校重视信息公开。"),
            (SectionId::Proactive, "二、主动公开", "公开收费依据。"),
            (SectionId::Other, "八、其他", "无。"),
        ]);
        new.published = Some("2021-11-15".into());
        let d = diff_reports(&old, &new);
        let statuses: Vec<(SectionId, Status)> =
            d.sections.iter().map(|s| (s.section, s.status)).collect();
        assert_eq!(
            statuses,
            [
                (SectionId::Overview, Status::Unchanged),
                (SectionId::Proactive, Status::Changed),
                (SectionId::Complaints, Status::Removed),
                (SectionId::Other, Status::Added),
            ]
        );
        assert_eq!(
            d.fields,
            [FieldChange {
                field: "published",
                old: "2021-10-28".into(),
                new: "2021-11-15".into()
            }]
        );
        let changed = &d.sections[1].pieces;
        assert_eq!(
            rebuild(changed),
            (
                "公开收费标准和收费依据。".to_string(),
                "公开收费依据。".to_string()
            )
        );
        // Five characters went; which five of the repeated 收费 is the aligner's choice.
        assert!(
            changed.iter().all(|p| !matches!(p, Piece::Added(_))),
            "{changed:?}"
        );
        assert_eq!(d.removed_chars, 5 + "未收到举报。".chars().count());
        assert_eq!(d.added_chars, 2);
        assert!(!d.is_empty());
        assert!(diff_reports(&old, &old).is_empty());
    }

    #[test]
    fn long_texts_finish_and_rebuild_exactly() {
        let old: String = (0..400).map(|i| format!("第{i}条内容已公开。")).collect();
        let new: String = (0..400)
            .map(|i| {
                if i % 37 == 0 {
                    format!("第{i}条内容未公开。")
                } else {
                    format!("第{i}条内容已公开。")
                }
            })
            .collect();
        let pieces = diff_texts(&old, &new);
        assert_eq!(rebuild(&pieces), (old.clone(), new.clone()));
        let removed: Vec<&Piece> = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Removed(_)))
            .collect();
        assert_eq!(removed.len(), 11, "{removed:?}");
    }
}
