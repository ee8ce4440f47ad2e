package ai.fastai4j.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of the parameter maps that factories receive from a model file. JSON numbers arrive as
 * {@code Integer}, {@code Long} or {@code Double}; these helpers accept any number that converts exactly and
 * throw {@link IllegalArgumentException} naming the parameter otherwise (the registry adds which component and
 * which file).
 */
public final class Params {
    private Params() {}

    private static Object require(Map<String, Object> params, String key) {
        if (params == null || !params.containsKey(key) || params.get(key) == null) {
            throw new IllegalArgumentException("parameter '" + key + "' is missing");
        }
        return params.get(key);
    }

    /** An integer parameter (a JSON number without a fractional part that fits an int). */
    public static int getInt(Map<String, Object> params, String key) {
        long v = getLong(params, key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter '" + key + "' is out of range: " + v);
        }
        return (int) v;
    }

    /** An integer parameter, which must be at least {@code min}. */
    public static int getInt(Map<String, Object> params, String key, int min) {
        int v = getInt(params, key);
        if (v < min) {
            throw new IllegalArgumentException("parameter '" + key + "' must be at least " + min + ", got " + v);
        }
        return v;
    }

    /** An integer parameter between {@code min} and {@code max}, both included. */
    public static int getInt(Map<String, Object> params, String key, int min, int max) {
        int v = getInt(params, key, min);
        if (v > max) {
            throw new IllegalArgumentException("parameter '" + key + "' must be at most " + max + ", got " + v);
        }
        return v;
    }

    public static long getLong(Map<String, Object> params, String key) {
        Object o = require(params, key);
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        if (o instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
                return (long) d;
            }
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be an integer, got " + show(o));
    }

    public static double getDouble(Map<String, Object> params, String key) {
        Object o = require(params, key);
        if (o instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be a finite number, got " + show(o));
    }

    public static float getFloat(Map<String, Object> params, String key) {
        return (float) getDouble(params, key);
    }

    public static boolean getBoolean(Map<String, Object> params, String key) {
        Object o = require(params, key);
        if (o instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be true or false, got " + show(o));
    }

    public static String getString(Map<String, Object> params, String key) {
        Object o = require(params, key);
        if (o instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be a string, got " + show(o));
    }

    /** A string parameter naming a constant of {@code type} (exact, case-sensitive name). */
    public static <E extends Enum<E>> E getEnum(Map<String, Object> params, String key, Class<E> type) {
        String s = getString(params, key);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(s)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        throw new IllegalArgumentException("parameter '" + key + "' is '" + s + "', which is not one of " + names);
    }

    /** A list of strings (e.g. a vocabulary). */
    public static List<String> getStringList(Map<String, Object> params, String key) {
        List<?> l = getList(params, key);
        List<String> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof String s)) {
                throw new IllegalArgumentException("parameter '" + key + "' element " + i + " must be a string, got "
                        + show(l.get(i)));
            }
            out.add(s);
        }
        return out;
    }

    /** A list of finite numbers as floats (e.g. normalisation statistics). */
    public static float[] getFloatArray(Map<String, Object> params, String key) {
        List<?> l = getList(params, key);
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException("parameter '" + key + "' element " + i + " must be a finite number, got "
                        + show(l.get(i)));
            }
            out[i] = n.floatValue();
        }
        return out;
    }

    /** A list parameter. */
    public static List<?> getList(Map<String, Object> params, String key) {
        Object o = require(params, key);
        if (o instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException("parameter '" + key + "' must be a list, got " + show(o));
    }

    private static String show(Object o) {
        String s = String.valueOf(o);
        if (s.length() > 60) {
            s = s.substring(0, 60) + "...";
        }
        return o instanceof String ? "'" + s + "'" : s + " (" + o.getClass().getSimpleName().toLowerCase(Locale.ROOT) + ")";
    }
}
