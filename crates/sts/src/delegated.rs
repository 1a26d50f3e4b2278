//! `GetDelegatedAccessToken`: a partner trades the token a customer sent for a delegation
//! request (`iamd_iam::delegation`) for credentials. iamd has no delegation requests, so it
//! never issued a trade-in token: every token is refused as not valid.

use iamd_iam::{Ctx, IamError};
use iamd_store::Tx;
use iamd_wire::{ApiError, Params, Value};

pub fn get_delegated_access_token(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(ApiError::new(
        "ExpiredTradeInTokenException",
        400,
        "The trade-in token is expired or is not valid.",
    )
    .into())
}
