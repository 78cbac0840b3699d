//! A consistent copy of a committed index, taken while a writer may be committing: the
//! files of the segments one `meta.json` names, then that `meta.json`. Segment files are
//! written once and never changed, so what a `meta.json` names is a complete index; a
//! writer's merge may delete a segment's files while they are copied, and then the copy
//! starts again from the newer `meta.json`.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use super::schema::VERSION_FILE;
use crate::{Error, Result};

/// Attempts before giving up on a writer that keeps deleting what is being copied.
const ATTEMPTS: usize = 20;

/// What [`copy_committed`] copied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopiedIndex {
    pub segments: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Copies the index committed in `src` into `dst` (created; it must not hold an index).
pub fn copy_committed(src: &Path, dst: &Path) -> Result<CopiedIndex> {
    if dst.join("meta.json").exists() {
        return Err(Error::Io(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already holds an index", dst.display()),
        )));
    }
    std::fs::create_dir_all(dst)?;
    let mut last = None;
    for _ in 0..ATTEMPTS {
        match try_copy(src, dst) {
            Ok(copied) => return Ok(copied),
            // A file named by the meta we read is gone: a newer commit replaced it.
            Err(Error::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
                last = Some(e);
                clear(dst)?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::Io(last.unwrap_or_else(|| {
        io::Error::other("the index kept changing while it was copied")
    })))
}

fn try_copy(src: &Path, dst: &Path) -> Result<CopiedIndex> {
    let meta = std::fs::read(src.join("meta.json"))?;
    let ids = segment_ids(&meta)?;
    let mut copied = CopiedIndex {
        segments: ids.len(),
        ..CopiedIndex::default()
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(src)? {
        let name = entry?.file_name();
        let Some(name) = name.to_str() else { continue };
        let segment = name.split('.').next().unwrap_or_default();
        if ids.contains(segment) && name.len() > segment.len() {
            copied.bytes += std::fs::copy(src.join(name), dst.join(name))?;
            copied.files += 1;
            names.push(name.to_string());
        }
    }
    // Every segment named must have been there (at least its store file).
    for id in &ids {
        if !names.iter().any(|n| n.starts_with(id.as_str())) {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::NotFound,
                format!("segment {id} is gone"),
            )));
        }
    }
    if let Ok(version) = std::fs::read(src.join(VERSION_FILE)) {
        std::fs::write(dst.join(VERSION_FILE), version)?;
    }
    names.push("meta.json".into());
    // The list tantivy keeps of the files it owns, so a writer on the copy may later
    // collect them like its own.
    let managed = serde_json::to_vec(&names).map_err(io::Error::other)?;
    std::fs::write(dst.join(".managed.json"), managed)?;
    // Last: with it, the copy is an index.
    std::fs::write(dst.join("meta.json"), meta)?;
    Ok(copied)
}

/// The segment ids (as in file names: no dashes) of a `meta.json`.
fn segment_ids(meta: &[u8]) -> Result<BTreeSet<String>> {
    let value: serde_json::Value = serde_json::from_slice(meta)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("meta.json: {e}")))?;
    let segments = value["segments"]
        .as_array()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "meta.json names no segments"))?;
    Ok(segments
        .iter()
        .filter_map(|s| s["segment_id"].as_str())
        .map(|id| id.replace('-', ""))
        .collect())
}

/// Removes a partial copy's files.
fn clear(dst: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dst)? {
        let path = entry?.path();
        if path.is_file() {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;
    use xxgk_model::SectionId;

    #[test]
    fn a_copy_of_a_committed_index_opens_and_holds_the_same_reports() {
        let src = tempfile::tempdir().expect("tempdir");
        let engine = Engine::open_or_create(src.path()).expect("index");
        let mut writer = engine.writer(1).expect("writer");
        for i in 0..5 {
            let r = xxgk_testkit::report(&format!("东海{i}大学"), "2020-2021")
                .section(SectionId::Overview, "一、概述", "学校公开了收费标准。")
                .build();
            writer.upsert(&r).expect("upsert");
            writer.commit().expect("commit");
        }
        let dst = tempfile::tempdir().expect("tempdir");
        let dst = dst.path().join("index");
        let copied = copy_committed(src.path(), &dst).expect("copy");
        assert!(copied.segments >= 1 && copied.files >= 5, "{copied:?}");
        let copy = Engine::open_read_only(&dst).expect("open the copy");
        assert_eq!(copy.stats().expect("stats").reports, 5);
        // Never over an index.
        assert!(copy_committed(src.path(), &dst).is_err());
    }
}
