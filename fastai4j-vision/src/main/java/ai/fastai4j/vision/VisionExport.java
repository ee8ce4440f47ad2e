package ai.fastai4j.vision;

import ai.fastai4j.export.ExportExtension;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vision module's export entries, found through {@link java.util.ServiceLoader}: the image block
 * ({@code image}, parameter {@code channels}), {@link Resize} ({@code resize}: height, width, method),
 * {@link IntToFloatTensor} ({@code int_to_float}), {@link Normalize} ({@code normalize}: mean, std) and the
 * model factory {@value #MODEL_FACTORY} (parameters {@code arch}, {@code n_in}, {@code n_out}), which calls
 * {@link VisionModels#createVisionModel}.
 */
public final class VisionExport implements ExportExtension {
    /** The model factory name of {@link VisionModels#createVisionModel} models. */
    public static final String MODEL_FACTORY = "vision_model";

    /** The parameters of a {@value #MODEL_FACTORY} model: what a vision learner puts in its provenance. */
    public static Map<String, Object> modelParams(Arch arch, int nIn, int nOut) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("arch", arch.name());
        p.put("n_in", nIn);
        p.put("n_out", nOut);
        return p;
    }

    /** Floats as their shortest decimal form (0.485, not 0.48500001430511475) when that reads back exactly. */
    private static List<Double> readable(float[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (float f : v) {
            double d = Double.parseDouble(Float.toString(f));
            out.add((float) d == f ? d : (double) f);
        }
        return out;
    }

    @Override
    public void register(ExportRegistry r) {
        r.registerBlock("image", ImageBlock.class, (b, pipeline) -> Map.of("channels", b.channels()), p -> {
            int c = Params.getInt(p, "channels");
            if (c == 1) {
                return ImageBlock.grey();
            }
            if (c == 3) {
                return ImageBlock.rgb();
            }
            throw new IllegalArgumentException("parameter 'channels' must be 1 or 3, got " + c);
        });
        r.registerItemTransform("resize", Resize.class, Resize::params, p -> Resize.of(Params.getInt(p, "height", 1),
                Params.getInt(p, "width", 1), Params.getEnum(p, "method", Resize.Method.class)));
        r.registerBatchTransform("int_to_float", IntToFloatTensor.class, IntToFloatTensor::params, p -> {
            double div = Params.getDouble(p, "div");
            if (div != 255.0) {
                throw new IllegalArgumentException("parameter 'div' must be 255, got " + div);
            }
            return new IntToFloatTensor();
        });
        r.registerBatchTransform("normalize", Normalize.class, n -> Map.of("mean", readable(n.mean()), "std", readable(n.std())),
                p -> Normalize.of(Params.getFloatArray(p, "mean"), Params.getFloatArray(p, "std")));
        r.registerModel(MODEL_FACTORY, ModelFactory.of(
                (m, p) -> VisionModels.createVisionModel(m, Params.getEnum(p, "arch", Arch.class),
                        Params.getInt(p, "n_in", 1), Params.getInt(p, "n_out", 1)),
                p -> Params.getInt(p, "n_out")));
    }
}
