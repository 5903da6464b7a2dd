/* hearth-tuning.c — the tuning engine: each model's options on this machine,
 * the layering of a request's options, and the profiles
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cost: the options and profiles are read once in a worker when the engine
 * opens its history; lookups are in memory. Every lookup, and every change
 * the kernel reports to hearth.db or its -wal (a commit by any connection),
 * asks SQLite for PRAGMA data_version (a counter of the connection, no I/O)
 * to see whether another process (hearth-cli, another window) changed them,
 * and reads the two small tables again only then. Nothing runs on a timer:
 * an idle app with an idle database is not woken.
 */
#define G_LOG_DOMAIN "hearth-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-hardware-private.h"
#include "hearth-store-private.h"
#include "hearth-tuning-private.h"

G_DEFINE_FINAL_TYPE (HearthTuning, hearth_tuning, G_TYPE_OBJECT)

enum {
  CHANGED,
  AUTOMATIC_CHANGED,
  REGRESSION,
  PRELOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


/* The structs */

void
hearth_model_options_free (HearthModelOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->model);
  g_free (options->digest);
  hearth_run_options_free (options->options);
  hearth_run_options_free (options->previous);
  g_free (options);
}

HearthModelOptions *
hearth_model_options_copy (const HearthModelOptions *options)
{
  HearthModelOptions *copy;

  if (options == NULL)
    return NULL;
  copy = g_memdup2 (options, sizeof *options);
  copy->model = g_strdup (options->model);
  copy->digest = g_strdup (options->digest);
  copy->options = hearth_run_options_copy (options->options);
  copy->previous = hearth_run_options_copy (options->previous);
  return copy;
}

void
hearth_resolved_options_free (HearthResolvedOptions *resolved)
{
  if (resolved == NULL)
    return;
  hearth_run_options_free (resolved->options);
  g_free (resolved->profile);
  g_free (resolved->automatic_reason);
  g_clear_pointer (&resolved->unsupported, g_ptr_array_unref);
  g_free (resolved);
}

void
hearth_tuning_regression_free (HearthTuningRegression *regression)
{
  if (regression == NULL)
    return;
  g_free (regression->model);
  g_free (regression);
}

void
hearth_usage_pattern_free (HearthUsagePattern *pattern)
{
  if (pattern == NULL)
    return;
  g_free (pattern->model);
  g_free (pattern->pattern);
  g_free (pattern);
}

const char *
hearth_option_source_to_string (HearthOptionSource source)
{
  switch (source)
    {
    case HEARTH_OPTION_SOURCE_NONE:      return "default";
    case HEARTH_OPTION_SOURCE_PROFILE:   return "profile";
    case HEARTH_OPTION_SOURCE_MODEL:     return "model";
    case HEARTH_OPTION_SOURCE_TUNED:     return "tuned";
    case HEARTH_OPTION_SOURCE_AUTOMATIC: return "automatic";
    case HEARTH_OPTION_SOURCE_REQUEST:   return "request";
    default:                             return "default";
    }
}

/* The object */

static void
hearth_tuning_dispose (GObject *object)
{
  HearthTuning *self = (HearthTuning *)object;

  g_cancellable_cancel (self->cancellable);
  _hearth_tuning_monitors_stop (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->db_monitors); i++)
    {
      if (self->db_monitors[i] != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->db_monitors[i], self);
          g_file_monitor_cancel (self->db_monitors[i]);
        }
      g_clear_object (&self->db_monitors[i]);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_pointer (&self->version_stmt, sqlite3_finalize);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (hearth_tuning_parent_class)->dispose (object);
}

static void
hearth_tuning_finalize (GObject *object)
{
  HearthTuning *self = (HearthTuning *)object;

  g_free (self->unavailable);
  g_free (self->chosen);
  g_free (self->machine);
  g_free (self->automatic_reason);
  g_clear_pointer (&self->options, g_hash_table_unref);
  g_clear_pointer (&self->custom, g_ptr_array_unref);
  g_clear_pointer (&self->builtin, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_tuning_parent_class)->finalize (object);
}

