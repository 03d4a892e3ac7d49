//! Live figures inside one server process. The notification listener reads
//! a project's figures once per committed change (from any process) and
//! fans them out to every open stream through one broadcast channel, so N
//! streams cost one query, not N. When changes may have been missed (the
//! listener was not listening for a while, or a stream fell behind), each
//! stream rereads its project instead. Streams are admitted under a cap (in
//! all, and per client address) and all end when the server shuts down.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};

use crate::{
    model::Figures,
    service::client_address::{limit_key, network_key},
};

/// How many changes a slow stream may fall behind before it skips ahead
/// (and rereads its project).
pub const BACKLOG: usize = 1024;
/// Open streams in one process: in all; from one network (an IPv4 /24 or
/// an IPv6 /48, so whoever holds many addresses of one network cannot take
/// every place); and from one client (an IPv4 address or an IPv6 /64: an
/// office or campus behind one address still has room).
pub const MAX_STREAMS: usize = 2_000;
pub const MAX_STREAMS_PER_NETWORK: usize = 256;
pub const MAX_STREAMS_PER_CLIENT: usize = 64;

/// What clients whose address is unknown count under, together: they share
/// one client's and one network's places rather than escaping both.
const UNKNOWN: &str = "unknown";

/// What the notification listener tells the open streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A project's figures changed (`Some`), or it is gone (`None`).
    Figures(i64, Option<Figures>),
    /// Changes may have been missed (the listener has just started
    /// listening again): every stream rereads its project.
    Resync,
}

/// How many streams one process admits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub total: usize,
    pub per_network: usize,
    pub per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            total: MAX_STREAMS,
            per_network: MAX_STREAMS_PER_NETWORK,
            per_client: MAX_STREAMS_PER_CLIENT,
        }
    }
}

/// Open streams per network key and per client key.
#[derive(Default)]
struct Counts {
    networks: HashMap<String, usize>,
    clients: HashMap<String, usize>,
}

fn release(counts: &mut HashMap<String, usize>, key: &str) {
    if let Some(count) = counts.get_mut(key) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            counts.remove(key);
        }
    }
}

#[derive(Clone)]
pub struct LiveFigures {
    changes: broadcast::Sender<Change>,
    closing: watch::Sender<bool>,
    streams: Arc<Semaphore>,
    counts: Arc<Mutex<Counts>>,
    limits: Limits,
}

impl Default for LiveFigures {
    fn default() -> Self {
        Self::with_limits(Limits::default())
    }
}

/// One admitted stream; its places are given back when it is dropped.
pub struct StreamPermit {
    _place: OwnedSemaphorePermit,
    network: String,
    client: String,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.counts.lock() {
            release(&mut counts.networks, &self.network);
            release(&mut counts.clients, &self.client);
        }
    }
}

impl LiveFigures {
    pub fn with_limits(limits: Limits) -> Self {
        let (changes, _) = broadcast::channel(BACKLOG);
        let (closing, _) = watch::channel(false);
        LiveFigures {
            changes,
            closing,
            streams: Arc::new(Semaphore::new(limits.total)),
            counts: Arc::new(Mutex::new(Counts::default())),
            limits,
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

    /// A place for one more stream from `client` (its address, when
    /// known), or `None` when this process, the client's network or the
    /// client has as many as it allows. Clients of unknown address all
    /// count as one.
    pub fn admit(&self, client: Option<IpAddr>) -> Option<StreamPermit> {
        let (network, client) = match client {
            Some(address) => (network_key(address), limit_key(address)),
            None => (UNKNOWN.to_owned(), UNKNOWN.to_owned()),
        };
        let place = self.streams.clone().try_acquire_owned().ok()?;
        let mut counts = self.counts.lock().ok()?;
        let on_network = counts.networks.get(&network).copied().unwrap_or_default();
        let from_client = counts.clients.get(&client).copied().unwrap_or_default();
        if on_network >= self.limits.per_network || from_client >= self.limits.per_client {
            return None;
        }
        *counts.networks.entry(network.clone()).or_default() += 1;
        *counts.clients.entry(client.clone()).or_default() += 1;
        drop(counts);
        Some(StreamPermit {
            _place: place,
            network,
            client,
            counts: self.counts.clone(),
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

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap_or_else(|e| panic!("{text}: {e}")))
    }

    fn limits(total: usize, per_network: usize, per_client: usize) -> LiveFigures {
        LiveFigures::with_limits(Limits {
            total,
            per_network,
            per_client,
        })
    }

    #[test]
    fn admits_up_to_the_limits_and_gives_places_back() {
        let live = limits(3, 10, 2);
        let first = live.admit(ip("192.0.2.1"));
        let second = live.admit(ip("192.0.2.1"));
        assert!(first.is_some() && second.is_some());
        assert!(live.admit(ip("192.0.2.1")).is_none(), "per client");
        let other = live.admit(ip("198.51.100.1"));
        assert!(other.is_some());
        assert!(live.admit(ip("203.0.113.1")).is_none(), "in all");
        drop(first);
        assert!(live.admit(ip("192.0.2.1")).is_some(), "a place came back");
    }

    #[test]
    fn one_network_cannot_take_every_place() {
        let live = limits(100, 3, 2);
        // Two /64s of one IPv6 /48: each a client, together one network.
        let held = [
            live.admit(ip("2001:db8:1:1::1")),
            live.admit(ip("2001:db8:1:1::2")),
            live.admit(ip("2001:db8:1:2::1")),
        ];
        assert!(held.iter().all(Option::is_some));
        assert!(live.admit(ip("2001:db8:1:3::1")).is_none(), "per /48");
        assert!(live.admit(ip("2001:db8:2:1::1")).is_some(), "another /48");
        // Addresses of one IPv4 /24 likewise.
        let held_v4 = [
            live.admit(ip("203.0.113.1")),
            live.admit(ip("203.0.113.2")),
            live.admit(ip("203.0.113.3")),
        ];
        assert!(held_v4.iter().all(Option::is_some));
        assert!(live.admit(ip("203.0.113.4")).is_none(), "per /24");
        assert!(live.admit(ip("203.0.114.4")).is_some(), "another /24");
        drop(held);
        assert!(
            live.admit(ip("2001:db8:1:3::1")).is_some(),
            "the network's places came back"
        );
    }

    #[test]
    fn clients_of_unknown_address_share_one_clients_limit() {
        let live = limits(10, 5, 2);
        let held: Vec<_> = (0..2).map(|_| live.admit(None)).collect();
        assert!(held.iter().all(Option::is_some));
        assert!(live.admit(None).is_none(), "unknown clients fail closed");
        assert!(
            live.admit(ip("192.0.2.1")).is_some(),
            "others still come in"
        );
        drop(held);
        assert!(live.admit(None).is_some(), "their places came back");
    }
}
