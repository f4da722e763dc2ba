"""The toy base model: a tiny VLM pretrained to behave like an instruct VLM before RL."""
