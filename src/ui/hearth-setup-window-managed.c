/* hearth-setup-window-managed.c — the assistant's servers Hearth runs: Ollama, llama.cpp's
 * server, and the demo
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When no server answers, the assistant offers what this computer can run
 * (the program is installed, or the demo's engine is there); taking an
 * offer adds the server to the user's list, starts it through
 * HearthServers, and scans again: it is then found and chosen like any
 * other. Nothing here spawns a process or reads a file.
 */
#define G_LOG_DOMAIN "hearth-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-error.h"
#include "hearth-gguf-chooser.h"
#include "hearth-setup-window-private.h"

#define OFFER_DEMO "demo"

static const char *
managed_label (HearthServer *server)
{
  switch (hearth_server_get_managed (server))
    {
    case HEARTH_MANAGED_OLLAMA:
      return "Ollama";
    case HEARTH_MANAGED_LLAMA_SERVER:
      return "llama.cpp";
    case HEARTH_MANAGED_ENGINE:
    case HEARTH_MANAGED_NONE:
    default:
      return _("Hearth’s engine");
    }
}

/* The servers Hearth runs are found where they are, whatever port they took. */
void
_hearth_setup_window_add_managed_servers (HearthSetupWindow *self)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);
      Server *found;

      if (hearth_server_get_managed (server) == HEARTH_MANAGED_NONE)
        continue;
      found = _hearth_setup_window_add_server (self, hearth_server_get_endpoint (server),
                                               hearth_server_get_api (server),
                                               managed_label (server));
      found->managed = TRUE;
      found->demo = hearth_server_get_demo (server);
      if (found->demo)
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (found->row), _(HEARTH_DEMO_LABEL));
    }
}

/* The offers */

static GtkWidget *
offer_row_new (HearthSetupWindow *self,
               const char        *offer,
               const char        *title,
               const char        *subtitle,
               const char        *button_label)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (button_label);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_visible (spinner, FALSE);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "setup.run");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", offer);
  /* with no server found, the first of them is the way on */
  if (gtk_widget_get_first_child (GTK_WIDGET (self->run_list)) == NULL)
    gtk_widget_add_css_class (button, "suggested-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spinner);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_object_set_data_full (G_OBJECT (row), "hearth-offer", g_strdup (offer), g_free);
  g_object_set_data (G_OBJECT (row), "hearth-spinner", spinner);
  g_object_set_data (G_OBJECT (row), "hearth-button", button);
  gtk_list_box_append (self->run_list, row);
  return row;
}

static GtkWidget *
find_offer (HearthSetupWindow *self,
            const char        *offer)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->run_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "hearth-offer"), offer) == 0)
      return row;
  return NULL;
}

/* Working on @offer: the others wait. */
static void
offer_busy (HearthSetupWindow *self,
            const char        *offer,
            const char        *text)
{
  GtkWidget *row = find_offer (self, offer);
  GtkWidget *spinner;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.run", FALSE);
  /* rescanned meanwhile: the row is gone, the work goes on */
  if (row == NULL)
    return;
  spinner = g_object_get_data (G_OBJECT (row), "hearth-spinner");
  gtk_widget_remove_css_class (row, "error");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
  gtk_widget_set_visible (spinner, TRUE);
  gtk_spinner_start (GTK_SPINNER (spinner));
}

static void
offer_done (HearthSetupWindow *self,
            const char        *offer,
            const char        *problem)
{
  GtkWidget *row = find_offer (self, offer);
  GtkWidget *spinner = row != NULL ? g_object_get_data (G_OBJECT (row), "hearth-spinner") : NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.run", TRUE);
  if (row == NULL)
    return;
  gtk_spinner_stop (GTK_SPINNER (spinner));
  gtk_widget_set_visible (spinner, FALSE);
  if (problem == NULL)
    return;
  gtk_widget_add_css_class (row, "error");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), problem);
}

