package org.iommufd4j.bench.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.iommufd4j.bench.Suite;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * One PNG bar chart per suite: this run's figures with their error bars, and beside them, as
 * separate series, Linux generic_pt's figures where it has one for the same operation.
 */
final class SuiteChart {
    private static final Color JAVA = new Color(0x1f, 0x77, 0xb4);
    private static final Color LINUX_MACHINE = new Color(0xff, 0x7f, 0x0e);
    private static final Color LINUX_PUBLISHED = new Color(0x99, 0x99, 0x99);

    private SuiteChart() {
    }

    /** Draws {@code suite}'s chart into {@code file} (a .png path). */
    static void draw(Suite suite, List<Measurement> rows, LinuxFigures linux, Path file) throws IOException {
        boolean perEntry = suite.chartMetric() == Suite.ChartMetric.PER_ENTRY;
        Function<Measurement, Double> ours = perEntry ? Measurement::nsPerEntry : Measurement::nsPerCall;
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (Measurement m : rows) {
            labels.add(m.label());
            values.add(ours.apply(m));
            double err = perEntry ? m.errorPerCall() / m.entries() : m.errorPerCall();
            errors.add(Double.isNaN(err) ? 0.0 : err);
        }
        // Figures that span more than two decades (a walk beside a 1 GiB ioctl) get a log axis, else
        // the small ones are invisible; bars and error bars then start at the decade below the smallest.
        double min = values.stream().filter(v -> v > 0).mapToDouble(Double::doubleValue).min().orElse(1);
        double max = values.stream().filter(v -> v > 0).mapToDouble(Double::doubleValue).max().orElse(1);
        boolean log = max / min > 100;
        // A decade of room below the smallest figure, so Linux's (often smaller) figures show too.
        double floor = Math.pow(10, Math.floor(Math.log10(min)) - 1);
        if (log) {
            // XChart draws error bars in linear space, which is wrong on a log axis: leave them to the table.
            errors.replaceAll(e -> 0.0);
        }
        CategoryChart chart = new CategoryChartBuilder()
                .width(Math.max(900, 170 * rows.size() + 200)).height(560)
                .title("iommufd4j bench: " + suite.name() + " (" + suite.chartMetric().axisTitle() + ", lower is better"
                        + (log ? ", log scale; error bars in the report's table" : "") + ")")
                .yAxisTitle(suite.chartMetric().axisTitle())
                .build();
        var styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Vertical);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotGridVerticalLinesVisible(false);
        styler.setLabelsVisible(true);
        styler.setLabelsFontColorAutomaticEnabled(false);
        styler.setLabelsFontColor(Color.BLACK);
        styler.setLabelsPosition(1.0);
        styler.setXAxisLabelRotation(rows.size() > 4 ? 15 : 0);
        // Translucent, so the value labels stay readable where an error bar crosses them.
        styler.setErrorBarsColor(new Color(0, 0, 0, 120));
        // On a log axis the figures span decades: keep two decimals for the small ones.
        styler.setDecimalPattern(log ? "#,##0.##" : decimalPattern(values));
        if (log) {
            styler.setYAxisLogarithmic(true);
            styler.setYAxisMin(floor);
        } else {
            styler.setYAxisMin(0.0);
        }
        CategorySeries own = chart.addSeries("iommufd4j, Java/JMH, this run" + (log ? "" : " (error bar: 99.9% CI)"),
                labels, values, errors);
        own.setFillColor(JAVA);
        addLinuxSeries(chart, rows, linux, LinuxFigures.Origin.MACHINE, perEntry,
                "Linux generic_pt, C, this machine class (s7), measured separately", LINUX_MACHINE, labels);
        addLinuxSeries(chart, rows, linux, LinuxFigures.Origin.PUBLISHED, perEntry,
                "Linux generic_pt, published, i7-12700 (s1), measured separately", LINUX_PUBLISHED, labels);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void addLinuxSeries(CategoryChart chart, List<Measurement> rows, LinuxFigures linux,
            LinuxFigures.Origin origin, boolean perEntry, String name, Color color, List<String> labels) {
        List<Double> values = new ArrayList<>();
        boolean any = false;
        for (Measurement m : rows) {
            Optional<LinuxFigures.Figure> f = linux.find(m.linuxKey(), m.format(), origin);
            double v = f.map(fig -> perEntry ? fig.nsPerEntry() : fig.nsPerCall()).orElse(Double.NaN);
            any |= !Double.isNaN(v);
            // XChart draws no bar for a null value.
            values.add(Double.isNaN(v) ? null : v);
        }
        if (any) {
            chart.addSeries(name, labels, values).setFillColor(color);
        }
    }

    /** Enough decimals that sub-nanosecond figures do not print as 0. */
    private static String decimalPattern(List<Double> values) {
        double max = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).max().orElse(1);
        if (max < 10) {
            return "0.00";
        }
        if (max < 100) {
            return "0.0";
        }
        return "#,##0";
    }
}
