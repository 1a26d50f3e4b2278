//! The AWS Query protocol spoken by IAM and STS, driven by botocore's service models.
//!
//! `model/iam.json` and `model/sts.json` are botocore's models trimmed of documentation
//! (`tools/trim_models.py`). From them this crate decodes a query string into typed, validated
//! [`Value`]s, encodes an operation's result as AWS's XML, and renders AWS error documents.
//! It does no I/O and keeps no clock.

mod decode;
mod encode;
mod error;
mod json_in;
mod json_str;
mod model;
mod query;
mod typed;
mod value;
mod violation_order;

pub use decode::decode_input;
pub use encode::{encode_error, encode_result, iso8601};
pub use error::ApiError;
pub use json_str::write_json_str;
pub use model::{Model, Operation, Service, Shape, ShapeKind};
pub use query::{QueryParams, parse_query};
pub use typed::decode_typed;
pub use value::{Params, Value};
