//! A deterministic corpus of annual information-disclosure reports: N schools × Y years,
//! each report in the national section structure (preamble, 概述, 主动公开, 重点领域,
//! 依申请公开, 评议, 举报复议诉讼, 问题与改进, 其他, 清单事项), about 15,000 characters,
//! one school in five writing in traditional characters.
//!
//! Every report depends only on `(seed, school, year)`, so a report can be regenerated on
//! its own and two machines build the same corpus. The random source is our own
//! SplitMix64, not `rand`, so that a dependency upgrade cannot change the corpus.

use serde::Serialize;
use xxgk_index::{Report, Script, Section, SectionId};

use crate::vocab::*;

/// A section of the template: id, heading labels, sentence templates, min and max
/// characters, and the percentage of reports that have it.
type SectionPlan = (
    SectionId,
    &'static [&'static str],
    &'static [&'static str],
    usize,
    usize,
    u64,
);

/// The last academic year of every corpus ends in this year.
pub const LAST_YEAR: u32 = 2023;

/// SplitMix64: small, fast, and good enough for text generation.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_u64() % items.len() as u64) as usize]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// Mixes several numbers into one seed.
fn mix(parts: &[u64]) -> u64 {
    let mut rng = Rng::new(0x5EED);
    let mut h = 0u64;
    for &p in parts {
        rng.0 ^= p.wrapping_add(h);
        h = rng.next_u64();
    }
    h
}

/// Named corpus sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// 60 schools × 3 years: seconds, for CI.
    Small,
    /// 600 schools × 5 years: a minute or two.
    Mid,
    /// 3,000 schools × 10 years ≈ 30,000 reports: every Chinese university; run by hand.
    Full,
}

impl Size {
    pub fn parse(s: &str) -> Option<Size> {
        match s {
            "small" => Some(Size::Small),
            "mid" => Some(Size::Mid),
            "full" => Some(Size::Full),
            _ => None,
        }
    }

    pub fn spec(self, seed: u64) -> CorpusSpec {
        let (schools, years) = match self {
            Size::Small => (60, 3),
            Size::Mid => (600, 5),
            Size::Full => (3000, 10),
        };
        CorpusSpec {
            schools,
            years,
            seed,
        }
    }
}

/// What to generate: `schools` × `years` reports from `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CorpusSpec {
    pub schools: usize,
    pub years: usize,
    pub seed: u64,
}

/// How many distinct school names the vocabulary can make.
pub const MAX_SCHOOLS: usize = 50 * 25 * 4;
/// How many academic years the corpus can span.
pub const MAX_YEARS: usize = 20;

impl CorpusSpec {
    pub fn reports(&self) -> usize {
        self.schools * self.years
    }

    /// The academic year `year` (0 = oldest) as `YYYY-YYYY`.
    pub fn academic_year(&self, year: usize) -> String {
        let start = self.start_year(year);
        format!("{}-{}", start, start + 1)
    }

    fn start_year(&self, year: usize) -> u32 {
        LAST_YEAR - 1 - (self.years - 1 - year) as u32
    }

    /// Does school `school` write in traditional characters? About one in five does.
    pub fn is_traditional(&self, school: usize) -> bool {
        mix(&[self.seed, school as u64, 7]) % 100 < 20
    }

    /// The school's name in simplified characters.
    pub fn school_name_simplified(&self, school: usize) -> String {
        // A permutation of all place × discipline × kind combinations (1999 is prime
        // and does not divide MAX_SCHOOLS), shifted by the seed.
        let n = (school * 1999 + (self.seed % MAX_SCHOOLS as u64) as usize) % MAX_SCHOOLS;
        let kind = KINDS[n % KINDS.len()];
        let n = n / KINDS.len();
        let discipline = DISCIPLINES[n % DISCIPLINES.len()];
        let place = PLACES[n / DISCIPLINES.len()];
        format!("{place}{discipline}{kind}")
    }

    /// The school's name as its reports write it.
    pub fn school_name(&self, school: usize) -> String {
        let name = self.school_name_simplified(school);
        if self.is_traditional(school) {
            hanconv::s2t(&name)
        } else {
            name
        }
    }

