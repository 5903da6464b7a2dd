/* test-servers-page.c — Preferences → Servers: the list with health, adding from a preset,
 * keys, enabling, removing, the fallback list, substitutes and the Auto model's rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-servers-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-preferences-window.h"
#include "hearth-routes.h"
#include "hearth-secrets.h"
#include "hearth-server-dialog.h"
#include "hearth-servers.h"
#include "hearth-test-prefs.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

static GSettings *settings;

/* An address where nothing listens: a port the kernel just gave out and took back. */
static char *
closed_address (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

typedef struct
{
  HearthEngine *engine;
  HearthServers *servers;
  GtkWidget    *window;
  char         *down_url;
} Fixture;

/* laptop: the test engine (Ollama API); big-box: a closed port. Nothing
 * else: the server made from the settings is removed. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthServer) first = NULL;
  g_autofree char *first_name = NULL;

  if (!hearth_test_require_node ())
    return;
  /* started, and warm: its first answer is slow */
  g_free (hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/version"));
  fixture->engine = hearth_engine_new (NULL);
  fixture->servers = g_object_ref (hearth_engine_get_servers (fixture->engine));
  fixture->down_url = closed_address ();
  first = g_list_model_get_item (G_LIST_MODEL (fixture->servers), 0);
  first_name = g_strdup (hearth_server_get_name (first));
  g_assert_nonnull (hearth_servers_add (fixture->servers, "laptop", hearth_test_engine_url (),
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (hearth_servers_add (fixture->servers, "big-box", fixture->down_url,
                                        HEARTH_API_OLLAMA, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (hearth_servers_remove (fixture->servers, first_name, &error));
  g_assert_no_error (error);

  fixture->window = hearth_preferences_window_new (NULL, fixture->engine);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (fixture->window),
                                                "servers");
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (hearth_test_wait_drawn (fixture->window, 5000));
}

static void
remove_file (const char *path)
{
  if (path != NULL)
    g_remove (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *routes = g_build_filename (g_get_user_config_dir (), "hearth", "routes.conf",
                                              NULL);
  g_autoptr(GList) toplevels = NULL;

  if (fixture->window == NULL)
    return;
  /* dialogs left open by a failed step go first */
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (l->data != fixture->window)
      gtk_window_destroy (l->data);
  /* a pointer timer GTK 4.8 starts (a tooltip's) must not outlive the window */
  hearth_test_wait_clock (1000);
  g_object_ref (fixture->window);
  gtk_window_close (GTK_WINDOW (fixture->window));
  hearth_test_spin_until (hearth_test_only_ref, fixture->window, 2000);
  g_assert_finalize_object (fixture->window);
  remove_file (hearth_servers_get_path (fixture->servers));
  remove_file (routes);
  g_clear_object (&fixture->servers);
  g_clear_object (&fixture->engine);
  g_free (fixture->down_url);
  g_settings_reset (settings, "endpoint");
}

/* Finding things */

/* The page's own scroller, moved to its end (the rules are last). */
static void
scroll_servers_page_to_end (GtkWidget *window)
{
  GtkWidget *list = hearth_test_find_widget (window, is_row_titled,
                                             (gpointer) "The Fast Model Is Now");
  GtkWidget *scroller = gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  hearth_test_wait_drawn (window, 300);
}

static gboolean
has_width (gpointer data)
{
  GtkWidget *window = data;
  int wanted = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "wanted-width"));
  int minimum = 0;

  gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return ABS (gtk_widget_get_width (window) - MAX (wanted, minimum)) <= 64;
}

static void
save_routes_wide_and_narrow (GtkWidget *window)
{
  const int widths[] = { 1280, 380 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("servers-page-routes-%d.png", widths[i]);

      g_object_set_data (G_OBJECT (window), "wanted-width", GINT_TO_POINTER (widths[i]));
      gtk_window_set_default_size (GTK_WINDOW (window), widths[i], 800);
      hearth_test_spin_until (has_width, window, 2000);
      hearth_test_wait_drawn (window, 300);
      scroll_servers_page_to_end (window);
      g_free (hearth_test_save_screenshot (window, name));
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 760);
}

static gboolean
server_enabled_is (HearthServer *server,
                   gboolean      enabled)
{
  return hearth_server_get_enabled (server) == enabled;
}

static gboolean
probe_answered (gpointer data)
{
  return hearth_server_get_state (data) != HEARTH_SERVER_STATE_UNKNOWN
         && hearth_server_get_last_probe_ms (data) > GPOINTER_TO_SIZE (
              g_object_get_data (G_OBJECT (data), "test-probe-after"));
}

/* Checked until it answers in time: on a busy machine a first answer of the
 * just-started engine can take more than the 2 s that make it "Slow". */
static void
check_until_up (GtkWidget     *window,
                HearthServers *servers,
                const char    *name)
{
  HearthServer *server = hearth_servers_lookup (servers, name);

  for (guint attempt = 0; attempt < 4; attempt++)
    {
      g_object_set_data (G_OBJECT (server), "test-probe-after",
                         GSIZE_TO_POINTER (hearth_server_get_last_probe_ms (server)));
      activate (window, "server.check", name);
      g_assert_true (hearth_test_spin_until (probe_answered, server, 15000));
      if (hearth_server_get_state (server) == HEARTH_SERVER_STATE_UP)
        break;
    }
  wait_row_says (window, name, "Up · ");
}

/* Its menu: Check Now, Edit…, Set Key…, the moves it can make, Remove… */
static void
save_row_menu (GtkWidget *row)
{
  GtkWidget *button = hearth_test_find_descendant (row, GTK_TYPE_MENU_BUTTON);
  GtkPopover *popover;
  g_autofree char *text = NULL;

  popover = hearth_test_popup_menu (GTK_MENU_BUTTON (button));
  hearth_test_wait_drawn (GTK_WIDGET (popover), 2000);
  text = hearth_test_visible_text (GTK_WIDGET (popover));
  g_assert_nonnull (strstr (text, "Check Now"));
  g_assert_nonnull (strstr (text, "Set Key"));
  g_assert_nonnull (strstr (text, "Move Up"));
  g_assert_null (strstr (text, "Move Down"));   /* it is the last */
  g_free (hearth_test_save_screenshot (GTK_WIDGET (popover), "servers-page-row-menu.png"));
  /* the timer GTK 4.8 starts for what the pointer is over must not outlive the popover */
  hearth_test_wait_clock (1000);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
}

/* The tests */

static void
test_list_health (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *window = fixture->window;
  g_autofree char *text = NULL;

  if (window == NULL)
    return;
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "laptop")), "Not checked yet"));
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "big-box")), "Ollama · "));
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "big-box")), fixture->down_url));
  g_assert_true (row_has_tag (window, "laptop", "Default"));
  g_assert_false (row_has_tag_now (window, "big-box", "Default"));

  activate (window, "server.check", "big-box");
  check_until_up (window, fixture->servers, "laptop");
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "laptop")), " ms"));
  wait_row_says (window, "big-box", "Down since ");
  /* why it is down, in the row */
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "big-box")), "nothing is listening"));
  g_assert_cmpint (hearth_server_get_state (hearth_servers_lookup (fixture->servers, "big-box")),
                   ==, HEARTH_SERVER_STATE_DOWN);
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "servers-page-list", FALSE);
  save_row_menu (require_row (window, "big-box"));

  /* a move puts big-box first: it is the default now */
  activate (window, "server.move-down", "laptop");
  g_assert_cmpstr (hearth_server_get_name (hearth_servers_get_default (fixture->servers)), ==,
                   "big-box");
  g_assert_true (row_has_tag (window, "big-box", "Default"));
  g_assert_false (row_has_tag_now (window, "laptop", "Default"));
  activate (window, "server.move-up", "laptop");
  g_assert_true (row_has_tag (window, "laptop", "Default"));
  text = hearth_test_visible_text (window);
  g_assert_null (strstr (text, "Address"));   /* the single-server section is gone */
}

