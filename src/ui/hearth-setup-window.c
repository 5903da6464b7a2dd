/* hearth-setup-window.c — the first-run assistant: hardware, server, model, download
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-catalog-labels.h"
#include "hearth-catalog.h"
#include "hearth-endpoint.h"
#include "hearth-error.h"
#include "hearth-hardware.h"
#include "hearth-pull-progress.h"
#include "hearth-servers.h"
#include "hearth-setup-window-private.h"

G_DEFINE_FINAL_TYPE (HearthSetupWindow, hearth_setup_window, ADW_TYPE_WINDOW)

static const char * const pages[] = { "welcome", "hardware", "servers", "model", "download", "done" };
#define DOWNLOAD_PAGE 4

static void hearth_setup_window_update (HearthSetupWindow *self);

static Server *
server_ref (Server *server)
{
  return g_atomic_rc_box_acquire (server);
}

static void
server_clear (Server *server)
{
  g_clear_object (&server->cancellable);
  g_clear_pointer (&server->url, g_free);
  g_clear_pointer (&server->label, g_free);
  g_clear_pointer (&server->version, g_free);
  g_clear_pointer (&server->models, g_ptr_array_unref);
}

static void
server_unref (Server *server)
{
  g_atomic_rc_box_release_full (server, (GDestroyNotify) server_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_unref)

static guint
page_index (HearthSetupWindow *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_strcmp0 (pages[i], name) == 0)
      return i;
  g_assert_not_reached ();
}

void
_hearth_setup_window_clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* A row that is chosen with a radio button in its prefix. */
AdwActionRow *
_hearth_setup_window_radio_row_new (const char      *title,
                                    const char      *subtitle,
                                    GtkCheckButton **group,
                                    GtkWidget      **check_out)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  if (*group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), *group);
  else
    *group = GTK_CHECK_BUTTON (check);
  adw_action_row_add_prefix (row, check);
  adw_action_row_set_activatable_widget (row, check);
  *check_out = check;
  return row;
}

/* Hardware */

static char *
format_processor (const HearthHardware *hw)
{
  return g_strdup_printf (_("%s · %d cores, %d threads"),
                          hw->cpu_model ? hw->cpu_model : _("Unknown processor"),
                          hw->cpu_cores, hw->cpu_threads);
}

static char *
format_memory (const HearthHardware *hw)
{
  g_autofree char *total = g_format_size (hw->mem_total);

  if (hw->mem_bandwidth_gbs > 0)
    return g_strdup_printf (_("%s · %.1f GB/s measured"), total, hw->mem_bandwidth_gbs);
  return g_steal_pointer (&total);
}

static char *
format_gpu (const HearthHardware *hw)
{
  const HearthGpu *gpu;
  g_autofree char *vram = NULL;

  if (hw->gpus == NULL || hw->gpus->len == 0)
    return g_strdup (_("None — models run on the processor"));
  gpu = g_ptr_array_index (hw->gpus, 0);
  if (gpu->vram_total <= 0 || gpu->integrated)
    return g_strdup (gpu->name ? gpu->name : _("Unknown graphics"));
  vram = g_format_size (gpu->vram_total);
  return g_strdup_printf (_("%s · %s of video memory"), gpu->name ? gpu->name : "", vram);
}

static int
compare_reasons (gconstpointer a,
                 gconstpointer b)
{
  const HearthScoreReason *ra = *(HearthScoreReason * const *) a;
  const HearthScoreReason *rb = *(HearthScoreReason * const *) b;

  return ABS (rb->points) - ABS (ra->points);
}

static void
show_score (HearthSetupWindow *self)
{
  g_autoptr(HearthScore) score = hearth_hardware_score (self->hardware);
  g_autoptr(GString) reasons = g_string_new (NULL);
  g_autofree char *points = g_strdup_printf (_("%d of 100"), score->score);

  g_ptr_array_sort (score->reasons, compare_reasons);
  for (guint i = 0; i < MIN (score->reasons->len, 3); i++)
    {
      const HearthScoreReason *reason = g_ptr_array_index (score->reasons, i);

      g_string_append_printf (reasons, "%s%s", i > 0 ? "\n" : "", reason->text);
    }
  adw_action_row_set_subtitle (self->score_row, reasons->str);
  gtk_label_set_label (self->score_label, points);
}

