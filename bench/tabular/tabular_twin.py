#!/usr/bin/env python3
"""PyTorch twin of fastai4j's tabular and collab learners (bench/tabular/TabularBench.java).

TabularBench writes the data exactly as fastai4j's model sees it (category codes after Categorify, continuous
columns after FillMissing and Normalize, the same train/valid split) into a folder with meta.json; this script
trains the same model with the same recipe in plain PyTorch and prints RESULT lines that TabularBench reads:

  - model: fastai's TabularModel (embeddings, embedding dropout, BatchNorm1d on the continuous columns,
    LinBnDrop blocks Linear(bias=False) -> ReLU -> BatchNorm1d(bias 1e-3) [-> Dropout], final Linear, optional
    SigmoidRange) or fastai's EmbeddingDotBias; embeddings initialised as fastai (normal, fmod 2, std 0.01),
    Linear as PyTorch's default;
  - optimizer: fastai's Adam = AdamW(betas (0.9, 0.99), eps 1e-5), decoupled weight decay on weights and
    embeddings only (not on biases or BatchNorm parameters: fastai's wd_bn_bias=False);
  - schedule: fastai's fit_one_cycle (cosine lr lr_max/25 -> lr_max over 25% of the iterations, then down to
    lr_max/1e5; beta1 0.95 -> 0.85 -> 0.95), set before every training batch;
  - batches: shuffled training batches with the last partial one dropped, validation in order, same batch size;
    loss: cross-entropy or MSE.

Written for Debian's python3-torch 1.13 (use /usr/bin/python3); needs only torch and numpy.

    /usr/bin/python3 bench/tabular/tabular_twin.py bench/tabular/target/run/ames_seed0 --threads 2
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(folder, meta):
    def arr(name, dtype, shape):
        return torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape).copy())

    out = {}
    for split in ("train", "valid"):
        n = meta["n_" + split]
        if meta["kind"] == "collab":
            out[split + "_x"] = (arr(split + "_cats.bin", "<i8", (n, 2)),)
            out[split + "_y"] = arr(split + "_y.bin", "<f4", (n,))
        else:
            cats = arr(split + "_cats.bin", "<i8", (n, meta["n_cat"]))
            conts = arr(split + "_conts.bin", "<f4", (n, meta["n_cont"]))
            out[split + "_x"] = (cats, conts)
            ydt = "<i8" if meta["task"] == "classification" else "<f4"
            out[split + "_y"] = arr(split + "_y.bin", ydt, (n,))
    return out


class Embedding(nn.Embedding):
    """fastai's Embedding: truncated normal (fmod 2) with std 0.01."""

    def __init__(self, ni, nf):
        super().__init__(ni, nf)
        with torch.no_grad():
            self.weight.normal_().fmod_(2).mul_(0.01)


class SigmoidRange(nn.Module):
    def __init__(self, low, high):
        super().__init__()
        self.low, self.high = low, high

    def forward(self, x):
        return torch.sigmoid(x) * (self.high - self.low) + self.low


def bn(nf):
    """fastai's BatchNorm for LinBnDrop: weight 1, bias 1e-3."""
    b = nn.BatchNorm1d(nf)
    with torch.no_grad():
        b.bias.fill_(1e-3)
        b.weight.fill_(1.0)
    return b


class LinBnDrop(nn.Sequential):
    """fastai's LinBnDrop with lin_first=True."""

    def __init__(self, n_in, n_out, use_bn=True, p=0.0, act=None):
        layers = [nn.Linear(n_in, n_out, bias=not use_bn)]
        if act is not None:
            layers.append(act)
        if use_bn:
            layers.append(bn(n_out))
        if p != 0:
            layers.append(nn.Dropout(p))
        super().__init__(*layers)


