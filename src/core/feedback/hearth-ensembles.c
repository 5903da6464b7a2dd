/* hearth-ensembles.c — named sets of models: the methods, one ensemble's
 * rules, and ensembles.conf (read, written, followed)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   [three-small]            one group per ensemble, named by it
 *   models=qwen3:4b;llama3.2:3b@big-box;gemma3:4b
 *   method=vote              vote, judge or first-good
 *   judge=qwen3:8b           only with method=judge
 */
#define G_LOG_DOMAIN "hearth-ensembles"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "hearth-engine.h"
#include "hearth-ensembles.h"
#include "hearth-config-file.h"
#include "hearth-error.h"
#include "hearth-model.h"

#define NAME_MAX_LENGTH 64

/* The methods */

static const struct
{
  const char *name;
  const char *label;
} methods[] = {
  [HEARTH_SET_COMPARE] = { "compare", N_("Side by side") },
  [HEARTH_SET_VOTE] = { "vote", N_("Majority vote") },
  [HEARTH_SET_JUDGE] = { "judge", N_("A judge picks") },
  [HEARTH_SET_FIRST_GOOD] = { "first-good", N_("First good answer") },
};

const char *
hearth_set_method_to_string (HearthSetMethod method)
{
  g_return_val_if_fail ((guint) method < G_N_ELEMENTS (methods), NULL);

  return methods[method].name;
}

const char *
hearth_set_method_get_label (HearthSetMethod method)
{
  g_return_val_if_fail ((guint) method < G_N_ELEMENTS (methods), NULL);

  return methods[method].label;
}

gboolean
hearth_set_method_parse (const char       *str,
                         HearthSetMethod  *method,
                         GError          **error)
{
  for (guint i = HEARTH_SET_VOTE; str != NULL && i < G_N_ELEMENTS (methods); i++)
    if (g_str_equal (str, methods[i].name))
      {
        if (method != NULL)
          *method = i;
        return TRUE;
      }
  return hearth_error_set_invalid (error, _("“%s” is not a way to combine answers: use vote, "
                                   "judge or first-good"), str != NULL ? str : "");
}

/* MODEL@SERVER */

void
hearth_split_model_at_server (const char  *spec,
                              char       **model,
                              char       **server)
{
  const char *at = spec != NULL ? strrchr (spec, '@') : NULL;

  /* "@x" and "x@" are model names with an "@" in them, not a server. */
  if (at != NULL && at != spec && at[1] != '\0')
    {
      *model = g_strndup (spec, at - spec);
      *server = g_strdup (at + 1);
      return;
    }
  *model = g_strdup (spec);
  *server = NULL;
}

/* HearthEnsemble */

HearthEnsemble *
hearth_ensemble_new (const char         *name,
                     const char * const *models,
                     HearthSetMethod     method,
                     const char         *judge)
{
  HearthEnsemble *ensemble = g_new0 (HearthEnsemble, 1);

  ensemble->name = g_strdup (name);
  ensemble->models = g_strdupv ((char **) models);
  if (ensemble->models == NULL)
    ensemble->models = g_new0 (char *, 1);
  ensemble->method = method;
  ensemble->judge = judge != NULL && *judge != '\0' ? g_strdup (judge) : NULL;
  return ensemble;
}

HearthEnsemble *
hearth_ensemble_copy (const HearthEnsemble *ensemble)
{
  g_return_val_if_fail (ensemble != NULL, NULL);

  return hearth_ensemble_new (ensemble->name, (const char * const *) ensemble->models,
                              ensemble->method, ensemble->judge);
}

void
hearth_ensemble_free (HearthEnsemble *ensemble)
{
  if (ensemble == NULL)
    return;
  g_free (ensemble->name);
  g_strfreev (ensemble->models);
  g_free (ensemble->judge);
  g_free (ensemble);
}

