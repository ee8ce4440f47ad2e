package ai.fastai4j.interpret;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Precision, recall, F1 and support per class with accuracy and the macro and weighted averages, as
 * scikit-learn's {@code classification_report} computes them (fastai's {@code print_classification_report}):
 * a ratio with a zero denominator is 0, every class of the vocabulary has a row even without support.
 * {@link #toString()} gives scikit-learn's text with 2 digits.
 *
 * @param classes one row per class, in vocabulary order
 * @param accuracy share of items predicted right
 * @param macroAvg unweighted mean of the class rows (support: all items)
 * @param weightedAvg mean of the class rows weighted by support (support: all items)
 */
public record ClassificationReport(List<ClassMetrics> classes, double accuracy, ClassMetrics macroAvg,
        ClassMetrics weightedAvg) {

    /** One line of the report. */
    public record ClassMetrics(String label, double precision, double recall, double f1, long support) {}

    public ClassificationReport {
        classes = List.copyOf(classes);
    }

    /** Builds the report from a confusion matrix ({@code cm[actual][predicted]}) and the class names. */
    public static ClassificationReport fromConfusionMatrix(long[][] cm, List<String> vocab) {
        int n = vocab.size();
        if (cm.length != n) {
            throw new IllegalArgumentException("confusion matrix has " + cm.length + " rows for " + n + " classes");
        }
        long total = 0;
        long right = 0;
        long[] predicted = new long[n];
        for (int i = 0; i < n; i++) {
            if (cm[i].length != n) {
                throw new IllegalArgumentException("confusion matrix row " + i + " has " + cm[i].length + " columns");
            }
            for (int j = 0; j < n; j++) {
                total += cm[i][j];
                predicted[j] += cm[i][j];
            }
            right += cm[i][i];
        }
        List<ClassMetrics> rows = new ArrayList<>(n);
        double[] macro = new double[3];
        double[] weighted = new double[3];
        for (int c = 0; c < n; c++) {
            long support = 0;
            for (long v : cm[c]) {
                support += v;
            }
            double p = ratio(cm[c][c], predicted[c]);
            double r = ratio(cm[c][c], support);
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            rows.add(new ClassMetrics(vocab.get(c), p, r, f, support));
            double[] v = {p, r, f};
            for (int k = 0; k < 3; k++) {
                macro[k] += v[k] / n;
                weighted[k] += total == 0 ? 0 : v[k] * support / total;
            }
        }
        return new ClassificationReport(rows, ratio(right, total),
                new ClassMetrics("macro avg", macro[0], macro[1], macro[2], total),
                new ClassMetrics("weighted avg", weighted[0], weighted[1], weighted[2], total));
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    /** Number of items. */
    public long total() {
        return macroAvg.support();
    }

    /** scikit-learn's text with 2 digits. */
    @Override
    public String toString() {
        return format(2);
    }

    /** scikit-learn's text with {@code digits} decimals (rounded half to even, as Python does). */
    public String format(int digits) {
        String last = "weighted avg";
        int width = Math.max(last.length(), digits);
        for (ClassMetrics c : classes) {
            width = Math.max(width, c.label().length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", width)).append(' ');
        for (String h : List.of("precision", "recall", "f1-score", "support")) {
            sb.append(' ').append(pad(h, 9));
        }
        sb.append("\n\n");
        for (ClassMetrics c : classes) {
            row(sb, c, width, digits);
        }
        sb.append('\n');
        sb.append(pad("accuracy", width)).append(' ').append(' ').append(pad("", 9)).append(' ').append(pad("", 9))
                .append(' ').append(pad(fixed(accuracy, digits), 9)).append(' ').append(pad(Long.toString(total()), 9))
                .append('\n');
        row(sb, macroAvg, width, digits);
        row(sb, weightedAvg, width, digits);
        return sb.toString();
    }

    private static void row(StringBuilder sb, ClassMetrics c, int width, int digits) {
        sb.append(pad(c.label(), width)).append(' ');
        for (double v : new double[] {c.precision(), c.recall(), c.f1()}) {
            sb.append(' ').append(pad(fixed(v, digits), 9));
        }
        sb.append(' ').append(pad(Long.toString(c.support()), 9)).append('\n');
    }

    /** Right-aligns {@code s} in {@code width} characters. */
    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** Python's {@code format(v, '.Nf')}: the exact binary value rounded half to even. */
    static String fixed(double v, int digits) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }
}
