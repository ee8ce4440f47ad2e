package ai.fastai4j.nn;

import java.util.List;

/** What happened when a state dict was loaded: names missing from it, names it had extra, and shape clashes. */
public record StateDictReport(List<String> missing, List<String> unexpected, List<String> misShaped) {

    public StateDictReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        misShaped = List.copyOf(misShaped);
    }

    /** True when every tensor matched by name and shape. */
    public boolean isExact() {
        return missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty();
    }

    @Override
    public String toString() {
        return "missing " + missing + ", unexpected " + unexpected + ", mis-shaped " + misShaped;
    }
}
