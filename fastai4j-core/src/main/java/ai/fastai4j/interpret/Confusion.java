package ai.fastai4j.interpret;

/**
 * One off-diagonal cell of a confusion matrix: {@code count} items of class {@code actual} were predicted as
 * {@code predicted} (fastai's {@code most_confused} tuples).
 */
public record Confusion(String actual, String predicted, long count) {
    @Override
    public String toString() {
        return "(" + actual + ", " + predicted + ", " + count + ")";
    }
}
