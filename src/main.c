/* main.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth"

#include "config.h"

#include "hearth-application.h"
#include "hearth-i18n.h"
#include "hearth-window.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HearthApplication) app = NULL;

  hearth_main_started_us = g_get_monotonic_time ();
  hearth_i18n_init ();

  app = hearth_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
