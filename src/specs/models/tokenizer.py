"""A Qwen-style byte-level BPE tokenizer trained locally, so tiny models need nothing from a hub."""

from __future__ import annotations

import json
from collections.abc import Iterable

# The Qwen2/2.5/3-VL special tokens, in their real order (ids follow the learned vocabulary).
QWEN_SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
)


def train_qwen_tokenizer(corpus: Iterable[str], vocab_size: int = 512):
    """Train a byte-level BPE with Qwen2's pre-tokenizer on ``corpus`` and wrap it as ``Qwen2Tokenizer``.

    Special tokens come first in the vocabulary; ``<think>``/``<answer>`` are *not* special, as in real Qwen
    checkpoints, so corrupted-format responses tokenize the way they would on a real model.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer
    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    bpe = Tokenizer(models.BPE())
    bpe.normalizer = normalizers.NFC()
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(QWEN_SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(corpus, trainer=trainer)
    vocab = bpe.get_vocab(with_added_tokens=True)
    merges = [tuple(m) for m in json.loads(bpe.to_str())["model"]["merges"]]
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, errors="replace")
    tokenizer.add_special_tokens({"additional_special_tokens": list(QWEN_SPECIAL_TOKENS[1:])})
    tokenizer.eos_token = "<|im_end|>"  # chat models stop at the end of their turn, as Qwen-Instruct does
    tokenizer.pad_token = "<|endoftext|>"
    return tokenizer
