use super::*;
use crate::corpus::CorpusSpec;

/// A tiny end-to-end run: every number is filled in and recall is complete.
#[test]
fn a_tiny_run_measures_everything_and_finds_what_the_scan_finds() {
    let spec = CorpusSpec {
        schools: 6,
        years: 2,
        seed: 3,
    };
    let mut opts = Options::new("tiny", spec);
    opts.rounds = 2;
    opts.peer_rounds = 1;
    opts.sample_bytes = 200_000;
    let report = run(&opts).expect("run");
    assert_eq!(report.corpus.reports, 12);
    assert_eq!(report.indexing.len(), 2);
    assert!(report.indexing.iter().all(|r| r.index_bytes > 0));
    assert!(
        report.search_errors.is_empty(),
        "{:?}",
        report.search_errors
    );
    assert_eq!(report.snippets.panics, 0);
    for q in &report.queries {
        assert!(
            q.scan > 0 || q.kind == "filter",
            "{} finds nothing",
            q.label
        );
        assert_eq!(q.xxgk_recall, 100.0, "{}", q.label);
        assert_eq!(q.peer_recall, Some(100.0), "{}", q.label);
    }
    // The out-of-the-box peer ran on every query; without folding, a query in one
    // script misses the other script's reports, which the scan (folded) counts.
    assert!(report.queries.iter().all(|q| q.stock_recall.is_some()));
    assert!(report.stock.is_some());
    let cross_script = report
        .queries
        .iter()
        .filter(|q| q.kind.contains("trad"))
        .filter_map(|q| q.stock_recall)
        .fold(100.0, f64::min);
    assert!(
        cross_script < 100.0,
        "stock jieba cannot find simplified text from a traditional query"
    );
    let table = report.render();
    assert!(table.contains("| xxgk | 2 |"), "{table}");
    assert!(table.contains("FTS5 trigram"), "{table}");
    assert!(table.contains("stock Tantivy + jieba"), "{table}");
}