static gboolean
ensemble_equal (const HearthEnsemble *a,
                const HearthEnsemble *b)
{
  return g_strcmp0 (a->name, b->name) == 0 && a->method == b->method &&
         g_strcmp0 (a->judge, b->judge) == 0 &&
         g_strv_equal ((const char * const *) a->models, (const char * const *) b->models);
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  gsize len = name != NULL ? strlen (name) : 0;
  gboolean ok = len >= 1 && len <= NAME_MAX_LENGTH;

  for (gsize i = 0; ok && i < len; i++)
    ok = g_ascii_isalnum (name[i]) || strchr ("._-", name[i]) != NULL;
  if (!ok)
    return hearth_error_set_invalid (error, _("“%s” cannot name an ensemble: use 1 to %d letters, "
                                     "digits, “.”, “-” or “_” (like three-small)"),
                                     name != NULL ? name : "", NAME_MAX_LENGTH);
  return TRUE;
}

/* "MODEL" or "MODEL@SERVER": no spaces, and nothing a list in
 * ensembles.conf or on a command line would split. */
static gboolean
check_model (const char  *spec,
             const char  *what,
             GError     **error)
{
  gboolean ok = spec != NULL && *spec != '\0' && g_utf8_validate (spec, -1, NULL);

  for (const char *p = spec; ok && *p != '\0'; p++)
    ok = !g_ascii_isspace (*p) && !g_ascii_iscntrl (*p) && *p != ';' && *p != ',';
  if (!ok)
    return hearth_error_set_invalid (error, _("“%s” is not a model %s can use: write MODEL or "
                                     "MODEL@SERVER, without spaces, commas or semicolons"),
                                     spec != NULL ? spec : "", what);
  return TRUE;
}

gboolean
hearth_ensemble_validate (const HearthEnsemble  *ensemble,
                          GError               **error)
{
  guint n;

  g_return_val_if_fail (ensemble != NULL, FALSE);

  if (!check_name (ensemble->name, error))
    return FALSE;
  n = ensemble->models != NULL ? g_strv_length (ensemble->models) : 0;
  if (n < HEARTH_ENSEMBLE_MIN_MODELS || n > HEARTH_ENSEMBLE_MAX_MODELS)
    return hearth_error_set_invalid (error, _("An ensemble needs %d to %d models, and “%s” has %u: "
                                     "name between %d and %d"), HEARTH_ENSEMBLE_MIN_MODELS,
                                     HEARTH_ENSEMBLE_MAX_MODELS, ensemble->name, n,
                                     HEARTH_ENSEMBLE_MIN_MODELS, HEARTH_ENSEMBLE_MAX_MODELS);
  for (guint i = 0; i < n; i++)
    {
      if (!check_model (ensemble->models[i], "an ensemble", error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (ensemble->models[i], ensemble->models[j]))
          return hearth_error_set_invalid (error, _("“%s” is in the ensemble twice: name each "
                                           "model once"), ensemble->models[i]);
    }
  switch (ensemble->method)
    {
    case HEARTH_SET_JUDGE:
      if (ensemble->judge == NULL)
        return hearth_error_set_invalid (error, _("A judge ensemble needs a model to judge the "
                                         "answers: name one"));
      return check_model (ensemble->judge, "a judge", error);
    case HEARTH_SET_VOTE:
    case HEARTH_SET_FIRST_GOOD:
      if (ensemble->judge != NULL)
        return hearth_error_set_invalid (error, _("Only a judge ensemble has a judge: leave the "
                                         "judge out, or use the method judge"));
      return TRUE;
    case HEARTH_SET_COMPARE:
    default:
      return hearth_error_set_invalid (error, _("An ensemble combines its answers by vote, judge "
                                       "or first-good; side by side is a comparison, not an "
                                       "ensemble"));
    }
}

/* "qwen3:4b, llama3.2:3b and gemma3:4b — majority vote",
 * "a and b — a judge picks (qwen3:8b)". */
/* "tiny:latest@laptop" as people say it: "tiny on laptop". */
static void
append_spec (GString    *text,
             const char *spec)
{
  g_autofree char *model = NULL;
  g_autofree char *server = NULL;
  g_autofree char *shown = NULL;

  hearth_split_model_at_server (spec, &model, &server);
  shown = hearth_model_display_name (model);
  if (server != NULL)
    /* Translators: a model and the server it is asked on, in the list of an
     * ensemble's models ("Llama 3.2 on laptop, Qwen 2.5 and Gemma 3") */
    g_string_append_printf (text, _("%s on %s"), shown != NULL ? shown : model,
                            server);
  else
    g_string_append (text, shown != NULL ? shown : model);
}

char *
hearth_ensemble_describe (const HearthEnsemble *ensemble)
{
  GString *text = g_string_new (NULL);
  guint n;
  g_autofree char *label = NULL;

  g_return_val_if_fail (ensemble != NULL, NULL);

  n = g_strv_length (ensemble->models);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        /* Translators: joins the last two models of a list: "a, b and c" */
        g_string_append (text, i + 1 == n ? _(" and ") : ", ");
      append_spec (text, ensemble->models[i]);
    }
  if ((guint) ensemble->method >= G_N_ELEMENTS (methods))
    return g_string_free (text, FALSE);
  label = g_utf8_strdown (_(methods[ensemble->method].label), -1);
  g_string_append_printf (text, " — %s", label);
  if (ensemble->method == HEARTH_SET_JUDGE && ensemble->judge != NULL)
    {
      g_string_append (text, " (");
      append_spec (text, ensemble->judge);
      g_string_append_c (text, ')');
    }
  return g_string_free (text, FALSE);
}

