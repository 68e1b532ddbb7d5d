"""MathJax for the feedback HTML, so that a student's formulas render with no network.

nbgrader's feedback page loads MathJax 2 from a CDN: opened offline (say, unpacked from the zip
``course-grader report`` makes for each student) it shows ``$...$`` instead of formulas. Here the
page loads MathJax 3's single-file ``tex-svg-full`` component instead, by the relative path
``../mathjax/tex-svg-full.js``: beside the assignment folders in ``feedback/<student>/``, which
is also the root of the student's zip, so one copy serves all of a student's assignments and the
link holds in both places. SVG output draws the glyphs as paths, so no font files are needed and
that one file is all of MathJax (``tex-svg-full`` has every TeX extension built in, so nothing
is loaded on demand either).

The file comes from the npm registry's ``mathjax`` package, one pinned version checked against
the registry's sha512 of its tarball. ``bin/setup`` fetches it once (``python -m
autograder.mathjax``) into ``autograder/vendor/`` (ignored by git); generating or viewing feedback
never needs the network. The template override that points the page at it is
``autograder/templates/feedback/mathjax.html.j2``, put in front of nbgrader's feedback template
by :func:`template_basedirs` (see ``nbgrader_config.py``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from .course import GraderError

VERSION = "3.2.2"
TARBALL = f"https://registry.npmjs.org/mathjax/-/mathjax-{VERSION}.tgz"
# `npm view mathjax@3.2.2 dist.integrity`: the registry's sha512 of the tarball.
INTEGRITY = "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
SCRIPT = "tex-svg-full.js"
# What is taken from the tarball, and the sha256 of each file as extracted (checked on every
# use, so a truncated or edited copy is never handed out). The licence goes to students too:
# Apache-2.0 asks for it with every copy.
FILES = {
    SCRIPT: ("package/es5/tex-svg-full.js",
             "a4354ff94fd868aea0cc6eaaa79a57fda0588646fc46ee3700a349ee0a11cbe6"),
    "LICENSE": ("package/LICENSE",
                "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"),
}
HOME = Path(__file__).resolve().parent / "vendor" / f"mathjax-{VERSION}"
FOLDER = "mathjax"  # in feedback/<student>/ and at the root of the student's zip
TEMPLATES = Path(__file__).resolve().parent / "templates"
DOWNLOAD_TIMEOUT = 120  # seconds


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def installed() -> bool:
    """Whether the pinned MathJax files are in :data:`HOME`, intact."""
    return all((HOME / name).is_file() and _sha256(HOME / name) == digest
               for name, (_, digest) in FILES.items())


def require() -> Path:
    """:data:`HOME`, or a :class:`GraderError` saying how to install MathJax."""
    if not installed():
        raise GraderError(
            f"MathJax {VERSION}, which the feedback HTML uses to show formulas offline, is not "
            f"installed in {HOME}: run bin/setup, or `python -m autograder.mathjax` (it downloads "
            f"{TARBALL}; on a machine without network, copy that file over and pass it with "
            "--tarball)")
    return HOME


def _download(url: str) -> bytes:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            return response.read()
    except OSError as exc:
        raise GraderError(f"could not download MathJax from {url}: {exc}") from None


def fetch(tarball: Path | None = None) -> Path:
    """Install the pinned MathJax into :data:`HOME` from the npm registry (or from a copy of its
    tarball) unless it is there already; return :data:`HOME`. Idempotent."""
    import base64
    import io
    import tarfile

    if installed():
        return HOME
    data = Path(tarball).read_bytes() if tarball else _download(TARBALL)
    algorithm, expected = INTEGRITY.split("-", 1)
    got = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if got != expected:
        raise GraderError(f"{tarball or TARBALL} is not mathjax {VERSION}: its {algorithm} is "
                          f"{got}, the registry's is {expected}")
    HOME.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for name, (member, digest) in FILES.items():
            content = tar.extractfile(member).read()
            if hashlib.sha256(content).hexdigest() != digest:
                raise GraderError(f"{member} in mathjax {VERSION} is not the expected file")
            part = HOME / f".{name}.part"
            part.write_bytes(content)
            part.replace(HOME / name)  # never a half-written file under the real name
    return HOME


def place(folder: Path, source: Path | None = None) -> Path:
    """Put MathJax in ``folder/mathjax/`` (a student's feedback folder), where the feedback
    HTML of each of its assignments looks for it; return that folder. ``source``: what
    :func:`require` returned (checked once for a whole class instead of once per student).

    Hard links to the installed copy where the file system allows it: a class of students then
    costs no disk space for it.
    """
    source = source or require()
    target = Path(folder) / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        dest = target / name
        if dest.exists() and dest.samefile(source / name):
            continue
        part = target / f".{name}.part"
        part.unlink(missing_ok=True)
        try:
            os.link(source / name, part)
        except OSError:  # another file system, or links not allowed there
            shutil.copyfile(source / name, part)
        part.replace(dest)
    return target


def place_all(feedback: Path, source: Path | None = None) -> None:
    """:func:`place` in every student folder of ``feedback`` that holds feedback HTML, also HTML
    that nbgrader wrote itself (the formgrader, ``nbgrader generate_feedback``)."""
    for folder in sorted(p for p in Path(feedback).glob("*") if p.is_dir()):
        if any(folder.glob("*/*.html")):
            source = source or require()
            place(folder, source)


def template_basedirs() -> list[str]:
    """``HTMLExporter.extra_template_basedirs`` for the feedback: ours first, so that our
    ``feedback/mathjax.html.j2`` replaces nbconvert's, then nbgrader's (its feedback template)."""
    import nbgrader

    nbgrader_templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    return [str(TEMPLATES), str(nbgrader_templates)]


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.mathjax [--tarball FILE]`` (what bin/setup runs): install MathJax
    unless it is there; exit status 1 with the reason if that fails."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autograder.mathjax",
                                     description=f"Install MathJax {VERSION} for the feedback "
                                                 f"HTML (checked against the npm registry's hash).")
    parser.add_argument("--tarball", type=Path,
                        help=f"a copy of {TARBALL} instead of downloading it")
    args = parser.parse_args(argv)
    if installed():
        return 0  # bin/setup runs this every time: say nothing when there is nothing to do
    try:
        home = fetch(args.tarball)
    except GraderError as exc:
        print(f"autograder.mathjax: {exc}", file=sys.stderr)
        return 1
    print(f"MathJax {VERSION} for the feedback HTML installed in {home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