static void
show_hardware (HearthSetupWindow *self)
{
  g_autofree char *cpu = format_processor (self->hardware);
  g_autofree char *memory = format_memory (self->hardware);
  g_autofree char *gpu = format_gpu (self->hardware);

  adw_action_row_set_subtitle (self->cpu_row, cpu);
  adw_action_row_set_subtitle (self->memory_row, memory);
  adw_action_row_set_subtitle (self->gpu_row, gpu);
  show_score (self);
}

static void
on_hardware_probed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HearthSetupWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  HearthHardware *hardware = hearth_hardware_probe_finish (result, &error);

  self->probing_hardware = FALSE;
  gtk_spinner_stop (self->hardware_spinner);
  if (hardware == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (self->cpu_row, error->message);
      return;
    }
  self->hardware = hardware;
  show_hardware (self);
}

static void
probe_hardware (HearthSetupWindow *self)
{
  if (self->hardware != NULL || self->probing_hardware)
    return;
  self->probing_hardware = TRUE;
  gtk_spinner_start (self->hardware_spinner);
  hearth_hardware_probe_async (self->cancellable, on_hardware_probed, g_object_ref (self));
}

/* Servers */

/* Once every server has answered, the only one running is chosen for the
 * person, unless they chose one themselves. */
static void
choose_only_server (HearthSetupWindow *self)
{
  Server *running = NULL;

  if (self->server != NULL)
    return;
  for (guint i = 0; i < self->servers->len; i++)
    {
      Server *server = g_ptr_array_index (self->servers, i);

      if (!server->answered)
        return;
      if (server->models == NULL)
        continue;
      if (running != NULL)
        return;
      running = server;
    }
  if (running != NULL)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (running->check), TRUE);
}

static void
server_show_result (Server       *server,
                    const GError *error)
{
  g_autofree char *text = NULL;
  guint n = server->models ? server->models->len : 0;

  server->answered = TRUE;
  gtk_spinner_stop (GTK_SPINNER (server->spinner));
  gtk_widget_set_visible (server->spinner, FALSE);
  if (error != NULL)
    text = g_strdup (_("Not running"));
  else if (server->demo)
    text = g_strdup (_("Running on this computer, started by Hearth · nothing to download"));
  else if (server->managed && server->version != NULL)
    text = g_strdup_printf (g_dngettext (NULL, "Started by Hearth: Ollama %s, %u model",
                                         "Started by Hearth: Ollama %s, %u models", n),
                            server->version, n);
  else if (server->managed)
    text = g_strdup_printf (g_dngettext (NULL, "Started by Hearth: %u model",
                                         "Started by Hearth: %u models", n), n);
  else if (server->version != NULL)
    text = g_strdup_printf (g_dngettext (NULL, "Found: Ollama %s, %u model",
                                         "Found: Ollama %s, %u models", n),
                            server->version, n);
  else
    text = g_strdup_printf (g_dngettext (NULL, "Found: %u model", "Found: %u models", n), n);
  adw_action_row_set_subtitle (server->row, text);
  gtk_widget_set_sensitive (server->check, error == NULL);
  choose_only_server (server->self);
  hearth_setup_window_update (server->self);
}

static void
on_models_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Server) server = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = hearth_provider_list_models_finish (HEARTH_PROVIDER (source),
                                                                    result, &error);

  if (g_cancellable_is_cancelled (server->cancellable))
    return;
  server->models = g_steal_pointer (&models);
  server_show_result (server, error);
}

static void
list_models (Server         *server,
             HearthProvider *provider)
{
  hearth_provider_list_models_async (provider, server->cancellable, on_models_listed,
                                     server_ref (server));
}

static void
on_version (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Server) server = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  version = hearth_provider_version_finish (HEARTH_PROVIDER (source), result, &error);
  if (g_cancellable_is_cancelled (server->cancellable))
    return;
  if (version == NULL)
    {
      server_show_result (server, error);
      return;
    }
  server->version = g_steal_pointer (&version);
  list_models (server, HEARTH_PROVIDER (source));
}

static void
probe_server (Server *server)
{
  HearthProvider *provider = hearth_engine_get_provider (server->self->engine, server->api,
                                                         server->url);

  if (hearth_provider_get_features (provider) & HEARTH_PROVIDER_CAN_VERSION)
    hearth_provider_version_async (provider, server->cancellable, on_version,
                                   server_ref (server));
  else
    list_models (server, provider);
}

