//! [`App::scorecard`]: the scorecard rows in scope with their checklist counts, cached.

use std::collections::HashMap;
use std::sync::Arc;

use xxgk_archive::coverage::academic_of;
use xxgk_archive::{InstitutionFilter, ScorecardFilter, ScorecardRow};
use xxgk_index::checklist::MatrixRequest;
use xxgk_model::names::name_key;

use crate::cache::{Key, Value};
use crate::scorecard::{Scorecard, ScorecardLine, ScorecardRequest};
use crate::{App, Error, Result};

impl App {
    /// The scorecard rows in scope, each with its school's checklist count for its
    /// year; filters checked once (a year no report covers, a school or province nobody
    /// knows is the caller's mistake). Empty without an archive.
    pub fn scorecard(&self, req: &ScorecardRequest) -> Result<Arc<Scorecard>> {
        let known = self.known()?;
        let years = known.held_years(&req.years)?;
        let province = req
            .province
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        known.institution_filter(&InstitutionFilter {
            province: province.clone(),
            level: None,
        })?;
        // The names as asked and as the index writes them: the archive matches either.
        let mut schools = known.schools(&req.schools)?;
        schools.extend(req.schools.iter().map(|s| s.trim().to_string()));
        schools.retain(|s| !s.is_empty());
        schools.sort();
        schools.dedup();
        let filter = ScorecardFilter {
            years: years.iter().filter_map(|y| academic_of(y)).collect(),
            schools: schools.clone(),
            province: province.clone(),
        };
        let key = Key::Scorecard {
            years,
            schools,
            province,
        };
        let stamp = self.stamp(true, true)?;
        let value = self.cache.get_or_compute(key, stamp, || {
            let rows = match &self.archive {
                Some(a) => a.scorecard(&filter)?,
                None => Vec::new(),
            };
            Ok(Value::Scorecard(Arc::new(self.with_checklist(rows)?)))
        })?;
        match value {
            Value::Scorecard(s) => Ok(s),
            _ => Err(super::mixed()),
        }
    }

    /// `rows` with their checklist counts: one matrix per academic year among them.
    fn with_checklist(&self, rows: Vec<ScorecardRow>) -> Result<Scorecard> {
        let mut covered: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for row in &rows {
            let Some(year) = row.card.year.as_deref().and_then(academic_of) else {
                continue;
            };
            if covered.contains_key(&year) {
                continue;
            }
            let matrix = self.checklist(&MatrixRequest {
                year: Some(year.clone()),
                without_snippets: true,
                ..MatrixRequest::default()
            });
            let mut by_school = HashMap::new();
            match matrix {
                Ok(matrix) => {
                    for r in &matrix.rows {
                        if let Some(key) = &r.institution {
                            by_school.insert(key.clone(), r.covered);
                        }
                        by_school.insert(name_key(&r.school), r.covered);
                    }
                }
                // A year the archive holds and the index does not (yet): no count.
                Err(Error::BadRequest(_)) => {}
                Err(e) => return Err(e),
            }
            covered.insert(year, by_school);
        }
        let rows: Vec<ScorecardLine> = rows
            .into_iter()
            .map(|row| {
                let checklist_items = row
                    .card
                    .year
                    .as_deref()
                    .and_then(academic_of)
                    .and_then(|y| covered.get(&y))
                    .and_then(|m| {
                        row.institution
                            .as_ref()
                            .and_then(|k| m.get(k))
                            .or_else(|| m.get(&name_key(&row.school)))
                            .copied()
                    });
                ScorecardLine {
                    row,
                    checklist_items,
                }
            })
            .collect();
        Ok(Scorecard {
            total: rows.len(),
            rows,
        })
    }
}
