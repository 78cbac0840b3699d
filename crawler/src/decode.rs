//! Decoding pages from bytes, as browsers do and then some: Chinese sites send GBK, GB2312
//! and Big5 and often declare the wrong charset (a template copied from a UTF-8 site, a
//! server default of `charset=utf-8` over GBK files).
//!
//! Order: a BOM decides; otherwise the declared charsets (HTTP header first, then a
//! `<meta>` prescan) in that order, each accepted only if the bytes agree with it; then
//! chardetng with the host's top-level domain as a hint. "Agree" means: the bytes decode
//! without errors, and a non-UTF-8 declaration over bytes that are valid, non-ASCII
//! UTF-8 loses to UTF-8 (GBK or Big5 text of any length is practically never valid
//! UTF-8, while UTF-8 Chinese read as GBK decodes "cleanly" into mojibake).
//!
//! GBK and GB2312 labels decode as GB18030 (a superset; what browsers do too).

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};

/// Where the chosen encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Bom,
    Header,
    Meta,
    /// Declarations were missing or wrong; valid UTF-8 bytes.
    Utf8Valid,
    /// chardetng's guess.
    Sniffed,
}

/// A decoded page.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: Source,
    /// Whether malformed sequences were replaced with U+FFFD.
    pub had_errors: bool,
}

/// Decodes `bytes` served with `content_type` (the HTTP header, if any) from a host whose
/// name is `host` (for the top-level-domain hint).
pub fn decode(bytes: &[u8], content_type: Option<&str>, host: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: enc,
            source: Source::Bom,
            had_errors,
        };
    }
    let header = content_type.and_then(charset_from_content_type);
    let meta = prescan_meta(bytes);
    let utf8_ok = std::str::from_utf8(bytes).is_ok();
    let non_ascii = !bytes.is_ascii();
    for (declared, source) in [(header, Source::Header), (meta, Source::Meta)] {
        let Some(enc) = declared else { continue };
        if enc == UTF_8 {
            if utf8_ok {
                return clean(bytes, enc, source);
            }
            continue;
        }
        if utf8_ok && non_ascii {
            tracing::debug!(
                declared = enc.name(),
                "declared charset over valid UTF-8 bytes"
            );
            return clean(bytes, UTF_8, Source::Utf8Valid);
        }
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return Decoded {
                text: text.into_owned(),
                encoding: enc,
                source,
                had_errors,
            };
        }
    }
    if utf8_ok {
        return clean(bytes, UTF_8, Source::Utf8Valid);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let tld = host
        .and_then(|h| h.rsplit('.').next())
        .filter(|t| t.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase);
    let guess = normalize(detector.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Allow,
    ));
    let (text, had_errors) = guess.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: guess,
        source: Source::Sniffed,
        had_errors,
    }
}

fn clean(bytes: &[u8], enc: &'static Encoding, source: Source) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: enc,
        source,
        had_errors,
    }
}

/// GBK (which encoding_rs also answers for `gb2312`) decodes as GB18030, its superset;
/// UTF-16 labels in a byte-oriented document mean UTF-8 (HTML spec).
fn normalize(enc: &'static Encoding) -> &'static Encoding {
    if enc == GBK {
        GB18030
    } else if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        UTF_8
    } else {
        enc
    }
}

fn label(s: &str) -> Option<&'static Encoding> {
    Encoding::for_label(s.trim().trim_matches(|c| c == '"' || c == '\'').as_bytes()).map(normalize)
}

/// The `charset` parameter of a Content-Type header.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| label(v))
            .flatten()
    })
}

