//! `iamd_fuzz::aws_chunked` under AFL++ (default) or libFuzzer (`--features libfuzzer`, nightly).
#![cfg_attr(feature = "libfuzzer", no_main)]

#[cfg(feature = "libfuzzer")]
libfuzzer_sys::fuzz_target!(init: iamd_fuzz::init(), |data: &[u8]| iamd_fuzz::aws_chunked(data));

#[cfg(all(feature = "afl", not(feature = "libfuzzer")))]
fn main() {
    iamd_fuzz::init();
    afl::fuzz!(|data: &[u8]| iamd_fuzz::aws_chunked(data));
}

#[cfg(not(any(feature = "afl", feature = "libfuzzer")))]
fn main() {
    // Without a fuzzing engine: run the target once on every file named on the command line
    // (or on stdin), e.g. to reproduce a crash under a debugger.
    iamd_fuzz::run_files(std::env::args_os().skip(1), iamd_fuzz::aws_chunked);
}
