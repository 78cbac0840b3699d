//! What a failed fetch is called for a reader. The crawler records each failure by a
//! stable English class (`connect`, `timeout`, `http_503`, `robots` …: logs, JSON, CSV
//! `error` columns); pages and the Chinese texts of the answers say it in Chinese, whole
//! — never a library's message cut mid-word (issue 18).

/// The Chinese name of a fetch error class; an unknown class is shown as it is.
pub fn error_label(class: &str) -> String {
    let known = match class {
        "connect" => "无法连接",
        "timeout" => "超时",
        "too_large" => "页面过大",
        "redirects" => "重定向过多",
        "robots" => "robots.txt 禁止抓取",
        "offsite" => "跳转到学校网站以外",
        "body" => "读取中断",
        "extract" => "附件无法提取文字",
        "other" => "其他错误",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    match class
        .strip_prefix("http_")
        .and_then(|s| s.parse::<u16>().ok())
    {
        Some(status) => format!("HTTP {status} 错误"),
        None => class.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_the_crawler_records_has_a_chinese_name() {
        for class in [
            "connect",
            "timeout",
            "too_large",
            "redirects",
            "robots",
            "offsite",
            "body",
            "extract",
            "other",
        ] {
            let label = error_label(class);
            assert!(label.chars().any(|c| c > '\u{2e80}'), "{class} → {label}");
        }
        assert_eq!(error_label("http_503"), "HTTP 503 错误");
        assert_eq!(error_label("new_kind"), "new_kind");
    }
}
