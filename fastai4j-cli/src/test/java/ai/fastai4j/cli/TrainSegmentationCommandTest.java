package ai.fastai4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.export.InferenceModel;
import ai.fastai4j.vision.Mask;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fastai4j train --data IMAGES --masks LABELS} trains a U-Net and exports a model that predicts masks. */
class TrainSegmentationCommandTest {

    static void write(Path root, int k) throws Exception {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        byte[] codes = new byte[256];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                boolean on = x >= k % 8 && x < k % 8 + 6;
                img.setRGB(x, y, on ? 0xffffff : 0x202020);
                codes[y * 16 + x] = (byte) (on ? 1 : 0);
            }
        }
        ImageIO.write(img, "png", root.resolve("images").resolve("i" + k + ".png").toFile());
        ImageIO.write(new Mask(16, 16, codes).toBufferedImage(), "png",
                root.resolve("labels").resolve("i" + k + "_P.png").toFile());
    }

    @Test
    void trainsAUnetFromImageAndMaskFolders(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        Files.writeString(dir.resolve("codes.txt"), "Void\nStripe\n");
        for (int k = 0; k < 10; k++) {
            write(dir, k);
        }
        Path out = dir.resolve("out");
        InterpretExportCommandTest.Run r = InterpretExportCommandTest.run("train", "--data",
                dir.resolve("images").toString(), "--masks", dir.resolve("labels").toString(), "--arch", "SIMPLE_CNN",
                "--no-pretrained", "--epochs", "1", "--lr", "1e-3", "--bs", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("2 mask codes: [Void, Stripe]"), r.out());
        assertTrue(Files.exists(out.resolve("report.html")));
        try (InferenceModel m = InferenceModel.load(out.resolve("model.fai"))) {
            assertEquals(List.of("Void", "Stripe"), m.vocab());
            Mask mask = (Mask) m.predict(dir.resolve("images").resolve("i3.png")).label();
            assertEquals(16, mask.width());
        }
        InterpretExportCommandTest.Run bad = InterpretExportCommandTest.run("train", "--data",
                dir.resolve("images").toString(), "--masks", dir.resolve("nothing").toString(), "--out",
                out.toString());
        assertEquals(3, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("nothing"), bad.err());
    }
}
