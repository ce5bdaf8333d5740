#!/usr/bin/env python3
"""Generates reference fixture cases (Hugging Face transformers + PEFT) for the Java parity test.

Usage:  python make_cases.py OUT_DIR [CASE ...]

Writes one folder per case under OUT_DIR, in the format of shared/reference (see that README):
config.json, generation_config.json, model.safetensors, tokenizer.json, adapter-init/,
adapter-trained/, golden.json, golden.safetensors. Every case is then reloaded from disk and
checked (see verify()). Everything is float32 on CPU with fixed seeds; the tokenizer is a tiny
byte-level BPE trained here on text written in this file, so nothing is downloaded or copied.
"""

import hashlib
import json
import math
import os
import random
import shutil
import sys

# Python's set order (PEFT keeps target_modules in a set) depends on the hash seed: fix it so
# that adapter_config.json is byte-for-byte the same on every run.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import torch  # noqa: E402
import tokenizers  # noqa: E402
import transformers  # noqa: E402
import peft  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402
from transformers.optimization import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup  # noqa: E402
from peft import LoraConfig, PeftModel, get_peft_model  # noqa: E402

transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
torch.use_deterministic_algorithms(True)

VOCAB = 384
BATCH, SEQ, STEPS = 2, 24, 5
LR = 1e-2
LORA_R, LORA_ALPHA = 4, 8
ATTN_MLP_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
PHI3_TARGETS = ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]
LOSS_TEXT = ("mean token cross-entropy over labels != -100 of the whole batch, "
             "after shifting labels left by one")
PROBES = [
    "Hello, world!",
    "  leading spaces and\ttabs\nnewlines",
    "na\u00efve caf\u00e9 \u2014 \u6570\u636e \u2713 \U0001F917",
    "def f(x):\n    return x ** 2",
    "",
    "a" * 50,
    "The quick brown fox jumps over the lazy dog.",
]

# Text written for these fixtures (no third-party text): the tokenizer is trained on it and the
# training/eval batches are windows of its token ids.
CORPUS = [
    """The lighthouse on the northern cape was built of grey stone, and for most of the year the
keeper lived there alone. Each evening she climbed the one hundred and twelve steps, trimmed the
wick, wound the clockwork that turned the lens, and wrote the weather into a thick green ledger.
Wind from the west, three knots. Light rain after dark. A fishing boat passed at nine.""",
    """In winter the supply boat came only twice a month, so the keeper learned to bake her own
bread. She kept a jar of starter on the warm shelf above the stove and fed it flour and water
every morning. The loaves were dense and sour at first, then lighter as the weeks went on, until
the smell of baking filled the tower and drifted down the stairs to the storeroom.""",
    """A small notebook of rules hung from a nail beside the door:

    1. Check the oil before sunset.
    2. Clean the glass of salt and soot.
    3. Never leave the lamp while the lens is turning.
    4. Record every ship, every storm, every change of wind.

The rules were older than the keeper, and older than the keeper before her.""",
    """When the storm of the autumn equinox arrived, the sea rose higher than anyone in the village
could remember. Waves broke over the breakwater and threw spray against the lantern room. The
keeper stayed awake through the night, counting the seconds between flashes, and in the morning
she found a wooden crate on the rocks, full of oranges, not one of them bruised.""",
    """The village school sent letters with the supply boat. The children asked how tall the tower
was, whether she was ever lonely, and what she ate for breakfast. She answered each letter in
careful handwriting: thirty-one metres; sometimes, but the gulls are good company; porridge with
honey, and on Sundays an orange from the crate that the storm gave her.""",
    """Her nephew, who worked with computers in the city, sent her a small program to keep the
ledger. It printed the week in neat columns:

    def summary(days):
        total = 0
        for day in days:
            total += day["rain_mm"]
        return {"days": len(days), "rain_mm": total}

She preferred the green book, but she ran the program on Sundays to please him.""",
    """Spring came slowly. The snow on the hills turned brown and then green, the seals returned to
the flat rocks below the cliff, and the evenings grew long enough that the lamp was lit after
supper instead of before it. The keeper painted the railings white, oiled the hinges of every
door, and planted beans and potatoes in the sheltered garden behind the wall.""",
    """On the longest day of the year the inspector arrived to check the station. He measured the
oil, tested the clockwork, read the ledger from the first page to the last, and found nothing to
correct. Before he left he asked whether she would stay another year. She looked out at the
water, silver under a high white sky, and said that she would stay as long as the light needed her.""",
]

