package ai.fastai4j.learner;

import ai.fastai4j.schedule.Schedule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets hyper-parameters before every training batch from schedules of training progress (fastai's
 * ParamScheduler). Each hyper has one schedule for all groups or one per parameter group.
 */
public class ParamScheduler implements Callback {
    private final Map<String, List<Schedule>> schedules;
    private final Map<String, List<double[]>> history = new LinkedHashMap<>();

    public ParamScheduler(Map<String, List<Schedule>> schedules) {
        this.schedules = new LinkedHashMap<>(schedules);
    }

    @Override
    public int order() {
        return 60;
    }

    @Override
    public void beforeFit(Learner learn) {
        history.clear();
        schedules.keySet().forEach(k -> history.put(k, new ArrayList<>()));
    }

    @Override
    public void beforeBatch(Learner learn) {
        if (learn.isTraining()) {
            apply(learn, learn.pctTrain());
        }
    }

    /** Sets every scheduled hyper to its value at {@code pct}. */
    protected void apply(Learner learn, double pct) {
        int groups = learn.opt().groupCount();
        for (Map.Entry<String, List<Schedule>> e : schedules.entrySet()) {
            List<Schedule> s = e.getValue();
            double[] v = new double[groups];
            for (int g = 0; g < groups; g++) {
                v[g] = (s.size() == 1 ? s.get(0) : s.get(g)).at(pct);
            }
            if (s.size() != 1 && s.size() != groups) {
                throw new IllegalStateException(e.getKey() + " has " + s.size() + " schedules for " + groups + " groups");
            }
            learn.opt().setHyper(e.getKey(), v);
            history.get(e.getKey()).add(v);
        }
    }

    /** Values set so far in this fit, per hyper, per iteration, per group. */
    public Map<String, List<double[]>> history() {
        return history;
    }
}
