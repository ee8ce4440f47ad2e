package ai.fastai4j.data.external;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a dataset comes from and where it lives once on disk.
 *
 * <p>A dataset is either one {@link Layout#ARCHIVE archive} (tgz, tar or zip, extracted into
 * {@code folderName}) or a set of plain {@link Layout#FILES files} kept as downloaded (Fashion-MNIST's
 * four {@code .gz} files). Build one with {@link #archive} or {@link #files}; {@link URLs} holds the
 * known ones.
 *
 * @param name human-readable name, used in messages
 * @param folderName the folder the dataset occupies in a data folder or the cache: one path segment
 * @param layout archive or plain files
 * @param resources what to fetch: exactly one for an archive
 */
public record DatasetSpec(String name, String folderName, Layout layout, List<Resource> resources) {

    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");

    /** How the downloaded resources become the dataset folder. */
    public enum Layout {
        /** One tgz/tar/zip archive, extracted into the dataset folder. */
        ARCHIVE,
        /** Plain files, stored as they are in the dataset folder. */
        FILES
    }

    public DatasetSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(layout, "layout");
        requireSafeSegment(folderName, "folderName");
        resources = List.copyOf(resources);
        if (resources.isEmpty()) {
            throw new IllegalArgumentException("dataset " + name + " has no resources");
        }
        if (layout == Layout.ARCHIVE && resources.size() != 1) {
            throw new IllegalArgumentException("archive dataset " + name + " needs exactly one resource, got "
                    + resources.size());
        }
        if (resources.stream().map(Resource::fileName).distinct().count() != resources.size()) {
            throw new IllegalArgumentException("dataset " + name + " has duplicate file names");
        }
    }

    /** A dataset shipped as one archive (tgz, tar or zip), extracted into {@code folderName}. */
    public static DatasetSpec archive(String name, String folderName, Resource archive) {
        return new DatasetSpec(name, folderName, Layout.ARCHIVE, List.of(archive));
    }

    /** A dataset made of plain files stored unchanged in {@code folderName}. */
    public static DatasetSpec files(String name, String folderName, List<Resource> files) {
        return new DatasetSpec(name, folderName, Layout.FILES, files);
    }

    /** True when every resource has a SHA-256 or MD5 to verify against. */
    public boolean verified() {
        return resources.stream().allMatch(r -> r.sha256() != null || r.md5() != null);
    }

    /**
     * One file to fetch.
     *
     * <p>{@code urls} are mirrors tried in order; a {@code classpath:} URI names a resource on the class
     * path. {@code sha256} is verified when present; otherwise {@code md5} (the weaker integrity check some
     * publishers such as fastai give); when both are null the file is <b>not verified</b>. {@code size} is
     * checked when not negative.
     *
     * @param fileName the name of the file once downloaded: one path segment
     * @param urls download locations, tried in order
     * @param size expected size in bytes, or -1 if unknown
     * @param sha256 expected SHA-256 in lowercase hex, or null
     * @param md5 expected MD5 in lowercase hex, or null
     */
    public record Resource(String fileName, List<URI> urls, long size, String sha256, String md5) {

        public Resource {
            requireSafeSegment(fileName, "fileName");
            urls = List.copyOf(urls);
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("resource " + fileName + " has no URL");
            }
            sha256 = normalise(sha256, SHA256, "SHA-256", fileName);
            md5 = normalise(md5, MD5, "MD5", fileName);
        }

        /** A file with a known SHA-256 (may be null: not verified) and size (-1: unknown). */
        public static Resource sha256(URI url, long size, String sha256, URI... mirrors) {
            return new Resource(fileNameOf(url), concat(url, mirrors), size, sha256, null);
        }

        /** A file whose publisher gives only an MD5 (and size) to check it against. */
        public static Resource md5(URI url, long size, String md5) {
            return new Resource(fileNameOf(url), List.of(url), size, null, md5);
        }

        private static List<URI> concat(URI first, URI... rest) {
            URI[] all = new URI[rest.length + 1];
            all[0] = first;
            System.arraycopy(rest, 0, all, 1, rest.length);
            return List.of(all);
        }

        private static String normalise(String hex, Pattern pattern, String what, String fileName) {
            if (hex == null) {
                return null;
            }
            String h = hex.trim().toLowerCase(Locale.ROOT);
            if (!pattern.matcher(h).matches()) {
                throw new IllegalArgumentException("bad " + what + " for " + fileName + ": " + hex);
            }
            return h;
        }
    }

    /** The last path segment of a URL or {@code classpath:} URI. */
    static String fileNameOf(URI uri) {
        String s = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
        if (s == null || s.isEmpty() || s.endsWith("/")) {
            throw new IllegalArgumentException("URI names no file: " + uri);
        }
        return s.substring(s.lastIndexOf('/') + 1);
    }

    private static void requireSafeSegment(String segment, String what) {
        if (segment == null || !SAFE_SEGMENT.matcher(segment).matches()) {
            throw new IllegalArgumentException(what + " must be one plain path segment, got: " + segment);
        }
    }
}
