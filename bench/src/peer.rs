//! The peer: the same corpus in SQLite FTS5 with the trigram tokenizer, the tool a reader
//! would otherwise reach for.
//!
//! To compare engines rather than folding, the peer gets the same help xxgk has: texts and
//! queries are folded (traditional → simplified, width, case) before they reach SQLite,
//! and the folding is counted in its load time. Trigrams cannot match words of one or two
//! characters, so those fall back to `LIKE '%w%'`, a full scan. Snippets are cut by our
//! own highlighter from the stored (folded) text, so both sides pay the same for them.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, params_from_iter, Connection};
use xxgk_index::fold::fold;
use xxgk_index::highlight::{snippet, SNIPPET_CHARS};
use xxgk_index::Report;

use crate::queries::BenchQuery;
use crate::Result;

/// An FTS5 trigram index in one SQLite file.
pub struct Fts5 {
    conn: Connection,
}

impl std::fmt::Debug for Fts5 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fts5").finish_non_exhaustive()
    }
}

/// What a peer search returns: the top hits' snippets, the total and the facet counts.
#[derive(Debug, Clone, Default)]
pub struct PeerResults {
    pub total: u64,
    pub snippets: Vec<String>,
    pub school: BTreeMap<String, u64>,
    pub year: BTreeMap<String, u64>,
    pub section: BTreeMap<String, u64>,
}

impl Fts5 {
    /// Creates the database at `path` (which must not exist) and loads `reports`, in one
    /// transaction, then merges the FTS b-trees (`optimize`), as one would after a bulk
    /// load.
    pub fn load(path: &Path, reports: &[Report]) -> Result<Fts5> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             CREATE VIRTUAL TABLE sec USING fts5(
                 heading, body, meta,
                 school UNINDEXED, year UNINDEXED, section UNINDEXED,
                 report_id UNINDEXED, section_idx UNINDEXED,
                 tokenize = 'trigram'
             );",
        )?;
        {
            let tx = conn.unchecked_transaction()?;
            {
                let mut insert = tx.prepare(
                    "INSERT INTO sec (heading, body, meta, school, year, section, report_id,
                                      section_idx)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                for r in reports {
                    let meta = fold(&format!("{} {}", r.title, r.school));
                    for (idx, s) in r.sections.iter().enumerate() {
                        insert.execute(params![
                            fold(&s.heading),
                            fold(&s.text),
                            meta,
                            r.school,
                            r.year.as_deref().unwrap_or(""),
                            s.id.as_str(),
                            r.id,
                            idx as i64,
                        ])?;
                    }
                }
            }
            tx.commit()?;
        }
        conn.execute_batch("INSERT INTO sec(sec) VALUES('optimize');")?;
        Ok(Fts5 { conn })
    }

    /// Top 10 with snippets, total and all three facets.
    pub fn search(&self, q: &BenchQuery) -> Result<PeerResults> {
        let (cond, args, ranked) = condition(q);
        let order = if ranked { "ORDER BY rank" } else { "" };
        let mut out = PeerResults::default();
        let mut top = self.conn.prepare_cached(&format!(
            "SELECT body FROM sec WHERE {cond} {order} LIMIT 10"
        ))?;
        let bodies = top
            .query_map(params_from_iter(args.iter()), |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.snippets = bodies
            .iter()
            .map(|b| snippet(b, &q.needles, SNIPPET_CHARS))
            .collect();
        let mut facets = self.conn.prepare_cached(&format!(
            "SELECT school, year, section, count(*) FROM sec WHERE {cond} GROUP BY 1, 2, 3"
        ))?;
        let mut rows = facets.query(params_from_iter(args.iter()))?;
        while let Some(row) = rows.next()? {
            let n: i64 = row.get(3)?;
            let n = n as u64;
            *out.school.entry(row.get(0)?).or_default() += n;
            *out.year.entry(row.get(1)?).or_default() += n;
            *out.section.entry(row.get(2)?).or_default() += n;
            out.total += n;
        }
        Ok(out)
    }

    /// Every matching section as (report id, section index).
    pub fn matching(&self, q: &BenchQuery) -> Result<Vec<(String, u64)>> {
        let (cond, args, _) = condition(q);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT report_id, section_idx FROM sec WHERE {cond}"
        ))?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// The WHERE clause for `q`, its parameters, and whether it has a MATCH (so `rank`
/// exists). Needles of three or more characters go to MATCH as quoted strings; shorter
/// ones to LIKE over all three text columns.
fn condition(q: &BenchQuery) -> (String, Vec<String>, bool) {
    let mut conds = Vec::new();
    let mut args = Vec::new();
    let (long, short): (Vec<&String>, Vec<&String>) =
        q.needles.iter().partition(|n| n.chars().count() >= 3);
    let ranked = !long.is_empty();
    if ranked {
        let expr = long
            .iter()
            .map(|n| format!("\"{}\"", n.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ");
        args.push(expr);
        conds.push(format!("sec MATCH ?{}", args.len()));
    }
    for n in short {
        let escaped = n
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(format!("%{escaped}%"));
        let i = args.len();
        conds.push(format!(
            "(heading LIKE ?{i} ESCAPE '\\' OR body LIKE ?{i} ESCAPE '\\' \
             OR meta LIKE ?{i} ESCAPE '\\')"
        ));
    }
    for (column, values) in [
        ("school", q.schools.clone()),
        ("year", q.years.clone()),
        (
            "section",
            q.sections.iter().map(|s| s.as_str().to_string()).collect(),
        ),
    ] {
        if values.is_empty() {
            continue;
        }
        let mut slots = Vec::new();
        for v in values {
            args.push(v);
            slots.push(format!("?{}", args.len()));
        }
        conds.push(format!("{column} IN ({})", slots.join(", ")));
    }
    (conds.join(" AND "), args, ranked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::CorpusSpec;
    use crate::queries::query_set;

    #[test]
    fn fts5_trigram_finds_long_words_and_like_finds_short_ones() {
        let spec = CorpusSpec {
            schools: 4,
            years: 1,
            seed: 1,
        };
        let reports = spec.generate(1);
        let dir = tempfile::tempdir().expect("tempdir");
        let fts = Fts5::load(&dir.path().join("p.sqlite"), &reports).expect("load");
        let sections: usize = reports.iter().map(|r| r.sections.len()).sum();
        for q in query_set(&spec) {
            let found = fts.matching(&q).expect("matching");
            let expected = reports
                .iter()
                .flat_map(|r| r.sections.iter().enumerate().map(move |(i, s)| (r, i, s)))
                .filter(|(r, _, s)| {
                    q.needles.iter().all(|n| {
                        fold(&s.text).contains(n.as_str())
                            || fold(&s.heading).contains(n.as_str())
                            || fold(&format!("{} {}", r.title, r.school)).contains(n.as_str())
                    }) && (q.schools.is_empty() || q.schools.contains(&r.school))
                        && (q.years.is_empty()
                            || q.years.iter().any(|y| Some(y) == r.year.as_ref()))
                        && (q.sections.is_empty() || q.sections.contains(&s.id))
                })
                .count();
            assert_eq!(found.len(), expected, "{}", q.label());
            assert!(found.len() <= sections);
            let res = fts.search(&q).expect("search");
            assert_eq!(res.total as usize, expected, "{}", q.label());
            assert_eq!(res.snippets.len(), expected.min(10));
        }
    }
}
