package ai.fastai4j.vision.models.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.io.AtomicFiles;
import ai.fastai4j.io.download.ChecksumMismatchException;
import ai.fastai4j.io.download.Checksums;
import ai.fastai4j.io.download.Downloader;
import ai.fastai4j.io.torch.TorchStateDictReader;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.nn.StateDictReport;
import ai.fastai4j.plot.ProgressBars;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.ResNet;
import ai.fastai4j.vision.models.VisionModels;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * torchvision's published ImageNet weights for the ResNets: a registry with their URLs and hashes, a cached
 * download, and loading into fastai4j's models, like {@code torchvision.models.resnet34(weights="DEFAULT")}
 * inside fastai's {@code vision_learner}.
 *
 * <p>{@link #fetch(Spec, Config)} finds the {@code .pth} file in this order:
 * <ol>
 *   <li>local overrides named by system property {@value #WEIGHTS_PROPERTY} or environment variable
 *       {@value #WEIGHTS_ENV} (several separated by {@link File#pathSeparator}): a file is used for whatever
 *       weights are asked for, a folder is searched for the published file name (e.g.
 *       {@code resnet34-b627a593.pth}); used as they are, not verified, so that retrained files work too;</li>
 *   <li>the cache {@code ~/.fastai4j/models} (the home folder is set by {@value ExternalData#HOME_PROPERTY} or
 *       {@value ExternalData#HOME_ENV}, as for datasets), then PyTorch's own cache
 *       ({@code $TORCH_HOME/hub/checkpoints}, default {@code ~/.cache/torch/hub/checkpoints}); files there are
 *       checked against the hash prefix in their name;</li>
 *   <li>otherwise a download into the cache, from {@code https://download.pytorch.org/models/} or the mirror
 *       named by {@value #MIRROR_PROPERTY} / {@value #MIRROR_ENV}, with a progress bar on stderr (unless
 *       {@code fastai4j.progress=off}), verified against the SHA-256 prefix that torchvision puts in the file
 *       name (as {@code torch.hub}'s {@code check_hash} does), then moved into place atomically.
 *       {@value ExternalData#OFFLINE_PROPERTY}{@code =true} or {@value ExternalData#OFFLINE_ENV}{@code =true}
 *       turns downloading off.</li>
 * </ol>
 * When none of these works, a {@link WeightsUnavailableException} says where it looked and how to fix it; a
 * download that fails its check is deleted and reported by a {@link ChecksumMismatchException}.
 *
 * <p>{@link #load(Arch, Module)} reads the file with the safe {@link TorchStateDictReader} (a weights file
 * can never run code) and maps torchvision's names onto a plain {@link ResNet}, a ResNet body, or an
 * assembled vision model (body "0", head "1"), through {@link VisionModels#loadTorchvisionWeights}.
 * torchvision's classifier {@code fc.*} is dropped for bodies and vision models (fastai replaces the head)
 * and for a ResNet whose {@code fc} has another shape; anything missing, unexpected or mis-shaped is an
 * error that lists the names, raised before the model is changed.
 */
public final class PretrainedWeights {
    /** System property naming local weight files or folders (overrides the registry and the cache). */
    public static final String WEIGHTS_PROPERTY = "fastai4j.weights";
    /** Environment variable naming local weight files or folders. */
    public static final String WEIGHTS_ENV = "FASTAI4J_WEIGHTS";
    /** System property naming a mirror URL that replaces {@value #TORCHVISION_BASE}. */
    public static final String MIRROR_PROPERTY = "fastai4j.weights.mirror";
    /** Environment variable naming a mirror URL. */
    public static final String MIRROR_ENV = "FASTAI4J_WEIGHTS_MIRROR";
    /** Where torchvision publishes its weights. */
    public static final String TORCHVISION_BASE = "https://download.pytorch.org/models/";

    private static final System.Logger LOG = System.getLogger(PretrainedWeights.class.getName());
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final Pattern HEX8 = Pattern.compile("[0-9a-f]{8,64}");
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    /**
     * One published weights file.
     *
     * @param arch the architecture the weights are for
     * @param tag torchvision's name for them, e.g. {@code IMAGENET1K_V1}
     * @param url where torchvision publishes the file
     * @param sha256Prefix the leading hex digits of the file's SHA-256, as in its name
     * @param numParams parameter count torchvision reports (buffers not counted)
     * @param acc1 ImageNet-1k top-1 accuracy torchvision reports, in percent
     */
    public record Spec(Arch arch, String tag, URI url, String sha256Prefix, long numParams, double acc1) {
        public Spec {
            Objects.requireNonNull(arch, "arch");
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(url, "url");
            sha256Prefix = sha256Prefix.toLowerCase(Locale.ROOT);
            if (!HEX8.matcher(sha256Prefix).matches()) {
                throw new IllegalArgumentException("sha256Prefix must be 8 to 64 hex digits, got " + sha256Prefix);
            }
        }

        /** The file's name, the last segment of its URL (e.g. {@code resnet34-b627a593.pth}). */
        public String fileName() {
            String p = url.getPath();
            return p.substring(p.lastIndexOf('/') + 1);
        }

        /** Per-channel mean of the images the weights were trained on (ImageNet's, fastai's imagenet_stats). */
        public float[] mean() {
            return IMAGENET_MEAN.clone();
        }

        /** Per-channel standard deviation of the training images (ImageNet's). */
        public float[] std() {
            return IMAGENET_STD.clone();
        }

        @Override
        public String toString() {
            return arch + " " + tag + " (" + fileName() + ")";
        }
    }

    /** torchvision {@code ResNet18_Weights.IMAGENET1K_V1} (its DEFAULT). */
    public static final Spec RESNET18_IMAGENET1K_V1 = spec(Arch.RESNET18, "IMAGENET1K_V1", "resnet18-f37072fd.pth",
            11_689_512, 69.758);
    /** torchvision {@code ResNet34_Weights.IMAGENET1K_V1} (its DEFAULT). */
    public static final Spec RESNET34_IMAGENET1K_V1 = spec(Arch.RESNET34, "IMAGENET1K_V1", "resnet34-b627a593.pth",
            21_797_672, 73.314);
    /** torchvision {@code ResNet50_Weights.IMAGENET1K_V1}. */
    public static final Spec RESNET50_IMAGENET1K_V1 = spec(Arch.RESNET50, "IMAGENET1K_V1", "resnet50-0676ba61.pth",
            25_557_032, 76.130);
    /** torchvision {@code ResNet50_Weights.IMAGENET1K_V2} (its DEFAULT). */
    public static final Spec RESNET50_IMAGENET1K_V2 = spec(Arch.RESNET50, "IMAGENET1K_V2", "resnet50-11ad3fa6.pth",
            25_557_032, 80.858);
    /** torchvision {@code ResNet101_Weights.IMAGENET1K_V1}. */
    public static final Spec RESNET101_IMAGENET1K_V1 = spec(Arch.RESNET101, "IMAGENET1K_V1",
            "resnet101-63fe2227.pth", 44_549_160, 77.374);
    /** torchvision {@code ResNet101_Weights.IMAGENET1K_V2} (its DEFAULT). */
    public static final Spec RESNET101_IMAGENET1K_V2 = spec(Arch.RESNET101, "IMAGENET1K_V2",
            "resnet101-cd907fc2.pth", 44_549_160, 81.886);
    /** torchvision {@code ResNet152_Weights.IMAGENET1K_V1}. */
    public static final Spec RESNET152_IMAGENET1K_V1 = spec(Arch.RESNET152, "IMAGENET1K_V1",
            "resnet152-394f9c45.pth", 60_192_808, 78.312);
    /** torchvision {@code ResNet152_Weights.IMAGENET1K_V2} (its DEFAULT). */
    public static final Spec RESNET152_IMAGENET1K_V2 = spec(Arch.RESNET152, "IMAGENET1K_V2",
            "resnet152-f82ba261.pth", 60_192_808, 82.284);

    private static final List<Spec> REGISTRY = List.of(RESNET18_IMAGENET1K_V1, RESNET34_IMAGENET1K_V1,
            RESNET50_IMAGENET1K_V1, RESNET50_IMAGENET1K_V2, RESNET101_IMAGENET1K_V1, RESNET101_IMAGENET1K_V2,
            RESNET152_IMAGENET1K_V1, RESNET152_IMAGENET1K_V2);

    private PretrainedWeights() {
    }

    private static Spec spec(Arch arch, String tag, String file, long numParams, double acc1) {
        return new Spec(arch, tag, URI.create(TORCHVISION_BASE + file), file.substring(file.lastIndexOf('-') + 1,
                file.lastIndexOf('.')), numParams, acc1);
    }

    /** Every registered weights file. */
    public static List<Spec> registry() {
        return REGISTRY;
    }

    /**
     * The weights fastai uses for {@code arch}: torchvision's {@code DEFAULT} (fastai's {@code model_meta}
     * asks for {@code weights='DEFAULT'}), i.e. IMAGENET1K_V1 for ResNet-18/34 and IMAGENET1K_V2 for
     * ResNet-50/101/152.
     *
     * @throws IllegalArgumentException when torchvision publishes no weights for {@code arch}
     */
    public static Spec defaultFor(Arch arch) {
        return switch (arch) {
            case RESNET18 -> RESNET18_IMAGENET1K_V1;
            case RESNET34 -> RESNET34_IMAGENET1K_V1;
            case RESNET50 -> RESNET50_IMAGENET1K_V2;
            case RESNET101 -> RESNET101_IMAGENET1K_V2;
            case RESNET152 -> RESNET152_IMAGENET1K_V2;
            default -> throw new IllegalArgumentException("no pretrained weights are published for " + arch
                    + "; pretrained weights exist for " + REGISTRY.stream().map(s -> s.arch().toString()).distinct()
                    .toList() + ". Train it from scratch (pretrained=false), or pretrain it yourself and load"
                    + " the saved weights");
        };
    }

    /** The registered weights for {@code arch} with torchvision's {@code tag} (e.g. {@code "IMAGENET1K_V1"}). */
    public static Optional<Spec> find(Arch arch, String tag) {
        if (tag.equalsIgnoreCase("DEFAULT")) {
            try {
                return Optional.of(defaultFor(arch));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return REGISTRY.stream().filter(s -> s.arch() == arch && s.tag().equalsIgnoreCase(tag)).findFirst();
    }

    /**
     * Where to look and whether to download.
     *
     * @param overrides local files or folders searched first ({@value #WEIGHTS_PROPERTY})
     * @param cacheRoot the folder downloads go to ({@code ~/.fastai4j/models})
     * @param readOnlyCaches further folders holding verified published files (PyTorch's hub cache)
     * @param mirror base URL that replaces {@value #TORCHVISION_BASE}, or null
     * @param offline true to never download
     * @param progress true to draw a download progress bar on stderr
     */
    public record Config(List<Path> overrides, Path cacheRoot, List<Path> readOnlyCaches, URI mirror,
            boolean offline, boolean progress) {
        public Config {
            overrides = List.copyOf(overrides);
            cacheRoot = cacheRoot.toAbsolutePath().normalize();
            readOnlyCaches = List.copyOf(readOnlyCaches);
            if (mirror != null && !mirror.toString().endsWith("/")) {
                mirror = URI.create(mirror + "/");
            }
        }

        /** Settings from the system properties and environment variables documented on the class. */
        public static Config fromEnvironment() {
            List<Path> overrides = new ArrayList<>();
            String w = setting(WEIGHTS_PROPERTY, WEIGHTS_ENV);
            if (w != null) {
                for (String s : w.split(Pattern.quote(File.pathSeparator))) {
                    if (!s.isBlank()) {
                        overrides.add(Path.of(s.trim()));
                    }
                }
            }
            String home = setting(ExternalData.HOME_PROPERTY, ExternalData.HOME_ENV);
            Path homeDir = home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".fastai4j");
            String off = setting(ExternalData.OFFLINE_PROPERTY, ExternalData.OFFLINE_ENV);
            boolean offline = off != null
                    && List.of("true", "1", "yes", "on").contains(off.trim().toLowerCase(Locale.ROOT));
            String mirror = setting(MIRROR_PROPERTY, MIRROR_ENV);
            return new Config(overrides, homeDir.resolve("models"), List.of(torchHubCache()),
                    mirror == null ? null : URI.create(mirror.trim()), offline,
                    ProgressBars.mode() != ProgressBars.Mode.OFF);
        }

        /** Only {@code cacheRoot}: no overrides, no other caches, downloads on, no progress bar. */
        public static Config of(Path cacheRoot) {
            return new Config(List.of(), cacheRoot, List.of(), null, false, false);
        }

        public Config withOverrides(List<Path> paths) {
            return new Config(paths, cacheRoot, readOnlyCaches, mirror, offline, progress);
        }

        public Config withCacheRoot(Path root) {
            return new Config(overrides, root, readOnlyCaches, mirror, offline, progress);
        }

        public Config withReadOnlyCaches(List<Path> caches) {
            return new Config(overrides, cacheRoot, caches, mirror, offline, progress);
        }

        public Config withMirror(URI base) {
            return new Config(overrides, cacheRoot, readOnlyCaches, base, offline, progress);
        }

        public Config withOffline(boolean off) {
            return new Config(overrides, cacheRoot, readOnlyCaches, mirror, off, progress);
        }

        public Config withProgress(boolean show) {
            return new Config(overrides, cacheRoot, readOnlyCaches, mirror, offline, show);
        }

        /** The URL a download of {@code spec} uses: the mirror's when one is set. */
        public URI downloadUrl(Spec spec) {
            return mirror == null ? spec.url() : mirror.resolve(spec.fileName());
        }

        private static Path torchHubCache() {
            String torchHome = System.getenv("TORCH_HOME");
            if (torchHome == null || torchHome.isBlank()) {
                String xdg = System.getenv("XDG_CACHE_HOME");
                Path cache = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache")
                        : Path.of(xdg);
                return cache.resolve("torch").resolve("hub").resolve("checkpoints");
            }
            return Path.of(torchHome).resolve("hub").resolve("checkpoints");
        }

        private static String setting(String property, String env) {
            String v = System.getProperty(property);
            if (v == null || v.isBlank()) {
                v = System.getenv(env);
            }
            return v == null || v.isBlank() ? null : v;
        }
    }

    // ------------------------------------------------------------------ finding and downloading

    /** The weights file on disk, downloading it if needed; settings from the environment. */
    public static Path fetch(Spec spec) {
        return fetch(spec, Config.fromEnvironment());
    }

    /**
     * The weights file on disk: a local override, a cached copy, or a fresh verified download.
     *
     * @throws WeightsUnavailableException when it is nowhere and cannot be downloaded
     * @throws ChecksumMismatchException when the download does not match the published hash (file deleted)
     */
    public static Path fetch(Spec spec, Config config) {
        Optional<Path> local = findLocal(spec, config);
        if (local.isPresent()) {
            return local.get();
        }
        Path dest = config.cacheRoot().resolve(spec.fileName());
        synchronized (LOCKS.computeIfAbsent(dest, k -> new Object())) {
            if (Files.isRegularFile(dest) && verifiedOrDeleted(dest, spec)) {
                return dest;
            }
            URI url = config.downloadUrl(spec);
            if (config.offline()) {
                throw unavailable(spec, config, "downloads are off (" + ExternalData.OFFLINE_PROPERTY + " / "
                        + ExternalData.OFFLINE_ENV + ")", null);
            }
            Path part = null;
            try {
                Files.createDirectories(config.cacheRoot());
                part = AtomicFiles.temporarySibling(dest, ".part");
                Downloader.copy(url, part, -1, config.progress());
                String sha = Checksums.sha256(part);
                if (!sha.startsWith(spec.sha256Prefix())) {
                    Files.deleteIfExists(part);
                    throw new ChecksumMismatchException(part, spec.fileName(), url.toString(), "SHA-256 prefix",
                            spec.sha256Prefix(), sha);
                }
                AtomicFiles.moveIntoPlace(part, dest);
                LOG.log(System.Logger.Level.INFO, "{0}: downloaded from {1} to {2}, SHA-256 {3}", spec, url, dest, sha);
                return dest;
            } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
                throw unavailable(spec, config, "cannot reach " + url.getHost() + " (" + e + "); this machine"
                        + " seems to be offline", e);
            } catch (IOException | UncheckedIOException e) {
                throw unavailable(spec, config, "downloading " + url + " failed: " + e.getMessage(), e);
            } finally {
                if (part != null) {
                    try {
                        Files.deleteIfExists(part);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot delete " + part, e);
                    }
                }
            }
        }
    }

    /** The weights file if it is already on disk (overrides, then caches); never downloads. */
    public static Optional<Path> findLocal(Spec spec, Config config) {
        for (Path p : config.overrides()) {
            if (Files.isRegularFile(p)) {
                LOG.log(System.Logger.Level.INFO, "{0}: using {1} as given ({2}), not verified", spec, p,
                        WEIGHTS_PROPERTY);
                return Optional.of(p);
            }
            Path candidate = p.resolve(spec.fileName());
            if (Files.isDirectory(p) && Files.isRegularFile(candidate)) {
                LOG.log(System.Logger.Level.INFO, "{0}: using {1} as given ({2}), not verified", spec, candidate,
                        WEIGHTS_PROPERTY);
                return Optional.of(candidate);
            }
        }
        List<Path> caches = new ArrayList<>();
        caches.add(config.cacheRoot());
        caches.addAll(config.readOnlyCaches());
        for (Path c : caches) {
            Path candidate = c.resolve(spec.fileName());
            if (Files.isRegularFile(candidate)) {
                boolean own = c.equals(config.cacheRoot());
                if (own ? verifiedOrDeleted(candidate, spec) : verified(candidate, spec)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean verified(Path file, Spec spec) {
        try {
            String sha = Checksums.sha256(file);
            if (sha.startsWith(spec.sha256Prefix())) {
                return true;
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} has SHA-256 {2}, not {3}...; ignored", spec, file, sha,
                    spec.sha256Prefix());
            return false;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + file, e);
            return false;
        }
    }

    private static boolean verifiedOrDeleted(Path file, Spec spec) {
        if (verified(file, spec)) {
            return true;
        }
        try {
            Files.deleteIfExists(file); // a corrupt copy in our own cache: fetch it again
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + file, e);
        }
        return false;
    }

    private static WeightsUnavailableException unavailable(Spec spec, Config config, String reason, Throwable cause) {
        StringBuilder m = new StringBuilder();
        m.append("Pretrained weights ").append(spec).append(" are not available: ").append(reason).append(".\nSearched:");
        for (Path p : config.overrides()) {
            m.append("\n  ").append(p).append(Files.isDirectory(p) ? " (folder, no " + spec.fileName() + ")"
                    : " (not found)").append("  [").append(WEIGHTS_PROPERTY).append(']');
        }
        if (config.overrides().isEmpty()) {
            m.append("\n  (no local override set: ").append(WEIGHTS_PROPERTY).append(" / ").append(WEIGHTS_ENV)
                    .append(')');
        }
        m.append("\n  ").append(config.cacheRoot().resolve(spec.fileName())).append(" (not found)  [cache]");
        for (Path c : config.readOnlyCaches()) {
            m.append("\n  ").append(c.resolve(spec.fileName())).append(" (not found)  [PyTorch hub cache]");
        }
        m.append("\nTo fix, download ").append(spec.url()).append(" (SHA-256 starts with ")
                .append(spec.sha256Prefix()).append(") on a machine that can reach it, then either:")
                .append("\n  - copy it to ").append(config.cacheRoot().resolve(spec.fileName()))
                .append("\n  - or name the file or its folder with -D").append(WEIGHTS_PROPERTY).append("=<path> or ")
                .append(WEIGHTS_ENV).append("=<path>")
                .append("\n  - or serve the file from a mirror and set -D").append(MIRROR_PROPERTY).append("=<base URL>");
        if (config.offline()) {
            m.append("\n  - or allow downloads: unset ").append(ExternalData.OFFLINE_PROPERTY).append(" / ")
                    .append(ExternalData.OFFLINE_ENV);
        }
        m.append("\nOr train without pretrained weights.");
        return new WeightsUnavailableException(m.toString(), cause);
    }

    // ------------------------------------------------------------------ loading

    /**
     * Reads the weights of {@code spec} (fetching them first if needed) onto {@code manager}, by torchvision
     * name, in file order.
     */
    public static Map<String, NDArray> read(Spec spec, NDManager manager, Config config) throws IOException {
        return TorchStateDictReader.read(fetch(spec, config), manager);
    }

    /**
     * Loads torchvision's default weights for {@code arch} (see {@link #defaultFor}) into {@code model}: a
     * plain {@link ResNet}, a ResNet body, or a vision model assembled by {@link VisionModels#createVisionModel}
     * (body "0"). Settings from the environment.
     *
     * @throws WeightsUnavailableException when the file is nowhere and cannot be downloaded
     * @throws IllegalArgumentException when the weights do not fit the model (the model is left unchanged)
     */
    public static LoadReport load(Arch arch, Module model) {
        return load(defaultFor(arch), model, Config.fromEnvironment());
    }

    /** {@link #load(Arch, Module)} with explicit weights and settings. */
    public static LoadReport load(Spec spec, Module model, Config config) {
        Path file = fetch(spec, config);
        try {
            return load(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Loads a torchvision ResNet state dict into {@code model}: a {@code .pth} saved by
     * {@code torch.save(model.state_dict(), file)} or a safetensors file with the same names (as
     * {@link ai.fastai4j.vision.models.VisionModels#saveBody} writes). Strict: anything missing, unexpected or
     * mis-shaped is an error and the model is left unchanged.
     */
    public static LoadReport load(Path file, Module model) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> sd = readStateDict(file, m);
            return load(sd, model, file.getFileName().toString(), true);
        }
    }

    /**
     * Reads a state dict from a PyTorch {@code .pth} (a zip, read by the restricted {@link TorchStateDictReader})
     * or a safetensors file, told apart by their first bytes, not their names.
     */
    public static Map<String, NDArray> readStateDict(Path file, NDManager manager) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n < 2) {
            throw new ai.fastai4j.io.torch.TorchFormatException(file + ": too short to be a weights file (" + n
                    + " bytes)");
        }
        // safetensors: an 8-byte header length, then the JSON header; anything else is PyTorch's (its reader
        // explains a legacy pickle or a file that is neither)
        boolean safetensors = n == head.length && head[8] == '{';
        return safetensors ? ai.fastai4j.io.Safetensors.read(file, manager)
                : TorchStateDictReader.read(file, manager);
    }

    /**
     * Maps a torchvision ResNet state dict (names like {@code layer1.0.conv1.weight}) onto {@code model}.
     *
     * <ul>
     *   <li>a {@link ResNet}: every name as it is; {@code fc.*} only when its shape matches (else dropped);</li>
     *   <li>a ResNet body (a module with a {@code conv1} child, as {@link Arch#createBody} makes): all but
     *       {@code fc.*};</li>
     *   <li>an assembled vision model (child "0" a ResNet body): the body gets every name but {@code fc.*}
     *       with the prefix "0."; the head is left alone.</li>
     * </ul>
     * A first convolution with other than 3 input channels is adapted as fastai does (see
     * {@link VisionModels#loadTorchvisionWeights}).
     *
     * @param source a name for messages
     * @param strict throw (before changing anything) when a tensor is missing, unexpected or mis-shaped;
     *     when false, load what fits and report the rest
     */
    public static LoadReport load(Map<String, NDArray> torchvision, Module model, String source, boolean strict) {
        Module body;
        String prefix;
        if (model instanceof ResNet r) {
            body = r.body();
            prefix = "";
        } else if (model.children().containsKey("conv1")) {
            body = model;
            prefix = "";
        } else if (model.children().get("0") != null && model.children().get("0").children().containsKey("conv1")) {
            body = model.children().get("0");
            prefix = "0.";
        } else {
            throw new IllegalArgumentException("cannot load torchvision ResNet weights into a "
                    + model.getClass().getSimpleName() + ": expected a ResNet, a ResNet body (child conv1) or a"
                    + " vision model whose body \"0\" is a ResNet body");
        }
        Map<String, Parameter> modelParams = model.namedParameters();
        Map<String, Parameter> bodyParams = body.namedParameters();
        Map<String, NDArray> forBody = new LinkedHashMap<>();
        Map<String, NDArray> forFc = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : torchvision.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("fc.")) {
                Parameter p = model instanceof ResNet ? modelParams.get(k) : null;
                if (p != null && p.data().getShape().equals(e.getValue().getShape())) {
                    forFc.put(k, e.getValue());
                } else {
                    dropped.add(k);
                }
            } else {
                forBody.put(k, e.getValue());
            }
        }
        // check first, so that a strict load that fails leaves the model as it was
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (String k : bodyParams.keySet()) {
            if (!forBody.containsKey(k)) {
                missing.add(prefix + k);
            }
        }
        if (model instanceof ResNet) {
            for (String k : modelParams.keySet()) {
                if (k.startsWith("fc.") && !forFc.containsKey(k) && !dropped.contains(k)) {
                    missing.add(k);
                }
            }
        }
        for (Map.Entry<String, NDArray> e : forBody.entrySet()) {
            Parameter p = bodyParams.get(e.getKey());
            if (p == null) {
                unexpected.add(prefix + e.getKey());
            } else if (!fits(e.getKey(), p.data().getShape(), e.getValue().getShape())) {
                misShaped.add(prefix + e.getKey() + " (model " + p.data().getShape() + ", file "
                        + e.getValue().getShape() + ")");
            }
        }
        StateDictReport report = new StateDictReport(missing, unexpected, misShaped);
        if (strict && !report.isExact()) {
            throw new IllegalArgumentException(source + " does not fit the model (nothing was loaded): "
                    + describe(report) + ". Are the weights for another architecture?");
        }
        Sequential wrapper = new Sequential();
        wrapper.add(body); // names "0.conv1.weight", ..., as VisionModels expects
        VisionModels.loadTorchvisionWeights(wrapper, forBody, false);
        forFc.forEach((k, v) -> modelParams.get(k).copyFrom(v));
        int loaded = forBody.size() - unexpected.size() - misShaped.size() + forFc.size();
        return new LoadReport(source, loaded, report, dropped);
    }

    /** torchvision's first convolution may have another number of input channels: VisionModels adapts it. */
    private static boolean fits(String name, Shape model, Shape file) {
        if (model.equals(file)) {
            return true;
        }
        return name.equals("conv1.weight") && model.dimension() == 4 && file.dimension() == 4
                && model.get(0) == file.get(0) && model.get(2) == file.get(2) && model.get(3) == file.get(3);
    }

    /** A readable account of a report: counts and up to ten names per kind. */
    static String describe(StateDictReport r) {
        List<String> parts = new ArrayList<>();
        if (!r.missing().isEmpty()) {
            parts.add(r.missing().size() + " missing from the file " + head(r.missing()));
        }
        if (!r.unexpected().isEmpty()) {
            parts.add(r.unexpected().size() + " unexpected (in the file, not in the model) " + head(r.unexpected()));
        }
        if (!r.misShaped().isEmpty()) {
            parts.add(r.misShaped().size() + " mis-shaped " + head(r.misShaped()));
        }
        return parts.isEmpty() ? "exact match" : String.join("; ", parts);
    }

    private static String head(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(10, names.size())));
        return "[" + shown + (names.size() > 10 ? ", ... and " + (names.size() - 10) + " more" : "") + "]";
    }
}
