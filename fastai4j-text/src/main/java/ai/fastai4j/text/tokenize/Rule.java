package ai.fastai4j.text.tokenize;

import static ai.fastai4j.text.SpecialTokens.BOS;
import static ai.fastai4j.text.SpecialTokens.TK_MAJ;
import static ai.fastai4j.text.SpecialTokens.TK_REP;
import static ai.fastai4j.text.SpecialTokens.TK_UP;
import static ai.fastai4j.text.SpecialTokens.TK_WREP;
import static ai.fastai4j.text.SpecialTokens.UNK;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.text.StringEscapeUtils;

/**
 * fastai's text pre-processing rules ({@code fastai.text.core}), applied to the raw text before the word
 * tokenizer, each under fastai's name. {@link #DEFAULTS} is fastai's {@code defaults.text_proc_rules} in its order.
 * The regular expressions are fastai's, with Unicode character classes as in Python 3.
 */
public enum Rule implements UnaryOperator<String> {
    /** Fixes messy HTML left in documents ({@code #39;}, {@code <br />}, {@code @-@}, ...) and unescapes entities. */
    FIX_HTML("fix_html") {
        @Override
        public String apply(String x) {
            String s = x.replace("#39;", "'").replace("amp;", "&").replace("#146;", "'").replace("nbsp;", " ")
                    .replace("#36;", "$").replace("\\n", "\n").replace("quot;", "'").replace("<br />", "\n")
                    .replace("\\\"", "\"").replace("<unk>", UNK).replace(" @.@ ", ".").replace(" @-@ ", "-")
                    .replace("...", " \u2026");
            return StringEscapeUtils.unescapeHtml4(s);
        }
    },
    /** Character repetitions: {@code cccc} becomes {@code  xxrep 4 c }. */
    REPLACE_REP("replace_rep") {
        @Override
        public String apply(String t) {
            return replace(RE_REP, t, m -> " " + TK_REP + " " + (m.group(2).length() + 1) + " " + m.group(1) + " ");
        }
    },
    /** Word repetitions: {@code word word word} becomes {@code  xxwrep 3 word }. */
    REPLACE_WREP("replace_wrep") {
        @Override
        public String apply(String t) {
            return replace(RE_WREP, t, m -> " " + TK_WREP + " " + (m.group(2).trim().split("\\s+").length + 2) + " "
                    + m.group(1) + " " + m.group(3));
        }
    },
    /** Spaces around {@code /}, {@code #} and {@code \}. */
    SPEC_ADD_SPACES("spec_add_spaces") {
        @Override
        public String apply(String t) {
            return RE_SPEC.matcher(t).replaceAll(" $1 ");
        }
    },
    /** Runs of spaces become one space. */
    RM_USELESS_SPACES("rm_useless_spaces") {
        @Override
        public String apply(String t) {
            return RE_SPACE.matcher(t).replaceAll(" ");
        }
    },
    /** Words in all capitals (two letters or more) are lowercased after an {@code xxup} token. */
    REPLACE_ALL_CAPS("replace_all_caps") {
        @Override
        public String apply(String t) {
            return replace(RE_ALL_CAPS, t, m -> m.group(1) + (m.group(2).length() > 1 ? TK_UP + " " : "")
                    + m.group(2).toLowerCase(Locale.ROOT));
        }
    },
    /** Capitalized words (two letters or more) are lowercased after an {@code xxmaj} token. */
    REPLACE_MAJ("replace_maj") {
        @Override
        public String apply(String t) {
            return replace(RE_MAJ, t, m -> m.group(1) + (m.group(2).length() > 1 ? TK_MAJ + " " : "")
                    + m.group(2).toLowerCase(Locale.ROOT));
        }
    },
    /** Lowercases and strips the text and puts {@code xxbos} first. */
    LOWERCASE("lowercase") {
        @Override
        public String apply(String t) {
            return BOS + " " + t.toLowerCase(Locale.ROOT).strip();
        }
    };

    /** fastai's {@code defaults.text_proc_rules}, in order. */
    public static final List<Rule> DEFAULTS = List.of(FIX_HTML, REPLACE_REP, REPLACE_WREP, SPEC_ADD_SPACES,
            RM_USELESS_SPACES, REPLACE_ALL_CAPS, REPLACE_MAJ, LOWERCASE);

    private static final int U = Pattern.UNICODE_CHARACTER_CLASS;
    private static final Pattern RE_SPEC = Pattern.compile("([/#\\\\])");
    private static final Pattern RE_SPACE = Pattern.compile(" {2,}");
    private static final Pattern RE_REP = Pattern.compile("(\\S)(\\1{2,})", U);
    private static final Pattern RE_WREP = Pattern.compile("(?:\\s|^)(\\w+)\\s+((?:\\1\\s+)+)\\1(\\s|\\W|$)", U);
    private static final Pattern RE_ALL_CAPS = Pattern.compile("(\\s|^)([A-Z]+[^a-z\\s]*)(?=(\\s|$))", U);
    private static final Pattern RE_MAJ = Pattern.compile("(\\s|^)([A-Z][^A-Z\\s]*)(?=(\\s|$))", U);

    private final String fastaiName;

    Rule(String fastaiName) {
        this.fastaiName = fastaiName;
    }

    /** fastai's name of the rule (how model files record it). */
    public String fastaiName() {
        return fastaiName;
    }

    /** The rule named {@code name} (fastai's name). */
    public static Rule byName(String name) {
        for (Rule r : values()) {
            if (r.fastaiName.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown tokenizer rule '" + name + "'; known: " + names(List.of(values())));
    }

    /** fastai's names of {@code rules}, in order. */
    public static List<String> names(List<Rule> rules) {
        List<String> out = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            out.add(r.fastaiName);
        }
        return out;
    }

    /** Applies {@code rules} in order. */
    public static String applyAll(List<Rule> rules, String text) {
        String t = text;
        for (Rule r : rules) {
            t = r.apply(t);
        }
        return t;
    }

    private static String replace(Pattern p, String t, java.util.function.Function<Matcher, String> fn) {
        Matcher m = p.matcher(t);
        if (!m.find()) {
            return t;
        }
        StringBuilder sb = new StringBuilder(t.length() + 16);
        do {
            m.appendReplacement(sb, Matcher.quoteReplacement(fn.apply(m)));
        } while (m.find());
        m.appendTail(sb);
        return sb.toString();
    }
}
