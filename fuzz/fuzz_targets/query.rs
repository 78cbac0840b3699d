//! The query parser: the input, as text, is what a user typed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    xxgk_index::fuzzing::check_query(&String::from_utf8_lossy(data));
});
