/* hearth-i18n.c — the app's and hearth-cli's messages in the user's language
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "hearth-i18n.h"

/* The locale from the environment and Hearth's catalogs, for a program's
 * main (): the installed ones, or HEARTH_LOCALEDIR's (the build's _build/po,
 * to see a translation before it is installed). */
void
hearth_i18n_init (void)
{
  const char *dir = g_getenv ("HEARTH_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
