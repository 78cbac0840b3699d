//! Numbers as reports write them, on folded text (full-width digits are already ASCII):
//! `12`, `2,345`, `98.5%`, `1.2万`, `十一`, `三百二十`, `二千三百`, `百分之九十五`, with the
//! measure word after them and 余、多、以上、近、约 around them.

use super::cues::{Cues, Word};

/// What follows a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unit {
    /// Nothing: a space, a break or the end (table text: `申请数 12`).
    Bare,
    /// A measure word of `cues.txt` (`件`, `条`, `%`).
    Word(String),
    /// Anything else (`年`, `类`, `-`): the number is none of the figures.
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Number {
    pub value: f64,
    /// Written without a fraction (a count must be).
    pub integer: bool,
    /// Character offsets in the folded text, from an approximation word before the
    /// number to the end of its unit (and of 以上 after it).
    pub start: usize,
    pub end: usize,
    pub approx: bool,
    pub unit: Unit,
}

const CHINESE_DIGITS: &str = "〇零一二两三四五六七八九十百千万";
/// A Chinese numeral right after one of these is an ordinal or part of a word (第一条,
/// 每一项, 统一, 之一), not a count.
const NOT_BEFORE_CHINESE: &str = "第每某任逐统唯同之万周星初单";

/// The number starting at `i`, if one does.
pub(super) fn number_at(f: &[char], i: usize, cues: &Cues) -> Option<Number> {
    let c = *f.get(i)?;
    let (value, integer, mut j, chinese, percent_word) = if starts(f, i, "百分之") {
        let (v, int, j) = digits(f, i + 3).or_else(|| chinese(f, i + 3))?;
        (v, int, j, false, true)
    } else if c.is_ascii_digit() {
        // Not from the middle of a number (`2,345`, `98.5`).
        let mid = |k: usize| f.get(k).is_some_and(char::is_ascii_digit);
        if i > 0 && (mid(i - 1) || (matches!(f[i - 1], '.' | ',') && i > 1 && mid(i - 2))) {
            return None;
        }
        let (v, int, j) = digits(f, i)?;
        (v, int, j, false, false)
    } else if CHINESE_DIGITS.contains(c) {
        if i > 0 && (NOT_BEFORE_CHINESE.contains(f[i - 1]) || CHINESE_DIGITS.contains(f[i - 1])) {
            return None;
        }
        let (v, int, j) = chinese(f, i)?;
        (v, int, j, true, false)
    } else {
        return None;
    };
    let (mut value, mut integer) = (value, integer);
    if !chinese && !percent_word && f.get(j) == Some(&'万') {
        value = (value * 10_000.0).round();
        integer = true;
        j += 1;
    }
    let mut approx = false;
    let mut start = i;
    if let Some(len) = ends_with_any(f, i, &cues.approx_before) {
        approx = true;
        start = i - len;
    }
    if let Some(len) = starts_with_any(f, j, &cues.approx_after) {
        approx = true;
        j += len;
    }
    let unit = if percent_word {
        Unit::Word("%".to_string())
    } else {
        let at = if f.get(j) == Some(&' ') { j + 1 } else { j };
        match cues.unit_at(f, at) {
            Some(len) => {
                let unit: String = f[at..at + len].iter().collect();
                j = at + len;
                Unit::Word(unit)
            }
            None if bare_end(f, j, cues) => Unit::Bare,
            None => Unit::Other,
        }
    };
    if matches!(unit, Unit::Word(_)) {
        if let Some(len) = starts_with_any(f, j, &cues.approx_after) {
            approx = true;
            j += len;
        }
    }
    // A Chinese numeral is a count only with its measure word (一是, 十九大 are not).
    if chinese && !matches!(unit, Unit::Word(_)) {
        return None;
    }
    Some(Number {
        value,
        integer,
        start,
        end: j,
        approx,
        unit,
    })
}

/// ASCII digits with `,` between groups of three and an optional fraction.
fn digits(f: &[char], i: usize) -> Option<(f64, bool, usize)> {
    let mut j = i;
    let mut text = String::new();
    while let Some(c) = f.get(j) {
        if c.is_ascii_digit() {
            text.push(*c);
            j += 1;
        } else if *c == ','
            && !text.is_empty()
            && (1..=3).all(|k| f.get(j + k).is_some_and(char::is_ascii_digit))
            && !f.get(j + 4).is_some_and(char::is_ascii_digit)
        {
            j += 1;
        } else {
            break;
        }
    }
    if text.is_empty() {
        return None;
    }
    let mut integer = true;
    if f.get(j) == Some(&'.') && f.get(j + 1).is_some_and(char::is_ascii_digit) {
        integer = false;
        text.push('.');
        j += 1;
        while let Some(c) = f.get(j).filter(|c| c.is_ascii_digit()) {
            text.push(*c);
            j += 1;
        }
    }
    // Twelve digits are beyond any figure a report states (and beyond what a u64 holds
    // safely as f64); such a run is an identifier.
    if text.len() > 12 {
        return None;
    }
    Some((text.parse().ok()?, integer, j))
}

