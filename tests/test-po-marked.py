#!/usr/bin/python3
# tests/test-po-marked.py — fails when a sentence a person reads is not marked
# for translation: a string literal passed straight to a call that shows or
# words text (g_printerr, g_set_error, gtk_label_set_text, adw_toast_new…) in
# src/cli, src/core and src/ui. Exceptions live in tests/po-unmarked-allow.txt,
# each with its reason.
#
# Usage: test-po-marked.py [SOURCE_DIR]   (default: $HEARTH_SOURCE_DIR or ..)
#        test-po-marked.py --list FILE...  prints what it finds, for one file
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys

# function → index of the argument that is the text a person reads
CALLS = {
    'g_printerr': [0],
    'g_print': [0],
    'g_set_error': [3],
    'g_set_error_literal': [3],
    'g_error_new': [2],
    'g_error_new_literal': [2],
    'g_task_return_new_error': [3],
    'g_prefix_error': [1],
    'g_prefix_error_literal': [1],
    'hearth_error_set_invalid': [1],
    'usage_error': [1],
    'check_text': [0],
    'check_texts': [0],
    'parse_whole_number': [0],
    'say': [0],
    'gtk_label_set_text': [1],
    'gtk_label_set_label': [1],
    'gtk_label_set_markup': [1],
    'gtk_label_new': [0],
    'gtk_button_set_label': [1],
    'gtk_button_new_with_label': [0],
    'gtk_button_new_with_mnemonic': [0],
    'gtk_widget_set_tooltip_text': [1],
    'gtk_check_button_new_with_label': [0],
    'adw_toast_new': [0],
    'adw_toast_new_format': [0],
    'adw_status_page_set_title': [1],
    'adw_status_page_set_description': [1],
    'adw_preferences_row_set_title': [1],
    'adw_preferences_group_set_title': [1],
    'adw_preferences_group_set_description': [1],
    'adw_action_row_set_subtitle': [1],
    'adw_expander_row_set_subtitle': [1],
    'adw_window_title_set_title': [1],
    'adw_window_title_set_subtitle': [1],
    'adw_message_dialog_new': [1, 2],
    'adw_message_dialog_format_heading': [1],
    'adw_message_dialog_format_body': [1],
    'adw_message_dialog_set_heading': [1],
    'adw_message_dialog_set_body': [1],
    'adw_message_dialog_add_response': [2],
    'gtk_window_set_title': [1],
    'g_menu_item_new': [0],
    'g_menu_append': [1],
    'g_notification_new': [0],
    'g_notification_set_body': [1],
    'g_notification_add_button': [1],
}

DIRS = ['src/cli', 'src/core', 'src/ui']

FORMAT = re.compile(r"%[-+ #0']*(\*|\d+)?(\.(\*|\d+))?(hh|h|ll|l|L|q|j|z|t)?[a-zA-Z%]"
                    r'|%"\s*G_G?U?INT\d*_FORMAT\s*"')
ESCAPE = re.compile(r'\\(x[0-9a-fA-F]+|u[0-9a-fA-F]{4}|[0-7]{1,3}|.)')
WORD = re.compile(r'[A-Za-z]{2,}')


