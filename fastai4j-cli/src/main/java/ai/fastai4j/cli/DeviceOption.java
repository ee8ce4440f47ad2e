package ai.fastai4j.cli;

import ai.fastai4j.engine.Devices;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --device}: where train, lr-find, predict and serve run. Sets {@link Devices#PROPERTY}, which learners and
 * loaded models read (the same as {@code FASTAI4J_DEVICE}, which it overrides).
 */
final class DeviceOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "cpu, gpu or gpu:N (default: FASTAI4J_DEVICE, else the first GPU a CUDA libtorch sees, else"
                    + " the CPU).")
    void device(String name) {
        try {
            Devices.check(Devices.parse(name));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--device: " + e.getMessage());
        }
        System.setProperty(Devices.PROPERTY, name);
    }
}