static void
hearth_tuning_class_init (HearthTuningClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_tuning_dispose;
  object_class->finalize = hearth_tuning_finalize;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[AUTOMATIC_CHANGED] =
    g_signal_new ("automatic-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (HearthTuningRegression *), owned by the emitter */
  signals[REGRESSION] =
    g_signal_new ("regression", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[PRELOADED] =
    g_signal_new ("preloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
hearth_tuning_init (HearthTuning *self)
{
  self->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) hearth_model_options_free);
  self->custom = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_profile_free);
  self->cancellable = g_cancellable_new ();
  self->data_version = -1;
  self->physical_cores = -1;
  self->logical_threads = -1;
  self->mem_total = -1;
}

void
_hearth_tuning_emit_changed (HearthTuning *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

HearthStore *
_hearth_tuning_get_store (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  return self->store;
}

const char *
_hearth_tuning_get_unavailable_reason (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  return self->store == NULL ? self->unavailable : NULL;
}

/* This machine */

static char *
read_cpu_model (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return g_strdup ("");
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL && (g_str_has_prefix (lines[i], "model name")
                            || g_str_has_prefix (lines[i], "Hardware")
                            || g_str_has_prefix (lines[i], "cpu model")
                            || g_str_has_prefix (lines[i], "uarch")))
        return g_strstrip (g_strdup (colon + 1));
    }
  return g_strdup ("");
}

static gint64
read_meminfo (const char *field)
{
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/meminfo", &contents, NULL, NULL))
    return -1;
  line = strstr (contents, field);
  if (line == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field), NULL, 10) * 1024;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* "vendor:device" of each display card, from sysfs (no driver asked). */
static char *
read_gpu_names (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/sys/class/drm", 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;
  GString *out = g_string_new (NULL);

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *vendor_path = NULL;
      g_autofree char *device_path = NULL;
      g_autofree char *vendor = NULL;
      g_autofree char *device = NULL;

      if (!g_str_has_prefix (entry, "card") || strchr (entry, '-') != NULL)
        continue;
      vendor_path = g_build_filename ("/sys/class/drm", entry, "device", "vendor", NULL);
      device_path = g_build_filename ("/sys/class/drm", entry, "device", "device", NULL);
      if (!g_file_get_contents (vendor_path, &vendor, NULL, NULL)
          || !g_file_get_contents (device_path, &device, NULL, NULL))
        continue;
      g_ptr_array_add (names, g_strdup_printf ("%s:%s", g_strstrip (vendor), g_strstrip (device)));
    }
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", (const char *) g_ptr_array_index (names, i));
  return g_string_free (out, FALSE);
}

static void
read_machine (HearthTuning *self)
{
  g_autofree char *cpu = read_cpu_model ();
  g_autofree char *gpus = NULL;
  g_autofree char *text = NULL;
  g_autofree char *hash = NULL;
  HearthHardware hw = { 0 };
  gint64 gib;

  gpus = read_gpu_names ();
  self->logical_threads = (int) g_get_num_processors ();
  self->mem_total = read_meminfo ("MemTotal:");
  gib = self->mem_total > 0 ? (self->mem_total + (G_GINT64_CONSTANT (1) << 29)) >> 30 : -1;
  text = g_strdup_printf ("%s\n%d\n%" G_GINT64_FORMAT "\n%s", cpu, self->logical_threads, gib, gpus);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  self->machine = g_strndup (hash, 12);

  /* Physical cores, as the hardware report counts them. */
  hw.cpu_cores = -1;
  hw.cpu_threads = -1;
  if (_hearth_hardware_probe_cpu (NULL, &hw, NULL) && hw.cpu_cores > 0)
    self->physical_cores = hw.cpu_cores;
  g_free (hw.cpu_model);
  g_free (hw.cpu_vendor);
  g_strfreev (hw.cpu_features);
  g_free (hw.arch);
  if (self->physical_cores <= 0)
    self->physical_cores = MAX (1, self->logical_threads);
  self->builtin = hearth_profile_list_builtin (self->physical_cores);
}

const char *
hearth_tuning_machine_key (HearthTuning *self)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  return self->machine;
}

void
hearth_tuning_fill_params (HearthTuning     *self,
                           HearthTuneParams *params)
{
  g_return_if_fail (HEARTH_IS_TUNING (self));
  g_return_if_fail (params != NULL);

  /* The GPUs are asked once, the first time a tuner needs them. */
  if (self->vram_total == 0)
    {
      HearthHardware hw = { 0 };

      _hearth_hardware_probe_gpus (NULL, &hw);
      self->vram_total = hw.gpus != NULL ? hearth_hardware_best_vram (&hw) : -1;
      if (self->vram_total == 0)
        self->vram_total = -1;
      g_clear_pointer (&hw.gpus, g_ptr_array_unref);
    }
  params->physical_cores = self->physical_cores;
  params->logical_threads = self->logical_threads;
  params->vram_total = self->vram_total;
  params->mem_available = read_meminfo ("MemAvailable:");
}

