//! Property checks of this crate's parsers that take outside input — charset decoding,
//! HTML extraction and the pure-Rust attachment readers — shared by the `cargo fuzz`
//! targets (`fuzz/`) and the proptest smokes of the test suite, so that both hold the
//! same properties. Each runs a parser on arbitrary bytes and panics if the parser panics
//! or breaks a property. The external tools (pdftotext, catdoc, antiword) are left out.

use std::time::Duration;

use encoding_rs::ISO_2022_JP;
use scraper::Html;
use url::Url;

use crate::attach::{docx_text, extract_text, sniff};
use crate::content::extract_article;
use crate::decode::decode;
use crate::extract::{report_from_html, report_from_page, ArticleInput, Hints};

/// Charset decoding of `bytes` served with `content_type` from `host`: text always; for
/// input beyond a byte-order mark, some text (except ISO-2022-JP, whose escape sequences
/// decode to nothing); ASCII without escapes and valid UTF-8 come back as they are.
pub fn check_decode(bytes: &[u8], content_type: Option<&str>, host: Option<&str>) {
    let decoded = decode(bytes, content_type, host);
    let bom = encoding_rs::Encoding::for_bom(bytes).map_or(0, |(_, len)| len);
    if bytes.len() > bom && decoded.encoding != ISO_2022_JP {
        assert!(
            !decoded.text.is_empty(),
            "{} bytes decoded as {} to nothing",
            bytes.len(),
            decoded.encoding.name()
        );
    }
    if bom == 0 {
        if let Ok(utf8) = std::str::from_utf8(bytes) {
            if !bytes.is_ascii() || !bytes.contains(&0x1b) {
                assert_eq!(decoded.text, utf8, "valid UTF-8 changed");
                assert!(!decoded.had_errors);
            }
        }
    }
}

/// HTML extraction of a fetched page: decoded, parsed, its article read and made into a
/// report (with the source's school, as the crawler does) — a report or an error with a
/// message, never a panic; a date found is `YYYY-MM-DD`.
pub fn check_extract(bytes: &[u8]) {
    let html = decode(bytes, Some("text/html"), Some("example.edu.cn")).text;
    let Ok(url) = Url::parse("https://www.example.edu.cn/info/1001/2345.htm") else {
        return;
    };
    let doc = Html::parse_document(&html);
    let article = extract_article(&doc, &url);
    if let Some(date) = &article.published {
        check_date(date);
    }
    let hints = Hints {
        url: url.to_string(),
        school: Some("示例大学".into()),
        ..Hints::default()
    };
    let input = ArticleInput {
        title: article.title.clone(),
        published: article.published.clone(),
        body: article.text.clone(),
        attachments: Vec::new(),
    };
    for report in [
        report_from_page(&input, &hints),
        report_from_html(&html, &hints),
    ] {
        match report {
            Ok(report) => {
                assert_eq!(report.school, "示例大学");
                assert_eq!(report.url, hints.url);
                if let Some(date) = &report.published {
                    check_date(date);
                }
            }
            Err(err) => assert!(
                !err.to_string().trim().is_empty(),
                "an error without a message"
            ),
        }
    }
}

fn check_date(date: &str) {
    let ok = date.len() == 10
        && date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    assert!(ok, "not YYYY-MM-DD: {date:?}");
}

/// Kinds [`sniff`] answers.
const KINDS: [&str; 8] = [
    "pdf", "docx", "xlsx", "zip", "xls", "doc", "html", "unknown",
];

/// The attachment readers that are pure Rust: the type sniffer, the .docx reader, the
/// spreadsheet reader and Word's web-page format saved as .doc — text or an error with a
/// message, never a panic (a panic inside the guarded readers shows as "the extractor
/// panicked", which fails the check too). Bytes that would go to an external tool (PDF,
/// Word 97) are only sniffed.
pub fn check_attachment(bytes: &[u8]) {
    for ext in ["pdf", "doc", "docx", "xls", "xlsx", "wps", "", "htm"] {
        let kind = sniff(bytes, ext);
        assert!(KINDS.contains(&kind), "sniff answered {kind:?}");
    }
    if let Err(message) = docx_text(bytes) {
        assert!(message.starts_with("docx"), "{message:?}");
    }
    let external = bytes.starts_with(b"%PDF") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if external {
        return;
    }
    for ext in ["doc", "docx", "xlsx", "xls"] {
        match extract_text(bytes.to_vec(), ext, Duration::from_secs(20)) {
            Ok(_) => {}
            Err(message) => {
                assert!(!message.trim().is_empty(), "an error without a message");
                assert!(
                    !message.contains("panicked"),
                    "a reader panicked on a .{ext}: {message}"
                );
            }
        }
    }
}

#[cfg(test)]
mod smoke {
    //! The fuzz targets' properties over a bounded number of generated inputs.

