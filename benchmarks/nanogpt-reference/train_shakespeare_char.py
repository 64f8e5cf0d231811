"""nanoGPT's CPU reference run of character-level Tiny Shakespeare, to measure nanoGPT itself beside llmforge.

A condensed restatement of karpathy/nanoGPT's model.py and train.py (MIT licence, (c) 2022 Andrej Karpathy)
for exactly the configuration of issue 7: config/train_shakespeare_char.py with the README's CPU overrides
(4 layers, 4 heads, width 128, block 64, batch 12, dropout 0, no biases, 2,000 iters, lr decay to 2,000,
eval every 250 iters on 20 batches). Same model, initialisation, weight-decay groups, AdamW, clipping,
learning-rate schedule, batch sampling and evaluation as nanoGPT, in the same order of random draws;
torch.manual_seed(seed) as nanoGPT's 1337 + seed_offset. Not part of the build.

    ./llmforge prepare --out /tmp/shakespeare-char      # byte-identical to nanoGPT's prepare.py output
    python3 train_shakespeare_char.py SEED THREADS /tmp/shakespeare-char [v]

Needs PyTorch (e.g. Debian's python3-torch, with libopenblas0-pthread: Debian's default reference
BLAS is about 10x slower) and numpy.
"""
import math, os, resource, sys, time, numpy as np, torch, torch.nn as nn
from torch.nn import functional as F
seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1337
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
data_dir = sys.argv[3] if len(sys.argv) > 3 else '.'
batch_size, block_size, n_layer, n_head, n_embd = 12, 64, 4, 4, 128
learning_rate, min_lr, warmup_iters, lr_decay_iters, max_iters = 1e-3, 1e-4, 100, 2000, 2000
beta1, beta2, weight_decay, grad_clip, eval_interval, eval_iters = 0.9, 0.99, 0.1, 1.0, 250, 20
vocab_size = 65

class LayerNorm(nn.Module):
    def __init__(self, ndim):
        super().__init__(); self.weight = nn.Parameter(torch.ones(ndim))
    def forward(self, x): return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)

class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3*n_embd, bias=False); self.c_proj = nn.Linear(n_embd, n_embd, bias=False)
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1,1,block_size,block_size))
    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(n_embd, dim=2)
        k = k.view(B, T, n_head, C//n_head).transpose(1, 2)
        q = q.view(B, T, n_head, C//n_head).transpose(1, 2)
        v = v.view(B, T, n_head, C//n_head).transpose(1, 2)
        if hasattr(F, 'scaled_dot_product_attention'):
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:,:,:T,:T] == 0, float('-inf'))
            y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4*n_embd, bias=False); self.gelu = nn.GELU(); self.c_proj = nn.Linear(4*n_embd, n_embd, bias=False)
    def forward(self, x): return self.c_proj(self.gelu(self.c_fc(x)))

class Block(nn.Module):
    def __init__(self):
        super().__init__(); self.ln_1 = LayerNorm(n_embd); self.attn = Attn(); self.ln_2 = LayerNorm(n_embd); self.mlp = MLP()
    def forward(self, x):
        x = x + self.attn(self.ln_1(x)); return x + self.mlp(self.ln_2(x))

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block() for _ in range(n_layer)]), ln_f=LayerNorm(n_embd)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith('c_proj.weight'): torch.nn.init.normal_(p, mean=0.0, std=0.02/math.sqrt(2*n_layer))
    def _init_weights(self, m):
        if isinstance(m, (nn.Linear, nn.Embedding)): torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)
    def forward(self, idx, targets):
        b, t = idx.size()
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(0, t, dtype=torch.long))
        for block in self.transformer.h: x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

def get_batch(split):
    data = np.memmap(os.path.join(data_dir, split + '.bin'), dtype=np.uint16, mode='r')
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([torch.from_numpy((data[i:i+block_size]).astype(np.int64)) for i in ix])
    y = torch.stack([torch.from_numpy((data[i+1:i+1+block_size]).astype(np.int64)) for i in ix])
    return x, y

torch.manual_seed(seed)
model = GPT()
params = [p for p in model.parameters() if p.requires_grad]
optimizer = torch.optim.AdamW([{'params': [p for p in params if p.dim() >= 2], 'weight_decay': weight_decay},
                               {'params': [p for p in params if p.dim() < 2], 'weight_decay': 0.0}], lr=learning_rate, betas=(beta1, beta2))

@torch.no_grad()
def estimate_loss():
    out = {}; model.eval()
    for split in ['train', 'val']:
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(split); losses[k] = model(X, Y).item()
        out[split] = losses.mean()
    model.train(); return out

def get_lr(it):
    if it < warmup_iters: return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters: return min_lr
    coeff = 0.5 * (1.0 + math.cos(math.pi * (it - warmup_iters) / (lr_decay_iters - warmup_iters)))
    return min_lr + coeff * (learning_rate - min_lr)

X, Y = get_batch('train'); iter_num = 0; t0 = time.time()
while True:
    for g in optimizer.param_groups: g['lr'] = get_lr(iter_num)
    if iter_num % eval_interval == 0:
        losses = estimate_loss()
        print(f"step {iter_num}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}, {time.time()-t0:.1f}s", flush=True)
    loss = model(X, Y)
    X, Y = get_batch('train')
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step(); optimizer.zero_grad(set_to_none=True)
    iter_num += 1
    if iter_num % 50 == 0 and len(sys.argv) > 4: print(iter_num, f"{time.time()-t0:.1f}s", flush=True)
    if iter_num > max_iters: break
print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
