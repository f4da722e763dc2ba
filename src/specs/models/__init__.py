"""Model building and loading: tiny offline Qwen-family models and real checkpoints through one loader."""