    /// The report of `school` for academic year `year` (0 = oldest).
    pub fn report(&self, school: usize, year: usize) -> Report {
        let mut rng = Rng::new(mix(&[self.seed, school as u64, year as u64]));
        let start = self.start_year(year);
        let ctx = Context {
            school: self.school_name_simplified(school),
            school_no: school,
            academic_year: self.academic_year(year),
            start,
        };
        let mut sections = Vec::with_capacity(10);
        sections.push(Section {
            id: SectionId::Preamble,
            heading: String::new(),
            text: ctx.paragraphs(&mut rng, PREAMBLE, 200, 500, false),
        });
        let mut numeral = 0usize;
        let mut heading = |rng: &mut Rng, labels: &[&str]| {
            let n = NUMERALS[numeral.min(NUMERALS.len() - 1)];
            numeral += 1;
            let sep = if rng.chance(85) { "、" } else { "．" };
            format!("{n}{sep}{}", rng.pick(labels))
        };
        let parts: [SectionPlan; 9] = [
            (
                SectionId::Overview,
                &["概述", "基本情况", "总体情况", "工作概述"],
                OVERVIEW,
                800,
                2500,
                100,
            ),
            (
                SectionId::Proactive,
                &["主动公开情况", "主动公开信息情况", "主动公开工作情况"],
                PROACTIVE,
                2000,
                6000,
                100,
            ),
            (
                SectionId::KeyAreas,
                &["重点领域信息公开情况", "重点领域信息公开工作"],
                KEY_AREAS,
                1500,
                4500,
                70,
            ),
            (
                SectionId::OnRequest,
                &[
                    "依申请公开和不予公开情况",
                    "依申请公开情况",
                    "依申请公开及不予公开情况",
                ],
                ON_REQUEST,
                400,
                1500,
                100,
            ),
            (
                SectionId::Appraisal,
                &["对信息公开的评议情况", "信息公开评议情况", "社会评议情况"],
                APPRAISAL,
                300,
                1200,
                100,
            ),
            (
                SectionId::Complaints,
                &[
                    "因学校信息公开工作受到举报、复议、诉讼的情况",
                    "举报、复议和诉讼情况",
                    "信息公开投诉举报情况",
                ],
                COMPLAINTS,
                200,
                800,
                100,
            ),
            (
                SectionId::Improvements,
                &[
                    "信息公开工作存在的主要问题及改进情况",
                    "存在的问题及改进措施",
                    "问题与改进",
                ],
                IMPROVEMENTS,
                600,
                2000,
                100,
            ),
            (
                SectionId::Other,
                &["其他需要报告的事项", "其他事项"],
                OTHER,
                200,
                900,
                100,
            ),
            (
                SectionId::Checklist,
                &["清单事项公开情况", "信息公开事项清单", "清单事项"],
                &[],
                2000,
                5000,
                60,
            ),
        ];
        for (id, labels, pool, min, max, percent) in parts {
            if !rng.chance(percent) {
                continue;
            }
            let heading = heading(&mut rng, labels);
            let text = if id == SectionId::Checklist {
                ctx.checklist(&mut rng, min, max)
            } else {
                ctx.paragraphs(&mut rng, pool, min, max, max >= 2000)
            };
            sections.push(Section { id, heading, text });
        }
        let end = start + 1;
        let title_form = rng.pick(&[
            "{校}{学年}学年信息公开工作年度报告",
            "{校}{学年}学年度信息公开年度报告",
            "{校}{年1}—{年2}学年信息公开工作报告",
        ]);
        let mut title = String::new();
        ctx.fill(&mut rng, title_form, &mut title);
        let published = format!("{end}-{:02}-{:02}", rng.range(9, 11), rng.range(1, 28));
        let url = format!("https://xxgk.s{school:04}.edu.cn/{end}/ndbg.htm");
        let traditional = self.is_traditional(school);
        let mut school_name = ctx.school.clone();
        if traditional {
            title = hanconv::s2t(&title);
            school_name = hanconv::s2t(&school_name);
            for s in &mut sections {
                s.heading = hanconv::s2t(&s.heading);
                s.text = hanconv::s2t(&s.text);
            }
        }
        let kind = KINDS
            .iter()
            .find(|k| ctx.school.ends_with(*k))
            .map(|k| k.to_string());
        Report {
            id: Report::id_for_url(&url),
            school: school_name,
            year: Some(ctx.academic_year.clone()),
            title,
            published: Some(published),
            url,
            script: if traditional {
                Script::Traditional
            } else {
                Script::Simplified
            },
            content_hash: Report::hash_sections(&sections),
            province: None,
            kind,
            institution: None,
            year_as_written: None,
            period_start: None,
            period_end: None,
            sections,
        }
    }

