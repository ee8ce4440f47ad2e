package ai.fastai4j.export;

import ai.fastai4j.data.BatchTransform;
import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Pipeline;
import ai.fastai4j.data.TransformBlock;
import ai.fastai4j.losses.LossFunction;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The named, declarative descriptions that make export possible without serialising Java objects: for every
 * exportable block, item transform, batch transform and loss, a stable id, a describer (instance to JSON
 * parameters) and a factory (parameters to a new instance), matched by the instance's exact class; and model
 * factories by name. A model file holds only ids and parameters, so classes may move and loading never runs
 * anything the file names but these registered factories.
 *
 * <p>{@link #global()} holds core's own entries (category, multi-category and regression blocks, fastai's losses)
 * and those of every {@link ExportExtension} found with {@link ServiceLoader} (the vision module registers its image
 * block, transforms and {@code vision_model} factory; the tabular module its tabular and collab blocks and the
 * {@code tabular_model}, {@code collab_embedding_dot_bias} and {@code collab_embedding_nn} factories). Applications may add their own to {@code global()}, or build an
 * isolated registry with {@link #withDefaults()} and pass it to {@link ModelExport#export(ai.fastai4j.learner.Learner,
 * java.nio.file.Path, ExportRegistry)} and {@link InferenceModel#load(java.nio.file.Path, ExportRegistry)}.
 *
 * <p>Thread-safe. Registering the same id for the same class again replaces the entry; an id already taken by
 * another class, or a class already registered under another id, is an error.
 */
public final class ExportRegistry {

    /** What a component of a given category is called in messages. */
    enum Kind {
        BLOCK("block"), ITEM_TRANSFORM("item transform"), BATCH_TRANSFORM("batch transform"), LOSS("loss");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One registered component type. */
    record Codec<T>(Kind kind, String id, Class<?> type, Function<Object, Map<String, Object>> describer,
            Function<Map<String, Object>, ? extends T> factory) {}

    /** A registered block type, with what it implies as a target. */
    record BlockCodec(String id, Class<?> type, BlockDescriber<TransformBlock> describer,
            Function<Map<String, Object>, ? extends TransformBlock> factory, String task,
            ToIntFunction<Map<String, Object>> outputs) {}

    private final Table<BlockCodec> blocks = new Table<>(Kind.BLOCK);
    private final Table<Codec<ItemTransform>> itemTransforms = new Table<>(Kind.ITEM_TRANSFORM);
    private final Table<Codec<BatchTransform>> batchTransforms = new Table<>(Kind.BATCH_TRANSFORM);
    private final Table<Codec<LossFunction>> losses = new Table<>(Kind.LOSS);
    private final Map<String, ModelFactory> models = new LinkedHashMap<>();

    private ExportRegistry() {}

    /** An empty registry (not even core's entries). */
    public static ExportRegistry empty() {
        return new ExportRegistry();
    }

    /** A new registry with core's entries and every {@link ExportExtension} on the class path. */
    public static ExportRegistry withDefaults() {
        ExportRegistry r = new ExportRegistry();
        CoreExport.registerAll(r);
        Set<String> seen = new LinkedHashSet<>();
        ClassLoader ctx = Thread.currentThread().getContextClassLoader();
        ClassLoader own = ExportRegistry.class.getClassLoader();
        for (ClassLoader cl : ctx == null || ctx == own ? new ClassLoader[] {own} : new ClassLoader[] {ctx, own}) {
            try {
                for (ExportExtension ext : ServiceLoader.load(ExportExtension.class, cl)) {
                    if (seen.add(ext.getClass().getName())) {
                        ext.register(r);
                    }
                }
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("cannot load an export extension (META-INF/services/"
                        + ExportExtension.class.getName() + "): " + e.getMessage(), e);
            }
        }
        return r;
    }

    private static final class Global {
        static final ExportRegistry INSTANCE = withDefaults();
    }

    /** The shared registry used by default, filled once on first use. */
    public static ExportRegistry global() {
        return Global.INSTANCE;
    }

    // ---------------------------------------------------------------- registration

    /**
     * Registers an input block type. The factory must return a block whose type transforms need no setup (all
     * learned state comes from the parameters).
     */
    public <B extends TransformBlock> ExportRegistry registerBlock(String id, Class<B> type,
            BlockDescriber<? super B> describer, Function<Map<String, Object>, ? extends TransformBlock> factory) {
        return registerTargetBlock(id, type, null, describer, factory, null);
    }

    /**
     * Registers a block type that can be a target: {@code task} names what a model with this target does (e.g.
     * {@code single_label_classification}), {@code outputs} says how many model outputs its parameters imply
     * (the vocabulary size), or is null when unknown.
     */
    @SuppressWarnings("unchecked")
    public <B extends TransformBlock> ExportRegistry registerTargetBlock(String id, Class<B> type, String task,
            BlockDescriber<? super B> describer, Function<Map<String, Object>, ? extends TransformBlock> factory,
            ToIntFunction<Map<String, Object>> outputs) {
        Objects.requireNonNull(describer, "describer");
        Objects.requireNonNull(factory, "factory");
        blocks.put(id, type, new BlockCodec(checkId(id), type, (BlockDescriber<TransformBlock>) describer, factory,
                task, outputs));
        return this;
    }

    /** Registers an item transform type (random ones may be registered too: they do nothing at inference). */
    public <T extends ItemTransform> ExportRegistry registerItemTransform(String id, Class<T> type,
            Function<? super T, Map<String, Object>> describer, Function<Map<String, Object>, ? extends ItemTransform> factory) {
        itemTransforms.put(id, type, new Codec<>(Kind.ITEM_TRANSFORM, checkId(id), type, erase(describer),
                Objects.requireNonNull(factory, "factory")));
        return this;
    }

    /** Registers a batch transform type (random augmentations act on the training split only). */
    public <T extends BatchTransform> ExportRegistry registerBatchTransform(String id, Class<T> type,
            Function<? super T, Map<String, Object>> describer, Function<Map<String, Object>, ? extends BatchTransform> factory) {
        batchTransforms.put(id, type, new Codec<>(Kind.BATCH_TRANSFORM, checkId(id), type, erase(describer),
                Objects.requireNonNull(factory, "factory")));
        return this;
    }

    /** Registers a loss type (its activation and decode are what inference uses). */
    public <T extends LossFunction> ExportRegistry registerLoss(String id, Class<T> type,
            Function<? super T, Map<String, Object>> describer, Function<Map<String, Object>, ? extends LossFunction> factory) {
        losses.put(id, type, new Codec<>(Kind.LOSS, checkId(id), type, erase(describer),
                Objects.requireNonNull(factory, "factory")));
        return this;
    }

    /** Registers a model factory under {@code name} (what applications put in provenance "model_factory"). */
    public synchronized ExportRegistry registerModel(String name, ModelFactory factory) {
        Objects.requireNonNull(factory, "factory");
        models.put(checkId(name), factory);
        return this;
    }

    @SuppressWarnings("unchecked")
    private static <T> Function<Object, Map<String, Object>> erase(Function<? super T, Map<String, Object>> f) {
        Objects.requireNonNull(f, "describer");
        return o -> f.apply((T) o);
    }

    private static String checkId(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_.:-]{1,100}")) {
            throw new IllegalArgumentException("export ids are 1-100 letters, digits and _ . : -, got " + id);
        }
        return id;
    }

    // ---------------------------------------------------------------- lookups (used by export and loading)

    BlockCodec blockFor(Class<?> type) {
        return blocks.byType(type);
    }

    BlockCodec block(String id) {
        return blocks.byId(id);
    }

    Codec<ItemTransform> itemTransformFor(Class<?> type) {
        return itemTransforms.byType(type);
    }

    Codec<ItemTransform> itemTransform(String id) {
        return itemTransforms.byId(id);
    }

    Codec<BatchTransform> batchTransformFor(Class<?> type) {
        return batchTransforms.byType(type);
    }

    Codec<BatchTransform> batchTransform(String id) {
        return batchTransforms.byId(id);
    }

    Codec<LossFunction> lossFor(Class<?> type) {
        return losses.byType(type);
    }

    Codec<LossFunction> loss(String id) {
        return losses.byId(id);
    }

    /** The model factory registered under {@code name}, or null (e.g. to rebuild a manifest's model). */
    public synchronized ModelFactory model(String name) {
        return models.get(name);
    }

    /** Ids of the registered blocks. */
    public Set<String> blockIds() {
        return blocks.ids();
    }

    public Set<String> itemTransformIds() {
        return itemTransforms.ids();
    }

    public Set<String> batchTransformIds() {
        return batchTransforms.ids();
    }

    public Set<String> lossIds() {
        return losses.ids();
    }

    public synchronized Set<String> modelFactoryNames() {
        return Collections.unmodifiableSet(new TreeSet<>(models.keySet()));
    }

    /** Describes a block with its set-up pipeline (package use). */
    static Map<String, Object> describe(BlockCodec c, TransformBlock b, Pipeline p) {
        return c.describer().describe(b, p);
    }

    /** Entries of one category, by id and by exact class. */
    private static final class Table<V> {
        private final Kind kind;
        private final Map<String, V> byId = new LinkedHashMap<>();
        private final Map<Class<?>, String> idOf = new LinkedHashMap<>();

        Table(Kind kind) {
            this.kind = kind;
        }

        synchronized void put(String id, Class<?> type, V value) {
            Objects.requireNonNull(type, "type");
            String had = idOf.get(type);
            if (had != null && !had.equals(id)) {
                throw new IllegalArgumentException(kind.label + " class " + type.getName() + " is already registered as '"
                        + had + "'");
            }
            Class<?> owner = idOf.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            if (owner != null && owner != type) {
                throw new IllegalArgumentException(kind.label + " id '" + id + "' is already taken by " + owner.getName());
            }
            byId.put(id, value);
            idOf.put(type, id);
        }

        synchronized V byId(String id) {
            return byId.get(id);
        }

        synchronized V byType(Class<?> type) {
            String id = idOf.get(type);
            return id == null ? null : byId.get(id);
        }

        synchronized Set<String> ids() {
            return Collections.unmodifiableSet(new TreeSet<>(byId.keySet()));
        }
    }
}
