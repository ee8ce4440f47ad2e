package ai.fastai4j.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to rebuild a model: the name of a registered model factory (see {@code ExportRegistry.registerModel}) and its
 * parameters, plain JSON-like values (e.g. {@code vision_model} with {@code {arch, n_in, n_out}}). A learner carries
 * one ({@code Learner.modelSpec()}) so that it can be exported; a {@code .fai} manifest stores it as its
 * {@code model} field ({@code {"factory": name, "params": {...}}}).
 */
public record ModelSpec(String name, Map<String, Object> params) {
    public ModelSpec {
        Objects.requireNonNull(name, "model factory name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("model factory name is blank");
        }
        params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
