package ai.fastai4j.vision.models.pretrained;

import ai.fastai4j.nn.StateDictReport;
import java.util.List;

/**
 * What {@link PretrainedWeights#load} did.
 *
 * @param source the file the weights came from
 * @param loaded how many tensors were copied into the model
 * @param report names (in the model's naming) that were missing, unexpected or mis-shaped; exact after a
 *     strict load
 * @param dropped tensors of the file deliberately left out: torchvision's {@code fc.*} classifier, which
 *     fastai replaces with its own head
 */
public record LoadReport(String source, int loaded, StateDictReport report, List<String> dropped) {

    public LoadReport {
        dropped = List.copyOf(dropped);
    }

    /** True when every tensor of the model's part that the file covers was loaded, with nothing left over. */
    public boolean isExact() {
        return report.isExact();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("loaded ").append(loaded).append(" tensors from ").append(source);
        if (!dropped.isEmpty()) {
            sb.append("; dropped ").append(dropped).append(" (fastai replaces the head)");
        }
        if (!report.isExact()) {
            sb.append("; ").append(PretrainedWeights.describe(report));
        }
        return sb.toString();
    }
}
