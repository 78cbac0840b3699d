//! The scorecard's figures as the pages show them (issue 20): a value linking to its
//! sentence, the sentence marked in the report, the figures beside the section they came
//! from. One module, used by the report page and `/scorecard`.

use maud::{html, Markup};
use xxgk_app::figures::{Figure, FigureKind, Scorecard};
use xxgk_app::text::escape_html;

use crate::params::href;
use crate::AppError;

/// A character range of one section of a report: `?at=SECTION:START-END`, the evidence a
/// figure links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub section: usize,
    pub start: usize,
    pub end: usize,
}

impl At {
    /// `""` is no range; anything else must read `N:S-E` with `S < E`.
    pub fn parse(raw: &str) -> Result<Option<At>, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let bad = || {
            AppError::BadRequest(format!(
                "at={raw:?} 不是段落中的位置：应写作 段落序号:起-止，如 at=2:10-42"
            ))
        };
        let (section, range) = raw.split_once(':').ok_or_else(bad)?;
        let (start, end) = range.split_once('-').ok_or_else(bad)?;
        let num = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
        let at = At {
            section: num(section)?,
            start: num(start)?,
            end: num(end)?,
        };
        if at.start >= at.end {
            return Err(bad());
        }
        Ok(Some(at))
    }

    fn of(figure: &Figure) -> At {
        At {
            section: figure.section_index,
            start: figure.start,
            end: figure.end,
        }
    }

    fn param(self) -> String {
        format!("{}:{}-{}", self.section, self.start, self.end)
    }
}

/// Where a figure's sentence is: the report page with the sentence marked, scrolled to it.
pub fn evidence_href(figure: &Figure) -> String {
    let path = format!("/reports/{}", crate::render::encode_path(&figure.report_id));
    format!(
        "{}#evidence",
        href(&path, &[("at", At::of(figure).param())])
    )
}

/// `text` escaped, with characters `start..end` in `<mark id="evidence">`; `None` when
/// the range is not in the text (a report that changed since).
pub fn mark_range(text: &str, start: usize, end: usize) -> Option<String> {
    let chars = text.chars().count();
    if start >= end || end > chars {
        return None;
    }
    let byte = |n: usize| text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    let (a, b) = (byte(start), byte(end));
    Some(format!(
        "{}<mark id=\"evidence\" class=\"evidence\">{}</mark>{}",
        escape_html(&text[..a]),
        escape_html(&text[a..b]),
        escape_html(&text[b..])
    ))
}

/// A figure's value as read: `约 1,200`, `95%`, with 余/多 shown as `≈`.
pub fn value_text(kind: FigureKind, figure: &Figure) -> String {
    let n = match figure.value {
        xxgk_app::figures::Amount::Count(n) => crate::render::count(n),
        xxgk_app::figures::Amount::Percent(p) => format!("{p}"),
    };
    let unit = if kind == FigureKind::SatisfactionPct {
        "%"
    } else {
        ""
    };
    if figure.approx {
        format!("≈{n}{unit}")
    } else {
        format!("{n}{unit}")
    }
}

/// The figures read from section `index` of the report, each with its sentence and a
/// link that marks it; nothing when none came from there.
pub fn section_figures(card: &Scorecard, index: usize) -> Markup {
    let here: Vec<(FigureKind, &Figure)> = FigureKind::ALL
        .iter()
        .filter_map(|k| card.figures.get(*k).map(|f| (*k, f)))
        .filter(|(_, f)| f.section_index == index)
        .collect();
    if here.is_empty() {
        return html! {};
    }
    html! {
        aside.figures aria-label="本栏目的数字" {
            h3 { "本栏目的数字" }
            dl {
                @for (kind, f) in &here {
                    dt { (kind.label()) }
                    dd {
                        a href=(evidence_href(f)) title=(f.quote) { (value_text(*kind, f)) }
                    }
                }
            }
        }
    }
}

/// The report's scorecard summary: publication, on time, parts, and the school's rows.
pub fn summary(card: &Scorecard, school: &str) -> Markup {
    html! {
        p.scorecard-summary {
            "透明度记分卡："
            (on_time_text(card))
            " · 模板部分 " (card.parts.count()) "/7 · "
            a href=(href("/scorecard", &[("school", school.to_string())])) { "该校历年记分卡" }
        }
    }
}

/// 按时 / 逾期 / 时间不明, with the date and the deadline.
pub fn on_time_text(card: &Scorecard) -> String {
    let date = card
        .published
        .map(|d| {
            if card.published_is_first_seen {
                format!("{d}（首次抓取）")
            } else {
                d.to_string()
            }
        })
        .unwrap_or_else(|| "未注明日期".into());
    let verdict = match card.on_time {
        Some(true) => "按时",
        Some(false) => "逾期",
        None => "时间不明",
    };
    match card.deadline {
        Some(deadline) => format!("发布 {date}，{verdict}（截止 {deadline}）"),
        None => format!("发布 {date}，{verdict}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_marked_by_characters_and_escaped() {
        let text = "学校<b>收到申请12件，全部答复。";
        let html = mark_range(text, 5, 13).expect("in range");
        assert_eq!(
            html,
            "学校&lt;b&gt;<mark id=\"evidence\" class=\"evidence\">收到申请12件，</mark>全部答复。"
        );
        assert!(mark_range(text, 5, 99).is_none());
        assert!(mark_range(text, 3, 3).is_none());
    }

    #[test]
    fn at_reads_section_start_and_end() {
        assert_eq!(
            At::parse("2:10-42").ok().flatten(),
            Some(At {
                section: 2,
                start: 10,
                end: 42
            })
        );
        assert_eq!(At::parse("").ok().flatten(), None);
        for bad in ["2", "x:1-2", "2:5-5", "2:9-3", "2:1-", "-1:1-2"] {
            assert!(At::parse(bad).is_err(), "{bad}");
        }
    }
}
