//! How the figures grow with the corpus (`xxgk bench scaling`): from the `--json` files of
//! runs at several sizes, a Markdown table and an SVG chart (log–log: sections against
//! index size, indexing time and query latency), for BENCHMARKS.md.

use serde_json::Value;

use crate::{Error, Result};

/// One run's figures that the scaling table shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub size: String,
    pub sections: f64,
    pub text_mb: f64,
    pub index_mb: f64,
    /// Indexing with the most threads measured, until the commit.
    pub index_secs: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// One result per report.
    pub grouped_p50_ms: f64,
    pub grouped_p99_ms: f64,
}

impl Point {
    /// Reads a `bench run --json` file's content.
    pub fn from_json(json: &str) -> Result<Point> {
        let v: Value = serde_json::from_str(json)?;
        let num = |path: &[&str]| -> Result<f64> {
            let mut at = &v;
            for key in path {
                at = at.get(*key).unwrap_or(&Value::Null);
            }
            at.as_f64()
                .ok_or_else(|| Error::BadOption(format!("no {} in the JSON", path.join("."))))
        };
        let last = v
            .get("indexing")
            .and_then(Value::as_array)
            .and_then(|runs| runs.last())
            .ok_or_else(|| Error::BadOption("no indexing run in the JSON".into()))?;
        let field = |key: &str| last.get(key).and_then(Value::as_f64).unwrap_or(0.0);
        Ok(Point {
            size: v
                .get("size")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string(),
            sections: num(&["corpus", "sections"])?,
            text_mb: num(&["corpus", "bytes"])? / 1e6,
            index_mb: field("index_bytes") / 1e6,
            index_secs: field("commit_secs"),
            p50_ms: num(&["latency", "p50_ms"])?,
            p99_ms: num(&["latency", "p99_ms"])?,
            grouped_p50_ms: num(&["grouped_latency", "p50_ms"])?,
            grouped_p99_ms: num(&["grouped_latency", "p99_ms"])?,
        })
    }
}

