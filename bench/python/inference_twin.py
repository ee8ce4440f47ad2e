#!/usr/bin/env python3
"""PyTorch twin of fastai4j's InferenceBench (bench/src/main/java/ai/fastai4j/bench/InferenceBench.java).

Reads the weights from the very .fai file the Java side exported (a ZIP holding manifest.json and
weights.safetensors), rebuilds the model in plain PyTorch (torchvision's ResNet body with its children named as
fastai4j names them, then fastai's create_head), checks it gives the probabilities fastai4j gave on the same
images (inputs.safetensors), then times the same work as the Java side:

  single image / batch: a list of uint8 HWC image tensors -> torch.stack -> NCHW float / 255 -> normalise
  (the manifest's mean and std) -> forward under inference_mode -> softmax -> .numpy()
  model only: forward + softmax + .numpy() on a ready float NCHW batch

Prints RESULT python key=value ... for InferenceBench. Written for Debian's python3-torch 1.13 and
python3-torchvision (use /usr/bin/python3); needs nothing else (the safetensors reader is below).

    /usr/bin/python3 bench/python/inference_twin.py --model bench/target/inference/resnet18-224.fai \
        --inputs bench/target/inference/inputs.safetensors --threads 2
"""
import argparse
import collections
import json
import struct
import time
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torchvision

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "U8": np.uint8, "I8": np.int8, "BOOL": np.bool_}


def read_safetensors(raw):
    """name -> torch tensor, from the bytes of a safetensors file."""
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    out = collections.OrderedDict()
    for name, t in header.items():
        start, end = t["data_offsets"]
        a = np.frombuffer(raw, dtype=DTYPES[t["dtype"]], count=(end - start) // np.dtype(DTYPES[t["dtype"]]).itemsize,
                          offset=base + start).reshape(t["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


class AdaptiveConcatPool2d(nn.Module):
    """fastai's: max pool then average pool, concatenated on channels."""

    def __init__(self):
        super().__init__()
        self.mp = nn.AdaptiveMaxPool2d(1)
        self.ap = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


def vision_model(arch, n_out):
    """fastai4j's VisionModels.createVisionModel in PyTorch: children "0" (body, torchvision names), "1" (head)."""
    tv = getattr(torchvision.models, arch.lower())()
    body = nn.Sequential(collections.OrderedDict(
        (k, getattr(tv, k)) for k in ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"]))
    nf = tv.fc.in_features
    head = nn.Sequential(AdaptiveConcatPool2d(), nn.Flatten(), nn.BatchNorm1d(2 * nf), nn.Dropout(0.25),
                         nn.Linear(2 * nf, 512, bias=False), nn.ReLU(inplace=True), nn.BatchNorm1d(512),
                         nn.Dropout(0.5), nn.Linear(512, n_out, bias=False))
    return nn.Sequential(body, head)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help=".fai file written by InferenceBench")
    ap.add_argument("--inputs", required=True, help="inputs.safetensors written by InferenceBench")
    ap.add_argument("--batches", default="32,64")
    ap.add_argument("--single", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    with zipfile.ZipFile(a.model) as z:
        manifest = json.loads(z.read("manifest.json"))
        state = read_safetensors(z.read("weights.safetensors"))
    params = manifest["model"]["params"]
    norm = [t["params"] for t in manifest["batchTransforms"] if t["name"] == "normalize"][0]
    mean = torch.tensor(norm["mean"], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(norm["std"], dtype=torch.float32).view(1, 3, 1, 1)
    model = vision_model(params["arch"], params["n_out"])
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise SystemExit(f"weights do not fit the twin: missing {missing}, unexpected {result.unexpected_keys}")
    model.eval()

    inputs = read_safetensors(open(a.inputs, "rb").read())
    images = [inputs["images"][i] for i in range(inputs["images"].shape[0])]  # uint8 H x W x 3 each
    java_probs = inputs["probs"].numpy()
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, intra-op threads "
          f"{torch.get_num_threads()}, inter-op {torch.get_num_interop_threads()}; {params['arch']} with "
          f"{params['n_out']} outputs, {len(state)} tensors from {a.model}; load {load()}")

    def predict(batch):
        x = torch.stack(batch).permute(0, 3, 1, 2).float().div_(255)
        x = (x - mean) / std
        with torch.inference_mode():
            return model(x).softmax(1).numpy()

    diff = float(np.abs(predict(images) - java_probs).max())
    print(f"largest |probability difference| from fastai4j on {len(images)} images: {diff:.3e}")
    if diff > 1e-4:
        raise SystemExit("the twin does not compute what fastai4j computes: not a fair comparison")

    res = collections.OrderedDict()
    single = []
    for i in range(a.warmup + a.single):
        t0 = time.perf_counter()
        predict([images[i % len(images)]])
        if i >= a.warmup:
            single.append((time.perf_counter() - t0) * 1e3)
    single.sort()
    res["single_ms_median"] = pct(single, 50)
    res["single_ms_p90"] = pct(single, 90)
    res["single_ms_min"] = single[0]
    batches = [int(b) for b in a.batches.split(",")]
    for b in batches:
        ms = []
        for i in range(a.warmup + a.rounds):
            t0 = time.perf_counter()
            predict(images[:b])
            if i >= a.warmup:
                ms.append((time.perf_counter() - t0) * 1e3)
        ms.sort()
        res[f"batch{b}_ms"] = pct(ms, 50)
    for b in [1] + batches:
        x = ((torch.stack(images[:b]).permute(0, 3, 1, 2).float() / 255) - mean) / std
        ms = []
        calls = a.single if b == 1 else a.rounds
        for i in range(a.warmup + calls):
            t0 = time.perf_counter()
            with torch.inference_mode():
                model(x).softmax(1).numpy()
            if i >= a.warmup:
                ms.append((time.perf_counter() - t0) * 1e3)
        ms.sort()
        res[f"fwd{b}_ms"] = pct(ms, 50)
    res["max_abs_diff"] = diff
    print(f"PyTorch done; load {load()}")
    print("RESULT python " + " ".join(f"{k}={v:.6g}" for k, v in res.items()))


def pct(sorted_values, p):
    import math
    i = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[i]


def load():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
