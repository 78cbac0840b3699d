//! Publication dates as written in reports and on article pages.

use xxgk_model::fold::fold;

/// A line that only carries the publication date and a counter.
pub(crate) fn is_date_line(line: &str) -> bool {
    let f = fold(line);
    [
        "发表时间",
        "发布时间",
        "发布日期",
        "发表日期",
        "时间:",
        "日期:",
    ]
    .iter()
    .any(|p| f.starts_with(p))
        && f.chars().count() < 80
}

/// Publication date as `YYYY-MM-DD`: a labelled date near the top (发表时间:2021-10-28),
/// failing that the signature date at the end (2020年10月28日).
pub fn find_date(lines: &[&str]) -> Option<String> {
    for line in lines.iter().take(12) {
        if is_date_line(line) || fold(line).contains("发表时间") || fold(line).contains("发布时间")
        {
            if let Some(d) = parse_date(line) {
                return Some(d);
            }
        }
    }
    let tail: Vec<&&str> = lines
        .iter()
        .rev()
        .filter(|l| !l.is_empty())
        .take(4)
        .collect();
    tail.into_iter().find_map(|l| {
        let f = fold(l);
        (f.chars().count() <= 20).then(|| parse_date(l)).flatten()
    })
}

/// The first date in `text`: 2021-10-28, 2021/10/28, 2021.10.28 or 2021年10月28日.
pub fn parse_date(text: &str) -> Option<String> {
    let f: Vec<char> = fold(text).chars().collect();
    let num = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < f.len() && f[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        (*i > start)
            .then(|| f[start..*i].iter().collect::<String>().parse().ok())
            .flatten()
    };
    for start in 0..f.len() {
        if !f[start].is_ascii_digit() || (start > 0 && f[start - 1].is_ascii_digit()) {
            continue;
        }
        let mut i = start;
        let Some(y) = num(&mut i, 4) else { continue };
        if !(1990..=2100).contains(&y) || i - start != 4 {
            continue;
        }
        let (sep1, sep2, end): (&[char], &[char], Option<char>) = match f.get(i) {
            Some('-') => (&['-'], &['-'], None),
            Some('/') => (&['/'], &['/'], None),
            Some('.') => (&['.'], &['.'], None),
            Some('年') => (&['年'], &['月'], Some('日')),
            _ => continue,
        };
        if !sep1.contains(&f[i]) {
            continue;
        }
        i += 1;
        let Some(m) = num(&mut i, 2) else { continue };
        if f.get(i).is_none_or(|c| !sep2.contains(c)) {
            continue;
        }
        i += 1;
        let Some(d) = num(&mut i, 2) else { continue };
        if let Some(e) = end {
            if f.get(i) != Some(&e) {
                continue;
            }
        }
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_labelled_or_signed() {
        let lines = ["某某", "发表时间:2021-10-28 15:47 点击次数:", "正文"];
        assert_eq!(find_date(&lines), Some("2021-10-28".into()));
        let lines = ["正文。", "某某学院", "2020年10月28日"];
        assert_eq!(find_date(&lines), Some("2020-10-28".into()));
        assert_eq!(parse_date("日期：2019/9/1"), Some("2019-09-01".into()));
        assert_eq!(parse_date("2019年13月1日"), None);
        assert_eq!(find_date(&["没有日期"]), None);
    }
}
