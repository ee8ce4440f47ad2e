package ai.fastai4j.vision;

import ai.djl.ndarray.NDManager;
import ai.fastai4j.export.ExportExtension;
import ai.fastai4j.export.ExportRegistry;
import ai.fastai4j.export.ModelFactory;
import ai.fastai4j.export.Params;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.VisionModels;
import ai.fastai4j.vision.models.unet.DynamicUnet;

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
    /** Largest side of a resize a model file may ask for: every input is resized to it, so it bounds their cost. */
    public static final int MAX_RESIZE = 4096;

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

    /** The model factory name of {@link DynamicUnet} models. */
    public static final String UNET_FACTORY = "unet";

    /** The parameters of a {@value #UNET_FACTORY} model: the encoder's arch, channels, image size, options. */
    public static Map<String, Object> unetParams(Arch arch, int nIn, int nOut, int height, int width,
            DynamicUnet.Config c) {
        Map<String, Object> p = modelParams(arch, nIn, nOut);
        p.put("img_height", height);
        p.put("img_width", width);
        p.put("blur", c.blur());
        p.put("blur_final", c.blurFinal());
        p.put("self_attention", c.selfAttention());
        p.put("last_cross", c.lastCross());
        p.put("bottle", c.bottle());
        return p;
    }

    private static DynamicUnet createUnet(NDManager m, Map<String, Object> p) {
        Arch arch = Params.getEnum(p, "arch", Arch.class);
        int nIn = Params.getInt(p, "n_in", 1);
        DynamicUnet.Config c = new DynamicUnet.Config(Params.getBoolean(p, "blur"), Params.getBoolean(p, "blur_final"),
                Params.getBoolean(p, "self_attention"), Params.getBoolean(p, "last_cross"),
                Params.getBoolean(p, "bottle"));
        int h = Params.getInt(p, "img_height", 1);
        int w = Params.getInt(p, "img_width", 1);
        if ((long) h * w > 4096L * 4096) {
            throw new IllegalArgumentException("img_height x img_width " + h + "x" + w + " is too large");
        }
        return new DynamicUnet(m, arch.createBody(m, nIn), nIn, Params.getInt(p, "n_out", 1), h, w, c);
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
        r.registerItemTransform("resize", Resize.class, Resize::params, p -> Resize.of(
                Params.getInt(p, "height", 1, MAX_RESIZE), Params.getInt(p, "width", 1, MAX_RESIZE),
                Params.getEnum(p, "method", Resize.Method.class)));
        r.registerBatchTransform("int_to_float", IntToFloatTensor.class, IntToFloatTensor::params, p -> {
            double div = Params.getDouble(p, "div");
            if (div != 255.0) {
                throw new IllegalArgumentException("parameter 'div' must be 255, got " + div);
            }
            return new IntToFloatTensor();
        });
        r.registerBatchTransform("normalize", Normalize.class, n -> Map.of("mean", readable(n.mean()), "std", readable(n.std())),
                p -> Normalize.of(Params.getFloatArray(p, "mean"), Params.getFloatArray(p, "std")));
        r.registerTargetBlock("mask", MaskBlock.class, "segmentation", (b, pipeline) -> Map.of("codes", b.codes()),
                p -> MaskBlock.of(Params.getStringList(p, "codes")), p -> Params.getStringList(p, "codes").size());
        r.registerModel(UNET_FACTORY, ModelFactory.of(VisionExport::createUnet, p -> Params.getInt(p, "n_out")));
        r.registerModel(MODEL_FACTORY, new ModelFactory() {
            @Override
            public ai.fastai4j.nn.Module create(ai.djl.ndarray.NDManager m, Map<String, Object> p) {
                return VisionModels.createVisionModel(m, Params.getEnum(p, "arch", Arch.class),
                        Params.getInt(p, "n_in", 1), Params.getInt(p, "n_out", 1));
            }

            @Override
            public java.util.OptionalInt outputs(Map<String, Object> p) {
                return java.util.OptionalInt.of(Params.getInt(p, "n_out"));
            }

            /** The image block's channels are the model's input channels: refused on loading, not on predicting. */
            @Override
            public void checkInputs(Map<String, Object> p, List<ai.fastai4j.export.Manifest.Component> inputs) {
                int nIn = Params.getInt(p, "n_in", 1);
                for (ai.fastai4j.export.Manifest.Component c : inputs) {
                    if (c.name().equals("image") && c.params().get("channels") instanceof Number ch
                            && ch.intValue() != nIn) {
                        throw new IllegalArgumentException("the image block gives " + ch + " channels but the model "
                                + "takes n_in = " + nIn);
                    }
                }
            }
        });
    }
}
