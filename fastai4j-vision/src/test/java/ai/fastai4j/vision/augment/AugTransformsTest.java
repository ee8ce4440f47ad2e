package ai.fastai4j.vision.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.Split;
import ai.fastai4j.vision.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AugTransformsTest {
    @TempDir
    Path dir;

    /** 5x7 grey image with distinct pixel values. */
    private static Image ramp() {
        byte[] px = new byte[5 * 7];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        return new Image(5, 7, 1, px);
    }

    @Test
    void identityParametersLeaveTheImageExactlyAsItWas() {
        Image img = ramp();
        assertArrayEquals(img.pixels(), AugTransforms.apply(img, AugTransforms.Params.identity()).pixels());
    }

    @Test
    void flipMirrorsColumns() {
        Image img = ramp();
        AugTransforms.Params flip = new AugTransforms.Params(true, 0, 1, 0.5, 0.5, 0, 0, 0.5, 1);
        Image out = AugTransforms.apply(img, flip);
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 7; c++) {
                assertEquals(img.pixels()[r * 7 + 6 - c], out.pixels()[r * 7 + c]);
            }
        }
    }

    @Test
    void rotationBy90DegreesOnASquareTransposesAndMirrors() {
        byte[] px = new byte[16];
        for (int i = 0; i < 16; i++) {
            px[i] = (byte) (i * 15);
        }
        Image sq = new Image(4, 4, 1, px);
        Image out = AugTransforms.apply(sq, new AugTransforms.Params(false, 90, 1, 0.5, 0.5, 0, 0, 0.5, 1));
        // fastai's rotation matrix [[cos, sin], [-sin, cos]] at 90 degrees samples (x, y) from (y, -x):
        // output pixel (row i, col j) comes from (row 3 - j, col i)
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(px[(3 - j) * 4 + i], out.pixels()[i * 4 + j], "pixel " + i + "," + j);
            }
        }
    }

    @Test
    void warpCoefficientsMoveTheCornersAsFastaiDoes() {
        double mx = 0.1;
        double my = -0.2;
        double[] c = AugTransforms.warpCoefficients(mx, my);
        double[][] orig = {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
        double[][] targ = {{-1 - my, -1 - mx}, {-1 + my, 1 + mx}, {1 + my, -1 + mx}, {1 - my, 1 - mx}};
        for (int i = 0; i < 4; i++) {
            double x = orig[i][0];
            double y = orig[i][1];
            double d = c[6] * x + c[7] * y + 1;
            assertEquals(targ[i][0], (c[0] * x + c[1] * y + c[2]) / d, 1e-9);
            assertEquals(targ[i][1], (c[3] * x + c[4] * y + c[5]) / d, 1e-9);
        }
    }

    @Test
    void lightingIsSigmoidOfScaledLogitPlusBrightnessLogit() {
        int[] lut = AugTransforms.lightingTable(0.6, 1.3);
        double x = 100 / 255.0;
        double expected = 255 / (1 + Math.exp(-(Math.log(x / (1 - x)) * 1.3 + Math.log(0.6 / 0.4))));
        assertEquals(Math.round(expected), lut[100]);
        int[] id = AugTransforms.lightingTable(0.5, 1);
        for (int v = 0; v < 256; v++) {
            assertEquals(v, id[v]);
        }
    }

    @Test
    void reflectionPaddingFoldsBackIntoTheImage() {
        assertEquals(1.5, AugTransforms.reflect(-1.5, 6), 1e-12);
        assertEquals(5.0, AugTransforms.reflect(7.0, 6), 1e-12);
        assertEquals(3.0, AugTransforms.reflect(3.0, 6), 1e-12);
    }

    @Test
    void randomOnTrainingOnlyAndRepeatableWithTheSameSeed() {
        AugTransforms aug = AugTransforms.defaults();
        Image img = ramp();
        List<Object> sample = List.of(img, 3);
        assertSame(sample, aug.apply(sample, Split.VALID, new Random(1)));
        Image a = (Image) aug.apply(sample, Split.TRAIN, new Random(99)).get(0);
        Image b = (Image) aug.apply(sample, Split.TRAIN, new Random(99)).get(0);
        assertArrayEquals(a.pixels(), b.pixels());
        boolean changed = false;
        for (long s = 0; s < 10 && !changed; s++) {
            changed = !java.util.Arrays.equals(img.pixels(),
                    ((Image) aug.apply(sample, Split.TRAIN, new Random(s * 7919 + 13)).get(0)).pixels());
        }
        assertTrue(changed);
        assertEquals(3, aug.apply(sample, Split.TRAIN, new Random(5)).get(1));
    }

    @Test
    void drawnParametersStayInFastaisRanges() {
        AugTransforms aug = AugTransforms.defaults();
        Random r = new Random(3);
        int flips = 0;
        for (int i = 0; i < 2000; i++) {
            AugTransforms.Params p = aug.draw(r);
            assertTrue(Math.abs(p.angleDeg()) <= 10);
            assertTrue(p.zoom() >= 1 && p.zoom() <= 1.1);
            assertTrue(Math.abs(p.warpX()) <= 0.2 && Math.abs(p.warpY()) <= 0.2);
            assertTrue(p.brightness() >= 0.4 && p.brightness() <= 0.6);
            assertTrue(p.contrast() >= 0.8 - 1e-9 && p.contrast() <= 1.25 + 1e-9);
            flips += p.flip() ? 1 : 0;
        }
        assertTrue(flips > 900 && flips < 1100, "flip probability 0.5, got " + flips + "/2000");
    }

    @Test
    void randomResizedCropGivesTheTargetSizeAndCentresOnValidation() {
        Image img = ramp();
        RandomResizedCrop rrc = RandomResizedCrop.of(4);
        Image t = (Image) rrc.apply(List.of(img), Split.TRAIN, new Random(2)).get(0);
        Image v = (Image) rrc.apply(List.of(img), Split.VALID, new Random(2)).get(0);
        assertEquals(4, t.width());
        assertEquals(4, t.height());
        assertEquals(4, v.width());
        int[] crop = rrc.trainCrop(100, 80, new Random(4));
        assertTrue(crop[0] + crop[2] <= 100 && crop[1] + crop[3] <= 80);
        double ratio = (double) crop[2] / crop[3];
        assertTrue(ratio >= 0.7 && ratio <= 1.4, "ratio " + ratio);
    }

    @Test
    void previewWritesAGrid() throws Exception {
        Path out = AugTransforms.defaults().preview(ramp(), 9, 1, dir.resolve("aug.png"));
        assertTrue(Files.size(out) > 0);
        assertNotEquals(null, ImageIO.read(out.toFile()));
    }
}
