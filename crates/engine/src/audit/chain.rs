//! Events chained per account. Event `n` of an account is stored under
//! `audit/ACCOUNT/n` (zero-padded, so keys sort by sequence) with the MAC of the previous event
//! and its own: `mac(n) = HMAC(key, mac(n-1) ‖ n ‖ account ‖ event)`. The account's head
//! (`audithead/ACCOUNT`) holds the last sequence number and MAC; retention records where the
//! chain now starts (`auditbase/ACCOUNT`). The key is derived from the master key, which is not in
//! the database: whoever edits the database cannot forge a chain that verifies.
//!
//! A stored value holds one event, or a *segment* of consecutive events of one account stored
//! under the first one's sequence number: the background writer stores each batch's events that
//! way, compressed (LZ4), which keeps the trail's share of the database's write volume small.
//! Every event keeps its own sequence number and MAC inside a segment, so verification is the
//! same event by event.

use hmac::{KeyInit, Mac};
use serde_json::json;
use time::OffsetDateTime;

use iamd_iam::secrets::MasterKey;
use iamd_store::{Store, StoreError, Tx};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The MAC before an account's first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    pub fn from_master(master: &MasterKey) -> ChainKey {
        ChainKey(master.derive("iamd-audit-chain-v1"))
    }

    fn mac(&self, prev: &str, seq: u64, account: &str, event: &str) -> String {
        // A 32-byte key is always accepted by HMAC.
        let Ok(mut m) = <HmacSha256 as KeyInit>::new_from_slice(&self.0) else {
            return String::new();
        };
        m.update(prev.as_bytes());
        m.update(b"\n");
        m.update(seq.to_string().as_bytes());
        m.update(b"\n");
        m.update(account.as_bytes());
        m.update(b"\n");
        m.update(event.as_bytes());
        hex::encode(m.finalize().into_bytes())
    }
}

/// Whether `key` is one of the trail's own (events, heads, bases): no cache is built from them.
pub fn is_trail_key(key: &[u8]) -> bool {
    [&b"audit/"[..], b"audithead/", b"auditbase/"]
        .iter()
        .any(|p| key.starts_with(p))
}

pub fn event_key(account: &str, seq: u64) -> Vec<u8> {
    format!("audit/{account}/{seq:020}").into_bytes()
}
pub fn events_prefix(account: &str) -> Vec<u8> {
    format!("audit/{account}/").into_bytes()
}
fn head_key(account: &str) -> Vec<u8> {
    format!("audithead/{account}").into_bytes()
}
fn base_key(account: &str) -> Vec<u8> {
    format!("auditbase/{account}").into_bytes()
}

/// One stored event.
/// Stored as three header lines and the event's own bytes (`SEQ\nPREV\nMAC\nEVENT`), so the
/// event is not escaped into another JSON document. Compact JSON has no raw newline.
#[derive(Debug, Clone)]
pub struct Record {
    pub seq: u64,
    pub prev: String,
    pub mac: String,
    /// The CloudTrail record, as JSON text (the MAC covers these exact bytes).
    pub event: String,
}

#[derive(serde::Deserialize, serde::Serialize)]
pub struct Head {
    seq: u64,
    mac: String,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn get_head(tx: &mut dyn Tx, key: &[u8]) -> Result<Option<Head>, StoreError> {
    match tx.get(key)? {
        None => Ok(None),
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|_| corrupt("audit head")),
    }
}

/// Appends `event` to `account`'s chain in `tx`; returns its sequence number.
pub fn append(
    tx: &mut dyn Tx,
    key: &ChainKey,
    account: &str,
    event: &str,
) -> Result<u64, StoreError> {
    let mut a = Appender::default();
    let seq = a.append(tx, key, account, event)?;
    a.finish(tx)?;
    Ok(seq)
}

