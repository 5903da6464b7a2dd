/* test-models-page.c — the Models page lists, pulls, unloads and deletes on the real test engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-test-models-page"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "hearth-model-row.h"
#include "hearth-models-page.h"
#include "hearth-test-server.h"
#include "hearth-test-ui.h"
#include "hearth-test-util.h"

#define LONG_NAME "qwen2.5-coder-instruct-with-a-rather-long-name-for-narrow-windows"

static GSettings *settings;

typedef struct
{
  GtkWindow        *window;
  HearthModelsPage *page;
  HearthEngine     *engine;
} Fixture;

/* The test engine, with tiny-pulled.gguf in its --pull-source folder, and a model
 * with a long name to see that names ellipsize rather than widen the page. */
static gboolean
start_engine (void)
{
  g_autofree char *long_name = NULL;

  if (!hearth_test_require_node ())
    return FALSE;
  long_name = hearth_test_make_model ("fixed", LONG_NAME);
  hearth_test_engine_with_pull_source ();
  g_settings_set_string (settings, "endpoint", hearth_test_engine_url ());
  g_settings_set_string (settings, "api-kind", "ollama");
  return TRUE;
}

static gboolean
page_is_loaded (gpointer data)
{
  return hearth_models_page_is_loaded (HEARTH_MODELS_PAGE (data));
}

static gboolean
not_polling (gpointer page)
{
  return !hearth_models_page_is_polling (page);
}

static void
fixture_open (Fixture *fixture,
              int      width,
              int      height)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = g_object_new (HEARTH_TYPE_MODELS_PAGE, NULL);

  fixture->engine = hearth_engine_new (NULL);
  hearth_models_page_set_engine (HEARTH_MODELS_PAGE (page), fixture->engine);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), page);
  /* Nobody looked yet: nothing asked of the server. */
  hearth_test_spin_for (100);
  g_assert_false (hearth_models_page_is_loaded (HEARTH_MODELS_PAGE (page)));
  gtk_window_present (GTK_WINDOW (window));
  fixture->window = GTK_WINDOW (window);
  fixture->page = HEARTH_MODELS_PAGE (page);
  g_assert_true (hearth_test_spin_until (page_is_loaded, page, 10000));
  hearth_test_wait_drawn (window, 2000);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_close (Fixture *fixture)
{
  gpointer page = fixture->page;

  /* Requests in flight hold the page until their cancellation comes back. */
  g_object_add_weak_pointer (G_OBJECT (page), &page);
  gtk_window_destroy (fixture->window);
  g_assert_true (hearth_test_spin_until (is_null, &page, 2000));
  g_clear_object (&fixture->engine);
}

static void
assert_text_has (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” not on the page:\n%s", needle, text);
}

static char *
page_text (Fixture *fixture)
{
  return hearth_test_visible_text (GTK_WIDGET (fixture->page));
}

static gboolean
is_model_row (GtkWidget *widget,
              gpointer   name)
{
  return HEARTH_IS_MODEL_ROW (widget) &&
         g_strcmp0 (hearth_model_row_get_name (HEARTH_MODEL_ROW (widget)), name) == 0;
}

static gboolean
row_is_hidden (gpointer row)
{
  return !gtk_widget_get_visible (row);
}

static HearthModelRow *
find_row (Fixture    *fixture,
          const char *name)
{
  return (HearthModelRow *) hearth_test_find_widget (GTK_WIDGET (fixture->page), is_model_row,
                                                     (gpointer) name);
}

/* The server's list, asked through the provider rather than the page. */
typedef struct
{
  GPtrArray *models;
  gboolean   done;
} ListWait;

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ListWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  wait->models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result, &error);
  g_assert_no_error (error);
  wait->done = TRUE;
}

static gboolean
list_is_done (gpointer data)
{
  return ((ListWait *) data)->done;
}

