//! HTML extraction: the input is a fetched page's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    xxgk_crawler::fuzzing::check_extract(data);
});