    /// All reports, school by school, generated on `threads` threads.
    pub fn generate(&self, threads: usize) -> Vec<Report> {
        let threads = threads.max(1);
        let total = self.reports();
        let per = total.div_ceil(threads).max(1);
        let mut out: Vec<Report> = Vec::with_capacity(total);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        (t * per..((t + 1) * per).min(total))
                            .map(|n| self.report(n / self.years, n % self.years))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                // A panic in generation is a bug in this module: pass it on.
                out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
        });
        out
    }
}

struct Context {
    school: String,
    school_no: usize,
    academic_year: String,
    start: u32,
}

impl Context {
    /// Paragraphs of 2–5 sentences from `pool` until the text has at least `min`
    /// characters (aiming at a length between `min` and `max`), with numbered
    /// subheadings in long sections.
    fn paragraphs(
        &self,
        rng: &mut Rng,
        pool: &[&str],
        min: usize,
        max: usize,
        subheadings: bool,
    ) -> String {
        let target = rng.range(min as u64, max as u64) as usize;
        let mut out = String::with_capacity(target * 3 + 64);
        let mut chars = 0usize;
        let mut sub = 0usize;
        let mut paragraph = 0usize;
        while chars < target {
            let before = out.len();
            if !out.is_empty() {
                out.push('\n');
            }
            if subheadings && paragraph % 3 == 0 {
                let form = rng.pick(SUBHEADINGS);
                let numeral = NUMERALS[sub.min(NUMERALS.len() - 1)];
                sub += 1;
                self.fill_with(rng, form, &mut out, Some(numeral));
                out.push('\n');
            }
            for _ in 0..rng.range(2, 5) {
                // Mostly the section's own sentences, sometimes a general one.
                let source = if rng.chance(85) { pool } else { OVERVIEW };
                let template = rng.pick(source);
                self.fill(rng, template, &mut out);
            }
            paragraph += 1;
            chars += out[before..].chars().count();
        }
        out
    }

    /// The checklist: numbered items with where each is published.
    fn checklist(&self, rng: &mut Rng, min: usize, max: usize) -> String {
        let target = rng.range(min as u64, max as u64) as usize;
        let mut out = String::with_capacity(target * 3 + 64);
        let mut chars = 0usize;
        let mut n = 0usize;
        while chars < target {
            let before = out.len();
            if !out.is_empty() {
                out.push('\n');
            }
            let item = CHECKLIST_ITEMS[n % CHECKLIST_ITEMS.len()];
            n += 1;
            out.push_str(&format!("{n}．{item}："));
            let status = rng.pick(CHECKLIST_STATUS);
            self.fill(rng, status, &mut out);
            out.push_str(&format!(
                "（https://xxgk.s{:04}.edu.cn/info/{}/{}.htm）。",
                self.school_no,
                rng.range(1001, 1099),
                rng.range(1000, 99999)
            ));
            if rng.chance(30) {
                let template = rng.pick(PROACTIVE);
                self.fill(rng, template, &mut out);
            }
            chars += out[before..].chars().count();
        }
        out
    }

    fn fill(&self, rng: &mut Rng, template: &str, out: &mut String) {
        self.fill_with(rng, template, out, None);
    }

