//! One run as Markdown tables: readable in a terminal, pasted into BENCHMARKS.md.

use super::report::{BenchReport, Startup};
use super::targets::Verdict;
use super::MB;

impl BenchReport {
    /// The whole result as Markdown tables (readable in a terminal, pasted into
    /// BENCHMARKS.md).
    pub fn render(&self) -> String {
        let mut o = String::new();
        let c = &self.corpus;
        let m = &self.machine;
        o.push_str(&format!(
            "## xxgk bench — size {} ({} schools × {} years, seed {})\n\n",
            self.size, self.spec.schools, self.spec.years, self.spec.seed
        ));
        o.push_str(&format!(
            "Machine: {}, {} cores, {:.1} GB RAM, Linux {}; load average {:.1} at the start, {:.1} at the end\n\n",
            m.cpu, m.cores, m.memory_gb, m.kernel, m.load_before, m.load_after
        ));
        o.push_str(&format!(
            "Corpus: {} reports ({} traditional), {} sections, {:.1} M chars, {:.1} MB of text (UTF-8), generated in {:.1} s\n\n",
            c.reports,
            c.traditional_reports,
            c.sections,
            c.chars as f64 / 1e6,
            c.bytes as f64 / MB,
            c.generate_secs
        ));

        o.push_str("### Indexing\n\n");
        o.push_str("| engine | threads | MB/s | sections/s | time | MB per CPU-s | index size | size / text | peak RSS (before) |\n");
        o.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.indexing {
            o.push_str(&format!(
                "| xxgk | {} | {:.1} | {:.0} | {:.1} s (+{:.1} s merges) | {:.1} | {} | {:.2} | {} ({}) |\n",
                r.threads,
                r.mb_per_sec,
                r.sections_per_sec,
                r.commit_secs,
                r.total_secs - r.commit_secs,
                c.bytes as f64 / MB / r.cpu_secs.max(1e-9),
                human_bytes(r.index_bytes),
                r.index_bytes as f64 / c.bytes as f64,
                human_bytes(r.peak_rss),
                human_bytes(r.rss_before),
            ));
        }
        if let Some(p) = &self.peer {
            o.push_str(&format!(
                "| FTS5 trigram | 1 | {:.1} | {:.0} | {:.1} s | — | {} | {:.2} | — |\n",
                p.mb_per_sec,
                p.sections_per_sec,
                p.load_secs,
                human_bytes(p.db_bytes),
                p.db_bytes as f64 / c.bytes as f64,
            ));
        }
        if let Some(p) = &self.stock {
            o.push_str(&format!(
                "| stock Tantivy + jieba | {} | {:.1} | {:.0} | {:.1} s | — | {} | {:.2} | — |\n",
                self.indexing.last().map_or(1, |r| r.threads),
                p.mb_per_sec,
                p.sections_per_sec,
                p.load_secs,
                human_bytes(p.db_bytes),
                p.db_bytes as f64 / c.bytes as f64,
            ));
        }
        o.push_str(&format!(
            "\nOne thread on a {:.0} MB sample: fold {:.1} MB/s, raw jieba `cut_for_search` {:.1} MB/s, analyzer token stream {:.1} MB/s (analyzer / jieba = {:.2})\n\n",
            self.jieba.bytes as f64 / MB,
            self.fold.mb_per_sec,
            self.jieba.mb_per_sec,
            self.analyzer.mb_per_sec,
            self.analyzer.mb_per_sec / self.jieba.mb_per_sec,
        ));

        o.push_str("### Queries (top 10 + snippets + 3 facets, reader warm)\n\n");
        o.push_str(
            "| engine | samples | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n",
        );
        let l = &self.latency;
        o.push_str(&format!(
            "| xxgk | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
            l.samples, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
        ));
        let g = &self.grouped_latency;
        o.push_str(&format!(
            "| xxgk, one result per report | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
            g.samples, g.p50_ms, g.p95_ms, g.p99_ms, g.max_ms
        ));
        if let Some(p) = &self.peer {
            let pl = &p.latency;
            o.push_str(&format!(
                "| FTS5 trigram | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
                pl.samples, pl.p50_ms, pl.p95_ms, pl.p99_ms, pl.max_ms
            ));
            let two = self.indexing_with(2).or(self.indexing.last());
            o.push_str("\nRatios xxgk / FTS5 (indexing speed: higher is better; size and latency: lower is better):\n\n");
            o.push_str(
                "| indexing MB/s | index size | p50 | p95 | p99 |\n|---:|---:|---:|---:|---:|\n",
            );
            o.push_str(&format!(
                "| {} | {} | {:.4} | {:.4} | {:.4} |\n",
                two.map_or("—".into(), |t| format!(
                    "{:.1}",
                    t.mb_per_sec / p.mb_per_sec
                )),
                two.map_or("—".into(), |t| format!(
                    "{:.2}",
                    t.index_bytes as f64 / p.db_bytes as f64
                )),
                l.p50_ms / pl.p50_ms,
                l.p95_ms / pl.p95_ms,
                l.p99_ms / pl.p99_ms,
            ));
        }

        if let Some(st) = &self.stock {
            let sl = &st.latency;
            o.push_str(
                "\n| engine | samples | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n",
            );
            o.push_str(&format!(
                "| stock Tantivy + jieba | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
                sl.samples, sl.p50_ms, sl.p95_ms, sl.p99_ms, sl.max_ms
            ));
            if st.snippet_panics > 0 {
                o.push_str(&format!(
                    "\nTantivy's `SnippetGenerator` panicked on {} of the stock peer's snippets (overlapping jieba tokens; caught, left empty).\n\n",
                    st.snippet_panics
                ));
            }
            if let Some(sg) = &st.grouped_latency {
                o.push_str(&format!(
                    "| stock Tantivy + jieba, one result per report | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
                    sg.samples, sg.p50_ms, sg.p95_ms, sg.p99_ms, sg.max_ms
                ));
                o.push_str(&format!(
                    "\nOne result per report, xxgk / out-of-the-box: p50 {:.2}, p99 {:.2}\n",
                    g.p50_ms / sg.p50_ms.max(1e-9),
                    g.p99_ms / sg.p99_ms.max(1e-9),
                ));
            }
            o.push_str(&format!(
                "\nRatios xxgk / out-of-the-box (lower is better): p50 {:.2}, p95 {:.2}, p99 {:.2}; \
                 its recall against the substring scan: min {:.1} %, mean {:.1} % (xxgk: min {:.1} %)\n",
                l.p50_ms / sl.p50_ms.max(1e-9),
                l.p95_ms / sl.p95_ms.max(1e-9),
                l.p99_ms / sl.p99_ms.max(1e-9),
                self.stock_min_recall(),
                {
                    let r: Vec<f64> = self.queries.iter().filter_map(|q| q.stock_recall).collect();
                    r.iter().sum::<f64>() / r.len().max(1) as f64
                },
                self.min_recall(),
            ));
        }

        o.push_str("\n### Per query: latency and recall against a substring scan\n\n");
        o.push_str("| kind | query | scan | xxgk total | xxgk recall | xxgk extra | xxgk p50 | xxgk p99 | FTS5 total | FTS5 recall | FTS5 p50 | stock total | stock recall | stock p50 |\n");
        o.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for q in &self.queries {
            o.push_str(&format!(
                "| {} | {} | {} | {} | {:.2} % | {} | {:.2} ms | {:.2} ms | {} | {} | {} | {} | {} | {} |\n",
                q.kind,
                q.label.replace('|', "\\|"),
                q.scan,
                q.xxgk_total,
                q.xxgk_recall,
                q.xxgk_extra,
                q.p50_ms,
                q.p99_ms,
                q.peer_total.map_or("—".into(), |n| n.to_string()),
                q.peer_recall.map_or("—".into(), |r| format!("{r:.2} %")),
                q.peer_p50_ms.map_or("—".into(), |ms| format!("{ms:.1} ms")),
                q.stock_total.map_or("—".into(), |n| n.to_string()),
                q.stock_recall.map_or("—".into(), |r| format!("{r:.2} %")),
                q.stock_p50_ms.map_or("—".into(), |ms| format!("{ms:.2} ms")),
            ));
        }
        o.push_str(&format!(
            "\nSnippets over all matching sections of all queries: {} made, {} panics, {} without a mark although the text matches.\n",
            self.snippets.checked, self.snippets.panics, self.snippets.unmarked
        ));
        if !self.search_errors.is_empty() {
            o.push_str(&format!(
                "\nSearch errors: {}\n",
                self.search_errors.join("; ")
            ));
        }
        match &self.startup {
            Startup::Measured {
                first_answer_ms,
                server_peak_rss,
            } => o.push_str(&format!(
                "\n`xxgk serve`: first answer {first_answer_ms:.0} ms after start; server peak RSS {} after the query set.\n",
                human_bytes(*server_peak_rss)
            )),
            Startup::Skipped { reason } => {
                o.push_str(&format!("\n`xxgk serve` start-up: TODO ({reason}).\n"))
            }
        }

        if !self.http_runs.is_empty() {
            o.push_str("\n### HTTP (16 keep-alive connections on loopback; the generator on one thread of the same machine)\n\n");
            o.push_str("| endpoint | requests | errors | req/s | p50 | p90 | p99 | max | generator CPU | server CPU | server peak RSS |\n");
            o.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for h in &self.http_runs {
                o.push_str(&format!(
                    "| `{}`{} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.0} % | {} | {} |\n",
                    h.endpoint,
                    if h.cached { ", search cache on" } else { "" },
                    h.requests,
                    h.errors,
                    h.req_per_s,
                    h.p50_ms,
                    h.p90_ms,
                    h.p99_ms,
                    h.max_ms,
                    100.0 * h.generator_cpu_secs / h.seconds.max(1e-9),
                    h.server_cpu_secs
                        .map_or("—".into(), |c| format!("{:.0} %", 100.0 * c / h.seconds.max(1e-9))),
                    h.server_peak_rss.map_or("—".into(), human_bytes),
                ));
            }
        }

        o.push_str("\n### Targets (issues 5 and 12)\n\n| target | goal | this run | verdict |\n|---|---|---|---|\n");
        for t in self.targets() {
            let verdict = match t.verdict {
                Verdict::Met => "met",
                Verdict::Missed => "**missed**",
                Verdict::Unmeasured => "not measured",
            };
            o.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                t.name, t.goal, t.figure, verdict
            ));
        }
        o
    }
}

pub(super) fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else {
        format!("{:.0} kB", n / 1e3)
    }
}
