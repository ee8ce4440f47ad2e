package ai.fastai4j.text.data;

import static ai.fastai4j.text.SpecialTokens.BOS;
import static ai.fastai4j.text.SpecialTokens.EOS;
import static ai.fastai4j.text.SpecialTokens.FAKE;
import static ai.fastai4j.text.SpecialTokens.FLD;
import static ai.fastai4j.text.SpecialTokens.PAD;
import static ai.fastai4j.text.SpecialTokens.TK_MAJ;
import static ai.fastai4j.text.SpecialTokens.TK_REP;
import static ai.fastai4j.text.SpecialTokens.TK_UP;
import static ai.fastai4j.text.SpecialTokens.TK_WREP;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Readable text from tokens: undoes {@code xxmaj} (capitalizes the next word), {@code xxup} (upper-cases it),
 * {@code xxrep n c} and {@code xxwrep n w}, drops {@code xxbos}, {@code xxeos}, {@code xxpad}, {@code xxfld} and
 * {@code xxfake}, and joins words with spaces except before closing punctuation and contractions ("n't", "'s")
 * and after opening brackets. Tokenizing loses some spacing ("a - b" and "a-b" tokenize alike); what comes back
 * is one readable form.
 */
public final class TextDecoder {
    private static final Set<String> NO_SPACE_BEFORE = Set.of(".", ",", ";", ":", "!", "?", ")", "]", "}", "…",
            "%", "n't", "'s", "'m", "'re", "'ve", "'d", "'ll", "’s", "n’t", "'", "’");
    private static final Set<String> NO_SPACE_AFTER = Set.of("(", "[", "{", "$", "£", "€", "#", "/");
    private static final Set<String> DROPPED = Set.of(BOS, EOS, PAD, FAKE);

    private TextDecoder() {
    }

    /** The readable text of {@code tokens}. */
    public static String toText(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        boolean maj = false;
        boolean up = false;
        boolean upWord = false;
        boolean noSpace = true;
        boolean openQuote = false;
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (DROPPED.contains(t)) {
                continue;
            }
            if (t.equals(FLD)) {
                if (i + 1 < tokens.size() && isInt(tokens.get(i + 1))) {
                    i++;
                }
                continue;
            }
            if (t.equals(TK_MAJ)) {
                maj = true;
                continue;
            }
            if (t.equals(TK_UP)) {
                up = true;
                continue;
            }
            String base = t;
            if ((t.equals(TK_REP) || t.equals(TK_WREP)) && i + 2 < tokens.size() && isInt(tokens.get(i + 1))) {
                int n = Math.min(Integer.parseInt(tokens.get(i + 1)), 1000);
                String w = tokens.get(i + 2);
                base = w;
                t = t.equals(TK_REP) ? w.repeat(n) : String.join(" ", java.util.Collections.nCopies(n, w));
                i += 2;
            }
            boolean contraction = t.startsWith("'") || t.startsWith("’") || t.equals("n't") || t.equals("n’t");
            if (up || (contraction && upWord)) {
                // xxup stood before the whole word; its contraction ("I'M" is "i 'm") was split off by tokenizing
                t = t.toUpperCase(Locale.ROOT);
            } else if (maj && !t.isEmpty()) {
                t = t.substring(0, 1).toUpperCase(Locale.ROOT) + t.substring(1);
            }
            upWord = up || (contraction && upWord);
            maj = false;
            up = false;
            boolean quote = t.equals("\"");
            boolean attach = noSpace || contraction || NO_SPACE_BEFORE.contains(base) || (quote && openQuote);
            if (!attach && sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(t);
            if (quote) {
                openQuote = !openQuote;
            }
            noSpace = NO_SPACE_AFTER.contains(t) || (quote && openQuote);
        }
        return sb.toString();
    }

    private static boolean isInt(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
