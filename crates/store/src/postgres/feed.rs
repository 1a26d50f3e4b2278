//! The change feed across servers: each commit's keys go out with NOTIFY, and every server
//! LISTENs on a dedicated connection and feeds its own listeners; while that connection is
//! down, a poll of the change sequence stands in.

use std::sync::Weak;
use std::sync::atomic::Ordering;

use tokio_postgres::{AsyncMessage, NoTls};

use super::{CHANNEL, Inner, MAX_PAYLOAD, POLL, block_on, pg_error};
use crate::feed::Change;

impl Inner {
    pub(super) fn changed(&self, change: &Change) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.feed.publish(change);
    }

    /// Handles one notification from any server.
    pub(super) fn notified(&self, payload: &str) {
        let mut parts = payload.splitn(3, ' ');
        let (Some(node), Some(_seq), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            self.changed(&Change::Unknown);
            return;
        };
        if node == format!("{:016x}", self.node) {
            return; // Published locally at commit.
        }
        if body == "*" {
            self.changed(&Change::Unknown);
            return;
        }
        let mut keys = Vec::new();
        for k in body.split(',') {
            match hex_decode(k) {
                Some(k) => keys.push(k),
                None => {
                    self.changed(&Change::Unknown);
                    return;
                }
            }
        }
        match Change::of_keys(keys) {
            Some(c) => self.changed(&c),
            None => {
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}

fn hex_encode(b: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for x in b {
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 15)]));
    }
}

pub(super) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    b.chunks(2)
        .map(|p| Some(digit(*p.first()?)? << 4 | digit(*p.get(1)?)?))
        .collect()
}

/// The payload naming `keys`, or the "unknown" marker when too long.
pub(super) fn payload(node: u64, keys: &[Vec<u8>]) -> String {
    let mut s = format!("{node:016x} 0 ");
    let start = s.len();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        hex_encode(k, &mut s);
        if s.len() > MAX_PAYLOAD {
            s.truncate(start);
            s.push('*');
            return s;
        }
    }
    s
}

/// Keeps a LISTEN connection open (reconnecting after a failure) and, while it is down, polls
/// the change sequence.
pub(super) async fn listen_loop(weak: Weak<Inner>) {
    let mut first = true;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let config = inner.config.clone();
        drop(inner);
        let connected = async {
            let (client, mut connection) = config.connect(NoTls).await?;
            tokio::spawn(async move {
                while let Some(m) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    match m {
                        Ok(AsyncMessage::Notification(n)) => {
                            if tx.send(n).is_err() {
                                break;
                            }
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            });
            client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
            Ok::<_, tokio_postgres::Error>(client)
        }
        .await;
        match connected {
            Ok(client) => {
                let Some(inner) = weak.upgrade() else { return };
                inner.listening.store(true, Ordering::Release);
                if !first {
                    tracing::info!("change feed: LISTEN connection restored");
                    // Whatever was committed while the connection was down is not known.
                    inner.changed(&Change::Unknown);
                }
                first = false;
                drop(inner);
                while let Some(n) = rx.recv().await {
                    let Some(inner) = weak.upgrade() else { return };
                    inner.notified(n.payload());
                }
                drop(client);
                if let Some(inner) = weak.upgrade() {
                    inner.listening.store(false, Ordering::Release);
                    tracing::warn!("change feed: LISTEN connection lost; polling until it is back");
                    inner.changed(&Change::Unknown);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "change feed: cannot LISTEN; polling");
                first = false;
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// While not listening, compares the change sequence with the last value seen.
pub(super) fn poll_loop(weak: Weak<Inner>) {
    loop {
        std::thread::sleep(POLL);
        let Some(inner) = weak.upgrade() else { return };
        if inner.listening.load(Ordering::Acquire) {
            continue;
        }
        let seen = inner.pooled().and_then(|p| {
            let c = p.conn()?;
            let row = block_on(
                c.client
                    .query_one("SELECT last_value FROM iamd_change_seq", &[]),
            )
            .map_err(|e| pg_error(&e))?;
            Ok(row.get::<_, i64>(0))
        });
        if let Ok(v) = seen {
            let v = u64::try_from(v).unwrap_or(0);
            if inner.polled.swap(v, Ordering::AcqRel) != v {
                inner.changed(&Change::Unknown);
            }
        }
    }
}
