//! One self-contained HTML page (no CDN, works offline): summary figures,
//! the rot curve by issue year and the worst hosts as inline SVG, a table
//! per issue with every failing link, sortable and filterable with a
//! little inline script, readable on a phone; then a table of the lint
//! findings.

use super::{by_issue, describe, xml_escape as esc, Report};
use std::collections::BTreeMap;
use std::io::Write;

const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin:1.5rem 0 .3rem}
.figures{display:flex;flex-wrap:wrap;gap:.6rem}.figure{background:#f4f4f6;border-radius:6px;padding:.5rem .8rem;min-width:7rem}
.figure b{display:block;font-size:1.4rem}
svg{max-width:100%;height:auto}.bar{fill:#c0392b}.bar:hover{fill:#e74c3c}svg text{font-size:11px;fill:#444}
table{border-collapse:collapse;width:100%;margin:.2rem 0 1rem;font-size:14px}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #ddd;vertical-align:top;word-break:break-all}
th{cursor:pointer;user-select:none;background:#fafafa}th:after{content:' \\2195';color:#aaa}
td.url{min-width:12rem}.st{white-space:nowrap}.meta{color:#666;font-size:13px}
#filter{width:100%;max-width:30rem;padding:.4rem;font-size:15px;margin:.5rem 0}
@media (max-width:600px){th:nth-child(4),td:nth-child(4){display:none}}
";

const SCRIPT: &str = r#"
const input = document.getElementById('filter');
function applyFilter() {
  const q = input.value.toLowerCase();
  document.querySelectorAll('section.issue').forEach(sec => {
    let shown = 0;
    sec.querySelectorAll('tbody tr').forEach(tr => {
      const hit = tr.textContent.toLowerCase().includes(q) || sec.dataset.title.toLowerCase().includes(q);
      tr.hidden = !hit; if (hit) shown++;
    });
    sec.hidden = shown === 0;
  });
  document.getElementById('shown').textContent = document.querySelectorAll('section.issue tbody tr:not([hidden])').length;
}
input.addEventListener('input', () => { applyFilter(); history.replaceState(null, '', '#filter=' + encodeURIComponent(input.value)); });
// A filtered view can be shared: report.html#filter=github.com
const m = location.hash.match(/^#filter=(.*)$/);
if (m) { input.value = decodeURIComponent(m[1]); applyFilter(); }
document.querySelectorAll('th').forEach((th, i) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const rows = Array.from(body.rows);
  const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = r => r.cells[i].dataset.sort ?? r.cells[i].textContent;
  rows.sort((a, b) => key(a).localeCompare(key(b), undefined, {numeric: true}) * dir);
  rows.forEach(r => body.appendChild(r));
}));
"#;

/// Writes the report as one HTML page.
pub fn write_html(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    let s = &report.summary;
    let failing = s.failing();
    writeln!(
        w,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    )?;
    writeln!(
        w,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        w,
        "<title>Link report</title><style>{STYLE}</style></head><body>"
    )?;
    writeln!(
        w,
        "<h1>Link report</h1><p class=\"meta\">Run {} finished {}</p>",
        report.run.id,
        esc(&report.run.finished_at)
    )?;
    writeln!(w, "<div class=\"figures\">")?;
    for (label, n) in [
        ("links", s.occurrences),
        ("distinct URLs", s.urls),
        ("issues", s.issues),
        ("failing", failing),
        ("dead", s.dead),
        ("redirected", s.redirected),
        ("newly broken", s.newly_broken),
        ("recovered", s.recovered),
        ("lint errors", s.lint_errors),
        ("lint notes", s.lint_notes),
    ] {
        writeln!(w, "<div class=\"figure\"><b>{n}</b>{label}</div>")?;
    }
    writeln!(w, "</div>")?;

    // The rot curve: share of each year's links failing now.
    let mut years: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut hosts: BTreeMap<String, usize> = BTreeMap::new();
    for l in &report.links {
        for o in &l.occurrences {
            let year = o
                .issue_date
                .map_or_else(|| "?".to_string(), |d| d.year().to_string());
            let e = years.entry(year).or_default();
            e.0 += 1;
            if l.status.is_failure() {
                e.1 += 1;
                let host = url::Url::parse(&l.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default();
                *hosts.entry(host).or_default() += 1;
            }
        }
    }
    writeln!(w, "<h2>Link rot by issue year</h2>")?;
    let bars: Vec<(String, f64, String)> = years
        .iter()
        .map(|(y, (total, bad))| {
            let share = *bad as f64 / (*total).max(1) as f64;
            (
                y.clone(),
                share,
                format!(
                    "{y}: {bad} of {total} links failing ({:.0}%)",
                    share * 100.0
                ),
            )
        })
        .collect();
    bar_chart(&mut w, "rot", &bars, true)?;
    writeln!(w, "<h2>Hosts with the most failing links</h2>")?;
    let mut worst: Vec<(String, usize)> = hosts.into_iter().collect();
    worst.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    worst.truncate(10);
    let top = worst.first().map_or(1, |w| w.1).max(1) as f64;
    let bars: Vec<(String, f64, String)> = worst
        .iter()
        .map(|(h, n)| {
            (
                h.clone(),
                *n as f64 / top,
                format!("{h}: {n} failing links"),
            )
        })
        .collect();
    bar_chart(&mut w, "hosts", &bars, false)?;

    let issues = by_issue(report, |l| l.status.is_failure());
    writeln!(
        w,
        "<h2>Failing links by issue (<span id=\"shown\">{failing_rows}</span> shown)</h2>",
        failing_rows = issues.iter().map(|i| i.links.len()).sum::<usize>()
    )?;
    writeln!(w, "<input id=\"filter\" type=\"search\" placeholder=\"Filter by URL, status, host, issue...\" aria-label=\"Filter\">")?;
    for issue in &issues {
        let title = issue.title.unwrap_or(issue.path);
        writeln!(w, "<section class=\"issue\" data-title=\"{}\">", esc(title))?;
        writeln!(
            w,
            "<h2>{}</h2><p class=\"meta\">{} &middot; {}</p>",
            esc(title),
            issue
                .date
                .map_or_else(|| "no date".to_string(), |d| d.to_string()),
            esc(issue.path)
        )?;
        writeln!(w, "<table><thead><tr><th>Line</th><th>Link</th><th>Status</th><th>Failing since</th><th>Replacement</th></tr></thead><tbody>")?;
        for (o, l) in &issue.links {
            let since = l
                .dead_since
                .as_deref()
                .map(|d| &d[..10.min(d.len())])
                .unwrap_or("");
            let replacement = match (o.archive.as_ref().or(l.archive.as_ref()), &l.final_url) {
                (Some(a), _) => format!("<a href=\"{0}\">archived copy</a>", esc(&a.url)),
                (None, Some(f)) => format!("<a href=\"{0}\">{0}</a>", esc(f)),
                _ => String::new(),
            };
            writeln!(
                w,
                "<tr><td data-sort=\"{line:06}\">{line}</td><td class=\"url\"><a href=\"{u}\">{u}</a></td><td class=\"st\">{st}</td><td>{since}</td><td>{replacement}</td></tr>",
                line = o.line,
                u = esc(&l.url),
                st = esc(&describe(l)),
            )?;
        }
        writeln!(w, "</tbody></table></section>")?;
    }
    write_lint(report, &mut w)?;
    writeln!(w, "<script>{SCRIPT}</script></body></html>")
}

/// The lint findings, one table row each, when there are any.
fn write_lint(report: &Report, w: &mut impl Write) -> std::io::Result<()> {
    if report.findings().next().is_none() {
        return Ok(());
    }
    let s = &report.summary;
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    writeln!(
        w,
        "<section class=\"lint\"><h2 id=\"lint\">Lint: {}, {}</h2>",
        plural(s.lint_errors, "error"),
        plural(s.lint_notes, "note")
    )?;
    writeln!(w, "<table><thead><tr><th>Issue</th><th>Line</th><th>Severity</th><th>Kind</th><th>Message</th></tr></thead><tbody>")?;
    for f in report.findings() {
        let (line, col) = (f.line.unwrap_or(0), f.column.unwrap_or(0));
        writeln!(
            w,
            "<tr><td>{}</td><td data-sort=\"{line:06}{col:06}\">{line}:{col}</td><td class=\"st\">{}</td><td class=\"st\">{}</td><td>{}</td></tr>",
            esc(&f.path),
            f.severity.as_str(),
            f.kind.as_str(),
            esc(&f.message)
        )?;
    }
    writeln!(w, "</tbody></table></section>")
}

/// A vertical (or horizontal) bar chart as inline SVG, one `rect.bar` per
/// entry, values in 0..=1.
fn bar_chart(
    w: &mut impl Write,
    id: &str,
    bars: &[(String, f64, String)],
    vertical: bool,
) -> std::io::Result<()> {
    if vertical {
        let (bw, h) = (36.0, 160.0);
        let width = (bars.len() as f64 * bw).max(bw) + 10.0;
        let height = h + 20.0;
        writeln!(
            w,
            "<svg id=\"{id}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{id} chart\">"
        )?;
        for (i, (label, v, title)) in bars.iter().enumerate() {
            let bh = (v * h).max(1.0);
            let x = 5.0 + i as f64 * bw;
            writeln!(
                w,
                "<rect class=\"bar\" x=\"{x}\" y=\"{:.1}\" width=\"{}\" height=\"{bh:.1}\"><title>{}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                h - bh,
                bw - 6.0,
                esc(title),
                x + (bw - 6.0) / 2.0,
                h + 14.0,
                esc(label)
            )?;
        }
    } else {
        let (bh, wmax, label_w) = (20.0, 300.0, 200.0);
        let (width, height) = (label_w + wmax + 10.0, (bars.len() as f64 * bh).max(bh));
        writeln!(
            w,
            "<svg id=\"{id}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{id} chart\">"
        )?;
        for (i, (label, v, title)) in bars.iter().enumerate() {
            let y = i as f64 * bh;
            writeln!(
                w,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{:.1}\" height=\"{}\"><title>{}</title></rect>",
                label_w - 6.0,
                y + bh * 0.7,
                esc(label),
                (v * wmax).max(1.0),
                bh - 4.0,
                esc(title)
            )?;
        }
    }
    writeln!(w, "</svg>")
}
