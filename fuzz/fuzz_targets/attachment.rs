//! The pure-Rust attachment readers (.docx, spreadsheets, Word's web-page .doc): the
//! input is a downloaded file. Seed the corpus with real .docx/.xlsx files for depth.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    xxgk_crawler::fuzzing::check_attachment(data);
});
