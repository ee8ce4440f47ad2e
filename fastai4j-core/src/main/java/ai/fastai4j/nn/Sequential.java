package ai.fastai4j.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/** Children run one after another; children are named "0", "1", ... unless named explicitly. */
public class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends a layer named by its position. */
    public final Sequential add(Module m) {
        return add(Integer.toString(layers.size()), m);
    }

    /** Appends a layer under an explicit name. */
    public final Sequential add(String name, Module m) {
        register(name, m);
        layers.add(m);
        return this;
    }

    public Module get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray out = x;
        for (Module m : layers) {
            out = m.call(out);
        }
        return out;
    }
}
