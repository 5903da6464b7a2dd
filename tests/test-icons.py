#!/usr/bin/python3
# tests/test-icons.py ICON_DIR — the application's icons, as GNOME draws them
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The full-colour icon: a 128×128 SVG (hicolor/scalable/apps). The symbolic
# icon: 16×16, one flat colour GTK can recolour to the text colour (GNOME's
# #2e3436), shapes only — no strokes (GNOME converts them to paths), no
# gradients, images, filters, masks or partial opacity that would not
# follow a recolour. Both render with rsvg-convert (librsvg, what
# gdk-pixbuf and GTK use) when it is installed.

import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
APP_ID = "io.github.hearthapp.Hearth"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def load(path, size):
    if not os.path.isfile(path):
        fail("%s is missing" % path)
    root = ET.parse(path).getroot()
    if root.tag != SVG + "svg":
        fail("%s is not an SVG" % path)
    if root.get("viewBox", "").split() != ["0", "0", str(size), str(size)]:
        fail("%s: viewBox is %r, not 0 0 %d %d" % (path, root.get("viewBox"), size, size))
    if root.get("width") != str(size) or root.get("height") != str(size):
        fail("%s is not %d×%d" % (path, size, size))
    return root


def render(path, size):
    rsvg = shutil.which("rsvg-convert")
    if rsvg is None:
        print("# rsvg-convert is not installed: %s not rendered" % os.path.basename(path))
        return
    with tempfile.NamedTemporaryFile(suffix=".png") as out:
        run = subprocess.run([rsvg, "-w", str(size), "-h", str(size), path, "-o", out.name],
                             capture_output=True, text=True)
        if run.returncode != 0 or os.path.getsize(out.name) < 100:
            fail("librsvg cannot render %s: %s" % (path, run.stderr))
    print("# %s renders at %d×%d" % (os.path.basename(path), size, size))


def colours_of(element):
    """fill and stroke of an element, from attributes and style="…"."""
    found = {}
    for key in ("fill", "stroke", "opacity", "fill-opacity"):
        if element.get(key) is not None:
            found[key] = element.get(key).strip().lower()
    for part in (element.get("style") or "").split(";"):
        if ":" in part:
            key, value = (s.strip().lower() for s in part.split(":", 1))
            found[key] = value
    return found


icons = sys.argv[1]
colour_path = os.path.join(icons, "hicolor", "scalable", "apps", APP_ID + ".svg")
symbolic_path = os.path.join(icons, "hicolor", "symbolic", "apps", APP_ID + "-symbolic.svg")

load(colour_path, 128)
render(colour_path, 128)
render(colour_path, 32)

symbolic = load(symbolic_path, 16)
fills = set()
shapes = 0
for element in symbolic.iter():
    tag = element.tag.replace(SVG, "")
    if tag in ("linearGradient", "radialGradient", "image", "filter", "mask", "pattern", "text"):
        fail("the symbolic icon has a <%s>, which a recolour does not follow" % tag)
    style = colours_of(element)
    stroke = style.get("stroke", "none")
    if stroke not in ("none", ""):
        fail("the symbolic icon has a stroke (%s): GNOME's symbolic icons are filled shapes"
             % stroke)
    for key in ("opacity", "fill-opacity"):
        if key in style and float(style[key]) < 1:
            fail("the symbolic icon is partly transparent (%s=%s)" % (key, style[key]))
    if tag in ("path", "rect", "circle", "ellipse", "polygon"):
        shapes += 1
        fill = style.get("fill", "#000000")
        if not re.fullmatch(r"#[0-9a-f]{6}|currentcolor", fill):
            fail("the symbolic icon's fill %r is not a flat colour" % fill)
        fills.add(fill)
if shapes == 0:
    fail("the symbolic icon draws nothing")
if fills - {"#2e3436", "currentcolor"}:
    fail("the symbolic icon has colours %s; GTK recolours one: GNOME's #2e3436"
         % ", ".join(sorted(fills)))
render(symbolic_path, 16)
print("full-colour and symbolic icons are in GNOME's form")
