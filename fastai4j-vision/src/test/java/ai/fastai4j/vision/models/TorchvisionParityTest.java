package ai.fastai4j.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.fastai4j.nn.Sequential;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Same weights, same input, same output as torchvision. Needs a reference file made with Debian's
 * python3-torch and python3-torchvision (the script is in this class's comment below); run with
 * {@code -Dfastai4j.torchvisionRef=/path/resnet18_ref.npz}.
 *
 * <pre>
 * torch.manual_seed(0); m = torchvision.models.resnet18()
 * # BN: running_mean ~ N(0, .1), running_var ~ U(.5, 1.5), weight ~ U(.5, 1.5), bias ~ N(0, .1)
 * sd = {"sd." + k: v.clone().numpy() for k, v in m.state_dict().items()}
 * x = torch.randn(2, 3, 64, 64); y_eval = m.eval()(x)
 * y_train = m.train()(x); y_train.log_softmax(1).mean().neg().backward()
 * np.savez(f, **sd, x=x, y_eval=y_eval, y_train=y_train, **{"grad.conv1.weight": ...,
 *          "grad.layer4.1.bn2.weight": ..., "after.layer1.0.bn1.running_mean": ...})
 * </pre>
 */
@EnabledIfSystemProperty(named = "fastai4j.torchvisionRef", matches = ".+")
class TorchvisionParityTest {

    @Test
    void resnet18MatchesTorchvision() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = new HashMap<>();
            try (InputStream in = Files.newInputStream(Path.of(System.getProperty("fastai4j.torchvisionRef")))) {
                for (NDArray a : NDList.decode(m, in)) {
                    ref.put(a.getName(), a);
                }
            }
            Map<String, NDArray> sd = new HashMap<>();
            ref.forEach((k, v) -> {
                if (k.startsWith("sd.")) {
                    sd.put(k.substring(3), v);
                }
            });
            assertEquals(122, sd.size());
            ResNet r = ResNet.resnet18(m, 1000);
            assertTrue(r.loadStateDict(sd, true).isExact());
            Sequential vm = VisionModels.createVisionModel(m, Arch.RESNET18, 3, 10);
            assertTrue(VisionModels.loadTorchvisionWeights(vm, sd, true).isExact());
            NDArray x = ref.get("x");
            try (NDScope s = new NDScope()) {
                r.eval();
                assertClose(ref.get("y_eval"), r.forward(x), "eval output");
                vm.eval();
                assertClose(r.body().forward(x), ((Sequential) vm).get(0).forward(x), "assembled body");
            }
            r.train(true);
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = r.forward(x);
                assertClose(ref.get("y_train"), y, "train output");
                gc.backward(y.logSoftmax(1).mean().neg());
                var p = r.namedParameters();
                assertClose(ref.get("grad.conv1.weight"), p.get("conv1.weight").data().getGradient(), "conv1 grad");
                assertClose(ref.get("grad.layer4.1.bn2.weight"), p.get("layer4.1.bn2.weight").data().getGradient(),
                        "bn grad");
                assertClose(ref.get("after.layer1.0.bn1.running_mean"), p.get("layer1.0.bn1.running_mean").data(),
                        "running mean after one training step");
            }
        }
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what);
        float scale = Math.max(1e-6f, expected.abs().max().getFloat());
        float err = expected.sub(actual).abs().max().getFloat();
        assertTrue(err <= 1e-4f * scale, what + ": max abs error " + err + " (scale " + scale + ")");
    }
}
