#!/usr/bin/env python3
"""Regenerates the offline quickstart example: data, tokenizer and a tiny random Llama model.

Three stages, each deterministic (a rerun on the same inputs writes the same bytes):

  data       examples/data/debian-descriptions/{train,eval}.jsonl
             Debian package descriptions as prompt -> completion rows. Reads the package list
             from `apt-cache dumpavail` (name, section, short description, Description-md5) and
             the long descriptions from apt's Translation-en index files, joined on
             Description-md5 (checked against the text). Debian's Packages files carry only the
             short description; the long ones live in Translation-en, which Docker images of
             Debian usually do not download (Acquire::Languages "none"). To get them without
             changing the system's apt configuration or lists:

                 mkdir -p /tmp/apt-en/partial
                 apt-get update -o Dir::State::Lists=/tmp/apt-en -o Acquire::Languages=en \\
                     -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
                 python3 examples/make_examples.py --translations /tmp/apt-en

             The rows depend on the Debian archive state apt sees; see the data README for the
             state the committed files came from.
  tokenizer  examples/tokenizer/tokenizer.json
             A byte-level BPE (GPT-2 style) trained on train.jsonl (prompt + completion), in the
             Hugging Face tokenizers JSON format.
  model      examples/models/tiny-llama/
             config.json, model.safetensors (random N(0, 0.02) weights from a fixed seed, RMSNorm
             weights 1, tied embeddings, float32), generation_config.json and a copy of the
             tokenizer. 2 decoder layers by default, so the folder stays under 3 MB (--layers).

Only the Python 3 standard library is used. By default all three stages run; `--skip-data`
rebuilds the tokenizer and the model from the committed data files (no apt needed).
"""

import argparse
import array
import glob
import hashlib
import heapq
import json
import math
import os
import random
import re
import struct
import subprocess
import sys
import unicodedata
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data", "debian-descriptions")
TOKENIZER_DIR = os.path.join(HERE, "tokenizer")
MODEL_DIR = os.path.join(HERE, "models", "tiny-llama")

SEED = 42

# ---- data -------------------------------------------------------------------------------------

SAMPLE_ROWS = 7700          # rows drawn (seeded) from the eligible packages, sorted by name
EVAL_FRACTION = 0.03        # the first round(SAMPLE_ROWS * EVAL_FRACTION) drawn rows are eval
MAX_COMPLETION_CHARS = 400  # whole sentences of the first paragraph are kept while they fit
MIN_SHORT_CHARS = 10        # shorter short descriptions are skipped
MIN_PARAGRAPH_CHARS = 60    # shorter first paragraphs are skipped

# ---- tokenizer --------------------------------------------------------------------------------

VOCAB_SIZE = 2048           # 256 byte symbols + merges + <|endoftext|> (the last id)
END_OF_TEXT = "<|endoftext|>"

# ---- model ------------------------------------------------------------------------------------

MODEL = {
    "hidden_size": 128,
    "intermediate_size": 352,
    "num_hidden_layers": 2,   # 4 layers (--layers 4) would make model.safetensors 4.0 MB
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 32,
    "max_position_embeddings": 512,
}
INIT_STD = 0.02


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# =================================================================================================
# Data
# =================================================================================================

def parse_stanzas(text):
    """Debian control-file stanzas as lists of (field, value) with continuation lines kept."""
    for block in re.split(r"\n\s*\n", text):
        fields = []
        for line in block.split("\n"):
            if not line:
                continue
            if line[0] in " \t":
                if fields:
                    name, value = fields[-1]
                    fields[-1] = (name, value + "\n" + line)
                continue
            name, sep, value = line.partition(":")
            if sep:
                fields.append((name, value.strip()))
        if fields:
            yield dict(fields)


def read_packages(dumpavail_file):
    if dumpavail_file:
        with open(dumpavail_file, encoding="utf-8") as f:
            text = f.read()
    else:
        text = subprocess.run(["apt-cache", "dumpavail"], check=True, capture_output=True).stdout.decode("utf-8")
    packages = {}
    for st in parse_stanzas(text):
        name = st.get("Package")
        if not name or name in packages:
            continue
        packages[name] = st
    if not packages:
        sys.exit("apt-cache dumpavail printed no packages; run `apt-get update` first.")
    return packages


