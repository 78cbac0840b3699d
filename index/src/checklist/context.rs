//! Where a checklist phrase is mentioned but not disclosed (issue 18): in the template's
//! 举报、复议、诉讼 and 问题与改进 sections, and in any sentence with a cue of
//! `data/not-disclosure-cues.txt` (举报…内容涉及收费公示不及时 is a complaint, not the
//! school publishing its fees). The rule reads folded text, so it holds in either script.

use std::sync::LazyLock;

use crate::fold::fold;
use crate::report::{Section, SectionId};

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

/// Whether the mention at character `at` of `section`'s text (or in its heading, `None`)
/// is a complaint, a problem or a plan rather than a disclosure.
pub(super) fn is_mention_only(section: &Section, at: Option<usize>) -> bool {
    if matches!(section.id, SectionId::Complaints | SectionId::Improvements) {
        return true;
    }
    let Some(at) = at else {
        return false;
    };
    let text: Vec<char> = fold(&section.text).chars().collect();
    let stop = |c: &char| matches!(c, '。' | '！' | '？' | '；' | '\n' | '!' | '?' | ';');
    let start = text[..at.min(text.len())]
        .iter()
        .rposition(stop)
        .map_or(0, |i| i + 1);
    let end = text[at.min(text.len())..]
        .iter()
        .position(stop)
        .map_or(text.len(), |i| at + i);
    let sentence: String = text[start..end].iter().collect();
    CUES.iter().any(|c| sentence.contains(c.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: SectionId, text: &str) -> Section {
        Section {
            id,
            heading: String::new(),
            text: text.into(),
        }
    }

    #[test]
    fn complaints_problems_and_plans_are_mentions_not_disclosures() {
        let s = section(
            SectionId::Proactive,
            "学校公布了收费标准。本学年收到举报1件，内容涉及收费公示不及时。下一步将规范收費公示。",
        );
        let at = |needle: &str| {
            let chars: Vec<char> = s.text.chars().collect();
            let n: Vec<char> = needle.chars().collect();
            (0..chars.len())
                .find(|&i| chars[i..].starts_with(&n))
                .expect("in text")
        };
        assert!(!is_mention_only(&s, Some(at("收费标准"))));
        assert!(is_mention_only(&s, Some(at("收费公示"))));
        assert!(is_mention_only(&s, Some(at("收費公示"))), "either script");
        assert!(is_mention_only(
            &section(SectionId::Complaints, "收费标准"),
            Some(0)
        ));
        assert!(is_mention_only(
            &section(SectionId::Improvements, "x"),
            None
        ));
        assert!(!is_mention_only(&section(SectionId::Proactive, "x"), None));
        assert!(applies_to("\"收费标准\" OR \"收费公示\""));
        assert!(!applies_to("\"考生申诉\" OR \"举报\""));
    }
}
