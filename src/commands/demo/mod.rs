//! `xxgk demo`: the whole thing with one command on a fresh machine. On an empty data
//! folder it builds a sample corpus that ships inside the binary — a dozen made-up
//! schools, four academic years, simplified and traditional — serves it as sample
//! disclosure sites on 127.0.0.1 (one port per school), crawls them with the real crawler
//! into the store and the index, then serves the search site. A second run finds the
//! index filled and only serves.
//!
//! The corpus is our own writing, generated from the templates below; every school,
//! number and sentence is invented. [`sample_pages`] yields pages as a reader copies
//! them off a school's site (title, date, numbered sections); `sites::serve_sample_sites`
//! turns them into report lists and article pages.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::serve::{serve_engine, ServeArgs};

pub mod sites;

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The sample pages grouped into one sample site per school (served in turn as VSB,
/// WebPlus, TRS, Hanweb and attachment-only sites, see `serve_sample_sites`).
pub fn sample_sites(pages: &[SamplePage]) -> Vec<sites::SampleSite> {
    let mut sites: Vec<sites::SampleSite> = Vec::new();
    for page in pages {
        let path = page
            .url
            .split_once(".invalid")
            .map_or("/report.htm", |(_, path)| path)
            .to_string();
        match sites.iter_mut().find(|s| s.school == page.school) {
            Some(site) => site.reports.push((path, page.text.clone())),
            None => sites.push(sites::SampleSite {
                school: page.school.clone(),
                province: Some(page.province.to_string()),
                kind: Some(page.kind.to_string()),
                reports: vec![(path, page.text.clone())],
            }),
        }
    }
    sites
}

pub fn run(data: &Path, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let engine = super::open_engine(data)?;
    let indexed = engine.stats()?.reports;
    // Keeps the sample sites served (so "original page" links work) while the demo runs.
    let mut _sites = None;
    if indexed == 0 {
        // The sample corpus as sample disclosure sites on 127.0.0.1, crawled by the real
        // crawler into the store and index.
        let pages = sample_pages();
        let sites = sample_sites(&pages);
        // Said first: the crawl's warning about the unreachable source follows, expected.
        println!(
            "building the sample corpus in {}: crawling {} sample sites on 127.0.0.1, and one \
             more source, {}, on a port nobody listens on (so that /coverage shows an \
             unreachable site: its connect warning below is expected)",
            data.display(),
            sites.len(),
            sites::DEMO_UNREACHABLE
        );
        let (summary, served) =
            sites::crawl_sample_sites(data, &sites).context("crawling the sample sites")?;
        _sites = Some(served);
        engine.reload()?;
        println!(
            "built the sample corpus in {}: {} reports of {} schools ({} in traditional characters), \
             crawled from {} sample sites on 127.0.0.1 ({summary})",
            data.display(),
            summary.new_reports,
            SCHOOLS.len(),
            pages.iter().filter(|p| p.traditional).count(),
            sites.len(),
        );
    } else {
        println!(
            "{} already holds {indexed} reports; serving them",
            data.display()
        );
        // The sample sites again, on the ports the stored reports' links point at, so
        // that "original page" opens (issue 18).
        let ports: std::collections::BTreeMap<String, u16> = super::open_store(data)?
            .crawled_sources()?
            .into_iter()
            .filter_map(|s| {
                let url = url::Url::parse(s.start.first()?).ok()?;
                (url.host_str() == Some("127.0.0.1")).then_some((s.name, url.port()?))
            })
            .collect();
        let pages = sample_pages();
        _sites = Some(sites::serve_sample_sites_at(&sample_sites(&pages), &ports)?);
    }
    println!("try: 收费标准 · 依申請公開 · \"毕业生就业质量\" · 招生 OR 招聘");
    serve_engine(engine, data, &args.serve)
}

/// One page of the sample corpus, as a reader copies it off the school's site.
#[derive(Debug, Clone)]
pub struct SamplePage {
    pub school: String,
    pub province: &'static str,
    pub kind: &'static str,
    /// Where the page "is"; `.invalid` never resolves (until the crawler serves the pages
    /// on loopback, this is only an identity).
    pub url: String,
    pub traditional: bool,
    pub text: String,
}

/// The one report that leaves out the template's 评议 and 问题与改进 parts: the
/// scorecard's incomplete report.
fn is_incomplete(school: &str, year: u16) -> bool {
    school == "海滨职业技术学院" && year == 2021
}

struct School {
    /// Name in simplified characters (converted for traditional schools).
    name: &'static str,
    host: &'static str,
    city: &'static str,
    province: &'static str,
    kind: &'static str,
    traditional: bool,
    /// First academic years (2019 = 2019-2020) for which the school has a report.
    years: &'static [u16],
}

const SCHOOLS: [School; 12] = [
    School {
        name: "东海大学",
        host: "xxgk.donghai-u",
        city: "海州市",
        province: "江东省",
        kind: "大学",
        traditional: false,
        years: &[2019, 2020, 2021, 2022],
    },
    School {
        name: "西山师范大学",
        host: "gk.xishan-nu",
        city: "西山市",
        province: "山西道",
        kind: "大学",
        traditional: false,
        years: &[2019, 2020, 2021, 2022],
    },
    School {
        name: "南湖理工大学",
        host: "xxgk.nanhu-tech",
        city: "南湖市",
        province: "湖南道",
        kind: "大学",
        traditional: false,
        years: &[2020, 2021, 2022],
    },
    School {
        name: "北原农业大学",
        host: "info.beiyuan-ag",
        city: "北原市",
        province: "北原省",
        kind: "大学",
        traditional: false,
        years: &[2019, 2021, 2022],
    },
    School {
        name: "青江医科大学",
        host: "xxgk.qingjiang-med",
        city: "青江市",
        province: "江东省",
        kind: "大学",
        traditional: false,
        years: &[2020, 2021, 2022],
    },
    School {
        name: "云岭民族大学",
        host: "gk.yunling-mu",
        city: "云岭市",
        province: "云岭省",
        kind: "大学",
        traditional: false,
        years: &[2019, 2020, 2021],
    },
    School {
        name: "海滨职业技术学院",
        host: "xxgk.haibin-vtc",
        city: "海滨市",
        province: "江东省",
        kind: "职业技术学院",
        traditional: false,
        years: &[2021, 2022],
    },
    School {
        name: "金城财经学院",
        host: "xxgk.jincheng-fe",
        city: "金城市",
        province: "金城省",
        kind: "学院",
        traditional: false,
        years: &[2019, 2020, 2021, 2022],
    },
    School {
        name: "长河交通大学",
        host: "gk.changhe-jt",
        city: "长河市",
        province: "北原省",
        kind: "大学",
        traditional: false,
        years: &[2020, 2021, 2022],
    },
    School {
        name: "翠谷大学",
        host: "xxgk.cuigu-u",
        city: "翠谷市",
        province: "南岛省",
        kind: "大学",
        traditional: true,
        years: &[2019, 2020, 2021, 2022],
    },
    School {
        name: "东陵科技大学",
        host: "gk.dongling-st",
        city: "东陵市",
        province: "南岛省",
        kind: "大学",
        traditional: true,
        years: &[2020, 2021, 2022],
    },
    School {
        name: "凤山师范学院",
        host: "xxgk.fengshan-tc",
        city: "凤山市",
        province: "南岛省",
        kind: "学院",
        traditional: true,
        years: &[2019, 2021],
    },
];

/// What a school may list under 主动公开; each school lists its own subset, so that
/// "which schools disclose X" has two sides.
const ITEMS: [&str; 12] = [
    "招生章程及特殊类型招生办法",
    "收费项目、收费依据及收费标准",
    "财务预算决算信息",
    "学位授予与研究生招生信息",
    "毕业生就业质量年度报告",
    "仪器设备及图书采购信息",
    "校园安全与突发事件应对信息",
    "教职工公开招聘信息",
    "科研经费使用情况",
    "学生奖助学金评定办法",
    "校级领导干部分工信息",
    "本科教学质量报告",
];

const REQUEST_TOPICS: [&str; 8] = [
    "招生录取分数",
    "学费减免政策",
    "毕业证书补办",
    "科研项目经费",
    "教职工招聘结果",
    "校园基建工程",
    "学生奖助学金发放",
    "食堂承包合同",
];

const PROBLEMS: [&str; 6] = [
    "信息公开的及时性有待提高，部分栏目更新滞后",
    "二级单位信息公开工作发展不平衡",
    "信息公开网站的检索功能不够完善",
    "依申请公开的答复文书格式尚不统一",
    "信息公开工作人员的业务培训不足",
    "部分公开信息的解读不够通俗易懂",
];

const FIXES: [&str; 6] = [
    "建立栏目更新提醒制度，明确各栏目责任人",
    "将信息公开工作纳入二级单位年度考核",
    "升级信息公开网，增加全文检索功能",
    "制定依申请公开答复文书模板",
    "每学期组织一次信息公开业务培训",
    "对重要政策文件同步发布图文解读",
];

/// A small deterministic mixer (splitmix64): same corpus on every machine.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn pick(seed: u64, salt: u64, n: u64) -> u64 {
    mix(seed.wrapping_mul(1_000_003).wrapping_add(salt)) % n
}