static void
on_server_toggled (GtkCheckButton *check,
                   Server         *server)
{
  if (gtk_check_button_get_active (check))
    server->self->server = server;
  else if (server->self->server == server)
    server->self->server = NULL;
  hearth_setup_window_update (server->self);
}

Server *
_hearth_setup_window_add_server (HearthSetupWindow *self,
                                 const char        *url,
                                 HearthApiKind      api,
                                 const char        *label)
{
  Server *server = g_atomic_rc_box_new0 (Server);
  g_autofree char *title = g_strdup_printf ("%s — %s", label, url);

  server->self = self;
  server->cancellable = g_object_ref (self->cancellable);
  server->url = g_strdup (url);
  server->label = g_strdup (label);
  server->api = api;
  server->row = _hearth_setup_window_radio_row_new (title, _("Looking…"), &self->server_group, &server->check);
  server->spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (server->spinner));
  gtk_widget_set_sensitive (server->check, FALSE);
  adw_action_row_add_suffix (server->row, server->spinner);
  g_signal_connect (server->check, "toggled", G_CALLBACK (on_server_toggled), server);
  gtk_list_box_append (self->server_list, GTK_WIDGET (server->row));
  g_ptr_array_add (self->servers, server);
  probe_server (server);
  return server;
}

static void
add_default_servers (HearthSetupWindow *self)
{
  const char *host = g_getenv ("OLLAMA_HOST");
  g_autofree char *from_env = NULL;

  if (host != NULL && *host != '\0')
    from_env = hearth_endpoint_normalize (host, HEARTH_API_OLLAMA, NULL);
  if (from_env != NULL && g_strcmp0 (from_env, HEARTH_DEFAULT_ENDPOINT) != 0)
    _hearth_setup_window_add_server (self, from_env, HEARTH_API_OLLAMA, "OLLAMA_HOST");
  _hearth_setup_window_add_server (self, HEARTH_DEFAULT_ENDPOINT, HEARTH_API_OLLAMA, "Ollama");
  _hearth_setup_window_add_server (self, "http://127.0.0.1:1234", HEARTH_API_OPENAI, "LM Studio");
  _hearth_setup_window_add_server (self, "http://127.0.0.1:8080", HEARTH_API_OPENAI, "llama.cpp");
  _hearth_setup_window_add_server (self, "http://127.0.0.1:8000", HEARTH_API_OPENAI, "vLLM");
}

static void
stop_scan (HearthSetupWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->server = NULL;
  self->server_group = NULL;
  _hearth_setup_window_clear_list (self->server_list);
  g_ptr_array_set_size (self->servers, 0);
}

void
_hearth_setup_window_scan (HearthSetupWindow *self)
{
  stop_scan (self);
  if (self->candidates == NULL)
    add_default_servers (self);
  for (guint i = 0; self->candidates != NULL && self->candidates[i] != NULL; i++)
    _hearth_setup_window_add_server (self, self->candidates[i], HEARTH_API_OLLAMA, "Ollama");
  _hearth_setup_window_add_managed_servers (self);
  _hearth_setup_window_fill_offers (self);
  hearth_setup_window_update (self);
}

static void
hearth_setup_window_rescan (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  _hearth_setup_window_scan (HEARTH_SETUP_WINDOW (widget));
}

static void
on_custom_changed (HearthSetupWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->custom_entry), "error");
  adw_action_row_set_subtitle (self->custom_row, "");
}

static void
hearth_setup_window_test_custom (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (widget);
  HearthApiKind api = adw_combo_row_get_selected (self->api_row) == 0 ? HEARTH_API_OLLAMA
                                                                       : HEARTH_API_OPENAI;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->custom_entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = hearth_endpoint_normalize (text, api, &error);

  if (url == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->custom_entry), "error");
      adw_action_row_set_subtitle (self->custom_row, error->message);
      return;
    }
  adw_action_row_set_subtitle (self->custom_row, _("Added to the list above"));
  _hearth_setup_window_add_server (self, url, api, _("Your server"));
}

/* Download */

