//! The report-title rule, in one place: which titles name an annual disclosure report,
//! which name the column that lists them, and which lead from a home page to it. Used by
//! discovery (link texts), classification (a page's own title) and extraction.

use xxgk_model::fold::fold;

/// Report words: 年度报告, 信息公开…工作报告 / 年报, 信息公开报告 (folded).
fn report_words(f: &str) -> bool {
    f.contains("年度报告")
        || (f.contains("信息公开") && (f.contains("工作报告") || f.contains("年报")))
        || f.contains("信息公开报告")
}

/// The one year rule (`xxgk_model::year`): a title names a year.
fn has_year(f: &str) -> bool {
    xxgk_model::year::names_a_year(f)
}

/// Whether `text` names a disclosure report by its words alone, in either script
/// (年度报告, 年度報告, 信息公开工作报告, 信息公開年报): for title lines that carry the year
/// elsewhere.
pub fn names_report(text: &str) -> bool {
    report_words(&fold(text))
}

/// The report-title rule, the one used by discovery, classification and extraction: a
/// title naming one annual disclosure report — report words and a year, in either script
/// (`2020-2021学年信息公开工作年度报告`, `2019-2020學年度信息公開年度報告`,
/// `某大学信息公开年报(2016-2017)`), not a whole paragraph.
pub fn is_report_title(text: &str) -> bool {
    let f = fold(text);
    report_words(&f) && has_year(&f) && f.chars().count() <= 120
}

/// A link to a list of reports: the column (年度报告, 信息公开年度报告) without a year.
pub fn is_list_title(text: &str) -> bool {
    let f = fold(text.trim());
    let n = f.chars().count();
    n <= 16
        && !has_year(&f)
        && (report_words(&f) || f == "年报" || f.ends_with("年度报告") || f == "工作报告")
}

/// A link from a home page to where the reports live: the disclosure site or column
/// (信息公开, 信息公开网), and the sitemap.
pub fn is_column_title(text: &str) -> bool {
    let f = fold(text.trim());
    matches!(
        f.as_str(),
        "信息公开"
            | "信息公开网"
            | "信息公开专栏"
            | "信息公开专题"
            | "学校信息公开"
            | "网站地图"
            | "站点地图"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_title_rule_in_both_scripts() {
        assert!(is_report_title("2020-2021学年信息公开工作年度报告"));
        assert!(is_report_title(
            "嶺南機電職業學院2019-2020學年度信息公開年度報告"
        ));
        assert!(is_report_title("北岭大学2021年信息公开工作报告"));
        assert!(is_report_title("青岚大学信息公开年报(2016-2017)"));
        assert!(!is_report_title("年度报告"));
        assert!(!is_report_title("2021年招生简章"));
        assert!(is_list_title("年度报告"));
        assert!(is_list_title("信息公開年度報告"));
        assert!(!is_list_title("2020年度报告"));
        assert!(names_report("信息公開工作年度報告"));
        assert!(is_column_title("信息公開"));
    }
}
