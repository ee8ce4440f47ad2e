"""Reference files for fastai4j's torchvision equivalence test (PretrainedResNetParityTest).

Run with Debian's python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision):

    /usr/bin/python3 make_reference.py OUT_DIR [resnet18 resnet34 resnet50 ...] [--train ARCH ...]

For each architecture it builds torchvision.models.<arch>(weights=None) from a fixed seed, makes the
BatchNorm layers non-trivial (weight, bias, running_mean, running_var and num_batches_tracked set to random
values, see randomise_batchnorm), puts the model in eval mode and writes
    OUT_DIR/<arch>.pth      torch.save(model.state_dict()), exactly what torchvision publishes
    OUT_DIR/<arch>_io.pth   {"x": a fixed (2, 3, 64, 64) input batch, "logits": model(x) in eval mode}
and prints one JSON line per architecture. For each architecture named after --train it then also does one
train-mode step from those weights and writes
    OUT_DIR/<arch>_train.pth  {"logits": model(x) in train mode,
                               "grad.<name>": the gradient of every parameter after backward of
                                              -log_softmax(logits, 1).mean(),
                               "after.<name>": every BatchNorm running_mean, running_var and num_batches_tracked after that forward}
"""
import json
import sys

import torch
import torchvision


def randomise_batchnorm(model, gen):
    """Random, non-trivial BatchNorm weights and running statistics that keep activations well scaled.

    Statistics drawn blindly (say running_var ~ U(0.5, 1.5) everywhere) let a random ResNet's activations
    grow layer after layer until the logits reach the hundreds, where float32 rounding alone exceeds 1e-4.
    So: random affine weights, then running statistics measured on random inputs (one train-mode pass with
    a cumulative average), then each statistic perturbed at random (wider perturbations compound over
    resnet50's depth: U(0.5, 1.5) on the variances gives logits near 100).
    """
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            c = bn.num_features
            bn.weight.copy_(torch.rand(c, generator=gen) + 0.5)           # U(0.5, 1.5)
            bn.bias.copy_(torch.randn(c, generator=gen) * 0.1)            # N(0, 0.1)
            bn.reset_running_stats()
            bn.momentum = None                                            # cumulative average
        model.train()
        model(torch.randn(8, 3, 64, 64, generator=gen))
        for bn in bns:
            c = bn.num_features
            bn.momentum = 0.1
            std = bn.running_var.sqrt()
            bn.running_mean.add_(torch.randn(c, generator=gen) * 0.1 * std)   # shifted by N(0, 0.1 std)
            bn.running_var.mul_(torch.rand(c, generator=gen) * 0.45 + 0.8)  # scaled by U(0.8, 1.25)
            bn.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))


def make(arch, out, seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model = getattr(torchvision.models, arch)(weights=None)
    randomise_batchnorm(model, gen)
    model.eval()
    x = torch.randn(2, 3, 64, 64, generator=gen)
    with torch.no_grad():
        logits = model(x)
    torch.save(model.state_dict(), f"{out}/{arch}.pth")
    torch.save({"x": x, "logits": logits}, f"{out}/{arch}_io.pth")
    print(json.dumps({"arch": arch, "tensors": len(model.state_dict()),
                      "logits_abs_max": float(logits.abs().max()), "torch": torch.__version__,
                      "torchvision": torchvision.__version__}), flush=True)
    return model, x


def train_step(arch, model, x, out):
    """One train-mode forward and backward from the saved weights (nothing is updated but the BN statistics)."""
    model.train()
    logits = model(x)
    logits.log_softmax(1).mean().neg().backward()
    ref = {"logits": logits.detach()}
    ref.update({"grad." + k: p.grad for k, p in model.named_parameters()})
    ref.update({"after." + k: b for k, b in model.named_buffers() if k.endswith(("running_mean", "running_var", "num_batches_tracked"))})
    torch.save(ref, f"{out}/{arch}_train.pth")
    print(json.dumps({"arch": arch, "train_logits_abs_max": float(logits.abs().max()),
                      "grads": sum(k.startswith("grad.") for k in ref)}), flush=True)


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    train = argv[argv.index("--train") + 1:] if "--train" in argv else []
    archs = argv[1:argv.index("--train")] if "--train" in argv else argv[1:]
    out, archs = argv[0], archs or ["resnet18", "resnet34", "resnet50"]
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    for arch in dict.fromkeys(archs + train):
        model, x = make(arch, out)
        if arch in train:
            train_step(arch, model, x, out)


if __name__ == "__main__":
    main(sys.argv[1:])