static void
select_preset (AdwComboRow *row,
               const char  *title)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), title))
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("no preset “%s”", title);
}

static void
test_add_server (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *window = fixture->window;
  GtkWidget *dialog;
  GtkWidget *url_row;
  GtkWidget *error_label;
  const HearthServerPreset *preset = hearth_server_preset_find ("lmstudio");
  HearthServer *added;
  g_autofree char *endpoint = NULL;

  if (window == NULL)
    return;
  activate (window, "servers.add", NULL);
  dialog = wait_toplevel (HEARTH_TYPE_SERVER_DIALOG);
  select_preset (ADW_COMBO_ROW (require_row (dialog, "Kind of Server")), "LM Studio");
  url_row = require_row (dialog, "Address");
  /* the preset filled the address, the name and the API */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url_row)), ==, preset->url);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (require_row (dialog, "Name"))), ==,
                   "lm-studio");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (require_row (dialog, "API"))), ==,
                    HEARTH_API_OPENAI);
  /* a cloud preset asks for a key; a local one does not */
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (
    hearth_test_find_descendant (dialog, GTK_TYPE_ENTRY), ADW_TYPE_PREFERENCES_GROUP)));
  select_preset (ADW_COMBO_ROW (require_row (dialog, "Kind of Server")), "OpenAI");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (hearth_test_find_descendant (
    require_row (dialog, "Cloud Server"), GTK_TYPE_SWITCH))));
  hearth_test_wait_drawn (dialog, 1000);
  g_free (hearth_test_save_screenshot (dialog, "servers-page-add-dialog.png"));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (dialog), "servers-page-add-dialog", FALSE);
  select_preset (ADW_COMBO_ROW (require_row (dialog, "Kind of Server")), "LM Studio");

  /* checked before saving, at the test engine (OpenAI-compatible too) */
  gtk_editable_set_text (GTK_EDITABLE (url_row), hearth_test_engine_url ());
  g_signal_emit_by_name (require_button (dialog, "C_heck"), "clicked");
  wait_row_says (dialog, "Check", "It answers: ");

  /* a taken name: said in the dialog, nothing saved */
  gtk_editable_set_text (GTK_EDITABLE (require_row (dialog, "Name")), "laptop");
  g_signal_emit_by_name (require_button (dialog, "_Add"), "clicked");
  error_label = hearth_test_find_with_class (dialog, GTK_TYPE_LABEL, "error");
  g_assert_true (label_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "laptop"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->servers)), ==, 2);
  /* a bad address: said too */
  gtk_editable_set_text (GTK_EDITABLE (require_row (dialog, "Name")), "lm-studio");
  gtk_editable_set_text (GTK_EDITABLE (url_row), "two words");
  g_signal_emit_by_name (require_button (dialog, "_Add"), "clicked");
  g_assert_true (label_visible (error_label));
  g_assert_null (hearth_servers_lookup (fixture->servers, "lm-studio"));

  gtk_editable_set_text (GTK_EDITABLE (url_row), hearth_test_engine_url ());
  g_signal_emit_by_name (require_button (dialog, "_Add"), "clicked");
  wait_toplevel_gone (HEARTH_TYPE_SERVER_DIALOG);
  added = hearth_servers_lookup (fixture->servers, "lm-studio");
  g_assert_nonnull (added);
  endpoint = hearth_endpoint_normalize (hearth_test_engine_url (), HEARTH_API_OPENAI, NULL);
  g_assert_cmpstr (hearth_server_get_endpoint (added), ==, endpoint);
  g_assert_cmpint (hearth_server_get_api (added), ==, HEARTH_API_OPENAI);
  g_assert_true (g_file_test (hearth_servers_get_path (fixture->servers), G_FILE_TEST_EXISTS));
  /* shown, and checked once added */
  require_row (window, "lm-studio");
  wait_row_says (window, "lm-studio", " ms");   /* "Up · 12 ms", or "Slow" on a busy machine */

  /* editing: the same dialog, filled from the server */
  activate (window, "server.edit", "big-box");
  dialog = wait_toplevel (HEARTH_TYPE_SERVER_DIALOG);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (require_row (dialog, "Name"))), ==,
                   "big-box");
  gtk_editable_set_text (GTK_EDITABLE (require_row (dialog, "Name")), "big-box-2");
  g_signal_emit_by_name (require_button (dialog, "_Save"), "clicked");
  wait_toplevel_gone (HEARTH_TYPE_SERVER_DIALOG);
  g_assert_nonnull (hearth_servers_lookup (fixture->servers, "big-box-2"));
  require_row (window, "big-box-2");
}