static gboolean
server_has_model (HearthEngine *engine,
                  const char   *name)
{
  g_autoptr(GError) error = NULL;
  HearthProvider *provider = hearth_engine_get_configured_provider (engine, settings, &error);
  ListWait wait = { NULL, FALSE };
  gboolean found;

  g_assert_no_error (error);
  hearth_provider_list_models_async (provider, NULL, listed_cb, &wait);
  g_assert_true (hearth_test_spin_until (list_is_done, &wait, 5000));
  found = hearth_model_info_find (wait.models, name) != NULL;
  g_ptr_array_unref (wait.models);
  return found;
}

/* A chat with no messages loads a model, as Ollama's does. */
static void
load_model (const char *name)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (hearth_test_engine_url (), "/api/chat", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autofree char *body = g_strdup_printf ("{\"model\":\"%s\",\"messages\":[],\"stream\":false}",
                                           name);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
}

static char *
screenshot (Fixture    *fixture,
            const char *name)
{
  g_autofree char *path = hearth_test_save_screenshot (GTK_WIDGET (fixture->window), name);

  g_test_message ("screenshot: %s", path);
  return g_steal_pointer (&path);
}

static gboolean
row_shows_context (gpointer data)
{
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (data));

  return subtitle != NULL && strstr (subtitle, "4096-token context") != NULL;
}

static GtkWidget *find_toplevel (GType type);

static gboolean
has_message_dialog (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
no_message_dialog (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static void
test_models_page_list (void)
{
  Fixture fixture;
  HearthModelRow *row;
  GtkWidget *dialog;
  g_autofree char *text = NULL;
  g_autofree char *dialog_text = NULL;
  g_autofree char *shot = NULL;

  if (!start_engine ())
    return;
  fixture_open (&fixture, 1280, 800);
  text = page_text (&fixture);
  assert_text_has (text, "tiny-fixed:latest");
  assert_text_has (text, "Download a Model");
  assert_text_has (text, "Installed");
  row = find_row (&fixture, "tiny-fixed:latest");
  g_assert_nonnull (row);
  assert_text_has (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "kB");
  /* The context length comes from show, row by row, after the list. */
  g_assert_true (hearth_test_spin_until (row_shows_context, row, 5000));
  shot = screenshot (&fixture, "models-page-1280.png");

  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "models.details", "s",
                              "tiny-fixed:latest");
  hearth_test_spin_until (has_message_dialog, NULL, 5000);
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  hearth_test_wait_drawn (dialog, 2000);
  dialog_text = hearth_test_visible_text (dialog);
  assert_text_has (dialog_text, "Context Length");
  assert_text_has (dialog_text, "4096 tokens");
  assert_text_has (dialog_text, "llama");
  assert_text_has (dialog_text, "completion");
  g_clear_pointer (&shot, g_free);
  shot = hearth_test_save_screenshot (dialog, "models-page-details.png");
  g_test_message ("screenshot: %s", shot);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "close");
  hearth_test_spin_until (no_message_dialog, NULL, 2000);
  fixture_close (&fixture);
}

static void
on_fraction (GtkProgressBar *bar,
             GParamSpec     *pspec,
             double         *max)
{
  *max = MAX (*max, gtk_progress_bar_get_fraction (bar));
}

typedef struct
{
  Fixture    *fixture;
  const char *name;
} RowWait;

static gboolean
row_appears (gpointer data)
{
  RowWait *wait = data;

  return find_row (wait->fixture, wait->name) != NULL;
}

static void
pull_through_page (Fixture    *fixture,
                   const char *name,
                   const char *screenshot_name)
{
  GtkWidget *entry = hearth_test_find_descendant (GTK_WIDGET (fixture->page), GTK_TYPE_ENTRY);
  GtkWidget *bar = hearth_test_find_descendant (GTK_WIDGET (fixture->page),
                                                GTK_TYPE_PROGRESS_BAR);
  g_autofree char *tagged = hearth_model_name_with_tag (name);
  RowWait wait = { fixture, tagged };
  double max = 0;
  gulong handler = g_signal_connect (bar, "notify::fraction", G_CALLBACK (on_fraction), &max);

  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "models.pull", NULL);
  if (screenshot_name != NULL)
    {
      g_autofree char *shot = NULL;

      /* the pull under way: it keeps moving, one frame shows it */
      hearth_test_wait_frame (GTK_WIDGET (fixture->window), 2000);
      shot = screenshot (fixture, screenshot_name);
    }
  g_assert_true (hearth_test_spin_until (row_appears, &wait, 20000));
  g_signal_handler_disconnect (bar, handler);
  g_assert_cmpfloat (max, ==, 1.0);
}

