//! The highlighter: the first line of the input is the query, the second a needle, the
//! rest the section text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut parts = input.splitn(3, '\n');
    let query = parts.next().unwrap_or_default();
    let needle = parts.next().unwrap_or_default();
    let text = parts.next().unwrap_or_default();
    xxgk_index::fuzzing::check_highlight(text, query, &[needle.to_string()]);
});
