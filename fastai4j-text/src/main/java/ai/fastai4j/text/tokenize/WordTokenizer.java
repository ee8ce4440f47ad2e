package ai.fastai4j.text.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An English word tokenizer that follows spaCy's rule-based algorithm (what fastai's default
 * {@code SpacyTokenizer} runs, with a blank English pipeline): the text is split on whitespace, then each piece
 * is checked against special cases (contractions: "don't" becomes "do n't", "I'm" becomes "I 'm"), prefixes
 * (opening punctuation, quotes, currency) and suffixes (closing punctuation, quotes, "'s", a final period) are
 * peeled off repeatedly, a remaining URL stays whole, and infixes (hyphens between letters, "...", a comma or
 * period between letters) split what is left. The punctuation classes and the exceptions are spaCy's English
 * ones; fastai's special tokens ({@code xxbos}, ...) are plain words to it.
 */
public final class WordTokenizer implements BaseTokenizer {
    private static final WordTokenizer INSTANCE = new WordTokenizer();

    private static final String PUNCT = "…,:;!?¿؟¡()\\[\\]{}<>_#*&。？！，、；：～·।،۔؛٪";
    private static final String QUOTES = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉⟦⟧";
    private static final String CURRENCY = "\\$|£|€|¥|฿|US\\$|C\\$|A\\$|₽|﷼|₴|₠|₡|₢|₣|₤|₥|₦|₧|₨|₩|₪|₫|₭|₮|₯|₰|₱|₲|₳|₵|₶|₷|₸|₹|₺|₻|₼|₾|₿";
    private static final String UNITS = "km|km²|km³|m|m²|m³|dm|dm²|dm³|cm|cm²|cm³|mm|mm²|mm³|ha|µm|nm|yd|in|ft|kg|g|mg|µg|t|lb"
            + "|oz|m/s|km/h|kmh|mph|hPa|Pa|mbar|mb|MB|kb|KB|gb|GB|tb|TB|T|G|M|K|%";
    private static final String ICONS = "[\\p{So}&&[^°]]";
    private static final String HYPHENS = "---|--|——|-|–|—|~";