/// The first bytes of a segment's value (a single record starts with its sequence number).
const SEGMENT_MAGIC: &[u8] = b"\0iamd-segment-1\n";
/// Most events in one segment: bounds what a lookup decompresses to read one event.
const SEGMENT_MAX: usize = 256;

/// Appends many events in one transaction, reading and writing each account's head once. It
/// borrows the events and writes each one's bytes once, into the stored value.
#[derive(Default)]
pub struct Appender<'a> {
    heads: std::collections::HashMap<String, Head>,
    /// Events appended, in order, each with its account; stored by [`Appender::finish`].
    pending: Vec<Pending<'a>>,
}

struct Pending<'a> {
    account: &'a str,
    seq: u64,
    prev: String,
    mac: String,
    event: &'a str,
}

impl<'a> Appender<'a> {
    pub fn append(
        &mut self,
        tx: &mut dyn Tx,
        key: &ChainKey,
        account: &'a str,
        event: &'a str,
    ) -> Result<u64, StoreError> {
        if !self.heads.contains_key(account) {
            let h = get_head(tx, &head_key(account))?.unwrap_or(Head {
                seq: 0,
                mac: GENESIS.to_string(),
            });
            self.heads.insert(account.to_string(), h);
        }
        let Some(head) = self.heads.get_mut(account) else {
            return Err(corrupt("audit head"));
        };
        let seq = head.seq + 1;
        let mac = key.mac(&head.mac, seq, account, event);
        head.seq = seq;
        let prev = std::mem::replace(&mut head.mac, mac.clone());
        self.pending.push(Pending {
            account,
            seq,
            prev,
            mac,
            event,
        });
        Ok(seq)
    }

    /// Stores the events (one alone as a plain record, several of an account as segments) and
    /// the heads; call once, after the last append, in the same transaction.
    pub fn finish(self, tx: &mut dyn Tx) -> Result<(), StoreError> {
        let mut by_account: std::collections::BTreeMap<&str, Vec<&Pending>> = Default::default();
        for p in &self.pending {
            by_account.entry(p.account).or_default().push(p);
        }
        for (account, records) in by_account {
            for chunk in records.chunks(SEGMENT_MAX) {
                match chunk {
                    [one] => {
                        let mut out = Vec::with_capacity(one.event.len() + 160);
                        one.write(&mut out);
                        tx.put(&event_key(account, one.seq), &out)?
                    }
                    [first, ..] => tx.put(&event_key(account, first.seq), &segment(chunk))?,
                    [] => {}
                }
            }
        }
        for (account, head) in self.heads {
            let bytes = serde_json::to_vec(&head).map_err(|_| corrupt("audit head"))?;
            tx.put(&head_key(&account), &bytes)?;
        }
        Ok(())
    }
}

/// A record's stored bytes: `SEQ\nPREV\nMAC\nEVENT`.
fn write_record(out: &mut Vec<u8>, seq: u64, prev: &str, mac: &str, event: &str) {
    use std::io::Write;
    let _ = write!(out, "{seq}\n{prev}\n{mac}\n");
    out.extend_from_slice(event.as_bytes());
}

impl Pending<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        write_record(out, self.seq, &self.prev, &self.mac, self.event);
    }

    /// The stored length: the header lines and the event.
    fn len(&self) -> usize {
        let digits = self.seq.checked_ilog10().unwrap_or(0) as usize + 1;
        digits + self.prev.len() + self.mac.len() + 3 + self.event.len()
    }
}

impl Record {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.event.len() + 160);
        write_record(&mut out, self.seq, &self.prev, &self.mac, &self.event);
        out
    }
}

/// A segment's value: the magic, then LZ4 of each record's length (u32, little-endian) and bytes.
fn segment(records: &[&Pending]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(records.iter().map(|r| r.len() + 4).sum());
    for r in records {
        raw.extend_from_slice(&(r.len() as u32).to_le_bytes());
        r.write(&mut raw);
    }
    let mut out = SEGMENT_MAGIC.to_vec();
    out.extend_from_slice(&lz4_flex::compress_prepend_size(&raw));
    out
}

