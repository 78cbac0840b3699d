//! The labelled set (issue 20): our hand-labelled fixtures in `model/tests/figures/` and
//! the two real seeds (labels in `seeds.labels`, text read from `../shared/seeds` at test
//! time). Prints precision and recall per figure and holds each at ≥ 0.95; also checks
//! every figure's evidence, on-time marks, missing parts and flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{scorecard, Amount, Date, FigureKind, Flag, Part, Scorecard};
use crate::report::{Report, Script};
use crate::sections::split_text;
use crate::year::year_from_text;

const MIN_SCORE: f64 = 0.95;

#[derive(Debug, Default)]
struct Labels {
    figures: BTreeMap<FigureKind, (f64, bool)>,
    published: Option<Date>,
    on_time: Option<Option<bool>>,
    missing: Option<Vec<Part>>,
    flags: Vec<String>,
}

fn parse_labels(name: &str, text: &str) -> Labels {
    let mut labels = Labels::default();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{name}: `{line}` is not `key = value`"));
        let (key, value) = (key.trim(), value.trim());
        match key {
            "published" => labels.published = Date::parse(value),
            "on_time" => labels.on_time = Some(value.parse().ok()),
            "flag" => labels.flags.push(value.to_string()),
            "missing" => {
                labels.missing = Some(
                    value
                        .split_whitespace()
                        .map(|p| {
                            Part::ALL
                                .into_iter()
                                .find(|x| x.as_str() == p)
                                .unwrap_or_else(|| panic!("{name}: unknown part {p}"))
                        })
                        .collect(),
                )
            }
            _ => {
                let kind = FigureKind::parse(key)
                    .unwrap_or_else(|| panic!("{name}: unknown label `{key}`"));
                let approx = value.starts_with('~');
                let v: f64 = value
                    .trim_start_matches('~')
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: `{value}` is not a number"));
                labels.figures.insert(kind, (v, approx));
            }
        }
    }
    labels
}

