package ai.fastai4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} command-line options with defaults; unknown names are an error. */
final class BenchArgs {
    private final Map<String, String> values;

    private BenchArgs(Map<String, String> values) {
        this.values = values;
    }

    /** Parses {@code args} against {@code defaults} (name without dashes to default value, null for none). */
    static BenchArgs parse(String[] args, Map<String, String> defaults, String usage) {
        Map<String, String> v = new LinkedHashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got '" + a + "'\n" + usage);
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value\n" + usage);
            }
            if (!v.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "\n" + usage);
            }
            v.put(name, value);
        }
        return new BenchArgs(v);
    }

    String string(String name) {
        return values.get(name);
    }

    int integer(String name) {
        return Integer.parseInt(values.get(name));
    }

    double real(String name) {
        return Double.parseDouble(values.get(name));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, val) -> sb.append(sb.length() == 0 ? "" : " ").append("--").append(k).append(' ')
                .append(val));
        return sb.toString();
    }
}
