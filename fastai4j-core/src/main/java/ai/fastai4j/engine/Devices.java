package ai.fastai4j.engine;

import ai.djl.Device;
import java.util.Locale;

/**
 * Choosing the device a model trains or predicts on. The type is DJL's {@link Device} ({@code Device.cpu()},
 * {@code Device.gpu(n)}); this class parses names and reads the application's choice:
 * <ol>
 *   <li>what the code asks for (e.g. {@code Learner.Builder.device}, {@code InferenceModel.load(file, device)});</li>
 *   <li>else the system property {@value #PROPERTY} (the CLI's {@code --device} sets it);</li>
 *   <li>else the environment variable {@value #ENV};</li>
 *   <li>else the engine's default: the first GPU when a CUDA libtorch sees one, otherwise the CPU.</li>
 * </ol>
 * Names: {@code cpu}, {@code gpu} / {@code cuda} (GPU 0), {@code gpu:N} / {@code cuda:N} / {@code gpu(N)}.
 */
public final class Devices {

    /** System property naming the device; wins over {@link #ENV}. */
    public static final String PROPERTY = "fastai4j.device";
    /** Environment variable naming the device. */
    public static final String ENV = "FASTAI4J_DEVICE";

    private Devices() {
    }

    /**
     * Parses a device name (see the class comment).
     *
     * @throws IllegalArgumentException naming the value when it is not a device name
     */
    public static Device parse(String name) {
        String s = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        for (String prefix : new String[] {"gpu", "cuda"}) {
            if (!s.startsWith(prefix)) {
                continue;
            }
            String rest = s.substring(prefix.length());
            if (rest.isEmpty()) {
                return Device.gpu(0);
            }
            if (rest.startsWith(":")) {
                rest = rest.substring(1);
            } else if (rest.startsWith("(") && rest.endsWith(")")) {
                rest = rest.substring(1, rest.length() - 1);
            } else {
                break;
            }
            if (rest.matches("[0-9]{1,3}")) {
                return Device.gpu(Integer.parseInt(rest));
            }
        }
        throw new IllegalArgumentException("not a device: '" + name + "' (expected cpu, gpu, gpu:N or cuda:N)");
    }

    /** The device named by {@value #PROPERTY} or {@value #ENV}, or null when neither is set. */
    public static Device configured() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) {
            return parse(p);
        }
        String e = System.getenv(ENV);
        if (e != null && !e.isBlank()) {
            try {
                return parse(e);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(ENV + ": " + ex.getMessage(), ex);
            }
        }
        return null;
    }

    /** {@code requested} if not null, else {@link #configured()}, else the engine's default device; checked. */
    public static Device resolve(Device requested) {
        Device d = requested != null ? requested : configured();
        return check(d != null ? d : ai.djl.engine.Engine.getInstance().defaultDevice());
    }

    /**
     * Returns {@code d} when this process can use it.
     *
     * @throws IllegalArgumentException for a GPU the engine does not see (a CPU-only libtorch, no driver, or
     *                                  fewer GPUs), with what to do about it
     */
    public static Device check(Device d) {
        if (d.isGpu()) {
            int n = gpuCount();
            if (d.getDeviceId() >= n) {
                throw new IllegalArgumentException("device " + d + " is not available: the engine sees " + n
                        + " GPU(s)" + (n == 0 ? "; a GPU needs a CUDA build of libtorch (PYTORCH_LIBRARY_PATH, see"
                        + " the README's platform table) and an NVIDIA driver" : ""));
            }
        }
        return d;
    }

    /** Whether {@code d} is a CUDA GPU. */
    public static boolean isCuda(Device d) {
        return d.isGpu();
    }

    /** GPUs the engine can use (0 with a CPU-only libtorch). */
    public static int gpuCount() {
        return ai.djl.engine.Engine.getInstance().getGpuCount();
    }
}