/// The records of one stored value (one, or a segment's), oldest first.
pub fn records(bytes: &[u8]) -> Result<Vec<Record>, StoreError> {
    let Some(packed) = bytes.strip_prefix(SEGMENT_MAGIC) else {
        return Ok(vec![parse(bytes)?]);
    };
    let raw = lz4_flex::decompress_size_prepended(packed).map_err(|_| corrupt("audit segment"))?;
    let mut out = Vec::new();
    let mut rest = raw.as_slice();
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_at_checked(4)
            .ok_or_else(|| corrupt("audit segment"))?;
        let len = u32::from_le_bytes(len.try_into().map_err(|_| corrupt("audit segment"))?);
        let (one, tail) = tail
            .split_at_checked(len as usize)
            .ok_or_else(|| corrupt("audit segment"))?;
        out.push(parse(one)?);
        rest = tail;
    }
    if out.is_empty() {
        return Err(corrupt("audit segment"));
    }
    Ok(out)
}

/// `account`'s events after sequence number `after`, oldest first, reading at most `limit`
/// stored values.
pub fn records_after(
    tx: &mut dyn Tx,
    account: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<Record>, StoreError> {
    let prefix = events_prefix(account);
    let next = event_key(account, after.saturating_add(1));
    // The value holding `after + 1` may start before it (a segment), then the ones after it.
    let mut values = tx.scan_rev(&prefix, Some(&next), 1)?;
    values.extend(tx.scan(&prefix, Some(&event_key(account, after)), limit)?);
    let mut out = Vec::new();
    for (_, v) in values {
        out.extend(records(&v)?.into_iter().filter(|r| r.seq > after));
    }
    Ok(out)
}

fn parse(bytes: &[u8]) -> Result<Record, StoreError> {
    let text = std::str::from_utf8(bytes).map_err(|_| corrupt("audit record"))?;
    let mut parts = text.splitn(4, '\n');
    let (Some(seq), Some(prev), Some(mac), Some(event)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(corrupt("audit record"));
    };
    Ok(Record {
        seq: seq.parse().map_err(|_| corrupt("audit record"))?,
        prev: prev.to_string(),
        mac: mac.to_string(),
        event: event.to_string(),
    })
}

/// What verification found wrong first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The event's contents do not match its MAC: edited.
    Edited { seq: u64 },
    /// A sequence number is missing between two events: deleted.
    Missing { after: u64 },
    /// The event's link to its predecessor is wrong: moved, replaced or reordered.
    Relinked { seq: u64 },
    /// The stored record cannot be read.
    Unreadable { key: String },
    /// The head names an event that is not the last one: events deleted at the end.
    Truncated { head: u64, last: u64 },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Edited { seq } => write!(f, "event {seq} was edited (its MAC does not match)"),
            Problem::Missing { after } => write!(f, "an event after {after} is missing"),
            Problem::Relinked { seq } => {
                write!(
                    f,
                    "event {seq} does not follow its predecessor (moved or reordered)"
                )
            }
            Problem::Unreadable { key } => write!(f, "record {key} cannot be read"),
            Problem::Truncated { head, last } => {
                write!(
                    f,
                    "the chain ends at {last} but its head says {head}: events were deleted"
                )
            }
        }
    }
}