class TabularModel(nn.Module):
    """fastai's TabularModel (tabular/model.py) with its defaults."""

    def __init__(self, emb_szs, n_cont, out_sz, layers, ps=0.0, embed_p=0.0, y_range=None):
        super().__init__()
        ps = [ps] * len(layers)
        self.embeds = nn.ModuleList([Embedding(ni, nf) for ni, nf in emb_szs])
        self.emb_drop = nn.Dropout(embed_p)
        self.bn_cont = nn.BatchNorm1d(n_cont) if n_cont > 0 else None
        n_emb = sum(e.embedding_dim for e in self.embeds)
        self.n_emb, self.n_cont = n_emb, n_cont
        sizes = [n_emb + n_cont] + layers + [out_sz]
        actns = [nn.ReLU(inplace=True) for _ in range(len(sizes) - 2)] + [None]
        blocks = [LinBnDrop(sizes[i], sizes[i + 1], use_bn=(i != len(actns) - 1), p=p, act=a)
                  for i, (p, a) in enumerate(zip(ps + [0.0], actns))]
        if y_range is not None:
            blocks.append(SigmoidRange(*y_range))
        self.layers = nn.Sequential(*blocks)

    def forward(self, x_cat, x_cont=None):
        if self.n_emb != 0:
            x = [e(x_cat[:, i]) for i, e in enumerate(self.embeds)]
            x = torch.cat(x, 1)
            x = self.emb_drop(x)
        if self.n_cont != 0:
            x_cont = self.bn_cont(x_cont)
            x = torch.cat([x, x_cont], 1) if self.n_emb != 0 else x_cont
        return self.layers(x)


class EmbeddingDotBias(nn.Module):
    """fastai's EmbeddingDotBias (collab.py)."""

    def __init__(self, n_factors, n_users, n_items, y_range=None):
        super().__init__()
        self.y_range = y_range
        self.u_weight, self.i_weight, self.u_bias, self.i_bias = [Embedding(*o) for o in [
            (n_users, n_factors), (n_items, n_factors), (n_users, 1), (n_items, 1)]]

    def forward(self, x):
        users, items = x[:, 0], x[:, 1]
        dot = self.u_weight(users) * self.i_weight(items)
        res = dot.sum(1) + self.u_bias(users).squeeze(1) + self.i_bias(items).squeeze(1)
        if self.y_range is None:
            return res
        return torch.sigmoid(res) * (self.y_range[1] - self.y_range[0]) + self.y_range[0]


def param_groups(model, wd):
    """fastai's wd_bn_bias=False: no weight decay on BatchNorm parameters and on biases of layers."""
    no_wd = set()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            no_wd.update(id(p) for p in m.parameters())
        elif isinstance(m, nn.Linear) and m.bias is not None:
            no_wd.add(id(m.bias))
    decay = [p for p in model.parameters() if id(p) not in no_wd]
    rest = [p for p in model.parameters() if id(p) in no_wd]
    return [{"params": decay, "weight_decay": wd}, {"params": rest, "weight_decay": 0.0}]


def combined_cos(pct, start, middle, end):
    def f(pos):
        if pos < pct:
            p = pos / pct
            return start + (1 + math.cos(math.pi * (1 - p))) * (middle - start) / 2
        p = (pos - pct) / (1 - pct)
        return middle + (1 + math.cos(math.pi * (1 - p))) * (end - middle) / 2
    return f


