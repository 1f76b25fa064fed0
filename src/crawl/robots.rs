//! robots.txt, as RFC 9309 reads it: fetched through the door (each
//! redirect hop guarded), a 4xx allows everything, an unreachable one
//! disallows everything.

use super::{Crawl, Event};
use crate::net::Request;
use crate::source::Problem;
use std::time::Duration;
use url::Url;

impl Crawl<'_> {
    pub(super) async fn read_robots(
        &mut self,
        start: &Url,
        events: &tokio::sync::mpsc::Sender<Event>,
    ) -> Option<texting_robots::Robot> {
        if !self.cfg.robots {
            return None;
        }
        let Ok(url) = start.join("/robots.txt") else {
            return None;
        };
        // RFC 9309: follow at least five redirects; each hop is guarded.
        let follow = self.cfg.max_redirects.max(5);
        let answer = self
            .door
            .fetch(Request::get(url.clone()), self.door.retry(), None, follow)
            .await;
        self.summary.requests += 1;
        let answer = match answer {
            Ok(resp) if (200..300).contains(&resp.status) => {
                match resp.body(self.cfg.max_page_bytes).await {
                    Ok(body) => Ok(Ok(body.bytes)),
                    Err(f) => Err(f.cause),
                }
            }
            Ok(resp) => Ok(Err(resp.status)),
            Err(f) => Err(f.cause),
        };
        let why = match answer {
            Ok(Ok(body)) => {
                return match texting_robots::Robot::new(&self.cfg.robots_agent, &body) {
                    Ok(r) => {
                        if let Some(d) = r.delay.filter(|d| d.is_finite() && *d > 0.0) {
                            let d = Duration::from_secs_f32(d.min(60.0));
                            self.delay = self.delay.max(d);
                        }
                        Some(r)
                    }
                    Err(e) => {
                        let _ = events
                            .send(Event::Problem(Problem::warning(
                                url.as_str(),
                                format!("cannot parse robots.txt ({e}); crawling as if it allowed everything"),
                            )))
                            .await;
                        None
                    }
                };
            }
            // RFC 9309: no robots.txt (4xx) allows everything.
            Ok(Err(status)) if (400..500).contains(&status) && status != 429 => return None,
            Ok(Err(status)) => format!("answered {status}"),
            Err(cause) => format!("cannot be read: {cause}"),
        };
        // RFC 9309: an unreachable robots.txt disallows everything.
        let _ = events
            .send(Event::Problem(Problem::error(
                url.as_str(),
                format!("robots.txt {why}; the site is not crawled, as RFC 9309 asks (pass --ignore-robots if it is yours)"),
            )))
            .await;
        Some(
            texting_robots::Robot::new(&self.cfg.robots_agent, b"User-agent: *\nDisallow: /\n")
                .expect("a fixed robots.txt parses"),
        )
    }
}