/// Verifies `account`'s chain; returns how many events verified, or the first problem.
pub fn verify(
    store: &dyn Store,
    key: &ChainKey,
    account: &str,
) -> Result<Result<u64, Problem>, StoreError> {
    iamd_store::read(store, |tx| {
        let base = get_head(tx, &base_key(account))?;
        let (mut expect_seq, mut prev) = match base {
            Some(b) => (b.seq + 1, b.mac),
            None => (1, GENESIS.to_string()),
        };
        let prefix = events_prefix(account);
        let mut after: Option<Vec<u8>> = None;
        let mut n = 0u64;
        loop {
            let page = tx.scan(&prefix, after.as_deref(), 1000)?;
            let Some((last_key, _)) = page.last() else {
                break;
            };
            after = Some(last_key.clone());
            for (k, v) in &page {
                let Ok(rs) = records(v) else {
                    let key = String::from_utf8_lossy(k).into_owned();
                    return Ok(Err(Problem::Unreadable { key }));
                };
                let stored_at = iamd_iam::keys::last_segment(k).parse::<u64>().ok();
                if stored_at != rs.first().map(|r| r.seq) {
                    let seq = rs.first().map_or(0, |r| r.seq);
                    return Ok(Err(Problem::Relinked { seq }));
                }
                for r in rs {
                    if r.seq > expect_seq {
                        return Ok(Err(Problem::Missing {
                            after: expect_seq - 1,
                        }));
                    }
                    if r.seq < expect_seq || r.prev != prev {
                        return Ok(Err(Problem::Relinked { seq: r.seq }));
                    }
                    if key.mac(&r.prev, r.seq, account, &r.event) != r.mac {
                        return Ok(Err(Problem::Edited { seq: r.seq }));
                    }
                    prev = r.mac;
                    expect_seq += 1;
                    n += 1;
                }
            }
        }
        let last = expect_seq - 1;
        match get_head(tx, &head_key(account))? {
            Some(h) if h.seq != last || h.mac != prev => {
                Ok(Err(Problem::Truncated { head: h.seq, last }))
            }
            None if n > 0 => Ok(Err(Problem::Truncated { head: 0, last })),
            _ => Ok(Ok(n)),
        }
    })
}

/// Every account that has a chain.
pub fn accounts(store: &dyn Store) -> Result<Vec<String>, StoreError> {
    iamd_store::read(store, |tx| {
        let rows = tx.scan(b"audithead/", None, usize::MAX)?;
        Ok(rows
            .iter()
            .map(|(k, _)| iamd_iam::keys::last_segment(k).to_string())
            .collect())
    })
}

/// The time of an event, from its record.
pub fn event_time(event: &str) -> Option<OffsetDateTime> {
    let v: serde_json::Value = serde_json::from_str(event).ok()?;
    let t = v.get("eventTime")?.as_str()?;
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
}

/// Deletes `account`'s events older than `cutoff`, oldest first, moving the chain's base so the
/// rest still verifies. Returns how many were deleted.
pub fn prune(store: &dyn Store, account: &str, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
    let prefix = events_prefix(account);
    let mut deleted = 0;
    loop {
        let n = iamd_store::write(store, |tx| {
            let page = tx.scan(&prefix, None, 500)?;
            let (mut values, mut events) = (0usize, 0u64);
            for (k, v) in &page {
                // A segment goes when its newest event is past retention.
                let rs = records(v)?;
                let Some(last) = rs.last() else { break };
                if event_time(&last.event).is_none_or(|t| t >= cutoff) {
                    break;
                }
                tx.delete(k)?;
                let base = serde_json::to_vec(&json!({"seq": last.seq, "mac": last.mac}))
                    .map_err(|_| corrupt("audit base"))?;
                tx.put(&base_key(account), &base)?;
                values += 1;
                events += rs.len() as u64;
            }
            Ok::<_, StoreError>((values, events))
        })?;
        deleted += n.1;
        if n.0 < 500 {
            return Ok(deleted);
        }
    }
}

