#!/usr/bin/env python3
"""PyTorch twin of fastai4j's TrainBench (bench/src/main/java/ai/fastai4j/bench/TrainBench.java).

The same model as fastai4j's Arch.SMALL_RESNET vision learner, the same initialisation, the same one-cycle
schedule and optimizer (fastai's Adam = AdamW with betas (0.9, 0.99), eps 1e-5, decoupled wd 0.01 on weights
only), the same batch size and the same data (the first N Fashion-MNIST training images, the first M test images
as validation, read from the same IDX .gz files), in plain PyTorch. Prints the same figures as TrainBench:
training images per second (training phase timed apart from validation), the step broken into phases, resident
memory after the first and the last epoch, and the final validation accuracy. Lines starting with RESULT are for
bench/run-train-bench.sh.

Written for Debian's python3-torch 1.13 (use /usr/bin/python3); needs only torch and numpy.

    /usr/bin/python3 bench/python/train_twin.py --images 60000 --epochs 1 --bs 256 --data ../shared/data/fashion-mnist
"""
import argparse
import gzip
import math
import os
import resource
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzipped or not) as a numpy uint8 array shaped as its header says."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def locate(data_arg):
    candidates = [data_arg] if data_arg else []
    env = os.environ.get("FASTAI4J_DATA")
    if env:
        candidates += [os.path.join(p, "fashion-mnist") for p in env.split(os.pathsep) if p]
    here = os.path.dirname(os.path.abspath(__file__))
    candidates += [os.path.join(here, "..", "..", "..", "shared", "data", "fashion-mnist"),
                   "../shared/data/fashion-mnist", "/usr/share/dataset-fashion-mnist"]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "train-images-idx3-ubyte.gz")):
            return os.path.normpath(c)
    raise SystemExit("Fashion-MNIST not found: pass --data DIR (a folder with train-images-idx3-ubyte.gz ...)")


def load(folder, n_train, n_valid):
    f = lambda n: os.path.join(folder, n)
    xt = read_idx(f("train-images-idx3-ubyte.gz"))[:n_train]
    yt = read_idx(f("train-labels-idx1-ubyte.gz"))[:n_train]
    xv = read_idx(f("t10k-images-idx3-ubyte.gz"))[:n_valid]
    yv = read_idx(f("t10k-labels-idx1-ubyte.gz"))[:n_valid]
    as_t = lambda x: torch.from_numpy(np.array(x)).unsqueeze(1)  # uint8 (N, 1, 28, 28)
    return as_t(xt), torch.from_numpy(yt.astype(np.int64)), as_t(xv), torch.from_numpy(yv.astype(np.int64))


# ---------------------------------------------------------------- model (fastai4j's SMALL_RESNET vision learner)

class BasicBlock(nn.Module):
    """torchvision's BasicBlock (fastai4j's ai.fastai4j.vision.models.BasicBlock)."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, 0, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class AdaptiveConcatPool2d(nn.Module):
    """fastai's AdaptiveConcatPool2d: max pool then average pool, concatenated on the channel axis."""

    def forward(self, x):
        return torch.cat([F.adaptive_max_pool2d(x, 1), F.adaptive_avg_pool2d(x, 1)], 1)


def small_resnet_body(n_in=1):
    """ResNets.smallResNet's body: 3x3/1 stem of 32 channels, no max pool, BasicBlock stages 32/64/128 with
    strides 1/2/2, one block each (torchvision names conv1, bn1, relu, layer1..layer3)."""
    body = nn.Sequential()
    body.add_module("conv1", nn.Conv2d(n_in, 32, 3, 1, 1, bias=False))
    body.add_module("bn1", nn.BatchNorm2d(32))
    body.add_module("relu", nn.ReLU(inplace=True))
    inplanes = 32
    for i, (w, s) in enumerate(zip((32, 64, 128), (1, 2, 2))):
        body.add_module(f"layer{i + 1}", nn.Sequential(BasicBlock(inplanes, w, s)))
        inplanes = w
    return body, inplanes


def create_head(nf, n_out):
    """fastai's default create_head(nf, n_out): concat pool, flatten, BN, dropout 0.25, linear (no bias), ReLU,
    BN, dropout 0.5, linear (no bias). BatchNorm init as fastai (weight 1, bias 1e-3), linears Kaiming-normal
    (fan-in)."""
    layers = [AdaptiveConcatPool2d(), nn.Flatten()]
    ftrs = [2 * nf, 512, n_out]
    ps = [0.25, 0.5]
    for i in range(2):
        bn = nn.BatchNorm1d(ftrs[i])
        with torch.no_grad():
            bn.weight.fill_(1.0)
            bn.bias.fill_(1e-3)
        lin = nn.Linear(ftrs[i], ftrs[i + 1], bias=False)
        nn.init.kaiming_normal_(lin.weight)
        layers += [bn, nn.Dropout(ps[i]), lin]
        if i == 0:
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def create_model(n_out=10):
    body, nf = small_resnet_body(1)
    # torchvision's init, as fastai4j's ResNet: convolutions Kaiming-normal fan-out ReLU, BatchNorm 1 / 0
    for m in body.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    return nn.Sequential(body, create_head(nf, n_out))


