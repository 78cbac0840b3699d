//! The items' phrase queries matched in one pass over a report, with the index's
//! semantics.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::build::Found;
use super::items::{items, ITEM_COUNT};
use crate::fold::{fold, is_han};
use crate::query::UserQuery;
use crate::report::Report;

/// The items' queries as folded phrases, all searched in one pass (Aho–Corasick,
/// overlapping matches: 财务预算决算 holds both 财务预算 and 预算决算).
///
/// Only a query of alternatives of quoted phrases of two or more Han characters is taken:
/// for those the index matches exactly where the folded phrase is a substring of the
/// folded text (see [`crate::analysis`]), which is what this does. The tests hold it to
/// the index on random reports.
#[derive(Debug)]
pub(crate) struct PhraseMatcher {
    ac: AhoCorasick,
    /// Pattern → the items (0-based) it belongs to.
    owners: Vec<Vec<usize>>,
    /// Item (0-based) → taken by the matcher.
    handled: Vec<bool>,
}

static MATCHER: LazyLock<PhraseMatcher> = LazyLock::new(PhraseMatcher::build);

/// The phrases of `query` if it is only alternatives of Han phrases.
pub(super) fn phrases_of(query: &str) -> Option<Vec<String>> {
    let q = UserQuery::parse(query).ok()?;
    let [clause] = q.clauses.as_slice() else {
        return None;
    };
    if clause.negated {
        return None;
    }
    clause
        .alternatives
        .iter()
        .map(|a| {
            let han = a.text.chars().count() >= 2 && a.text.chars().all(is_han);
            (a.phrase && han).then(|| a.text.clone())
        })
        .collect()
}

impl PhraseMatcher {
    pub(super) fn get() -> &'static PhraseMatcher {
        &MATCHER
    }

    fn build() -> PhraseMatcher {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut handled = vec![false; ITEM_COUNT];
        for (i, item) in items().iter().enumerate() {
            let Some(phrases) = phrases_of(&item.query) else {
                continue;
            };
            handled[i] = true;
            for phrase in phrases {
                match patterns.iter().position(|p| *p == phrase) {
                    Some(k) => owners[k].push(i),
                    None => {
                        patterns.push(phrase);
                        owners.push(vec![i]);
                    }
                }
            }
        }
        // Patterns are a few hundred short strings of our own data file.
        let ac = AhoCorasick::new(&patterns)
            .unwrap_or_else(|e| panic!("checklist phrases do not build a matcher: {e}"));
        PhraseMatcher {
            ac,
            owners,
            handled,
        }
    }

    pub(super) fn handles(&self, item: usize) -> bool {
        self.handled[item]
    }

    /// The items (0-based) with a phrase in `folded`, each with the byte offset of its
    /// first occurrence.
    fn first_hits(&self, folded: &str) -> BTreeMap<usize, usize> {
        let mut first: BTreeMap<usize, usize> = BTreeMap::new();
        for m in self.ac.find_overlapping_iter(folded) {
            for &item in &self.owners[m.pattern().as_usize()] {
                first
                    .entry(item)
                    .and_modify(|b| *b = (*b).min(m.start()))
                    .or_insert(m.start());
            }
        }
        first
    }

    /// Byte offsets in `folded` of every occurrence of a phrase of `item`, ascending.
    pub(super) fn item_hits(&self, folded: &str, item: usize) -> Vec<usize> {
        let mut hits: Vec<usize> = self
            .ac
            .find_overlapping_iter(folded)
            .filter(|m| self.owners[m.pattern().as_usize()].contains(&item))
            .map(|m| m.start())
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// The first section of `report` matching each item the matcher takes.
    pub(super) fn scan(&self, report: &Report) -> Vec<Option<Found>> {
        let mut found: Vec<Option<Found>> = vec![None; ITEM_COUNT];
        // The index searches the title-and-school line with every section (as the engine
        // writes it), so a phrase there matches the first section.
        let school = if report.school.is_empty() {
            "(未知)"
        } else {
            report.school.as_str()
        };
        let in_meta = self.first_hits(&fold(&format!("{} {school}", report.title)));
        for (idx, section) in report.sections.iter().enumerate() {
            let text = fold(&section.text);
            let mut in_text: Vec<(usize, usize)> = self
                .first_hits(&text)
                .into_iter()
                .filter(|(item, _)| found[*item].is_none())
                .map(|(item, byte)| (byte, item))
                .collect();
            // Character indices of the byte offsets, counted in one pass.
            in_text.sort_unstable();
            let (mut byte, mut chars) = (0usize, 0usize);
            for (at, item) in in_text {
                chars += text[byte..at].chars().count();
                byte = at;
                found[item] = Some(Found {
                    section: idx,
                    at: Some(chars),
                });
            }
            let heading = fold(&section.heading);
            let others = self.first_hits(&heading).into_keys().chain(if idx == 0 {
                in_meta.keys().copied().collect::<Vec<_>>()
            } else {
                Vec::new()
            });
            for item in others {
                found[item].get_or_insert(Found {
                    section: idx,
                    at: None,
                });
            }
        }
        found
    }
}
