#!/usr/bin/python3
# tests/test-metainfo-screenshots.py METAINFO SCREENSHOT_DIR
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Software centres download the metainfo's screenshots from the project's
# repository (absolute raw.githubusercontent.com URLs, as Flathub requires):
# each must be a file kept in data/screenshots (build-aux/screenshots makes
# them), a PNG of the size the metainfo says, with a caption; and every PNG
# kept there is shown.

import os
import struct
import sys
import xml.etree.ElementTree as ET

PREFIX = "https://raw.githubusercontent.com/hearthapp/hearth/main/data/screenshots/"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        fail("%s is not a PNG" % path)
    return struct.unpack(">II", head[16:24])


metainfo, directory = sys.argv[1], sys.argv[2]
root = ET.parse(metainfo).getroot()
shots = root.findall("./screenshots/screenshot")
if not shots:
    fail("the metainfo has no screenshots")
if len([s for s in shots if s.get("type") == "default"]) != 1:
    fail("exactly one screenshot must be the default")
shown = set()
for shot in shots:
    caption = shot.find("caption")
    if caption is None or not (caption.text or "").strip():
        fail("a screenshot has no caption")
    image = shot.find("image")
    url = (image.text or "").strip()
    if not url.startswith(PREFIX):
        fail("%s is not under %s" % (url, PREFIX))
    name = url[len(PREFIX):]
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        fail("%s is not in %s (build-aux/screenshots makes it)" % (name, directory))
    size = png_size(path)
    said = (int(image.get("width", 0)), int(image.get("height", 0)))
    if size != said:
        fail("%s is %dx%d, the metainfo says %dx%d" % ((name,) + size + said))
    shown.add(name)
    print("%s: %dx%d, “%s”" % (name, size[0], size[1], caption.text.strip()))
kept = {n for n in os.listdir(directory) if n.endswith(".png")}
if kept - shown:
    fail("kept but not shown: %s" % ", ".join(sorted(kept - shown)))
