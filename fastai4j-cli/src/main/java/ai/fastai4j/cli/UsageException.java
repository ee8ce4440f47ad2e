package ai.fastai4j.cli;

/** An option value the command cannot use ({@code --bs 0}, {@code --valid-pct 1.5}); the command exits with code 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }

    /** {@code value} when it is at least {@code min}; else a usage error naming the option. */
    static int atLeast(String option, int value, int min) {
        if (value < min) {
            throw new UsageException(option + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** {@code value} when it is a finite number above 0; else a usage error naming the option. */
    static double positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new UsageException(option + " must be a positive number, got " + value);
        }
        return value;
    }

    /** {@code value} when it lies strictly between 0 and 1; else a usage error naming the option. */
    static double fraction(String option, double value) {
        if (!(value > 0 && value < 1)) {
            throw new UsageException(option + " must be a fraction between 0 and 1 (exclusive), got " + value);
        }
        return value;
    }
}
