//! Institutions: the registry's rows, plus one for each source or imported report whose
//! school is not in it. Every name an institution is known by — its name, its registry
//! name when a source renamed it, and the source's `aliases` — is kept folded
//! ([`registry::name_key`]) in `institution_names`, so 北京師範大學 finds 北京师范大学.
//!
//! Which institution a report belongs to is decided here, once: a crawled report belongs
//! to its source's institution; an imported one to the institution its school name (or
//! alias) names, else to a new institution of that name.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};
use xxgk_model::Report;

use crate::registry::{self, name_key, province_short, REGISTRY_ORIGIN, REGISTRY_TSV};
use crate::sources::Source;
use crate::{Archive, Error, Result};

/// An institution as the archive knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Institution {
    #[serde(skip)]
    pub id: i64,
    /// The ministry's code; `None` for a school not in the registry.
    pub code: Option<String>,
    /// The name shown: the source's name when a source names it, else the registry's.
    pub name: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub authority: Option<String>,
    /// 本科 or 专科 (registry institutions only).
    pub level: Option<String>,
    pub remark: Option<String>,
    /// `registry-2017`, `source` (a source not in the registry) or `report` (an imported
    /// report's school not in the registry).
    pub origin: String,
    /// Other names it is known by (old registry name, sources' aliases).
    pub aliases: Vec<String>,
    /// Names of the crawl sources linked to it.
    pub sources: Vec<String>,
}

impl Institution {
    /// The key reports of this institution carry into the index ([`Report::institution`]).
    pub fn key(&self) -> String {
        institution_key(self.code.as_deref(), self.id)
    }
}

/// The key of institution `id` with registry code `code`: the code where there is one
/// (stable across archives), else `x` and the archive's id.
pub fn institution_key(code: Option<&str>, id: i64) -> String {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => code.to_string(),
        None => format!("x{id}"),
    }
}

/// `report` as the archive hands it out: with the key of the institution it is linked to
/// (`code` and `id` of that institution, `None` when it is linked to none).
pub(crate) fn with_institution(mut report: Report, code: Option<&str>, id: Option<i64>) -> Report {
    report.institution = id.map(|id| institution_key(code, id));
    report
}

/// Which institutions to list.
#[derive(Debug, Clone, Default)]
pub struct InstitutionFilter {
    /// Province, long (湖南省) or short (湖南).
    pub province: Option<String>,
    /// 本科 or 专科.
    pub level: Option<String>,
}

impl InstitutionFilter {
    pub(crate) fn keeps(&self, inst: &Institution) -> bool {
        if let Some(p) = &self.province {
            let want = province_short(p);
            if inst.province.as_deref().map(province_short) != Some(want) {
                return false;
            }
        }
        if let Some(l) = &self.level {
            if inst.level.as_deref() != Some(l.trim()) {
                return false;
            }
        }
        true
    }

