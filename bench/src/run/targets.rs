//! The targets of issues 5 and 12, judged on one run's figures.

use serde::Serialize;

use super::print::human_bytes;
use super::report::{BenchReport, IndexRun, Startup};

/// Met, missed, or not measured in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Met,
    Missed,
    Unmeasured,
}

/// One target of issue 5 with this run's figure.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: &'static str,
    pub goal: &'static str,
    pub figure: String,
    pub verdict: Verdict,
}

impl BenchReport {
    pub(super) fn indexing_with(&self, threads: usize) -> Option<&IndexRun> {
        self.indexing.iter().find(|r| r.threads == threads)
    }

    /// Lowest recall of xxgk over the query set, in %.
    pub fn min_recall(&self) -> f64 {
        self.queries
            .iter()
            .map(|q| q.xxgk_recall)
            .fold(100.0, f64::min)
    }

    /// Lowest recall of the out-of-the-box peer over the query set, in % (100 when it
    /// was not run).
    pub fn stock_min_recall(&self) -> f64 {
        self.queries
            .iter()
            .filter_map(|q| q.stock_recall)
            .fold(100.0, f64::min)
    }

    /// The targets of issues 5 and 12, judged on this run.
    pub fn targets(&self) -> Vec<Target> {
        let judge = |ok: bool| if ok { Verdict::Met } else { Verdict::Missed };
        let mut out = Vec::new();
        let two = self.indexing_with(2).or(self.indexing.last());
        let one = self.indexing_with(1);
        if let Some(two) = two {
            out.push(Target {
                name: "indexing speed",
                goal: "≥ 35 MB/s with 2 threads, with folding",
                figure: format!("{:.1} MB/s ({} threads)", two.mb_per_sec, two.threads),
                verdict: judge(two.threads >= 2 && two.mb_per_sec >= 35.0),
            });
        }
        if let Some(one) = one {
            let ratio = one.mb_per_sec / self.jieba.mb_per_sec;
            out.push(Target {
                name: "indexing vs raw jieba",
                goal: "≥ 0.5 × jieba search-mode MB/s (1 thread each)",
                figure: format!(
                    "{ratio:.2} × ({:.1} vs {:.1} MB/s; 2 threads: {:.2} ×)",
                    one.mb_per_sec,
                    self.jieba.mb_per_sec,
                    two.map_or(0.0, |t| t.mb_per_sec / self.jieba.mb_per_sec)
                ),
                verdict: judge(ratio >= 0.5),
            });
        }
        let g = &self.grouped_latency;
        out.push(Target {
            name: "query p50",
            goal: "≤ 1 ms (one result per report: top 10, snippets, 3 facets)",
            figure: format!(
                "{:.2} ms (per section: {:.2} ms)",
                g.p50_ms, self.latency.p50_ms
            ),
            verdict: judge(g.p50_ms <= 1.0),
        });
        out.push(Target {
            name: "query p99",
            goal: "≤ 15 ms, common-word phrases included (one result per report)",
            figure: format!(
                "{:.2} ms (per section: {:.2} ms)",
                g.p99_ms, self.latency.p99_ms
            ),
            verdict: judge(g.p99_ms <= 15.0),
        });
        match &self.peer {
            Some(peer) => {
                let ratio = peer.latency.p50_ms / self.latency.p50_ms.max(1e-9);
                out.push(Target {
                    name: "vs FTS5 at p50",
                    goal: "≥ 100 × faster",
                    figure: format!("{ratio:.0} × faster"),
                    verdict: judge(ratio >= 100.0),
                });
            }
            None => out.push(Target {
                name: "vs FTS5 at p50",
                goal: "≥ 100 × faster",
                figure: "peer not run".into(),
                verdict: Verdict::Unmeasured,
            }),
        }
        match &self.stock {
            Some(stock) => {
                let theirs = stock.grouped_latency.as_ref().unwrap_or(&stock.latency);
                for (name, ours, theirs) in [
                    ("vs out-of-the-box at p50", g.p50_ms, theirs.p50_ms),
                    ("vs out-of-the-box at p99", g.p99_ms, theirs.p99_ms),
                ] {
                    out.push(Target {
                        name,
                        goal: "≤ 0.5 × stock Tantivy + tantivy-jieba (both one result per report)",
                        figure: format!(
                            "{:.2} × ({ours:.2} vs {theirs:.2} ms; its recall min {:.1} %)",
                            ours / theirs.max(1e-9),
                            self.stock_min_recall()
                        ),
                        verdict: judge(ours <= 0.5 * theirs),
                    });
                }
            }
            None => out.push(Target {
                name: "vs out-of-the-box at p50",
                goal: "≤ 0.5 × stock Tantivy + tantivy-jieba",
                figure: "stock peer not run".into(),
                verdict: Verdict::Unmeasured,
            }),
        }
        out.push(Target {
            name: "recall",
            goal: "≥ 99.5 % of the substring scan, every query",
            figure: format!("min {:.2} %", self.min_recall()),
            verdict: judge(self.min_recall() >= 99.5),
        });
        out.push(Target {
            name: "snippet panics",
            goal: "0 over all hits",
            figure: format!(
                "{} in {} snippets",
                self.snippets.panics, self.snippets.checked
            ),
            verdict: judge(self.snippets.panics == 0),
        });
        if let Some(two) = two {
            let ratio = two.index_bytes as f64 / self.corpus.bytes as f64;
            out.push(Target {
                name: "index size",
                goal: "≤ 1 × raw text",
                figure: format!("{ratio:.2} × ({})", human_bytes(two.index_bytes)),
                verdict: judge(ratio <= 1.0),
            });
        }
        match &self.startup {
            Startup::Measured {
                first_answer_ms,
                server_peak_rss,
            } => {
                out.push(Target {
                    name: "serve start-up",
                    goal: "first answer ≤ 1 s from start",
                    figure: format!("{first_answer_ms:.0} ms"),
                    verdict: judge(*first_answer_ms <= 1000.0),
                });
                out.push(Target {
                    name: "server RSS",
                    goal: "≤ 500 MB",
                    figure: format!(
                        "{} (peak, after the query set)",
                        human_bytes(*server_peak_rss)
                    ),
                    verdict: judge(*server_peak_rss <= 500_000_000),
                });
            }
            Startup::Skipped { reason } => out.push(Target {
                name: "serve start-up",
                goal: "first answer ≤ 1 s from start",
                figure: format!("TODO: {reason}"),
                verdict: Verdict::Unmeasured,
            }),
        }
        let goal = "/api/search ≥ 1,500 req/s at p99 ≤ 50 ms, 16 connections";
        out.push(match &self.http {
            Some(h) => Target {
                name: "HTTP load",
                goal,
                figure: format!(
                    "{:.0} req/s, p99 {:.1} ms ({} connections; generator {:.0} % of a core)",
                    h.req_per_s,
                    h.p99_ms,
                    h.connections,
                    100.0 * h.generator_cpu_secs / h.seconds.max(1e-9)
                ),
                verdict: judge(h.req_per_s >= 1500.0 && h.p99_ms <= 50.0),
            },
            None => Target {
                name: "HTTP load",
                goal,
                figure: "not run (`--http`)".into(),
                verdict: Verdict::Unmeasured,
            },
        });
        out
    }
}
