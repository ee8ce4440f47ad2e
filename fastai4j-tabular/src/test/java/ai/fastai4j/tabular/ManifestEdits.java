package ai.fastai4j.tabular;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Test surgery on {@code .fai} files: rewrites the manifest, keeps the weights. */
public final class ManifestEdits {
    private ManifestEdits() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** A copy of {@code src} whose manifest went through {@code edit}. */
    public static Path editManifest(Path src, Path dst, Consumer<ObjectNode> edit) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zf = new ZipFile(src.toFile())) {
            var en = zf.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                try (InputStream in = zf.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        ObjectNode root = (ObjectNode) JSON.readTree(entries.get("manifest.json"));
        edit.accept(root);
        entries.put("manifest.json", JSON.writeValueAsBytes(root));
        try (OutputStream os = Files.newOutputStream(dst); ZipOutputStream zos = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zos.putNextEntry(new ZipEntry(e.getKey()));
                zos.write(e.getValue());
                zos.closeEntry();
            }
        }
        return dst;
    }

}
