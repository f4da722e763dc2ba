"""The canonical dataset format: JSONL records with images stored beside the file."""

from specs.data.jsonl import read_jsonl, write_jsonl_atomic
from specs.data.records import Example, load_examples, parse_example
from specs.errors import DataError

__all__ = ["DataError", "Example", "load_examples", "parse_example", "read_jsonl", "write_jsonl_atomic"]
