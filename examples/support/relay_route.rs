//! Where the relay sends mail and when it tries again: a static route
//! table standing in for MX lookup (RFC 5321 section 5.1), and the retry
//! schedule (exponential backoff, then give up).
//!
//! Include it with `#[path = "support/relay_route.rs"] mod relay_route;`.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

/// Domain -> next hop. A recipient's domain is looked up exactly (without
/// regard to case, a trailing dot ignored), then the `*` default.
///
/// ```text
/// example.net=127.0.0.1:2525, *=127.0.0.1:25
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Routes {
    exact: HashMap<String, SocketAddr>,
    default: Option<SocketAddr>,
}

impl Routes {
    /// An empty table: nothing is routable.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds `domain` (or `*`, the default) -> `next_hop`, replacing an
    /// earlier route for it.
    pub(crate) fn insert(&mut self, domain: &str, next_hop: SocketAddr) {
        if domain == "*" {
            self.default = Some(next_hop);
        } else {
            self.exact.insert(normalize(domain), next_hop);
        }
    }

    /// Adds one route written `DOMAIN=ADDR:PORT` or `*=ADDR:PORT`.
    pub(crate) fn add(&mut self, spec: &str) -> Result<(), String> {
        let (domain, next_hop) = spec
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("route {spec:?}: expected DOMAIN=ADDR:PORT"))?;
        let domain = domain.trim();
        if domain.is_empty() || domain.contains(['@', ' ', '\t']) {
            return Err(format!("route {spec:?}: bad domain {domain:?}"));
        }
        let next_hop = next_hop
            .trim()
            .parse()
            .map_err(|e| format!("route {spec:?}: {e}"))?;
        self.insert(domain, next_hop);
        Ok(())
    }

    /// The next hop for mail to `address` (`local@domain`, with or
    /// without angle brackets); `None` when no route fits.
    pub(crate) fn lookup(&self, address: &str) -> Option<SocketAddr> {
        let domain = domain_of(address)?;
        self.exact.get(&normalize(domain)).copied().or(self.default)
    }

    /// How many routes the table holds, the default counted.
    pub(crate) fn len(&self) -> usize {
        self.exact.len() + usize::from(self.default.is_some())
    }

    /// Whether the table is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Routes separated by commas or white space.
impl FromStr for Routes {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut routes = Self::new();
        for spec in text.split([',', ' ', '\t', '\n']).filter(|s| !s.is_empty()) {
            routes.add(spec)?;
        }
        Ok(routes)
    }
}

/// The domain of `local@domain` (after the last `@`, as a quoted local
/// part may hold one).
pub(crate) fn domain_of(address: &str) -> Option<&str> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (_, domain) = address.rsplit_once('@')?;
    (!domain.is_empty()).then_some(domain)
}

fn normalize(domain: &str) -> String {
    domain.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// When to try again after a temporary failure, and when to stop.
///
/// The wait after the n-th attempt is `first * factor^(n-1)`, at most
/// `max_delay`; a recipient still not delivered `give_up_after` after the
/// message was queued fails for good (RFC 5321 section 4.5.4.1 asks for
/// days; the examples use seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    pub(crate) first: Duration,
    pub(crate) factor: u32,
    pub(crate) max_delay: Duration,
    pub(crate) give_up_after: Duration,
}

impl Default for RetryPolicy {
    /// Small, for the examples and tests: 200 ms, doubling, at most 5 s,
    /// give up after a minute.
    fn default() -> Self {
        Self {
            first: Duration::from_millis(200),
            factor: 2,
            max_delay: Duration::from_secs(5),
            give_up_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before the next attempt, after `attempts` attempts (1 or
    /// more) failed.
    pub(crate) fn delay(&self, attempts: u32) -> Duration {
        let exponent = attempts.saturating_sub(1);
        let multiplier = self.factor.max(1).checked_pow(exponent).unwrap_or(u32::MAX);
        self.first
            .checked_mul(multiplier)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}
