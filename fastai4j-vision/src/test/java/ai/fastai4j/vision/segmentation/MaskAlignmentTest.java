package ai.fastai4j.vision.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.fastai4j.data.ItemTransform;
import ai.fastai4j.data.Split;
import ai.fastai4j.vision.Image;
import ai.fastai4j.vision.Mask;
import ai.fastai4j.vision.Resize;
import ai.fastai4j.vision.augment.AugTransforms;
import ai.fastai4j.vision.augment.RandomResizedCrop;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A mask drawn from its image (code = grey value / 60) must still match the image after every item transform:
 * wherever the transformed image is uniform over a 3x3 neighbourhood (no blending across a region's edge), the
 * mask's code there is the image's value / 60.
 */
class MaskAlignmentTest {
    static final int H = 41;
    static final int W = 53;

    /** Rectangles and a diagonal band with codes 0..3, asymmetric so flips and rotations show. */
    static int codeAt(int y, int x) {
        if (x > 5 && x < 20 && y > 3 && y < 15) {
            return 1;
        }
        if (y > 20 && x > 30 && x < 50) {
            return 2;
        }
        if (Math.abs(x - y) < 4) {
            return 3;
        }
        return 0;
    }

    static List<Object> sample() {
        byte[] px = new byte[H * W];
        byte[] codes = new byte[H * W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                codes[y * W + x] = (byte) codeAt(y, x);
                px[y * W + x] = (byte) (60 * codeAt(y, x));
            }
        }
        return List.of(new Image(H, W, 1, px), new Mask(H, W, codes));
    }

    /** Checks the transformed pair; returns how many pixels were checked. */
    static int checkAligned(List<Object> out, String what) {
        Image img = (Image) out.get(0);
        Mask mask = (Mask) out.get(1);
        assertEquals(img.height(), mask.height(), what);
        assertEquals(img.width(), mask.width(), what);
        int h = img.height();
        int w = img.width();
        int checked = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int v = img.pixels()[y * w + x] & 0xff;
                boolean uniform = v % 60 == 0;
                for (int dy = -1; dy <= 1 && uniform; dy++) {
                    for (int dx = -1; dx <= 1 && uniform; dx++) {
                        uniform = (img.pixels()[(y + dy) * w + x + dx] & 0xff) == v;
                    }
                }
                if (uniform) {
                    assertEquals(v / 60, mask.code(y, x), what + " at (" + y + ", " + x + ")");
                    checked++;
                }
            }
        }
        return checked;
    }

    static void checkTransform(ItemTransform t, Split split, String what) {
        for (long seed = 0; seed < 12; seed++) {
            List<Object> out = t.apply(sample(), split, new Random(seed));
            int n = checkAligned(out, what + " seed " + seed);
            Image img = (Image) out.get(0);
            assertTrue(n > img.height() * img.width() / 3, what + ": only " + n + " pixels checked");
            Mask m = (Mask) out.get(1);
            for (byte b : m.codes()) {
                assertTrue((b & 0xff) <= 3, "codes never blend: " + (b & 0xff));
            }
        }
    }

    @Test
    void resizeMovesMaskAndImageTogether() {
        checkTransform(Resize.crop(32), Split.TRAIN, "random crop");
        checkTransform(Resize.crop(32), Split.VALID, "centre crop");
        checkTransform(Resize.of(30, 70, Resize.Method.SQUISH), Split.TRAIN, "squish");
        checkTransform(Resize.pad(64), Split.TRAIN, "pad");
    }

    @Test
    void randomResizedCropMovesMaskAndImageTogether() {
        checkTransform(RandomResizedCrop.of(36, 0.35), Split.TRAIN, "random resized crop");
        checkTransform(RandomResizedCrop.of(36, 0.35), Split.VALID, "random resized crop, validation");
    }

    @Test
    void affineAugmentationMovesMaskAndImageTogether() {
        AugTransforms flipOnly = AugTransforms.builder().pAffine(0).pLighting(0).build();
        AugTransforms all = AugTransforms.builder().pAffine(1).pLighting(0).maxRotate(30).zoom(1, 1.4).maxWarp(0.3)
                .build();
        checkTransform(flipOnly, Split.TRAIN, "flip");
        checkTransform(all, Split.TRAIN, "flip, rotate, zoom, warp");
        // the transform really moved things (a test that cannot fail otherwise is no test)
        List<Object> out = all.apply(sample(), Split.TRAIN, new Random(3));
        assertNotEquals(sample().get(1), out.get(1));
    }

    @Test
    void lightingChangesTheImageButNeverTheMask() {
        AugTransforms light = AugTransforms.builder().pAffine(0).doFlip(false).pLighting(1).maxLighting(0.5).build();
        List<Object> out = light.apply(sample(), Split.TRAIN, new Random(1));
        assertEquals(sample().get(1), out.get(1));
        assertNotEquals(sample().get(0), out.get(0));
    }
}
