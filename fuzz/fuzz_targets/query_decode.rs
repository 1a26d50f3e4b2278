//! The Query protocol decoder on arbitrary request bodies: parse, then decode against a few
//! operations' input shapes. Must never panic.
#![no_main]

use iamd_wire::{Model, decode_input, parse_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(params) = parse_query(data) {
        let model = Model::get();
        for action in ["CreateUser", "TagUser", "SimulateCustomPolicy", "AssumeRole", "ListUsers"] {
            if let Some(op) = model.operation(action) {
                let _ = decode_input(&model, op, &params);
            }
        }
    }
});
