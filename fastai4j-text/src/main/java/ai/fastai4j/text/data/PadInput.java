package ai.fastai4j.text.data;

import java.util.List;

/** fastai's padding of token sequences into one batch. */
public final class PadInput {
    private PadInput() {
    }

    /**
     * fastai's {@code pad_input_chunk}: pads every sequence to the longest one with {@code padIdx}; with
     * {@code padFirst} the padding goes before the text in whole chunks of {@code seqLen} and the rest
     * ({@code missing % seqLen}) after it, so a chunked encoder that reads {@code seqLen} tokens at a time sees
     * whole chunks of padding first (without {@code padFirst}: all the padding after the text).
     *
     * @return row-major {@code [n, maxLen]}
     */
    public static long[] chunk(List<int[]> seqs, int padIdx, boolean padFirst, int seqLen) {
        int maxLen = 0;
        for (int[] s : seqs) {
            maxLen = Math.max(maxLen, s.length);
        }
        long[] out = new long[seqs.size() * maxLen];
        java.util.Arrays.fill(out, padIdx);
        for (int r = 0; r < seqs.size(); r++) {
            int[] s = seqs.get(r);
            int missing = maxLen - s.length;
            int chunks = missing / seqLen * seqLen;
            int at = r * maxLen + (padFirst ? chunks : 0);
            for (int i = 0; i < s.length; i++) {
                out[at + i] = s[i];
            }
        }
        return out;
    }

    /** The length of the longest sequence (the width of a padded batch). */
    public static int maxLength(List<int[]> seqs) {
        int m = 0;
        for (int[] s : seqs) {
            m = Math.max(m, s.length);
        }
        return m;
    }
}