static void
on_pull_progress (const char *status,
                  gint64      completed,
                  gint64      total,
                  gpointer    user_data)
{
  HearthSetupWindow *self = user_data;

  hearth_pull_progress_show (self->progress_bar, self->progress_label, self->pull_started_us,
                             &self->pull_first_bytes, status, completed, total);
}

static void
pull_failed (HearthSetupWindow *self,
             const GError      *error)
{
  g_autofree char *text = hearth_error_describe (error);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                       g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED);

  gtk_label_set_label (self->download_title, cancelled ? _("Download Cancelled")
                                                       : _("Download Failed"));
  gtk_label_set_label (self->progress_label,
                       cancelled ? _("Retry continues where it stopped.") : text);
  gtk_widget_set_visible (self->retry_button, TRUE);
}

static void
on_pulled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HearthSetupWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->pull_cancellable);
  gtk_widget_set_visible (self->cancel_button, FALSE);
  if (!hearth_provider_pull_finish (HEARTH_PROVIDER (source), result, &error))
    pull_failed (self, error);
  else
    {
      self->pulled = TRUE;
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_label_set_label (self->download_title, _("Download Complete"));
      gtk_label_set_label (self->progress_label, _("100 % · ready to use"));
    }
  hearth_setup_window_update (self);
}

