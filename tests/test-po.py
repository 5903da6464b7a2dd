#!/usr/bin/python3
# tests/test-po.py — the translation catalogs, checked as tests
#   test-po.py files     every file with a translatable string is in
#                        po/POTFILES.in, every listed file exists, and xgettext
#                        reads them all without a warning
#   test-po.py complete  every language of po/LINGUAS translates every msgid of
#                        a POT made now from the sources, none fuzzy
# SOURCE_DIR is $HEARTH_SOURCE_DIR (meson sets it), else the parent directory.
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import subprocess
import sys
import tempfile

TOP = os.environ.get ('HEARTH_SOURCE_DIR', os.path.join (os.path.dirname (__file__), '..'))

# The keywords and flags of meson's i18n.gettext(preset: 'glib'), which
# po/meson.build uses for hearth-pot, so this POT is the translators' POT.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format', '--flag=g_snprintf:3:c-format',
]

MARKER = re.compile (r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dgettext)\s*\('
                     r'|translatable="yes"')
SCANNED = ('.c', '.h', '.ui', '.in', '.xml')
DATA_FORMATS = ('.desktop.in', '.metainfo.xml.in', '.gschema.xml')


def listed_files ():
    with open (os.path.join (TOP, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        return [line.strip () for line in f
                if line.strip () and not line.lstrip ().startswith ('#')]


def marked_files ():
    found = []
    for d in ('src', 'data'):
        for root, _dirs, names in os.walk (os.path.join (TOP, d)):
            for name in names:
                if not name.endswith (SCANNED):
                    continue
                path = os.path.join (root, name)
                with open (path, encoding='utf-8', errors='replace') as f:
                    text = f.read ()
                # #define lines (gi18n's own or a file's) are not strings
                text = re.sub (r'(?m)^\s*#\s*define.*$', '', text)
                # desktop files, metainfo and schemas are translatable by their format
                if MARKER.search (text) or name.endswith (DATA_FORMATS):
                    found.append (os.path.relpath (path, TOP))
    return sorted (found)


def make_pot (out_dir):
    """A POT made from POTFILES.in now; returns (path, xgettext's stderr)."""
    pot = os.path.join (out_dir, 'hearth.pot')
    potfiles = os.path.join (out_dir, 'POTFILES')
    with open (potfiles, 'w', encoding='utf-8') as f:
        # a missing file is check_files()'s problem to report, not xgettext's
        f.write ('\n'.join (p for p in listed_files ()
                             if os.path.isfile (os.path.join (TOP, p))) + '\n')
    run = subprocess.run (['xgettext', '--package-name=hearth', '-D', TOP,
                           '--files-from=' + potfiles, '-o', pot] + XGETTEXT_ARGS,
                          capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit ('xgettext failed (%d):\n%s' % (run.returncode, run.stderr))
    return pot, run.stderr


def check_files ():
    problems = []
    listed = listed_files ()
    for path in listed:
        if not os.path.isfile (os.path.join (TOP, path)):
            problems.append ('po/POTFILES.in lists %s, which does not exist' % path)
    if listed != sorted (set (listed), key=listed.index):
        problems.append ('po/POTFILES.in lists a file twice')
    for path in marked_files ():
        if path not in listed:
            problems.append ('%s has translatable strings but is not in po/POTFILES.in' % path)
    with tempfile.TemporaryDirectory () as tmp:
        pot, stderr = make_pot (tmp)
        for line in stderr.splitlines ():
            if 'warning' in line.lower ():
                problems.append ('xgettext: ' + line)
        with open (pot, encoding='utf-8') as f:
            count = sum (1 for line in f if line.startswith ('msgid ')) - 1
    for p in problems:
        print (p)
    print ('%d files listed, %d msgids extracted, %d problems' % (len (listed), count, len (problems)))
    return 1 if problems else 0


def check_complete ():
    with open (os.path.join (TOP, 'po', 'LINGUAS'), encoding='utf-8') as f:
        languages = [w for line in f if not line.lstrip ().startswith ('#')
                     for w in line.split ()]
    if not languages:
        print ('#' * 72)
        print ('# po/LINGUAS is empty: ZERO catalogs checked. Nothing to be complete yet.')
        print ('#' * 72)
        return 0
    problems = []
    with tempfile.TemporaryDirectory () as tmp:
        pot, _stderr = make_pot (tmp)
        for lang in languages:
            po = os.path.join (TOP, 'po', lang + '.po')
            if not os.path.isfile (po):
                problems.append ('%s is in po/LINGUAS but po/%s.po does not exist' % (lang, lang))
                continue
            merged = os.path.join (tmp, lang + '.po')
            run = subprocess.run (['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot],
                                  capture_output=True, text=True)
            if run.returncode != 0:
                problems.append ('msgmerge %s: %s' % (lang, run.stderr.strip ()))
                continue
            run = subprocess.run (['msgfmt', '--check', '--statistics', '-o', os.devnull, merged],
                                  capture_output=True, text=True, env=dict (os.environ, LC_ALL='C'))
            stats = run.stderr.strip ()
            print ('%s: %s' % (lang, stats.splitlines ()[-1] if stats else '(no statistics)'))
            if run.returncode != 0:
                problems.append ('msgfmt --check %s:\n%s' % (lang, stats))
            elif 'fuzzy' in stats or 'untranslated' in stats:
                problems.append ('%s is not complete: %s' % (lang, stats.splitlines ()[-1]))
    for p in problems:
        print (p)
    print ('%d catalogs checked, %d problems' % (len (languages), len (problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    mode = sys.argv[1] if len (sys.argv) > 1 else ''
    if mode == 'files':
        sys.exit (check_files ())
    if mode == 'complete':
        sys.exit (check_complete ())
    sys.exit ('usage: test-po.py files | complete')