typedef struct
{
  const char *endpoint;
  const char *key;
} KeyWait;

static gboolean
keyring_holds (gpointer data)
{
  KeyWait *wait = data;
  g_autoptr(GError) error = NULL;
  char *stored = hearth_secrets_lookup_sync (wait->endpoint, NULL, &error);
  gboolean same = g_strcmp0 (stored, wait->key) == 0;

  g_assert_no_error (error);
  hearth_secrets_free (stored);
  return same;
}

static gboolean
dialog_body_says (gpointer data)
{
  RowWait *wait = data;
  const char *body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (wait->window));

  return body != NULL && strstr (body, wait->needle) != NULL;
}

static gboolean
is_label_saying (GtkWidget *widget,
                 gpointer   text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget)
         && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

/* Neither in the settings nor in servers.conf. */
static void
assert_nowhere_but_keyring (HearthServers *servers,
                            const char    *secret)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *conf = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, secret));
    }
  g_assert_true (g_file_get_contents (hearth_servers_get_path (servers), &conf, NULL, NULL));
  g_assert_null (strstr (conf, secret));
}

static void
test_key (Fixture       *fixture,
          gconstpointer  data)
{
  GtkWidget *window = fixture->window;
  const char *secret = "sk-hearth-test-5ecret-key";
  const char *endpoint;
  GtkWidget *dialog;
  GtkWidget *entry;
  g_autofree char *text = NULL;
  g_autofree char *dialog_text = NULL;
  RowWait body = { NULL, NULL, "Key stored in the keyring" };
  KeyWait stored;

  if (window == NULL)
    return;
  endpoint = hearth_server_get_endpoint (hearth_servers_lookup (fixture->servers, "laptop"));
  stored = (KeyWait) { endpoint, secret };
  activate (window, "server.key", "laptop");
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  entry = hearth_test_find_descendant (dialog, GTK_TYPE_ENTRY);
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  /* a key pasted with a line break in it cannot be saved, and says why */
  gtk_editable_set_text (GTK_EDITABLE (entry), "sk-test\r\n0123");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  g_assert_nonnull (hearth_test_find_widget (dialog, is_label_saying,
                                             (gpointer) "contains a line break"));
  gtk_editable_set_text (GTK_EDITABLE (entry), secret);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  respond (dialog, "save");
  wait_toplevel_gone (ADW_TYPE_MESSAGE_DIALOG);
  /* in the real keyring, under the server's address */
  g_assert_true (hearth_test_spin_until (keyring_holds, &stored, 10000));
  text = hearth_test_visible_text (window);
  g_assert_null (strstr (text, secret));
  assert_nowhere_but_keyring (fixture->servers, secret);

  /* opened again: it says a key is there, and never shows it */
  activate (window, "server.key", "laptop");
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  body.window = dialog;
  g_assert_true (hearth_test_spin_until (dialog_body_says, &body, 10000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (hearth_test_find_descendant (
    dialog, GTK_TYPE_ENTRY))), ==, "");
  dialog_text = hearth_test_visible_text (dialog);
  g_assert_null (strstr (dialog_text, secret));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "remove"));
  hearth_test_wait_drawn (dialog, 1000);
  g_free (hearth_test_save_screenshot (dialog, "servers-page-key-dialog.png"));
  /* forgetting it empties the keyring */
  respond (dialog, "remove");
  stored.key = NULL;
  g_assert_true (hearth_test_spin_until (keyring_holds, &stored, 10000));

  /* a key from the environment is named, since it comes first */
  g_setenv ("HEARTH_API_KEY", "from-env", TRUE);
  activate (window, "server.key", "laptop");
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  body = (RowWait) { dialog, NULL, "HEARTH_API_KEY" };
  g_assert_true (hearth_test_spin_until (dialog_body_says, &body, 10000));
  respond (dialog, "cancel");
  g_unsetenv ("HEARTH_API_KEY");
  wait_toplevel_gone (ADW_TYPE_MESSAGE_DIALOG);
}

