//! Which address a request comes from, for per-client limits (logins,
//! sign-ups, live streams), and the keys those limits count under.
//! Behind a reverse proxy every connection comes from the proxy, so its
//! `X-Forwarded-For` is believed, but only from proxies named in the
//! configuration: anyone else could write any address into that header and
//! escape the limit.

use std::{net::IpAddr, sync::Arc};

use http::HeaderMap;

/// The proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(proxies: Vec<IpAddr>) -> Self {
        TrustedProxies(proxies.into())
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.contains(&address)
    }

    /// Whether the connection comes from a trusted proxy, whose headers
    /// about the request (its id, the client's address) are believed.
    pub fn trusts_peer(&self, peer: Option<IpAddr>) -> bool {
        peer.is_some_and(|peer| self.trusts(peer))
    }

    /// The client behind `peer`, the connection's address: `peer` itself
    /// unless it is a trusted proxy; then the nearest address in
    /// `X-Forwarded-For` that is not a trusted proxy. Each proxy appends the
    /// address it saw, so the list is read from the right, and whatever the
    /// client itself wrote further left is never looked at. A hop that
    /// cannot be read where the answer should be leaves the proxy as the
    /// client, which is safe.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let mut hops = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(value) = value.to_str() else {
                return Some(peer);
            };
            hops.extend(value.split(',').map(str::trim));
        }
        let mut leftmost_proxy = peer;
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(address) if self.trusts(address) => leftmost_proxy = address,
                Ok(address) => return Some(address),
                Err(_) => return Some(peer),
            }
        }
        // Every hop was a trusted proxy: the farthest one is the client.
        Some(leftmost_proxy)
    }
}

/// The key per-client limits count under: an IPv4 address, or the /64 of
/// an IPv6 one (one household or server holds a whole /64, and counting
/// each address would give it 2^64 fresh counters). IPv4-mapped IPv6
/// addresses count as the IPv4 address they carry.
pub fn limit_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The key per-network limits count under: the /24 of an IPv4 address,
/// the /48 of an IPv6 one (what one site is usually given, so one holder
/// of many /64s still counts once). IPv4-mapped IPv6 addresses count as
/// the IPv4 address they carry.
pub fn network_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4_network(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_network(v4),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        },
    }
}

fn v4_network(v4: std::net::Ipv4Addr) -> String {
    let [a, b, c, _] = v4.octets();
    format!("{a}.{b}.{c}.0/24")
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn forwarded(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let none = TrustedProxies::default();
        let headers = forwarded("198.51.100.1");
        assert_eq!(
            none.client(Some(ip("203.0.113.9")), &headers),
            Some(ip("203.0.113.9"))
        );
        let proxy = TrustedProxies::new(vec![ip("10.0.0.1")]);
        assert_eq!(
            proxy.client(Some(ip("203.0.113.9")), &headers),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn a_trusted_proxy_passes_on_the_nearest_untrusted_hop() {
        let proxies = TrustedProxies::new(vec![ip("10.0.0.1"), ip("10.0.0.2")]);
        let peer = Some(ip("10.0.0.1"));
        // A client that forged the left end cannot pick its address.
        let headers = forwarded("1.2.3.4, 198.51.100.7, 10.0.0.2");
        assert_eq!(proxies.client(peer, &headers), Some(ip("198.51.100.7")));
        assert_eq!(proxies.client(peer, &HeaderMap::new()), peer);
        assert_eq!(proxies.client(peer, &forwarded("not-an-address")), peer);
        // Garbage the client wrote on the left is never read.
        assert_eq!(
            proxies.client(peer, &forwarded("garbage, 198.51.100.7, 10.0.0.2")),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            proxies.client(peer, &forwarded("10.0.0.2")),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(proxies.client(None, &headers), None);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(limit_key(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(limit_key(ip("::ffff:203.0.113.9")), "203.0.113.9");
        assert_eq!(
            limit_key(ip("2001:db8:0:7::1")),
            limit_key(ip("2001:db8:0:7:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:0:7::1")),
            limit_key(ip("2001:db8:0:8::1"))
        );
        assert_eq!(limit_key(ip("2001:db8:0:7::1")), "2001:db8:0:7::/64");
    }

    #[test]
    fn networks_are_ipv4_24s_and_ipv6_48s() {
        assert_eq!(network_key(ip("203.0.113.9")), "203.0.113.0/24");
        assert_eq!(network_key(ip("::ffff:203.0.113.200")), "203.0.113.0/24");
        assert_ne!(
            network_key(ip("203.0.113.9")),
            network_key(ip("203.0.114.9"))
        );
        // Every /64 of one /48 is one network.
        assert_eq!(network_key(ip("2001:db8:7::1")), "2001:db8:7::/48");
        assert_eq!(
            network_key(ip("2001:db8:7:0::1")),
            network_key(ip("2001:db8:7:ffff:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            network_key(ip("2001:db8:7::1")),
            network_key(ip("2001:db8:8::1"))
        );
    }
}