void
_hearth_setup_window_fill_offers (HearthSetupWindow *self)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  g_autofree char *ollama = hearth_managed_find_program (HEARTH_MANAGED_OLLAMA, NULL, NULL);
  g_autofree char *llama = hearth_managed_find_program (HEARTH_MANAGED_LLAMA_SERVER, NULL, NULL);
  gboolean demo = hearth_servers_demo_available (servers, NULL);

  _hearth_setup_window_clear_list (self->run_list);
  if (ollama != NULL)
    offer_row_new (self, hearth_managed_kind_to_string (HEARTH_MANAGED_OLLAMA),
                   _("Ollama Is Installed"),
                   _("It is not running. Hearth can start it now, restart it if it stops, and "
                     "stop it when you quit."),
                   _("_Let Hearth Run It"));
  if (llama != NULL)
    offer_row_new (self, hearth_managed_kind_to_string (HEARTH_MANAGED_LLAMA_SERVER),
                   _("llama.cpp’s Server Is Installed"),
                   _("It serves one model file (.gguf) you already have: choose it, and Hearth "
                     "runs the server."),
                   _("_Open a GGUF File…"));
  if (demo)
    offer_row_new (self, OFFER_DEMO, _("Try the Demo Model"),
                   _("A tiny model that answers with placeholder text, to see Hearth at work "
                     "before you install a real server. Nothing is downloaded."),
                   _("_Try the Demo"));
  gtk_widget_set_visible (GTK_WIDGET (self->run_list), ollama != NULL || llama != NULL || demo);
  if (ollama != NULL)
    gtk_label_set_label (self->install_label,
                         _("Or start Ollama yourself with “ollama serve”, then rescan."));
  else if (demo || llama != NULL)
    gtk_label_set_label (self->install_label,
                         _("For real answers, install Ollama: open a terminal and run\n\n"
                           "curl -fsSL https://ollama.com/install.sh | sh\n\n"
                           "then rescan."));
}

/* Starting one */

typedef struct
{
  HearthSetupWindow *self;
  char              *offer;
  char              *name;
} Run;

static Run *
run_new (HearthSetupWindow *self,
         const char        *offer)
{
  Run *run = g_new0 (Run, 1);

  run->self = g_object_ref (self);
  run->offer = g_strdup (offer);
  return run;
}

static void
run_free (Run *run)
{
  g_object_unref (run->self);
  g_free (run->offer);
  g_free (run->name);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

/* Before the first change writes the list, its only server is the one made
 * from the settings: the server Hearth runs takes its place, as a server
 * found by the assistant does (see save_server ()). */
static void
remember_implicit (HearthSetupWindow *self)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  g_autoptr(HearthServer) first = NULL;

  if (self->implicit_name != NULL
      || g_file_test (hearth_servers_get_path (servers), G_FILE_TEST_EXISTS)
      || g_list_model_get_n_items (G_LIST_MODEL (servers)) != 1)
    return;
  first = g_list_model_get_item (G_LIST_MODEL (servers), 0);
  if (hearth_server_get_managed (first) == HEARTH_MANAGED_NONE)
    self->implicit_name = g_strdup (hearth_server_get_name (first));
}

void
_hearth_setup_window_forget_implicit (HearthSetupWindow *self)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  g_autofree char *name = g_steal_pointer (&self->implicit_name);
  g_autoptr(GError) error = NULL;

  if (name == NULL || hearth_servers_lookup (servers, name) == NULL)
    return;
  if (!hearth_servers_remove (servers, name, &error))
    g_warning ("Could not remove %s: %s", name, error->message);
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GError) error = NULL;

  if (!hearth_servers_start_finish (HEARTH_SERVERS (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (hearth_error_is_cancelled (error))
        return;
      text = g_strdup_printf (_("It did not start: %s"), error->message);
      offer_done (run->self, run->offer, text);
      return;
    }
  offer_done (run->self, run->offer, NULL);
  /* found like any running server, and chosen as the only one */
  _hearth_setup_window_scan (run->self);
}

static void
start (Run *run)
{
  offer_busy (run->self, run->offer, _("Starting…"));
  hearth_servers_start_async (hearth_engine_get_servers (run->self->engine), run->name,
                              run->self->run_cancellable, started_cb, run);
}

static void
unlisted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = hearth_servers_find_unlisted_finish (HEARTH_SERVERS (object), result,
                                                              &error);
  GtkWidget *row = find_offer (run->self, run->offer);
  GtkWidget *button;

  g_autofree char *text = NULL;

  if (hearth_error_is_cancelled (error) || row == NULL || url == NULL)
    return;
  text = g_strdup_printf (_("One already runs at %s: Hearth can use it as it is."), url);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 g_str_equal (run->offer, "ollama")
                                 ? _("Ollama Is Already Running")
                                 : _("llama.cpp’s Server Is Already Running"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
  button = g_object_get_data (G_OBJECT (row), "hearth-button");
  gtk_button_set_label (GTK_BUTTON (button), _("_Add the Running Server"));
  /* no action while the target changes type */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), NULL);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", run->offer, url);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "setup.add-running");
}