static void
start_pull (HearthSetupWindow *self)
{
  HearthProvider *provider = hearth_engine_get_provider (self->engine, HEARTH_API_OLLAMA,
                                                         self->server->url);
  g_autofree char *title = g_strdup_printf (_("Downloading %s"), self->model);

  g_assert (self->pull_cancellable == NULL);
  self->pulled = FALSE;
  self->pull_cancellable = g_cancellable_new ();
  self->pull_started_us = g_get_monotonic_time ();
  self->pull_first_bytes = -1;
  gtk_label_set_label (self->download_title, title);
  gtk_label_set_label (self->progress_label, _("Starting…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (self->cancel_button, TRUE);
  gtk_widget_set_visible (self->retry_button, FALSE);
  hearth_provider_pull_async (provider, self->model, on_pull_progress, self,
                              self->pull_cancellable, on_pulled, g_object_ref (self));
}

static void
hearth_setup_window_cancel_download (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (widget);

  if (self->pull_cancellable != NULL)
    g_cancellable_cancel (self->pull_cancellable);
}

static void
hearth_setup_window_retry_download (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  start_pull (HEARTH_SETUP_WINDOW (widget));
}

/* Done */

/* "LM Studio" → "lm-studio", free in the list: "lm-studio-2" when taken */
char *
_hearth_setup_window_server_name_for (HearthServers *servers,
                                      const char    *label)
{
  g_autofree char *base = g_ascii_strdown (label, -1);
  char *name;

  for (char *p = base; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      *p = '-';
  if (!hearth_servers_check_name (base, NULL))
    {
      g_free (base);
      base = g_strdup ("local");
    }
  name = g_strdup (base);
  for (guint i = 2; hearth_servers_lookup (servers, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", base, i);
    }
  return name;
}

/* The server chosen becomes the first of the user's servers, the one new
 * chats use: one already in the list moves up; before the list was ever
 * changed, its only server (made from the old settings) becomes this one;
 * else it is added in front, and the others stay. */
static gboolean
save_server (HearthSetupWindow  *self,
             GError            **error)
{
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  Server *chosen = self->server;
  HearthServer *found = hearth_servers_find_endpoint (servers, chosen->api, chosen->url);
  g_autofree char *name = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  if (chosen->managed)
    _hearth_setup_window_forget_implicit (self);
  if (found != NULL)
    {
      g_autofree char *found_name = g_strdup (hearth_server_get_name (found));

      return hearth_servers_set_enabled (servers, found_name, TRUE, error)
             && hearth_servers_move (servers, found_name, 0, error);
    }
  if (n == 1 && !g_file_test (hearth_servers_get_path (servers), G_FILE_TEST_EXISTS))
    {
      g_autoptr(HearthServer) first = g_list_model_get_item (G_LIST_MODEL (servers), 0);
      g_autofree char *first_name = g_strdup (hearth_server_get_name (first));

      return hearth_servers_edit (servers, first_name, first_name, chosen->url, chosen->api,
                                  FALSE, error)
             && hearth_servers_set_enabled (servers, first_name, TRUE, error);
    }
  name = _hearth_setup_window_server_name_for (servers, chosen->label);
  return hearth_servers_add (servers, name, chosen->url, chosen->api, FALSE, NULL, error) != NULL
         && hearth_servers_move (servers, name, 0, error);
}

static void
save_choice (HearthSetupWindow *self)
{
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;

  if (self->server->demo)
    description = g_strdup (_("New chats use the demo model. Its answers are placeholder text: "
                              "it shows how Hearth works, not what a model can do. For real "
                              "answers, install Ollama and add it in Preferences → Servers; "
                              "the demo then goes away."));
  else
    description = g_strdup_printf (_("New chats use %s on %s."), self->model, self->server->url);

  /* the settings the single-server Hearth read, for what still reads them */
  g_settings_delay (self->settings);
  g_settings_set_string (self->settings, "endpoint", self->server->url);
  g_settings_set_string (self->settings, "api-kind", hearth_api_kind_to_string (self->server->api));
  g_settings_set_string (self->settings, "default-model", self->model);
  g_settings_set_boolean (self->settings, "setup-done", TRUE);
  g_settings_apply (self->settings);
  if (!save_server (self, &error))
    {
      g_free (description);
      description = g_strdup_printf (_("The server could not be added to your servers: %s. "
                                       "Add it in Preferences → Servers."), error->message);
    }
  adw_status_page_set_description (self->done_page, description);
}

static void
hearth_setup_window_start (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (widget));

  gtk_window_close (GTK_WINDOW (widget));
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "app.new-chat", NULL);
}

/* Navigation */

static gboolean
can_go_next (HearthSetupWindow *self)
{
  const char *page = pages[page_index (self)];

  if (g_str_equal (page, "servers"))
    return self->server != NULL && self->server->models != NULL;
  if (g_str_equal (page, "model"))
    return self->model != NULL;
  if (g_str_equal (page, "download"))
    return self->pulled;
  return !g_str_equal (page, "done");
}

/* Every server answered, and none of them was there. */
static gboolean
nothing_found (HearthSetupWindow *self)
{
  for (guint i = 0; i < self->servers->len; i++)
    {
      Server *server = g_ptr_array_index (self->servers, i);

      if (!server->answered || server->models != NULL)
        return FALSE;
    }
  return self->servers->len > 0;
}

static void
hearth_setup_window_update (HearthSetupWindow *self)
{
  guint index = page_index (self);
  /* A download is part of choosing the model, so the count never jumps
   * when an installed model skips it. */
  guint step = index + 1 - (index >= DOWNLOAD_PAGE);
  g_autofree char *subtitle = g_strdup_printf (_("Step %u of %u"), step,
                                               (guint) G_N_ELEMENTS (pages) - 1);

  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->install_group), nothing_found (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.back", index > 0);
  gtk_widget_set_visible (self->back_button, index > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.next", can_go_next (self));
  gtk_widget_set_visible (self->next_button, index + 1 < G_N_ELEMENTS (pages));
}

static void
enter_page (HearthSetupWindow *self,
            const char        *page)
{
  gtk_stack_set_visible_child_name (self->stack, page);
  if (g_str_equal (page, "hardware"))
    probe_hardware (self);
  else if (g_str_equal (page, "servers") && self->servers->len == 0)
    _hearth_setup_window_scan (self);
  else if (g_str_equal (page, "model"))
    _hearth_setup_window_fill_models (self);
  else if (g_str_equal (page, "download") && !self->pulled && self->pull_cancellable == NULL)
    start_pull (self);
  else if (g_str_equal (page, "done"))
    save_choice (self);
  hearth_setup_window_update (self);
}

static void
hearth_setup_window_next (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (widget);
  guint index = page_index (self);

  if (!can_go_next (self))
    return;
  if (g_str_equal (pages[index], "model") && self->model_installed)
    index++;
  enter_page (self, pages[index + 1]);
}

static void
hearth_setup_window_back (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (widget);
  guint index = page_index (self);

  if (index == 0)
    return;
  if (g_str_equal (pages[index], "download") && self->pull_cancellable != NULL)
    g_cancellable_cancel (self->pull_cancellable);
  if (g_str_equal (pages[index], "done") && self->model_installed)
    index--;
  gtk_stack_set_visible_child_name (self->stack, pages[index - 1]);
  hearth_setup_window_update (self);
}

/* GObject */

static void
hearth_setup_window_dispose (GObject *object)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->pull_cancellable != NULL)
    g_cancellable_cancel (self->pull_cancellable);
  g_cancellable_cancel (self->run_cancellable);
  g_clear_object (&self->run_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pull_cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->servers, g_ptr_array_unref);
  self->server = NULL;

  G_OBJECT_CLASS (hearth_setup_window_parent_class)->dispose (object);
}

static void
hearth_setup_window_finalize (GObject *object)
{
  HearthSetupWindow *self = HEARTH_SETUP_WINDOW (object);

  g_clear_pointer (&self->hardware, hearth_hardware_free);
  g_clear_pointer (&self->catalog, g_ptr_array_unref);
  g_clear_pointer (&self->candidates, g_strfreev);
  g_free (self->implicit_name);
  g_free (self->model);

  G_OBJECT_CLASS (hearth_setup_window_parent_class)->finalize (object);
}

static void
hearth_setup_window_class_init (HearthSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hearth_setup_window_dispose;
  object_class->finalize = hearth_setup_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hearthapp/Hearth/hearth-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, hardware_spinner);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, cpu_row);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, memory_row);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, gpu_row);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, score_row);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, score_label);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, server_list);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, install_group);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, run_list);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, install_label);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, custom_entry);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, api_row);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, custom_row);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, recommended_group);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, recommended_list);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, installed_list);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, download_title);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, HearthSetupWindow, done_page);

  gtk_widget_class_bind_template_callback (widget_class, on_custom_changed);

  gtk_widget_class_install_action (widget_class, "setup.next", NULL, hearth_setup_window_next);
  gtk_widget_class_install_action (widget_class, "setup.back", NULL, hearth_setup_window_back);
  gtk_widget_class_install_action (widget_class, "setup.rescan", NULL,
                                   hearth_setup_window_rescan);
  gtk_widget_class_install_action (widget_class, "setup.test-custom", NULL,
                                   hearth_setup_window_test_custom);
  gtk_widget_class_install_action (widget_class, "setup.cancel-download", NULL,
                                   hearth_setup_window_cancel_download);
  gtk_widget_class_install_action (widget_class, "setup.retry-download", NULL,
                                   hearth_setup_window_retry_download);
  gtk_widget_class_install_action (widget_class, "setup.start", NULL, hearth_setup_window_start);
  _hearth_setup_window_class_managed_init (klass);
}

