//! Where a checklist phrase is mentioned but not disclosed (issue 18): in the template's
//! 举报、复议、诉讼 and 问题与改进 sections, and in any sentence with a cue of
//! `data/not-disclosure-cues.txt` (举报…内容涉及收费公示不及时 is a complaint, not the
//! school publishing its fees). The rule reads folded text, so it holds in either script.

use std::sync::LazyLock;

use crate::fold::fold;
use crate::report::SectionId;

static CUES: LazyLock<Vec<String>> = LazyLock::new(|| {
    include_str!("../../data/not-disclosure-cues.txt")
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(fold)
        .collect()
});

/// Whether an item whose query is `query` can be judged by the cues (an item about
/// complaints themselves is not).
pub(super) fn applies_to(query: &str) -> bool {
    let q = fold(query);
    !CUES.iter().any(|c| q.contains(c.as_str()))
}

/// Whether the mention at character `at` of a section's text (or in its heading, `None`)
/// is a complaint, a problem or a plan rather than a disclosure. `folded` is the
/// section's text folded, as chars (the caller folds a section once for all its hits).
pub(super) fn is_mention_only(id: SectionId, folded: &[char], at: Option<usize>) -> bool {
    if matches!(id, SectionId::Complaints | SectionId::Improvements) {
        return true;
    }
    let Some(at) = at else {
        return false;
    };
    let stop = |c: &char| matches!(c, '。' | '！' | '？' | '；' | '\n' | '!' | '?' | ';');
    let at = at.min(folded.len());
    let start = folded[..at].iter().rposition(stop).map_or(0, |i| i + 1);
    let end = folded[at..]
        .iter()
        .position(stop)
        .map_or(folded.len(), |i| at + i);
    let sentence: String = folded[start..end].iter().collect();
    CUES.iter().any(|c| sentence.contains(c.as_str()))
}

/// Folded text as chars, for [`is_mention_only`].
pub(super) fn folded_chars(text: &str) -> Vec<char> {
    fold(text).chars().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(id: SectionId, text: &str, at: Option<usize>) -> bool {
        is_mention_only(id, &folded_chars(text), at)
    }

    #[test]
    fn complaints_problems_and_plans_are_mentions_not_disclosures() {
        let text =
            "学校公布了收费标准。本学年收到举报1件，内容涉及收费公示不及时。下一步将规范收費公示。";
        let at = |needle: &str| {
            let chars: Vec<char> = text.chars().collect();
            let n: Vec<char> = needle.chars().collect();
            (0..chars.len())
                .find(|&i| chars[i..].starts_with(&n))
                .expect("in text")
        };
        let proactive = |needle: &str| mention(SectionId::Proactive, text, Some(at(needle)));
        assert!(!proactive("收费标准"));
        assert!(proactive("收费公示"));
        assert!(proactive("收費公示"), "either script");
        assert!(mention(SectionId::Complaints, "收费标准", Some(0)));
        assert!(mention(SectionId::Improvements, "x", None));
        assert!(!mention(SectionId::Proactive, "x", None));
        assert!(applies_to("\"收费标准\" OR \"收费公示\""));
        assert!(!applies_to("\"考生申诉\" OR \"举报\""));
    }
}