static void
test_enable_remove (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *window = fixture->window;
  HearthServer *laptop;
  GtkWidget *toggle;
  GtkWidget *dialog;

  if (window == NULL)
    return;
  laptop = hearth_servers_lookup (fixture->servers, "laptop");
  toggle = hearth_test_find_descendant (require_row (window, "laptop"), GTK_TYPE_SWITCH);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
  g_assert_true (server_enabled_is (laptop, FALSE));
  /* the first server that is on is the default */
  g_assert_true (row_has_tag (window, "big-box", "Default"));
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "laptop")), "Disabled"));
  toggle = hearth_test_find_descendant (require_row (window, "laptop"), GTK_TYPE_SWITCH);
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  g_assert_true (server_enabled_is (laptop, TRUE));
  g_assert_true (row_has_tag (window, "laptop", "Default"));

  /* removing asks first */
  activate (window, "server.remove", "big-box");
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Remove big-box?");
  respond (dialog, "cancel");
  wait_toplevel_gone (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (hearth_servers_lookup (fixture->servers, "big-box"));
  activate (window, "server.remove", "big-box");
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  respond (dialog, "remove");
  wait_toplevel_gone (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_null (hearth_servers_lookup (fixture->servers, "big-box"));
  assert_no_row (window, "big-box");
  require_row (window, "laptop");
}

static char *
chain_string (HearthServers *servers)
{
  g_auto(GStrv) chain = hearth_servers_get_fallback (servers);

  return g_strjoinv (",", chain);
}

static void
test_fallback (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *window = fixture->window;
  GtkWidget *dialog;
  GtkWidget *entries;
  g_autofree char *chain = NULL;
  g_autoptr(GError) error = NULL;

  if (window == NULL)
    return;
  require_row (window, "Off: requests only go to their own server");
  activate (window, "fallback.add", "laptop");
  activate (window, "fallback.add", "big-box");
  chain = chain_string (fixture->servers);
  g_assert_cmpstr (chain, ==, "laptop,big-box");
  require_row (window, "1. laptop");
  require_row (window, "2. big-box");

  activate (window, "fallback.move-up", "big-box");
  g_free (chain);
  chain = chain_string (fixture->servers);
  g_assert_cmpstr (chain, ==, "big-box,laptop");
  require_row (window, "1. big-box");
  require_row (window, "2. laptop");

  /* a cloud server asks first */
  g_assert_nonnull (hearth_servers_add (fixture->servers, "openai", "https://api.openai.com/v1",
                                        HEARTH_API_OPENAI, TRUE, "openai", &error));
  g_assert_no_error (error);
  activate (window, "fallback.add", "openai");
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_free (chain);
  chain = chain_string (fixture->servers);
  g_assert_cmpstr (chain, ==, "big-box,laptop");
  respond (dialog, "add");
  wait_toplevel_gone (ADW_TYPE_MESSAGE_DIALOG);
  g_free (chain);
  chain = chain_string (fixture->servers);
  g_assert_cmpstr (chain, ==, "big-box,laptop,openai");
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "3. openai")), "Cloud"));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "servers-page-fallback", FALSE);
  activate (window, "fallback.remove", "laptop");
  g_free (chain);
  chain = chain_string (fixture->servers);
  g_assert_cmpstr (chain, ==, "big-box,openai");

  /* substitutes */
  require_row (window, "None: the same model is asked for everywhere");
  activate (window, "servers.add-substitute", NULL);
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  entries = hearth_test_find_descendant (dialog, GTK_TYPE_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entries), "llama3.2:3b");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_next_sibling (entries)), "gpt-4o-mini");
  respond (dialog, "add");
  wait_toplevel_gone (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (hearth_servers_get_substitute (fixture->servers, "llama3.2:3b"), ==,
                   "gpt-4o-mini");
  require_row (window, "llama3.2:3b → gpt-4o-mini");
  activate (window, "servers.remove-substitute", "llama3.2:3b");
  g_assert_null (hearth_servers_get_substitute (fixture->servers, "llama3.2:3b"));
  assert_no_row (window, "llama3.2:3b → gpt-4o-mini");
}