/* HearthEnsembles */

struct _HearthEnsembles
{
  GObject       parent_instance;

  char         *path;
  GPtrArray    *ensembles;    /* HearthEnsemble, by name */
  gboolean      unreadable;   /* the file is kept aside before it is next written */
  GFileMonitor *monitor;
};

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HearthEnsembles, hearth_ensembles, G_TYPE_OBJECT)

static GPtrArray *
ensembles_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_ensemble_free);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  const HearthEnsemble *x = *(const HearthEnsemble * const *) a;
  const HearthEnsemble *y = *(const HearthEnsemble * const *) b;

  return strcmp (x->name, y->name);
}

static int
find (GPtrArray  *ensembles,
      const char *name)
{
  if (name != NULL && g_str_has_prefix (name, HEARTH_ENSEMBLE_PREFIX))
    name += strlen (HEARTH_ENSEMBLE_PREFIX);
  for (guint i = 0; name != NULL && i < ensembles->len; i++)
    if (g_str_equal (((HearthEnsemble *) g_ptr_array_index (ensembles, i))->name, name))
      return i;
  return -1;
}

/* An ensemble a person broke by hand is left out, not guessed at. */
static HearthEnsemble *
read_ensemble (GKeyFile   *file,
               const char *group)
{
  g_auto(GStrv) models = g_key_file_get_string_list (file, group, "models", NULL, NULL);
  g_autofree char *method_name = g_key_file_get_string (file, group, "method", NULL);
  g_autofree char *judge = g_key_file_get_string (file, group, "judge", NULL);
  g_autoptr(HearthEnsemble) ensemble = NULL;
  HearthSetMethod method;

  if (models == NULL || !hearth_set_method_parse (method_name, &method, NULL))
    return NULL;
  for (guint i = 0; models[i] != NULL; i++)
    g_strstrip (models[i]);
  if (judge != NULL)
    g_strstrip (judge);
  ensemble = hearth_ensemble_new (group, (const char * const *) models, method, judge);
  if (!hearth_ensemble_validate (ensemble, NULL))
    return NULL;
  return g_steal_pointer (&ensemble);
}

/* Returns: the ensembles in @path (none when there is no file);
 * @unreadable: TRUE when some or all of it could not be used. */
static GPtrArray *
load_ensembles (const char *path,
                gboolean   *unreadable)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  GPtrArray *ensembles = ensembles_new ();

  *unreadable = FALSE;
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error))
    {
      *unreadable = !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      if (*unreadable)
        g_message ("%s cannot be read (%s): no ensembles are listed, and the file is kept as "
                   "ensembles.conf.bak when the ensembles are next changed", path, error->message);
      return ensembles;
    }
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      HearthEnsemble *ensemble = read_ensemble (file, groups[i]);

      if (ensemble != NULL && find (ensembles, ensemble->name) < 0)
        {
          g_ptr_array_add (ensembles, ensemble);
          continue;
        }
      g_message ("%s: [%s] is not an ensemble Hearth can use and is left out; the file is kept "
                 "as ensembles.conf.bak when the ensembles are next changed", path, groups[i]);
      *unreadable = TRUE;
      hearth_ensemble_free (ensemble);
    }
  g_ptr_array_sort (ensembles, compare_names);
  return ensembles;
}

