//! robots.txt policy. Parsing is `texting_robots`'s; what a missing or failing robots.txt
//! means is ours, written down here (RFC 9309, section 2.3.1):
//!
//! - 2xx: obey the file (a file that does not parse is treated as empty: allow all);
//! - 4xx (no robots.txt, or forbidden): allow everything;
//! - 5xx, or the server is unreachable / times out: disallow everything for this run,
//!   since a site that cannot serve its robots.txt may be struggling, and we come back
//!   on the next run.

use std::time::Duration;

use texting_robots::Robot;

use crate::response::ErrorKind;

/// The product token matched against `User-agent:` lines.
pub const AGENT_TOKEN: &str = "xxgk";

/// Crawl-delay values above this are capped (a stray `Crawl-delay: 3600` should not
/// stall a whole school for hours).
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);

/// What robots.txt lets us do on one host.
#[derive(Debug)]
pub enum Robots {
    AllowAll,
    /// Nothing may be fetched this run. `cause` is why robots.txt could not be read when
    /// the host itself failed (refused connection, timeout, 5xx): the refusals then carry
    /// that class, so a dead site is logged as unreachable, not as robots-blocked.
    DisallowAll {
        reason: String,
        cause: Option<ErrorKind>,
    },
    Rules(Box<Robot>),
}

impl Robots {
    /// The policy for a robots.txt answered with `status` and `body`.
    pub fn from_response(status: u16, body: &[u8]) -> Robots {
        match status {
            200..=299 => match Robot::new(AGENT_TOKEN, body) {
                Ok(robot) => Robots::Rules(Box::new(robot)),
                Err(e) => {
                    tracing::warn!(error = %e, "robots.txt does not parse; allowing all");
                    Robots::AllowAll
                }
            },
            400..=499 => Robots::AllowAll,
            _ => Robots::DisallowAll {
                reason: format!("robots.txt answered HTTP {status}"),
                cause: Some(ErrorKind::Http(status)),
            },
        }
    }

    /// The policy when robots.txt could not be fetched at all (`cause`: the failure's
    /// class, when the host was tried).
    pub fn unreachable(reason: &str, cause: Option<ErrorKind>) -> Robots {
        Robots::DisallowAll {
            reason: format!("robots.txt unreachable: {reason}"),
            cause,
        }
    }

    /// Why everything is refused, and the failure class to log it under (`robots` when
    /// robots.txt itself said no).
    pub fn refusal(&self) -> (ErrorKind, String) {
        match self {
            Robots::DisallowAll {
                reason,
                cause: Some(kind),
            } => (*kind, reason.clone()),
            _ => (ErrorKind::Robots, "disallowed by robots.txt".into()),
        }
    }

    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll { .. } => false,
            Robots::Rules(robot) => robot.allowed(url),
        }
    }

    /// The site's Crawl-delay, capped.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Robots::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d).min(MAX_CRAWL_DELAY)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_policy() {
        let u = "http://a.edu.cn/x.htm";
        assert!(Robots::from_response(404, b"").allowed(u));
        assert!(Robots::from_response(403, b"").allowed(u));
        assert!(!Robots::from_response(503, b"").allowed(u));
        assert!(!Robots::from_response(500, b"").allowed(u));
        let dead = Robots::unreachable("connection refused", Some(ErrorKind::Connect));
        assert!(!dead.allowed(u));
        assert_eq!(dead.refusal().0, ErrorKind::Connect);
        assert_eq!(
            Robots::from_response(503, b"").refusal().0,
            ErrorKind::Http(503)
        );
        assert_eq!(Robots::AllowAll.refusal().0, ErrorKind::Robots);
    }

    #[test]
    fn rules_for_our_token_and_star() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 9999\n\nUser-agent: badbot\nDisallow: /\n";
        let r = Robots::from_response(200, txt);
        assert!(r.allowed("http://a.edu.cn/info/1.htm"));
        assert!(!r.allowed("http://a.edu.cn/private/1.htm"));
        assert_eq!(r.crawl_delay(), Some(MAX_CRAWL_DELAY));
        let ours = Robots::from_response(200, b"User-agent: xxgk\nDisallow: /\n");
        assert!(!ours.allowed("http://a.edu.cn/"));
    }
}
