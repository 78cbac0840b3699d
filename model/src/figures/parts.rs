//! Completeness: which parts of the national template a report has.

use serde::{Deserialize, Serialize};

use crate::fold::fold;
use crate::report::{Report, SectionId};

use super::cues::CUES;

/// The parts of the national template the scorecard checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// 概述
    Overview,
    /// 主动公开
    Proactive,
    /// 依申请公开和不予公开
    OnRequest,
    /// 收费
    Fees,
    /// 评议
    Appraisal,
    /// 举报 / 复议 / 诉讼
    Complaints,
    /// 问题与改进
    Improvements,
}

impl Part {
    pub const ALL: [Part; 7] = [
        Part::Overview,
        Part::Proactive,
        Part::OnRequest,
        Part::Fees,
        Part::Appraisal,
        Part::Complaints,
        Part::Improvements,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Overview => "overview",
            Part::Proactive => "proactive",
            Part::OnRequest => "on_request",
            Part::Fees => "fees",
            Part::Appraisal => "appraisal",
            Part::Complaints => "complaints",
            Part::Improvements => "improvements",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Part::Overview => "概述",
            Part::Proactive => "主动公开",
            Part::OnRequest => "依申请公开和不予公开",
            Part::Fees => "收费",
            Part::Appraisal => "评议",
            Part::Complaints => "举报/复议/诉讼",
            Part::Improvements => "问题与改进",
        }
    }

    /// The section a heading of this part is split into (`None` for 收费, which the
    /// template lists but the splitter files under another part).
    fn section(self) -> Option<SectionId> {
        match self {
            Part::Overview => Some(SectionId::Overview),
            Part::Proactive => Some(SectionId::Proactive),
            Part::OnRequest => Some(SectionId::OnRequest),
            Part::Fees => None,
            Part::Appraisal => Some(SectionId::Appraisal),
            Part::Complaints => Some(SectionId::Complaints),
            Part::Improvements => Some(SectionId::Improvements),
        }
    }
}

/// Which parts a report has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parts {
    pub overview: bool,
    pub proactive: bool,
    pub on_request: bool,
    pub fees: bool,
    pub appraisal: bool,
    pub complaints: bool,
    pub improvements: bool,
}

impl Parts {
    pub fn has(&self, part: Part) -> bool {
        match part {
            Part::Overview => self.overview,
            Part::Proactive => self.proactive,
            Part::OnRequest => self.on_request,
            Part::Fees => self.fees,
            Part::Appraisal => self.appraisal,
            Part::Complaints => self.complaints,
            Part::Improvements => self.improvements,
        }
    }

    fn set(&mut self, part: Part) {
        let slot = match part {
            Part::Overview => &mut self.overview,
            Part::Proactive => &mut self.proactive,
            Part::OnRequest => &mut self.on_request,
            Part::Fees => &mut self.fees,
            Part::Appraisal => &mut self.appraisal,
            Part::Complaints => &mut self.complaints,
            Part::Improvements => &mut self.improvements,
        };
        *slot = true;
    }

    /// How many of the seven the report has.
    pub fn count(&self) -> usize {
        Part::ALL.iter().filter(|p| self.has(**p)).count()
    }

    /// All seven.
    pub fn complete(&self) -> bool {
        self.count() == Part::ALL.len()
    }

    /// The parts missing, in template order.
    pub fn missing(&self) -> Vec<Part> {
        Part::ALL.into_iter().filter(|p| !self.has(*p)).collect()
    }
}

/// The parts of `report`: a top-level section of each part's kind; 收费 by a heading that
/// names it or by the words of `fees` in `cues.txt` in the text.
pub(super) fn parts(report: &Report) -> Parts {
    let mut parts = Parts::default();
    for part in Part::ALL {
        if let Some(id) = part.section() {
            if report.sections.iter().any(|s| s.id == id) {
                parts.set(part);
            }
        }
    }
    let mut budget = super::MAX_CHARS;
    let fees = report.sections.iter().any(|s| {
        let text: String = s.text.chars().take(budget).collect();
        budget = budget.saturating_sub(s.text.len());
        let (heading, text) = (fold(&s.heading), fold(&text));
        heading.contains("收费") || CUES.fees.iter().any(|w| text.contains(w.as_str()))
    });
    if fees {
        parts.set(Part::Fees);
    }
    parts
}