# --------------------------------------------------------------------------------------------
# Cases. "config" is what is passed to the config class (and recorded in golden.json);
# "train" may add weight_decay, max_grad_norm and a warmup schedule.
# --------------------------------------------------------------------------------------------

# Ablations: config changes (applied to the saved config.json) that switch off what a case is
# about; each must move the base logits far beyond the tolerance (see ablate()).
DEFAULT_ROPE = {"rope_type": "default", "rope_theta": 10000.0}


def drop(d, *keys):
    for k in keys:
        d.pop(k)


COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
              num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6,
              bos_token_id=0, eos_token_id=0, pad_token_id=None)

CASES = {
    "llama-yarn-tiny": dict(
        model_type="llama", arch="llama-yarn", seed=101, targets=ATTN_MLP_TARGETS,
        config=dict(COMMON, max_position_embeddings=32, tie_word_embeddings=False,
                    attention_bias=False, mlp_bias=False, hidden_act="silu",
                    rope_parameters=dict(rope_type="yarn", rope_theta=10000.0, factor=4.0,
                                         original_max_position_embeddings=8)),
        ablations={"rope_type default": lambda c: c.update(rope_parameters=DEFAULT_ROPE)},
        train=dict(max_grad_norm=0.25)),
    "llama-yarn-mscale-tiny": dict(
        model_type="llama", arch="llama-yarn", seed=102, targets=ATTN_MLP_TARGETS,
        config=dict(COMMON, max_position_embeddings=32, tie_word_embeddings=True,
                    attention_bias=False, mlp_bias=False, hidden_act="silu",
                    rope_parameters=dict(rope_type="yarn", rope_theta=500.0, factor=4.0,
                                         original_max_position_embeddings=8, mscale=1.0,
                                         mscale_all_dim=0.5, beta_fast=4.0, beta_slow=0.25,
                                         truncate=False)),
        ablations={
            "no mscale/mscale_all_dim": lambda c: drop(c["rope_parameters"], "mscale", "mscale_all_dim"),
            "default beta_fast/beta_slow": lambda c: drop(c["rope_parameters"], "beta_fast", "beta_slow"),
            "truncate true": lambda c: c["rope_parameters"].update(truncate=True)},
        train=dict(weight_decay=0.1)),
    "llama-dynamic-tiny": dict(
        model_type="llama", arch="llama-dynamic", seed=103, targets=ATTN_MLP_TARGETS,
        config=dict(COMMON, max_position_embeddings=16, tie_word_embeddings=False,
                    attention_bias=False, mlp_bias=False, hidden_act="silu",
                    rope_parameters=dict(rope_type="dynamic", rope_theta=10000.0, factor=2.0)),
        ablations={"rope_type default": lambda c: c.update(rope_parameters=DEFAULT_ROPE)},
        train=dict()),
    "llama-linear-tiny": dict(
        model_type="llama", arch="llama-linear", seed=104, targets=ATTN_MLP_TARGETS,
        config=dict(COMMON, max_position_embeddings=64, tie_word_embeddings=False,
                    attention_bias=True, mlp_bias=True, hidden_act="silu",
                    rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0)),
        ablations={"rope_type default": lambda c: c.update(rope_parameters=DEFAULT_ROPE),
                   "biases zero": "zero_bias"},
        train=dict()),
    "phi3-longrope-tiny": dict(
        model_type="phi3", arch="phi3-longrope", seed=105, targets=PHI3_TARGETS,
        # Phi3Config keeps a top-level original_max_position_embeddings (default 4096) that wins
        # over the one inside rope_parameters, so both are given.
        config=dict(COMMON, max_position_embeddings=64, original_max_position_embeddings=16,
                    tie_word_embeddings=False, resid_pdrop=0.0, embd_pdrop=0.0,
                    attention_dropout=0.0, hidden_act="silu",
                    rope_parameters=dict(rope_type="longrope", rope_theta=10000.0,
                                         partial_rotary_factor=0.5,
                                         original_max_position_embeddings=16,
                                         short_factor=[1.0, 1.1, 1.3, 1.6],
                                         long_factor=[1.0, 1.9, 3.7, 6.5])),
        ablations={"short factors": lambda c: c["rope_parameters"].update(
                       long_factor=c["rope_parameters"]["short_factor"]),
                   "attention_factor 1": lambda c: c["rope_parameters"].update(attention_factor=1.0)},
        train=dict(schedule="cosine", warmup_steps=2)),
    "gemma3-scaled-tiny": dict(
        model_type="gemma3_text", arch="gemma3_text", seed=106, targets=ATTN_MLP_TARGETS,
        logit_gain=40.0,  # logits of std ~6, so that the soft cap of 30 bends them
        config=dict(COMMON, num_hidden_layers=4, head_dim=16, max_position_embeddings=256,
                    sliding_window=6, sliding_window_pattern=3, query_pre_attn_scalar=24,
                    final_logit_softcapping=30.0, tie_word_embeddings=True,
                    hidden_activation="gelu_pytorch_tanh",
                    rope_parameters=dict(
                        full_attention=dict(rope_type="linear", rope_theta=1000000.0, factor=8.0),
                        sliding_attention=dict(rope_type="default", rope_theta=10000.0))),
        ablations={"full rope default": lambda c: c["rope_parameters"].update(
                       full_attention={"rope_type": "default", "rope_theta": 1000000.0}),
                   "no sliding window": lambda c: c.update(sliding_window=SEQ),
                   "no final softcap": lambda c: c.update(final_logit_softcapping=None),
                   "query_pre_attn_scalar = head_dim": lambda c: c.update(query_pre_attn_scalar=16)},
        train=dict(weight_decay=0.1, max_grad_norm=50.0)),
    "mistral-sliding-tiny": dict(
        model_type="mistral", arch="mistral", seed=107, targets=ATTN_MLP_TARGETS,
        config=dict(COMMON, max_position_embeddings=256, sliding_window=8,
                    tie_word_embeddings=False, hidden_act="silu",
                    rope_parameters=dict(rope_type="default", rope_theta=10000.0)),
        ablations={"no sliding window": lambda c: c.update(sliding_window=None)},
        train=dict(weight_decay=0.1, max_grad_norm=0.58)),
    "smollm2-tiny": dict(
        # SmolLM2 is a Llama: tied head, GQA, rope_theta 1e5, rms_norm_eps 1e-5, no biases.
        model_type="llama", arch="llama", seed=108, targets=ATTN_MLP_TARGETS,
        config=dict(COMMON, intermediate_size=160, num_key_value_heads=1, rms_norm_eps=1e-5,
                    max_position_embeddings=8192, tie_word_embeddings=True,
                    attention_bias=False, mlp_bias=False, hidden_act="silu",
                    rope_parameters=dict(rope_type="default", rope_theta=100000.0)),
        ablations={"rope_theta 1e4": lambda c: c["rope_parameters"].update(rope_theta=10000.0)},
        train=dict(schedule="linear", warmup_steps=1)),
    "qwen2-bias-tiny": dict(
        model_type="qwen2", arch="qwen2", seed=109, targets=ATTN_MLP_TARGETS,
        config=dict(COMMON, max_position_embeddings=256, tie_word_embeddings=True,
                    use_sliding_window=False, hidden_act="silu",
                    rope_parameters=dict(rope_type="default", rope_theta=1000000.0)),
        ablations={"biases zero": "zero_bias"},
        train=dict()),
}