/* One already answers here: the row says where, and offers to use it. */
static void
already_running (Run          *run,
                 const GError *error)
{
  HearthManagedKind kind;
  GtkWidget *row = find_offer (run->self, run->offer);

  /* not a failure: said as it is until the address is known */
  offer_done (run->self, run->offer, NULL);
  if (row != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
  hearth_managed_kind_from_string (run->offer, &kind);
  hearth_servers_find_unlisted_async (hearth_engine_get_servers (run->self->engine), kind,
                                      run->self->run_cancellable, unlisted_cb, run);
}

static void
managed_added_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthServer) server = hearth_servers_add_managed_finish (HEARTH_SERVERS (object),
                                                                      result, &error);

  if (server != NULL)
    start (g_steal_pointer (&run));
  else if (g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_ALREADY_RUNNING))
    already_running (g_steal_pointer (&run), error);
  else if (!hearth_error_is_cancelled (error))
    offer_done (run->self, run->offer, error->message);
}

static void
run_program (HearthSetupWindow *self,
             HearthManagedKind  kind,
             const char        *model_file)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  Run *run = run_new (self, hearth_managed_kind_to_string (kind));
  HearthManagedSpec spec = { kind, NULL, model_file, NULL, FALSE, FALSE };

  remember_implicit (self);
  run->name = _hearth_setup_window_server_name_for (servers, kind == HEARTH_MANAGED_OLLAMA
                                                             ? "ollama" : "llama-cpp");
  offer_busy (self, run->offer, _("Starting…"));
  hearth_servers_add_managed_async (servers, run->name, &spec, self->run_cancellable,
                                    managed_added_cb, run);
}

static void
gguf_chosen_cb (gpointer    owner,
                const char *path)
{
  HearthSetupWindow *self = owner;

  g_clear_object (&self->chooser);
  if (path != NULL)
    run_program (self, HEARTH_MANAGED_LLAMA_SERVER, path);
}

static void
open_gguf (HearthSetupWindow *self)
{
  if (self->chooser == NULL)
    self->chooser = hearth_gguf_chooser_show (GTK_WINDOW (self), G_OBJECT (self), gguf_chosen_cb);
}

static void
demo_added_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthServer) server = hearth_servers_add_demo_finish (HEARTH_SERVERS (object), result,
                                                                   &error);

  if (server == NULL)
    {
      if (!hearth_error_is_cancelled (error))
        offer_done (run->self, run->offer, error->message);
      return;
    }
  run->name = g_strdup (hearth_server_get_name (server));
  start (g_steal_pointer (&run));
}

static void
hearth_setup_window_run (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (widget);
  const char *offer = g_variant_get_string (parameter, NULL);
  HearthManagedKind kind;

  if (g_str_equal (offer, OFFER_DEMO))
    {
      remember_implicit (self);
      offer_busy (self, offer, _("Making the demo model (a few seconds)…"));
      hearth_servers_add_demo_async (hearth_engine_get_servers (self->engine),
                                     self->run_cancellable, demo_added_cb, run_new (self, offer));
    }
  else if (hearth_managed_kind_from_string (offer, &kind) && kind == HEARTH_MANAGED_LLAMA_SERVER)
    open_gguf (self);
  else if (kind == HEARTH_MANAGED_OLLAMA)
    run_program (self, kind, NULL);
}

/* The server that already answers joins the list, to be chosen. */
static void
hearth_setup_window_add_running (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (widget);
  const char *offer, *url;
  HearthManagedKind kind;

  g_variant_get (parameter, "(&s&s)", &offer, &url);
  hearth_managed_kind_from_string (offer, &kind);
  _hearth_setup_window_add_server (self, url,
                                   kind == HEARTH_MANAGED_OLLAMA ? HEARTH_API_OLLAMA
                                                                 : HEARTH_API_OPENAI,
                                   kind == HEARTH_MANAGED_OLLAMA ? "Ollama" : "llama.cpp");
}

void
_hearth_setup_window_class_managed_init (HearthSetupWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "setup.run", "s", hearth_setup_window_run);
  gtk_widget_class_install_action (widget_class, "setup.add-running", "(ss)",
                                   hearth_setup_window_add_running);
}
