#!/usr/bin/env python3
"""PyTorch peer for bench/trainer-bench.sh: workloads W1 (GPT-2 shape) and W2 (Llama shape) with the
same sizes as the Java benchmark (trainer/.../bench/Workload.java): batch 4 x 128, LoRA r=8 (alpha 16)
on the same targets, frozen fp32 base with N(0, 0.02) weights, AdamW over the adapters only, 2 threads.
--bf16 runs forward and backward under torch.autocast("cpu", dtype=torch.bfloat16).
Usage: peer_torch.py W1|W2 [steps=100] [warmup=3] [--bf16]"""
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
B, T, R, ALPHA, H = 4, 128, 8, 16, 768


class LoraLinear(nn.Module):
    def __init__(self, fin, fout, lora, bias=True):
        super().__init__()
        self.w = nn.Parameter(torch.randn(fout, fin) * 0.02, requires_grad=False)
        self.b = nn.Parameter(torch.zeros(fout), requires_grad=False) if bias else None
        self.lora = lora
        if lora:
            self.a = nn.Parameter(torch.empty(R, fin).uniform_(-1 / math.sqrt(fin), 1 / math.sqrt(fin)))
            self.bb = nn.Parameter(torch.zeros(fout, R))

    def forward(self, x):
        y = F.linear(x, self.w, self.b)
        if self.lora:
            y = y + (x @ self.a.t() @ self.bb.t()) * (ALPHA / R)
        return y


MASK = torch.full((T, T), float("-inf")).triu(1)


def attention(q, k, v):
    # eager attention, as transformers computes it on CPU by default
    p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + MASK, dim=-1)
    return p @ v


class Gpt2Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(H), nn.LayerNorm(H)
        for p in list(self.ln1.parameters()) + list(self.ln2.parameters()):
            p.requires_grad = False
        self.c_attn = LoraLinear(H, 3 * H, True)
        self.attn_proj = LoraLinear(H, H, True)
        self.c_fc = LoraLinear(H, 4 * H, False)
        self.mlp_proj = LoraLinear(4 * H, H, True)

    def forward(self, x):
        q, k, v = self.c_attn(self.ln1(x)).split(H, dim=-1)
        q, k, v = (t.view(B, T, 12, 64).transpose(1, 2) for t in (q, k, v))
        x = x + self.attn_proj(attention(q, k, v).transpose(1, 2).reshape(B, T, H))
        h = self.c_fc(self.ln2(x))
        return x + self.mlp_proj(0.5 * h * (1 + torch.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h ** 3))))


def rope_tables():
    inv = 1.0 / (10000 ** (torch.arange(0, 64, 2).float() / 64))
    f = torch.outer(torch.arange(T).float(), inv)
    e = torch.cat([f, f], dim=-1)
    return e.cos(), e.sin()


COS, SIN = rope_tables()


def rope(x):
    x1, x2 = x[..., :32], x[..., 32:]
    return x * COS + torch.cat([-x2, x1], dim=-1) * SIN


class RmsNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.g = nn.Parameter(torch.ones(H), requires_grad=False)

    def forward(self, x):
        return self.g * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)


class LlamaBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.n1, self.n2 = RmsNorm(), RmsNorm()
        self.q, self.k, self.v = LoraLinear(H, H, True, False), LoraLinear(H, 256, True, False), LoraLinear(H, 256, True, False)
        self.o = LoraLinear(H, H, True, False)
        self.gate, self.up, self.down = LoraLinear(H, 2048, False, False), LoraLinear(H, 2048, False, False), LoraLinear(2048, H, False, False)

    def forward(self, x):
        a = self.n1(x)
        q = rope(self.q(a).view(B, T, 12, 64).transpose(1, 2))
        k = rope(self.k(a).view(B, T, 4, 64).transpose(1, 2)).repeat_interleave(3, dim=1)
        v = self.v(a).view(B, T, 4, 64).transpose(1, 2).repeat_interleave(3, dim=1)
        x = x + self.o(attention(q, k, v).transpose(1, 2).reshape(B, T, H))
        m = self.n2(x)
        return x + self.down(F.silu(self.gate(m)) * self.up(m))


class Model(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = w
        self.vocab = 50257 if w == "W1" else 32000
        self.emb = nn.Parameter(torch.randn(self.vocab, H) * 0.02, requires_grad=False)
        if w == "W1":
            self.pos = nn.Parameter(torch.randn(1024, H) * 0.02, requires_grad=False)
            self.blocks = nn.ModuleList([Gpt2Block() for _ in range(2)])
            self.norm = nn.LayerNorm(H)
            for p in self.norm.parameters():
                p.requires_grad = False
            self.head = self.emb
        else:
            self.blocks = nn.ModuleList([LlamaBlock() for _ in range(2)])
            self.norm = RmsNorm()
            self.head = nn.Parameter(torch.randn(self.vocab, H) * 0.02, requires_grad=False)

    def forward(self, ids):
        x = self.emb[ids]
        if self.w == "W1":
            x = x + self.pos[:T]
        for b in self.blocks:
            x = b(x)
        return self.norm(x) @ self.head.t()


def main():
    bf16 = "--bf16" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    w = args[0]
    steps = int(args[1]) if len(args) > 1 else 100
    warmup = int(args[2]) if len(args) > 2 else 3
    model = Model(w)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)

    def step():
        ids = torch.randint(0, model.vocab, (B, T))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].float().reshape(-1, model.vocab), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT pytorch-{w} mode={'bf16-autocast' if bf16 else 'fp32'} tokens_per_s={steps * B * T / secs:.1f} "
          f"step_ms={1000 * secs / steps:.0f} peak_rss_mib={peak:.0f} torch={torch.__version__} "
          f"threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
