"""Fetches the third-party firmware sources (Mbed TLS, lwIP) as Debian source packages.

apt does the downloading and the verifying (signed Release file -> Sources index -> the
hashes of the .dsc and tarballs), but with a private configuration: its own sources list,
lists and cache folders under build/, so the machine's apt configuration is never touched.
The archive's URI is read from the machine's own configured Debian source, so no host
name is written anywhere in the project. Running it again with the sources unpacked does
nothing.

    python -m tlscosim.fw.thirdparty      (setup.sh runs this)
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..paths import BUILD_DIR, THIRD_PARTY_DIR

SUITE = "trixie"
READY_FILE = BUILD_DIR / "THIRD_PARTY_READY"
APT_DIR = BUILD_DIR / "apt"
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


@dataclass(frozen=True)
class SourcePackage:
    name: str       # Debian source package
    version: str    # upstream version we build against
    folder: str     # folder name under third_party/

    @property
    def path(self) -> Path:
        return THIRD_PARTY_DIR / self.folder


PACKAGES = (
    SourcePackage("mbedtls", "3.6.6", "mbedtls-3.6.6"),
    SourcePackage("lwip", "2.2.1", "lwip-2.2.1"),
)


def mbedtls_dir() -> Path:
    return PACKAGES[0].path


def lwip_dir() -> Path:
    return PACKAGES[1].path


def debian_mirror_uri(etc_apt: Path = Path("/etc/apt")) -> str:
    """The URI of the machine's main Debian archive (not the security one), from its
    one-line `sources.list` entries or deb822 `.sources` stanzas."""
    candidates: list[tuple[str, str]] = []   # (uri, suite)
    files = [etc_apt / "sources.list", *sorted((etc_apt / "sources.list.d").glob("*.list"))]
    for file in files:
        if not file.is_file():
            continue
        for line in file.read_text().splitlines():
            words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
            if len(words) >= 3 and words[0] in ("deb", "deb-src"):
                candidates.append((words[1], words[2]))
    for file in sorted((etc_apt / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", file.read_text()):
            fields = _deb822_fields(stanza)
            if fields.get("enabled", "yes").lower() == "no":
                continue
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    candidates.append((uri, suite))
    for uri, suite in candidates:
        if re.fullmatch(r"[a-z]+(-updates)?", suite) and "/debian" in uri and "security" not in uri:
            return uri.rstrip("/")
    raise UserError(f"no Debian archive found in {etc_apt}/sources.list or {etc_apt}/sources.list.d/: "
                    f"the third-party sources are fetched as Debian source packages")


def _deb822_fields(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for line in stanza.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line[0].isspace() and key:
            fields[key] += " " + line.strip()
            continue
        key, _, value = line.partition(":")
        key = key.strip().lower()
        fields[key] = value.strip()
    return fields


def apt_options(apt_dir: Path = APT_DIR) -> list[str]:
    """apt options that keep every file it reads or writes (but the keyring) in apt_dir."""
    return ["-o", f"Dir::Etc::SourceList={apt_dir / 'sources.list'}",
            "-o", f"Dir::Etc::SourceParts={apt_dir / 'sources.list.d'}",
            "-o", f"Dir::State::Lists={apt_dir / 'lists'}",
            "-o", f"Dir::Cache={apt_dir / 'cache'}",
            "-o", f"Dir::State::status={apt_dir / 'status'}",
            "-o", "APT::Sandbox::User=root"]


def _prepare_apt_dir(apt_dir: Path) -> None:
    for sub in ("sources.list.d", "lists/partial", "cache/archives/partial"):
        (apt_dir / sub).mkdir(parents=True, exist_ok=True)
    (apt_dir / "status").touch()
    signed = f" [signed-by={DEBIAN_KEYRING}]" if os.path.exists(DEBIAN_KEYRING) else ""
    (apt_dir / "sources.list").write_text(f"deb-src{signed} {debian_mirror_uri()} {SUITE} main\n")


def _run_apt(args: list[str], cwd: Path) -> None:
    if shutil.which("apt-get") is None:
        raise UserError("apt-get not found: the third-party sources are fetched as Debian source packages")
    proc = subprocess.run(["apt-get", "-q", *apt_options(), *args], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise UserError(f"apt-get {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stdout.rstrip()}")


def _orig_tarballs(download_dir: Path, pkg: SourcePackage) -> list[Path]:
    """The upstream tarball and its components (orig-<name>.tar.*), main one first."""
    main = sorted(download_dir.glob(f"{pkg.name}_{pkg.version}*.orig.tar.*"))
    main = [p for p in main if not p.name.endswith(".asc")]
    components = sorted(p for p in download_dir.glob(f"{pkg.name}_{pkg.version}*.orig-*.tar.*")
                        if not p.name.endswith(".asc"))
    return main + components


def _unpack(pkg: SourcePackage, tarballs: list[Path]) -> None:
    """Unpacks the main tarball into pkg.path (stripping its top folder) and each
    component tarball into the sub-folder it is named after, atomically."""
    staging = pkg.path.with_name(pkg.path.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for tarball in tarballs:
        match = re.search(r"\.orig-([A-Za-z0-9-]+)\.tar", tarball.name)
        dest = staging / match.group(1) if match else staging
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tar:
            members = tar.getmembers()
            top = {m.name.split("/", 1)[0] for m in members}
            strip = len(top) == 1 and any("/" in m.name for m in members)
            for m in members:
                if strip:
                    m.name = m.name.split("/", 1)[1] if "/" in m.name else ""
            tar.extractall(dest, members=[m for m in members if m.name], filter="data")
    shutil.rmtree(pkg.path, ignore_errors=True)
    staging.rename(pkg.path)


def _is_unpacked(pkg: SourcePackage) -> bool:
    return (pkg.path / ".tlscosim-unpacked").is_file()


def fetch(packages: tuple[SourcePackage, ...] = PACKAGES, *, log=print) -> dict[str, Path]:
    """Makes sure every package is unpacked under third_party/; returns name -> folder."""
    missing = [p for p in packages if not _is_unpacked(p)]
    if missing:
        _prepare_apt_dir(APT_DIR)
        log(f"thirdparty: apt-get update ({SUITE} sources, private apt folder {APT_DIR})")
        _run_apt(["update"], cwd=APT_DIR)
        download_dir = APT_DIR / "source"
        download_dir.mkdir(exist_ok=True)
        for pkg in missing:
            log(f"thirdparty: fetching {pkg.name} {pkg.version}")
            _run_apt(["source", "--download-only", f"{pkg.name}/{SUITE}"], cwd=download_dir)
            tarballs = _orig_tarballs(download_dir, pkg)
            if not tarballs:
                found = ", ".join(sorted(os.path.basename(p) for p in glob.glob(str(download_dir / f"{pkg.name}_*"))))
                raise UserError(f"{pkg.name} {pkg.version}: no matching .orig tarball in the {SUITE} "
                                f"source package (downloaded: {found or 'nothing'})")
            _unpack(pkg, tarballs)
            (pkg.path / ".tlscosim-unpacked").write_text("".join(f"{t.name}\n" for t in tarballs))
            log(f"thirdparty: {pkg.name} unpacked into {pkg.path}")
    paths = {p.name: p.path for p in packages}
    READY_FILE.parent.mkdir(parents=True, exist_ok=True)
    READY_FILE.write_text("".join(f"{name}={path}\n" for name, path in paths.items()))
    return paths


def require(pkg_name: str) -> Path:
    """The unpacked folder of a package, or a UserError saying how to fetch it."""
    for pkg in PACKAGES:
        if pkg.name == pkg_name:
            if not _is_unpacked(pkg):
                raise UserError(f"{pkg.name} {pkg.version} sources are missing from {pkg.path}: "
                                f"run ./setup.sh (or python -m tlscosim.fw.thirdparty)")
            return pkg.path
    raise KeyError(pkg_name)


def main() -> int:
    try:
        fetch()
    except UserError as exc:
        print(f"thirdparty: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
