/* test-preload-app.c — the application starts the preload scheduler with
 * the server its settings name
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "hearth-application.h"
#include "hearth-engine.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

#define MODEL "tiny-fixed:latest"

static gboolean
has_reason (gpointer data)
{
  return hearth_tuning_get_load_reason (data, MODEL) != NULL;
}

/* With "preload-learned" on and a model used at this hour of the week in
 * the history, starting Hearth loads it on the server Hearth is set to,
 * and the Models view can say why. */
static void
test_app_preloads_at_start (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(HearthApplication) app = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autofree char *ps = NULL;
  g_autofree char *expected_start = NULL;
  HearthTuning *tuning;
  gint64 id;

  if (!hearth_test_require_node ())
    return;
  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "endpoint", hearth_test_engine_url ());
  g_settings_set_boolean (settings, "preload-learned", TRUE);

  /* Three weeks of replies on this weekday, at this hour. */
  store = hearth_test_open_history ();
  id = hearth_store_create_conversation (store, "Habit", &error);
  g_assert_no_error (error);
  for (int week = 1; week <= 3; week++)
    for (int minute = 0; minute < 60; minute += 15)
      {
        g_autoptr(GDateTime) day = g_date_time_add_weeks (now, -week);
        g_autoptr(GDateTime) at = g_date_time_new_local (g_date_time_get_year (day),
                                                         g_date_time_get_month (day),
                                                         g_date_time_get_day_of_month (day),
                                                         g_date_time_get_hour (now), minute, 0);
        g_autoptr(HearthMessage) reply = hearth_message_new ("assistant", "text");

        reply->conversation_id = id;
        reply->model = g_strdup (MODEL);
        reply->created_ms = g_date_time_to_unix (at) * 1000;
        g_assert_cmpint (hearth_store_add_message (store, reply, &error), >, 0);
        g_assert_no_error (error);
      }
  g_clear_object (&store);

  app = hearth_application_new ();
  g_application_set_application_id (G_APPLICATION (app), APP_ID ".PreloadTest");
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  tuning = hearth_engine_get_tuning (hearth_application_get_engine (app));

  g_assert_true (hearth_test_spin_until (has_reason, tuning, 60000));
  expected_start = g_strdup ("preloaded: you use it ");
  g_assert_true (g_str_has_prefix (hearth_tuning_get_load_reason (tuning, MODEL), expected_start));
  ps = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/ps");
  g_assert_nonnull (strstr (ps, MODEL));

  g_clear_object (&app);
  g_settings_reset (settings, "preload-learned");
  g_settings_reset (settings, "endpoint");
}

int
main (int   argc,
      char *argv[])
{
  hearth_test_init (&argc, &argv);
  adw_init ();
  g_test_add_func ("/preload-app/at-start", test_app_preloads_at_start);
  return g_test_run ();
}