/// The whole sample corpus, in a fixed order.
pub fn sample_pages() -> Vec<SamplePage> {
    let mut pages = Vec::new();
    for (i, school) in SCHOOLS.iter().enumerate() {
        for &y in school.years {
            let text = report_text(i as u64, school, y);
            let text = if school.traditional {
                hanconv::s2t(&text)
            } else {
                text
            };
            let name = if school.traditional {
                hanconv::s2t(school.name)
            } else {
                school.name.to_string()
            };
            pages.push(SamplePage {
                school: name,
                province: school.province,
                kind: school.kind,
                url: format!(
                    "http://{}.edu.invalid/info/{}/{}.htm",
                    school.host,
                    y + 1,
                    1000 + pick(i as u64, u64::from(y), 9000)
                ),
                traditional: school.traditional,
                text,
            });
        }
    }
    pages
}

/// One report in simplified characters.
fn report_text(seed: u64, s: &School, y: u16) -> String {
    let (y1, y2) = (y, y + 1);
    let yseed = seed * 100 + u64::from(y);
    let r = |salt: u64, n: u64| pick(yseed, salt, n);
    // The school's own subset of items: stable over the years, plus one that comes and
    // goes.
    let mut items: Vec<&str> = ITEMS
        .iter()
        .enumerate()
        .filter(|(k, _)| pick(seed, 100 + *k as u64, 10) < 6)
        .map(|(_, item)| *item)
        .collect();
    let extra = ITEMS[r(1, ITEMS.len() as u64) as usize];
    if !items.contains(&extra) {
        items.push(extra);
    }
    let proactive_total = 300 + r(2, 1500);
    let visits = 5 + r(3, 80);
    let requests = r(4, 9);
    let (in_person, by_mail) = (requests.min(r(5, 3)), requests.min(1) * r(6, 2));
    let online = requests.saturating_sub(in_person + by_mail);
    let refused = if requests > 2 { r(7, 2) } else { 0 };
    let partial = if requests > 3 { 1 } else { 0 };
    let not_held = if requests > 4 { 1 } else { 0 };
    let granted = requests - refused - partial - not_held;
    let topic_a = REQUEST_TOPICS[r(8, 8) as usize];
    let topic_b = REQUEST_TOPICS[(r(8, 8) as usize + 1 + r(9, 7) as usize) % 8];
    let satisfaction = 90 + r(10, 10);
    let complaints = if r(11, 5) == 0 { 1 } else { 0 };
    let p1 = r(12, 6) as usize;
    let p2 = (p1 + 1 + r(13, 5) as usize) % 6;
    let meetings = 2 + r(14, 4);
    // Its headings are numbered without the parts it leaves out, as such reports are.
    let incomplete = is_incomplete(s.name, y);
    let mut parts = 0usize;
    let mut heading = |title: &str| {
        parts += 1;
        format!(
            "{}、{title}",
            ["一", "二", "三", "四", "五", "六", "七"][parts - 1]
        )
    };
    let month = if r(15, 3) == 0 { 11 } else { 10 };
    let day = 10 + r(16, 19);

    let mut t = String::new();
    let mut line = |l: String| {
        t.push_str(&l);
        t.push('\n');
    };
    line(format!("{}{y1}-{y2}学年信息公开工作年度报告", s.name));
    line(format!(
        "发布时间：{y2}-{month:02}-{day:02}    来源：学校办公室"
    ));
    line(format!(
        "根据《中华人民共和国政府信息公开条例》和《高等学校信息公开办法》的要求，\
         现将{}{y1}-{y2}学年信息公开工作情况报告如下。本报告所列数据的统计期限自{y1}年9月1日起至{y2}年8月31日止。",
        s.name
    ));
    line(heading("概述"));
    line(format!(
        "{}位于{}{}，是一所{}。学校信息公开工作领导小组由校长任组长，办公室设在学校办公室。\
         本学年召开信息公开专题会议{meetings}次，修订了《{}信息公开实施细则》。",
        s.name,
        s.province,
        s.city,
        match s.kind {
            "职业技术学院" => "全日制高等职业院校",
            "学院" => "以本科教育为主的普通高等学校",
            _ => "多学科协调发展的综合性大学",
        },
        s.name
    ));
    line(heading("主动公开情况"));
    line(format!(
        "（一）公开内容。本学年通过信息公开网、校园网和官方微信公众号主动公开信息{proactive_total}条，\
         主要包括{}。",
        items.join("、")
    ));
    line(format!(
        "（二）公开渠道。信息公开网全年访问量约{visits}万人次；校史馆、图书馆设有信息公开查阅点。"
    ));
    if y >= 2021 {
        line(
            "（三）重点领域。学校按照清单要求，在招生考试、财务资产、人事师资等重点领域做到应公开尽公开。"
                .into(),
        );
    }
    line(heading("依申请公开和不予公开情况"));
    if requests == 0 {
        line("本学年学校未收到依申请公开信息的申请，无不予公开的情况。".into());
    } else {
        line(format!(
            "本学年共收到依申请公开申请{requests}件，其中当面申请{in_person}件，网络申请{online}件，\
             信函申请{by_mail}件，申请内容主要涉及{topic_a}和{topic_b}。"
        ));
        line(format!(
            "已全部在规定期限内答复：同意公开{granted}件，部分公开{partial}件，不予公开{refused}件\
             （涉及个人隐私或不属于本校信息），因信息不存在无法提供{not_held}件。办理依申请公开未收取任何费用。"
        ));
    }
    if !incomplete {
        line(heading("对信息公开的评议情况"));
        line(format!(
            "学校组织教职工代表、学生代表和家长代表对信息公开工作进行评议，发放问卷{}份，满意率为{satisfaction}%。",
            200 + r(17, 800)
        ));
    }
    line(heading("因学校信息公开工作受到举报、复议、诉讼的情况"));
    if complaints == 0 {
        line("本学年学校未发生因信息公开工作受到举报、申请行政复议或提起行政诉讼的情况。".into());
    } else {
        line(
            "本学年收到关于信息公开工作的举报1件，内容涉及收费公示不及时，经核查已督促相关部门整改并答复举报人。"
                .into(),
        );
        if r(20, 2) == 0 {
            line(
                "举报人就该事项申请行政复议1件，复议机关维持学校的处理决定；未发生行政诉讼。"
                    .into(),
            );
        } else {
            line("本学年未发生因信息公开引起的行政复议和行政诉讼。".into());
        }
    }
    if !incomplete {
        line(heading("信息公开工作存在的主要问题及改进情况"));
        line(format!(
            "存在的问题：一是{}；二是{}。",
            PROBLEMS[p1], PROBLEMS[p2]
        ));
        line(format!(
            "改进措施：下一步学校将{}，并{}。",
            FIXES[p1], FIXES[p2]
        ));
    }
    line(heading("其他需要报告的事项"));
    if r(18, 2) == 0 {
        line("本学年无其他需要报告的事项。".into());
    } else {
        line(format!(
            "附件：{}{y1}-{y2}学年信息公开事项清单（共{}项）。",
            s.name,
            40 + r(19, 10)
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxgk_crawler::extract::{report_from_text, Hints};
    use xxgk_index::{Script, SectionId};

    #[test]
    fn the_corpus_is_a_dozen_schools_over_several_years_in_both_scripts() {
        let pages = sample_pages();
        let schools: std::collections::BTreeSet<&str> =
            pages.iter().map(|p| p.school.as_str()).collect();
        assert_eq!(schools.len(), 12);
        assert!(pages.len() >= 36, "{}", pages.len());
        assert!(schools.contains("翠谷大學"), "{schools:?}");
        let urls: std::collections::BTreeSet<&str> = pages.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(urls.len(), pages.len(), "every page has its own address");
        // Same corpus every time.
        assert_eq!(sample_pages()[7].text, pages[7].text);
    }

    #[test]
    fn every_page_extracts_to_a_full_report() {
        for page in sample_pages() {
            let hints = Hints {
                url: page.url.clone(),
                ..Hints::default()
            };
            let report = report_from_text(&page.text, &hints).expect("extracts");
            assert_eq!(report.school, page.school, "{}", page.url);
            assert!(report.year.is_some(), "{}", page.url);
            assert!(report.published.is_some(), "{}", page.url);
            let ids: Vec<SectionId> = report.sections.iter().map(|s| s.id).collect();
            let incomplete =
                report.year.as_deref() == Some("2021-2022") && is_incomplete(&report.school, 2021);
            for id in [
                SectionId::Overview,
                SectionId::Proactive,
                SectionId::OnRequest,
                SectionId::Appraisal,
                SectionId::Complaints,
                SectionId::Improvements,
                SectionId::Other,
            ] {
                let omitted = matches!(id, SectionId::Appraisal | SectionId::Improvements);
                assert_eq!(
                    ids.contains(&id),
                    !(incomplete && omitted),
                    "{}: {id} in {ids:?}",
                    page.url
                );
            }
            let script = if page.traditional {
                Script::Traditional
            } else {
                Script::Simplified
            };
            assert_eq!(report.script, script, "{}", page.url);
        }
    }

    /// Issue 10: the sample sites come in every layout the crawler reads (VSB, WebPlus with
    /// a report in the home page's news, TRS script paging, Hanweb datastore, reports only
    /// as .doc attachments), and the crawl finds every report under its school.
    #[test]
    fn every_sample_site_layout_crawls_to_all_its_reports() {
        let pages = sample_pages();
        let sites = sample_sites(&pages);
        let dir = tempfile::tempdir().expect("tempdir");
        let (summary, _served) =
            super::sites::crawl_sample_sites(dir.path(), &sites).expect("crawl");
        assert_eq!(summary.new_reports, pages.len(), "{summary}");
        let store = xxgk_archive::Archive::open(&dir.path().join("xxgk.sqlite")).expect("store");
        let reports = store.reports().expect("reports");
        for site in &sites {
            let n = reports.iter().filter(|r| r.school == site.school).count();
            assert_eq!(n, site.reports.len(), "{}", site.school);
        }
        assert!(
            reports.iter().any(|r| r.url.ends_with(".doc")),
            "attachment-only site"
        );
        assert!(reports.iter().all(|r| r.year.is_some()));
    }

    #[test]
    fn some_schools_list_fee_standards_and_some_do_not() {
        let pages = sample_pages();
        let with: std::collections::BTreeSet<&str> = pages
            .iter()
            .filter(|p| p.text.contains("收费标准") || p.text.contains("收費標準"))
            .map(|p| p.school.as_str())
            .collect();
        assert!(with.len() >= 3 && with.len() <= 10, "{with:?}");
    }
}