    use proptest::prelude::*;

    use super::*;

    /// Bytes as Chinese sites serve them: pieces of UTF-8, GBK and Big5 text, byte-order
    /// marks, `<meta charset>` declarations (right, wrong, unclosed), truncated
    /// multi-byte sequences, escapes, NULs and random bytes, mixed.
    fn page_bytes() -> impl Strategy<Value = Vec<u8>> {
        let pieces: Vec<Vec<u8>> = vec![
            "信息公开年度报告".as_bytes().to_vec(),
            encoding_rs::GBK.encode("高校信息公开").0.into_owned(),
            encoding_rs::BIG5.encode("資訊公開報告").0.into_owned(),
            b"\xEF\xBB\xBF".to_vec(),
            b"\xFF\xFE".to_vec(),
            b"<meta charset=gbk>".to_vec(),
            b"<meta charset=\"big5\"".to_vec(),
            b"<META http-equiv=Content-Type content=\"text/html; charset=utf-8\">".to_vec(),
            b"<meta charset=iso-2022-jp>".to_vec(),
            b"\x1b$B".to_vec(),
            b"\xE4\xBF".to_vec(),
            b"\x81".to_vec(),
            b"\0".to_vec(),
            b"<html><head><title>".to_vec(),
            b"</title></head><body><div class=\"wp_articlecontent\"><p>".to_vec(),
            b"</p></div>".to_vec(),
            b"<h1>".to_vec(),
            b"2020-2021".to_vec(),
            b"\xe5\x8f\x91\xe5\xb8\x83\xe6\x97\xb6\xe9\x97\xb4\xef\xbc\x9a2021-10-31".to_vec(),
            b"<a href=\"/x/report.pdf\">".to_vec(),
            b"<script>".to_vec(),
            b"<table><tr><td>".to_vec(),
            b"&amp;&#x4e00;&#99999999;&".to_vec(),
        ];
        prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(pieces),
                1 => prop::collection::vec(any::<u8>(), 0..16),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    fn content_type() -> impl Strategy<Value = Option<String>> {
        prop::option::of(
            prop::sample::select(vec![
                "text/html",
                "text/html; charset=utf-8",
                "text/html; charset=GBK",
                "text/html;charset=\"big5\"",
                "text/html; charset=utf-16",
                "text/html; charset=iso-2022-jp",
                "text/html; charset=x-nonsense",
                "text/html; charset=",
                ";;;=",
            ])
            .prop_map(str::to_string),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn decoding_gives_text_and_keeps_utf8(
            bytes in page_bytes(),
            ct in content_type(),
            host in prop::option::of(prop::sample::select(vec!["a.edu.cn", "b.edu.tw", "x.", ""])),
        ) {
            check_decode(&bytes, ct.as_deref(), host);
        }

        #[test]
        fn decoding_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            check_decode(&bytes, None, None);
        }

        #[test]
        fn extraction_gives_a_report_or_a_reason(bytes in page_bytes()) {
            check_extract(&bytes);
        }
    }

    proptest! {
        // Each case starts reader threads: fewer cases.
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn attachment_readers_give_text_or_a_reason(
            seed in prop::sample::select(vec!["docx", "html", "random"]),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            cut in any::<prop::sample::Index>(),
            random in prop::collection::vec(any::<u8>(), 0..256),
        ) {
            let mut bytes = match seed {
                "docx" => crate::attach::tests::make_docx(&["一、概述", "收费标准 & <依申请公开>"]),
                "html" => b"<html><body><p>\xe4\xbf\xa1\xe6\x81\xaf\xe5\x85\xac\xe5\xbc\x80</p></body></html>".to_vec(),
                _ => random,
            };
            for (at, byte) in flips {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
            }
            if seed == "docx" && !bytes.is_empty() {
                // Sometimes truncated too.
                let keep = cut.index(bytes.len() * 2);
                bytes.truncate(keep.max(1));
            }
            check_attachment(&bytes);
        }
    }

    #[test]
    fn deep_nesting_and_huge_repetition() {
        check_extract("<div>".repeat(5_000).as_bytes());
        check_extract(format!("<p>{}</p>", "信息公开".repeat(20_000)).as_bytes());
        check_extract(&b"<table><tr><td>".repeat(2_000));
        check_decode(
            &b"\x81".repeat(100_000),
            Some("text/html; charset=gbk"),
            None,
        );
        check_decode(&b"<meta charset=big5".repeat(1_000), None, None);
        check_attachment(&crate::attach::tests::make_docx(&["a"; 2_000]));
    }

    #[test]
    fn a_docx_reads_back() {
        let docx = crate::attach::tests::make_docx(&["收费标准"]);
        assert!(docx_text(&docx).is_ok_and(|t| t.contains("收费标准")));
        check_attachment(&docx);
    }
}