/* Reading hearth.db */

typedef struct
{
  char       *path;
  char       *machine;
  GHashTable *options;
  GPtrArray  *profiles;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->path);
  g_free (data->machine);
  g_clear_pointer (&data->options, g_hash_table_unref);
  g_clear_pointer (&data->profiles, g_ptr_array_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;
  sqlite3 *db = _hearth_tuning_db_open_reader (data->path, &error);

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->options = _hearth_tuning_db_load_options (db, data->machine, &error);
  if (data->options != NULL)
    data->profiles = _hearth_tuning_db_load_profiles (db, &error);
  sqlite3_close (db);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
install (HearthTuning *self,
         GHashTable   *options,
         GPtrArray    *profiles)
{
  g_hash_table_unref (self->options);
  self->options = g_hash_table_ref (options);
  g_ptr_array_unref (self->custom);
  self->custom = g_ptr_array_ref (profiles);
  self->loaded = TRUE;
}

static void
loaded (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  HearthTuning *self = HEARTH_TUNING (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Read again on the spot at the first lookup, which says why. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Run options not read in the worker: %s", error->message);
      return;
    }
  /* Someone needed them first and read them on the spot. */
  if (self->loaded)
    return;
  install (self, data->options, data->profiles);
  _hearth_tuning_emit_changed (self);
}

static gboolean
reload (HearthTuning  *self,
        GError       **error)
{
  sqlite3 *db = hearth_store_get_db (self->store);
  g_autoptr(GHashTable) options = _hearth_tuning_db_load_options (db, self->machine, error);
  g_autoptr(GPtrArray) profiles = NULL;

  if (options == NULL)
    return FALSE;
  profiles = _hearth_tuning_db_load_profiles (db, error);
  if (profiles == NULL)
    return FALSE;
  install (self, options, profiles);
  return TRUE;
}

/* Read on the spot before the worker is back, and again when another
 * connection committed. */
void
_hearth_tuning_sync (HearthTuning *self)
{
  g_autoptr(GError) error = NULL;
  gint64 version;
  gboolean was_loaded = self->loaded;

  if (self->store == NULL)
    return;
  version = _hearth_tuning_db_data_version (hearth_store_get_db (self->store), &self->version_stmt);
  if (self->loaded && version == self->data_version)
    return;
  self->data_version = version;
  if (!reload (self, &error))
    {
      g_message ("Run options not read again: %s", error->message);
      return;
    }
  if (was_loaded)
    _hearth_tuning_emit_changed (self);
}

/* A commit by another process shows as a write to hearth.db-wal (or to
 * hearth.db at a checkpoint, or without WAL). Our own commits wake this too,
 * but data_version does not move for them, so nothing is read again. */
static void
on_db_file_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  HearthTuning *self = user_data;

  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT
      && event != G_FILE_MONITOR_EVENT_CHANGED
      && event != G_FILE_MONITOR_EVENT_CREATED)
    return;
  if (self->loaded)
    _hearth_tuning_sync (self);
}

static void
watch_db_files (HearthTuning *self)
{
  const char *path = hearth_store_get_path (self->store);
  const char *suffixes[] = { "", "-wal" };

  if (path == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (name);
      g_autoptr(GError) error = NULL;

      self->db_monitors[i] = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
      if (self->db_monitors[i] == NULL)
        {
          /* Lookups still check; only the live "changed" from another process is lost. */
          g_debug ("Not watching %s for other processes' changes: %s", name, error->message);
          continue;
        }
      g_signal_connect (self->db_monitors[i], "changed", G_CALLBACK (on_db_file_changed), self);
    }
}

/* Settings */

static void
on_settings_changed (HearthTuning *self,
                     const char   *key)
{
  if (g_str_equal (key, "run-profile"))
    {
      g_free (self->chosen);
      self->chosen = g_settings_get_string (self->settings, "run-profile");
      _hearth_tuning_emit_changed (self);
    }
  else if (g_str_equal (key, "run-profile-automatic"))
    _hearth_tuning_update_automatic (self);
}

