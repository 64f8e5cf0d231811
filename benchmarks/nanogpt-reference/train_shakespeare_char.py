"""nanoGPT's CPU reference run of character-level Tiny Shakespeare, to measure nanoGPT itself beside llmforge.

A condensed restatement of karpathy/nanoGPT's model.py and train.py (MIT licence, (c) 2022 Andrej Karpathy)
for exactly the configuration of issue 7: config/train_shakespeare_char.py with the README's CPU overrides
(4 layers, 4 heads, width 128, block 64, batch 12, dropout 0, no biases, 2,000 iters, lr decay to 2,000,
eval every 250 iters on 20 batches). Same model, initialisation, weight-decay groups, AdamW, clipping,
learning-rate schedule, batch sampling and evaluation as nanoGPT, in the same order of random draws;
torch.manual_seed(seed) as nanoGPT's 1337 + seed_offset. Not part of the build.

    ./llmforge prepare --out /tmp/shakespeare-char      # byte-identical to nanoGPT's prepare.py output
    python3 train_shakespeare_char.py SEED THREADS /tmp/shakespeare-char [v]

Other sizes (the size ladder, benchmarks/README.md) change the shape and batch with --n-layer, --n-head,
--n-embd, --block-size and --batch-size; the vocabulary is the prepared data's (its meta.json). With
--iters N the run is a throughput measurement instead: --warmup W untimed steps, then N timed steps of
the same training loop without evaluation, and one line "RESULT<TAB>key=value..." (ms per step,
tokens/s, peak RSS) on stdout. With --generate N it measures nanoGPT's generate instead (model.py's loop, no KV cache:
each new token re-reads the last block-size tokens; sample.py's temperature 0.8 and top-k 200): N new tokens from a
one-token prompt, batch 1, one warm-up run and --repeats timed runs, and prints the best as "RESULT..." (tokens per
second of wall time and of the process's CPU time).
The weights are the initial ones: the speed does not depend on them.

    OPENBLAS_NUM_THREADS=1 python3 train_shakespeare_char.py 1337 1 --generate 500

Needs PyTorch (e.g. Debian's python3-torch, with libopenblas0-pthread: Debian's default reference
BLAS is about 10x slower) and numpy: setup.sh beside this file installs them.
"""
import argparse, json, math, os, resource, sys, time, numpy as np, torch, torch.nn as nn
from torch.nn import functional as F
ap = argparse.ArgumentParser()
ap.add_argument('seed', nargs='?', type=int, default=1337)
ap.add_argument('threads', nargs='?', type=int, default=2)
ap.add_argument('data_dir', nargs='?', default='.')
ap.add_argument('verbose', nargs='?', default=None)
ap.add_argument('--n-layer', type=int, default=4)
ap.add_argument('--n-head', type=int, default=4)
ap.add_argument('--n-embd', type=int, default=128)
ap.add_argument('--block-size', type=int, default=64)
ap.add_argument('--batch-size', type=int, default=12)
ap.add_argument('--warmup', type=int, default=0)
ap.add_argument('--iters', type=int, default=0)
ap.add_argument('--generate', type=int, default=0)
ap.add_argument('--repeats', type=int, default=3)
args = ap.parse_args()
seed, data_dir = args.seed, args.data_dir
torch.set_num_threads(args.threads)
batch_size, block_size, n_layer, n_head, n_embd = args.batch_size, args.block_size, args.n_layer, args.n_head, args.n_embd
learning_rate, min_lr, warmup_iters, lr_decay_iters, max_iters = 1e-3, 1e-4, 100, 2000, 2000
beta1, beta2, weight_decay, grad_clip, eval_interval, eval_iters = 0.9, 0.99, 0.1, 1.0, 250, 20
meta = os.path.join(data_dir, 'meta.json')
vocab_size = json.load(open(meta))['vocab_size'] if os.path.exists(meta) else 65

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
    def hidden(self, idx):
        b, t = idx.size()
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(0, t, dtype=torch.long))
        for block in self.transformer.h: x = block(x)
        return self.transformer.ln_f(x)
    def forward(self, idx, targets):
        logits = self.lm_head(self.hidden(idx))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):  # nanoGPT's model.py generate
        for _ in range(max_new_tokens):
            idx_cond = idx if idx.size(1) <= block_size else idx[:, -block_size:]
            logits = self.lm_head(self.hidden(idx_cond)[:, [-1], :])  # nanoGPT's inference forward: the last position only
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float('Inf')
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
            idx = torch.cat((idx, idx_next), dim=1)
        return idx

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

def train_step(X, Y):
    loss = model(X, Y)
    X, Y = get_batch('train')
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step(); optimizer.zero_grad(set_to_none=True)
    return loss, X, Y

def peak_rss_mb(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if args.generate > 0:
    model.eval(); best = 0.0; best_cpu = 0.0; start = torch.zeros((1, 1), dtype=torch.long)
    for r in range(args.repeats + 1):  # the first run warms up
        t, c = time.perf_counter(), time.process_time()
        model.generate(start, args.generate, temperature=0.8, top_k=200)
        if r > 0:
            best = max(best, args.generate / (time.perf_counter() - t))
            best_cpu = max(best_cpu, args.generate / (time.process_time() - c))
    print('RESULT', 'impl=nanogpt-generate', f'torch={torch.__version__}', f'tokens={args.generate}', f'tokensPerSec={best:.6g}',
          f'tokensPerCpuSec={best_cpu:.6g}', f'peakRssMb={peak_rss_mb():.6g}', sep='\t', flush=True)
    sys.exit(0)
X, Y = get_batch('train'); iter_num = 0; t0 = time.time()
if args.iters > 0:
    millis = []
    for iter_num in range(args.warmup + args.iters):
        if iter_num == args.warmup: ru0 = resource.getrusage(resource.RUSAGE_SELF)
        for g in optimizer.param_groups: g['lr'] = get_lr(iter_num)
        t = time.perf_counter()
        loss, X, Y = train_step(X, Y)
        last_loss = loss.item()
        if iter_num >= args.warmup: millis.append((time.perf_counter() - t) * 1e3)
    ru, n = resource.getrusage(resource.RUSAGE_SELF), len(millis)
    params = sum(p.numel() for p in model.parameters())
    print('RESULT', f'impl=nanogpt', f'torch={torch.__version__}', f'params={params}', f'iters={len(millis)}',
          f'msMean={sum(millis) / len(millis):.6g}', f'msMedian={float(np.median(millis)):.6g}',
          f'tokensPerSec={batch_size * block_size * len(millis) / (sum(millis) / 1e3):.6g}', f'lastTrainLoss={last_loss:.6g}',
          f'cpuMsPerIter={(ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime) * 1e3 / n:.6g}',
          f'sysCpuMsPerIter={(ru.ru_stime - ru0.ru_stime) * 1e3 / n:.6g}', f'minorFaultsPerIter={(ru.ru_minflt - ru0.ru_minflt) / n:.6g}',
          f'peakRssMb={peak_rss_mb():.6g}', sep='\t', flush=True)
    sys.exit(0)
while True:
    for g in optimizer.param_groups: g['lr'] = get_lr(iter_num)
    if iter_num % eval_interval == 0:
        losses = estimate_loss()
        print(f"step {iter_num}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}, {time.time()-t0:.1f}s", flush=True)
    loss, X, Y = train_step(X, Y)
    iter_num += 1
    if iter_num % 50 == 0 and args.verbose: print(iter_num, f"{time.time()-t0:.1f}s", flush=True)
    if iter_num > max_iters: break
print(f"peak RSS {peak_rss_mb():.0f} MB")
