package ai.fastai4j.export;

/**
 * Registers a module's blocks, transforms, losses and model factories with the {@link ExportRegistry}. Found with
 * {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/ai.fastai4j.export.ExportExtension}. Implementations need a public no-argument
 * constructor and must only call the registry's {@code register...} methods.
 */
public interface ExportExtension {

    /** Adds this extension's entries to {@code registry}. */
    void register(ExportRegistry registry);
}