def strip_comments (text):
    """Blanks out comments and keeps strings, char literals and line numbers."""
    out = []
    i, n = 0, len (text)
    while i < n:
        c = text[i]
        if text.startswith ('/*', i):
            j = text.find ('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append (re.sub (r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith ('//', i):
            j = text.find ('\n', i)
            j = n if j < 0 else j
            out.append (' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append (text[i:j + 1])
            i = j + 1
        else:
            out.append (c)
            i += 1
    return ''.join (out)


def split_args (text, start):
    """The arguments of the call whose '(' is at start, as (offset, text)."""
    args, depth, i, arg_start = [], 0, start, start + 1
    n = len (text)
    while i < n:
        c = text[i]
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            i = j + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append ((arg_start, text[arg_start:i]))
                return args
        elif c == ',' and depth == 1:
            args.append ((arg_start, text[arg_start:i]))
            arg_start = i + 1
        i += 1
    return args


LITERAL = re.compile (r'\s*("(?:[^"\\\n]|\\.)*"\s*|[A-Z_][A-Z0-9_]*\s*)+$')


def bare_literal (arg):
    """The text of arg when it is only string literals (and macros like
    G_GUINT64_FORMAT between them), else None."""
    if '"' not in arg or not LITERAL.match (arg):
        return None
    return ''.join (re.findall (r'"((?:[^"\\\n]|\\.)*)"', arg))


def readable (literal):
    # the program's name alone, as in "hearth-cli: %s\n", is not a sentence
    text = re.sub (r'\bhearth(-cli)?\b', ' ', literal)
    # nor is an option's name, as in parse_whole_number ("--runs", …)
    text = re.sub (r'--[a-z][a-z-]*', ' ', text)
    text = FORMAT.sub (' ', text)
    text = ESCAPE.sub (' ', text)
    return WORD.search (text) is not None


CALL = re.compile (r'\b(' + '|'.join (sorted (CALLS, key=len, reverse=True)) + r')\s*\(')


MARK = re.compile (r'(?<![A-Za-z0-9_])(N?_|ngettext)\s*\(')
PRI = re.compile (r'^PRI[diouxX](8|16|32|64|MAX|PTR)$')


def scan_marked (text, rel):
    """Marked strings with a macro inside (xgettext cannot read one: the msgid
    would stop there), but for <inttypes.h>'s PRId64 and co, which it knows."""
    found = []
    for m in MARK.finditer (text):
        for offset, arg in split_args (text, m.end () - 1):
            if '"' not in arg or not LITERAL.match (arg):
                continue
            outside = re.sub (r'"(?:[^"\\\n]|\\.)*"', ' ', arg)
            macros = [w for w in re.findall (r'[A-Za-z_][A-Za-z0-9_]*', outside) if not PRI.match (w)]
            if macros:
                line = text.count ('\n', 0, offset) + 1
                found.append ((rel, line, m.group (1), 'MACRO ' + ' '.join (macros)))
    return found


def scan_file (path, rel):
    with open (path, encoding='utf-8') as f:
        text = strip_comments (f.read ())
    found = scan_marked (text, rel)
    for m in CALL.finditer (text):
        args = split_args (text, m.end () - 1)
        for index in CALLS[m.group (1)]:
            if index >= len (args):
                continue
            offset, arg = args[index]
            literal = bare_literal (arg)
            if literal is None or not readable (literal):
                continue
            line = text.count ('\n', 0, offset + len (arg) - len (arg.lstrip ())) + 1
            found.append ((rel, line, m.group (1), literal))
    return found


def load_allowlist (path):
    allowed = {}
    with open (path, encoding='utf-8') as f:
        for number, line in enumerate (f, 1):
            line = line.rstrip ('\n')
            if not line.strip () or line.startswith ('#'):
                continue
            m = re.match (r'(\S+)\s+"((?:[^"\\]|\\.)*)"\s+--\s+(\S.*)$', line)
            if not m:
                sys.exit ('%s:%d: want: FILE "LITERAL" -- REASON' % (path, number))
            allowed[(m.group (1), m.group (2))] = [number, False]
    return allowed


def main ():
    if len (sys.argv) > 2 and sys.argv[1] == '--list':
        for path in sys.argv[2:]:
            for rel, line, func, literal in scan_file (path, path):
                print ('%s:%d: %s ("%s")' % (rel, line, func, literal))
        return 0
    top = sys.argv[1] if len (sys.argv) > 1 else os.environ.get ('HEARTH_SOURCE_DIR', '..')
    allow_path = os.path.join (top, 'tests', 'po-unmarked-allow.txt')
    allowed = load_allowlist (allow_path)
    problems, files = [], 0
    for d in DIRS:
        for root, _dirs, names in os.walk (os.path.join (top, d)):
            for name in sorted (names):
                if not name.endswith ('.c'):
                    continue
                path = os.path.join (root, name)
                rel = os.path.relpath (path, top)
                files += 1
                for rel, line, func, literal in scan_file (path, rel):
                    entry = allowed.get ((rel, literal))
                    if entry is not None:
                        entry[1] = True
                        continue
                    if literal.startswith ('MACRO '):
                        problems.append ('%s:%d: %s () holds %s between its strings: xgettext '
                                         'stops there; write the text out or pass it as %%s'
                                         % (rel, line, func, literal[6:]))
                    else:
                        problems.append ('%s:%d: %s ("%s") is not marked for translation'
                                         % (rel, line, func, literal))
    for (rel, literal), (number, used) in sorted (allowed.items ()):
        if not used:
            problems.append ('%s:%d: the exception for %s "%s" matches nothing any more'
                             % (allow_path, number, rel, literal))
    for p in problems:
        print (p)
    print ('%d files scanned, %d calls in the list, %d exceptions, %d problems'
           % (files, len (CALLS), len (allowed), len (problems)))
    if problems:
        print ('Wrap the text in _() (or N_() in a static table), or add it to '
               'tests/po-unmarked-allow.txt with the reason it stays untranslated.')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit (main ())