    /// Checks the values a user typed: a level is 本科 or 专科.
    pub fn validate(&self) -> Result<()> {
        if let Some(l) = &self.level {
            if !matches!(l.trim(), "本科" | "专科") {
                return Err(Error::Config(format!(
                    "level must be 本科 or 专科, not {l:?}"
                )));
            }
        }
        Ok(())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Adds `name` as a key of institution `id` unless the key is taken (by another
/// institution: logged; it keeps the key).
fn add_name(tx: &Transaction<'_>, id: i64, name: &str, kind: &str) -> Result<()> {
    let key = name_key(name);
    if key.is_empty() {
        return Ok(());
    }
    let owner: Option<i64> = tx
        .query_row(
            "SELECT institution_id FROM institution_names WHERE key = ?1",
            [&key],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        None => {
            tx.execute(
                "INSERT INTO institution_names (key, institution_id, name, kind)
                 VALUES (?1, ?2, ?3, ?4)",
                params![key, id, name, kind],
            )?;
        }
        Some(o) if o == id => {}
        Some(o) => {
            tracing::warn!(
                name,
                kind,
                "name already belongs to institution {o}; not added"
            );
        }
    }
    Ok(())
}

fn lookup(tx: &rusqlite::Connection, name: &str) -> Result<Option<i64>> {
    Ok(tx
        .query_row(
            "SELECT institution_id FROM institution_names WHERE key = ?1",
            [name_key(name)],
            |r| r.get(0),
        )
        .optional()?)
}

/// Moves everything of institution `from` (created for an imported report or a source
/// before the registry could place it) onto `to`, and deletes `from`.
fn merge(tx: &Transaction<'_>, from: i64, to: i64) -> Result<()> {
    if from == to {
        return Ok(());
    }
    tx.execute(
        "UPDATE reports SET institution_id = ?2 WHERE institution_id = ?1",
        params![from, to],
    )?;
    tx.execute(
        "UPDATE sources SET institution_id = ?2 WHERE institution_id = ?1",
        params![from, to],
    )?;
    tx.execute(
        "UPDATE institution_names SET institution_id = ?2 WHERE institution_id = ?1",
        params![from, to],
    )?;
    tx.execute("DELETE FROM institutions WHERE id = ?1", [from])?;
    Ok(())
}

/// The institution named `name`, created (origin `origin`) when no name or alias matches.
pub(crate) fn resolve_or_create(
    tx: &Transaction<'_>,
    name: &str,
    province: Option<&str>,
    origin: &str,
) -> Result<i64> {
    if let Some(id) = lookup(tx, name)? {
        return Ok(id);
    }
    let id: i64 = tx.query_row(
        "INSERT INTO institutions (name, province, origin) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id",
        params![name.trim(), province, origin],
        |r| r.get(0),
    )?;
    add_name(tx, id, name, "name")?;
    Ok(id)
}

impl Archive {
    /// Loads the shipped registry when the archive does not hold this version of it yet
    /// (a changed data file is upserted by code; names set by sources are kept), then
    /// links reports stored before institutions existed (archives from before schema 3).
    pub(crate) fn sync_registry(&mut self) -> Result<()> {
        let hash = sha256_hex(REGISTRY_TSV.as_bytes());
        let loaded: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'registry'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let unlinked_any: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM reports WHERE institution_id IS NULL)
                 OR EXISTS (SELECT 1 FROM sources WHERE institution_id IS NULL)",
            [],
            |r| r.get(0),
        )?;
        if loaded.as_deref() == Some(hash.as_str()) && !unlinked_any {
            return Ok(());
        }
        // Immediate, and the state read again inside: another process may be doing this
        // same work right now (see `migrate`).
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let loaded: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'registry'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if loaded.as_deref() != Some(hash.as_str()) {
            for e in registry::shipped()? {
                let id: i64 = tx.query_row(
                    "INSERT INTO institutions (code, name, province, city, authority, level,
                                               remark, origin)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT(code) DO UPDATE SET province = excluded.province,
                        city = excluded.city, authority = excluded.authority,
                        level = excluded.level, remark = excluded.remark
                     RETURNING id",
                    params![
                        e.code,
                        e.name,
                        e.province,
                        e.city,
                        e.authority,
                        e.level,
                        e.remark,
                        REGISTRY_ORIGIN
                    ],
                    |r| r.get(0),
                )?;
                add_name(&tx, id, &e.name, "registry")?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('registry', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [&hash],
            )?;
        }
        // Sources from before institutions (archives of schema 2).
        let sources: Vec<String> = {
            let mut stmt = tx.prepare("SELECT json FROM sources WHERE institution_id IS NULL")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for json in sources {
            let school: Source = serde_json::from_str(&json)?;
            let id = link_source(&tx, &school)?;
            tx.execute(
                "UPDATE sources SET institution_id = ?2 WHERE name = ?1",
                params![school.name, id],
            )?;
        }
        // Reports from before institutions: their page's source's, else by name.
        let unlinked: Vec<(String, String, Option<i64>)> = {
            let mut stmt = tx.prepare(
                "SELECT r.id, r.school,
                        (SELECT s.institution_id FROM pages p JOIN sources s ON s.name = p.school
                         WHERE p.report_id = r.id LIMIT 1)
                 FROM reports r WHERE r.institution_id IS NULL",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (id, school, source_institution) in unlinked {
            let inst = match source_institution {
                Some(inst) => inst,
                None => resolve_or_create(&tx, &school, None, "report")?,
            };
            tx.execute(
                "UPDATE reports SET institution_id = ?2 WHERE id = ?1",
                params![id, inst],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Links a crawl source to its institution: by `code` (an unknown code is an error),
/// else by its name or one of its aliases, else a new institution of its own. When a
/// source renames a registry institution (湖南商学院 → 湖南工商大学), the source's name
/// is shown and the registry's stays a name it is found by. Aliases are added.
pub(crate) fn link_source(tx: &Transaction<'_>, school: &Source) -> Result<i64> {
    {
        let by_code = match &school.code {
            Some(code) => Some(
                tx.query_row(
                    "SELECT id FROM institutions WHERE code = ?1",
                    [code.trim()],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .ok_or_else(|| {
                    Error::Config(format!(
                        "school {}: code {code} is not in the institution registry",
                        school.name
                    ))
                })?,
            ),
            None => None,
        };
        let by_name = lookup(tx, &school.name)?;
        let mut by_alias = None;
        for alias in &school.aliases {
            if let Some(id) = lookup(tx, alias)? {
                by_alias.get_or_insert(id);
            }
        }
        let id = match (by_code, by_name, by_alias) {
            (Some(code), name, _) => {
                // A name that points elsewhere is an institution made before the code was
                // known (an import, an earlier source): fold it into the registry's row.
                if let Some(other) = name.filter(|&n| n != code) {
                    let origin: String = tx.query_row(
                        "SELECT origin FROM institutions WHERE id = ?1",
                        [other],
                        |r| r.get(0),
                    )?;
                    if origin == REGISTRY_ORIGIN {
                        return Err(Error::Config(format!(
                            "school {}: code {} belongs to another registry institution than its name",
                            school.name,
                            school.code.as_deref().unwrap_or_default()
                        )));
                    }
                    merge(tx, other, code)?;
                }
                code
            }
            (None, Some(id), _) | (None, None, Some(id)) => id,
            (None, None, None) => {
                resolve_or_create(tx, &school.name, school.province.as_deref(), "source")?
            }
        };
        // The source's name is the one shown.
        let current: String =
            tx.query_row("SELECT name FROM institutions WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        if current != school.name.trim() {
            let clash: Option<i64> = tx
                .query_row(
                    "SELECT id FROM institutions WHERE name = ?1",
                    [school.name.trim()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = clash {
                merge(tx, other, id)?;
            }
            tx.execute(
                "UPDATE institutions SET name = ?2 WHERE id = ?1",
                params![id, school.name.trim()],
            )?;
            add_name(tx, id, &current, "registry")?;
        }
        add_name(tx, id, &school.name, "name")?;
        for alias in &school.aliases {
            add_name(tx, id, alias, "alias")?;
        }
        if let Some(p) = &school.province {
            tx.execute(
                "UPDATE institutions SET province = ?2 WHERE id = ?1 AND province IS NULL",
                params![id, p],
            )?;
        }
        Ok(id)
    }
}

impl Archive {
    /// The institution a name or alias (either script) belongs to.
    pub fn find_institution(&self, name: &str) -> Result<Option<Institution>> {
        let Some(id) = lookup(&self.conn, name)? else {
            return Ok(None);
        };
        Ok(self.load_institutions(Some(id))?.into_iter().next())
    }

    /// Institutions passing `filter`, registry ones in code order, then the others by name.
    pub fn institutions(&self, filter: &InstitutionFilter) -> Result<Vec<Institution>> {
        let mut all = self.load_institutions(None)?;
        all.retain(|i| filter.keeps(i));
        Ok(all)
    }

    pub(crate) fn load_institutions(&self, only: Option<i64>) -> Result<Vec<Institution>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, code, name, province, city, authority, level, remark, origin
             FROM institutions WHERE ?1 IS NULL OR id = ?1
             ORDER BY code IS NULL, code, name",
        )?;
        let rows = stmt.query_map([only], |r| {
            Ok(Institution {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                province: r.get(3)?,
                city: r.get(4)?,
                authority: r.get(5)?,
                level: r.get(6)?,
                remark: r.get::<_, Option<String>>(7)?.filter(|s| !s.is_empty()),
                origin: r.get(8)?,
                aliases: Vec::new(),
                sources: Vec::new(),
            })
        })?;
        let mut out: Vec<Institution> = rows.collect::<rusqlite::Result<_>>()?;
        let index: std::collections::HashMap<i64, usize> =
            out.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
        let mut stmt = self.conn.prepare(
            "SELECT institution_id, name FROM institution_names ORDER BY institution_id, name",
        )?;
        let names = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in names {
            let (id, name) = row?;
            if let Some(&i) = index.get(&id) {
                if name != out[i].name && !out[i].aliases.contains(&name) {
                    out[i].aliases.push(name);
                }
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT institution_id, name FROM sources WHERE institution_id IS NOT NULL
             ORDER BY name",
        )?;
        let sources = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in sources {
            let (id, name) = row?;
            if let Some(&i) = index.get(&id) {
                out[i].sources.push(name);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxgk_model::Report;

    fn report(school: &str, url: &str) -> Report {
        xxgk_testkit::report(school, "2020-2021")
            .url(url)
            .text("正文。")
            .build()
    }

    fn source(name: &str, code: Option<&str>, aliases: &[&str]) -> Source {
        Source {
            name: name.into(),
            code: code.map(Into::into),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            start: vec!["https://xxgk.example.edu.cn/".into()],
            ..Source::default()
        }
    }

    /// Issue 17: reports come out of the archive with their institution's key — the
    /// registry code, else `x` and the archive's id — whatever the stored JSON says.
    #[test]
    fn reports_carry_their_institutions_key() {
        let archive = Archive::open_in_memory().expect("archive");
        let registered = report("湖南商學院", "file:///b.txt");
        let mut unknown = report("翠谷大学", "file:///c.txt");
        unknown.institution = Some("stale".into());
        archive.put_report(&registered).expect("put");
        archive.put_report(&unknown).expect("put");
        let cuigu = archive
            .find_institution("翠谷大学")
            .expect("find")
            .expect("made for the report");
        assert_eq!(cuigu.code, None);
        assert_eq!(cuigu.key(), format!("x{}", cuigu.id));

        let got = archive
            .report(&registered.id)
            .expect("read")
            .expect("stored");
        assert_eq!(got.institution.as_deref(), Some("4143010554"));
        let got = archive.report(&unknown.id).expect("read").expect("stored");
        assert_eq!(got.institution, Some(cuigu.key()));
        let all: Vec<Option<String>> = archive
            .reports()
            .expect("reports")
            .into_iter()
            .map(|r| r.institution)
            .collect();
        assert_eq!(all.len(), 2);
        assert!(all.contains(&Some("4143010554".into())));
        assert!(all.contains(&Some(cuigu.key())));
        assert_eq!(institution_key(Some(" "), 7), "x7");
    }

    #[test]
    fn a_renamed_school_links_by_code_and_keeps_its_old_name() {
        let archive = Archive::open_in_memory().expect("archive");
        // Imported under the new name before any source said who that is.
        archive
            .put_report(&report("湖南工商大学", "file:///a.txt"))
            .expect("put");
        // And under the 2017 name, in traditional characters.
        archive
            .put_report(&report("湖南商學院", "file:///b.txt"))
            .expect("put");
        archive
            .put_source(&source("湖南工商大学", Some("4143010554"), &["湘商"]))
            .expect("link");
        let inst = archive
            .find_institution("湘商")
            .expect("find")
            .expect("alias known");
        assert_eq!(inst.code.as_deref(), Some("4143010554"));
        assert_eq!(inst.name, "湖南工商大学");
        assert!(inst.aliases.contains(&"湖南商学院".to_string()), "{inst:?}");
        assert_eq!(inst.sources, ["湖南工商大学"]);
        // Both reports are now the registry institution's: one row, not three.
        let hunan = archive
            .institutions(&InstitutionFilter {
                province: Some("湖南".into()),
                level: None,
            })
            .expect("list");
        assert_eq!(
            hunan
                .iter()
                .filter(|i| ["湖南工商大学", "湖南商学院", "湖南商學院"].contains(&i.name.as_str()))
                .count(),
            1
        );
        let none = archive.no_report(
            &["2020-2021".into()],
            &["湖南工商大学".into()],
            &InstitutionFilter::default(),
        );
        assert!(none.expect("no_report").is_empty(), "it has reports");
    }

    #[test]
    fn unknown_codes_and_levels_are_user_errors() {
        let archive = Archive::open_in_memory().expect("archive");
        let err = archive
            .put_source(&source("甲大学", Some("4199999999"), &[]))
            .expect_err("unknown code");
        assert!(err.is_user_error(), "{err}");
        let bad = InstitutionFilter {
            province: None,
            level: Some("硕士".into()),
        };
        assert!(bad.validate().expect_err("bad level").is_user_error());
        // A source not in the registry is an institution of its own, with its province.
        let mut s = source("新建大学", None, &["新大"]);
        s.province = Some("江东".into());
        archive.put_source(&s).expect("own");
        let own = archive
            .find_institution("新大")
            .expect("find")
            .expect("own");
        assert_eq!((own.code, own.origin.as_str()), (None, "source"));
        assert_eq!(own.province.as_deref(), Some("江东"));
    }
}
