//! Charset decoding: the first line of the input is the Content-Type header (may be
//! empty), the rest the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (header, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (std::str::from_utf8(&data[..i]).ok(), &data[i + 1..]),
        None => (None, data),
    };
    xxgk_crawler::fuzzing::check_decode(body, header, Some("example.edu.cn"));
});
