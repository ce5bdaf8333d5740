#!/usr/bin/env python3
"""PyTorch peer for bench/memory-bench.sh: the W3 (Qwen2.5-0.5B shape) and W4 (Llama-3.2-1B shape)
decoders as transformers builds them (RMSNorm, RoPE with llama3 scaling for W4, grouped-query
attention through scaled_dot_product_attention as transformers' default "sdpa" path, SiLU MLP, tied
head, fp32 logits and cross-entropy), frozen base with N(0, 0.02) weights, LoRA r=16 (alpha 32) on
every linear layer as PEFT adds it, AdamW over the adapters only, 2 threads, batch 1.

Modes: fp32 (base held in float32, as from_pretrained(torch_dtype=float32)), autocast (fp32 base,
torch.autocast("cpu", bfloat16)), bf16 (base held in bfloat16, LoRA in fp32, autocast). --ckpt
recomputes each block in backward (torch.utils.checkpoint, as gradient_checkpointing_enable()).
Usage: peer_memory.py W3|W4|tiny|tiny-llama fp32|autocast|bf16 [--ckpt] [steps]"""
import contextlib
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint as checkpoint

torch.set_num_threads(2)
torch.manual_seed(0)
R, ALPHA = 16, 32

# layers, hidden, heads, kv heads, head dim, intermediate, vocab, rope theta, rms eps, llama3 rope, seq, steps
WORKLOADS = {
    "W3": (24, 896, 14, 2, 64, 4864, 151936, 1e6, 1e-6, False, 1024, 5),
    "W4": (16, 2048, 32, 8, 64, 8192, 128256, 5e5, 1e-5, True, 512, 3),
    "tiny": (2, 64, 4, 2, 16, 128, 1024, 1e6, 1e-6, False, 64, 2),
    "tiny-llama": (2, 64, 4, 2, 16, 128, 1024, 5e5, 1e-5, True, 64, 2),
}


class LoraLinear(nn.Module):
    def __init__(self, fin, fout, dtype, bias=False):
        super().__init__()
        self.weight = nn.Parameter((torch.randn(fout, fin) * 0.02).to(dtype), requires_grad=False)
        self.bias = nn.Parameter((torch.randn(fout) * 0.02).to(dtype), requires_grad=False) if bias else None
        # PEFT: A Kaiming-uniform, B zero, scaling alpha / r, adapters in float32
        self.lora_a = nn.Parameter(torch.empty(R, fin).uniform_(-1 / math.sqrt(fin), 1 / math.sqrt(fin)))
        self.lora_b = nn.Parameter(torch.zeros(fout, R))

    def forward(self, x):
        return F.linear(x, self.weight, self.bias) + F.linear(F.linear(x, self.lora_a), self.lora_b) * (ALPHA / R)


class RmsNorm(nn.Module):
    def __init__(self, h, eps, dtype):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(h, dtype=dtype), requires_grad=False)
        self.eps = eps

    def forward(self, x):
        x32 = x.float()  # transformers' LlamaRMSNorm computes in float32
        return self.weight * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype)


def rope_tables(head_dim, theta, llama3, seq):
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2).float() / head_dim))
    if llama3:  # rope_type "llama3": factor 32, low 1, high 4, original 8192
        factor, low, high, old = 32.0, 1.0, 4.0, 8192
        wavelen = 2 * math.pi / inv
        smooth = (old / wavelen - low) / (high - low)
        scaled = torch.where(wavelen > old / low, inv / factor, inv)
        mid = (1 - smooth) * scaled / factor + smooth * scaled
        is_mid = (wavelen <= old / low) & (wavelen >= old / high)
        inv = torch.where(is_mid, mid, scaled)
    f = torch.outer(torch.arange(seq).float(), inv)
    e = torch.cat([f, f], dim=-1)
    return e.cos(), e.sin()