static void
test_models_page_pull (void)
{
  Fixture fixture;
  g_autofree char *text = NULL;

  if (!start_engine ())
    return;
  fixture_open (&fixture, 1280, 800);
  g_assert_null (find_row (&fixture, "tiny-pulled:latest"));
  pull_through_page (&fixture, "tiny-pulled", "models-page-pulling.png");
  text = page_text (&fixture);
  assert_text_has (text, "100 %");
  g_assert_true (server_has_model (fixture.engine, "tiny-pulled:latest"));
  fixture_close (&fixture);
}

static void
ensure_pulled (Fixture *fixture)
{
  if (find_row (fixture, "tiny-pulled:latest") == NULL)
    pull_through_page (fixture, "tiny-pulled", NULL);
}

static gboolean
row_is_gone (gpointer fixture)
{
  return find_row (fixture, "tiny-pulled:latest") == NULL;
}

static gboolean
row_is_loaded (gpointer data)
{
  return hearth_model_row_get_loaded (HEARTH_MODEL_ROW (data));
}

static gboolean
row_is_unloaded (gpointer data)
{
  return !hearth_model_row_get_loaded (HEARTH_MODEL_ROW (data));
}

static void
test_models_page_unload (void)
{
  Fixture fixture;
  HearthModelRow *row;
  g_autofree char *ps = NULL;
  g_autofree char *shot = NULL;
  const char *subtitle;

  if (!start_engine ())
    return;
  fixture_open (&fixture, 1280, 800);
  row = find_row (&fixture, "tiny-fixed:latest");
  g_assert_nonnull (row);
  load_model ("tiny-fixed");
  /* No refresh asked for: the page's own 5 s poll must notice. */
  g_assert_true (hearth_test_spin_until (row_is_loaded, row, 8000));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  assert_text_has (subtitle, "On the CPU");
  assert_text_has (subtitle, "unloads in");
  shot = screenshot (&fixture, "models-page-loaded.png");

  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "models.unload", "s",
                              "tiny-fixed:latest");
  g_assert_true (hearth_test_spin_until (row_is_unloaded, row, 5000));
  ps = hearth_test_server_request (hearth_test_engine_server (NULL), "GET", "/api/ps");
  g_assert_null (strstr (ps, "tiny-fixed"));
  fixture_close (&fixture);
}

static void
confirm_delete (Fixture    *fixture,
                const char *name)
{
  GtkWidget *dialog;
  HearthModelRow *row = find_row (fixture, name);

  g_assert_nonnull (row);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "models.delete", "s", name);
  hearth_test_spin_until (has_message_dialog, NULL, 5000);
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog),
                                                               "delete"),
                   ==, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  hearth_test_spin_until (row_is_hidden, row, 2000);
  /* Hidden at once, still on the server until the toast goes. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (row)));
  g_assert_true (server_has_model (fixture->engine, name));
}

static gboolean
is_undo_button (GtkWidget *widget,
                gpointer   data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), "_Undo") == 0;
}

static gboolean
row_is_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
test_models_page_delete_undo (void)
{
  Fixture fixture;
  GtkWidget *undo;
  g_autofree char *shot = NULL;

  if (!start_engine ())
    return;
  fixture_open (&fixture, 1280, 800);
  ensure_pulled (&fixture);
  confirm_delete (&fixture, "tiny-pulled:latest");
  shot = screenshot (&fixture, "models-page-undo.png");
  undo = hearth_test_find_widget (GTK_WIDGET (fixture.page), is_undo_button, NULL);
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (hearth_test_spin_until (row_is_visible,
                                         find_row (&fixture, "tiny-pulled:latest"), 2000));
  /* nothing to wait for that shows it stays: all that is pending runs */
  hearth_test_wait_drawn (GTK_WIDGET (fixture.window), 2000);
  g_assert_true (server_has_model (fixture.engine, "tiny-pulled:latest"));
  fixture_close (&fixture);
}

