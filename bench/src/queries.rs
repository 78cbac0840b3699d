//! The fixed, mixed query set: single words (rare to ubiquitous), two-word AND, quoted
//! phrases (common-word phrases are the expensive ones), traditional-script queries,
//! one-character queries, and the same with school, year and section filters.
//!
//! Each query also lists its `needles`: the strings that must all occur in a section (in
//! its heading, body, or the report's title or school) for a plain substring scan to count
//! it. For a plain chunk that xxgk splits into words, the scan asks for the whole chunk,
//! so the scan's set is contained in what xxgk must return.

use serde::Serialize;
use xxgk_index::{fold::fold, SearchRequest, SectionId};

use crate::corpus::CorpusSpec;

/// One benchmark query.
#[derive(Debug, Clone, Serialize)]
pub struct BenchQuery {
    /// What kind of query this is, for the per-query table.
    pub kind: &'static str,
    /// The query as a user types it.
    pub text: String,
    /// Folded strings that must all occur (see the module docs).
    pub needles: Vec<String>,
    pub schools: Vec<String>,
    pub years: Vec<String>,
    pub sections: Vec<SectionId>,
}

impl BenchQuery {
    fn new(kind: &'static str, text: &str, needles: &[&str]) -> BenchQuery {
        BenchQuery {
            kind,
            text: text.to_string(),
            needles: needles.iter().map(|n| fold(n)).collect(),
            schools: Vec::new(),
            years: Vec::new(),
            sections: Vec::new(),
        }
    }

    fn school(mut self, school: String) -> Self {
        self.schools.push(school);
        self
    }

    fn year(mut self, year: String) -> Self {
        self.years.push(year);
        self
    }

    fn section(mut self, section: SectionId) -> Self {
        self.sections.push(section);
        self
    }

    /// Has filters?
    pub fn filtered(&self) -> bool {
        !(self.schools.is_empty() && self.years.is_empty() && self.sections.is_empty())
    }

    /// A short label for tables: the query and its filters.
    pub fn label(&self) -> String {
        let mut label = self.text.clone();
        for s in &self.schools {
            label.push_str(&format!(" school={s}"));
        }
        for y in &self.years {
            label.push_str(&format!(" year={y}"));
        }
        for s in &self.sections {
            label.push_str(&format!(" section={s}"));
        }
        label
    }

    /// The query string of the same search on the site (`q=…&school=…`), encoded.
    pub fn url_query(&self) -> String {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        pairs.append_pair("q", &self.text);
        for s in &self.schools {
            pairs.append_pair("school", s);
        }
        for y in &self.years {
            pairs.append_pair("year", y);
        }
        for s in &self.sections {
            pairs.append_pair("section", s.as_str());
        }
        pairs.finish()
    }

    /// The xxgk request: top `limit` with snippets and all facets.
    pub fn request(&self, limit: usize) -> SearchRequest {
        let mut req = SearchRequest::new(self.text.clone());
        req.schools = self.schools.clone();
        req.years = self.years.clone();
        req.sections = self.sections.clone();
        req.limit = limit;
        req
    }
}

/// The query set for a corpus: fixed words, with filter values taken from the corpus
/// (its first school, its first traditional school, its last year).
pub fn query_set(spec: &CorpusSpec) -> Vec<BenchQuery> {
    let first_school = spec.school_name(0);
    let traditional_school = (0..spec.schools)
        .find(|&i| spec.is_traditional(i))
        .map(|i| spec.school_name(i))
        .unwrap_or_else(|| first_school.clone());
    let last_year = spec.academic_year(spec.years - 1);
    let first_year = spec.academic_year(0);
    let q = BenchQuery::new;
    vec![
        q("word", "信息公开", &["信息公开"]),
        q("word", "收费标准", &["收费标准"]),
        q("word", "学校", &["学校"]),
        q("word", "依申请公开", &["依申请公开"]),
        q("word", "三公经费", &["三公经费"]),
        q("word", "学术不端", &["学术不端"]),
        q("word", "PDF", &["pdf"]),
        q("and", "财务 预算", &["财务", "预算"]),
        q("and", "奖学金 评审", &["奖学金", "评审"]),
        q("and", "信息公开 满意率", &["信息公开", "满意率"]),
        q("phrase", "\"信息公开\"", &["信息公开"]),
        q("phrase", "\"学校信息公开工作\"", &["学校信息公开工作"]),
        q("phrase", "\"依申请公开工作\"", &["依申请公开工作"]),
        q("phrase", "\"学校门户网站\"", &["学校门户网站"]),
        q(
            "phrase",
            "\"信息公开工作领导小组\"",
            &["信息公开工作领导小组"],
        ),
        q("trad", "信息公開", &["信息公開"]),
        q("trad", "依申請公開", &["依申請公開"]),
        q("trad", "財務", &["財務"]),
        q("trad", "\"收費標準\"", &["收費標準"]),
        q("1-char", "费", &["费"]),
        q("1-char", "院", &["院"]),
        q("1-char", "費", &["費"]),
        q("filter", "信息公开", &["信息公开"]).school(first_school.clone()),
        q("filter", "收费标准", &["收费标准"]).year(last_year.clone()),
        q("filter", "依申请公开", &["依申请公开"]).section(SectionId::OnRequest),
        q("filter", "\"信息公开\"", &["信息公开"])
            .school(first_school)
            .year(first_year)
            .section(SectionId::Proactive),
        q("filter", "財務", &["財務"]).school(traditional_school),
        q("filter", "院", &["院"])
            .year(last_year)
            .section(SectionId::KeyAreas),
        q("filter", "学校 公开", &["学校", "公开"]).section(SectionId::Overview),
    ]
}