static char *
ensembles_to_data (GPtrArray *ensembles)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();

  g_key_file_set_comment (file, NULL, NULL,
                          " Hearth’s ensembles (hearth-cli ensembles list): 2 to 4 models, each\n"
                          " MODEL or MODEL@SERVER; method vote, judge (with judge=MODEL) or "
                          "first-good.", NULL);
  for (guint i = 0; i < ensembles->len; i++)
    {
      const HearthEnsemble *ensemble = g_ptr_array_index (ensembles, i);

      g_key_file_set_string_list (file, ensemble->name, "models",
                                  (const char * const *) ensemble->models,
                                  g_strv_length (ensemble->models));
      g_key_file_set_string (file, ensemble->name, "method",
                             hearth_set_method_to_string (ensemble->method));
      if (ensemble->judge != NULL)
        g_key_file_set_string (file, ensemble->name, "judge", ensemble->judge);
    }
  return g_key_file_to_data (file, NULL, NULL);
}

/* Written aside and moved into place: another reader never sees half a file. */
static gboolean
save_ensembles (HearthEnsembles  *self,
                GPtrArray        *ensembles,
                GError          **error)
{
  g_autofree char *data = ensembles_to_data (ensembles);

  return hearth_config_file_write (self->path, data, 0644, "The ensembles",
                                   &self->unreadable, error);
}

static gboolean
lists_equal (GPtrArray *a,
             GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!ensemble_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

/* Takes @ensembles and says so when they differ from those in force. */
static void
set_ensembles (HearthEnsembles *self,
               GPtrArray       *ensembles)
{
  gboolean same = lists_equal (self->ensembles, ensembles);

  g_ptr_array_unref (self->ensembles);
  self->ensembles = ensembles;
  if (!same)
    g_signal_emit (self, signals[CHANGED], 0);
}

/* What the file holds now, so that a change made by another program
 * since the monitor last spoke is not written over. */
static GPtrArray *
reload (HearthEnsembles *self)
{
  GPtrArray *ensembles = load_ensembles (self->path, &self->unreadable);

  set_ensembles (self, ensembles);
  return ensembles;
}

static gboolean
commit (HearthEnsembles  *self,
        GPtrArray        *ensembles,
        GError          **error)
{
  g_ptr_array_sort (ensembles, compare_names);
  if (!save_ensembles (self, ensembles, error))
    {
      g_ptr_array_unref (ensembles);
      return FALSE;
    }
  set_ensembles (self, ensembles);
  return TRUE;
}

static GPtrArray *
copy_list (GPtrArray *ensembles)
{
  GPtrArray *copy = ensembles_new ();

  for (guint i = 0; i < ensembles->len; i++)
    g_ptr_array_add (copy, hearth_ensemble_copy (g_ptr_array_index (ensembles, i)));
  return copy;
}

GPtrArray *
hearth_ensembles_list (HearthEnsembles *self)
{
  g_return_val_if_fail (HEARTH_IS_ENSEMBLES (self), NULL);

  return copy_list (self->ensembles);
}

const HearthEnsemble *
hearth_ensembles_lookup (HearthEnsembles *self,
                         const char      *name)
{
  int i;

  g_return_val_if_fail (HEARTH_IS_ENSEMBLES (self), NULL);

  i = find (self->ensembles, name);
  return i >= 0 ? g_ptr_array_index (self->ensembles, i) : NULL;
}

gboolean
hearth_ensembles_add (HearthEnsembles       *self,
                      const HearthEnsemble  *ensemble,
                      gboolean               replace,
                      GError               **error)
{
  g_autoptr(GPtrArray) ensembles = NULL;
  int i;

  g_return_val_if_fail (HEARTH_IS_ENSEMBLES (self), FALSE);
  g_return_val_if_fail (ensemble != NULL, FALSE);

  if (!hearth_ensemble_validate (ensemble, error))
    return FALSE;
  ensembles = copy_list (reload (self));
  i = find (ensembles, ensemble->name);
  if (i >= 0 && !replace)
    return hearth_error_set_invalid (error, _("There is already an ensemble called “%s”: choose "
                                     "another name, or replace it"), ensemble->name);
  if (i >= 0)
    g_ptr_array_remove_index (ensembles, i);
  g_ptr_array_add (ensembles, hearth_ensemble_copy (ensemble));
  return commit (self, g_steal_pointer (&ensembles), error);
}

gboolean
hearth_ensembles_remove (HearthEnsembles  *self,
                         const char       *name,
                         GError          **error)
{
  g_autoptr(GPtrArray) ensembles = NULL;
  int i;

  g_return_val_if_fail (HEARTH_IS_ENSEMBLES (self), FALSE);

  ensembles = copy_list (reload (self));
  i = find (ensembles, name);
  if (i < 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint j = 0; j < ensembles->len; j++)
        g_string_append_printf (names, "%s%s", j > 0 ? ", " : "",
                                ((HearthEnsemble *) g_ptr_array_index (ensembles, j))->name);
      return hearth_error_set_invalid (error, _("There is no ensemble called “%s”: %s%s"),
                                       name != NULL ? name : "",
                                       names->len > 0 ? _("the ensembles are ") : _("there are none yet"),
                                       names->str);
    }
  g_ptr_array_remove_index (ensembles, i);
  return commit (self, g_steal_pointer (&ensembles), error);
}