typedef struct
{
  HearthEngine *engine;
  const char   *name;
} GoneWait;

static gboolean
model_is_gone (gpointer data)
{
  GoneWait *wait = data;

  return !server_has_model (wait->engine, wait->name);
}

static void
test_models_page_delete (void)
{
  Fixture fixture;
  GoneWait wait = { NULL, "tiny-pulled:latest" };

  if (!start_engine ())
    return;
  fixture_open (&fixture, 1280, 800);
  ensure_pulled (&fixture);
  confirm_delete (&fixture, "tiny-pulled:latest");
  /* The toast times out, and only then is the model deleted. */
  wait.engine = fixture.engine;
  g_assert_true (hearth_test_spin_until (model_is_gone, &wait, 15000));
  hearth_test_spin_until (row_is_gone, &fixture, 5000);
  g_assert_null (find_row (&fixture, "tiny-pulled:latest"));
  fixture_close (&fixture);
}

static void
test_models_page_delete_on_close (void)
{
  Fixture fixture;
  g_autoptr(HearthEngine) engine = NULL;
  GoneWait wait = { NULL, "tiny-pulled:latest" };

  if (!start_engine ())
    return;
  fixture_open (&fixture, 1280, 800);
  ensure_pulled (&fixture);
  confirm_delete (&fixture, "tiny-pulled:latest");
  engine = g_object_ref (fixture.engine);
  /* The window goes with the toast still up: the confirmed delete still happens. */
  fixture_close (&fixture);
  wait.engine = engine;
  g_assert_true (hearth_test_spin_until (model_is_gone, &wait, 5000));
}

static gboolean
is_visible_action_button (GtkWidget *widget,
                          gpointer   action)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_is_visible (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static void
test_models_page_openai (void)
{
  Fixture fixture;
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *entry;

  if (!start_engine ())
    return;
  g_settings_set_string (settings, "api-kind", "openai");
  fixture_open (&fixture, 1280, 800);
  text = page_text (&fixture);
  assert_text_has (text, "tiny-fixed:latest");
  assert_text_has (text, "This OpenAI-compatible server cannot download, delete or unload models.");
  entry = hearth_test_find_descendant (GTK_WIDGET (fixture.page), GTK_TYPE_ENTRY);
  g_assert_false (gtk_widget_is_visible (entry));
  g_assert_null (hearth_test_find_widget (GTK_WIDGET (fixture.page), is_visible_action_button,
                                          (gpointer) "models.delete"));
  g_assert_null (hearth_test_find_widget (GTK_WIDGET (fixture.page), is_visible_action_button,
                                          (gpointer) "models.unload"));
  shot = screenshot (&fixture, "models-page-openai.png");

  /* Back to Ollama: the page follows the setting while it is shown. */
  g_settings_set_string (settings, "api-kind", "ollama");
  g_assert_true (hearth_test_spin_until (page_is_loaded, fixture.page, 5000));
  hearth_test_wait_drawn (GTK_WIDGET (fixture.window), 2000);
  g_assert_true (gtk_widget_is_visible (entry));
  g_assert_nonnull (hearth_test_find_widget (GTK_WIDGET (fixture.page), is_visible_action_button,
                                             (gpointer) "models.delete"));
  fixture_close (&fixture);
}

static void
test_models_page_unreachable (void)
{
  Fixture fixture;
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;

  g_settings_set_string (settings, "endpoint", "http://127.0.0.1:9");
  g_settings_set_string (settings, "api-kind", "ollama");
  fixture_open (&fixture, 1280, 800);
  text = page_text (&fixture);
  assert_text_has (text, "Cannot Reach the Server");
  assert_text_has (text, "Retry");
  shot = screenshot (&fixture, "models-page-unreachable.png");
  g_assert_false (hearth_models_page_is_polling (fixture.page));
  fixture_close (&fixture);
}

/* Every mapped widget lies inside the window's width. */
static void
assert_within (GtkWidget *widget,
               GtkWidget *window,
               int        width)
{
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (widget))
    return;
  if (gtk_widget_compute_bounds (widget, window, &bounds) &&
      (bounds.origin.x < -0.5 || bounds.origin.x + bounds.size.width > width + 0.5))
    g_error ("%s is %.0f px wide at x %.0f, in a %d px window",
             G_OBJECT_TYPE_NAME (widget), bounds.size.width, bounds.origin.x, width);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    assert_within (c, window, width);
}