static gboolean
route_listed (HearthRoutes *routes,
              const char   *word)
{
  g_autoptr(GPtrArray) list = hearth_routes_list (routes);

  for (guint i = 0; i < list->len; i++)
    {
      HearthRoute *route = g_ptr_array_index (list, i);

      if (route->kind == HEARTH_ROUTE_KEYWORD && g_strcmp0 (route->value, word) == 0
          && g_strcmp0 (route->model, "tiny-fixed") == 0 && g_strcmp0 (route->server, "laptop") == 0)
        return TRUE;
    }
  return FALSE;
}

static guint
route_index (HearthRoutes *routes,
             const char   *id)
{
  g_autoptr(GPtrArray) list = hearth_routes_list (routes);

  for (guint i = 0; i < list->len; i++)
    if (g_str_equal (((HearthRoute *) g_ptr_array_index (list, i))->id, id))
      return i;
  return G_MAXUINT;
}

static gboolean
tiers_resolved (gpointer data)
{
  GtkWidget *window = data;

  return !g_str_equal (subtitle_of (require_row (window, "The Fast Model Is Now")), "Looking…")
         && !g_str_equal (subtitle_of (require_row (window, "The Most Capable Model Is Now")),
                          "Looking…");
}

static void
test_routes (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *window = fixture->window;
  HearthRoutes *routes;
  GtkWidget *dialog;
  AdwComboRow *kind;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *described = NULL;
  g_autofree char *added_id = NULL;
  guint position = 0;

  if (window == NULL)
    return;
  routes = hearth_engine_get_routes (fixture->engine);
  g_assert_true (hearth_routes_are_default (routes));
  /* nothing to reset yet */
  g_assert_false (gtk_widget_get_sensitive (find_actionable (window, "routes.reset")));
  /* every default rule is listed as a sentence */
  list = hearth_routes_list (routes);
  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *line = hearth_route_describe (g_ptr_array_index (list, i));

      require_row (window, line);
    }
  g_clear_pointer (&list, g_ptr_array_unref);
  /* what @fast and @capable are now: the tiny model on laptop, or why none */
  g_assert_true (hearth_test_spin_until (tiers_resolved, window, 15000));

  activate (window, "routes.add", NULL);
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  kind = ADW_COMBO_ROW (require_row (dialog, "When"));
  adw_combo_row_set_selected (kind, 4);   /* a word */
  gtk_editable_set_text (GTK_EDITABLE (require_row (dialog, "The word")), "sql");
  adw_combo_row_set_selected (ADW_COMBO_ROW (require_row (dialog, "Use")), 2);
  g_assert_true (gtk_widget_get_visible (require_row (dialog, "Model")));
  gtk_editable_set_text (GTK_EDITABLE (require_row (dialog, "Model")), "tiny-fixed");
  adw_combo_row_set_selected (ADW_COMBO_ROW (require_row (dialog, "On")), 1);   /* laptop */
  hearth_test_wait_drawn (dialog, 1000);
  g_free (hearth_test_save_screenshot (dialog, "servers-page-rule-dialog.png"));
  respond (dialog, "add");
  wait_toplevel_gone (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_true (route_listed (routes, "sql"));
  g_assert_false (hearth_routes_are_default (routes));
  g_assert_true (hearth_test_spin_until ((gboolean (*) (gpointer)) gtk_widget_get_sensitive,
                                         find_actionable (window, "routes.reset"), 3000));

  list = hearth_routes_list (routes);
  for (guint i = 0; i < list->len; i++)
    if (((HearthRoute *) g_ptr_array_index (list, i))->kind == HEARTH_ROUTE_KEYWORD)
      {
        added_id = g_strdup (((HearthRoute *) g_ptr_array_index (list, i))->id);
        described = hearth_route_describe (g_ptr_array_index (list, i));
        position = i;
      }
  g_assert_nonnull (added_id);
  g_assert_cmpuint (position, >, 0);
  require_row (window, described);
  save_routes_wide_and_narrow (window);

  /* moved up one, then removed */
  activate (window, "routes.move-up", added_id);
  g_assert_cmpuint (route_index (routes, added_id), ==, position - 1);
  activate (window, "routes.remove", added_id);
  g_assert_cmpuint (route_index (routes, added_id), ==, G_MAXUINT);
  assert_no_row (window, described);
  activate (window, "routes.reset", NULL);
  g_assert_true (hearth_routes_are_default (routes));
}