/**
 * hearth_tuning_new:
 * @store: (nullable): the history
 * @settings: (nullable): the app's settings
 */
HearthTuning *
hearth_tuning_new (HearthStore *store,
                   GSettings   *settings)
{
  HearthTuning *self;

  g_return_val_if_fail (store == NULL || HEARTH_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HEARTH_TYPE_TUNING, NULL);
  self->store = store ? g_object_ref (store) : NULL;
  if (store == NULL)
    self->unavailable = g_strdup (_("Hearth keeps no history here, so run options and profiles "
                                    "cannot be saved"));
  read_machine (self);

  if (settings != NULL)
    {
      g_autoptr(GSettingsSchema) schema = NULL;

      g_object_get (settings, "settings-schema", &schema, NULL);
      self->has_profile_keys = schema != NULL
                               && g_settings_schema_has_key (schema, "run-profile")
                               && g_settings_schema_has_key (schema, "run-profile-automatic");
      if (self->has_profile_keys)
        {
          self->settings = g_object_ref (settings);
          self->chosen = g_settings_get_string (settings, "run-profile");
          g_signal_connect_swapped (settings, "changed", G_CALLBACK (on_settings_changed), self);
        }
    }
  if (self->chosen == NULL)
    self->chosen = g_strdup (HEARTH_PROFILE_BALANCED);

  if (self->store != NULL)
    {
      LoadData *data = g_new0 (LoadData, 1);
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, loaded, NULL);

      /* Changes after this point are in what the worker reads. */
      self->data_version = _hearth_tuning_db_data_version (hearth_store_get_db (self->store),
                                                           &self->version_stmt);
      data->path = g_strdup (hearth_store_get_path (self->store));
      data->machine = g_strdup (self->machine);
      g_task_set_source_tag (task, hearth_tuning_new);
      g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
      g_task_run_in_thread (task, load_thread);
      watch_db_files (self);
    }
  else
    self->loaded = TRUE;
  _hearth_tuning_monitors_start (self);
  return self;
}

/* A model's options */

static const HearthModelOptions *
lookup_options (HearthTuning *self,
                const char   *model,
                const char   *digest)
{
  g_autofree char *key = _hearth_tuning_options_key (model, digest);
  const HearthModelOptions *found = g_hash_table_lookup (self->options, key);
  GHashTableIter iter;
  gpointer value;

  if (found != NULL)
    return found;
  /* Set for the name alone (the server gave no digest then). */
  if (digest != NULL && *digest != '\0')
    {
      g_autofree char *by_name = _hearth_tuning_options_key (model, NULL);

      return g_hash_table_lookup (self->options, by_name);
    }
  /* Asked by name: the newest set for any of its digests. */
  g_hash_table_iter_init (&iter, self->options);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const HearthModelOptions *mo = value;

      if (g_strcmp0 (mo->model, model) == 0 && (found == NULL || mo->updated_ms > found->updated_ms))
        found = mo;
    }
  return found;
}

HearthModelOptions *
hearth_tuning_get_model_options (HearthTuning *self,
                                 const char   *model,
                                 const char   *digest)
{
  g_return_val_if_fail (HEARTH_IS_TUNING (self), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  _hearth_tuning_sync (self);
  return hearth_model_options_copy (lookup_options (self, model, digest));
}

static int
compare_model_options (gconstpointer a,
                       gconstpointer b)
{
  const HearthModelOptions *x = *(HearthModelOptions * const *) a;
  const HearthModelOptions *y = *(HearthModelOptions * const *) b;
  int c = g_strcmp0 (x->model, y->model);

  return c != 0 ? c : g_strcmp0 (x->digest, y->digest);
}

GPtrArray *
hearth_tuning_list_model_options (HearthTuning *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_model_options_free);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), list);

  _hearth_tuning_sync (self);
  g_hash_table_iter_init (&iter, self->options);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, hearth_model_options_copy (value));
  g_ptr_array_sort (list, compare_model_options);
  return list;
}

gboolean
_hearth_tuning_check_store (HearthTuning  *self,
                            GError       **error)
{
  if (self->store != NULL)
    return TRUE;
  g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_NOT_SUPPORTED, self->unavailable);
  return FALSE;
}

