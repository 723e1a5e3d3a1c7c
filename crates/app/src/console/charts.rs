//! The dashboard's charts, drawn on the server as SVG by plotters (no chart script, works
//! offline). Bars carry their value as text, so nothing depends on colour alone.

use plotters::prelude::*;

/// Chart size in pixels.
const SIZE: (u32, u32) = (640, 320);
const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
const BAR: RGBColor = RGBColor(0x0f, 0x76, 0x6e);
const LINE: RGBColor = RGBColor(0x1d, 0x4e, 0xd8);
/// Longest line series drawn with a marker on each point.
const MAX_MARKERS: usize = 90;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A line over time.
    Line,
    /// One bar per label.
    Bars,
}

/// A chart's data: labels with values, and how to print a value.
pub struct Series<'a> {
    /// `(label, value)`.
    pub points: &'a [(String, f64)],
    /// Line or bars.
    pub shape: Shape,
    /// Decimals printed.
    pub decimals: usize,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The chart as an SVG document.
pub fn svg(title: &str, series: &Series<'_>) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let points = series.points;
        let n = i32::try_from(points.len()).unwrap_or(0).max(1);
        let max = points.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
        let top = if max <= 0.0 { 1.0 } else { max * 1.15 };
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(title, ("sans-serif", 18).into_font().color(&INK))
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0..n, 0.0..top)
            .map_err(err)?;
        // Label every step-th point so long series stay readable.
        let step = usize::try_from((n / 8).max(1)).unwrap_or(1);
        let label = |x: &i32| -> String {
            usize::try_from(*x)
                .ok()
                .filter(|i| i % step == 0)
                .and_then(|i| points.get(i))
                .map(|(l, _)| l.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(points.len().clamp(1, 60))
            .x_label_formatter(&label)
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .label_style(("sans-serif", 12).into_font().color(&INK))
            .axis_style(INK.mix(0.6))
            .light_line_style(INK.mix(0.08))
            .draw()
            .map_err(err)?;
        match series.shape {
            Shape::Line => {
                chart
                    .draw_series(LineSeries::new(
                        points
                            .iter()
                            .enumerate()
                            .map(|(i, (_, v))| (i32::try_from(i).unwrap_or(0), *v)),
                        LINE.stroke_width(2),
                    ))
                    .map_err(err)?;
                // Markers while each still stands apart; over a year they would only blur
                // the line (and triple the drawing).
                if points.len() <= MAX_MARKERS {
                    chart
                        .draw_series(points.iter().enumerate().map(|(i, (_, v))| {
                            Circle::new((i32::try_from(i).unwrap_or(0), *v), 2, LINE.filled())
                        }))
                        .map_err(err)?;
                }
            }
            Shape::Bars => {
                chart
                    .draw_series(points.iter().enumerate().map(|(i, (_, v))| {
                        let x = i32::try_from(i).unwrap_or(0);
                        let mut bar = Rectangle::new([(x, 0.0), (x + 1, *v)], BAR.filled());
                        bar.set_margin(0, 0, 6, 6);
                        bar
                    }))
                    .map_err(err)?;
                let decimals = series.decimals;
                chart
                    .draw_series(points.iter().enumerate().map(|(i, (_, v))| {
                        let x = i32::try_from(i).unwrap_or(0);
                        Text::new(
                            format!("{v:.decimals$}"),
                            (x, *v + top * 0.02),
                            ("sans-serif", 11).into_font().color(&INK),
                        )
                    }))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_is_an_svg_with_its_labels_and_values() {
        let points = vec![("paid".to_owned(), 12.0), ("shipped".to_owned(), 3.0)];
        let svg = svg(
            "Orders by status",
            &Series {
                points: &points,
                shape: Shape::Bars,
                decimals: 0,
            },
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
        // The text of every <text> element: the title, both labels and both values.
        let texts: Vec<&str> = svg
            .split("</text>")
            .filter_map(|chunk| chunk.rsplit_once('>').map(|(_, t)| t.trim()))
            .collect();
        for text in ["Orders by status", "paid", "shipped", "12", "3"] {
            assert!(texts.contains(&text), "missing {text} in {texts:?}");
        }
    }

    #[test]
    fn long_lines_are_drawn_without_markers() {
        let series =
            |n: usize| -> Vec<(String, f64)> { (0..n).map(|i| (format!("d{i}"), 1.0)).collect() };
        let draw = |points: &[(String, f64)]| {
            svg(
                "Orders per day",
                &Series {
                    points,
                    shape: Shape::Line,
                    decimals: 0,
                },
            )
            .unwrap()
        };
        assert_eq!(draw(&series(30)).matches("<circle").count(), 30);
        assert_eq!(draw(&series(365)).matches("<circle").count(), 0);
    }

    #[test]
    fn an_empty_series_still_draws() {
        let svg = svg(
            "Nothing",
            &Series {
                points: &[],
                shape: Shape::Line,
                decimals: 0,
            },
        )
        .unwrap();
        assert!(svg.contains("Nothing"));
    }
}
