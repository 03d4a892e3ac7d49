//! Live figures inside one server process. The notification listener reads
//! a project's figures once per committed change (from any process) and
//! fans them out to every open stream through one broadcast channel, so N
//! streams cost one query, not N. When changes may have been missed (the
//! listener was not listening for a while, or a stream fell behind), each
//! stream rereads its project instead. Streams are admitted under a cap (in
//! all, and per client address) and all end when the server shuts down.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};

use crate::model::Figures;

/// How many changes a slow stream may fall behind before it skips ahead
/// (and rereads its project).
pub const BACKLOG: usize = 1024;
/// Open streams in one process, in all and from one client address (an
/// office or campus behind one address still has room).
pub const MAX_STREAMS: usize = 2_000;
pub const MAX_STREAMS_PER_CLIENT: usize = 64;

/// What the notification listener tells the open streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A project's figures changed (`Some`), or it is gone (`None`).
    Figures(i64, Option<Figures>),
    /// Changes may have been missed (the listener has just started
    /// listening again): every stream rereads its project.
    Resync,
}

/// Open streams per client limit key.
type ClientCounts = Arc<Mutex<HashMap<String, usize>>>;

#[derive(Clone)]
pub struct LiveFigures {
    changes: broadcast::Sender<Change>,
    closing: watch::Sender<bool>,
    streams: Arc<Semaphore>,
    per_client: ClientCounts,
    per_client_limit: usize,
}

impl Default for LiveFigures {
    fn default() -> Self {
        Self::with_limits(MAX_STREAMS, MAX_STREAMS_PER_CLIENT)
    }
}

/// One admitted stream; its place is given back when it is dropped.
pub struct StreamPermit {
    _place: OwnedSemaphorePermit,
    client: Option<(String, ClientCounts)>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        if let Some((key, counts)) = &self.client
            && let Ok(mut counts) = counts.lock()
            && let Some(count) = counts.get_mut(key)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(key);
            }
        }
    }
}

impl LiveFigures {
    pub fn with_limits(total: usize, per_client: usize) -> Self {
        let (changes, _) = broadcast::channel(BACKLOG);
        let (closing, _) = watch::channel(false);
        LiveFigures {
            changes,
            closing,
            streams: Arc::new(Semaphore::new(total)),
            per_client: Arc::new(Mutex::new(HashMap::new())),
            per_client_limit: per_client,
        }
    }

    /// A project's figures changed (called by the notification listener).
    pub fn changed(&self, change: Change) {
        // Nobody listening is fine.
        let _ = self.changes.send(change);
    }

    /// Every open stream should reread its project: notifications may have
    /// been lost (called by the listener each time it starts listening).
    pub fn resync(&self) {
        let _ = self.changes.send(Change::Resync);
    }

    /// Changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// A place for one more stream from `client` (its limit key), or `None`
    /// when this process or this client has as many as it allows.
    pub fn admit(&self, client: Option<String>) -> Option<StreamPermit> {
        let place = self.streams.clone().try_acquire_owned().ok()?;
        let client = match client {
            None => None,
            Some(key) => {
                let mut counts = self.per_client.lock().ok()?;
                let count = counts.entry(key.clone()).or_default();
                if *count >= self.per_client_limit {
                    return None;
                }
                *count += 1;
                Some((key, self.per_client.clone()))
            }
        };
        Some(StreamPermit {
            _place: place,
            client,
        })
    }

    /// Ends every open stream (at shutdown, so the drain does not wait on
    /// them).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Becomes `true` when the streams should end.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limits_and_gives_places_back() {
        let live = LiveFigures::with_limits(3, 2);
        let first = live.admit(Some("a".into()));
        let second = live.admit(Some("a".into()));
        assert!(first.is_some() && second.is_some());
        assert!(live.admit(Some("a".into())).is_none(), "per client");
        let other = live.admit(Some("b".into()));
        assert!(other.is_some());
        assert!(live.admit(Some("c".into())).is_none(), "in all");
        drop(first);
        assert!(live.admit(Some("a".into())).is_some(), "a place came back");
    }
}