static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other_file,
                 GFileMonitorEvent  event,
                 HearthEnsembles   *self)
{
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT || event == G_FILE_MONITOR_EVENT_UNMOUNTED)
    return;
  reload (self);
}

static void
follow_file (HearthEnsembles *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GError) error = NULL;

  /* The directory exists so that the monitor sees the file appear at once. */
  g_mkdir_with_parents (dir, 0700);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_message ("Changes other programs make to %s will be seen after a restart: %s",
                 self->path, error->message);
      return;
    }
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_file_changed), self, 0);
}

static void
hearth_ensembles_dispose (GObject *object)
{
  HearthEnsembles *self = HEARTH_ENSEMBLES (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (hearth_ensembles_parent_class)->dispose (object);
}

static void
hearth_ensembles_finalize (GObject *object)
{
  HearthEnsembles *self = HEARTH_ENSEMBLES (object);

  g_free (self->path);
  g_clear_pointer (&self->ensembles, g_ptr_array_unref);

  G_OBJECT_CLASS (hearth_ensembles_parent_class)->finalize (object);
}

static void
hearth_ensembles_class_init (HearthEnsemblesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_ensembles_dispose;
  object_class->finalize = hearth_ensembles_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hearth_ensembles_init (HearthEnsembles *self)
{
  self->ensembles = ensembles_new ();
}

HearthEnsembles *
_hearth_ensembles_new (const char *path)
{
  HearthEnsembles *self = g_object_new (HEARTH_TYPE_ENSEMBLES, NULL);

  self->path = g_strdup (path);
  g_ptr_array_unref (self->ensembles);
  self->ensembles = load_ensembles (self->path, &self->unreadable);
  follow_file (self);
  return self;
}

/* Kept on the engine, made on first use: $XDG_CONFIG_HOME/hearth/ensembles.conf. */
HearthEnsembles *
hearth_engine_get_ensembles (HearthEngine *self)
{
  HearthEnsembles *ensembles;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  ensembles = g_object_get_data (G_OBJECT (self), "hearth-ensembles");
  if (ensembles == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_config_dir (), "hearth",
                                                "ensembles.conf", NULL);

      ensembles = _hearth_ensembles_new (path);
      g_object_set_data_full (G_OBJECT (self), "hearth-ensembles", ensembles, g_object_unref);
    }
  return ensembles;
}
