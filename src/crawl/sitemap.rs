//! Sitemaps (<https://www.sitemaps.org/protocol.html>): a `<urlset>` lists
//! pages, a `<sitemapindex>` lists more sitemaps. Pure: text in, URLs out.

use quick_xml::events::Event;
use quick_xml::Reader;

/// What a sitemap lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// Pages (`<urlset><url><loc>`).
    Pages(Vec<String>),
    /// Other sitemaps (`<sitemapindex><sitemap><loc>`).
    Index(Vec<String>),
}

/// The bytes of a sitemap as served: gunzipped when they are gzip
/// (`sitemap.xml.gz`), refused past `max` bytes uncompressed (the protocol
/// allows 50 MB).
pub fn decode(body: &[u8], max: usize) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    use std::io::Read;
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(body));
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot gunzip it: {e}"))?;
    if out.len() > max {
        return Err(format!("larger than {} MiB uncompressed", max >> 20));
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// Parses a sitemap; `Err` says why it is not one.
pub fn parse(xml: &str) -> Result<Sitemap, String> {
    let mut reader = Reader::from_str(xml);
    let mut root: Option<Vec<u8>> = None;
    let mut in_loc = false;
    let mut raw = String::new();
    let mut locs = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if root.is_none() {
                    root = Some(name.clone());
                }
                if name == b"loc" {
                    in_loc = true;
                    raw.clear();
                }
            }
            Event::Text(t) if in_loc => {
                raw.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::CData(t) if in_loc => {
                // CDATA is literal: escape it so the unescape below restores it.
                let text = t.decode().map_err(|e| e.to_string())?;
                raw.push_str(&quick_xml::escape::escape(text.as_ref()));
            }
            Event::GeneralRef(r) if in_loc => {
                raw.push('&');
                raw.push_str(&r.decode().map_err(|e| e.to_string())?);
                raw.push(';');
            }
            Event::End(e) if in_loc && e.local_name().as_ref().eq_ignore_ascii_case(b"loc") => {
                in_loc = false;
                let loc = quick_xml::escape::unescape(raw.trim())
                    .map_err(|e| format!("bad entity in <loc>: {e}"))?;
                if !loc.is_empty() {
                    locs.push(loc.into_owned());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some(b"urlset") => Ok(Sitemap::Pages(locs)),
        Some(b"sitemapindex") => Ok(Sitemap::Index(locs)),
        Some(other) => Err(format!(
            "root element <{}> is neither <urlset> nor <sitemapindex>",
            String::from_utf8_lossy(other)
        )),
        None => Err("no XML element in it".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlset_and_index() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc> http://n.test/a?x=1&amp;y=2 </loc><lastmod>2020-01-01</lastmod></url>
              <url><loc><![CDATA[http://n.test/b?p=1&q=2]]></loc></url>
            </urlset>"#;
        assert_eq!(
            parse(xml).unwrap(),
            Sitemap::Pages(vec![
                "http://n.test/a?x=1&y=2".into(),
                "http://n.test/b?p=1&q=2".into()
            ])
        );
        let xml = r#"<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sm:sitemap><sm:loc>http://n.test/s1.xml</sm:loc></sm:sitemap></sm:sitemapindex>"#;
        assert_eq!(
            parse(xml).unwrap(),
            Sitemap::Index(vec!["http://n.test/s1.xml".into()])
        );
    }

    #[test]
    fn gzip_sitemaps_are_gunzipped_within_a_limit() {
        use std::io::Write;
        let xml = b"<urlset><url><loc>http://n.test/a</loc></url></urlset>";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(xml).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(&*decode(&gz, 1 << 20).unwrap(), xml);
        assert_eq!(&*decode(xml, 1 << 20).unwrap(), xml);
        assert!(decode(&gz, 10).unwrap_err().contains("larger than"));
        assert!(decode(&[0x1f, 0x8b, 0, 0], 1 << 20).is_err());
    }

    #[test]
    fn refuses_what_is_not_a_sitemap() {
        assert!(parse("<html><body>hi</body></html>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<urlset><url><loc>x</url></urlset>").is_err());
    }
}