# --------------------------------------------------------------------------------------------
# Tokenizer and data
# --------------------------------------------------------------------------------------------

def build_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, min_frequency=2, show_progress=False,
                                  special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer=trainer)
    if tok.get_vocab_size() != VOCAB:
        raise SystemExit(f"tokenizer has {tok.get_vocab_size()} entries, expected {VOCAB}")
    return tok


def make_batches(tok):
    """input_ids/labels per step and for eval: windows of SEQ ids of the corpus; labels mask a
    prompt prefix of 3 + s + 2·row positions with -100 (eval: 3 + 2·row)."""
    ids = tok.encode("\n\n".join(CORPUS), add_special_tokens=False).ids
    eval_region = len(ids) * 4 // 5  # the last fifth of the text is only used for eval
    rng = random.Random(20240601)
    # Non-overlapping windows: a random slot of SEQ ids each, shifted by a random offset < SEQ/2.
    train_slots = list(range(0, eval_region - SEQ - SEQ // 2, SEQ))
    eval_slots = list(range(eval_region, len(ids) - SEQ - SEQ // 2, SEQ))
    rng.shuffle(train_slots)
    rng.shuffle(eval_slots)
    if len(train_slots) < STEPS * BATCH or len(eval_slots) < BATCH:
        raise SystemExit("the corpus is too short for the batches")
    batches = {}
    for s in list(range(STEPS)) + ["eval"]:
        rows, labs = [], []
        for b in range(BATCH):
            if s == "eval":
                start = eval_slots.pop() + rng.randrange(SEQ // 2)
                masked = 3 + 2 * b
            else:
                start = train_slots.pop() + rng.randrange(SEQ // 2)
                masked = 3 + s + 2 * b
            row = ids[start:start + SEQ]
            rows.append(row)
            labs.append([-100] * masked + row[masked:])
        batches[s] = (torch.tensor(rows, dtype=torch.int64), torch.tensor(labs, dtype=torch.int64))
    return batches


# --------------------------------------------------------------------------------------------
# Model, training, golden values
# --------------------------------------------------------------------------------------------

def make_config(case):
    cls = type(AutoConfig.for_model(case["model_type"]))
    return cls(**json.loads(json.dumps(case["config"])))  # a deep copy: config classes edit dicts


QK_GAIN = 6.0


def perturb_(model, seed, logit_gain=1.0):
    """Norm weights (1 or Gemma's 0 at init) and biases (0 at init) get small random values, so
    that a reader that ignores or misapplies them fails; the query and key projections are scaled
    by QK_GAIN (std 0.02 -> 0.12) so that attention is far from uniform and positions (RoPE
    variants, sliding windows) change the logits well beyond the parity tolerance."""
    cfg = model.config
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    qk_rows = (cfg.num_attention_heads + cfg.num_key_value_heads) * head_dim
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.add_(0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
            elif name.endswith(("q_proj.weight", "k_proj.weight")):
                p.mul_(QK_GAIN)
            elif name.endswith("qkv_proj.weight"):
                p[:qk_rows].mul_(QK_GAIN)
        if logit_gain != 1.0:
            # Scales the final norm so that logits reach the soft cap's range (Gemma's norm
            # multiplies by 1 + w).
            w = model.model.norm.weight
            offset = 1.0 if cfg.model_type.startswith("gemma") else 0.0
            w.copy_(logit_gain * (w + offset) - offset)


def lr_schedule(train):
    """Learning rate per step (lrs) as transformers' schedulers give it for the case's settings."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([p], lr=LR)
    kind = train.get("schedule", "constant")
    if kind == "cosine":
        sched = get_cosine_schedule_with_warmup(opt, train["warmup_steps"], STEPS)
    elif kind == "linear":
        sched = get_linear_schedule_with_warmup(opt, train["warmup_steps"], STEPS)
    else:
        return [LR] * STEPS
    lrs = []
    for _ in range(STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def forward(model, batch):
    ids, labels = batch
    out = model(input_ids=ids, labels=labels)
    return out.logits, out.loss


def make_case(name, case, tok, batches, out_root):
    d = os.path.join(out_root, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    seed = case["seed"]

    # Base checkpoint: random init with a fixed seed, saved as save_pretrained writes it.
    torch.manual_seed(seed)
    built = AutoModelForCausalLM.from_config(make_config(case), dtype=torch.float32)
    perturb_(built, seed + 1000, case.get("logit_gain", 1.0))
    built.config.use_cache = False  # config.json says false; generation_config.json keeps true
    built.save_pretrained(d)
    tok.save(os.path.join(d, "tokenizer.json"))

    # Golden values come from the checkpoint as reloaded from disk (what a reader of config.json
    # sees); the in-memory model must agree with it.
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32)
    model.eval()
    built.eval()
    with torch.no_grad():
        base_logits, base_loss = forward(model, batches[0])
        built_logits, _ = forward(built, batches[0])
    reload_diff = (base_logits - built_logits).abs().max().item()
    if reload_diff > 1e-5:
        raise SystemExit(f"{name}: the reloaded checkpoint differs from the built model by {reload_diff}")
    del built

    train = dict(batch=BATCH, seq=SEQ, steps=STEPS, lr=LR, weight_decay=0.0)
    train.update(case["train"])
    lrs = lr_schedule(train)

    # The adapter configs name no base model (no local path in the fixtures), as in shared/.
    model.config._name_or_path = ""
    model.__dict__["name_or_path"] = ""
    torch.manual_seed(seed + 1)
    lcfg = LoraConfig(r=LORA_R, lora_alpha=LORA_ALPHA, lora_dropout=0.0, bias="none",
                      target_modules=list(case["targets"]), task_type="CAUSAL_LM")
    pm = get_peft_model(model, lcfg)
    pm.save_pretrained(os.path.join(d, "adapter-init"))
    named = [(n, p) for n, p in pm.named_parameters() if p.requires_grad]
    params = [p for _, p in named]
    opt = torch.optim.AdamW(params, lr=LR, betas=(0.9, 0.999), eps=1e-8,
                            weight_decay=train["weight_decay"])

    tensors = {"input_ids_0": batches[0][0], "labels_0": batches[0][1],
               "base_logits_0": base_logits.detach().contiguous()}
    losses, norms = [], []
    pm.train()
    for s in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = lrs[s]
        opt.zero_grad(set_to_none=True)
        _, loss = forward(pm, batches[s])
        loss.backward()
        if s == 1:
            for n, p in named:
                tensors[f"grad_step1/{n}"] = p.grad.detach().clone()
        if train.get("max_grad_norm"):
            norm = torch.nn.utils.clip_grad_norm_(params, train["max_grad_norm"])
        else:
            norm = torch.nn.utils.get_total_norm([p.grad for p in params])
        losses.append(loss.item())
        norms.append(norm.item())
        opt.step()
        tensors[f"input_ids_step{s}"] = batches[s][0]
        tensors[f"labels_step{s}"] = batches[s][1]
    pm.save_pretrained(os.path.join(d, "adapter-trained"))

    pm.eval()
    with torch.no_grad():
        adapted_logits, adapted_loss = forward(pm, batches["eval"])
        merged = pm.merge_and_unload()
        merged_logits, merged_loss = forward(merged, batches["eval"])
    tensors.update({"input_ids_eval": batches["eval"][0], "labels_eval": batches["eval"][1],
                    "adapted_logits_eval": adapted_logits.contiguous(),
                    "merged_logits_eval": merged_logits.contiguous()})
    save_file({k: v.detach().clone().contiguous() for k, v in tensors.items()}, os.path.join(d, "golden.safetensors"))

    golden = {
        "base_loss_0": base_loss.item(),
        "adapted_loss_eval": adapted_loss.item(),
        "merged_loss_eval": merged_loss.item(),
        "arch": case["arch"],
        "config": {k: v for k, v in case["config"].items()
                   if k not in ("vocab_size", "bos_token_id", "eos_token_id", "pad_token_id")},
        "lora": {"r": LORA_R, "lora_alpha": LORA_ALPHA, "target_modules": list(case["targets"])},
        "train": train,
        "losses": losses,
        "lrs": lrs,
        "grad_norms_before_clip": norms,
        "trainable_param_names": [n for n, _ in named],
        "tokenizer_probes": {t: tok.encode(t, add_special_tokens=False).ids for t in PROBES},
        "loss": LOSS_TEXT,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__, "tokenizers": tokenizers.__version__},
    }
    with open(os.path.join(d, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
    for root, _, files in os.walk(d):
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)  # safetensors writes 0600
    return d


# --------------------------------------------------------------------------------------------
# Verification: everything reloaded from disk by a fresh transformers + PEFT
# --------------------------------------------------------------------------------------------

def rel(a, b):
    return ((a - b).norm() / b.norm().clamp_min(1e-30)).item()


def verify(d):
    g = json.load(open(os.path.join(d, "golden.json"), encoding="utf-8"))
    t = load_file(os.path.join(d, "golden.safetensors"))
    worst = {}

    def check(what, value, limit):
        worst[what] = max(worst.get(what, 0.0), value)
        if not value <= limit:
            raise SystemExit(f"{d}: {what} off by {value} (limit {limit})")

    tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    for text, ids in g["tokenizer_probes"].items():
        if tok.encode(text, add_special_tokens=False).ids != ids:
            raise SystemExit(f"{d}: tokenizer probe {text!r} differs")

    base = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
    with torch.no_grad():
        logits, loss = forward(base, (t["input_ids_0"], t["labels_0"]))
    check("base logits", rel(logits, t["base_logits_0"]), 1e-6)
    check("base loss", abs(loss.item() - g["base_loss_0"]) / abs(g["base_loss_0"]), 1e-6)

    # The trained adapter, applied to the base, reproduces the adapted and merged eval logits.
    pm = PeftModel.from_pretrained(base, os.path.join(d, "adapter-trained")).eval()
    ev = (t["input_ids_eval"], t["labels_eval"])
    with torch.no_grad():
        logits, loss = forward(pm, ev)
        check("adapted logits", rel(logits, t["adapted_logits_eval"]), 1e-6)
        check("adapted loss", abs(loss.item() - g["adapted_loss_eval"]) / g["adapted_loss_eval"], 1e-6)
        merged = pm.merge_and_unload()
        logits, loss = forward(merged, ev)
        check("merged logits", rel(logits, t["merged_logits_eval"]), 1e-5)
        check("merged loss", abs(loss.item() - g["merged_loss_eval"]) / g["merged_loss_eval"], 1e-5)

    # Re-training from adapter-init with the recorded batches and lrs reproduces every step.
    base = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32)
    pm = PeftModel.from_pretrained(base, os.path.join(d, "adapter-init"), is_trainable=True)
    named = [(n, p) for n, p in pm.named_parameters() if p.requires_grad]
    if [n for n, _ in named] != g["trainable_param_names"]:
        raise SystemExit(f"{d}: trainable parameter names differ")
    params = [p for _, p in named]
    tr = g["train"]
    opt = torch.optim.AdamW(params, lr=tr["lr"], betas=(0.9, 0.999), eps=1e-8,
                            weight_decay=tr["weight_decay"])
    pm.train()
    for s in range(tr["steps"]):
        for group in opt.param_groups:
            group["lr"] = g["lrs"][s]
        opt.zero_grad(set_to_none=True)
        _, loss = forward(pm, (t[f"input_ids_step{s}"], t[f"labels_step{s}"]))
        loss.backward()
        check("losses", abs(loss.item() - g["losses"][s]) / g["losses"][s], 1e-5)
        if s == 1:
            for n, p in named:
                check("grad_step1", rel(p.grad, t[f"grad_step1/{n}"]), 1e-4)
        norm = torch.nn.utils.get_total_norm([p.grad for p in params]).item()
        check("grad norms", abs(norm - g["grad_norms_before_clip"][s]) / g["grad_norms_before_clip"][s], 1e-4)
        if tr.get("max_grad_norm"):
            torch.nn.utils.clip_grad_norm_(params, tr["max_grad_norm"])
        opt.step()
    trained = load_file(os.path.join(d, "adapter-trained", "adapter_model.safetensors"))
    mine = {n.replace(".default", ""): p.detach() for n, p in named}
    if set(mine) != set(trained):
        raise SystemExit(f"{d}: adapter-trained keys differ from the trainable parameters")
    for k, v in trained.items():
        check("adapter-trained", rel(mine[k], v), 1e-4)
    init = load_file(os.path.join(d, "adapter-init", "adapter_model.safetensors"))
    if set(init) != set(trained):
        raise SystemExit(f"{d}: adapter-init and adapter-trained hold different tensors")
    return worst


def ablate(d, ablations):
    """How much the base logits of batch 0 move (relative L2) when one feature of the case is
    switched off: each must move them far beyond the 1e-4 tolerance, or the case tests nothing."""
    t = load_file(os.path.join(d, "golden.safetensors"))
    ref = t["base_logits_0"]
    out = {}
    for what, change in ablations.items():
        with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        if change == "zero_bias":
            model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32)
            with torch.no_grad():
                for n, p in model.named_parameters():
                    if n.endswith(".bias"):
                        p.zero_()
        else:
            change(cfg)
            config = AutoConfig.for_model(**cfg)
            model = AutoModelForCausalLM.from_pretrained(d, config=config, dtype=torch.float32)
        with torch.no_grad():
            logits, _ = forward(model.eval(), (t["input_ids_0"], t["labels_0"]))
        out[what] = rel(logits, ref)
        if out[what] < 1e-3:
            raise SystemExit(f"{d}: switching off '{what}' moves the logits only by {out[what]:.1e}")
    return out


def folder_size(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


def digest(d):
    h = hashlib.sha256()
    for r, _, fs in sorted(os.walk(d)):
        for f in sorted(fs):
            p = os.path.join(r, f)
            h.update(os.path.relpath(p, d).encode())
            h.update(open(p, "rb").read())
    return h.hexdigest()[:16]


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        print("cases:", ", ".join(CASES))
        return 0 if len(argv) >= 2 else 2
    out = os.path.abspath(argv[1])
    names = argv[2:] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; known: {list(CASES)}")
    os.makedirs(out, exist_ok=True)
    tok = build_tokenizer()
    batches = make_batches(tok)
    total = 0
    for name in names:
        d = make_case(name, CASES[name], tok, batches, out)
        worst = verify(d)
        moved = ablate(d, CASES[name].get("ablations", {}))
        size = folder_size(d)
        total += size
        g = json.load(open(os.path.join(d, "golden.json"), encoding="utf-8"))
        clipped = ""
        if g["train"].get("max_grad_norm"):
            n = sum(x > g["train"]["max_grad_norm"] for x in g["grad_norms_before_clip"])
            clipped = f", clipped at {n}/{STEPS} steps"
        print(f"{name}: {size / 1024:.0f} KiB, sha {digest(d)}, losses "
              f"{g['losses'][0]:.4f}->{g['losses'][-1]:.4f}, adapted eval {g['adapted_loss_eval']:.4f}"
              f"{clipped}; verified (worst rel: "
              + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()) + "); logits move when switching off: "
              + ", ".join(f"{k} {v:.1e}" for k, v in moved.items()), flush=True)
    print(f"total {total / 1024:.0f} KiB in {len(names)} case(s) under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
