"""Finished chunks of samples survive a crash: a rerun reads them instead of sampling again."""

from specs.data.prompt import load_prompt
from specs.data.records import load_examples
from specs.generation.hf import SamplingConfig
from specs.generation.sample_cache import samples_cache
from specs.generation.sampler import Sampler

TOY = load_prompt("toy")


def test_chunks_are_written_reused_and_discarded_when_stale(toy_base, toy_world, tmp_path, monkeypatch):
    from specs.generation import sampler as sampler_module

    monkeypatch.setattr(sampler_module, "CHUNK_PROMPTS", 2)  # three chunks of two prompts
    examples = load_examples(toy_world["id-test"])[:6]
    sampling = SamplingConfig(n=2, temperature=1.0, max_new_tokens=8, batch_size=2, seed=3)
    cache = samples_cache(tmp_path / "eval.json")
    with Sampler(toy_base, TOY) as sampler:
        first = sampler.sample(examples, sampling, cache=cache)
    assert sorted(p.name for p in cache.glob("chunk-*.jsonl")) == ["chunk-00000.jsonl", "chunk-00001.jsonl",
                                                                  "chunk-00002.jsonl"]
    (cache / "chunk-00001.jsonl").write_text('{"id": "torn')  # a chunk cut short by a kill is sampled again
    with Sampler(toy_base, TOY) as sampler:
        again = sampler.sample(examples, sampling, cache=cache)
    assert [[s.text for s in r] for r in again] == [[s.text for s in r] for r in first]

    reader = Sampler(toy_base, TOY)
    assert [[s.text for s in r] for r in reader.sample(examples, sampling, cache=cache)] == \
        [[s.text for s in r] for r in first]
    assert reader.model is None, "everything came from the cache: the model was never loaded"

    hotter = sampling.model_copy(update={"temperature": 0.5})
    with Sampler(toy_base, TOY) as sampler:
        sampler.sample(examples[:2], hotter, cache=cache)
    assert sorted(p.name for p in cache.glob("chunk-*.jsonl")) == ["chunk-00000.jsonl"]  # the stale cache went