    /// Appends `template` with its `{slots}` filled.
    fn fill_with(&self, rng: &mut Rng, template: &str, out: &mut String, numeral: Option<&str>) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return;
            };
            let key = &after[..close];
            rest = &after[close + 1..];
            match key {
                "校" => out.push_str(&self.school),
                "学年" => out.push_str(&self.academic_year),
                "年1" => out.push_str(&self.start.to_string()),
                "年2" => out.push_str(&(self.start + 1).to_string()),
                "日期" => {
                    // A day inside the academic year (September to August).
                    let month = rng.range(1, 12);
                    let year = if month >= 9 {
                        self.start
                    } else {
                        self.start + 1
                    };
                    out.push_str(&format!("{year}年{month}月{}日", rng.range(1, 28)));
                }
                "数" => out.push_str(&rng.range(1, 60).to_string()),
                "多" => out.push_str(&rng.range(100, 30_000).to_string()),
                "百分" => out.push_str(&format!("{}.{}", rng.range(85, 99), rng.range(0, 9))),
                "万元" => {
                    out.push_str(&format!("{}.{:02}", rng.range(10, 9_999), rng.range(0, 99)))
                }
                "部门" => out.push_str(rng.pick(DEPARTMENTS)),
                "事项" => out.push_str(rng.pick(TOPICS)),
                "渠道" => out.push_str(rng.pick(CHANNELS)),
                "文件" => {
                    let doc = rng.pick(DOCUMENTS);
                    self.fill_with(rng, doc, out, numeral);
                }
                "动作" => out.push_str(rng.pick(ACTIONS)),
                "方面" => out.push_str(rng.pick(ASPECTS)),
                "形容" => out.push_str(rng.pick(QUALITIES)),
                "群体" => out.push_str(rng.pick(AUDIENCES)),
                "会议" => out.push_str(rng.pick(MEETINGS)),
                "网址" => out.push_str(&format!("https://xxgk.s{:04}.edu.cn", self.school_no)),
                "电话" => out.push_str(&format!(
                    "0{}-{}",
                    rng.range(10, 999),
                    rng.range(10_000_000, 99_999_999)
                )),
                "邮箱" => out.push_str(&format!("xxgk@s{:04}.edu.cn", self.school_no)),
                "序" => out.push_str(numeral.unwrap_or("一")),
                other => {
                    out.push('{');
                    out.push_str(other);
                    out.push('}');
                }
            }
        }
        out.push_str(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CorpusSpec {
        CorpusSpec {
            schools: 40,
            years: 3,
            seed: 42,
        }
    }

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        let a = spec().report(3, 1);
        assert_eq!(a, spec().report(3, 1));
        let other = CorpusSpec { seed: 43, ..spec() };
        assert_ne!(a.sections, other.report(3, 1).sections);
        assert_eq!(spec().generate(2), spec().generate(1));
    }

    #[test]
    fn reports_follow_the_national_structure_at_realistic_lengths() {
        let reports = spec().generate(2);
        assert_eq!(reports.len(), 120);
        let chars: usize = reports.iter().map(|r| r.char_len()).sum();
        let mean = chars / reports.len();
        assert!(
            (11_000..19_000).contains(&mean),
            "mean report length {mean}"
        );
        for r in &reports {
            assert_eq!(r.sections[0].id, SectionId::Preamble);
            let ids: Vec<SectionId> = r.sections.iter().map(|s| s.id).collect();
            let mut sorted = ids.clone();
            sorted.sort();
            assert_eq!(ids, sorted, "sections in template order");
            for must in [
                SectionId::Overview,
                SectionId::Proactive,
                SectionId::OnRequest,
            ] {
                assert!(ids.contains(&must), "{must} missing in {}", r.title);
            }
            for s in &r.sections {
                let n = s.text.chars().count();
                assert!((150..12_000).contains(&n), "{} has {n} chars", s.id);
                assert!(!s.text.contains('{'), "unfilled slot in {}", s.text);
            }
            assert!(r.sections[1].heading.starts_with('一'));
            assert_eq!(r.year.as_deref().map(str::len), Some(9));
        }
    }

    #[test]
    fn about_one_school_in_five_writes_traditional() {
        let s = CorpusSpec {
            schools: 1000,
            ..spec()
        };
        let traditional = (0..1000).filter(|&i| s.is_traditional(i)).count();
        assert!((150..250).contains(&traditional), "{traditional} of 1000");
        let i = (0..1000).find(|&i| s.is_traditional(i)).expect("one");
        let r = s.report(i, 0);
        assert_eq!(r.script, Script::Traditional);
        assert_eq!(
            xxgk_index::fold::detect_script(&r.sections[2].text),
            Script::Traditional
        );
        assert_eq!(
            xxgk_index::fold::fold(&r.school),
            s.school_name_simplified(i)
        );
        assert!(r.sections.iter().any(|s| s.text.contains("信息公開")));
    }

    #[test]
    fn school_names_are_distinct() {
        let s = CorpusSpec {
            schools: MAX_SCHOOLS,
            ..spec()
        };
        let mut names: Vec<String> = (0..MAX_SCHOOLS)
            .map(|i| s.school_name_simplified(i))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), MAX_SCHOOLS);
    }
}
