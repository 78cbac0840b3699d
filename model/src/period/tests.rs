//! The year cases of issue 19, on fixtures written in the register of real reports
//! (`model/tests/fixtures/period/`: first line the title, the rest the body).

use super::*;
use crate::body::reads_like_report;

/// (title, body) of a fixture.
fn fixture(name: &str) -> (String, String) {
    let text = match name {
        "publication-year" => include_str!("../../tests/fixtures/period/publication-year.txt"),
        "label-with-dates" => include_str!("../../tests/fixtures/period/label-with-dates.txt"),
        "calendar-period" => include_str!("../../tests/fixtures/period/calendar-period.txt"),
        "body-academic" => include_str!("../../tests/fixtures/period/body-academic.txt"),
        "no-year-title" => include_str!("../../tests/fixtures/period/no-year-title.txt"),
        "no-period" => include_str!("../../tests/fixtures/period/no-period.txt"),
        "traditional" => include_str!("../../tests/fixtures/period/traditional.txt"),
        "news-item" => include_str!("../../tests/fixtures/period/news-item.txt"),
        other => panic!("no fixture {other}"),
    };
    let (title, body) = text.split_once('\n').expect("title line");
    (title.to_string(), body.to_string())
}

fn covered(name: &str) -> CoveredYear {
    let (title, body) = fixture(name);
    covered_year(&title, &body).unwrap_or_else(|| panic!("{name}: no year"))
}

/// Titled by the year of publication (2017年度), covering September to August: the period
/// decides, the label as written stays.
#[test]
fn issue_19_a_publication_year_title_with_a_sep_aug_period_is_academic() {
    let y = covered("publication-year");
    assert_eq!(y.label(), "2016-2017");
    assert_eq!(y.as_written, "2017年度");
    assert_eq!(y.period_start.as_deref(), Some("2016-09-01"));
    assert_eq!(y.period_end.as_deref(), Some("2017-08-31"));
    assert_eq!(y.basis, Basis::StatedPeriod);
    // The same title without the body is the calendar year it names.
    let (title, _) = fixture("publication-year");
    let bare = covered_year(&title, "").expect("title year");
    assert_eq!(
        (bare.label(), bare.basis),
        ("2017".to_string(), Basis::Title)
    );
}

/// `2020年度（2019年9月1日－2020年8月31日）` in full-width digits and a Chinese dash: the
/// label's own dates are its period.
#[test]
fn issue_19_a_label_with_its_dates_in_full_width() {
    let y = covered("label-with-dates");
    assert_eq!(y.label(), "2019-2020");
    assert_eq!(y.as_written, "２０２０年度", "as written, in its own width");
    assert_eq!(y.period_start.as_deref(), Some("2019-09-01"));
    assert_eq!(y.period_end.as_deref(), Some("2020-08-31"));
    assert_eq!(y.basis, Basis::StatedPeriod);
}

/// January to December (the end day without its year) is a calendar year.
#[test]
fn issue_19_a_calendar_period_is_a_calendar_year() {
    let y = covered("calendar-period");
    assert_eq!(y.label(), "2022");
    assert_eq!(y.as_written, "2022年");
    assert_eq!(y.period_start.as_deref(), Some("2022-01-01"));
    assert_eq!(y.period_end.as_deref(), Some("2022-12-31"));
    assert_eq!(y.basis, Basis::StatedPeriod);
}

/// A calendar title over a body that opens with `2021—2022年度`: academic, by the body;
/// the next year's plan further down does not count.
#[test]
fn issue_19_a_body_academic_label_overrides_a_calendar_title() {
    let y = covered("body-academic");
    assert_eq!(y.label(), "2021-2022");
    assert_eq!(y.as_written, "2022年度");
    assert_eq!(y.period_start, None, "no period is stated");
    assert_eq!(y.basis, Basis::BodyLabel);
}

/// No period, a calendar title: calendar, by the title.
#[test]
fn issue_19_no_period_and_a_calendar_title_stays_calendar() {
    let y = covered("no-period");
    assert_eq!(y.label(), "2023");
    assert_eq!(y.as_written, "2023年度");
    assert_eq!((y.period_start, y.period_end), (None, None));
    assert_eq!(y.basis, Basis::Title);
}

/// A title with no year takes the year from the body (`自…起至…止`), with the body's
/// label as written.
#[test]
fn issue_19_a_title_without_a_year_takes_the_body_s() {
    let y = covered("no-year-title");
    assert_eq!(y.label(), "2020-2021");
    assert_eq!(y.as_written, "2020-2021学年");
    assert_eq!(y.period_end.as_deref(), Some("2021-08-31"));
    // Without the period sentence, the body's label alone.
    let (title, body) = fixture("no-year-title");
    let body = body.replace(
        "本报告所列数据的统计期限自2020年9月1日起至2021年8月31日止。",
        "",
    );
    let y = covered_year(&title, &body).expect("a body year");
    assert_eq!(
        (y.label(), y.basis),
        ("2020-2021".to_string(), Basis::BodyLabel)
    );
}