def translation_files(locations):
    files = []
    for loc in locations:
        if os.path.isdir(loc):
            files += glob.glob(os.path.join(loc, "*_i18n_Translation-en*"))
        elif os.path.isfile(loc):
            files.append(loc)
    return sorted(set(f for f in files if not f.endswith(".diff")))


def read_long_descriptions(locations):
    """Description-md5 -> full description text (short line + long lines), verified by md5."""
    files = translation_files(locations)
    if not files:
        sys.exit("No Translation-en index files found in " + ", ".join(locations) + ".\n"
                 "Debian's Packages files hold only short descriptions. Fetch the English\n"
                 "descriptions into a private directory (the system's apt lists stay as they are):\n"
                 "  mkdir -p /tmp/apt-en/partial\n"
                 "  apt-get update -o Dir::State::Lists=/tmp/apt-en -o Acquire::Languages=en \\\n"
                 "      -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=\n"
                 "and pass --translations /tmp/apt-en (or use --skip-data to keep the committed data).")
    descriptions = {}
    for path in files:
        # apt-helper decompresses whatever apt stored (lz4, gz, xz, plain).
        raw = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], check=True, capture_output=True).stdout
        for st in parse_stanzas(raw.decode("utf-8")):
            md5 = st.get("Description-md5")
            desc = st.get("Description-en")
            if md5 and desc and hashlib.md5((desc + "\n").encode("utf-8")).hexdigest() == md5:
                descriptions[md5] = desc
    log(f"data: {len(descriptions)} long descriptions from {len(files)} Translation-en file(s)")
    return descriptions


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")


def first_paragraph(desc):
    lines = desc.split("\n")[1:]
    para = []
    for line in lines:
        if line.strip() == ".":
            if para:
                break
            continue
        para.append(line.strip())
    return re.sub(r"\s+", " ", " ".join(para)).strip()


def make_completion(short, paragraph):
    head = " " + short + "\n"
    budget = MAX_COMPLETION_CHARS - len(head)
    if len(paragraph) <= budget:
        return head + paragraph
    kept = ""
    for sentence in SENTENCE_END.split(paragraph):
        candidate = sentence if not kept else kept + " " + sentence
        if len(candidate) > budget:
            break
        kept = candidate
    return head + kept if kept else None


def build_rows(packages, descriptions):
    rows = []
    seen = set()
    stats = Counter()
    for name in sorted(packages):
        st = packages[name]
        short = re.sub(r"\s+", " ", st.get("Description", "").split("\n")[0]).strip()
        section = st.get("Section", "").strip()
        desc = descriptions.get(st.get("Description-md5", ""))
        if desc is None:
            stats["no long description"] += 1
            continue
        if len(short) < MIN_SHORT_CHARS or not section:
            stats["short description too short / no section"] += 1
            continue
        paragraph = first_paragraph(desc)
        if len(paragraph) < MIN_PARAGRAPH_CHARS or paragraph.endswith(":"):
            stats["first paragraph too short or a list header"] += 1
            continue
        key = paragraph.lower()
        if key in seen:
            stats["duplicate first paragraph"] += 1
            continue
        completion = make_completion(short, paragraph)
        if completion is None:
            stats["first sentence too long"] += 1
            continue
        seen.add(key)
        rows.append({"prompt": f"Package: {name}\nSection: {section}\nDescription:", "completion": completion})
    log(f"data: {len(packages)} packages, {len(rows)} eligible; skipped: {dict(sorted(stats.items()))}")
    return rows


