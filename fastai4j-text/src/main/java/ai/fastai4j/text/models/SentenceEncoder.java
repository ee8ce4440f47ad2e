package ai.fastai4j.text.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * fastai's {@code SentenceEncoder}: runs the AWD-LSTM over a whole padded document in chunks of {@code bptt}
 * tokens (state carried, detached, from chunk to chunk), keeping the outputs of the chunks that start within
 * the last {@code maxLen} tokens, with their padding mask. The child is named {@code module}, as in fastai.
 *
 * <p>fastai runs each chunk only on the rows that have started (its batches are sorted by length, padding in
 * whole chunks at the front); here every row runs, and a row that was still all padding in the previous chunk
 * starts the next one from a zero state, which gives the same outputs for fastai's layout and stays correct
 * for any row order.
 */
public final class SentenceEncoder extends Module implements Resettable {
    private final AwdLstm module;
    private final int bptt;
    private final int maxLen;
    private final int padIdx;

    /** The kept outputs (batch, kept, embSz) and their padding mask (batch, kept), true at padding. */
    public record Encoded(NDArray output, NDArray padMask) {}

    /**
     * @param bptt chunk length (fastai: 72)
     * @param maxLen how many final tokens' outputs to keep (fastai: 72 * 20), 0 for all
     */
    public SentenceEncoder(AwdLstm module, int bptt, int maxLen, int padIdx) {
        if (bptt < 1 || maxLen < 0) {
            throw new IllegalArgumentException("bptt must be >= 1 and maxLen >= 0, got " + bptt + ", " + maxLen);
        }
        this.module = register("module", module);
        this.bptt = bptt;
        this.maxLen = maxLen;
        this.padIdx = padIdx;
    }

    public AwdLstm module() {
        return module;
    }

    public int bptt() {
        return bptt;
    }

    public int maxLen() {
        return maxLen;
    }

    public Encoded encode(NDArray tokens) {
        if (tokens.getShape().dimension() != 2) {
            throw new IllegalArgumentException("expected tokens (batch, seq), got " + tokens.getShape());
        }
        long sl = tokens.getShape().get(1);
        module.reset();
        NDArray pad = tokens.eq(padIdx);
        List<NDArray> outs = new ArrayList<>();
        List<NDArray> masks = new ArrayList<>();
        for (long i = 0; i < sl; i += bptt) {
            long end = Math.min(i + bptt, sl);
            if (i > 0) {
                module.zeroHiddenRows(pad.get(new NDIndex(":, {}", i - bptt)).logicalNot());
            }
            NDArray o = module.forward(tokens.get(new NDIndex(":, {}:{}", i, end)));
            if (maxLen == 0 || sl - i <= maxLen) {
                outs.add(o);
                masks.add(pad.get(new NDIndex(":, {}:{}", i, end)));
            }
        }
        if (outs.isEmpty()) {
            throw new IllegalArgumentException("no chunk kept: maxLen " + maxLen + " < bptt " + bptt);
        }
        return new Encoded(outs.size() == 1 ? outs.get(0) : NDArrays.concat(new NDList(outs), 1),
                masks.size() == 1 ? masks.get(0) : NDArrays.concat(new NDList(masks), 1));
    }

    @Override
    public NDArray forward(NDArray tokens) {
        return encode(tokens).output();
    }

    @Override
    public void reset() {
        module.reset();
    }
}