/* The server set up the old way (the settings, OLLAMA_HOST) is the list's
 * first entry until the list is changed: the page shows where it is. */
static void
test_from_settings (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  GtkWidget *window;
  HearthServer *server;
  g_autofree char *address = closed_address ();

  g_settings_set_string (settings, "endpoint", address);
  engine = hearth_engine_new_for_settings (settings, 0);
  server = hearth_servers_get_default (hearth_engine_get_servers (engine));
  window = hearth_preferences_window_new (NULL, engine);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "servers");
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 5000);
  g_assert_nonnull (strstr (subtitle_of (require_row (window, hearth_server_get_name (server))),
                            address));
  g_assert_nonnull (strstr (subtitle_of (require_row (window, hearth_server_get_name (server))),
                            "(from the settings of an earlier Hearth)"));
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
  g_settings_reset (settings, "endpoint");
  g_clear_object (&engine);

  /* OLLAMA_HOST names this computer's Ollama: the row says where it is */
  g_setenv ("OLLAMA_HOST", "10.1.2.3:4567", TRUE);
  engine = hearth_engine_new_for_settings (settings, 0);
  server = hearth_servers_get_default (hearth_engine_get_servers (engine));
  window = hearth_preferences_window_new (NULL, engine);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "servers");
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 5000);
  g_assert_nonnull (strstr (subtitle_of (require_row (window, hearth_server_get_name (server))),
                            "http://10.1.2.3:4567"));
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
  g_unsetenv ("OLLAMA_HOST");
}

