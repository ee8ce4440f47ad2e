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
 * A mask drawn from its image must still match the image after every item transform. The image paints code 0
 * black and codes 1, 2, 3 pure red, green and blue; wherever a transformed pixel is still exactly one of these
 * four colours (no blending across a region's edge, where bilinear resampling mixes colours), the mask's code
 * there must be that colour's code. A mask off by one pixel fails at the pixels along every edge.
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
        byte[] px = new byte[H * W * 3];
        byte[] codes = new byte[H * W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int c = codeAt(y, x);
                codes[y * W + x] = (byte) c;
                if (c > 0) {
                    px[(y * W + x) * 3 + c - 1] = (byte) 255;
                }
            }
        }
        return List.of(new Image(H, W, 3, px), new Mask(H, W, codes));
    }

    /** The code whose colour the pixel at {@code o} has exactly, or -1 for a blend. */
    static int pureCode(byte[] px, int o) {
        int r = px[o] & 0xff;
        int g = px[o + 1] & 0xff;
        int b = px[o + 2] & 0xff;
        if (r == 0 && g == 0 && b == 0) {
            return 0;
        }
        if (g == 0 && b == 0 && r == 255) {
            return 1;
        }
        if (r == 0 && b == 0 && g == 255) {
            return 2;
        }
        return r == 0 && g == 0 && b == 255 ? 3 : -1;
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
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int code = pureCode(img.pixels(), (y * w + x) * 3);
                if (code >= 0) {
                    assertEquals(code, mask.code(y, x), what + " at (" + y + ", " + x + ")");
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
            assertTrue(n > img.height() * img.width() / 2, what + ": only " + n + " pixels checked");
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
        byte[] grey = new byte[H * W];
        java.util.Arrays.fill(grey, (byte) 100);
        List<Object> in = List.of(new Image(H, W, 1, grey), sample().get(1));
        List<Object> out = light.apply(in, Split.TRAIN, new Random(1));
        assertEquals(in.get(1), out.get(1));
        assertNotEquals(in.get(0), out.get(0));
    }
}
