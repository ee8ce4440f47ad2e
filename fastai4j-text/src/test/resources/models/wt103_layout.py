# Reference for AwdLstmWeightsTest: a small AWD-LSTM language model saved with exactly the layout of fastai's
# wt103-fwd files (lstm_fwd.pth: fastai 1's state dict (torch's zip format: the core reader refuses the legacy
# one and says how to re-save it), raw and dropped hidden weights,
# the embedding again under encoder_dp, the tied decoder weight; itos_wt103.pkl: the vocabulary as a pickled
# list), the target vocabulary, and the eval-mode logits of the model after fastai's match_embeds onto it.
# Usage: wt103_layout.py OUT_DIR
import os
import pickle
import sys
from collections import OrderedDict

import torch

out = sys.argv[1]
torch.manual_seed(0)
emb, hid, n_layers = 6, 10, 3
itos = ['xxunk', 'xxpad', 'xxbos', 'xxeos', 'xxfld', 'xxmaj', 'xxup', 'xxrep', 'xxwrep',
        'the', ',', '.', 'of', 'and', 'wiki', 'war', 'born', 'in']
target = ['xxunk', 'xxpad', 'xxbos', 'xxeos', 'xxfld', 'xxrep', 'xxwrep', 'xxup', 'xxmaj',
          'the', 'elizabeth', ',', 'darcy', '.', 'of', 'and', 'in', 'pride']

sd = OrderedDict()
enc = torch.randn(len(itos), emb) * 0.3
sd['0.encoder.weight'] = enc
sd['0.encoder_dp.emb.weight'] = enc.clone()
lstms = []
for l in range(n_layers):
    n_in = emb if l == 0 else hid
    n_out = emb if l == n_layers - 1 else hid
    lstm = torch.nn.LSTM(n_in, n_out, 1, batch_first=True)
    lstms.append(lstm)
    sd[f'0.rnns.{l}.weight_hh_l0_raw'] = lstm.weight_hh_l0.detach().clone()
    sd[f'0.rnns.{l}.module.weight_ih_l0'] = lstm.weight_ih_l0.detach().clone()
    # fastai 1 also saved the last dropped copy of the hidden weight
    sd[f'0.rnns.{l}.module.weight_hh_l0'] = torch.nn.functional.dropout(lstm.weight_hh_l0.detach(), 0.2)
    sd[f'0.rnns.{l}.module.bias_ih_l0'] = lstm.bias_ih_l0.detach().clone()
    sd[f'0.rnns.{l}.module.bias_hh_l0'] = lstm.bias_hh_l0.detach().clone()
sd['1.decoder.weight'] = enc.clone()
sd['1.decoder.bias'] = torch.randn(len(itos))
torch.save(sd, os.path.join(out, 'lstm_fwd.pth'))
with open(os.path.join(out, 'itos_wt103.pkl'), 'wb') as f:
    pickle.dump(itos, f)
with open(os.path.join(out, 'target_vocab.txt'), 'w') as f:
    f.write('\n'.join(target) + '\n')

# fastai's match_embeds, written out
o2i = {w: i for i, w in enumerate(itos)}
new_w = torch.zeros(len(target), emb)
new_b = torch.zeros(len(target))
for i, w in enumerate(target):
    j = o2i.get(w, -1)
    new_w[i] = enc[j] if j >= 0 else enc.mean(0)
    new_b[i] = sd['1.decoder.bias'][j] if j >= 0 else sd['1.decoder.bias'].mean()

tokens = torch.tensor([[2, 9, 10, 11, 12, 13, 17], [2, 14, 15, 16, 9, 0, 13]])
with torch.no_grad():
    x = torch.nn.functional.embedding(tokens, new_w)
    for lstm in lstms:
        x, _ = lstm(x)
    logits = x @ new_w.t() + new_b
torch.save({'tokens': tokens, 'logits': logits, 'new_w': new_w, 'new_b': new_b},
           os.path.join(out, 'expected.pth'))
print('wrote', len(sd), 'tensors for', len(itos), 'words')
