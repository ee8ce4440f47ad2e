package ai.fastai4j.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.external.ExternalData;
import ai.fastai4j.data.external.URLs;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistSampleTest {

    @TempDir
    Path tmp;

    @Test
    void embeddedSampleExtractsToClassFolders() throws IOException {
        Path cache = tmp.resolve("home/data");
        ExternalData.Config config = ExternalData.Config.of(List.of(), cache).withOffline(true);
        Path root = ExternalData.untarData(URLs.FASHION_MNIST_SAMPLE, config);
        assertEquals(cache.resolve("fashion_mnist_sample"), root);
        assertTrue(Files.isRegularFile(root.resolve("LICENSE")));
        assertTrue(Files.readString(root.resolve("LICENSE")).contains("Zalando SE"));
        assertTrue(Files.isRegularFile(root.resolve("README.txt")));

        for (String split : List.of("train", "valid")) {
            // as bench's MakeFashionSample builds it: the first 500 (train) and 100 (test split) images of each class
            int expected = split.equals("train") ? 500 : 100;
            assertEquals(FashionMnist.CLASS_FOLDERS.stream().sorted().toList(), sortedNames(root.resolve(split)));
            for (String cls : FashionMnist.CLASS_FOLDERS) {
                List<Path> pngs;
                try (Stream<Path> s = Files.list(root.resolve(split).resolve(cls))) {
                    pngs = s.toList();
                }
                assertEquals(expected, pngs.size(), split + "/" + cls);
                for (Path png : pngs) {
                    assertTrue(png.getFileName().toString().matches("\\d+\\.png"), png.toString());
                    BufferedImage img = ImageIO.read(png.toFile());
                    assertNotNull(img, png.toString());
                    assertEquals(28, img.getWidth());
                    assertEquals(28, img.getHeight());
                    assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
                }
            }
        }
        // second call: found in the cache
        assertEquals(root, ExternalData.untarData(URLs.FASHION_MNIST_SAMPLE, config));
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of(root), s.toList()); // no temporary files left behind
        }
    }

    private static List<String> sortedNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