/// The charset a `<meta>` tag declares in the first 4 KiB (browsers look at 1 KiB; real
/// sites put long scripts first). Tolerant: any `charset` word inside a `<meta` tag counts,
/// quoted or not, closed or not (`<meta http-equiv=Content-Type content="text/html;
/// charset=gb2312">`, `<META CHARSET=GBK>`, `<meta charset="big5"` with no `>`).
pub fn prescan_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos + 5;
        // The tag ends at the next '>' or, if someone forgot it, the next '<'.
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>' || b == b'<')
            .map_or(lower.len(), |p| start + p);
        let tag = &lower[start..end];
        if let Some(cs) = find(tag, b"charset") {
            let mut i = cs + 7;
            while i < tag.len() && (tag[i].is_ascii_whitespace() || tag[i] == b'=') {
                i += 1;
            }
            while i < tag.len() && (tag[i] == b'"' || tag[i] == b'\'') {
                i += 1;
            }
            let value_end = tag[i..]
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
                .map_or(tag.len(), |p| i + p);
            if let Some(enc) = std::str::from_utf8(&tag[i..value_end]).ok().and_then(label) {
                return Some(enc);
            }
        }
        from = end.max(start);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::BIG5;

    const ZH: &str = "2020-2021学年度北岭大学信息公开工作年度报告。一、概述：学校高度重视信息公开工作，主动公开收费标准。";
    const TW: &str = "2019-2020學年度嶺南機電職業學院信息公開工作年度報告。一、概述：學院高度重視依申請公開工作。";

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    #[test]
    fn bom_beats_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(ZH.as_bytes());
        let d = decode(&bytes, Some("text/html; charset=gbk"), None);
        assert_eq!(d.source, Source::Bom);
        assert_eq!(d.text, ZH);
    }

    #[test]
    fn header_charset_gbk_and_gb2312_decode_as_gb18030() {
        let bytes = gbk(ZH);
        for ct in ["text/html; charset=GBK", "text/html;charset=\"gb2312\""] {
            let d = decode(&bytes, Some(ct), Some("xxgk.example.edu.cn"));
            assert_eq!(d.source, Source::Header, "{ct}");
            assert_eq!(d.encoding, GB18030);
            assert_eq!(d.text, ZH);
        }
    }

    #[test]
    fn meta_prescan_tolerates_malformed_tags() {
        for head in [
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
            "<META CHARSET=GBK>",
            "<meta charset='gbk'",
            "<meta http-equiv=Content-Type content=text/html;charset=gbk <title>",
        ] {
            let page = format!("<html><head>{head}</head><body>{ZH}</body></html>");
            let d = decode(&gbk(&page), None, None);
            assert_eq!(d.source, Source::Meta, "{head}");
            assert!(d.text.contains(ZH), "{head}");
        }
        assert_eq!(prescan_meta(b"<meta name=x><p>charset=gbk</p>"), None);
    }

    #[test]
    fn big5_by_header_meta_or_sniffing() {
        let bytes = BIG5.encode(TW).0.into_owned();
        assert_eq!(
            decode(&bytes, Some("text/html; charset=big5"), None).text,
            TW
        );
        let page = [b"<meta charset=big5>".as_slice(), &bytes].concat();
        assert!(decode(&page, None, None).text.ends_with(TW));
        let sniffed = decode(&bytes, None, Some("xxgk.example.edu.tw"));
        assert_eq!(sniffed.source, Source::Sniffed);
        assert_eq!(sniffed.encoding, BIG5);
        assert_eq!(sniffed.text, TW);
    }

    #[test]
    fn lying_declarations_lose_to_the_bytes() {
        // Meta says UTF-8, bytes are GBK: sniffed (with the .cn hint).
        let page = [b"<meta charset=\"utf-8\">".as_slice(), &gbk(ZH)].concat();
        let d = decode(&page, None, Some("www.example.edu.cn"));
        assert_eq!(d.source, Source::Sniffed);
        assert!(d.text.ends_with(ZH));
        // Header says GBK, bytes are UTF-8.
        let d = decode(ZH.as_bytes(), Some("text/html; charset=gbk"), None);
        assert_eq!(d.source, Source::Utf8Valid);
        assert_eq!(d.text, ZH);
        // Header says UTF-8 over GBK bytes, meta says GBK: the meta is right.
        let page = [b"<meta charset=gbk>".as_slice(), &gbk(ZH)].concat();
        let d = decode(&page, Some("text/html; charset=utf-8"), None);
        assert_eq!(d.source, Source::Meta);
        assert!(d.text.ends_with(ZH));
    }

    #[test]
    fn undeclared_gbk_is_sniffed_with_the_cn_hint() {
        let d = decode(&gbk(ZH), None, Some("xxgk.example.edu.cn"));
        assert_eq!(d.source, Source::Sniffed);
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.text, ZH);
    }
}
