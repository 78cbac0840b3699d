//! The index's fields: one document per report section, with the report's fields copied
//! on it.

use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    STORED, STRING,
};

use crate::analysis::TOKENIZER;

/// The version of [`schema`] and of what the analyzer puts in it: bump it with any change
/// that an index built before cannot serve (an index of another version is refused with
/// [`crate::Error::OldSchema`] and rebuilt from the archive). 2: the report's institution.
/// 3: the year as written and the statistics period (issue 19).
pub const SCHEMA_VERSION: u32 = 3;

/// The file beside the index's own that records its [`SCHEMA_VERSION`] (an index without
/// it is of version 1).
pub(super) const VERSION_FILE: &str = "xxgk-schema-version";

#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) report_id: Field,
    pub(super) section_idx: Field,
    pub(super) section: Field,
    pub(super) school: Field,
    pub(super) year: Field,
    pub(super) facets: Field,
    pub(super) title: Field,
    pub(super) meta: Field,
    pub(super) heading: Field,
    pub(super) body: Field,
    pub(super) url: Field,
    pub(super) published: Field,
    pub(super) published_sort: Field,
    pub(super) script: Field,
    pub(super) province: Field,
    pub(super) kind: Field,
    pub(super) content_hash: Field,
    pub(super) institution: Field,
    /// The year as the report writes it and its statistics period, stored on the
    /// report's first section only.
    pub(super) year_as_written: Field,
    pub(super) period_start: Field,
    pub(super) period_end: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let chinese = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text_stored = TextOptions::default()
        .set_indexing_options(chinese.clone())
        .set_stored();
    let text_only = TextOptions::default().set_indexing_options(chinese);
    let fields = Fields {
        report_id: b.add_text_field("report_id", STRING | STORED),
        section_idx: b.add_u64_field(
            "section_idx",
            NumericOptions::default().set_indexed().set_stored(),
        ),
        section: b.add_text_field("section", STRING | STORED),
        school: b.add_text_field("school", STRING | STORED),
        year: b.add_text_field("year", STRING | STORED),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        title: b.add_text_field("title", STORED),
        meta: b.add_text_field("meta", text_only),
        heading: b.add_text_field("heading", text_stored.clone()),
        body: b.add_text_field("body", text_stored),
        url: b.add_text_field("url", STORED),
        published: b.add_text_field("published", STORED),
        published_sort: b.add_u64_field("published_sort", NumericOptions::default().set_fast()),
        script: b.add_text_field("script", STRING | STORED),
        province: b.add_text_field("province", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        content_hash: b.add_text_field("content_hash", STORED),
        institution: b.add_text_field("institution", STRING | STORED),
        year_as_written: b.add_text_field("year_as_written", STORED),
        period_start: b.add_text_field("period_start", STORED),
        period_end: b.add_text_field("period_end", STORED),
    };
    (b.build(), fields)
}
