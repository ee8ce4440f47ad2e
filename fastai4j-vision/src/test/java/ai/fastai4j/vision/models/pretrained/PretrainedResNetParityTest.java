package ai.fastai4j.vision.models.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.fastai4j.io.torch.TorchStateDictReader;
import ai.fastai4j.nn.Module;
import ai.fastai4j.nn.Parameter;
import ai.fastai4j.nn.Sequential;
import ai.fastai4j.vision.models.Arch;
import ai.fastai4j.vision.models.ResNet;
import ai.fastai4j.vision.models.VisionModels;
import ai.fastai4j.vision.models.pretrained.PretrainedWeights.Config;
import ai.fastai4j.vision.models.pretrained.PretrainedWeights.Spec;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof against the reference: torchvision builds ResNet-18, -34 and -50 with random weights
 * (BatchNorm statistics included) in Debian's python3-torch, saves the state dicts and the eval-mode logits of
 * a fixed (2, 3, 64, 64) batch ({@code src/test/resources/pretrained/make_reference.py}); fastai4j loads the
 * {@code .pth} files and must reproduce the logits within 1e-4. For ResNet-18 it also does one train-mode step
 * (batch statistics, gradients of every parameter, BatchNorm running statistics updated with momentum 0.1) that
 * fastai4j must reproduce within 1e-4 relative. The files are made at test time (about 290 MB, never committed).
 * Without /usr/bin/python3 with torch and torchvision the test fails: install them with
 * {@code apt-get install python3-torch python3-torchvision} ({@code .ci/run} does).
 */
class PretrainedResNetParityTest {
    /** Debian's python with python3-torch and python3-torchvision; -Dfastai4j.python=... to use another. */
    static final String PYTHON = System.getProperty("fastai4j.python", "/usr/bin/python3");
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path refs;

    private static NDManager manager;