def param_groups(model, wd):
    """fastai: no weight decay on BatchNorm parameters (and biases, of which this model has none)."""
    decay, no_decay = [], []
    for m in model.modules():
        for name, p in m.named_parameters(recurse=False):
            (no_decay if isinstance(m, nn.modules.batchnorm._BatchNorm) or name == "bias" else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


# ---------------------------------------------------------------- measuring

def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return -1


PHASES = ["data", "forward", "loss", "backward", "opt.step", "zero_grad"]


def parts(a):
    """The parts of a step timed alone (as fastai4j's StepPartsBench): AdamW step (single-tensor, as Debian's
    torch 1.13 runs it by default on CPU, and foreach), zero_grad, loss + item() on (bs, 10), forward, forward +
    backward. Rounds alternate the parts."""
    model = create_model(10).train()
    groups = param_groups(model, 0.01)
    opt = torch.optim.AdamW(groups, lr=1e-4, betas=(0.9, 0.99), eps=1e-5, foreach=False)
    opt_fe = torch.optim.AdamW(param_groups(model, 0.01), lr=1e-4, betas=(0.9, 0.99), eps=1e-5, foreach=True)
    x = torch.rand(a.bs, 1, 28, 28)
    y = torch.randint(0, 10, (a.bs,))
    logits = torch.randn(a.bs, 10)
    F.cross_entropy(model(x), y).backward()
    n_t = sum(1 for g in groups for _ in g["params"])
    n_e = sum(p.numel() for g in groups for p in g["params"])
    print(f"PyTorch parts  {vars(a)}; torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"{n_t} trainable tensors, {n_e} elements")

    def fwd():
        model(x)

    def fwd_bwd():
        F.cross_entropy(model(x), y).backward()

    named = {"opt.step (AdamW single-tensor)": opt.step, "opt.step (AdamW foreach)": opt_fe.step,
             "zero_grad": lambda: opt.zero_grad(set_to_none=False),
             "loss+item (bs x 10)": lambda: F.cross_entropy(logits, y).item(),
             "forward (train mode, grad on)": fwd, "forward+backward": fwd_bwd}
    for f in named.values():
        f()
    ms = {k: [] for k in named}
    for r in range(a.rounds):
        for k, f in named.items():
            n = max(1, a.calls // 5) if k.startswith("forward") else a.calls
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            ms[k].append((time.perf_counter() - t0) * 1e3 / n)
        print(f"round {r} done, load {' '.join(open('/proc/loadavg').read().split()[:3])}")
    res = []
    for k, v in ms.items():
        med, lo = sorted(v)[len(v) // 2], min(v)
        print(f"  {k:<30} min {lo:9.3f}  median {med:9.3f} ms/call  (rounds: {[round(z, 3) for z in v]})")
        res.append(f"{''.join(c if c.isalpha() or c in '+.' else '_' for c in k)}={lo:.3f}/{med:.3f}")
    print("RESULT side=pytorch parts(min/median ms) " + " ".join(res))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None, help="folder with the four IDX .gz files")
    ap.add_argument("--images", type=int, default=60000)
    ap.add_argument("--valid", type=int, default=10000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--bs", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--parts", action="store_true", help="time the parts of a step alone instead of training")
    ap.add_argument("--calls", type=int, default=20, help="with --parts: calls per part and round")
    ap.add_argument("--rounds", type=int, default=3, help="with --parts: rounds")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.parts:
        parts(a)
        return
    folder = locate(a.data)
    t0 = time.perf_counter()
    xt, yt, xv, yv = load(folder, a.images, a.valid)
    print(f"PyTorch twin  {vars(a)}")
    print(f"data: {folder} ({len(xt)} train, {len(xv)} valid, read in {time.perf_counter() - t0:.1f} s)")
    print(f"engine: torch {torch.__version__}, intra-op threads {torch.get_num_threads()}, "
          f"inter-op {torch.get_num_interop_threads()}, mkldnn {torch.backends.mkldnn.is_available()}")
    rss_start = rss_bytes()

    model = create_model(10)
    opt = torch.optim.AdamW(param_groups(model, 0.01), lr=a.lr, betas=(0.9, 0.99), eps=1e-5)
    # drop_last as fastai's training loader
    train_dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xt, yt), batch_size=a.bs, shuffle=True,
                                           drop_last=True, num_workers=0)
    valid_dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xv, yv), batch_size=a.bs, shuffle=False)
    total_steps = a.epochs * len(train_dl)
    # fastai's fit_one_cycle: lr_max/25 -> lr_max (cos, 25% of the steps) -> lr_max/1e5 (cos); moms 0.95-0.85-0.95.
    # torch's final_div_factor divides the *initial* lr (lr_max/25), so fastai's div_final 1e5 is 1e5/25 here.
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=total_steps, pct_start=0.25,
                                                anneal_strategy="cos", div_factor=25.0, final_div_factor=1e5 / 25,
                                                cycle_momentum=True, base_momentum=0.85, max_momentum=0.95)

    phase = [0.0] * len(PHASES)
    iters = []
    train_secs, train_imgs, rss_epochs = [], [], []
    results = []
    train_faults = 0
    fit_start = time.perf_counter()
    for epoch in range(a.epochs):
        epoch_start = time.perf_counter()
        model.train()
        n_img = 0
        smooth, count = 0.0, 0
        faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        mark = time.perf_counter()
        it = iter(train_dl)
        while True:
            try:
                xb, yb = next(it)
            except StopIteration:
                break
            xb = xb.float().div_(255)
            t1 = time.perf_counter()
            out = model(xb)
            t2 = time.perf_counter()
            loss = F.cross_entropy(out, yb)
            lv = loss.item()
            t3 = time.perf_counter()
            loss.backward()
            t4 = time.perf_counter()
            opt.step()
            sched.step()
            t5 = time.perf_counter()
            opt.zero_grad(set_to_none=False)  # fastai zeroes gradients in place
            t6 = time.perf_counter()
            for i, d in enumerate((t1 - mark, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
                phase[i] += d
            iters.append(t6 - mark)
            mark = t6
            n_img += len(xb)
            count += 1
            smooth = 0.98 * smooth + 0.02 * lv
        train_secs.append(time.perf_counter() - epoch_start)
        train_faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0
        train_imgs.append(n_img)
        model.eval()
        correct, vloss, n = 0, 0.0, 0
        with torch.no_grad():
            for xb, yb in valid_dl:
                out = model(xb.float().div_(255))
                vloss += F.cross_entropy(out, yb, reduction="sum").item()
                correct += (out.argmax(1) == yb).sum().item()
                n += len(yb)
        rss_epochs.append(rss_bytes())
        results.append((smooth / (1 - 0.98 ** count), vloss / n, correct / n))
        print(f"epoch {epoch}: train_loss {results[-1][0]:.4f} valid_loss {results[-1][1]:.4f} accuracy "
              f"{results[-1][2]:.4f} | train phase {train_secs[-1]:.1f} s = {n_img / train_secs[-1]:.0f} img/s, "
              f"epoch {time.perf_counter() - epoch_start:.1f} s, RSS {rss_epochs[-1] >> 20} MiB")
    fit_secs = time.perf_counter() - fit_start

    tr_s, tr_n = sum(train_secs), sum(train_imgs)
    steady = sorted(iters[min(5, len(iters) - 1):])
    median = steady[len(steady) // 2]
    print(f"training: {tr_n} images in {tr_s:.1f} s of training phases = {tr_n / tr_s:.0f} img/s; median step "
          f"{median * 1e3:.1f} ms (= {a.bs / median:.0f} img/s steady); whole fit {fit_secs:.1f} s")
    print("step phases (mean over all training steps):")
    total = sum(phase)
    for name, v in zip(PHASES, phase):
        print(f"  {name:<13} {v / len(iters) * 1e3:8.2f} ms/step  {100 * v / total:5.1f}%")
    print(f"  {'total':<13} {total / len(iters) * 1e3:8.2f} ms/step  ({len(iters)} steps)")
    print(f"minor page faults: {train_faults / len(iters):.0f} per training step")

    # the data pipeline alone: shuffled in-memory loader + uint8 -> float / 255, no model
    t0 = time.perf_counter()
    n = 0
    for xb, yb in train_dl:
        xb = xb.float().div_(255)
        n += len(xb)
    pipe_ips = n / (time.perf_counter() - t0)
    print(f"data pipeline alone (no model): {pipe_ips:.0f} img/s = {pipe_ips / (tr_n / tr_s):.1f}x training")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"RSS: start {rss_start >> 20} MiB, after epoch 1 {rss_epochs[0] >> 20} MiB, after last epoch "
          f"{rss_epochs[-1] >> 20} MiB (peak {maxrss >> 20} MiB)")
    print(f"RESULT side=pytorch train_ips={tr_n / tr_s:.1f} epoch1_ips={train_imgs[0] / train_secs[0]:.1f} "
          f"step_ms={median * 1e3:.2f} steady_ips={a.bs / median:.1f} pipeline_ips={pipe_ips:.1f} "
          f"rss_start_mb={rss_start >> 20} rss_epoch1_mb={rss_epochs[0] >> 20} rss_last_mb={rss_epochs[-1] >> 20} "
          f"accuracy={results[-1][2]:.4f} images={a.images} epochs={a.epochs} bs={a.bs} "
          f"faults_per_step={train_faults / len(iters):.0f}")
    print("RESULT side=pytorch phases " + " ".join(f"{k}={v / len(iters) * 1e3:.2f}" for k, v in zip(PHASES, phase)))


if __name__ == "__main__":
    main()