gboolean
_hearth_tuning_store_model_options (HearthTuning              *self,
                                    const HearthModelOptions  *mo,
                                    GError                   **error)
{
  g_autofree char *key = NULL;
  HearthModelOptions *copy;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);
  g_return_val_if_fail (mo != NULL && mo->model != NULL, FALSE);

  if (!_hearth_tuning_check_store (self, error))
    return FALSE;
  _hearth_tuning_sync (self);
  key = _hearth_tuning_options_key (mo->model, mo->digest);
  if (hearth_run_options_is_empty (mo->options) && mo->previous == NULL && mo->tune_run_id == 0)
    {
      if (!_hearth_tuning_db_delete_options (self->store, self->machine, mo->model, mo->digest, error))
        return FALSE;
      g_hash_table_remove (self->options, key);
      _hearth_tuning_emit_changed (self);
      return TRUE;
    }
  copy = hearth_model_options_copy (mo);
  if (copy->options == NULL)
    copy->options = hearth_run_options_new ();
  if (copy->digest != NULL && *copy->digest == '\0')
    g_clear_pointer (&copy->digest, g_free);
  copy->updated_ms = g_get_real_time () / 1000;
  if (!_hearth_tuning_db_write_options (self->store, self->machine, copy, error))
    {
      hearth_model_options_free (copy);
      return FALSE;
    }
  g_hash_table_replace (self->options, g_steal_pointer (&key), copy);
  _hearth_tuning_emit_changed (self);
  return TRUE;
}

gboolean
hearth_tuning_set_model_options (HearthTuning            *self,
                                 const char              *model,
                                 const char              *digest,
                                 const HearthRunOptions  *options,
                                 GError                 **error)
{
  g_autoptr(HearthModelOptions) mo = NULL;
  g_autofree char *key = NULL;
  const HearthModelOptions *old;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);

  if (model == NULL || *model == '\0')
    {
      g_set_error_literal (error, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                           _("Name the model whose options to set"));
      return FALSE;
    }
  if (!_hearth_tuning_check_store (self, error))
    return FALSE;
  _hearth_tuning_sync (self);
  key = _hearth_tuning_options_key (model, digest);
  old = g_hash_table_lookup (self->options, key);
  mo = old ? hearth_model_options_copy (old) : g_new0 (HearthModelOptions, 1);
  if (old == NULL)
    {
      mo->model = g_strdup (model);
      mo->digest = digest && *digest ? g_strdup (digest) : NULL;
      mo->tuned_decode_tps = -1;
    }
  /* A key the user changed is theirs now, no longer the tuner's. */
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    if ((mo->tuned_keys & (G_GUINT64_CONSTANT (1) << i))
        && (!hearth_run_options_is_set (options, i)
            || hearth_run_options_get (options, i) != hearth_run_options_get (mo->options, i)))
      mo->tuned_keys &= ~(G_GUINT64_CONSTANT (1) << i);
  hearth_run_options_free (mo->options);
  mo->options = options ? hearth_run_options_copy (options) : hearth_run_options_new ();
  if (hearth_run_options_is_empty (mo->options))
    {
      /* Nothing left of theirs: the row goes, Rollback with it. */
      g_clear_pointer (&mo->previous, hearth_run_options_free);
      mo->tune_run_id = 0;
      mo->tuned_keys = 0;
    }
  return _hearth_tuning_store_model_options (self, mo, error);
}

gboolean
hearth_tuning_reset_model_options (HearthTuning  *self,
                                   const char    *model,
                                   const char    *digest,
                                   GError       **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (HEARTH_IS_TUNING (self), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);

  if (!_hearth_tuning_check_store (self, error))
    return FALSE;
  _hearth_tuning_sync (self);
  key = _hearth_tuning_options_key (model, digest);
  if (!_hearth_tuning_db_delete_options (self->store, self->machine, model, digest, error))
    return FALSE;
  if (g_hash_table_remove (self->options, key))
    _hearth_tuning_emit_changed (self);
  return TRUE;
}

/* Resolving a request's options */

static void
layer (HearthResolvedOptions  *resolved,
       const HearthRunOptions *options,
       HearthOptionSource      source,
       guint64                 tuned_keys)
{
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!hearth_run_options_is_set (options, i))
        continue;
      hearth_run_options_set (resolved->options, i, hearth_run_options_get (options, i), &error);
      resolved->sources[i] = (tuned_keys & (G_GUINT64_CONSTANT (1) << i)) ? HEARTH_OPTION_SOURCE_TUNED : source;
    }
}