def jsonl(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def stage_data(args):
    packages = read_packages(args.dumpavail)
    descriptions = read_long_descriptions(args.translations)
    eligible = build_rows(packages, descriptions)
    if len(eligible) < SAMPLE_ROWS:
        sys.exit(f"only {len(eligible)} eligible packages, fewer than the {SAMPLE_ROWS} sampled")
    sample = random.Random(SEED).sample(eligible, SAMPLE_ROWS)
    n_eval = round(SAMPLE_ROWS * EVAL_FRACTION)
    os.makedirs(DATA_DIR, exist_ok=True)
    write(os.path.join(DATA_DIR, "eval.jsonl"), jsonl(sample[:n_eval]))
    write(os.path.join(DATA_DIR, "train.jsonl"), jsonl(sample[n_eval:]))
    log(f"data: {SAMPLE_ROWS - n_eval} train rows, {n_eval} eval rows")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# =================================================================================================
# Tokenizer: byte-level BPE as GPT-2
# =================================================================================================

def bytes_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable characters, in GPT-2's order."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) \
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [(b, chr(c)) for b, c in zip(bs, cs)]


def char_class(predicate):
    """A regex character class body listing every code point that satisfies predicate."""
    parts = []
    start = None
    for cp in range(0x110001):
        inside = cp <= 0x10FFFF and predicate(cp)
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            end = cp - 1
            parts.append(f"\\U{start:08x}" if start == end else f"\\U{start:08x}-\\U{end:08x}")
            start = None
    return "".join(parts)


def gpt2_pretokenizer():
    """GPT-2's split regex, with \\p{L}, \\p{N} and \\s spelled out as explicit character classes.

    Python's `re` has no \\p{..}; the classes are built from unicodedata's general categories
    (L* letters, N* numbers) and Unicode's White_Space property, which is what the Rust tokenizers
    library (Oniguruma) uses, so the split is the same up to Unicode-version differences.
    """
    letters = char_class(lambda cp: unicodedata.category(chr(cp)).startswith("L"))
    numbers = char_class(lambda cp: unicodedata.category(chr(cp)).startswith("N"))
    space = ("\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000")
    pattern = (rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{letters}]+| ?[{numbers}]+| ?[^{space}{letters}{numbers}]+"
               rf"|[{space}]+(?![^{space}])|[{space}]+")
    return re.compile(pattern)