def batches(xs, y, bs, shuffle, drop_last, gen):
    n = y.shape[0]
    idx = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
    stop = (n // bs) * bs if drop_last else n
    for i in range(0, stop, bs):
        j = idx[i:i + bs]
        yield tuple(x[j] for x in xs), y[j]


def auc(score, label):
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i:j + 1] = (i + j) / 2.0 + 1
        i = j + 1
    lab = label[order]
    n_pos = lab.sum()
    n_neg = len(lab) - n_pos
    return (ranks[lab == 1].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    with open(os.path.join(args.folder, "meta.json")) as f:
        meta = json.load(f)
    torch.manual_seed(meta["seed"])
    d = load(args.folder, meta)
    y_range = meta.get("y_range")
    if meta["kind"] == "collab":
        model = EmbeddingDotBias(meta["n_factors"], meta["n_users"], meta["n_items"], y_range)
    else:
        model = TabularModel([tuple(e) for e in meta["emb_szs"]], meta["n_cont"], meta["n_out"], meta["layers"],
                             ps=meta.get("ps", 0.0), embed_p=meta.get("embed_p", 0.0), y_range=y_range)
    classification = meta["task"] == "classification"
    loss_fn = F.cross_entropy if classification else (lambda p, t: F.mse_loss(p.reshape(-1), t))
    lr_max, wd, bs, epochs = meta["lr"], meta["wd"], meta["bs"], meta["epochs"]
    opt = torch.optim.AdamW(param_groups(model, wd), lr=lr_max, betas=(0.9, 0.99), eps=1e-5)
    n_train = meta["n_train"]
    n_iter = n_train // bs
    total = n_iter * epochs
    lr_sched = combined_cos(0.25, lr_max / 25, lr_max, lr_max / 1e5)
    mom_sched = combined_cos(0.25, 0.95, 0.85, 0.95)
    gen = torch.Generator().manual_seed(meta["seed"])
    step = 0
    times = []
    phases = [0.0] * 5  # data+schedule, forward, loss, backward, step (as TabularBench's PhaseTimer)
    for epoch in range(epochs):
        t0 = time.perf_counter()
        model.train()
        train_loss = 0.0
        ta = time.perf_counter()
        for xb, yb in batches(d["train_x"], d["train_y"], bs, True, True, gen):
            pos = step / total
            for g in opt.param_groups:
                g["lr"] = lr_sched(pos)
                g["betas"] = (mom_sched(pos), 0.99)
            tb = time.perf_counter()
            pred = model(*xb)
            tc = time.perf_counter()
            loss = loss_fn(pred, yb)
            train_loss += loss.item()
            td = time.perf_counter()
            loss.backward()
            te = time.perf_counter()
            opt.step()
            opt.zero_grad()
            tf = time.perf_counter()
            for k, dt in enumerate((tb - ta, tc - tb, td - tc, te - td, tf - te)):
                phases[k] += dt
            ta = tf
            step += 1
        model.eval()
        preds = []
        with torch.no_grad():
            for xb, yb in batches(d["valid_x"], d["valid_y"], bs, False, False, gen):
                preds.append(model(*xb))
        p = torch.cat(preds)
        times.append(time.perf_counter() - t0)
        yv = d["valid_y"]
        if classification:
            valid_loss = F.cross_entropy(p, yv).item()
            acc = (p.argmax(1) == yv).float().mean().item()
            print(f"epoch {epoch} train_loss {train_loss / n_iter:.4f} valid_loss {valid_loss:.4f} accuracy {acc:.4f} "
                  f"time {times[-1]:.3f}")
        else:
            rmse = F.mse_loss(p.reshape(-1), yv).sqrt().item()
            print(f"epoch {epoch} train_loss {train_loss / n_iter:.4f} valid_rmse {rmse:.4f} time {times[-1]:.3f}")
    s_per_epoch = sum(times[1:]) / len(times[1:]) if len(times) > 1 else times[0]
    ms = [1000 * p / step for p in phases]
    print("  per training iteration (ms): data+schedule %.2f, forward %.2f, loss %.2f, backward %.2f, step %.2f"
          % tuple(ms))
    if classification:
        probs = torch.softmax(p, 1)[:, meta["pos"]].numpy().astype(np.float64)
        label = (yv.numpy() == meta["pos"]).astype(np.int64)
        print(f"RESULT accuracy {acc}")
        print(f"RESULT auc {auc(probs, label)}")
    else:
        print(f"RESULT rmse {rmse}")
    print(f"RESULT s_per_epoch {s_per_epoch}")


if __name__ == "__main__":
    main()