fn report_of(name: &str, text: &str) -> Report {
    let title = text
        .lines()
        .map(str::trim)
        .find(|l| l.contains("报告") || l.contains("報告"))
        .unwrap_or("")
        .to_string();
    Report {
        id: name.to_string(),
        school: String::new(),
        year: year_from_text(text).map(|y| y.label()),
        title,
        published: None,
        url: format!("file:///{name}"),
        script: Script::Simplified,
        content_hash: String::new(),
        province: None,
        kind: None,
        institution: None,
        year_as_written: None,
        period_start: None,
        period_end: None,
        sections: split_text(text),
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/figures")
}

/// (name, labels, report) for every labelled report available.
fn labelled() -> Vec<(String, Labels, Report)> {
    let dir = fixtures_dir();
    let mut out = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("model/tests/figures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    for path in names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).expect("fixture reads");
        let (head, body) = text
            .split_once("\n===\n")
            .unwrap_or_else(|| panic!("{name}: no `===` line"));
        out.push((
            name.clone(),
            parse_labels(&name, head),
            report_of(&name, body),
        ));
    }
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds");
    let seed_labels = std::fs::read_to_string(dir.join("seeds.labels")).expect("seeds.labels");
    let mut current: Option<(String, String)> = None;
    let mut blocks = Vec::new();
    for line in seed_labels.lines() {
        if let Some(name) = line
            .trim()
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
        {
            blocks.extend(current.take());
            current = Some((name.to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    blocks.extend(current);
    for (name, body) in blocks {
        match std::fs::read_to_string(seeds.join(&name)) {
            Ok(text) => out.push((
                name.clone(),
                parse_labels(&name, &body),
                report_of(&name, &text),
            )),
            Err(e) => eprintln!("seed {name} not read ({e}): labelled set without it"),
        }
    }
    out
}

fn flag_name(flag: &Flag) -> &'static str {
    match flag {
        Flag::PartsExceedTotal { .. } => "parts_exceed_total",
        Flag::PercentAbove100 { .. } => "percent_above_100",
        Flag::Conflict { .. } => "conflict",
    }
}

/// Mismatches other than figures: on time, missing parts, flags, evidence.
fn other_checks(name: &str, labels: &Labels, report: &Report, card: &Scorecard) -> Vec<String> {
    let mut errors = Vec::new();
    if let Some(want) = labels.on_time {
        if card.on_time != want {
            errors.push(format!("{name}: on_time {:?}, want {want:?}", card.on_time));
        }
    }
    let missing = card.parts.missing();
    if missing != labels.missing.clone().unwrap_or_default() {
        errors.push(format!(
            "{name}: missing parts {missing:?}, want {:?}",
            labels.missing
        ));
    }
    let flags: Vec<&str> = card
        .flags
        .iter()
        .map(flag_name)
        .filter(|f| *f != "conflict")
        .collect();
    if flags != labels.flags {
        errors.push(format!(
            "{name}: flags {:?}, want {:?}",
            card.flags, labels.flags
        ));
    }
    for kind in FigureKind::ALL {
        let Some(fig) = card.figures.get(kind) else {
            continue;
        };
        let section = &report.sections[fig.section_index];
        let slice: String = section
            .text
            .chars()
            .skip(fig.start)
            .take(fig.end - fig.start)
            .collect();
        if slice != fig.quote || fig.quote.is_empty() || section.id != fig.section {
            errors.push(format!(
                "{name}: {kind} evidence {fig:?} is not its section's text"
            ));
        }
    }
    errors
}

#[test]
fn issue_20_precision_and_recall_per_figure_on_the_labelled_set() {
    let set = labelled();
    assert!(
        set.len() >= 16,
        "the fixtures are read ({} reports)",
        set.len()
    );
    // (true positives, extracted, labelled)
    let mut score: BTreeMap<FigureKind, (usize, usize, usize)> = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, labels, report) in &set {
        let card = scorecard(report, labels.published);
        for kind in FigureKind::ALL {
            let got = card.figures.get(kind).map(|f| (f.value, f.approx));
            let want = labels.figures.get(&kind).copied();
            let entry = score.entry(kind).or_default();
            let matches = match (got, want) {
                (Some((value, approx)), Some((v, a))) => {
                    let same = match value {
                        Amount::Count(n) => v.fract() == 0.0 && n as f64 == v,
                        Amount::Percent(p) => (p - v).abs() < 1e-9,
                    };
                    same && approx == a
                }
                _ => false,
            };
            entry.0 += usize::from(matches);
            entry.1 += usize::from(got.is_some());
            entry.2 += usize::from(want.is_some());
            if got.map(|(v, a)| (v.as_f64(), a)) != want {
                let quote = card
                    .figures
                    .get(kind)
                    .map(|f| f.quote.as_str())
                    .unwrap_or("");
                errors.push(format!(
                    "{name}: {kind} = {got:?}, want {want:?}  «{quote}»"
                ));
            }
        }
        errors.extend(other_checks(name, labels, report, &card));
    }
    println!(
        "{:<20} {:>9} {:>9} {:>4} {:>4} {:>4}",
        "figure", "precision", "recall", "tp", "got", "want"
    );
    let mut low = Vec::new();
    for (kind, (tp, got, want)) in &score {
        let precision = if *got == 0 {
            1.0
        } else {
            *tp as f64 / *got as f64
        };
        let recall = if *want == 0 {
            1.0
        } else {
            *tp as f64 / *want as f64
        };
        println!(
            "{:<20} {precision:>9.3} {recall:>9.3} {tp:>4} {got:>4} {want:>4}",
            kind.as_str()
        );
        assert!(*want > 0, "{kind} is labelled somewhere");
        if precision < MIN_SCORE || recall < MIN_SCORE {
            low.push(kind.as_str());
        }
    }
    for e in &errors {
        println!("{e}");
    }
    assert!(
        low.is_empty(),
        "below {MIN_SCORE}: {low:?}\n{}",
        errors.join("\n")
    );
    let other: Vec<&String> = errors.iter().filter(|e| !e.contains(" = ")).collect();
    assert!(other.is_empty(), "{other:#?}");
}