/// [`prune`] for every account.
pub fn prune_all(store: &dyn Store, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
    let mut n = 0;
    for a in accounts(store)? {
        n += prune(store, &a, cutoff)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamd_store::MemoryStore;

    fn key() -> ChainKey {
        ChainKey([7; 32])
    }

    fn seeded(n: u64) -> MemoryStore {
        let s = MemoryStore::new();
        for i in 0..n {
            iamd_store::write(&s, |tx| {
                append(
                    tx,
                    &key(),
                    "111122223333",
                    &format!(
                        "{{\"eventTime\":\"2026-01-0{}T00:00:00Z\",\"i\":{i}}}",
                        1 + i % 9
                    ),
                )
            })
            .unwrap();
        }
        s
    }

    fn tamper(s: &MemoryStore, seq: u64, f: impl Fn(&mut Record)) {
        let k = event_key("111122223333", seq);
        iamd_store::write(s, |tx| {
            let mut r = parse(&tx.get(&k)?.unwrap())?;
            f(&mut r);
            tx.put(&k, &r.to_bytes())
        })
        .unwrap();
    }

    #[test]
    fn the_trails_keys_are_known() {
        assert!(is_trail_key(&event_key("111122223333", 1)));
        assert!(is_trail_key(&head_key("111122223333")));
        assert!(is_trail_key(&base_key("111122223333")));
        assert!(!is_trail_key(b"revocation/111122223333/key/AKIA"));
        assert!(!is_trail_key(b"auditor/x"));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let s = seeded(5);
        assert_eq!(verify(&s, &key(), "111122223333").unwrap(), Ok(5));
        assert_eq!(verify(&s, &key(), "999999999999").unwrap(), Ok(0));
    }

    #[test]
    fn an_edited_event_is_found() {
        let s = seeded(5);
        tamper(&s, 3, |r| r.event = r.event.replace("\"i\":2", "\"i\":9"));
        assert_eq!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Edited { seq: 3 })
        );
    }

    #[test]
    fn a_recomputed_mac_without_the_key_does_not_help() {
        let s = seeded(3);
        tamper(&s, 2, |r| {
            r.event = "{}".into();
            r.mac = ChainKey([8; 32]).mac(&r.prev, r.seq, "111122223333", &r.event);
        });
        assert_eq!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Edited { seq: 2 })
        );
    }

    #[test]
    fn deleted_events_are_found() {
        let s = seeded(5);
        iamd_store::write(&s, |tx| tx.delete(&event_key("111122223333", 2))).unwrap();
        assert_eq!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Missing { after: 1 })
        );
        let s = seeded(5);
        iamd_store::write(&s, |tx| tx.delete(&event_key("111122223333", 5))).unwrap();
        assert_eq!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Truncated { head: 5, last: 4 })
        );
    }

    #[test]
    fn reordered_events_are_found() {
        let s = seeded(5);
        let (a, b) = (event_key("111122223333", 2), event_key("111122223333", 3));
        iamd_store::write(&s, |tx| {
            let (va, vb) = (tx.get(&a)?.unwrap(), tx.get(&b)?.unwrap());
            tx.put(&a, &vb)?;
            tx.put(&b, &va)
        })
        .unwrap();
        assert!(matches!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Relinked { .. })
        ));
    }

    #[test]
    fn pruning_keeps_the_rest_verifiable() {
        let s = seeded(9);
        let cutoff = OffsetDateTime::parse(
            "2026-01-04T00:00:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(prune(&s, "111122223333", cutoff).unwrap(), 3);
        assert_eq!(verify(&s, &key(), "111122223333").unwrap(), Ok(6));
    }

    /// `n` events appended in batches of `batch`, as the background writer stores them.
    fn batched(n: u64, batch: u64) -> MemoryStore {
        let s = MemoryStore::new();
        let mut i = 0;
        while i < n {
            let events: Vec<String> = (i..(i + batch).min(n))
                .map(|j| {
                    let day = 1 + j % 9;
                    format!("{{\"eventTime\":\"2026-01-0{day}T00:00:00Z\",\"i\":{j}}}")
                })
                .collect();
            iamd_store::write(&s, |tx| {
                let mut a = Appender::default();
                for event in &events {
                    a.append(tx, &key(), "111122223333", event)?;
                }
                a.finish(tx)
            })
            .unwrap();
            i += batch;
        }
        s
    }

    fn values(s: &MemoryStore) -> Vec<(Vec<u8>, Vec<u8>)> {
        iamd_store::read(s, |tx| {
            tx.scan(&events_prefix("111122223333"), None, usize::MAX)
        })
        .unwrap()
    }

    #[test]
    fn a_batch_is_one_compressed_segment_that_verifies_event_by_event() {
        let s = batched(10, 4);
        let stored = values(&s);
        assert_eq!(stored.len(), 3, "segments of 4, 4 and 2 events");
        assert!(stored.iter().all(|(_, v)| v.starts_with(SEGMENT_MAGIC)));
        assert_eq!(
            stored[1].0,
            event_key("111122223333", 5),
            "keyed by the first event"
        );
        let seqs: Vec<u64> = stored
            .iter()
            .flat_map(|(_, v)| records(v).unwrap())
            .map(|r| r.seq)
            .collect();
        assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
        assert_eq!(verify(&s, &key(), "111122223333").unwrap(), Ok(10));
        // More than SEGMENT_MAX events in one batch make several segments.
        let big = batched(SEGMENT_MAX as u64 + 3, 1000);
        assert_eq!(values(&big).len(), 2);
        assert_eq!(
            verify(&big, &key(), "111122223333").unwrap(),
            Ok(SEGMENT_MAX as u64 + 3)
        );
    }

    #[test]
    fn an_event_edited_inside_a_segment_is_found() {
        let s = batched(8, 4);
        let k = event_key("111122223333", 5);
        iamd_store::write(&s, |tx| {
            let mut rs = records(&tx.get(&k)?.unwrap())?;
            rs[2].event = rs[2].event.replace("\"i\":6", "\"i\":60");
            let pending: Vec<Pending> = rs
                .iter()
                .map(|r| Pending {
                    account: "111122223333",
                    seq: r.seq,
                    prev: r.prev.clone(),
                    mac: r.mac.clone(),
                    event: &r.event,
                })
                .collect();
            tx.put(&k, &segment(&pending.iter().collect::<Vec<_>>()))
        })
        .unwrap();
        assert_eq!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Edited { seq: 7 })
        );
        // A segment that no longer decompresses is reported, not skipped.
        iamd_store::write(&s, |tx| {
            let mut v = tx.get(&k)?.unwrap();
            v.truncate(v.len() - 5);
            tx.put(&k, &v)
        })
        .unwrap();
        assert!(matches!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Unreadable { .. })
        ));
        // A whole segment deleted is a gap.
        let s = batched(12, 4);
        iamd_store::write(&s, |tx| tx.delete(&k)).unwrap();
        assert_eq!(
            verify(&s, &key(), "111122223333").unwrap(),
            Err(Problem::Missing { after: 4 })
        );
    }

    #[test]
    fn events_after_a_point_inside_a_segment() {
        let s = batched(10, 4);
        let after = |n| {
            iamd_store::read(&s, |tx| records_after(tx, "111122223333", n, 100))
                .unwrap()
                .iter()
                .map(|r| r.seq)
                .collect::<Vec<_>>()
        };
        assert_eq!(after(0), (1..=10).collect::<Vec<_>>());
        assert_eq!(after(6), vec![7, 8, 9, 10]);
        assert_eq!(after(8), vec![9, 10]);
        assert_eq!(after(10), Vec::<u64>::new());
    }

    #[test]
    fn pruning_drops_a_segment_only_when_all_of_it_is_past_retention() {
        // Days 1..9 then 1.. again: segments [1-3] [4-6] [7-9] [10-12] (days 1,2,3 again).
        let s = batched(12, 3);
        let cutoff = OffsetDateTime::parse(
            "2026-01-05T00:00:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        // [1-3] (days 1-3) goes; [4-6] holds day 5 and 6, so it stays, and pruning stops there.
        assert_eq!(prune(&s, "111122223333", cutoff).unwrap(), 3);
        assert_eq!(verify(&s, &key(), "111122223333").unwrap(), Ok(9));
    }
}