/// The table, smallest corpus first, with each figure's growth over the previous size.
pub fn table(points: &[Point]) -> String {
    let mut o = String::from(
        "| size | sections | text | index | indexing | p50 | p99 | p50, by report | p99, by report |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut prev: Option<&Point> = None;
    for p in points {
        let grow = |now: f64, before: Option<f64>| match before {
            Some(b) if b > 0.0 => format!(" (×{:.1})", now / b),
            _ => String::new(),
        };
        o.push_str(&format!(
            "| {} | {:.0}{} | {:.0} MB | {:.0} MB{} | {:.1} s{} | {:.2} ms{} | {:.2} ms{} | {:.2} ms{} | {:.2} ms{} |\n",
            p.size,
            p.sections,
            grow(p.sections, prev.map(|q| q.sections)),
            p.text_mb,
            p.index_mb,
            grow(p.index_mb, prev.map(|q| q.index_mb)),
            p.index_secs,
            grow(p.index_secs, prev.map(|q| q.index_secs)),
            p.p50_ms,
            grow(p.p50_ms, prev.map(|q| q.p50_ms)),
            p.p99_ms,
            grow(p.p99_ms, prev.map(|q| q.p99_ms)),
            p.grouped_p50_ms,
            grow(p.grouped_p50_ms, prev.map(|q| q.grouped_p50_ms)),
            p.grouped_p99_ms,
            grow(p.grouped_p99_ms, prev.map(|q| q.grouped_p99_ms)),
        ));
        prev = Some(p);
    }
    o
}

/// A line of the chart: its label, colour and value.
type Series = (&'static str, &'static str, fn(&Point) -> f64);

/// A log–log chart: sections on x; index MB, indexing s, and the by-report p50 and p99 in
/// ms on y, one line each, with the targets (1 ms, 15 ms) as dashed lines.
pub fn svg(points: &[Point]) -> String {
    const W: f64 = 720.0;
    const H: f64 = 420.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 170.0;
    const TOP: f64 = 30.0;
    const BOTTOM: f64 = 50.0;
    let series: [Series; 4] = [
        ("index size (MB)", "#1f77b4", |p| p.index_mb),
        ("indexing (s)", "#2ca02c", |p| p.index_secs),
        ("p50 by report (ms)", "#ff7f0e", |p| p.grouped_p50_ms),
        ("p99 by report (ms)", "#d62728", |p| p.grouped_p99_ms),
    ];
    let xs: Vec<f64> = points.iter().map(|p| p.sections.max(1.0).log10()).collect();
    let mut ys: Vec<f64> = points
        .iter()
        .flat_map(|p| series.iter().map(move |s| (s.2)(p).max(0.01).log10()))
        .collect();
    ys.extend([0.0, 15f64.log10()]);
    let (x0, x1) = bounds(&xs);
    let (y0, y1) = bounds(&ys);
    let x = |v: f64| LEFT + (v - x0) / (x1 - x0).max(1e-9) * (W - LEFT - RIGHT);
    let y = |v: f64| H - BOTTOM - (v - y0) / (y1 - y0).max(1e-9) * (H - TOP - BOTTOM);
    let mut o = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n<text x=\"{LEFT}\" y=\"18\" font-size=\"14\">xxgk bench: growth with the corpus (log–log)</text>\n"
    );
    // Axes with decade ticks.
    o.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>\n<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{}\" stroke=\"black\"/>\n",
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM,
        H - BOTTOM
    ));
    for d in (x0.floor() as i32)..=(x1.ceil() as i32) {
        let v = f64::from(d);
        if v < x0 || v > x1 {
            continue;
        }
        o.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            x(v),
            H - BOTTOM + 16.0,
            human(10f64.powi(d))
        ));
    }
    o.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">sections</text>\n",
        (LEFT + W - RIGHT) / 2.0,
        H - 12.0
    ));
    for d in (y0.floor() as i32)..=(y1.ceil() as i32) {
        let v = f64::from(d);
        if v < y0 || v > y1 {
            continue;
        }
        o.push_str(&format!(
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\n",
            LEFT - 6.0,
            y(v) + 4.0,
            human(10f64.powi(d)),
            y(v),
            W - RIGHT,
            y(v)
        ));
    }
    for (label, target) in [("1 ms target", 1.0f64), ("15 ms target", 15.0)] {
        let ty = y(target.log10());
        o.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{ty:.1}\" x2=\"{}\" y2=\"{ty:.1}\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>\n<text x=\"{}\" y=\"{:.1}\" fill=\"#888\">{label}</text>\n",
            W - RIGHT,
            W - RIGHT + 6.0,
            ty + 4.0
        ));
    }
    for (i, (label, colour, value)) in series.iter().enumerate() {
        let pts: Vec<String> = points
            .iter()
            .zip(&xs)
            .map(|(p, &px)| format!("{:.1},{:.1}", x(px), y(value(p).max(0.01).log10())))
            .collect();
        o.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n",
            pts.join(" ")
        ));
        for pt in &pts {
            let (cx, cy) = pt.split_once(',').unwrap_or(("0", "0"));
            o.push_str(&format!(
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"3\" fill=\"{colour}\"/>\n"
            ));
        }
        let ly = TOP + 20.0 + 18.0 * i as f64;
        o.push_str(&format!(
            "<rect x=\"{}\" y=\"{:.1}\" width=\"12\" height=\"3\" fill=\"{colour}\"/>\n<text x=\"{}\" y=\"{:.1}\">{label}</text>\n",
            W - RIGHT + 6.0,
            ly - 4.0,
            W - RIGHT + 22.0,
            ly
        ));
    }
    o.push_str("</svg>\n");
    o
}

fn bounds(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo - 0.1, hi + 0.1)
    } else {
        (0.0, 1.0)
    }
}

fn human(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{}k", v / 1e3)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(size: &str, sections: f64, p50: f64) -> Point {
        Point {
            size: size.into(),
            sections,
            text_mb: sections / 200.0,
            index_mb: sections / 210.0,
            index_secs: sections / 5000.0,
            p50_ms: p50,
            p99_ms: p50 * 8.0,
            grouped_p50_ms: p50 * 2.0,
            grouped_p99_ms: p50 * 10.0,
        }
    }

    #[test]
    fn reads_a_bench_json() {
        let json = r#"{"size":"mid","corpus":{"sections":27988,"bytes":120000000},
            "indexing":[{"index_bytes":1,"commit_secs":1},{"index_bytes":116000000,"commit_secs":6.5}],
            "latency":{"p50_ms":1.2,"p99_ms":13.0},"grouped_latency":{"p50_ms":2.4,"p99_ms":14.0}}"#;
        let p = Point::from_json(json).expect("point");
        assert_eq!(p.size, "mid");
        assert_eq!(p.index_mb, 116.0);
        assert_eq!(p.index_secs, 6.5);
        assert_eq!(p.grouped_p99_ms, 14.0);
        assert!(Point::from_json(r#"{"size":"x"}"#).is_err());
    }

    #[test]
    fn table_shows_growth_and_svg_draws_every_series() {
        let points = [point("small", 1_680.0, 1.0), point("mid", 28_000.0, 2.0)];
        let t = table(&points);
        assert!(t.contains("| mid | 28000 (×16.7)"), "{t}");
        assert!(t.contains("2.00 ms (×2.0)"), "{t}");
        let s = svg(&points);
        assert_eq!(s.matches("<polyline").count(), 4);
        assert_eq!(s.matches("<circle").count(), 8);
        assert!(s.contains("15 ms target"));
        assert!(!s.contains("NaN"));
    }
}
