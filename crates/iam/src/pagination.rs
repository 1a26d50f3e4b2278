//! AWS's `Marker` / `MaxItems` / `IsTruncated` over an ordered scan.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

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

/// Bytes of check appended to a marker's key suffix.
const CHECK: usize = 4;

fn check(prefix: &[u8], suffix: &[u8]) -> [u8; CHECK] {
    let d = Sha256::new()
        .chain_update((prefix.len() as u64).to_be_bytes())
        .chain_update(prefix)
        .chain_update(suffix)
        .finalize();
    let mut out = [0; CHECK];
    out.copy_from_slice(&d[..CHECK]);
    out
}

/// The marker resuming a scan of `prefix` after the key `prefix ++ suffix`: the suffix and a
/// check over both, so that a marker is valid only for the list that issued it.
fn encode_marker(prefix: &[u8], suffix: &[u8]) -> String {
    let mut raw = suffix.to_vec();
    raw.extend_from_slice(&check(prefix, suffix));
    URL_SAFE_NO_PAD.encode(raw)
}

/// A marker's key suffix. AWS refuses a `Marker` it did not issue for that list with a
/// `ValidationError` rather than starting anywhere: a made-up, truncated or edited marker, or
/// one from another list, is `Invalid Marker.` here.
fn decode_marker(prefix: &[u8], marker: &str) -> Result<Vec<u8>, IamError> {
    let raw = URL_SAFE_NO_PAD.decode(marker).map_err(|_| bad_marker())?;
    let split = raw.len().checked_sub(CHECK).ok_or_else(bad_marker)?;
    let (suffix, tag) = raw.split_at(split);
    if tag != check(prefix, suffix) {
        return Err(bad_marker());
    }
    Ok(suffix.to_vec())
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
            let suffix = decode_marker(prefix, m)?;
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
                        marker: Some(encode_marker(prefix, suffix)),
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
        // Only the markers this function hands out: an index inside the list, in its canonical
        // form ("07", "+7" or "-1" are not markers).
        Some(m) => match m.parse::<usize>() {
            Ok(i) if i > 0 && i <= all.len() && i.to_string() == m => i,
            _ => return Err(bad_marker()),
        },
    };
    let rest = all.get(start..).unwrap_or_default();
    let items: Vec<T> = rest.iter().take(max).cloned().collect();
    let marker = (rest.len() > max).then(|| (start + max).to_string());
    Ok(Page { items, marker })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests
    use super::*;
    use iamd_store::MemoryStore;

    fn scan_page(
        store: &MemoryStore,
        prefix: &[u8],
        marker: Option<&str>,
        max: i64,
    ) -> Result<Page<String>, IamError> {
        iamd_store::write(store, |tx| {
            page(tx, prefix, marker, Some(max), |_, k, _| {
                Ok(Some(String::from_utf8_lossy(k).into_owned()))
            })
        })
    }

    #[test]
    fn markers_resume_only_the_list_that_issued_them() {
        let store = MemoryStore::new();
        iamd_store::write(&store, |tx| {
            for k in ["a/1", "a/2", "a/3", "b/1", "b/2", "b/3"] {
                tx.put(k.as_bytes(), b"x")?;
            }
            Ok::<_, IamError>(())
        })
        .unwrap();
        let first = scan_page(&store, b"a/", None, 1).unwrap();
        let m = first.marker.clone().unwrap();
        assert_eq!(first.items, ["a/1"]);
        assert_eq!(
            scan_page(&store, b"a/", Some(&m), 5).unwrap().items,
            ["a/2", "a/3"]
        );
        let from_b = scan_page(&store, b"b/", None, 1).unwrap().marker.unwrap();
        let mut edited = m.clone();
        edited.replace_range(0..1, if m.starts_with('A') { "B" } else { "A" });
        for bad in [
            "",              // empty
            "!!!",           // not base64
            "MQ",            // decodes, but too short to carry a check
            "bWFkZS11cA",    // a made-up key without a check
            edited.as_str(), // an edited marker
            from_b.as_str(), // another list's marker
        ] {
            let e = scan_page(&store, b"a/", Some(bad), 5).err();
            assert!(
                matches!(&e, Some(e) if format!("{e:?}").contains("Invalid Marker")),
                "{bad:?}: {e:?}"
            );
        }
    }

    #[test]
    fn slice_markers_are_canonical_indexes_inside_the_list() {
        let all: Vec<u32> = (0..5).collect();
        let p = page_slice(&all, None, Some(2)).unwrap();
        assert_eq!(
            (p.items.as_slice(), p.marker.as_deref()),
            (&[0, 1][..], Some("2"))
        );
        let p = page_slice(&all, Some("4"), Some(2)).unwrap();
        assert_eq!((p.items.as_slice(), p.marker.as_deref()), (&[4][..], None));
        for bad in [
            "",
            "x",
            "0",
            "07",
            "+2",
            "-1",
            "6",
            "99999999999999999999999",
        ] {
            assert!(page_slice(&all, Some(bad), Some(2)).is_err(), "{bad:?}");
        }
    }
}