static void
hearth_setup_window_init (HearthSetupWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = hearth_settings_try_new ();
  self->cancellable = g_cancellable_new ();
  self->run_cancellable = g_cancellable_new ();
  self->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) server_unref);
  hearth_setup_window_update (self);
}

GtkWidget *
hearth_setup_window_new (GtkWindow    *parent,
                         HearthEngine *engine)
{
  HearthSetupWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEARTH_IS_ENGINE (engine), NULL);

  self = g_object_new (HEARTH_TYPE_SETUP_WINDOW, "transient-for", parent, NULL);
  self->engine = g_object_ref (engine);
  return GTK_WIDGET (self);
}

/* Look for servers at @urls (Ollama API) instead of the usual local ports. */
void
hearth_setup_window_set_candidates (HearthSetupWindow  *self,
                                    const char * const *urls)
{
  g_return_if_fail (HEARTH_IS_SETUP_WINDOW (self));

  g_clear_pointer (&self->candidates, g_strfreev);
  self->candidates = g_strdupv ((char **) urls);
  if (self->servers->len > 0)
    _hearth_setup_window_scan (self);
}

void
hearth_setup_window_choose_model (HearthSetupWindow *self,
                                  const char        *name)
{
  g_return_if_fail (HEARTH_IS_SETUP_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (g_strcmp0 (self->model, name) != 0)
    self->pulled = FALSE;
  g_free (self->model);
  self->model = g_strdup (name);
  self->model_installed = _hearth_setup_window_is_installed (self->server, name);
  if (!_hearth_setup_window_show_chosen_model (self->recommended_list, name))
    _hearth_setup_window_show_chosen_model (self->installed_list, name);
  hearth_setup_window_update (self);
}

const char *
hearth_setup_window_get_page (HearthSetupWindow *self)
{
  g_return_val_if_fail (HEARTH_IS_SETUP_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}