/// A Chinese numeral: 十一 11, 三百二十 320, 二千三百 2300, 一万二千 12000, 三百零五 305,
/// 二〇二〇 (digit by digit) 2020.
fn chinese(f: &[char], i: usize) -> Option<(f64, bool, usize)> {
    let mut j = i;
    while f.get(j).is_some_and(|c| CHINESE_DIGITS.contains(*c)) && j - i < 12 {
        j += 1;
    }
    let run = &f[i..j];
    if run.is_empty() {
        return None;
    }
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    let digit = |c: char| match c {
        '零' => Some(0),
        '两' => Some(2),
        c => digit(c),
    };
    if !run.iter().any(|c| "十百千万".contains(*c)) {
        if run.len() == 1 {
            return Some((digit(run[0])? as f64, true, j));
        }
        let mut v: u64 = 0;
        for c in run {
            v = v * 10 + digit(*c)? as u64;
        }
        return Some((v as f64, true, j));
    }
    let (mut total, mut section, mut pending): (u64, u64, Option<u64>) = (0, 0, None);
    for c in run {
        match c {
            '十' => {
                section += pending.take().unwrap_or(1) * 10;
            }
            // 百分之百 is 100.
            '百' => section += pending.take().unwrap_or(1) * 100,
            '千' => section += pending.take().unwrap_or(1) * 1000,
            '万' => {
                let part = section + pending.take().unwrap_or(0);
                if part == 0 {
                    return None;
                }
                total += part * 10_000;
                section = 0;
            }
            c => {
                let d = digit(*c)? as u64;
                // 零 only separates (三百零五).
                if *c != '零' && *c != '〇' {
                    pending = Some(d);
                }
            }
        }
    }
    let value = total + section + pending.unwrap_or(0);
    Some((value as f64, true, j))
}

/// After a number without a measure word: a space, a break, a closing bracket, the end,
/// or the start of a cue (`申请数12同意公开8`).
fn bare_end(f: &[char], j: usize, cues: &Cues) -> bool {
    match f.get(j) {
        None => true,
        Some(c) if c.is_whitespace() => true,
        Some(',' | ';' | '。' | '、' | '!' | '?' | '|' | ')' | ']') => true,
        Some(_) => matches!(cues.word_at(f, j), Some((_, Word::Figure(..)))),
    }
}

fn starts(f: &[char], i: usize, s: &str) -> bool {
    s.chars().zip(i..).all(|(c, j)| f.get(j) == Some(&c))
}

fn starts_with_any(f: &[char], i: usize, words: &[Vec<char>]) -> Option<usize> {
    words
        .iter()
        .find(|w| f.get(i..i + w.len()) == Some(&w[..]))
        .map(Vec::len)
}

fn ends_with_any(f: &[char], end: usize, words: &[Vec<char>]) -> Option<usize> {
    words
        .iter()
        .find(|w| end >= w.len() && f.get(end - w.len()..end) == Some(&w[..]))
        .map(Vec::len)
}

#[cfg(test)]
mod tests {
    use super::super::cues::CUES;
    use super::*;
    use crate::fold::fold;

    fn read(text: &str) -> Option<(f64, bool, Unit, String)> {
        let f: Vec<char> = fold(text).chars().collect();
        let at = f
            .iter()
            .position(|c| c.is_ascii_digit() || CHINESE_DIGITS.contains(*c) || *c == '百')?;
        let n = number_at(&f, at, &CUES)?;
        let span: String = f[n.start..n.end].iter().collect();
        Some((n.value, n.approx, n.unit, span))
    }

    fn word(u: &str) -> Unit {
        Unit::Word(u.to_string())
    }

    #[test]
    fn digits_full_width_and_separators() {
        assert_eq!(
            read("收到12件"),
            Some((12.0, false, word("件"), "12件".into()))
        );
        assert_eq!(
            read("收到１２件"),
            Some((12.0, false, word("件"), "12件".into()))
        );
        assert_eq!(
            read("公开2,345条"),
            Some((2345.0, false, word("条"), "2,345条".into()))
        );
        assert_eq!(read("公开２，３４５条").map(|r| r.0), Some(2345.0));
        assert_eq!(
            read("满意率98.5%"),
            Some((98.5, false, word("%"), "98.5%".into()))
        );
        assert_eq!(read("满意率９８．５％").map(|r| r.0), Some(98.5));
        assert_eq!(read("共1.2万条").map(|r| r.0), Some(12_000.0));
        // A comma before a list item is not a separator.
        assert_eq!(
            read("申请 12,同意公开 8").map(|r| (r.0, r.2)),
            Some((12.0, Unit::Bare))
        );
    }

    #[test]
    fn chinese_numerals() {
        for (text, v) in [
            ("收到十一件", 11.0),
            ("公开三百二十条", 320.0),
            ("公开二千三百条", 2300.0),
            ("公开一万二千条", 12_000.0),
            ("三百零五项", 305.0),
            ("两件", 2.0),
            ("十件", 10.0),
            ("满意度百分之九十五", 95.0),
            ("满意率为百分之百", 100.0),
        ] {
            assert_eq!(read(text).map(|r| r.0), Some(v), "{text}");
        }
        // Ordinals, words and numerals without a measure word are not counts.
        for text in ["一是学校", "第一条", "每一项", "党的十九大", "统一件"] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    #[test]
    fn approximations_and_units() {
        assert_eq!(
            read("500多条"),
            Some((500.0, true, word("条"), "500多条".into()))
        );
        assert_eq!(
            read("近500条").map(|r| (r.1, r.3)),
            Some((true, "近500条".into()))
        );
        assert_eq!(
            read("500条以上").map(|r| (r.1, r.3)),
            Some((true, "500条以上".into()))
        );
        assert_eq!(read("約500餘條").map(|r| (r.0, r.1)), Some((500.0, true)));
        assert_eq!(read("2020年").map(|r| r.2), Some(Unit::Other));
        assert_eq!(read("13类").map(|r| r.2), Some(Unit::Other));
    }
}