/// Traditional script: 數據統計期限 and an em dash between the days.
#[test]
fn issue_19_traditional_script() {
    let y = covered("traditional");
    assert_eq!(y.label(), "2019-2020");
    assert_eq!(y.as_written, "2019—2020學年度");
    assert_eq!(y.period_start.as_deref(), Some("2019-09-01"));
    assert_eq!(y.basis, Basis::StatedPeriod);
}

#[test]
fn issue_19_stated_periods_in_their_written_forms() {
    for (text, label, start, end) in [
        (
            "数据统计期限为2020.9.1-2021.8.31。",
            "2020-2021",
            "2020-09-01",
            "2021-08-31",
        ),
        (
            "统计起止时间：2018年9月至2019年8月",
            "2018-2019",
            "2018-09-01",
            "2019-08-31",
        ),
        (
            "统计时间为2023/1/1～2023/12/31",
            "2023",
            "2023-01-01",
            "2023-12-31",
        ),
        (
            "報告期為2019年9月1號至2020年8月31號",
            "2019-2020",
            "2019-09-01",
            "2020-08-31",
        ),
        // Unmarked, but running exactly from 1 September to 31 August near the top.
        (
            "本学年（2016年9月1日一2017年8月31日）",
            "2016-2017",
            "2016-09-01",
            "2017-08-31",
        ),
    ] {
        let p = stated_period(text).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(p.year.label(), label, "{text}");
        assert_eq!(
            (p.start.iso(), p.end.iso()),
            (start.into(), end.into()),
            "{text}"
        );
    }
    for text in [
        // A range that spans neither kind of year decides nothing.
        "统计时间为2021年3月1日至2021年6月30日",
        // An unmarked range that is not a whole year's bounds.
        "活动于2020年9月5日至2021年7月10日举行",
        // Dates that do not exist.
        "统计期限为2020年9月31日至2021年8月31日",
        "发布时间：2021-10-28",
    ] {
        assert_eq!(stated_period(text), None, "{text}");
    }
}

#[test]
fn issue_19_explain_names_the_basis_and_the_period() {
    let y = covered("publication-year");
    let e = y.explain();
    assert!(
        e.contains("2016-2017") && e.contains("stated period"),
        "{e}"
    );
    assert!(
        e.contains("2017年度") && e.contains("2016-09-01 – 2017-08-31"),
        "{e}"
    );
}

/// The report-by-body rule: a title without a year, a body that is a report.
#[test]
fn issue_19_a_body_reads_like_a_report_by_two_signs() {
    for name in ["no-year-title", "traditional", "publication-year"] {
        let (_, body) = fixture(name);
        let r = reads_like_report(&body);
        assert!(r.is_report, "{name}: {:?}", r.reasons);
        assert!(
            r.reasons.iter().any(|s| s.contains("statistics period")),
            "{name}: {:?}",
            r.reasons
        );
    }
    let (_, body) = fixture("no-year-title");
    let r = reads_like_report(&body);
    assert!(
        r.reasons
            .iter()
            .any(|s| s.starts_with("the template's headings")),
        "{:?}",
        r.reasons
    );
    // A news item about the report names it, and that is all.
    let (title, body) = fixture("news-item");
    let r = reads_like_report(&format!("{title}\n{body}"));
    assert!(!r.is_report, "{:?}", r.reasons);
    assert!(
        r.reasons.last().is_some_and(|s| s.contains("1 of 3")),
        "{:?}",
        r.reasons
    );
    // Numbered template-like headings alone (a set of rules) are one sign.
    let rules =
        "一、总体要求\n二、主动公开的内容\n三、依申请公开的办理\n四、监督与评议\n五、责任追究";
    assert!(!reads_like_report(rules).is_report);
}

/// The word list is reviewed data: every kind present, no empty or duplicate entries,
/// entries already folded.
#[test]
fn issue_19_report_words_are_a_reviewed_list() {
    for kind in [Kind::Period, Kind::Public, Kind::Report] {
        let list = words(kind);
        assert!(!list.is_empty(), "{kind:?}");
        let mut sorted = list.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), list.len(), "{kind:?} has duplicates");
        assert!(
            list.iter().all(|w| fold(w) == *w && w.chars().count() >= 2),
            "{list:?}"
        );
    }
    assert!(words(Kind::Period).contains(&"数据统计期限".to_string()));
}

proptest::proptest! {
    /// Any text (digits, dates, dashes and report words mixed) gives an answer without
    /// panicking, and a stated period always runs forward over the year it names.
    #[test]
    fn issue_19_any_text_is_read_without_panic(
        text in "[0-9０-９年月日号至到起止\\-—.～/度学年统计期限为（）()信息公开报告一二三、 \n]{0,80}"
    ) {
        if let Some(p) = stated_period(&text) {
            proptest::prop_assert!(p.start.iso() < p.end.iso(), "{:?}", p);
        }
        let _ = covered_year(&text, &text);
        let _ = reads_like_report(&text);
    }
}
