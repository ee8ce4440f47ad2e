package ai.fastai4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fastai's {@code Lookahead}: runs the wrapped optimizer ("fast weights") and every {@code k} steps moves slow
 * weights {@code alpha} of the way towards the fast ones, then resets the fast weights to the slow ones. Slow
 * weights are copied from the parameters at the first step. Buffers are never synchronised.
 *
 * <p>State dict: the wrapped optimizer's entries plus {@code lookahead.count} (INT64 scalar) and
 * {@code lookahead.group<g>.param<i>.slow_weights}.
 */
public class Lookahead extends Optimizer {

    private static final String PREFIX = "lookahead.";
    private static final Pattern SLOW_KEY = Pattern.compile("lookahead\\.group(\\d+)\\.param(\\d+)\\.slow_weights");

    private final int k;
    private final double alpha;
    private long count;
    private List<List<NDArray>> slow;

    /** Wraps {@code inner}, which must not be used on its own afterwards (they share state). */
    public Lookahead(Optimizer inner, int k, double alpha) {
        super(inner);
        if (k < 1) {
            throw new IllegalArgumentException("lookahead k must be >= 1, got " + k);
        }
        this.k = k;
        this.alpha = alpha;
    }

    public int k() {
        return k;
    }

    public double alpha() {
        return alpha;
    }

    /** Steps taken since the state was last cleared. */
    public long count() {
        return count;
    }

    /** Slow weights of the {@code index}-th parameter of {@code group}, or null before the first step. */
    public NDArray slowWeights(int group, int index) {
        return slow == null ? null : slow.get(group).get(index);
    }

    @Override
    public void step() {
        ensureOpen();
        if (slow == null) {
            copyWeights();
        }
        super.step();
        count++;
        if (count % k != 0) {
            return;
        }
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int g = 0; g < groupCount(); g++) {
                List<Parameter> group = groups().get(g);
                for (int i = 0; i < group.size(); i++) {
                    Parameter p = group.get(i);
                    if (p.kind() == Parameter.Kind.BUFFER) {
                        continue;
                    }
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray s = slow.get(g).get(i);
                        s.addi(p.data().sub(s).muli((float) alpha));
                        p.data().set(new NDIndex("..."), s); // new NDIndex() fails in index_put_
                    }
                }
            }
        }
    }

    private void copyWeights() {
        NDManager m = core().stateManager();
        slow = new ArrayList<>();
        for (List<Parameter> group : groups()) {
            List<NDArray> gs = new ArrayList<>();
            for (Parameter p : group) {
                gs.add(copyTo(p.data(), m));
            }
            slow.add(gs);
        }
    }

    @Override
    public void clearState() {
        super.clearState();
        closeSlow();
        count = 0;
    }

    private void closeSlow() {
        if (slow != null) {
            slow.forEach(g -> g.forEach(NDArray::close));
            slow = null;
        }
    }

    @Override
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = super.stateDict();
        NDManager target = core().paramManager();
        out.put(PREFIX + "count", own(target.create(count), target));
        if (slow != null) {
            for (int g = 0; g < slow.size(); g++) {
                for (int i = 0; i < slow.get(g).size(); i++) {
                    out.put(PREFIX + "group" + g + ".param" + i + ".slow_weights", copyTo(slow.get(g).get(i), target));
                }
            }
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, NDArray> dict) {
        ensureOpen();
        Map<String, NDArray> inner = new LinkedHashMap<>();
        Map<String, NDArray> slowIn = new LinkedHashMap<>();
        NDArray countIn = null;
        for (Map.Entry<String, NDArray> e : dict.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) {
                inner.put(key, e.getValue());
            } else if (key.equals(PREFIX + "count")) {
                countIn = e.getValue();
            } else if (SLOW_KEY.matcher(key).matches()) {
                slowIn.put(key, e.getValue());
            } else {
                throw new IllegalArgumentException("unexpected optimizer state dict entry: " + key);
            }
        }
        // validate slow weights: all or nothing, shapes matching
        int total = groups().stream().mapToInt(List::size).sum();
        if (!slowIn.isEmpty() && slowIn.size() != total) {
            throw new IllegalArgumentException("state dict has " + slowIn.size() + " lookahead slow weights for "
                    + total + " parameters");
        }
        for (Map.Entry<String, NDArray> e : slowIn.entrySet()) {
            Matcher m = SLOW_KEY.matcher(e.getKey());
            m.matches();
            int g = Integer.parseInt(m.group(1));
            int i = Integer.parseInt(m.group(2));
            if (g >= groupCount() || i >= groups().get(g).size()
                    || !groups().get(g).get(i).data().getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("state dict entry " + e.getKey() + " does not match the parameters");
            }
        }
        long newCount = countIn == null ? 0 : (long) scalar(countIn);
        super.loadStateDict(inner); // clears state, including slow weights and count
        count = newCount;
        if (!slowIn.isEmpty()) {
            NDManager m = core().stateManager();
            slow = new ArrayList<>();
            for (int g = 0; g < groupCount(); g++) {
                List<NDArray> gs = new ArrayList<>();
                for (int i = 0; i < groups().get(g).size(); i++) {
                    gs.add(copyTo(slowIn.get(PREFIX + "group" + g + ".param" + i + ".slow_weights"), m));
                }
                slow.add(gs);
            }
        }
    }

    @Override
    public void close() {
        closeSlow();
        super.close();
    }
}
