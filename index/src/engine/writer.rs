//! Writing reports: one document per section, one writer per index.

use tantivy::indexer::UserOperation;
use tantivy::schema::Facet;
use tantivy::{IndexWriter, TantivyDocument, Term};
use tracing::warn;

use super::schema::Fields;
use super::Engine;
use crate::report::Report;
use crate::{Error, Result};

/// The indexing memory of each writer thread before it writes a segment. Bigger
/// segments mean fewer of them to merge while indexing goes on: on 2 cores at full size
/// (1.2 GB of text) 256 MB a thread indexes at 40.9 MB/s where 64 MB gave 37.2 (mid-large:
/// 41.1 against 34.9–37.7, merges 2 s → 0.1 s); see BENCHMARKS.md. Taken as used, not
/// up front: a small import stays small.
const WRITER_MEMORY_PER_THREAD: usize = 256_000_000;

impl Engine {
    /// A writer; only one can exist per index (across processes too).
    pub fn writer(&self, threads: usize) -> Result<Writer> {
        let threads = threads.clamp(1, 8);
        let inner = self
            .index
            .writer_with_num_threads(threads, WRITER_MEMORY_PER_THREAD * threads)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => Error::WriterBusy,
                other => other.into(),
            })?;
        Ok(Writer {
            inner,
            f: self.f,
            cut_reports: 0,
        })
    }
}

/// Writes reports; one per index at a time.
pub struct Writer {
    pub(super) inner: IndexWriter,
    f: Fields,
    cut_reports: usize,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Adds `report`, replacing any earlier version with the same id.
    ///
    /// A report above the size limits is indexed bounded ([`crate::limits::bound`]): long
    /// sections in parts, a huge report cut with a warning and a note.
    pub fn upsert(&mut self, report: &Report) -> Result<()> {
        match crate::limits::bound(report) {
            None => self.upsert_bounded(report),
            Some((bounded, cut)) => {
                if let Some(cut) = cut {
                    self.cut_reports += 1;
                    warn!(
                        report = %report.id,
                        school = %report.school,
                        original_bytes = cut.original_bytes,
                        kept_bytes = cut.kept_bytes,
                        "report text above the size limit was cut"
                    );
                }
                self.upsert_bounded(&bounded)
            }
        }
    }

    /// Reports cut at the size limit by this writer so far.
    pub fn cut_reports(&self) -> usize {
        self.cut_reports
    }

    fn upsert_bounded(&mut self, report: &Report) -> Result<()> {
        self.delete(&report.id);
        let f = self.f;
        let school = if report.school.is_empty() {
            "(未知)"
        } else {
            report.school.as_str()
        };
        let published_sort = published_sort(report);
        // One batch: tantivy puts a batch's documents in one segment, so a report's
        // sections stay together (the grouped search counts reports across segments all
        // the same).
        let mut batch = Vec::with_capacity(report.sections.len());
        for (idx, section) in report.sections.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.report_id, &report.id);
            doc.add_u64(f.section_idx, idx as u64);
            doc.add_text(f.section, section.id.as_str());
            doc.add_text(f.school, school);
            doc.add_facet(f.facets, Facet::from_path(["school", school]));
            doc.add_facet(f.facets, Facet::from_path(["section", section.id.as_str()]));
            if let Some(year) = &report.year {
                doc.add_text(f.year, year);
                doc.add_facet(f.facets, Facet::from_path(["year", year.as_str()]));
            }
            doc.add_text(f.title, &report.title);
            doc.add_text(f.meta, format!("{} {}", report.title, school));
            doc.add_text(f.heading, &section.heading);
            doc.add_text(f.body, &section.text);
            doc.add_text(f.url, &report.url);
            if let Some(p) = &report.published {
                doc.add_text(f.published, p);
            }
            doc.add_u64(f.published_sort, published_sort);
            doc.add_text(f.script, report.script.as_str());
            if let Some(p) = &report.province {
                doc.add_text(f.province, p);
            }
            if let Some(k) = &report.kind {
                doc.add_text(f.kind, k);
            }
            doc.add_text(f.content_hash, &report.content_hash);
            if let Some(i) = &report.institution {
                doc.add_text(f.institution, i);
            }
            if idx == 0 {
                for (field, value) in [
                    (f.year_as_written, &report.year_as_written),
                    (f.period_start, &report.period_start),
                    (f.period_end, &report.period_end),
                ] {
                    if let Some(v) = value {
                        doc.add_text(field, v);
                    }
                }
            }
            batch.push(UserOperation::Add(doc));
        }
        self.inner.run(batch)?;
        Ok(())
    }

    /// Removes a report (all its sections).
    pub fn delete(&mut self, report_id: &str) {
        self.inner
            .delete_term(Term::from_field_text(self.f.report_id, report_id));
    }

    /// Removes everything (before a rebuild).
    pub fn clear(&mut self) -> Result<()> {
        self.inner.delete_all_documents()?;
        Ok(())
    }

    /// Makes the changes durable and visible to readers.
    pub fn commit(&mut self) -> Result<()> {
        self.inner.commit()?;
        Ok(())
    }

    /// Waits for merges to finish (call before dropping at the end of a batch job).
    pub fn finish(self) -> Result<()> {
        self.inner.wait_merging_threads()?;
        Ok(())
    }
}

/// The date order's key: `YYYYMMDD` of the publication date; an undated report sorts
/// after every dated one, newest year first (its year's end, `2021` for 2020-2021, times
/// ten plus its kind: far below any date) — never in arbitrary order (issue 18).
fn published_sort(report: &Report) -> u64 {
    let dated = report
        .published
        .as_deref()
        .map(|d| d.chars().filter(char::is_ascii_digit).collect::<String>())
        .and_then(|d| d.parse::<u64>().ok())
        .filter(|d| *d >= 1_000_000);
    dated.unwrap_or_else(|| {
        report
            .year
            .as_deref()
            .and_then(xxgk_model::year::ReportYear::parse)
            .map_or(0, |y| {
                let (end, kind) = y.sort_key();
                u64::from(end) * 10 + u64::from(kind)
            })
    })
}
