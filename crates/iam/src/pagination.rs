//! AWS's `Marker` / `MaxItems` / `IsTruncated` over an ordered scan.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use iamd_store::Tx;
use iamd_wire::Value;

use crate::IamError;

/// AWS's default page size for IAM lists.
pub const DEFAULT_MAX_ITEMS: usize = 100;

pub struct Page<T> {
    pub items: Vec<T>,
    /// Set when more items follow: the `Marker` for the next request.
    pub marker: Option<String>,
}

impl<T> Page<T> {
    /// Adds `IsTruncated` and, when truncated, `Marker` to a result.
    pub fn finish(&self, result: Value) -> Value {
        result
            .with("IsTruncated", self.marker.is_some())
            .with_opt("Marker", self.marker.clone())
    }
}

fn bad_marker() -> IamError {
    IamError::validation("Invalid Marker.")
}

/// Pages over the records under `prefix`. `each` maps a record to an item, or `None` to skip it
/// (a filter such as `PathPrefix`). A page is truncated only when another matching item exists.
pub fn page<T>(
    tx: &mut dyn Tx,
    prefix: &[u8],
    marker: Option<&str>,
    max_items: Option<i64>,
    mut each: impl FnMut(&mut dyn Tx, &[u8], &[u8]) -> Result<Option<T>, IamError>,
) -> Result<Page<T>, IamError> {
    let max = max_items
        .and_then(|m| usize::try_from(m).ok())
        .unwrap_or(DEFAULT_MAX_ITEMS)
        .max(1);
    let mut after: Option<Vec<u8>> = match marker {
        None => None,
        Some(m) => {
            let suffix = URL_SAFE_NO_PAD.decode(m).map_err(|_| bad_marker())?;
            let mut k = prefix.to_vec();
            k.extend_from_slice(&suffix);
            Some(k)
        }
    };
    let mut items = Vec::new();
    let mut last: Option<Vec<u8>> = None;
    loop {
        let want = (max + 1 - items.len().min(max)).clamp(16, 1000);
        let batch = tx.scan(prefix, after.as_deref(), want)?;
        if batch.is_empty() {
            return Ok(Page {
                items,
                marker: None,
            });
        }
        for (k, v) in batch {
            let item = each(tx, &k, &v)?;
            if let Some(item) = item {
                if items.len() == max {
                    let last = last.unwrap_or_default();
                    let suffix = last.get(prefix.len()..).unwrap_or_default();
                    return Ok(Page {
                        items,
                        marker: Some(URL_SAFE_NO_PAD.encode(suffix)),
                    });
                }
                items.push(item);
                last = Some(k.clone());
            }
            after = Some(k);
        }
    }
}

/// Pages over an in-memory list (a user's tags): the marker is the next index.
pub fn page_slice<T: Clone>(
    all: &[T],
    marker: Option<&str>,
    max_items: Option<i64>,
) -> Result<Page<T>, IamError> {
    let max = max_items
        .and_then(|m| usize::try_from(m).ok())
        .unwrap_or(DEFAULT_MAX_ITEMS)
        .max(1);
    let start = match marker {
        None => 0,
        Some(m) => m.parse::<usize>().map_err(|_| bad_marker())?,
    };
    let rest = all.get(start..).unwrap_or_default();
    let items: Vec<T> = rest.iter().take(max).cloned().collect();
    let marker = (rest.len() > max).then(|| (start + max).to_string());
    Ok(Page { items, marker })
}
