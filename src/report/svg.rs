//! Bar charts as inline SVG for the HTML page: an axis with round ticks
//! and grid lines, a value written on every bar, a label under (or
//! beside) it, and a `<title>` tooltip with the counts. No script, no
//! outside resource: the page reads the same offline and in a mail client.

use super::xml_escape as esc;
use std::fmt::Write as _;

/// One bar.
pub(super) struct Bar {
    /// Under (or beside) the bar: a year, a host, a date.
    pub label: String,
    /// Its length, on the chart's scale.
    pub value: f64,
    /// Written at its end: `46%`, `412 · 14%`.
    pub text: String,
    /// The tooltip: what the bar counts, in words.
    pub title: String,
}

/// The axis of a chart: its top value and the step between ticks, both
/// round (1, 2, 2.5 or 5 times a power of ten), about five ticks.
fn axis(max: f64, whole: bool) -> (f64, f64) {
    let max = if max > 0.0 { max } else { 1.0 };
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    // Counts are never cut in quarters.
    let muls: &[f64] = if whole && mag < 10.0 {
        &[1.0, 2.0, 5.0, 10.0]
    } else {
        &[1.0, 2.0, 2.5, 5.0, 10.0]
    };
    let mut step = muls
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    if whole {
        step = step.max(1.0);
    }
    (((max / step) - 1e-9).ceil() * step, step)
}

/// A tick's label: no decimals unless the step has some.
fn tick_label(v: f64, step: f64, unit: &str) -> String {
    if step.fract() == 0.0 {
        format!("{}{unit}", super::overview::count(v.round() as usize))
    } else {
        format!("{v:.1}{unit}")
    }
}

/// Vertical bars (`slot` pixels each) over a `0..` axis of `unit` (`%`
/// for values in percent, capped at 100; `` for counts), ticks on the
/// left.
pub(super) fn columns(id: &str, aria: &str, bars: &[Bar], unit: &str, slot: f64) -> String {
    let (left, top, h, bottom) = (46.0, 20.0, 160.0, 24.0);
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let (mut top_value, step) = axis(max, unit.is_empty());
    if unit == "%" {
        top_value = top_value.min(100.0);
    }
    let width = left + bars.len().max(1) as f64 * slot + 8.0;
    let height = top + h + bottom;
    let y = |v: f64| top + h - (v / top_value).min(1.0) * h;
    let mut s = open(id, aria, width, height);
    for t in ticks(top_value, step) {
        let ty = y(t);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\"/><text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            width - 8.0,
            left - 6.0,
            ty + 4.0,
            tick_label(t, step, unit)
        );
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{}\"/><line class=\"axis\" x1=\"{left}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
        top + h,
        width - 8.0,
        top + h,
        top + h
    );
    for (i, b) in bars.iter().enumerate() {
        let x = left + i as f64 * slot + slot * 0.15;
        let bw = slot * 0.7;
        let by = y(b.value);
        // A bar of nothing is still a mark on the axis.
        let bh = (top + h - by).max(1.0);
        let cx = x + bw / 2.0;
        let _ = write!(
            s,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\"><title>{}</title></rect><text class=\"val\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text class=\"lbl\" x=\"{cx:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            top + h - bh,
            esc(&b.title),
            top + h - bh - 5.0,
            esc(&b.text),
            top + h + 16.0,
            esc(&b.label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, one row each, labels on the left, over a `0..` axis
/// of counts with its ticks on top.
pub(super) fn rows(id: &str, aria: &str, bars: &[Bar]) -> String {
    let (label_w, plot_w, text_w, top, row) = (150.0, 200.0, 90.0, 22.0, 24.0);
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let (top_value, step) = axis(max, true);
    let width = label_w + plot_w + text_w;
    let height = top + bars.len().max(1) as f64 * row + 4.0;
    let x = |v: f64| label_w + (v / top_value).min(1.0) * plot_w;
    let mut s = open(id, aria, width, height);
    for t in ticks(top_value, step) {
        let tx = x(t);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"{}\" y2=\"{}\"/><text class=\"tick\" x=\"{tx:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            top - 4.0,
            height - 4.0,
            top - 8.0,
            tick_label(t, step, "")
        );
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{label_w}\" x2=\"{label_w}\" y1=\"{}\" y2=\"{}\"/>",
        top - 4.0,
        height - 4.0
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * row;
        let end = x(b.value).max(label_w + 1.0);
        let label: String = if b.label.chars().count() > 22 {
            b.label.chars().take(21).chain(['…']).collect()
        } else {
            b.label.clone()
        };
        let _ = write!(
            s,
            "<text class=\"lbl\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{}\"><title>{}</title></rect><text class=\"val\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_w - 6.0,
            y + row * 0.62,
            esc(&label),
            y + 3.0,
            end - label_w,
            row - 6.0,
            esc(&b.title),
            end + 5.0,
            y + row * 0.62,
            esc(&b.text)
        );
    }
    s.push_str("</svg>");
    s
}

/// An `<svg>` element opened for a chart, `aria` its accessible name.
fn open(id: &str, aria: &str, width: f64, height: f64) -> String {
    format!(
        "<svg id=\"{id}\" class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(aria)
    )
}

/// The axis values a tick marks: `0, step, ...` up to `top` (a step's
/// rounding allowed).
fn ticks(top: f64, step: f64) -> impl Iterator<Item = f64> {
    (0..)
        .map(move |i| f64::from(i) * step)
        .take_while(move |t| *t <= top + step / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::axis;

    #[test]
    fn axes_end_on_round_values() {
        assert_eq!(axis(46.15, false), (50.0, 10.0));
        assert_eq!(axis(8.0, false), (8.0, 2.0));
        assert_eq!(axis(0.4, false), (0.4, 0.1));
        assert_eq!(axis(412.0, true), (500.0, 100.0));
        assert_eq!(axis(3.0, true), (3.0, 1.0));
        assert_eq!(axis(0.0, true), (1.0, 1.0));
        assert_eq!(axis(12.0, true), (15.0, 5.0));
    }
}
