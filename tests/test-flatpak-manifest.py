#!/usr/bin/python3
# tests/test-flatpak-manifest.py — the Flatpak manifest, checked offline
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   test-flatpak-manifest.py show-manifest MANIFEST
#       flatpak-builder --show-manifest with fatal warnings: a key
#       flatpak-builder does not know (a typo in "sha256", "finish-args") fails.
#       Without flatpak-builder it skips, saying so (exit 77).
#   test-flatpak-manifest.py pinned MANIFEST README
#       every module's sources are pinned (archive/file: sha256, git: commit;
#       "dir" only for Hearth's own module, built from this checkout), each
#       pinned archive says where its checksum came from, and finish-args is
#       exactly the README's permission table, no more and no less.

import json
import os
import re
import shutil
import subprocess
import sys

SKIP = 77


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def show_manifest(manifest):
    builder = shutil.which("flatpak-builder")
    if builder is None:
        print("SKIP: flatpak-builder is not installed (build-aux/setup.sh installs it)",
              file=sys.stderr)
        sys.exit(SKIP)
    env = dict(os.environ, G_DEBUG="fatal-warnings")
    run = subprocess.run([builder, "--show-manifest", manifest], env=env,
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail("flatpak-builder --show-manifest failed (%d):\n%s" % (run.returncode, run.stderr))
    shown = json.loads(run.stdout)
    if shown.get("id") != "io.github.hearthapp.Hearth":
        fail("flatpak-builder read the id as %r" % shown.get("id"))
    print("flatpak-builder read %d modules" % len(shown.get("modules", [])))


def modules_of(module_list):
    for module in module_list:
        if isinstance(module, str):
            fail("module %r is a separate file: inline it so it can be checked" % module)
        yield module
        yield from modules_of(module.get("modules", []))


def readme_permissions(readme):
    """The rows of the table under "### Flatpak permissions": `--arg` | why."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"^### Flatpak permissions\n(.*?)(?=^#)", text, re.M | re.S)
    if match is None:
        fail("README has no \"### Flatpak permissions\" section")
    rows = {}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`--"):
            continue
        arg = cells[0].strip("`")
        if len(cells[1]) < 20:
            fail("README gives no real reason for %s: %r" % (arg, cells[1]))
        if arg in rows:
            fail("README lists %s twice" % arg)
        rows[arg] = cells[1]
    if not rows:
        fail("README's permission table has no rows")
    return rows


def pinned(manifest, readme):
    with open(manifest, encoding="utf-8") as f:
        data = json.load(f)
    app_module = data["command"]
    n_sources = 0
    for module in modules_of(data["modules"]):
        name = module["name"]
        sources = module.get("sources", [])
        if not sources:
            fail("module %s has no sources" % name)
        for source in sources:
            if isinstance(source, str):
                fail("module %s: source %r is a separate file" % (name, source))
            kind = source.get("type")
            n_sources += 1
            if kind in ("archive", "file"):
                url = source.get("url", "")
                if not url.startswith("https://"):
                    fail("module %s: %s source without an https URL: %r" % (name, kind, url))
                if not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
                    fail("module %s: %s has no sha256" % (name, url))
                if len(source.get("x-checksum-source", "")) < 20:
                    fail("module %s: where its sha256 came from is not said "
                         "(x-checksum-source)" % name)
            elif kind == "git":
                if not re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")):
                    fail("module %s: git source %s has no commit" % (name, source.get("url")))
            elif kind == "dir":
                if name != app_module:
                    fail("module %s is built from a local folder, not a pinned source" % name)
            else:
                fail("module %s: source type %r cannot be checked for a pin" % (name, kind))
    print("%d sources pinned" % n_sources)

    documented = readme_permissions(readme)
    granted = data.get("finish-args", [])
    if len(set(granted)) != len(granted):
        fail("finish-args repeats a permission: %s" % granted)
    extra = sorted(set(granted) - set(documented))
    missing = sorted(set(documented) - set(granted))
    if extra:
        fail("finish-args grants what README does not explain: %s" % ", ".join(extra))
    if missing:
        fail("README explains what finish-args does not grant: %s" % ", ".join(missing))
    print("%d permissions, each explained in README" % len(granted))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "show-manifest":
        show_manifest(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "pinned":
        pinned(sys.argv[2], sys.argv[3])
    else:
        print(__doc__ or "usage: see the comment at the top", file=sys.stderr)
        sys.exit(2)
