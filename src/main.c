/* main.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "hearth-application.h"
#include "hearth-window.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HearthApplication) app = NULL;

  hearth_main_started_us = g_get_monotonic_time ();
  setlocale (LC_ALL, "");
  /* HEARTH_LOCALEDIR: the build's catalogs (_build/po), to see a
   * translation before it is installed */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("HEARTH_LOCALEDIR") != NULL
                                   ? g_getenv ("HEARTH_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = hearth_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
