//! Email issues: `.eml` files, mbox archives, and raw dumps (headers, then
//! a quoted-printable body) such as a newsletter's sent mail.
//!
//! MIME is parsed with mailparse (multipart, quoted-printable, base64,
//! RFC 2047 subjects). Links come from the HTML part when there is one,
//! else the text part. The title is the `Subject`, the date the `Date`.
//! Positions are lines and columns of the decoded body, since the wire
//! form (soft line breaks, escapes) is not what a reader sees.

use crate::extract::Format;
use mailparse::{MailHeaderMap, ParsedMail};
use time::{Date, OffsetDateTime};

/// One message's readable body and what its headers say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `Subject`, decoded.
    pub subject: Option<String>,
    /// The date of the `Date` header (UTC).
    pub date: Option<Date>,
    /// The decoded body to extract links from.
    pub body: String,
    /// `Html` when the body is the HTML part, else `Text`.
    pub format: Format,
}

/// Parses one message. `Err` carries what is wrong, for the user.
pub fn parse_message(bytes: &[u8]) -> Result<Message, String> {
    let mail = mailparse::parse_mail(bytes).map_err(|e| format!("not a readable email: {e}"))?;
    let subject = mail
        .headers
        .get_first_value("Subject")
        .filter(|s| !s.trim().is_empty());
    let date = mail
        .headers
        .get_first_value("Date")
        .and_then(|d| mailparse::dateparse(&d).ok())
        .and_then(|ts| OffsetDateTime::from_unix_timestamp(ts).ok())
        .map(OffsetDateTime::date);
    let (part, format) = match find_part(&mail, "text/html") {
        Some(p) => (p, Format::Html),
        None => (
            find_part(&mail, "text/plain").unwrap_or(&mail),
            Format::Text,
        ),
    };
    let declared = part
        .headers
        .get_first_value("Content-Transfer-Encoding")
        .is_some();
    let body = if declared {
        part.get_body()
            .map_err(|e| format!("cannot decode the body: {e}"))?
    } else {
        // No encoding declared, yet soft line breaks or =XX escapes: a raw
        // quoted-printable dump, as mail archives keep them.
        let raw = part
            .get_body_raw()
            .map_err(|e| format!("cannot read the body: {e}"))?;
        if looks_quoted_printable(&raw) {
            let decoded = quoted_printable::decode(&raw, quoted_printable::ParseMode::Robust)
                .map_err(|e| format!("cannot decode quoted-printable: {e}"))?;
            String::from_utf8_lossy(&decoded).into_owned()
        } else {
            String::from_utf8_lossy(&raw).into_owned()
        }
    };
    Ok(Message {
        subject,
        date,
        body,
        format,
    })
}

fn find_part<'a>(mail: &'a ParsedMail<'a>, mime: &str) -> Option<&'a ParsedMail<'a>> {
    if mail.subparts.is_empty() {
        return (mail.ctype.mimetype.eq_ignore_ascii_case(mime)).then_some(mail);
    }
    mail.subparts.iter().find_map(|p| find_part(p, mime))
}

fn looks_quoted_printable(raw: &[u8]) -> bool {
    let upper_hex = |b: u8| b.is_ascii_digit() || (b'A'..=b'F').contains(&b);
    raw.windows(2).any(|w| w == b"=\n")
        || raw
            .windows(3)
            .any(|w| w == b"=\r\n" || (w[0] == b'=' && upper_hex(w[1]) && upper_hex(w[2])))
}

/// Splits an mbox archive into its messages (at `From ` lines).
pub fn split_mbox(bytes: &[u8]) -> Vec<&[u8]> {
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            starts.push(at);
        }
        at += line.len();
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
            let msg = &bytes[s..end];
            // Drop the envelope line itself.
            match msg.starts_with(b"From ") {
                true => msg
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(&msg[msg.len()..], |n| &msg[n + 1..]),
                false => msg,
            }
        })
        .filter(|m| !m.iter().all(u8::is_ascii_whitespace))
        .collect()
}
