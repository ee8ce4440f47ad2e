package ai.fastai4j.data.external;

import ai.fastai4j.data.external.DatasetSpec.Layout;
import ai.fastai4j.data.external.DatasetSpec.Resource;
import ai.fastai4j.io.download.Archives;
import ai.fastai4j.io.download.ChecksumMismatchException;
import ai.fastai4j.io.download.Checksums;
import ai.fastai4j.io.download.Downloader;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds, downloads and extracts datasets, like fastai's {@code untar_data}.
 *
 * <p>{@link #untarData(DatasetSpec)} looks for {@code <folderName>/} in this order:
 * <ol>
 *   <li>the data folders named by system property {@value #DATA_PROPERTY} or environment variable
 *       {@value #DATA_ENV} (several separated by {@link File#pathSeparator}); used as they are, not verified;</li>
 *   <li>the cache {@code ~/.fastai4j/data} (the home folder is set by {@value #HOME_PROPERTY} or
 *       {@value #HOME_ENV});</li>
 *   <li>otherwise it downloads into the cache, verifies size and checksum, extracts archives, and moves the
 *       result into place atomically. {@value #OFFLINE_PROPERTY}{@code =true} or {@value #OFFLINE_ENV}{@code =true}
 *       turns downloading off ({@code classpath:} resources are still extracted).</li>
 * </ol>
 * When nothing is found and nothing can be fetched, a {@link DatasetUnavailableException} says where it looked
 * and how to fix it.
 */
public final class ExternalData {
    /** System property naming local data folders. */
    public static final String DATA_PROPERTY = "fastai4j.data";
    /** Environment variable naming local data folders. */
    public static final String DATA_ENV = "FASTAI4J_DATA";
    /** System property for the fastai4j home folder (cache in {@code <home>/data}). */
    public static final String HOME_PROPERTY = "fastai4j.home";
    /** Environment variable for the fastai4j home folder. */
    public static final String HOME_ENV = "FASTAI4J_HOME";
    /** System property that turns downloads off when {@code true}. */
    public static final String OFFLINE_PROPERTY = "fastai4j.offline";
    /** Environment variable that turns downloads off when {@code true}. */
    public static final String OFFLINE_ENV = "FASTAI4J_OFFLINE";

    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private ExternalData() {
    }

    /**
     * Where to look and whether to download.
     *
     * @param dataFolders local folders that may hold {@code <folderName>/}, searched in order
     * @param cacheRoot the cache folder holding downloaded datasets
     * @param offline true to never download over the network
     * @param progress true to draw download progress bars on stderr
     */
    public record Config(List<Path> dataFolders, Path cacheRoot, boolean offline, boolean progress) {
        public Config {
            dataFolders = List.copyOf(dataFolders);
            cacheRoot = cacheRoot.toAbsolutePath().normalize();
        }

        /** Settings from the system properties and environment variables documented on {@link ExternalData}. */
        public static Config fromEnvironment() {
            List<Path> folders = new ArrayList<>();
            String data = setting(DATA_PROPERTY, DATA_ENV);
            if (data != null) {
                for (String s : data.split(Pattern.quote(File.pathSeparator))) {
                    if (!s.isBlank()) {
                        folders.add(Path.of(s.trim()));
                    }
                }
            }
            String home = setting(HOME_PROPERTY, HOME_ENV);
            Path homeDir = home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".fastai4j");
            String off = setting(OFFLINE_PROPERTY, OFFLINE_ENV);
            boolean offline = off != null && List.of("true", "1", "yes", "on").contains(off.trim().toLowerCase(Locale.ROOT));
            return new Config(folders, homeDir.resolve("data"), offline, true);
        }

        /** Explicit folders, downloads on, no progress bar. */
        public static Config of(List<Path> dataFolders, Path cacheRoot) {
            return new Config(dataFolders, cacheRoot, false, false);
        }

        public Config withDataFolders(List<Path> folders) {
            return new Config(folders, cacheRoot, offline, progress);
        }

        public Config withCacheRoot(Path root) {
            return new Config(dataFolders, root, offline, progress);
        }

        public Config withOffline(boolean off) {
            return new Config(dataFolders, cacheRoot, off, progress);
        }

        public Config withProgress(boolean show) {
            return new Config(dataFolders, cacheRoot, offline, show);
        }

        private static String setting(String property, String env) {
            String v = System.getProperty(property);
            if (v == null || v.isBlank()) {
                v = System.getenv(env);
            }
            return v == null || v.isBlank() ? null : v;
        }
    }

    /** The dataset's folder, downloading and extracting it first if needed; settings from the environment. */
    public static Path untarData(DatasetSpec spec) {
        return untarData(spec, Config.fromEnvironment());
    }

    /** The dataset's folder, downloading and extracting it first if needed. */
    public static Path untarData(DatasetSpec spec, Config config) {
        Optional<Path> found = find(spec, config);
        if (found.isPresent()) {
            return found.get();
        }
        Path dest = config.cacheRoot().resolve(spec.folderName());
        synchronized (LOCKS.computeIfAbsent(dest, k -> new Object())) {
            if (isComplete(spec, dest)) {
                return dest;
            }
            if (config.offline() && needsNetwork(spec)) {
                throw unavailable(spec, config, "downloads are off (" + OFFLINE_PROPERTY + " / " + OFFLINE_ENV + ")",
                        null);
            }
            try {
                Files.createDirectories(config.cacheRoot());
                if (spec.layout() == Layout.ARCHIVE) {
                    fetchArchive(spec, config, dest);
                } else {
                    fetchFiles(spec, config, dest);
                }
            } catch (ChecksumMismatchException e) {
                throw e;
            } catch (IOException | UncheckedIOException e) {
                throw unavailable(spec, config, "fetching failed: " + e.getMessage(), e);
            }
            return dest;
        }
    }

    /** The dataset's folder if it is already on disk (data folders, then cache); never downloads. */
    public static Optional<Path> find(DatasetSpec spec, Config config) {
        for (Path folder : config.dataFolders()) {
            Path candidate = folder.resolve(spec.folderName());
            if (isComplete(spec, candidate)) {
                return Optional.of(candidate);
            }
        }
        Path cached = config.cacheRoot().resolve(spec.folderName());
        return isComplete(spec, cached) ? Optional.of(cached) : Optional.empty();
    }

    /** {@link #find(DatasetSpec, Config)} with settings from the environment. */
    public static Optional<Path> find(DatasetSpec spec) {
        return find(spec, Config.fromEnvironment());
    }

    /** Where the dataset is, or where {@link #untarData} would put it; never downloads. */
    public static Path path(DatasetSpec spec, Config config) {
        return find(spec, config).orElse(config.cacheRoot().resolve(spec.folderName()));
    }

    /** {@link #path(DatasetSpec, Config)} with settings from the environment. */
    public static Path path(DatasetSpec spec) {
        return path(spec, Config.fromEnvironment());
    }

    /** True when {@code folder} holds the dataset: all its files, or a non-empty extracted archive. */
    public static boolean isComplete(DatasetSpec spec, Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        if (spec.layout() == Layout.FILES) {
            return spec.resources().stream().allMatch(r -> Files.isRegularFile(folder.resolve(r.fileName())));
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean needsNetwork(DatasetSpec spec) {
        return spec.resources().stream().flatMap(r -> r.urls().stream()).anyMatch(u -> {
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            return !scheme.equals(Downloader.CLASSPATH_SCHEME) && !scheme.equals("file");
        });
    }

    private static void fetchArchive(DatasetSpec spec, Config config, Path dest) throws IOException {
        Resource r = spec.resources().get(0);
        Path part = Files.createTempFile(config.cacheRoot(), "." + r.fileName() + ".", ".part");
        Path work = null;
        try {
            fetchVerified(r, part, config);
            work = Files.createTempDirectory(config.cacheRoot(), "." + spec.folderName() + ".");
            Archives.extract(part, work);
            Path content = work;
            try (Stream<Path> s = Files.list(work)) {
                List<Path> top = s.collect(Collectors.toList());
                if (top.size() == 1 && Files.isDirectory(top.get(0))) {
                    content = top.get(0); // the archive's own top folder becomes the dataset folder
                }
            }
            moveIntoPlace(spec, content, dest);
        } finally {
            Files.deleteIfExists(part);
            if (work != null) {
                deleteRecursively(work);
            }
        }
    }

    private static void fetchFiles(DatasetSpec spec, Config config, Path dest) throws IOException {
        Files.createDirectories(dest);
        for (Resource r : spec.resources()) {
            Path target = dest.resolve(r.fileName());
            if (Files.isRegularFile(target)) {
                continue;
            }
            Path part = Files.createTempFile(config.cacheRoot(), "." + r.fileName() + ".", ".part");
            try {
                fetchVerified(r, part, config);
                move(part, target);
            } finally {
                Files.deleteIfExists(part);
            }
        }
    }

    /** Tries each URL in turn until one gives a file that passes verification. */
    private static void fetchVerified(Resource r, Path part, Config config) throws IOException {
        List<Exception> failures = new ArrayList<>();
        for (URI uri : r.urls()) {
            try {
                Downloader.copy(uri, part, r.size(), config.progress());
                Checksums.verify(part, new Checksums.Expected(r.fileName(), r.size(), r.sha256(), r.md5()),
                        uri.toString());
                return;
            } catch (ChecksumMismatchException e) {
                failures.add(e);
            } catch (FileNotFoundException e) {
                String hint = Downloader.CLASSPATH_SCHEME.equals(uri.getScheme())
                        ? " (is the module that ships it on the class path? The bundled samples are in fastai4j-samples)"
                        : "";
                failures.add(new IOException(uri + ": " + e.getMessage() + hint, e));
            } catch (IOException e) {
                failures.add(new IOException(uri + ": " + e, e));
            }
            Files.deleteIfExists(part);
        }
        Optional<ChecksumMismatchException> mismatch = failures.stream()
                .filter(ChecksumMismatchException.class::isInstance).map(ChecksumMismatchException.class::cast)
                .findFirst();
        if (mismatch.isPresent()) {
            failures.stream().filter(f -> f != mismatch.get()).forEach(mismatch.get()::addSuppressed);
            throw mismatch.get();
        }
        IOException e = new IOException(failures.stream().map(Throwable::getMessage)
                .collect(Collectors.joining("; ")));
        failures.forEach(e::addSuppressed);
        throw e;
    }

    private static void moveIntoPlace(DatasetSpec spec, Path source, Path dest) throws IOException {
        try {
            move(source, dest);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            if (!isComplete(spec, dest)) { // another process may have finished first; else a stray folder
                throw new IOException("cannot move the extracted dataset to " + dest + ": " + e
                        + ". Remove that folder and try again.", e);
            }
        }
    }

    private static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static DatasetUnavailableException unavailable(DatasetSpec spec, Config config, String reason,
            Throwable cause) {
        StringBuilder m = new StringBuilder();
        m.append("Dataset \"").append(spec.name()).append("\" (folder ").append(spec.folderName())
                .append(") is not available: ").append(reason).append(".\nSearched:");
        for (Path folder : config.dataFolders()) {
            m.append("\n  ").append(describe(spec, folder.resolve(spec.folderName())));
        }
        if (config.dataFolders().isEmpty()) {
            m.append("\n  (no data folder set: ").append(DATA_PROPERTY).append(" / ").append(DATA_ENV).append(')');
        }
        Path cache = config.cacheRoot().resolve(spec.folderName());
        m.append("\n  ").append(describe(spec, cache)).append("  [cache]");
        m.append("\nSources:");
        for (Resource r : spec.resources()) {
            m.append("\n  ").append(r.fileName()).append(": ")
                    .append(r.urls().stream().map(URI::toString).collect(Collectors.joining(" or ")));
        }
        m.append("\nTo fix, either:");
        if (spec.layout() == Layout.FILES) {
            m.append("\n  - copy ").append(spec.resources().stream().map(Resource::fileName)
                    .collect(Collectors.joining(", "))).append(" into ").append(cache);
        } else {
            m.append("\n  - download ").append(spec.resources().get(0).urls().get(0)).append(" and extract it so that ")
                    .append(cache).append(" holds its content");
        }
        m.append("\n  - or put a folder ").append(spec.folderName()).append("/ with them in a data folder of yours"
                + " and name that folder with -D").append(DATA_PROPERTY).append("=<folder> or ").append(DATA_ENV)
                .append("=<folder>");
        if (config.offline()) {
            m.append("\n  - or allow downloads: unset ").append(OFFLINE_PROPERTY).append(" / ").append(OFFLINE_ENV);
        }
        return new DatasetUnavailableException(m.toString(), cause);
    }

    private static String describe(DatasetSpec spec, Path folder) {
        if (!Files.isDirectory(folder)) {
            return folder + " (not found)";
        }
        if (spec.layout() == Layout.FILES) {
            String missing = spec.resources().stream().map(Resource::fileName)
                    .filter(f -> !Files.isRegularFile(folder.resolve(f))).collect(Collectors.joining(", "));
            return missing.isEmpty() ? folder + " (complete)" : folder + " (missing " + missing + ")";
        }
        return isComplete(spec, folder) ? folder + " (complete)" : folder + " (empty)";
    }
}