class Block(nn.Module):
    def __init__(self, c, dtype):
        super().__init__()
        layers, h, heads, kv, hd, inter, vocab, theta, eps, llama3, seq, _ = c
        qkv_bias = not llama3  # Qwen2 has q/k/v biases, Llama none
        self.heads, self.kv, self.hd = heads, kv, hd
        self.n1, self.n2 = RmsNorm(h, eps, dtype), RmsNorm(h, eps, dtype)
        self.q = LoraLinear(h, heads * hd, dtype, qkv_bias)
        self.k = LoraLinear(h, kv * hd, dtype, qkv_bias)
        self.v = LoraLinear(h, kv * hd, dtype, qkv_bias)
        self.o = LoraLinear(heads * hd, h, dtype)
        self.gate, self.up = LoraLinear(h, inter, dtype), LoraLinear(h, inter, dtype)
        self.down = LoraLinear(inter, h, dtype)

    def rope(self, x, cos, sin):
        half = self.hd // 2
        x1, x2 = x[..., :half], x[..., half:]
        return x * cos.to(x.dtype) + torch.cat([-x2, x1], dim=-1) * sin.to(x.dtype)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        a = self.n1(x)
        q = self.rope(self.q(a).view(b, t, self.heads, self.hd).transpose(1, 2), cos, sin)
        k = self.rope(self.k(a).view(b, t, self.kv, self.hd).transpose(1, 2), cos, sin)
        v = self.v(a).view(b, t, self.kv, self.hd).transpose(1, 2)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        x = x + self.o(att.transpose(1, 2).reshape(b, t, -1))
        m = self.n2(x)
        return x + self.down(F.silu(self.gate(m)) * self.up(m))


class Model(nn.Module):
    def __init__(self, c, dtype, ckpt):
        super().__init__()
        layers, h, heads, kv, hd, inter, vocab, theta, eps, llama3, seq, _ = c
        self.emb = nn.Parameter((torch.randn(vocab, h) * 0.02).to(dtype), requires_grad=False)  # tied head
        self.blocks = nn.ModuleList([Block(c, dtype) for _ in range(layers)])
        self.norm = RmsNorm(h, eps, dtype)
        self.cos, self.sin = rope_tables(hd, theta, llama3, seq)
        self.ckpt = ckpt

    def forward(self, ids):
        x = self.emb[ids]
        if self.ckpt:
            x.requires_grad_(True)  # as transformers' enable_input_require_grads() for PEFT
        for blk in self.blocks:
            if self.ckpt:
                x = checkpoint.checkpoint(blk, x, self.cos, self.sin, use_reentrant=False)
            else:
                x = blk(x, self.cos, self.sin)
        return (self.norm(x) @ self.emb.t()).float()  # transformers upcasts the logits to float32


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    ckpt = "--ckpt" in sys.argv
    w, mode = args[0], args[1]
    c = WORKLOADS[w]
    steps = int(args[2]) if len(args) > 2 else c[-1]
    seq, vocab = c[10], c[6]
    if mode not in ("fp32", "autocast", "bf16"):
        sys.exit(f"Unknown mode '{mode}'; choose fp32, autocast or bf16.")
    t0 = time.perf_counter()
    model = Model(c, torch.bfloat16 if mode == "bf16" else torch.float32, ckpt)
    load = time.perf_counter() - t0
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    cast = torch.autocast("cpu", dtype=torch.bfloat16) if mode != "fp32" else contextlib.nullcontext()
    gen = torch.Generator().manual_seed(99)
    timed, tokens = 0.0, 0
    for s in range(1, steps + 1):
        start = time.perf_counter()
        ids = torch.randint(0, vocab, (1, seq), generator=gen)
        with cast:
            logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        took = time.perf_counter() - start
        if s > 1 or steps == 1:
            timed += took
            tokens += seq
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  step {s}  loss {loss.item():.4f}  {took:.1f} s  peak rss {rss:.0f} MiB", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = mode + ("+ckpt" if ckpt else "+plain")
    print(f"RESULT workload={w} impl=pytorch mode={label} tokens_per_s={tokens / timed:.1f} peak_rss_mib={peak:.0f} "
          f"build_s={load:.1f} steps={steps} torch={torch.__version__} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
