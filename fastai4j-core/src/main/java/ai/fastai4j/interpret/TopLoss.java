package ai.fastai4j.interpret;

/**
 * An item with one of the highest losses.
 *
 * @param index the item's position in the interpretation (its row in the predictions)
 * @param loss the item's loss
 * @param probability the probability of the predicted class (the model's confidence)
 * @param predicted the predicted class
 * @param actual the target class
 * @param item a readable name of the item (e.g. its file path), or its index when unknown
 */
public record TopLoss(int index, double loss, double probability, String predicted, String actual, String item) {

    /** fastai's plot_top_losses title: {@code predicted/actual / loss / probability}. */
    public String title() {
        return String.format(java.util.Locale.ROOT, "%s/%s / %.2f / %.2f", predicted, actual, loss, probability);
    }
}
