# Reference for LSTMParityTest: torch.nn.LSTM (one layer, batch_first) on random weights and inputs, with the
# outputs, final states and the gradients of a random linear function of all three. Usage: lstm_reference.py OUT.pth
import sys
import torch

torch.manual_seed(0)
n_in, n_hid, bs, sl = 5, 7, 3, 6
lstm = torch.nn.LSTM(n_in, n_hid, 1, batch_first=True)
x = torch.randn(bs, sl, n_in, requires_grad=True)
h0 = torch.randn(1, bs, n_hid, requires_grad=True)
c0 = torch.randn(1, bs, n_hid, requires_grad=True)
out, (hn, cn) = lstm(x, (h0, c0))
r_out, r_h, r_c = torch.randn_like(out), torch.randn_like(hn), torch.randn_like(cn)
loss = (out * r_out).sum() + (hn * r_h).sum() + (cn * r_c).sum()
loss.backward()
ref = {k: v.detach().clone() for k, v in lstm.state_dict().items()}
for k, p in lstm.named_parameters():
    ref['grad.' + k] = p.grad.clone()
for k, v in dict(x=x, h0=h0, c0=c0).items():
    ref[k] = v.detach().clone()
    ref['grad.' + k] = v.grad.clone()
ref.update({'out': out.detach(), 'hn': hn.detach(), 'cn': cn.detach(), 'r_out': r_out, 'r_h': r_h, 'r_c': r_c})
# from zero states, as torch does when no state is given
out0, (hn0, cn0) = lstm(x.detach())
ref.update({'out_zero': out0.detach(), 'hn_zero': hn0.detach()})
torch.save(ref, sys.argv[1])
print('torch', torch.__version__, 'wrote', len(ref), 'tensors')
