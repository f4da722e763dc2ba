"""specs.data.image: a truncated file is refused whatever another library told PIL (lmms-eval pads them)."""

import pytest
from PIL import Image, ImageFile

from specs.data.image import ImageProblem, open_image


@pytest.mark.parametrize("padded_elsewhere", [False, True])
def test_a_truncated_png_is_refused(tmp_path, monkeypatch, padded_elsewhere):
    whole = tmp_path / "whole.png"
    Image.effect_noise((64, 64), 40).convert("RGB").save(whole)
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", padded_elsewhere)  # `import lmms_eval` sets True
    assert open_image(whole).size == (64, 64)
    with pytest.raises(ImageProblem, match="unreadable"):
        open_image(cut)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is padded_elsewhere  # the other library's setting is put back
