/* test-secrets.c — API keys through the real Secret Service (gnome-keyring,
 * started by build-aux/test-session); skips, saying why, when none answers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>

#include "hearth-error.h"
#include "hearth-secrets.h"
#include "hearth-test-util.h"

/* A store is what needs an unlocked keyring; a lookup alone can succeed without one. */
static gboolean
require_secret_service (const char *endpoint)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;

  if (hearth_secrets_store_sync (endpoint, "probe", NULL, &error) &&
      hearth_secrets_delete_sync (endpoint, NULL, &error))
    return TRUE;
  g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_KEYRING_UNAVAILABLE);
  reason = g_strdup_printf ("No Secret Service to test against (%s); run the suite "
                            "with build-aux/test, which starts gnome-keyring", error->message);
  g_test_skip (reason);
  return FALSE;
}

static char *
test_endpoint (const char *name)
{
  return g_strdup_printf ("http://127.0.0.1:9/hearth-test-%s-%d", name, (int) getpid ());
}

static void
test_sync_round_trip (void)
{
  g_autofree char *endpoint = test_endpoint ("sync");
  g_autofree char *other = test_endpoint ("other");
  g_autoptr(GError) error = NULL;
  char *key;

  if (!require_secret_service (endpoint))
    return;

  g_assert_null (hearth_secrets_lookup_sync (endpoint, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (hearth_secrets_store_sync (endpoint, "first-key", NULL, &error));
  g_assert_no_error (error);
  key = hearth_secrets_lookup_sync (endpoint, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "first-key");
  hearth_secrets_free (key);

  /* One item per endpoint: storing again replaces. */
  g_assert_true (hearth_secrets_store_sync (endpoint, "second-key", NULL, &error));
  g_assert_no_error (error);
  key = hearth_secrets_lookup_sync (endpoint, NULL, &error);
  g_assert_cmpstr (key, ==, "second-key");
  hearth_secrets_free (key);

  /* Another endpoint sees nothing. */
  g_assert_null (hearth_secrets_lookup_sync (other, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (hearth_secrets_delete_sync (endpoint, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (hearth_secrets_lookup_sync (endpoint, NULL, &error));
  g_assert_no_error (error);
  /* Deleting nothing is no error. */
  g_assert_false (hearth_secrets_delete_sync (endpoint, NULL, &error));
  g_assert_no_error (error);
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_async_round_trip (void)
{
  g_autofree char *endpoint = test_endpoint ("async");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) deleted = NULL;
  g_autoptr(GAsyncResult) gone = NULL;
  char *key;

  if (!require_secret_service (endpoint))
    return;

  hearth_secrets_store_async (endpoint, "async-key", NULL, on_done, &stored);
  g_assert_true (hearth_secrets_store_finish (wait_for (&stored), &error));
  g_assert_no_error (error);

  hearth_secrets_lookup_async (endpoint, NULL, on_done, &found);
  key = hearth_secrets_lookup_finish (wait_for (&found), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "async-key");
  hearth_secrets_free (key);

  hearth_secrets_delete_async (endpoint, NULL, on_done, &deleted);
  g_assert_true (hearth_secrets_delete_finish (wait_for (&deleted), &error));
  g_assert_no_error (error);

  hearth_secrets_lookup_async (endpoint, NULL, on_done, &gone);
  g_assert_null (hearth_secrets_lookup_finish (wait_for (&gone), &error));
  g_assert_no_error (error);
}

/* No bus at all: a clear sentence in HEARTH_ERROR, and no critical (fatal here). */
static void
test_no_secret_service (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/hearth-test-bus", TRUE);
      g_assert_null (hearth_secrets_lookup_sync ("http://127.0.0.1:9", NULL, &error));
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_KEYRING_UNAVAILABLE);
      g_clear_error (&error);
      g_assert_false (hearth_secrets_store_sync ("http://127.0.0.1:9", "never-shown", NULL, &error));
      g_assert_error (error, HEARTH_ERROR, HEARTH_ERROR_KEYRING_UNAVAILABLE);
      line = hearth_error_describe (error);
      g_assert_null (strstr (line, "never-shown"));
      g_assert_nonnull (strstr (line, "HEARTH_API_KEY"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  hearth_test_init (&argc, &argv);

  g_test_add_func ("/secrets/no-secret-service", test_no_secret_service);
  g_test_add_func ("/secrets/sync-round-trip", test_sync_round_trip);
  g_test_add_func ("/secrets/async-round-trip", test_async_round_trip);

  return g_test_run ();
}