HearthResolvedOptions *
hearth_tuning_resolve (HearthTuning           *self,
                       const char             *model,
                       const char             *digest,
                       HearthApiKind           api,
                       const HearthRunOptions *request_options)
{
  HearthResolvedOptions *resolved = g_new0 (HearthResolvedOptions, 1);
  const HearthProfile *profile;
  const HearthModelOptions *mo;
  GString *reason = g_string_new (NULL);

  resolved->options = hearth_run_options_new ();
  resolved->unsupported = g_ptr_array_new_with_free_func (g_free);
  g_return_val_if_fail (HEARTH_IS_TUNING (self), resolved);

  _hearth_tuning_sync (self);

  /* 1. The profile in force */
  resolved->profile = g_strdup (hearth_tuning_get_active_profile (self));
  profile = _hearth_tuning_find_profile (self, resolved->profile);
  if (profile != NULL)
    {
      g_autoptr(HearthRunOptions) options = _hearth_tuning_profile_options (self, profile);

      layer (resolved, options, HEARTH_OPTION_SOURCE_PROFILE, 0);
    }

  /* 2. The model's own */
  mo = model != NULL ? lookup_options (self, model, digest) : NULL;
  if (mo != NULL)
    layer (resolved, mo->options, HEARTH_OPTION_SOURCE_MODEL, mo->tuned_keys);

  /* 3. The automatic limits */
  if (_hearth_tuning_battery_in_force (self))
    {
      const HearthProfile *battery = _hearth_tuning_find_profile (self, HEARTH_PROFILE_BATTERY);
      static const HearthRunOptionKey limited[] = {
        HEARTH_RUN_OPTION_NUM_THREAD, HEARTH_RUN_OPTION_NUM_BATCH, HEARTH_RUN_OPTION_KEEP_ALIVE,
      };

      for (guint i = 0; i < G_N_ELEMENTS (limited); i++)
        if (hearth_run_options_is_set (battery->options, limited[i]))
          {
            double value = hearth_run_options_get (battery->options, limited[i]);

            if (!hearth_run_options_is_set (resolved->options, limited[i])
                || hearth_run_options_get (resolved->options, limited[i]) != value
                || resolved->sources[limited[i]] != HEARTH_OPTION_SOURCE_PROFILE)
              {
                hearth_run_options_set (resolved->options, limited[i], value, NULL);
                resolved->sources[limited[i]] = HEARTH_OPTION_SOURCE_AUTOMATIC;
              }
          }
      g_string_append (reason, self->on_battery ? "On battery: Battery profile"
                                                : "Power saver is on: Battery profile");
    }
  if (hearth_tuning_get_memory_pressure (self))
    {
      if (!hearth_run_options_is_set (resolved->options, HEARTH_RUN_OPTION_NUM_CTX)
          || hearth_run_options_get (resolved->options, HEARTH_RUN_OPTION_NUM_CTX) > HEARTH_TUNING_PRESSURE_MAX_CTX)
        {
          hearth_run_options_set (resolved->options, HEARTH_RUN_OPTION_NUM_CTX,
                                  HEARTH_TUNING_PRESSURE_MAX_CTX, NULL);
          resolved->sources[HEARTH_RUN_OPTION_NUM_CTX] = HEARTH_OPTION_SOURCE_AUTOMATIC;
        }
      g_string_append_printf (reason, _("%sMemory is low: context limited to %d"),
                              reason->len ? "; " : "", HEARTH_TUNING_PRESSURE_MAX_CTX);
    }
  resolved->automatic_reason = reason->len ? g_string_free (reason, FALSE) : (g_string_free (reason, TRUE), NULL);

  /* 4. The request's own */
  layer (resolved, request_options, HEARTH_OPTION_SOURCE_REQUEST, 0);

  /* What this kind of server does not take is not sent. */
  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    {
      const char *why = NULL;

      if (hearth_run_options_is_set (resolved->options, i)
          && !hearth_run_option_is_supported (i, api, &why))
        {
          g_ptr_array_add (resolved->unsupported,
                           g_strdup_printf ("%s: %s", hearth_run_option_key_to_string (i), why));
          hearth_run_options_unset (resolved->options, i);
          resolved->sources[i] = HEARTH_OPTION_SOURCE_NONE;
        }
    }
  return resolved;
}
