//! Downloads: the application's CSV tables ([`xxgk_app::export`], the same bytes the CLI's
//! `xxgk schools --csv`, `xxgk coverage --csv` and `xxgk checklist --csv` print) streamed
//! row by row, with a byte-order mark for spreadsheet programs.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

pub use xxgk_app::export::{
    coverage_csv, coverage_rows, plain_text, schools_csv, schools_row, schools_rows, text_cell,
    COVERAGE_CSV_HEADER, SCHOOLS_CSV_HEADER,
};

/// Rows written to a streamed download at a time (see `csv_download`).
pub const CSV_CHUNK_ROWS: usize = 256;

/// A CSV download streamed from an answer already in memory: a byte-order mark (so that
/// spreadsheet programs read the Chinese text as UTF-8) and the header, then the rows of
/// each of `items` items ([`CSV_CHUNK_ROWS`] items a chunk). No row cap: the answer is
/// held once (shared with the cache) and the body never holds more than one chunk, so
/// the whole registry's coverage (42,000 rows) costs what one chunk costs.
pub(crate) fn csv_download<T: Send + Sync + 'static>(
    filename: &str,
    data: Arc<T>,
    items: usize,
    columns: Vec<String>,
    rows: impl Fn(&T, usize) -> Vec<Vec<String>> + Send + Sync + 'static,
) -> Response {
    let chunks = items.div_ceil(CSV_CHUNK_ROWS).max(1);
    let stream = futures_util::stream::iter(0..chunks).map(move |chunk| {
        let mut w = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
        if chunk == 0 {
            let _ = w.write_record(&columns);
        }
        let from = chunk * CSV_CHUNK_ROWS;
        for i in from..(from + CSV_CHUNK_ROWS).min(items) {
            for row in rows(&data, i) {
                // Writing to a Vec cannot fail.
                let _ = w.write_record(&row);
            }
        }
        let mut bytes = w.into_inner().unwrap_or_default();
        if chunk == 0 {
            bytes.splice(0..0, "\u{feff}".bytes());
        }
        Ok::<_, std::convert::Infallible>(Bytes::from(bytes))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
