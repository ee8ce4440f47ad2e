package ai.fastai4j.tabular;

import java.util.List;

/** Formats rows of text as an aligned plain-text table (what {@code showBatch} prints). */
public final class TextTable {
    private TextTable() {}

    /** Cells longer than this are cut with an ellipsis. */
    static final int MAX_WIDTH = 24;

    /** Header, a rule, then one line per row; numbers are right-aligned, text left-aligned. */
    public static String format(List<String> header, List<List<String>> rows) {
        int n = header.size();
        int[] w = new int[n];
        boolean[] numeric = new boolean[n];
        for (int j = 0; j < n; j++) {
            w[j] = cut(header.get(j)).length();
            numeric[j] = !rows.isEmpty();
        }
        for (List<String> r : rows) {
            for (int j = 0; j < n; j++) {
                String c = cut(r.get(j));
                w[j] = Math.max(w[j], c.length());
                numeric[j] &= Table.isDouble(c);
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w, new boolean[n]);
        for (int j = 0; j < n; j++) {
            sb.append(j == 0 ? "" : "  ").append("-".repeat(w[j]));
        }
        sb.append('\n');
        for (List<String> r : rows) {
            line(sb, r, w, numeric);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w, boolean[] right) {
        for (int j = 0; j < w.length; j++) {
            String c = cut(cells.get(j));
            String pad = " ".repeat(w[j] - c.length());
            sb.append(j == 0 ? "" : "  ").append(right[j] ? pad + c : c + pad);
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }

    private static String cut(String s) {
        String t = s == null ? "" : s;
        return t.length() <= MAX_WIDTH ? t : t.substring(0, MAX_WIDTH - 3) + "...";
    }
}