    private static final Pattern PREFIX = Pattern.compile("^(?:§|%|=|—|–|\\+(?![0-9])|[" + PUNCT + "]|\\.\\.+|…|["
            + QUOTES + "]|" + CURRENCY + "|" + ICONS + ")");
    private static final int SUFFIX_WINDOW = 8;
    private static final Pattern SUFFIX = Pattern.compile("(?:\\.\\.+|…|[" + PUNCT + "]|[" + QUOTES + "]|" + ICONS
            + "|'s|'S|’s|’S|—|–|(?<=[0-9])\\+|(?<=°[FfCcKk])\\.|(?<=[0-9])(?:" + CURRENCY + ")|(?<=[0-9])(?:" + UNITS
            + ")|(?<=[0-9\\p{Ll}%²\\-+" + PUNCT + QUOTES + "|])\\.|(?<=\\p{Lu}\\p{Lu})\\.)$");
    private static final Pattern INFIX = Pattern.compile("\\.\\.+|…|" + ICONS + "|(?<=[0-9])[+\\-*^](?=[0-9-])"
            + "|(?<=[\\p{Ll}" + QUOTES + "])\\.(?=[\\p{Lu}" + QUOTES + "])|(?<=\\p{L}),(?=\\p{L})"
            + "|(?<=[\\p{L}0-9])(?:" + HYPHENS + ")(?=\\p{L})|(?<=[\\p{L}0-9])[:<>=/](?=\\p{L})");
    /** spaCy's URL pattern (scheme optional, a host with a top-level domain, optional port and path). */
    private static final Pattern URL = Pattern.compile("^(?:[\\w+\\-.]{2,}://)?(?:[\\w\\-]+\\S+(?::\\S*)?@)?(?:"
            + "(?:\\d{1,3}(?:\\.\\d{1,3}){3})|(?:(?:[A-Za-z0-9\\u00a1-\\uffff][A-Za-z0-9\\u00a1-\\uffff_-]{0,62})?"
            + "[A-Za-z0-9\\u00a1-\\uffff]\\.)+(?:[a-z\\u00a1-\\uffff]{2,63}\\.?))(?::\\d{2,5})?(?:[/?#]\\S*)?$",
            Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, List<String>> specials;

    private WordTokenizer() {
        this.specials = EnglishExceptions.build();
    }

    /** The shared instance (stateless). */
    public static WordTokenizer english() {
        return INSTANCE;
    }

    @Override
    public String id() {
        return "fastai4j-english-words-1";
    }

    @Override
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>(text.length() / 4 + 4);
        int n = text.length();
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                piece(text.substring(start, i), out);
            }
        }
        return out;
    }

    private void piece(String s, List<String> out) {
        List<String> special = specials.get(s);
        if (special != null) {
            out.addAll(special);
            return;
        }
        if (allLetters(s)) {
            out.add(s);
            return;
        }
        List<String> prefixes = new ArrayList<>(2);
        List<String> suffixes = new ArrayList<>(2);
        String str = s;
        int lastSize = -1;
        while (!str.isEmpty() && str.length() != lastSize) {
            if (specials.containsKey(str)) {
                break;
            }
            lastSize = str.length();
            int pre = prefixLength(str);
            if (pre != 0) {
                String minusPre = str.substring(pre);
                if (!minusPre.isEmpty() && specials.containsKey(minusPre)) {
                    prefixes.add(str.substring(0, pre));
                    str = minusPre;
                    break;
                }
            }
            int suf = suffixLength(str.substring(pre));
            if (suf != 0) {
                String minusSuf = str.substring(0, str.length() - suf);
                if (!minusSuf.isEmpty() && specials.containsKey(minusSuf)) {
                    suffixes.add(str.substring(str.length() - suf));
                    str = minusSuf;
                    break;
                }
            }
            if (pre != 0 && suf != 0 && pre + suf <= str.length()) {
                prefixes.add(str.substring(0, pre));
                suffixes.add(str.substring(str.length() - suf));
                str = str.substring(pre, str.length() - suf);
            } else if (pre != 0) {
                prefixes.add(str.substring(0, pre));
                str = str.substring(pre);
            } else if (suf != 0) {
                suffixes.add(str.substring(str.length() - suf));
                str = str.substring(0, str.length() - suf);
            }
            if (!str.isEmpty() && specials.containsKey(str)) {
                break;
            }
        }
        out.addAll(prefixes);
        if (!str.isEmpty()) {
            List<String> sp = specials.get(str);
            if (sp != null) {
                out.addAll(sp);
            } else if (allLetters(str) || maybeUrl(str) && URL.matcher(str).matches()) {
                out.add(str);
            } else {
                splitInfixes(str, out);
            }
        }
        for (int k = suffixes.size() - 1; k >= 0; k--) {
            out.add(suffixes.get(k));
        }
    }

    private static void splitInfixes(String s, List<String> out) {
        Matcher m = INFIX.matcher(s);
        int start = 0;
        while (m.find()) {
            if (m.start() == 0) {
                continue;
            }
            if (m.start() != start) {
                out.add(s.substring(start, m.start()));
            }
            if (m.start() != m.end()) {
                out.add(m.group());
            }
            start = m.end();
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
    }

    private static int prefixLength(String s) {
        char c = s.charAt(0);
        if (Character.isLetterOrDigit(c) && c != 'U' && c != 'C' && c != 'A') {
            return 0; // only the currencies US$, C$ and A$ start with a letter
        }
        Matcher m = PREFIX.matcher(s);
        return m.lookingAt() ? m.end() : 0;
    }

    /**
     * Length of the suffix: the leftmost position from which a suffix pattern matches to the end (Python's
     * {@code re.search} on patterns anchored at the end). Every suffix is at most a few characters long except a
     * run of periods, so only the last {@link #SUFFIX_WINDOW} positions (and the start of a final run of periods)
     * are tried, instead of scanning the whole piece.
     */
    private static int suffixLength(String s) {
        int n = s.length();
        if (n == 0) {
            return 0;
        }
        int from = Math.max(0, n - SUFFIX_WINDOW);
        int dots = n;
        while (dots > 0 && s.charAt(dots - 1) == '.') {
            dots--;
        }
        if (n - dots >= 2) {
            from = Math.min(from, dots);
        }
        Matcher m = SUFFIX.matcher(s);
        m.useTransparentBounds(true);
        m.useAnchoringBounds(false);
        for (int start = from; start < n; start++) {
            // a suffix starts with a non-alphanumeric character, or (units, currency) right after a digit
            if (Character.isLetterOrDigit(s.charAt(start)) && (start == 0 || !Character.isDigit(s.charAt(start - 1)))) {
                continue;
            }
            m.region(start, n);
            if (m.lookingAt()) {
                return n - start;
            }
        }
        return 0;
    }

    /** A URL or e-mail address has a period followed by a letter (its top-level domain); checked first for speed. */
    private static boolean maybeUrl(String s) {
        int dot = s.indexOf('.');
        return dot > 0 && dot < s.length() - 2;
    }

    private static boolean allLetters(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isLetter(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** spaCy's English tokenizer exceptions: contractions and a few abbreviations and emoticons. */
    static final class EnglishExceptions {
        private EnglishExceptions() {
        }

        static Map<String, List<String>> build() {
            Map<String, List<String>> exc = new HashMap<>();
            String[] prons = {"i", "you", "he", "she", "it", "we", "they"};
            for (String p : prons) {
                both(exc, p, "'ll");
                both(exc, p, "'d");
                both(exc, p, "'ll've");
                both(exc, p, "'d've");
            }
            both(exc, "i", "'m");
            both(exc, "i", "'ma");
            for (String p : new String[] {"i", "we", "you", "they"}) {
                both(exc, p, "'ve");
            }
            for (String p : new String[] {"you", "we", "they"}) {
                both(exc, p, "'re");
            }
            for (String p : new String[] {"he", "she", "it"}) {
                both(exc, p, "'s");
            }
            for (String w : new String[] {"who", "what", "when", "where", "why", "how", "there", "that", "this",
                    "these", "those"}) {
                both(exc, w, "'s");
                both(exc, w, "'ll");
                both(exc, w, "'re");
                both(exc, w, "'ve");
                both(exc, w, "'d");
            }
            for (String v : new String[] {"ai", "are", "ca", "could", "dare", "did", "does", "do", "had", "has",
                    "have", "is", "may", "might", "must", "need", "ought", "sha", "should", "was", "were", "wo",
                    "would"}) {
                both(exc, v, "n't");
                both(exc, v, "n't've");
            }
            put(exc, "cannot", "can", "not");
            put(exc, "gonna", "gon", "na");
            put(exc, "gotta", "got", "ta");
            put(exc, "wanna", "wan", "na");
            put(exc, "gimme", "gim", "me");
            put(exc, "lemme", "lem", "me");
            put(exc, "y'all", "y'", "all");
            put(exc, "yall", "y", "all");
            for (String w : new String[] {"'em", "'cause", "'bout", "'nuff", "'n", "'n'", "ol'", "ma'am", "o'clock",
                    "'s", "'S", "''", "C++", "e.g.", "i.e.", "a.m.", "p.m.", "vs.", "v.s.", "Mr.", "Mrs.", "Ms.", "Dr.",
                    "Prof.", "St.", "Jr.", "Inc.", "Ltd.", "Co.", "Corp.", "Gen.", "Gov.", "Sen.", "Rep.", "Rev.",
                    "Ph.D.", "E.g.", "I.e.", "D.C.", ":)", ":-)", ":(", ":-(", ";)", ":D", ":P", "<3", "^_^", "-_-"}) {
                exc.put(w, List.of(w));
                exc.put(w.replace('\'', '’'), List.of(w.replace('\'', '’')));
            }
            for (char c = 'a'; c <= 'z'; c++) {
                exc.put(c + ".", List.of(c + "."));
            }
            for (String w : new String[] {"ill", "its", "hell", "shell", "shed", "were", "well", "whore", "wed",
                    "wont", "cant", "id", "hes", "shes", "whos", "whats", "wheres", "whys", "hows", "lets",
                    "thats", "theres", "im", "youre", "theyre", "ive"}) {
                // apostrophe-less forms that are also English words stay whole
                exc.remove(w);
                exc.remove(title(w));
            }
            return Map.copyOf(exc);
        }

        /** {@code word + suffix} as two tokens, lower and title case, straight and curly apostrophe. */
        private static void both(Map<String, List<String>> exc, String word, String suffix) {
            for (String w : new String[] {word, title(word)}) {
                for (String sfx : new String[] {suffix, suffix.replace('\'', '’')}) {
                    List<String> parts = new ArrayList<>();
                    parts.add(w);
                    parts.addAll(splitSuffix(sfx));
                    exc.put(w + sfx, List.copyOf(parts));
                }
            }
        }

        /** "'ll've" is the two tokens "'ll" "'ve", "n't've" is "n't" "'ve", "'ma" is "'m" "a". */
        private static List<String> splitSuffix(String sfx) {
            boolean curly = sfx.indexOf('’') >= 0;
            List<String> parts = switch (sfx.replace('’', '\'')) {
                case "'ll've" -> List.of("'ll", "'ve");
                case "'d've" -> List.of("'d", "'ve");
                case "n't've" -> List.of("n't", "'ve");
                case "'ma" -> List.of("'m", "a");
                default -> List.of(sfx);
            };
            return curly ? parts.stream().map(p -> p.replace('\'', '’')).toList() : parts;
        }

        private static void put(Map<String, List<String>> exc, String word, String... parts) {
            exc.put(word, List.of(parts));
            exc.put(title(word), titleFirst(parts));
            if (word.indexOf('\'') >= 0) {
                exc.put(word.replace('\'', '’'), List.of(parts).stream().map(p -> p.replace('\'', '’')).toList());
            }
        }

        private static List<String> titleFirst(String[] parts) {
            List<String> out = new ArrayList<>(List.of(parts));
            out.set(0, title(out.get(0)));
            return List.copyOf(out);
        }

        private static String title(String w) {
            return w.isEmpty() ? w : w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1);
        }
    }
}