/* The Address field, the line under it, and the Save button of the Edit dialog. */
static GtkWidget *
open_edit_dialog (GtkWidget  *window,
                  const char *name)
{
  GtkWidget *dialog;

  activate (window, "server.edit", name);
  dialog = wait_toplevel (HEARTH_TYPE_SERVER_DIALOG);
  hearth_test_wait_drawn (dialog, 2000);
  return dialog;
}

static void
save_and_close (GtkWidget *dialog)
{
  g_signal_emit_by_name (require_button (dialog, "_Save"), "clicked");
  wait_toplevel_gone (HEARTH_TYPE_SERVER_DIALOG);
}

/* This computer's Ollama where OLLAMA_HOST says: the row and the Edit dialog
 * show the address in use and that it is from OLLAMA_HOST; saving the
 * dialog untouched keeps following OLLAMA_HOST (servers.conf keeps url=
 * empty); typing another address is saved as typed. */
static void
test_address_from_env (void)
{
  g_autoptr(HearthEngine) engine = NULL;
  g_autofree char *env_url = closed_address ();
  g_autofree char *moved_url = closed_address ();
  g_autofree char *typed_url = closed_address ();
  g_autofree char *in_row = NULL;
  g_autofree char *text = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *name = NULL;
  HearthServers *servers;
  HearthServer *server;
  GtkWidget *window, *dialog, *url_row;

  /* as people write it: host and port */
  g_setenv ("OLLAMA_HOST", env_url + strlen ("http://"), TRUE);
  engine = hearth_engine_new_for_settings (settings, 0);
  servers = hearth_engine_get_servers (engine);
  server = hearth_servers_get_default (servers);
  name = g_strdup (hearth_server_get_name (server));
  window = hearth_preferences_window_new (NULL, engine);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "servers");
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 760);
  gtk_window_present (GTK_WINDOW (window));
  hearth_test_wait_drawn (window, 5000);

  /* the row: the address in use, and where it comes from */
  in_row = g_strdup_printf ("%s (from OLLAMA_HOST)", env_url);
  g_assert_nonnull (strstr (subtitle_of (require_row (window, name)), in_row));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (window), "servers-page-ollama-host", FALSE);

  /* the dialog: the address in the field (not empty), its source under it */
  dialog = open_edit_dialog (window, name);
  url_row = require_row (dialog, "Address");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url_row)), ==, env_url);
  text = hearth_test_visible_text (dialog);
  g_assert_nonnull (strstr (text, "from OLLAMA_HOST"));
  hearth_test_save_wide_and_narrow (GTK_WINDOW (dialog), "servers-page-edit-ollama-host", FALSE);
  /* emptied, the line says what empty stands for */
  gtk_editable_set_text (GTK_EDITABLE (url_row), "");
  g_free (text);
  text = hearth_test_visible_text (dialog);
  g_assert_nonnull (strstr (text, "Left empty"));
  g_assert_nonnull (strstr (text, in_row));
  /* put back as it was, and saved with a change of name only */
  gtk_editable_set_text (GTK_EDITABLE (url_row), env_url);
  gtk_editable_set_text (GTK_EDITABLE (require_row (dialog, "Name")), "this-one");
  save_and_close (dialog);
  server = hearth_servers_lookup (servers, "this-one");
  g_assert_nonnull (server);
  g_assert_cmpstr (hearth_server_get_url (server), ==, "");
  g_assert_cmpint (hearth_server_get_address_source (server), ==, HEARTH_ADDRESS_OLLAMA_HOST);
  conf = NULL;
  g_assert_true (g_file_get_contents (hearth_servers_get_path (servers), &conf, NULL, NULL));
  g_assert_null (strstr (conf, env_url + strlen ("http://")));
  /* so it follows OLLAMA_HOST when that changes */
  g_setenv ("OLLAMA_HOST", moved_url + strlen ("http://"), TRUE);
  g_assert_cmpstr (hearth_server_get_endpoint (server), ==, moved_url);

  /* another address typed in: saved as typed, and the row no longer says OLLAMA_HOST */
  dialog = open_edit_dialog (window, "this-one");
  url_row = require_row (dialog, "Address");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (url_row)), ==, moved_url);
  gtk_editable_set_text (GTK_EDITABLE (url_row), typed_url);
  g_free (text);
  text = hearth_test_visible_text (dialog);
  g_assert_null (strstr (text, "OLLAMA_HOST"));
  save_and_close (dialog);
  server = hearth_servers_lookup (servers, "this-one");
  g_assert_cmpstr (hearth_server_get_url (server), ==, typed_url);
  g_assert_cmpint (hearth_server_get_address_source (server), ==, HEARTH_ADDRESS_TYPED);
  g_assert_nonnull (strstr (subtitle_of (require_row (window, "this-one")), typed_url));
  g_assert_null (strstr (subtitle_of (require_row (window, "this-one")), "OLLAMA_HOST"));

  g_unsetenv ("OLLAMA_HOST");
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  hearth_test_spin_until (hearth_test_only_ref, window, 2000);
  g_assert_finalize_object (window);
  g_remove (hearth_servers_get_path (servers));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hearth_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();
  settings = g_settings_new (APP_ID);

  g_test_add_func ("/servers-page/from-settings", test_from_settings);
  g_test_add_func ("/servers-page/address-from-env", test_address_from_env);
  g_test_add ("/servers-page/list-health", Fixture, NULL, fixture_set_up, test_list_health,
              fixture_tear_down);
  g_test_add ("/servers-page/add", Fixture, NULL, fixture_set_up, test_add_server,
              fixture_tear_down);
  g_test_add ("/servers-page/key", Fixture, NULL, fixture_set_up, test_key, fixture_tear_down);
  g_test_add ("/servers-page/enable-remove", Fixture, NULL, fixture_set_up, test_enable_remove,
              fixture_tear_down);
  g_test_add ("/servers-page/fallback", Fixture, NULL, fixture_set_up, test_fallback,
              fixture_tear_down);
  g_test_add ("/servers-page/routes", Fixture, NULL, fixture_set_up, test_routes,
              fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&settings);
  return ret;
}