static void
test_models_page_narrow (void)
{
  Fixture fixture;
  HearthModelRow *row;
  g_autofree char *shot = NULL;
  int minimum;

  if (!start_engine ())
    return;
  fixture_open (&fixture, 360, 720);
  row = find_row (&fixture, LONG_NAME ":latest");
  g_assert_nonnull (row);
  load_model ("tiny-fixed");
  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "models.refresh", NULL);
  g_assert_true (hearth_test_spin_until (page_is_loaded, fixture.page, 5000));
  g_assert_true (hearth_test_spin_until (row_is_loaded, find_row (&fixture, "tiny-fixed:latest"),
                                         5000));
  hearth_test_wait_drawn (GTK_WIDGET (fixture.window), 2000);
  gtk_widget_measure (GTK_WIDGET (fixture.page), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture.window)), ==, 360);
  assert_within (GTK_WIDGET (fixture.page), GTK_WIDGET (fixture.window), 360);
  shot = screenshot (&fixture, "models-page-360.png");
  gtk_widget_activate_action (GTK_WIDGET (fixture.page), "models.unload", "s",
                              "tiny-fixed:latest");
  hearth_test_spin_until (row_is_unloaded, find_row (&fixture, "tiny-fixed:latest"), 5000);
  fixture_close (&fixture);
}

static void
test_models_page_polls_only_when_shown (void)
{
  Fixture fixture;
  GtkSpinner *spinner;

  if (!start_engine ())
    return;
  fixture_open (&fixture, 800, 600);
  g_assert_true (hearth_models_page_is_polling (fixture.page));
  gtk_widget_set_visible (GTK_WIDGET (fixture.window), FALSE);
  hearth_test_spin_until (not_polling, fixture.page, 2000);
  g_assert_false (hearth_models_page_is_polling (fixture.page));
  /* A refresh while hidden does not spin an unseen spinner. */
  hearth_models_page_refresh (fixture.page);
  spinner = GTK_SPINNER (hearth_test_find_descendant (GTK_WIDGET (fixture.page),
                                                      GTK_TYPE_SPINNER));
  g_assert_false (gtk_spinner_get_spinning (spinner));
  gtk_window_present (fixture.window);
  g_assert_true (hearth_test_spin_until (page_is_loaded, fixture.page, 5000));
  g_assert_true (hearth_models_page_is_polling (fixture.page));
  fixture_close (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hearth_test_init (&argc, &argv);
  g_unsetenv ("OLLAMA_HOST");
  gtk_init ();
  adw_init ();
  settings = g_settings_new (APP_ID);

  g_test_add_func ("/models-page/list", test_models_page_list);
  g_test_add_func ("/models-page/pull", test_models_page_pull);
  g_test_add_func ("/models-page/unload", test_models_page_unload);
  g_test_add_func ("/models-page/delete-undo", test_models_page_delete_undo);
  g_test_add_func ("/models-page/delete", test_models_page_delete);
  g_test_add_func ("/models-page/delete-on-close", test_models_page_delete_on_close);
  g_test_add_func ("/models-page/openai", test_models_page_openai);
  g_test_add_func ("/models-page/unreachable", test_models_page_unreachable);
  g_test_add_func ("/models-page/narrow", test_models_page_narrow);
  g_test_add_func ("/models-page/polls-only-when-shown", test_models_page_polls_only_when_shown);

  ret = g_test_run ();
  g_clear_object (&settings);
  return ret;
}
