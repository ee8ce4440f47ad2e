package ai.fastai4j.vision.models.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.fastai4j.engine.NoGrad;
import ai.fastai4j.nn.Module;
import ai.fastai4j.vision.models.Arch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicUnetTest {
    static final String PYTHON = "/usr/bin/python3";

    /** A torchvision-style ResNet body (7x7 stride-2 stem, max pool, four stages) narrow enough to be quick. */
    static ai.fastai4j.nn.Sequential tinyResNetBody(NDManager m, int nIn) {
        return ai.fastai4j.vision.models.ResNet.builder().block(ai.fastai4j.vision.models.ResNet.Block.BASIC)
                .layers(1, 1, 1, 1).widths(8, 16, 32, 64).stem(8, 7, 2, true).inChannels(nIn).buildBody(m);
    }

    @Test
    void outputHasTheInputsHeightAndWidthForEvenAndOddSizes() {
        int[][] sizes = {{64, 64}, {65, 65}, {57, 71}, {32, 48}, {33, 40}};
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] hw : sizes) {
                Engine.getInstance().setRandomSeed(1);
                try (DynamicUnet unet = new DynamicUnet(m, tinyResNetBody(m, 3), 3, 5, hw[0], hw[1],
                        DynamicUnet.Config.defaults());
                        NoGrad ng = NoGrad.enter(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    unet.eval();
                    NDArray y = unet.call(m.randomNormal(new Shape(2, 3, hw[0], hw[1])));
                    assertEquals(new Shape(2, 5, hw[0], hw[1]), y.getShape(), hw[0] + "x" + hw[1]);
                    assertEquals(4, unet.blocks().size(), "one block per resolution change of a ResNet body");
                }
            }
        }
    }

    /** Two threads running the same U-Net at once get what each gets alone (per-thread cross connections). */
    @Test
    void concurrentForwardsDoNotMixTheirCrossConnections() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                DynamicUnet unet = new DynamicUnet(m, tinyResNetBody(m, 1), 1, 2, 40, 40,
                        DynamicUnet.Config.defaults())) {
            unet.eval();
            NDArray[] inputs = {m.randomNormal(new Shape(1, 1, 40, 40)), m.randomNormal(new Shape(1, 1, 40, 40))};
            float[][] alone = new float[2][];
            for (int i = 0; i < 2; i++) {
                try (NoGrad ng = NoGrad.enter(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    alone[i] = unet.call(inputs[i]).toFloatArray();
                }
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 10; round++) {
                    List<java.util.concurrent.Future<float[]>> fs = new java.util.ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        NDArray x = inputs[i];
                        fs.add(pool.submit(() -> {
                            try (NoGrad ng = NoGrad.enter(); NDScope scope = new NDScope()) {
                                scope.suppressNotUsedWarning();
                                return unet.call(x).toFloatArray();
                            }
                        }));
                    }
                    for (int i = 0; i < 2; i++) {
                        assertArrayEquals(alone[i], fs.get(i).get(), 1e-5f, "thread " + i + ", round " + round);
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void selfAttentionBlurAndNoLastCrossKeepTheShape() {
        try (NDManager m = NDManager.newBaseManager();
                DynamicUnet unet = new DynamicUnet(m, tinyResNetBody(m, 1), 1, 3, 45, 45,
                        DynamicUnet.Config.defaults().withBlur(true).withSelfAttention(true).withLastCross(false));
                NoGrad ng = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray y = unet.call(m.randomNormal(new Shape(1, 1, 45, 45)));
            assertEquals(new Shape(1, 3, 45, 45), y.getShape());
            long sa = unet.namedModules().values().stream().filter(SelfAttention.class::isInstance).count();
            assertEquals(1, sa, "self-attention in the third block from the end, as fastai");
        }
    }

    @Test
    void closingRemovesTheCrossConnectionHooks() {
        try (NDManager m = NDManager.newBaseManager()) {
            DynamicUnet unet = new DynamicUnet(m, Arch.RESNET18.createBody(m, 3), 3, 2, 64, 64,
                    DynamicUnet.Config.defaults());
            // hooked: relu (32x32), layer1 (16), layer2 (8), layer3 (4): the stages before each size change
            List<String> hooked = unet.encoder().children().entrySet().stream()
                    .filter(e -> e.getValue().forwardHookCount() > 0).map(java.util.Map.Entry::getKey).toList();
            assertEquals(List.of("relu", "layer1", "layer2", "layer3"), hooked);
            unet.close();
            for (Module c : unet.encoder().children().values()) {
                assertEquals(0, c.forwardHookCount());
            }
        }
    }

    /** Neighbouring sub-pixels of each 2x2 block start equal: ICNR's point (no checkerboard at init). */
    @Test
    void icnrInitMakesEachShuffledBlockStartUniform() {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            PixelShuffleIcnr ps = new PixelShuffleIcnr(m, 6, 4, 2, false);
            float[] w = ps.conv().weight().data().toFloatArray(); // (16, 6, 1, 1)
            for (int j = 0; j < 4; j++) {
                for (int k = 1; k < 4; k++) {
                    for (int i = 0; i < 6; i++) {
                        assertEquals(w[(j * 4) * 6 + i], w[(j * 4 + k) * 6 + i], 0f, "kernel group " + j);
                    }
                }
            }
            NDArray y = ps.call(m.randomNormal(new Shape(2, 6, 5, 7)));
            assertEquals(new Shape(2, 4, 10, 14), y.getShape());
            float[] v = y.toFloatArray();
            float spread = 0;
            for (int n = 0; n < 2 * 4; n++) {
                for (int r = 0; r < 10; r += 2) {
                    for (int c = 0; c < 14; c += 2) {
                        int o = n * 140 + r * 14 + c;
                        spread = Math.max(spread, Math.abs(v[o] - v[o + 1]));
                        spread = Math.max(spread, Math.abs(v[o] - v[o + 14]));
                        spread = Math.max(spread, Math.abs(v[o] - v[o + 15]));
                    }
                }
            }
            assertEquals(0f, spread, 1e-6f);
            assertTrue(y.abs().sum().getFloat() > 0, "not all zero");
        }
    }

    @Test
    void pixelShuffleEqualsTorchsExactly(@TempDir Path dir) throws Exception {
        Engine.getInstance().setRandomSeed(9);
        try (NDManager m = NDManager.newBaseManager()) {
            StringBuilder script = new StringBuilder("import numpy as np, torch, torch.nn.functional as F\n");
            NDArray[] xs = new NDArray[4];
            for (int r = 2; r <= 3; r++) {
                xs[r] = m.randomNormal(new Shape(2, 3 * r * r, 4, 5));
                Path xf = dir.resolve("x" + r + ".bin");
                Files.write(xf, bytes(xs[r].toFloatArray()));
                script.append("x = torch.from_numpy(np.fromfile('").append(xf).append("', dtype='<f4').reshape(2, ")
                        .append(3 * r * r).append(", 4, 5))\n")
                        .append("F.pixel_shuffle(x, ").append(r).append(").numpy().astype('<f4').tofile('")
                        .append(dir.resolve("y" + r + ".bin")).append("')\n");
            }
            python(script.toString());
            for (int r = 2; r <= 3; r++) {
                float[] expected = floats(Files.readAllBytes(dir.resolve("y" + r + ".bin")));
                NDArray y = UnetLayers.pixelShuffle(xs[r], r);
                assertEquals(new Shape(2, 3, 4 * r, 5 * r), y.getShape());
                assertArrayEquals(expected, y.toFloatArray(), 0f);
            }
        }
    }

    static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] floats(byte[] raw) {
        float[] v = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    static void python(String script) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " not found: this test needs Debian's python3-torch (.ci/run installs it)");
        }
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-c", script).redirectErrorStream(true);
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("python3 failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
    }
}
