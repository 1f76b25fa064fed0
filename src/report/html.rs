//! One self-contained HTML page (no CDN, works offline), in the order a
//! person decides in: the headline and figures; what to do first (the
//! failing links cited most, the archived copies ready with the `linkrot
//! fix` command, the permanent redirects, what broke since the previous
//! check); the charts as inline SVG with axes and values (the share of
//! each issue year's links failing now, the worst hosts, the trend over
//! runs); then every failing link by issue, headed by the issue's title,
//! the first [`OPEN_ISSUES`] open and the rest collapsed; then the lint
//! findings.
//!
//! Readable on a phone: under 600 px each row becomes a card (CSS only),
//! long URLs wrap anywhere, dates never. Quick at 100,000 links: only
//! failing rows are written, collapsed issues are not laid out, the
//! script does nothing per row on load and filters on a pause in typing.

use super::overview::{count, percent};
use super::svg::{self, Bar};
use super::{by_issue, describe, xml_escape as esc, Report, TodoItem, TodoList};
use std::io::Write;

/// How many issues the page shows open; the rest are collapsed.
pub const OPEN_ISSUES: usize = 5;

const STYLE: &str = "
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#222}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}h3{font-size:1rem;margin:.9rem 0 .3rem}
a{color:#1a5fb4;overflow-wrap:anywhere}code{overflow-wrap:anywhere}
[hidden]{display:none!important}
.meta{color:#666;font-size:13px}.lead{font-size:1.05rem}
.figures{display:flex;flex-wrap:wrap;gap:.6rem}.figure{background:#f4f4f6;border-radius:6px;padding:.5rem .8rem;min-width:7rem}
.figure b{display:block;font-size:1.4rem}
.todo{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,26rem),1fr));gap:0 2rem}
.todo ol{margin:.2rem 0;padding-left:1.6rem}.todo li{margin:.3rem 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f6;padding:.5rem .7rem;border-radius:6px;font-size:13px;margin:.3rem 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:0 2rem}
.charts figure{margin:0;min-width:0}
svg.chart{max-width:100%;height:auto;display:block}
.bar{fill:#c0392b}.bar:hover{fill:#e74c3c}
svg text{font-size:12px;fill:#555}svg text.val{fill:#222;font-weight:600}
.grid{stroke:#e8e8e8}.axis{stroke:#888}
details.issue{border-top:1px solid #ddd;padding:.2rem 0}
details.issue>summary{cursor:pointer;padding:.35rem 0}
summary .t{font-weight:600}
.date,.n,th{white-space:nowrap}
table{border-collapse:collapse;width:100%;margin:.2rem 0 .8rem;font-size:14px}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #ddd;vertical-align:top}
th{cursor:pointer;user-select:none;background:#fafafa}th:after{content:' \\2195';color:#aaa}
td.url{overflow-wrap:anywhere}
.moved{color:#555;font-size:13px}
#filter{width:100%;max-width:30rem;padding:.4rem;font-size:15px;margin:.5rem 0}
@media (max-width:600px){
table.links thead,table.lint thead{display:none}
table.links,table.links tbody,table.links tr,table.links td,table.lint,table.lint tbody,table.lint tr,table.lint td{display:block;width:auto}
table.links tr,table.lint tr{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.35rem .6rem}
table.links td,table.lint td{border:0;padding:.1rem 0}
td:empty{display:none}
table.links td:nth-child(1)::before,table.lint td:nth-child(2)::before{content:'line ';color:#666}
table.links td:nth-child(4)::before{content:'failing since ';color:#666}
table.lint td:nth-child(2),table.lint td:nth-child(3),table.lint td:nth-child(4){display:inline-block;margin-right:.6rem}
}
";

const SCRIPT: &str = r#"
(() => {
const input = document.getElementById('filter');
if (!input) return;
const shown = document.getElementById('shown');
const sections = document.getElementsByClassName('issue');
let timer = 0;
// One pass over the rows, only when the filter changes: nothing per row on load.
function applyFilter() {
  const q = input.value.trim().toLowerCase();
  let total = 0;
  for (const sec of sections) {
    const all = !q || sec.dataset.title.toLowerCase().includes(q);
    let n = 0;
    for (const tr of sec.querySelectorAll('tbody tr')) {
      const hit = all || tr.textContent.toLowerCase().includes(q);
      if (tr.hidden === hit) tr.hidden = !hit;
      if (hit) n++;
    }
    sec.hidden = n === 0;
    sec.open = q ? n > 0 : sec.hasAttribute('data-open');
    total += n;
  }
  shown.textContent = total;
}
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    applyFilter();
    history.replaceState(null, '', input.value ? '#filter=' + encodeURIComponent(input.value) : location.pathname + location.search);
  }, 200);
});
// A filtered view can be shared: report.html#filter=github.com
const m = location.hash.match(/^#filter=(.*)$/);
if (m) { input.value = decodeURIComponent(m[1]); applyFilter(); }
// Sorting: one listener for every table.
document.addEventListener('click', e => {
  const th = e.target.closest('th');
  if (!th) return;
  const body = th.closest('table').tBodies[0];
  const i = th.cellIndex;
  const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = r => r.cells[i].textContent;
  Array.from(body.rows).sort((a, b) => key(a).localeCompare(key(b), undefined, {numeric: true}) * dir).forEach(r => body.appendChild(r));
});
})();
"#;

/// Writes the report as one HTML page.
pub fn write_html(report: &Report, mut w: impl Write) -> std::io::Result<()> {
    let s = &report.summary;
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
    let inputs: Vec<String> = report
        .run
        .inputs
        .iter()
        .map(|i| format!("<code>{}</code>", esc(i)))
        .collect();
    writeln!(
        w,
        "<h1>Link report</h1><p class=\"meta\">Run {}{} &middot; finished <span class=\"date\">{}</span></p>",
        report.run.id,
        if inputs.is_empty() {
            String::new()
        } else {
            format!(" of {}", inputs.join(" "))
        },
        esc(&report.run.finished_at.replace('T', " ").replace('Z', " UTC"))
    )?;
    writeln!(w, "<p class=\"lead\">{}</p>", esc(&report.headline()))?;
    writeln!(w, "<div class=\"figures\">")?;
    for (label, n) in [
        ("failing URLs", s.failing()),
        ("failing links", s.failing_occurrences),
        ("issues with failing links", s.failing_issues),
        ("links in the run", report.overview.run.occurrences),
        ("dead", s.dead),
        (
            "broken since the previous check",
            report.todo.newly_broken.total,
        ),
        ("recovered", s.recovered),
        ("redirected", s.redirected),
        ("lint errors", s.lint_errors),
        ("lint notes", s.lint_notes),
    ] {
        writeln!(w, "<div class=\"figure\"><b>{}</b>{label}</div>", count(n))?;
    }
    writeln!(w, "</div>")?;
    write_todo(report, &mut w)?;
    write_charts(report, &mut w)?;
    write_detail(report, &mut w)?;
    write_lint(report, &mut w)?;
    writeln!(w, "<script>{SCRIPT}</script></body></html>")
}

/// "What to do": four short lists, most cited first.
fn write_todo(report: &Report, w: &mut impl Write) -> std::io::Result<()> {
    let t = &report.todo;
    writeln!(
        w,
        "<section id=\"todo\"><h2>What to do</h2><div class=\"todo\">"
    )?;

    writeln!(w, "<div><h3>Failing links cited most often</h3>")?;
    list(w, &t.most_cited, "No failing link.", |i| {
        let mut more = vec![i.cited_text()];
        if let Some(since) = &i.failing_since {
            let what = if i.state == Some(crate::history::State::Dead) {
                "dead"
            } else {
                "failing"
            };
            more.push(format!("{what} since <span class=\"date\">{since}</span>"));
        }
        if let Some(a) = &i.archive {
            more.push(format!("<a href=\"{}\">archived copy</a>", esc(a)));
        }
        format!(
            "{} <span class=\"st\">{}</span> <span class=\"meta\">&middot; {}</span>",
            link(&i.url),
            esc(&i.status),
            more.join(" &middot; ")
        )
    })?;
    writeln!(w, "</div>")?;

    writeln!(
        w,
        "<div><h3>Archived copies ready ({})</h3>",
        count(t.archived.total)
    )?;
    list(
        w,
        &t.archived,
        if t.most_cited.total == 0 {
            "No failing link."
        } else {
            "No failing link has an archived copy on record (<code>linkrot archive lookup</code> asks the archives)."
        },
        |i| {
            format!(
                "{} &rarr; <a href=\"{}\">archived copy</a> <span class=\"meta\">&middot; {} &middot; {}</span>",
                link(&i.url),
                esc(i.archive.as_deref().unwrap_or_default()),
                esc(&i.status),
                i.cited_text()
            )
        },
    )?;
    if let Some(fix) = &t.fix {
        writeln!(
            w,
            "<p class=\"meta\">This command {} (without <code>--write</code> it prints the diff):</p><pre><code>{}</code></pre>",
            esc(&fix.says()),
            esc(&fix.command)
        )?;
        if let Some(broken) = &fix.broken_command {
            writeln!(
                w,
                "<p class=\"meta\">This one {}:</p><pre><code>{}</code></pre>",
                esc(&fix.broken_says()),
                esc(broken)
            )?;
        }
    }
    writeln!(w, "</div>")?;

    writeln!(
        w,
        "<div><h3>Permanent redirects to update ({})</h3>",
        count(t.moved.total)
    )?;
    list(w, &t.moved, "No permanent redirect.", |i| {
        format!(
            "{} &rarr; {} <span class=\"meta\">&middot; {}</span>",
            link(&i.url),
            link(i.moved_to.as_deref().unwrap_or_default()),
            i.cited_text()
        )
    })?;
    writeln!(w, "</div>")?;

    writeln!(
        w,
        "<div><h3>Broken since the previous check ({})</h3>",
        count(t.newly_broken.total)
    )?;
    list(
        w,
        &t.newly_broken,
        if t.failing_first_check > 0 {
            ""
        } else {
            "Nothing broke since the previous check."
        },
        |i| {
            format!(
                "{} <span class=\"st\">{}</span> <span class=\"meta\">&middot; {}</span>",
                link(&i.url),
                esc(&i.status),
                place(report, i)
            )
        },
    )?;
    if t.failing_first_check > 0 {
        writeln!(
            w,
            "<p class=\"meta\">{}</p>",
            super::markdown::first_check_note(t.failing_first_check)
        )?;
    }
    writeln!(w, "</div>")?;
    writeln!(w, "</div></section>")
}

fn list(
    w: &mut impl Write,
    l: &TodoList,
    empty: &str,
    item: impl Fn(&TodoItem) -> String,
) -> std::io::Result<()> {
    if l.items.is_empty() {
        if empty.is_empty() {
            return Ok(());
        }
        return writeln!(w, "<p class=\"meta\">{empty}</p>");
    }
    writeln!(w, "<ol>")?;
    for i in &l.items {
        writeln!(w, "<li>{}</li>", item(i))?;
    }
    writeln!(w, "</ol>")?;
    if l.total > l.items.len() {
        writeln!(
            w,
            "<p class=\"meta\">and {} more</p>",
            count(l.total - l.items.len())
        )?;
    }
    Ok(())
}

fn link(url: &str) -> String {
    format!("<a href=\"{0}\">{0}</a>", esc(url))
}

/// `in <i>Title</i> (2024-03-17), line 12`.
fn place(report: &Report, i: &TodoItem) -> String {
    let c = &i.latest;
    let shown = report.shown_path(&c.path);
    let title = c.title.as_deref().unwrap_or(shown);
    let date = c
        .date
        .map(|d| format!(" (<span class=\"date\">{d}</span>)"))
        .unwrap_or_default();
    format!("in <i>{}</i>{date}, line {}", esc(title), c.line)
}

/// The link-rot curve, the worst hosts, and the trend over runs.
fn write_charts(report: &Report, w: &mut impl Write) -> std::io::Result<()> {
    let o = &report.overview;
    writeln!(w, "<section id=\"charts\" class=\"charts\">")?;
    writeln!(w, "<figure><h2>Link rot by issue year</h2><p class=\"meta\">The share of each year's checked links that fail now, over the whole run (a bar's tooltip has the counts).</p>")?;
    let bars: Vec<Bar> = o
        .rot_by_year
        .iter()
        .map(|y| {
            let label = y
                .year
                .map_or_else(|| "no date".to_string(), |y| y.to_string());
            Bar {
                title: format!(
                    "{label}: {} of {} checked links failing ({})",
                    count(y.failing),
                    count(y.checked),
                    percent(y.share)
                ),
                label,
                value: y.share * 100.0,
                text: percent(y.share),
            }
        })
        .collect();
    if bars.is_empty() {
        writeln!(w, "<p class=\"meta\">No link.</p>")?;
    } else {
        writeln!(
            w,
            "{}",
            svg::columns(
                "rot",
                "share of each issue year's links failing now",
                &bars,
                "%",
                40.0
            )
        )?;
    }

    writeln!(w, "</figure><figure><h2>Hosts with the most failing URLs</h2><p class=\"meta\">Failing URLs on each host, and their share of the host's checked URLs.</p>")?;
    let bars: Vec<Bar> = o
        .worst_hosts
        .iter()
        .map(|h| Bar {
            label: h.host.clone(),
            value: h.failing as f64,
            text: format!("{} · {}", count(h.failing), percent(h.share)),
            title: format!(
                "{}: {} of {} checked URLs failing ({})",
                h.host,
                count(h.failing),
                count(h.checked),
                percent(h.share)
            ),
        })
        .collect();
    if bars.is_empty() {
        writeln!(w, "<p class=\"meta\">No failing link.</p>")?;
    } else {
        writeln!(
            w,
            "{}",
            svg::rows("hosts", "hosts with the most failing URLs", &bars)
        )?;
    }

    writeln!(w, "</figure>")?;
    if o.trend.len() >= 2 {
        writeln!(w, "<figure><h2>Failing URLs, run by run</h2><p class=\"meta\">The last {} runs over the same inputs.</p>", o.trend.len())?;
        let bars: Vec<Bar> = o
            .trend
            .iter()
            .map(|p| {
                let day = p.finished_at.get(..10).unwrap_or("running");
                Bar {
                    label: p.finished_at.get(5..10).unwrap_or("now").to_string(),
                    value: p.failing_urls as f64,
                    text: count(p.failing_urls),
                    title: format!(
                        "run {}, {day}: {} failing of {} URLs",
                        p.run,
                        count(p.failing_urls),
                        count(p.urls)
                    ),
                }
            })
            .collect();
        writeln!(
            w,
            "{}",
            svg::columns("trend", "failing URLs, run by run", &bars, "", 46.0)
        )?;
        writeln!(w, "</figure>")?;
    }
    writeln!(w, "</section>")
}

/// Every failing link, by issue: a `<details>` each, the first open.
fn write_detail(report: &Report, w: &mut impl Write) -> std::io::Result<()> {
    let failing = report.failures()?;
    let issues = by_issue(&failing);
    writeln!(
        w,
        "<section id=\"detail\"><h2>Failing links by issue (<span id=\"shown\">{}</span> shown)</h2>",
        report.summary.failing_occurrences
    )?;
    writeln!(w, "<input id=\"filter\" type=\"search\" placeholder=\"Filter by URL, status, host, issue...\" aria-label=\"Filter\">")?;
    for (n, issue) in issues.iter().enumerate() {
        let path = report.shown_path(issue.path);
        let title = issue.title.unwrap_or(path);
        let open = if n < OPEN_ISSUES {
            " open data-open"
        } else {
            ""
        };
        writeln!(
            w,
            "<details class=\"issue\"{open} data-title=\"{} {}\"><summary><span class=\"t\">{}</span> <span class=\"date\">{}</span> <span class=\"meta\">&middot; <span class=\"n\">{} failing</span> &middot; {}</span></summary>",
            esc(title),
            esc(path),
            esc(title),
            issue
                .date
                .map_or_else(|| "no date".to_string(), |d| d.to_string()),
            count(issue.links.len()),
            esc(path)
        )?;
        writeln!(w, "<table class=\"links\"><thead><tr><th>Line</th><th>Link</th><th>Status</th><th>Failing since</th><th>Archived copy</th></tr></thead><tbody>")?;
        for (o, l) in &issue.links {
            let since = l
                .dead_since
                .as_deref()
                .map(|d| &d[..10.min(d.len())])
                .unwrap_or("");
            let archived = match o.archive.as_ref().or(l.archive.as_ref()) {
                Some(a) => format!("<a href=\"{}\">archived copy</a>", esc(&a.url)),
                None => String::new(),
            };
            // Where a permanent redirect ended is not a replacement: the
            // page there failed too. It is said, apart.
            let moved = match (&l.final_url, l.permanent_redirect) {
                (Some(f), true) => format!(
                    "<div class=\"moved\">moved permanently to <a href=\"{0}\">{0}</a></div>",
                    esc(f)
                ),
                _ => String::new(),
            };
            writeln!(
                w,
                "<tr><td>{}</td><td class=\"url\"><a href=\"{u}\">{u}</a>{moved}</td><td class=\"st\">{}</td><td class=\"date\">{since}</td><td>{archived}</td></tr>",
                o.line,
                esc(&describe(l)),
                u = esc(&l.url),
            )?;
        }
        writeln!(w, "</tbody></table></details>")?;
    }
    writeln!(w, "</section>")
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
    writeln!(w, "<table class=\"lint\"><thead><tr><th>Issue</th><th>Line</th><th>Severity</th><th>Kind</th><th>Message</th></tr></thead><tbody>")?;
    for f in report.findings() {
        let (line, col) = (f.line.unwrap_or(0), f.column.unwrap_or(0));
        writeln!(
            w,
            "<tr><td>{}</td><td class=\"date\">{line}:{col}</td><td class=\"st\">{}</td><td class=\"st\">{}</td><td>{}</td></tr>",
            esc(report.shown_path(&f.path)),
            f.severity.as_str(),
            f.kind.as_str(),
            esc(&f.message)
        )?;
    }
    writeln!(w, "</tbody></table></section>")
}
