package ai.fastai4j.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Training plots written as PNG files, in the spirit of fastai's {@code Recorder.plot_loss},
 * {@code Recorder.plot_sched}, {@code plot_lr_find} and {@code ClassificationInterpretation
 * .plot_confusion_matrix}.
 *
 * <p>All methods take plain Java arrays, work headless (they set {@code java.awt.headless=true}
 * when it is unset), create missing parent folders of {@code out}, and return {@code out}. I/O
 * failures are reported as {@link java.io.UncheckedIOException}. Non-finite values (NaN, ±inf)
 * are skipped rather than plotted.
 */
public final class Plots {

    static {
        Headless.ensure();
    }

    /** Default chart width in pixels. */
    public static final int WIDTH = 800;
    /** Default chart height in pixels. */
    public static final int HEIGHT = 500;

    /** matplotlib's "tab10" colour cycle (C0, C1, ...), as used by fastai's plots. */
    static final Color[] TAB10 = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)
    };

    private static final Font BASE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    private Plots() {}

    /**
     * Plots the training loss per iteration and the validation loss per epoch, like fastai's
     * {@code recorder.plot_loss()}. Validation losses are drawn at the iteration where each epoch
     * ended, i.e. {@code (epoch + 1) * itersPerEpoch}.
     *
     * @param trainLosses smoothed training loss, one value per iteration (may be empty)
     * @param validLosses validation loss, one value per epoch (may be null or empty)
     * @param itersPerEpoch number of training iterations in one epoch (&gt; 0)
     * @param out PNG file to write
     * @return {@code out}
     */
    public static Path lossPlot(double[] trainLosses, double[] validLosses, int itersPerEpoch, Path out) {
        Objects.requireNonNull(trainLosses, "trainLosses");
        if (itersPerEpoch <= 0) {
            throw new IllegalArgumentException("itersPerEpoch must be > 0, got " + itersPerEpoch);
        }
        XYChart chart = newChart(WIDTH, HEIGHT, "Loss", "iteration", "loss");
        boolean any = false;
        Series train = finite(indexX(trainLosses.length, 0, 1), trainLosses);
        if (train.size() > 0) {
            XYSeries s = chart.addSeries("train", train.x, train.y);
            styleLine(s, TAB10[0]);
            if (train.size() == 1) {
                s.setMarker(SeriesMarkers.CIRCLE); // a lone point would be invisible as a line
                s.setMarkerColor(TAB10[0]);
            }
            breakEqualSpacing(chart, train);
            any = true;
        }
        if (validLosses != null && validLosses.length > 0) {
            Series valid = finite(indexX(validLosses.length, itersPerEpoch, itersPerEpoch), validLosses);
            if (valid.size() > 0) {
                XYSeries s = chart.addSeries("valid", valid.x, valid.y);
                styleLine(s, TAB10[1]);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(TAB10[1]);
                any = true;
            }
        }
        if (!any) {
            addEmptyPlaceholder(chart);
        }
        return save(chart, out);
    }

    /**
     * Plots the learning-rate and momentum schedules against the iteration, in two side-by-side
     * panels, like fastai's {@code recorder.plot_sched()}.
     *
     * @param lrs learning rate per iteration
     * @param moms momentum per iteration, or null to plot only the learning rate
     * @param out PNG file to write
     * @return {@code out}
     */
    public static Path schedulePlot(double[] lrs, double[] moms, Path out) {
        Objects.requireNonNull(lrs, "lrs");
        List<BufferedImage> panels = new ArrayList<>();
        int panelW = moms == null ? WIDTH : 560;
        int panelH = moms == null ? HEIGHT : 450;
        panels.add(schedulePanel("lr", lrs, panelW, panelH, TAB10[0]));
        if (moms != null) {
            panels.add(schedulePanel("mom", moms, panelW, panelH, TAB10[0]));
        }
        if (panels.size() == 1) {
            return Headless.writePng(panels.get(0), out);
        }
        BufferedImage img = new BufferedImage(panelW * panels.size(), panelH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                g.drawImage(panels.get(i), i * panelW, 0, null);
            }
        } finally {
            g.dispose();
        }
        return Headless.writePng(img, out);
    }

    /**
     * One line panel per named series, side by side (fastai's three-panel {@code plot_layer_stats}); x is the
     * index of each value.
     */
    public static Path linePanels(Map<String, double[]> series, Path out) {
        Objects.requireNonNull(series, "series");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no series to plot");
        }
        int panelW = 420;
        int panelH = 320;
        BufferedImage img = new BufferedImage(panelW * series.size(), panelH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            int i = 0;
            for (Map.Entry<String, double[]> e : series.entrySet()) {
                g.drawImage(schedulePanel(e.getKey(), e.getValue(), panelW, panelH, TAB10[i % TAB10.length]),
                        i * panelW, 0, null);
                i++;
            }
        } finally {
            g.dispose();
        }
        return Headless.writePng(img, out);
    }

    private static BufferedImage schedulePanel(String name, double[] values, int w, int h, Color color) {
        Series s = finite(indexX(values.length, 0, 1), values);
        // Like matplotlib's axis offset: tiny values (lr ~ 1e-3) are shown scaled, "lr (x1e-3)".
        double maxAbs = 0;
        for (double v : s.y) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        String yTitle = name;
        if (maxAbs > 0 && maxAbs < 1e-2) {
            int e = (int) Math.floor(Math.log10(maxAbs) + 0.005); // 9.99e-4 -> x1e-3
            double f = Math.pow(10, -e);
            double[] scaled = new double[s.size()];
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] = s.y[i] * f;
            }
            s = new Series(s.x, scaled);
            yTitle = name + " (\u00d71e" + e + ")";
        }
        XYChart chart = newChart(w, h, name, "iteration", yTitle);
        chart.getStyler().setLegendVisible(false);
        if (s.size() == 0) {
            addEmptyPlaceholder(chart);
        } else {
            styleLine(chart.addSeries(name, s.x, s.y), color);
            breakEqualSpacing(chart, s);
            padConstantYRange(chart, s.y);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Plots loss against learning rate on a logarithmic x-axis, like fastai's
     * {@code plot_lr_find}, with one marker per suggested learning rate. Points whose learning
     * rate is not positive and finite, or whose loss is not finite, are skipped.
     *
     * @param lrs learning rates tried (positive)
     * @param losses smoothed loss for each learning rate; NaN/inf allowed (skipped)
     * @param suggestions suggestion name to learning rate, e.g. {@code "valley" -> 1.2e-3}; may be
     *     null or empty. Legend entries read {@code "valley: 1.20e-03"}.
     * @param out PNG file to write
     * @return {@code out}
     */
    public static Path lrFindPlot(double[] lrs, double[] losses, Map<String, Double> suggestions, Path out) {
        Objects.requireNonNull(lrs, "lrs");
        Objects.requireNonNull(losses, "losses");
        int n = Math.min(lrs.length, losses.length);
        double[] xs = new double[n];
        double[] ys = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(lrs[i]) && lrs[i] > 0 && Double.isFinite(losses[i])) {
                xs[m] = lrs[i];
                ys[m] = losses[i];
                m++;
            }
        }
        XYChart chart = newChart(WIDTH, HEIGHT, "Learning rate finder", "Learning Rate", "Loss");
        if (m == 0) {
            addEmptyPlaceholder(chart);
            return save(chart, out);
        }
        double[] x = java.util.Arrays.copyOf(xs, m);
        double[] y = java.util.Arrays.copyOf(ys, m);
        XYStyler st = chart.getStyler();
        st.setXAxisLogarithmic(true);
        st.setXAxisLogarithmicDecadeOnly(true);
        st.setXAxisDecimalPattern("0E0");
        XYSeries curve = chart.addSeries("loss", x, y);
        styleLine(curve, TAB10[0]);
        curve.setShowInLegend(false);
        int k = 1;
        boolean legend = false;
        if (suggestions != null) {
            for (Map.Entry<String, Double> e : suggestions.entrySet()) {
                Double lr = e.getValue();
                if (lr == null || !Double.isFinite(lr) || lr <= 0) {
                    continue;
                }
                double loss = lossAt(x, y, lr);
                String label = e.getKey() + ": " + String.format(Locale.ROOT, "%.2e", lr);
                XYSeries s = chart.addSeries(label, new double[] {lr}, new double[] {loss});
                Color c = TAB10[k++ % TAB10.length];
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(c);
                s.setLineColor(c);
                legend = true;
            }
        }
        st.setLegendVisible(legend);
        st.setMarkerSize(10);
        return save(chart, out);
    }

    /** Loss of the point whose learning rate is closest (in log space) to {@code lr}. */
    private static double lossAt(double[] x, double[] y, double lr) {
        double target = Math.log(lr);
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(Math.log(x[i]) - target);
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return y[best];
    }

    /**
     * Draws a confusion matrix as a heat map (fastai's "Blues" colour map) with the count written
     * in each cell: actual classes on rows, predicted classes on columns.
     *
     * @param counts square matrix, {@code counts[actual][predicted]}
     * @param classes class names, one per row/column
     * @param out PNG file to write
     * @return {@code out}
     */
    public static Path confusionMatrixPlot(int[][] counts, List<String> classes, Path out) {
        return confusionMatrixPlot(counts, classes, false, out);
    }

    /**
     * Like {@link #confusionMatrixPlot(int[][], List, Path)}; with {@code normalize} each row is
     * divided by its total and cells show fractions with two decimals (fastai's
     * {@code normalize=True}).
     *
     * @param counts square matrix, {@code counts[actual][predicted]}
     * @param classes class names, one per row/column
     * @param normalize whether to normalise each row to sum to 1
     * @param out PNG file to write
     * @return {@code out}
     */
    public static Path confusionMatrixPlot(int[][] counts, List<String> classes, boolean normalize, Path out) {
        return Headless.writePng(renderConfusionMatrix(counts, classes, normalize), out);
    }

    static BufferedImage renderConfusionMatrix(int[][] counts, List<String> classes, boolean normalize) {
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(classes, "classes");
        int n = classes.size();
        if (counts.length != n) {
            throw new IllegalArgumentException("counts has " + counts.length + " rows but there are " + n + " classes");
        }
        for (int[] row : counts) {
            if (row == null || row.length != n) {
                throw new IllegalArgumentException("counts must be a " + n + "x" + n + " matrix");
            }
        }
        double[][] v = new double[n][n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            long total = 0;
            for (int j = 0; j < n; j++) {
                total += counts[i][j];
            }
            for (int j = 0; j < n; j++) {
                v[i][j] = normalize ? (total == 0 ? 0 : counts[i][j] / (double) total) : counts[i][j];
                max = Math.max(max, v[i][j]);
            }
        }

        int cell = Math.max(28, Math.min(110, 540 / Math.max(1, n)));
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 18);
        Font axisFont = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(16, (int) (cell * 0.32))));

        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics lfm = sg.getFontMetrics(labelFont);
        FontMetrics afm = sg.getFontMetrics(axisFont);
        FontMetrics tfm = sg.getFontMetrics(titleFont);
        int maxLabel = 0;
        for (String c : classes) {
            maxLabel = Math.max(maxLabel, lfm.stringWidth(String.valueOf(c)));
        }
        sg.dispose();
        boolean rotateX = maxLabel > cell - 6;

        int pad = 20;
        int grid = n * cell;
        int left = pad + afm.getHeight() + 10 + maxLabel + 8;
        int top = pad + tfm.getHeight() + 12;
        int xLabelsH = rotateX ? maxLabel + 8 : lfm.getHeight() + 6;
        int bottom = xLabelsH + 10 + afm.getHeight() + pad;
        int right = pad + 30;
        int width = Math.max(left + grid + right, tfm.stringWidth("Confusion matrix") + 2 * pad);
        int height = top + grid + bottom;
        int gx = left + Math.max(0, (width - left - grid - right) / 2);
        int gy = top;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);

            // title
            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            String title = "Confusion matrix";
            g.drawString(title, gx + (grid - tfm.stringWidth(title)) / 2, pad + tfm.getAscent());

            // cells
            FontMetrics cfm = g.getFontMetrics(cellFont);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double t = max > 0 ? v[i][j] / max : 0;
                    g.setColor(blues(t));
                    g.fillRect(gx + j * cell, gy + i * cell, cell, cell);
                    String s = normalize ? String.format(Locale.ROOT, "%.2f", v[i][j]) : Integer.toString(counts[i][j]);
                    g.setFont(cellFont);
                    g.setColor(t > 0.5 ? Color.WHITE : Color.BLACK);
                    int sw = cfm.stringWidth(s);
                    if (sw <= cell - 2) {
                        g.drawString(s, gx + j * cell + (cell - sw) / 2,
                                gy + i * cell + (cell - cfm.getHeight()) / 2 + cfm.getAscent());
                    }
                }
            }
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1f));
            g.drawRect(gx, gy, grid, grid);

            // y tick labels (actual)
            g.setFont(labelFont);
            for (int i = 0; i < n; i++) {
                String s = String.valueOf(classes.get(i));
                int sw = lfm.stringWidth(s);
                g.drawLine(gx - 4, gy + i * cell + cell / 2, gx, gy + i * cell + cell / 2);
                g.drawString(s, gx - 8 - sw, gy + i * cell + (cell - lfm.getHeight()) / 2 + lfm.getAscent());
            }
            // x tick labels (predicted)
            for (int j = 0; j < n; j++) {
                String s = String.valueOf(classes.get(j));
                int sw = lfm.stringWidth(s);
                int cx = gx + j * cell + cell / 2;
                g.drawLine(cx, gy + grid, cx, gy + grid + 4);
                if (rotateX) {
                    AffineTransform saved = g.getTransform();
                    g.translate(cx + (lfm.getAscent() - lfm.getDescent()) / 2.0, gy + grid + 8 + sw);
                    g.rotate(-Math.PI / 2);
                    g.drawString(s, 0, 0);
                    g.setTransform(saved);
                } else {
                    g.drawString(s, cx - sw / 2, gy + grid + 6 + lfm.getAscent());
                }
            }
            // axis titles
            g.setFont(axisFont);
            String xt = "Predicted";
            g.drawString(xt, gx + (grid - afm.stringWidth(xt)) / 2, gy + grid + xLabelsH + 10 + afm.getAscent());
            String yt = "Actual";
            AffineTransform saved = g.getTransform();
            g.translate(pad + afm.getAscent(), gy + (grid + afm.stringWidth(yt)) / 2.0);
            g.rotate(-Math.PI / 2);
            g.drawString(yt, 0, 0);
            g.setTransform(saved);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** matplotlib's "Blues" colour map, sampled at {@code t} in [0, 1]. */
    static Color blues(double t) {
        int[][] stops = {
            {0xf7, 0xfb, 0xff}, {0xde, 0xeb, 0xf7}, {0xc6, 0xdb, 0xef}, {0x9e, 0xca, 0xe1}, {0x6b, 0xae, 0xd6},
            {0x42, 0x92, 0xc6}, {0x21, 0x71, 0xb5}, {0x08, 0x51, 0x9c}, {0x08, 0x30, 0x6b}
        };
        double p = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) Math.floor(p));
        double f = p - i;
        int[] a = stops[i];
        int[] b = stops[i + 1];
        return new Color(
                (int) Math.round(a[0] + f * (b[0] - a[0])),
                (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A bar per label (in the given order), with symmetric error bars when {@code errors} is not null (e.g. the
     * standard deviation of repeated measurements), like matplotlib's {@code bar(..., yerr=...)}.
     *
     * @return {@code out}
     */
    public static Path barPlot(List<String> labels, double[] values, double[] errors, String title, String yTitle,
            Path out) {
        Objects.requireNonNull(labels, "labels");
        if (labels.size() != values.length || (errors != null && errors.length != values.length)) {
            throw new IllegalArgumentException(labels.size() + " labels for " + values.length + " values"
                    + (errors == null ? "" : " and " + errors.length + " errors"));
        }
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).yAxisTitle(yTitle).build();
        org.knowm.xchart.style.CategoryStyler st = chart.getStyler();
        st.setBaseFont(BASE_FONT);
        st.setChartTitleFont(BASE_FONT.deriveFont(Font.BOLD, 16f));
        st.setAxisTitleFont(BASE_FONT.deriveFont(14f));
        st.setAxisTickLabelsFont(BASE_FONT.deriveFont(12f));
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xe6e6e6));
        st.setChartTitleBoxVisible(false);
        st.setLegendVisible(false);
        st.setSeriesColors(new Color[] {TAB10[0]});
        st.setXAxisLabelRotation(labels.size() > 6 ? 45 : 0);
        st.setErrorBarsColor(Color.BLACK);
        st.setToolTipsEnabled(false);
        st.setLocale(Locale.ROOT);
        st.setChartPadding(14);
        List<Double> ys = new ArrayList<>();
        List<Double> es = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            ys.add(Double.isFinite(values[i]) ? values[i] : 0);
            es.add(errors == null || !Double.isFinite(errors[i]) ? 0 : errors[i]);
        }
        if (labels.isEmpty()) {
            chart.addSeries("values", List.of("(none)"), List.of(0.0));
        } else if (errors == null) {
            chart.addSeries("values", new ArrayList<>(labels), ys);
        } else {
            chart.addSeries("values", new ArrayList<>(labels), ys, es);
        }
        return Headless.writePng(BitmapEncoder.getBufferedImage(chart), out);
    }

    /**
     * A line through the points (x, y) with markers, e.g. a partial dependence curve.
     *
     * @return {@code out}
     */
    public static Path linePlot(double[] x, double[] y, String title, String xTitle, String yTitle, Path out) {
        XYChart chart = newChart(WIDTH, HEIGHT, title, xTitle, yTitle);
        chart.getStyler().setLegendVisible(false);
        Series f = finite(x, y);
        if (f.size() == 0) {
            addEmptyPlaceholder(chart);
        } else {
            XYSeries s = chart.addSeries(yTitle, f.x, f.y);
            styleLine(s, TAB10[0]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(TAB10[0]);
            padConstantYRange(chart, f.y);
        }
        return save(chart, out);
    }

    private record Series(double[] x, double[] y) {
        int size() {
            return x.length;
        }
    }

    private static double[] indexX(int n, double start, double step) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = start + i * step;
        }
        return x;
    }

    /** Keeps only the points whose x and y are finite. */
    private static Series finite(double[] x, double[] y) {
        int n = Math.min(x.length, y.length);
        double[] fx = new double[n];
        double[] fy = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                fx[m] = x[i];
                fy[m] = y[i];
                m++;
            }
        }
        return new Series(java.util.Arrays.copyOf(fx, m), java.util.Arrays.copyOf(fy, m));
    }

    static XYChart newChart(int w, int h, String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        XYStyler s = chart.getStyler();
        s.setBaseFont(BASE_FONT);
        s.setChartTitleFont(BASE_FONT.deriveFont(Font.BOLD, 16f));
        s.setAxisTitleFont(BASE_FONT.deriveFont(14f));
        s.setAxisTickLabelsFont(BASE_FONT.deriveFont(12f));
        s.setLegendFont(BASE_FONT.deriveFont(13f));
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(new Color(0x444444));
        s.setPlotGridLinesVisible(true);
        s.setPlotGridLinesColor(new Color(0xe6e6e6));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setAxisTickMarksColor(new Color(0x444444));
        s.setChartTitleBoxVisible(false);
        s.setChartFontColor(Color.BLACK);
        s.setAxisTickLabelsColor(Color.BLACK);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        s.setLegendBorderColor(new Color(0xcccccc));
        s.setSeriesColors(TAB10);
        s.setMarkerSize(7);
        s.setAntiAlias(true);
        s.setYAxisLabelAlignment(AxesChartStyler.TextAlignment.Right);
        s.setToolTipsEnabled(false);
        s.setLocale(Locale.ROOT);
        s.setChartPadding(14);
        return chart;
    }

    private static void styleLine(XYSeries s, Color color) {
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    }

    /** Gives a flat series (e.g. constant momentum) a visible y range instead of a degenerate one. */
    private static void padConstantYRange(XYChart chart, double[] y) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) {
            double d = Math.abs(hi) > 0 ? Math.abs(hi) * 0.05 : 1;
            chart.getStyler().setYAxisMin(lo - d);
            chart.getStyler().setYAxisMax(hi + d);
        }
    }

    /**
     * XChart puts ticks only at data values when all values on an axis look equally spaced (as
     * iteration indices are, or any values closer than 1e-4 apart), which gives odd ticks such as
     * 0, 79, 158. An invisible one-point series off the grid switches it back to round ticks.
     */
    private static void breakEqualSpacing(XYChart chart, Series s) {
        if (s.size() < 2) {
            return;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : s.y) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double hx = s.x[0] + 0.5 * (s.x[1] - s.x[0]);
        XYSeries h = chart.addSeries("\u0000grid", new double[] {hx}, new double[] {lo + 0.4999 * (hi - lo)});
        h.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        h.setMarker(SeriesMarkers.NONE);
        h.setLineColor(new Color(0, 0, 0, 0));
        h.setShowInLegend(false);
    }

    /** XChart needs at least one series; draw an invisible one so an empty run still gives a PNG. */
    private static void addEmptyPlaceholder(XYChart chart) {
        XYSeries s = chart.addSeries("(no data)", new double[] {0, 1}, new double[] {0, 1});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(new Color(0, 0, 0, 0));
        s.setShowInLegend(false);
        chart.getStyler().setXAxisLogarithmic(false);
        chart.getStyler().setLegendVisible(false);
        chart.setTitle(chart.getTitle() + " (no finite data)");
    }

    private static Path save(XYChart chart, Path out) {
        return Headless.writePng(BitmapEncoder.getBufferedImage(chart), out);
    }
}
