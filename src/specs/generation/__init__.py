"""Batched sampling from HF models (eval, distill, RBF), with the prompt formatting TRL uses in training."""
