# The same AWD-LSTM language model as fastai4j's (fastai's awdlstm.py: embedding dropout, input/hidden RNNDropout,
# weight dropout on weight_hh, tied decoder with output dropout, AR/TAR regularizer alpha 2 beta 1, Adam with
# decoupled weight decay 0.01, betas (0.9, 0.99), eps 1e-5) in plain PyTorch, trained on random tokens; prints
# tokens per second. Usage: awd_lstm_speed.py VOCAB EMB HID LAYERS BS SEQ STEPS WARMUP [DROP_MULT]
import os
import sys
import time

import torch
import torch.nn.functional as F

vocab, emb, hid, n_layers, bs, seq, steps, warmup = map(int, sys.argv[1:9])
drop_mult = float(sys.argv[9]) if len(sys.argv) > 9 else 1.0
output_p, hidden_p, input_p, embed_p, weight_p = [p * drop_mult for p in (0.1, 0.15, 0.25, 0.02, 0.2)]
torch.manual_seed(0)
torch.set_num_threads(int(os.environ.get('THREADS', '2')))  # DJL's libtorch uses 2 intra-op threads here


def mask(x, size, p):
    return x.new_empty(*size).bernoulli_(1 - p).div_(1 - p)


def rnn_dropout(x, p, training):
    if not training or p == 0:
        return x
    return x * mask(x, (x.size(0), 1, x.size(2)), p)


class AWDLSTM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Embedding(vocab, emb, padding_idx=1)
        self.encoder.weight.data.uniform_(-0.1, 0.1)
        self.rnns = torch.nn.ModuleList()
        self.raw = torch.nn.ParameterList()
        for l in range(n_layers):
            rnn = torch.nn.LSTM(emb if l == 0 else hid, emb if l == n_layers - 1 else hid, 1, batch_first=True)
            w = rnn.weight_hh_l0
            del rnn._parameters['weight_hh_l0']
            self.raw.append(torch.nn.Parameter(w.data))
            rnn.weight_hh_l0 = w.data.clone()
            self.rnns.append(rnn)
        self.bias = torch.nn.Parameter(torch.zeros(vocab))
        self.hidden = None

    def forward(self, tokens):
        w = self.encoder.weight
        if self.training and embed_p:
            w = w * mask(w, (w.size(0), 1), embed_p)
        x = rnn_dropout(F.embedding(tokens, w, 1), input_p, self.training)
        new_hidden = []
        for l, rnn in enumerate(self.rnns):
            rnn.weight_hh_l0 = F.dropout(self.raw[l], weight_p, self.training)
            rnn._flat_weights = [getattr(rnn, n) for n in rnn._flat_weights_names]
            x, h = rnn(x, None if self.hidden is None else self.hidden[l])
            new_hidden.append(tuple(t.detach() for t in h))
            if l != n_layers - 1:
                x = rnn_dropout(x, hidden_p, self.training)
        self.hidden = new_hidden
        raw = x
        dropped = rnn_dropout(raw, output_p, self.training)
        return F.linear(dropped, self.encoder.weight, self.bias), raw, dropped


model = AWDLSTM()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
data = torch.randint(2, vocab, (steps + warmup, bs, seq + 1))
model.train()
t0 = None
for i in range(steps + warmup):
    if i == warmup:
        t0 = time.perf_counter()
    x, y = data[i, :, :-1], data[i, :, 1:]
    logits, raw, dropped = model(x)
    loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
    loss = loss + 2 * dropped.pow(2).mean() + 1 * (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
dt = time.perf_counter() - t0
print(f"pytorch {torch.__version__} threads {torch.get_num_threads()}: {steps} steps in {dt:.2f} s, "
      f"{steps * bs * seq / dt:,.0f} tokens/s, last loss {loss.item():.3f}")