class ByteLevelBpe:
    def __init__(self, vocab, merges):
        self.vocab = vocab                                   # token -> id
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.byte_map = dict(bytes_to_unicode())
        self.split = gpt2_pretokenizer()
        self.cache = {}

    def encode(self, text):
        ids = []
        for piece in self.split.findall(text):
            word = "".join(self.byte_map[b] for b in piece.encode("utf-8"))
            cached = self.cache.get(word)
            if cached is None:
                cached = self.cache[word] = [self.vocab[t] for t in self._bpe(word)]
            ids += cached
        return ids

    def _bpe(self, word):
        symbols = list(word)
        while len(symbols) > 1:
            best = min(range(len(symbols) - 1), key=lambda i: self.ranks.get((symbols[i], symbols[i + 1]), 1 << 30))
            pair = (symbols[best], symbols[best + 1])
            if pair not in self.ranks:
                break
            merged = []
            i = 0
            while i < len(symbols):
                if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == pair:
                    merged.append(pair[0] + pair[1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return symbols


def train_bpe(texts, vocab_size):
    """Classic BPE on pre-tokenized words: repeatedly merge the most frequent adjacent pair.

    Ties are broken by the smaller (left, right) pair of token strings, so the result depends only
    on the input text.
    """
    byte_map = bytes_to_unicode()
    tokens = [ch for _, ch in byte_map]                      # id -> token string; GPT-2's byte order
    token_id = {t: i for i, t in enumerate(tokens)}
    to_char = dict(byte_map)
    split = gpt2_pretokenizer()

    word_freq = Counter()
    for text in texts:
        for piece in split.findall(text):
            word_freq["".join(to_char[b] for b in piece.encode("utf-8"))] += 1
    words = []
    freqs = []
    for w in sorted(word_freq):
        words.append([token_id[c] for c in w])
        freqs.append(word_freq[w])
    log(f"tokenizer: {sum(freqs)} pre-tokenized words, {len(words)} distinct")

    pair_count = Counter()
    pair_words = {}
    for wi, (w, f) in enumerate(zip(words, freqs)):
        for pair in zip(w, w[1:]):
            pair_count[pair] += f
            pair_words.setdefault(pair, set()).add(wi)

    def entry(pair):
        return (-pair_count[pair], tokens[pair[0]], tokens[pair[1]], pair)

    heap = [entry(p) for p in pair_count]
    heapq.heapify(heap)
    merges = []
    n_merges = vocab_size - 256 - 1
    while len(merges) < n_merges and heap:
        neg, _, _, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg or -neg <= 0:
            continue                                         # stale entry
        if -neg < 2:
            break
        a, b = pair
        new_id = len(tokens)
        tokens.append(tokens[a] + tokens[b])
        merges.append((tokens[a], tokens[b]))
        changed = set()
        for wi in sorted(pair_words.pop(pair, ())):
            w = words[wi]
            f = freqs[wi]
            for p in zip(w, w[1:]):
                pair_count[p] -= f
                changed.add(p)
                s = pair_words.get(p)
                if s is not None:
                    s.discard(wi)
            merged = []
            i = 0
            while i < len(w):
                if i < len(w) - 1 and w[i] == a and w[i + 1] == b:
                    merged.append(new_id)
                    i += 2
                else:
                    merged.append(w[i])
                    i += 1
            words[wi] = merged
            for p in zip(merged, merged[1:]):
                pair_count[p] += f
                changed.add(p)
                pair_words.setdefault(p, set()).add(wi)
        pair_count.pop(pair, None)
        for p in sorted(changed):
            if p == pair:
                continue
            if pair_count.get(p, 0) > 0:
                heapq.heappush(heap, entry(p))
            else:
                pair_count.pop(p, None)
                pair_words.pop(p, None)
    if len(merges) < n_merges:
        log(f"tokenizer: only {len(merges)} merges had a count of 2 or more")
    tokens.append(END_OF_TEXT)
    return {t: i for i, t in enumerate(tokens)}, merges


def tokenizer_json(vocab, merges):
    eot = vocab[END_OF_TEXT]
    doc = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": eot, "content": END_OF_TEXT, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [f"{a} {b}" for a, b in merges],
        },
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def stage_tokenizer():
    rows = read_jsonl(os.path.join(DATA_DIR, "train.jsonl"))
    vocab, merges = train_bpe([r["prompt"] + r["completion"] for r in rows], VOCAB_SIZE)
    os.makedirs(TOKENIZER_DIR, exist_ok=True)
    write(os.path.join(TOKENIZER_DIR, "tokenizer.json"), tokenizer_json(vocab, merges))
    # Self-check with the same algorithm the Rust library runs: every row must round-trip.
    bpe = ByteLevelBpe(vocab, merges)
    inverse = {i: t for t, i in vocab.items()}
    from_char = {ch: b for b, ch in bytes_to_unicode()}
    counts = {}
    for split in ("train", "eval"):
        n = 0
        for r in read_jsonl(os.path.join(DATA_DIR, split + ".jsonl")):
            text = r["prompt"] + r["completion"]
            ids = bpe.encode(text)
            decoded = bytes(from_char[c] for i in ids for c in inverse[i]).decode("utf-8")
            if decoded != text:
                sys.exit(f"tokenizer self-check failed on {text!r}")
            n += len(ids)
        counts[split] = n
    log(f"tokenizer: vocab {len(vocab)}, {len(merges)} merges, {END_OF_TEXT} = {vocab[END_OF_TEXT]}; "
        f"tokens: train {counts['train']}, eval {counts['eval']}")
    return len(vocab), vocab[END_OF_TEXT]


# =================================================================================================
# Model: tiny random Llama
# =================================================================================================

def llama_tensors(vocab_size):
    h = MODEL["hidden_size"]
    inter = MODEL["intermediate_size"]
    q = MODEL["num_attention_heads"] * MODEL["head_dim"]
    kv = MODEL["num_key_value_heads"] * MODEL["head_dim"]
    shapes = {"model.embed_tokens.weight": [vocab_size, h], "model.norm.weight": [h]}
    for i in range(MODEL["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": [h],
            p + "self_attn.q_proj.weight": [q, h],
            p + "self_attn.k_proj.weight": [kv, h],
            p + "self_attn.v_proj.weight": [kv, h],
            p + "self_attn.o_proj.weight": [h, q],
            p + "post_attention_layernorm.weight": [h],
            p + "mlp.gate_proj.weight": [inter, h],
            p + "mlp.up_proj.weight": [inter, h],
            p + "mlp.down_proj.weight": [h, inter],
        })
    return shapes


def init_tensor(name, shape):
    n = 1
    for d in shape:
        n *= d
    if name.endswith("norm.weight"):
        values = array.array("f", [1.0]) * n
    else:
        # One generator per tensor, seeded from the global seed and the tensor name.
        seed = int.from_bytes(hashlib.sha256(f"{SEED}:{name}".encode()).digest()[:8], "little")
        rng = random.Random(seed)
        values = array.array("f", (rng.gauss(0.0, INIT_STD) for _ in range(n)))
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def safetensors_bytes(shapes):
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(shapes):
        data = init_tensor(name, shapes[name])
        header[name] = {"dtype": "F32", "shape": shapes[name], "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    return struct.pack("<Q", len(head)) + head + b"".join(blobs)


def stage_model(vocab_size, eot_id):
    config = {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": eot_id,
        "dtype": "float32",
        "eos_token_id": eot_id,
        "head_dim": MODEL["head_dim"],
        "hidden_act": "silu",
        "hidden_size": MODEL["hidden_size"],
        "initializer_range": INIT_STD,
        "intermediate_size": MODEL["intermediate_size"],
        "max_position_embeddings": MODEL["max_position_embeddings"],
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": MODEL["num_attention_heads"],
        "num_hidden_layers": MODEL["num_hidden_layers"],
        "num_key_value_heads": MODEL["num_key_value_heads"],
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-06,
        "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"},
        "tie_word_embeddings": True,
        "use_cache": True,
        "vocab_size": vocab_size,
    }
    os.makedirs(MODEL_DIR, exist_ok=True)
    write(os.path.join(MODEL_DIR, "config.json"), (json.dumps(config, indent=2, sort_keys=True) + "\n").encode())
    generation = {"bos_token_id": eot_id, "eos_token_id": eot_id}
    write(os.path.join(MODEL_DIR, "generation_config.json"), (json.dumps(generation, indent=2) + "\n").encode())
    shapes = llama_tensors(vocab_size)
    write(os.path.join(MODEL_DIR, "model.safetensors"), safetensors_bytes(shapes))
    with open(os.path.join(TOKENIZER_DIR, "tokenizer.json"), "rb") as f:
        write(os.path.join(MODEL_DIR, "tokenizer.json"), f.read())
    params = sum(math.prod(s) for s in shapes.values())
    log(f"model: {len(shapes)} tensors, {params} parameters")


# =================================================================================================

def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    log(f"wrote {os.path.relpath(path, os.path.dirname(HERE))} ({len(data)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--translations", action="append",
                    help="directory with apt's *_i18n_Translation-en* files, or such a file "
                         "(repeatable; default /var/lib/apt/lists)")
    ap.add_argument("--dumpavail", help="read this saved `apt-cache dumpavail` output instead of running it")
    ap.add_argument("--skip-data", action="store_true",
                    help="keep the committed data files; rebuild only the tokenizer and the model")
    ap.add_argument("--layers", type=int, default=MODEL["num_hidden_layers"],
                    help="decoder layers of the tiny model (default %(default)s; each adds 184,576 parameters, 0.74 MB)")
    args = ap.parse_args()
    MODEL["num_hidden_layers"] = args.layers
    args.translations = args.translations or ["/var/lib/apt/lists"]
    if not args.skip_data:
        stage_data(args)
    vocab_size, eot_id = stage_tokenizer()
    stage_model(vocab_size, eot_id)


if __name__ == "__main__":
    main()
