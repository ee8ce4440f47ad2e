package ai.fastai4j.text;

import java.util.List;

/**
 * fastai's special tokens, in fastai's order ({@code defaults.text_spec_tok}); a vocabulary starts with them, so
 * {@link #UNK} is index 0, {@link #PAD} index 1 and {@link #BOS} index 2 in every vocabulary.
 */
public final class SpecialTokens {
    /** Unknown word (a word under the vocabulary's minimum frequency). */
    public static final String UNK = "xxunk";
    /** Padding. */
    public static final String PAD = "xxpad";
    /** Beginning of a text. */
    public static final String BOS = "xxbos";
    /** End of a text. */
    public static final String EOS = "xxeos";
    /** Start of a field (several text columns). */
    public static final String FLD = "xxfld";
    /** Character repetition: {@code xxrep 4 a} for "aaaa". */
    public static final String TK_REP = "xxrep";
    /** Word repetition: {@code xxwrep 3 ah} for "ah ah ah". */
    public static final String TK_WREP = "xxwrep";
    /** The next word was in all capitals. */
    public static final String TK_UP = "xxup";
    /** The next word was capitalized. */
    public static final String TK_MAJ = "xxmaj";
    /** Filler that rounds a vocabulary up to a multiple of 8; never produced by encoding. */
    public static final String FAKE = "xxfake";

    /** All special tokens, in fastai's order. */
    public static final List<String> ALL = List.of(UNK, PAD, BOS, EOS, FLD, TK_REP, TK_WREP, TK_UP, TK_MAJ);

    /** Index of {@link #UNK} in every vocabulary. */
    public static final int UNK_INDEX = 0;
    /** Index of {@link #PAD} in every vocabulary: classification batches are padded with it. */
    public static final int PAD_INDEX = 1;
    /** Index of {@link #BOS} in every vocabulary. */
    public static final int BOS_INDEX = 2;

    private SpecialTokens() {
    }
}