    @BeforeAll
    static void makeReference() throws Exception {
        requireTorch();
        Path script = refs.resolve("make_reference.py");
        try (InputStream in = PretrainedResNetParityTest.class.getResourceAsStream("/pretrained/make_reference.py")) {
            assertTrue(in != null, "make_reference.py is not on the test class path");
            Files.copy(in, script);
        }
        Result r = run(List.of(PYTHON, script.toString(), refs.toString(), "resnet18", "resnet34", "resnet50",
                "--train", "resnet18"), 600);
        assertEquals(0, r.exit, "make_reference.py failed:\n" + r.output);
        System.out.print(r.output);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void resnet18MatchesTorchvision() throws IOException {
        checkLogits("resnet18", ResNet::resnet18, 122);
    }

    @Test
    void resnet34MatchesTorchvision() throws IOException {
        checkLogits("resnet34", ResNet::resnet34, 218);
    }

    @Test
    void resnet50MatchesTorchvision() throws IOException {
        checkLogits("resnet50", ResNet::resnet50, 320);
    }

    private static void checkLogits(String arch, BiFunction<NDManager, Integer, ResNet> make, int tensors)
            throws IOException {
        try (NDManager m = manager.newSubManager()) {
            ResNet model = make.apply(m, 1000);
            LoadReport report = PretrainedWeights.load(refs.resolve(arch + ".pth"), model);
            assertTrue(report.isExact(), report.toString());
            assertEquals(tensors, report.loaded(), report.toString());
            assertEquals(List.of(), report.dropped(), "a 1000-class ResNet keeps torchvision's fc");
            model.eval();
            Map<String, NDArray> io = TorchStateDictReader.read(refs.resolve(arch + "_io.pth"), m);
            NDArray x = io.get("x");
            NDArray expected = io.get("logits");
            assertEquals(new Shape(2, 3, 64, 64), x.getShape());
            NDArray y = model.forward(x);
            assertEquals(expected.getShape(), y.getShape());
            float maxAbs = y.sub(expected).abs().max().getFloat();
            float scale = expected.abs().max().getFloat();
            System.out.printf("%s: logits max abs difference vs torchvision %.3g (logits up to %.3g)%n", arch, maxAbs,
                    scale);
            assertTrue(maxAbs <= TOLERANCE, arch + ": max abs difference " + maxAbs + " > " + TOLERANCE);
            assertEquals(Arch.valueOf(arch.toUpperCase(java.util.Locale.ROOT)).numFeatures(),
                    model.fc().weight().data().getShape().get(1));
        }
    }

    /**
     * One train-mode step from the same weights as torchvision: logits with batch statistics, the gradient of
     * every parameter after backward of {@code -log_softmax(logits, 1).mean()}, and every BatchNorm's running
     * mean, variance and batch count after that forward (momentum 0.1, unbiased batch variance).
     */
    @Test
    void resnet18TrainStepMatchesTorchvision() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            ResNet model = ResNet.resnet18(m, 1000);
            assertTrue(PretrainedWeights.load(refs.resolve("resnet18.pth"), model).isExact());
            Map<String, NDArray> ref = TorchStateDictReader.read(refs.resolve("resnet18_train.pth"), m);
            NDArray x = TorchStateDictReader.read(refs.resolve("resnet18_io.pth"), m).get("x");
            Map<String, Parameter> params = model.namedParameters();
            model.train(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(x);
                System.out.printf("resnet18 train step: logits relative difference %.3g%n",
                        assertRelativelyClose(ref.get("logits"), logits, "train-mode logits"));
                gc.backward(logits.logSoftmax(1).mean().neg());
            }
            int grads = 0;
            int stats = 0;
            int counters = 0;
            double worstGrad = 0;
            double worstStat = 0;
            for (Map.Entry<String, NDArray> e : ref.entrySet()) {
                String key = e.getKey();
                if (key.startsWith("grad.")) {
                    Parameter p = params.get(key.substring(5));
                    assertTrue(p != null, key + " has no parameter in fastai4j's ResNet-18");
                    NDArray grad = p.data().getGradient();
                    worstGrad = Math.max(worstGrad, assertRelativelyClose(e.getValue(), grad, key));
                    grads++;
                } else if (key.startsWith("after.")) {
                    Parameter p = params.get(key.substring(6));
                    assertTrue(p != null, key + " has no buffer in fastai4j's ResNet-18");
                    if (key.endsWith("num_batches_tracked")) {
                        assertEquals(e.getValue().getLong(), p.data().getLong(), key);
                        counters++;
                    } else {
                        worstStat = Math.max(worstStat, assertRelativelyClose(e.getValue(), p.data(), key));
                        stats++;
                    }
                }
            }
            System.out.printf("resnet18 train step: worst relative difference of %d gradients %.3g, of %d running"
                    + " statistics %.3g%n", grads, worstGrad, stats, worstStat);
            assertEquals(model.parameters().size(), grads, "a gradient for every parameter");
            assertEquals(62, grads);
            assertEquals(2 * 20, stats, "running mean and variance of the 20 BatchNorms");
            assertEquals(20, counters, "num_batches_tracked of the 20 BatchNorms");
        }
    }

    /** Max abs difference within 1e-4 of the reference's largest magnitude; returns difference / magnitude. */
    private static double assertRelativelyClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what);
        float scale = expected.abs().max().getFloat();
        float err = expected.sub(actual).abs().max().getFloat();
        assertTrue(scale > 0, what + " is all zeros in the reference");
        assertTrue(err <= TOLERANCE * scale, what + ": max abs difference " + err + " > 1e-4 x " + scale);
        return err / scale;
    }

    @Test
    void visionModelGetsTheBodyAndDropsTheClassifier() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            ResNet reference = ResNet.resnet18(m, 1000);
            PretrainedWeights.load(refs.resolve("resnet18.pth"), reference);
            Sequential vm = VisionModels.createVisionModel(m, Arch.RESNET18, 3, 10);
            NDArray headBefore = vm.get(1).stateDict().values().iterator().next().duplicate();
            LoadReport report = PretrainedWeights.load(refs.resolve("resnet18.pth"), vm);
            assertTrue(report.isExact(), report.toString());
            assertEquals(List.of("fc.weight", "fc.bias"), report.dropped());
            assertEquals(120, report.loaded());
            assertTrue(report.toString().contains("dropped [fc.weight, fc.bias] (fastai replaces the head)"),
                    report.toString());
            assertTrue(headBefore.contentEquals(vm.get(1).stateDict().values().iterator().next()), "head untouched");
            reference.eval();
            vm.eval();
            NDArray x = TorchStateDictReader.read(refs.resolve("resnet18_io.pth"), m).get("x");
            assertEquals(0f, reference.body().forward(x).sub(vm.get(0).forward(x)).abs().max().getFloat(), 1e-6f);
            // a bare body, as Arch.createBody makes it
            Sequential body = Arch.RESNET18.createBody(m, 3);
            LoadReport b = PretrainedWeights.load(refs.resolve("resnet18.pth"), body);
            assertTrue(b.isExact(), b.toString());
            body.eval();
            assertEquals(0f, reference.body().forward(x).sub(body.forward(x)).abs().max().getFloat(), 1e-6f);
        }
    }

    @Test
    void greyModelGetsTheFirstConvolutionSummedOverChannels() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Sequential vm = VisionModels.createVisionModel(m, Arch.RESNET18, 1, 10);
            LoadReport report = PretrainedWeights.load(refs.resolve("resnet18.pth"), vm);
            assertTrue(report.isExact(), report.toString());
            NDArray w = TorchStateDictReader.read(refs.resolve("resnet18.pth"), m).get("conv1.weight");
            NDArray got = vm.namedParameters().get("0.conv1.weight").data();
            assertEquals(new Shape(64, 1, 7, 7), got.getShape());
            assertTrue(w.sum(new int[] {1}, true).sub(got).abs().max().getFloat() < 1e-6f);
        }
    }

    @Test
    void weightsForAnotherArchitectureAreRefusedAndTheModelIsLeftAlone() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Sequential vm = VisionModels.createVisionModel(m, Arch.RESNET34, 3, 10);
            NDArray before = vm.namedParameters().get("0.conv1.weight").data().duplicate();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PretrainedWeights.load(refs.resolve("resnet18.pth"), vm));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("resnet18.pth does not fit the model (nothing was loaded)"), msg);
            assertTrue(msg.contains("missing from the file [0.layer1.2.conv1.weight"), msg);
            assertTrue(msg.contains("more]"), msg);
            assertTrue(before.contentEquals(vm.namedParameters().get("0.conv1.weight").data()), "model unchanged");

            Sequential vm18 = VisionModels.createVisionModel(m, Arch.RESNET18, 3, 10);
            IllegalArgumentException e50 = assertThrows(IllegalArgumentException.class,
                    () -> PretrainedWeights.load(refs.resolve("resnet50.pth"), vm18));
            assertTrue(e50.getMessage().contains("unexpected (in the file, not in the model) [0.layer1.0.conv3.weight"),
                    e50.getMessage());
            assertTrue(e50.getMessage().contains("mis-shaped [0.layer1.0.conv1.weight (model (64, 64, 3, 3), file"
                    + " (64, 64, 1, 1))"), e50.getMessage());

            // lenient: what fits is loaded, the rest reported
            Map<String, NDArray> sd = TorchStateDictReader.read(refs.resolve("resnet18.pth"), m);
            LoadReport lenient = PretrainedWeights.load(sd, vm, "resnet18.pth", false);
            assertTrue(!lenient.isExact() && lenient.report().missing().size() == 218 - 122, lenient.toString());
            assertArrayEquals(sd.get("conv1.weight").toFloatArray(),
                    vm.namedParameters().get("0.conv1.weight").data().toFloatArray());
        }
    }

    @Test
    void resnetWithAnotherClassCountDropsFc() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            ResNet model = ResNet.resnet18(m, 37);
            LoadReport report = PretrainedWeights.load(refs.resolve("resnet18.pth"), model);
            assertTrue(report.isExact(), report.toString());
            assertEquals(List.of("fc.weight", "fc.bias"), report.dropped());
        }
    }

    /** The whole path a user takes: registry entry, download over HTTP with its hash check, cache, load. */
    @Test
    void downloadsChecksAndLoadsIntoAVisionModel() throws Exception {
        Path file = refs.resolve("resnet34.pth");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        String name = "resnet34-" + sha.substring(0, 8) + ".pth";
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/" + name, exchange -> {
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
            exchange.close();
        });
        server.start();
        try (NDManager m = manager.newSubManager()) {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/" + name);
            Spec spec = new Spec(Arch.RESNET34, "RANDOM_TEST", url, sha.substring(0, 8), 21_797_672, 0);
            Path cache = refs.resolve("cache");
            Module vm = VisionModels.createVisionModel(m, Arch.RESNET34, 3, 5);
            LoadReport report = PretrainedWeights.load(spec, vm, Config.of(cache));
            assertTrue(report.isExact(), report.toString());
            assertEquals(name, report.source());
            assertTrue(Files.isRegularFile(cache.resolve(name)));
        } finally {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------- python

    record Result(int exit, String output) {}

    static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "2");
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static void requireTorch() throws InterruptedException {
        String install = "This test needs Debian's python3-torch and python3-torchvision at " + PYTHON
                + " to build the reference: apt-get install -y python3-torch python3-torchvision"
                + " (.ci/run installs them).";
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " not found. " + install);
        }
        try {
            Result r = run(List.of(PYTHON, "-c", "import torch, torchvision; print(torch.__version__,"
                    + " torchvision.__version__)"), 120);
            if (r.exit != 0) {
                fail("torch or torchvision is missing for " + PYTHON + ":\n" + r.output + install);
            }
        } catch (IOException e) {
            fail("cannot run " + PYTHON + ": " + e + ". " + install);
        }
    }
}
