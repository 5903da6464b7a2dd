/* hearth-routes-choose.c — which rule a request matches, and what @fast and @capable are now
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-routes"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "hearth-endpoint.h"
#include "hearth-engine-private.h"
#include "hearth-error.h"
#include "hearth-feedback.h"
#include "hearth-message.h"
#include "hearth-routes-private.h"
#include "hearth-servers-private.h"

/* How old a server's list of models may be when "Auto" picks among them:
 * each request does not ask every server again, and a model installed
 * since is seen within this time (or at once through the Models page). */
#define MODELS_MAX_AGE_MS (30 * 1000)

/* Tiers */

void
_hearth_tier_candidate_free (HearthTierCandidate *candidate)
{
  if (candidate == NULL)
    return;

  g_free (candidate->model);
  g_free (candidate->server);
  g_free (candidate);
}

double
_hearth_routes_parse_parameters (const char *text)
{
  g_autofree char *copy = NULL;
  char *end = NULL;
  double value;

  if (text == NULL || *text == '\0')
    return -1;
  copy = g_strstrip (g_strdup (text));
  value = g_ascii_strtod (copy, &end);
  if (end == copy || !isfinite (value) || value <= 0)
    return -1;

  switch (g_ascii_toupper (*end))
    {
    case '\0':
      return value;
    case 'K':
      return value * 1e3;
    case 'M':
      return value * 1e6;
    case 'B':
    case 'G':
      return value * 1e9;
    case 'T':
      return value * 1e12;
    default:
      return -1;
    }
}

static const HearthCatalogModel *
catalog_find (GPtrArray  *catalog,
              const char *name)
{
  const HearthCatalogModel *model;

  if (catalog == NULL)
    return NULL;
  model = hearth_catalog_lookup (catalog, name);
  for (guint i = 0; model == NULL && i < catalog->len; i++)
    {
      const HearthCatalogModel *entry = g_ptr_array_index (catalog, i);

      for (guint j = 0; j < entry->quantizations->len; j++)
        if (g_strcmp0 (((HearthCatalogQuant *) g_ptr_array_index (entry->quantizations, j))->tag,
                       name) == 0)
          return entry;
    }
  return model;
}

/* The hardware report's fit: weights, KV cache (when the catalog knows the
 * model's shape) and runtime overhead against this machine's VRAM and RAM. */
static gboolean
fits_here (const HearthTierCandidate *candidate,
           const HearthHardware      *hardware,
           GPtrArray                 *catalog)
{
  const HearthCatalogModel *known;
  HearthCatalogModel shape = { .layers = 1, .context_length = 4096 };
  HearthCatalogQuant quant = { 0 };
  g_autoptr(HearthFit) fit = NULL;

  if (!candidate->on_this_computer || hardware == NULL || candidate->size <= 0)
    return TRUE;

  known = catalog_find (catalog, candidate->model);
  if (known == NULL)
    {
      shape.name = candidate->model;
      shape.parameters = candidate->parameters;
      known = &shape;
    }
  quant.size = candidate->size;
  fit = hearth_catalog_fit (known, &quant, hardware, 0);
  return fit->placement != HEARTH_PLACEMENT_TOO_LARGE;
}

static gboolean
all_have (GPtrArray *running,
          gboolean   speeds)
{
  for (guint i = 0; i < running->len; i++)
    {
      const HearthTierCandidate *c = g_ptr_array_index (running, i);

      if (speeds ? c->tokens_per_s <= 0 : c->parameters <= 0)
        return FALSE;
    }
  return TRUE;
}

static gint64
size_or_max (const HearthTierCandidate *c)
{
  return c->size > 0 ? c->size : G_MAXINT64;
}

/* The catalog's rule: more parameters is more capable; at equal size, the smaller download. */
static gboolean
more_capable (const HearthTierCandidate *a,
              const HearthTierCandidate *b,
              gboolean                   by_parameters)
{
  if (by_parameters && a->parameters != b->parameters)
    return a->parameters > b->parameters;
  if (!by_parameters && a->size != b->size)
    return a->size > b->size;
  return size_or_max (a) < size_or_max (b);
}

/* Decode reads every weight per token: the smallest is the fastest, unless measured. */
static gboolean
faster (const HearthTierCandidate *a,
        const HearthTierCandidate *b,
        gboolean                   by_speed)
{
  if (by_speed && a->tokens_per_s != b->tokens_per_s)
    return a->tokens_per_s > b->tokens_per_s;
  return size_or_max (a) < size_or_max (b);
}

static guint
count_models (GPtrArray *running)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < running->len; i++)
    g_hash_table_add (names, ((HearthTierCandidate *) g_ptr_array_index (running, i))->model);
  return g_hash_table_size (names);
}

const HearthTierCandidate *
_hearth_routes_pick_tier (GPtrArray            *candidates,
                          const char           *target,
                          const HearthHardware *hardware,
                          GPtrArray            *catalog,
                          guint                *n_choices,
                          gboolean             *none_fits)
{
  g_autoptr(GPtrArray) running = g_ptr_array_new ();
  const HearthTierCandidate *best = NULL;
  gboolean capable = g_strcmp0 (target, HEARTH_ROUTE_TARGET_CAPABLE) == 0;
  gboolean by_parameters, by_speed;

  *n_choices = 0;
  *none_fits = FALSE;
  for (guint i = 0; i < candidates->len; i++)
    if (fits_here (g_ptr_array_index (candidates, i), hardware, catalog))
      g_ptr_array_add (running, g_ptr_array_index (candidates, i));
  if (running->len == 0 && candidates->len > 0)
    {
      /* Nothing fits: the smallest has the best chance, whichever the tier. */
      *none_fits = TRUE;
      capable = FALSE;
      g_ptr_array_extend (running, candidates, NULL, NULL);
    }

  by_parameters = all_have (running, FALSE);
  by_speed = !*none_fits && all_have (running, TRUE);
  for (guint i = 0; i < running->len; i++)
    {
      const HearthTierCandidate *c = g_ptr_array_index (running, i);

      if (best == NULL || (capable ? more_capable (c, best, by_parameters)
                                   : faster (c, best, by_speed)))
        best = c;
    }

  *n_choices = count_models (running);
  return best;
}

/* Choosing */

typedef struct
{
  char       *label;       /* the rule, for the reply: "code"; NULL for resolve_target */
  char       *rule_id;
  char       *target;      /* a model or a HEARTH_ROUTE_TARGET_* */
  char       *server;      /* the rule's server, or NULL */
  GPtrArray  *listed;      /* HearthServerModels */
  guint       pending;     /* servers still being asked */
  char       *kind;        /* the question's kind (hearth_feedback_kind_of ()) */
  gboolean    by_ratings;  /* the user lets "auto" follow the ratings */
  gboolean    on_server;   /* the rule's model on the rule's server, checked; the
                            * server's models listed for the ratings */
  /* The rule's choice, while the ratings are read. */
  char       *rule_model;
  char       *rule_server;
  char       *rule_what;
} Choose;

static void
choose_free (Choose *choose)
{
  g_free (choose->label);
  g_free (choose->rule_id);
  g_free (choose->target);
  g_free (choose->server);
  g_clear_pointer (&choose->listed, g_ptr_array_unref);
  g_free (choose->kind);
  g_free (choose->rule_model);
  g_free (choose->rule_server);
  g_free (choose->rule_what);
  g_free (choose);
}

void
hearth_route_choice_free (HearthRouteChoice *choice)
{
  if (choice == NULL)
    return;

  g_free (choice->model);
  g_free (choice->server);
  g_free (choice->rule_id);
  g_free (choice->explanation);
  g_free (choice);
}

static gboolean
is_tier (const char *target)
{
  return g_strcmp0 (target, HEARTH_ROUTE_TARGET_FAST) == 0
         || g_strcmp0 (target, HEARTH_ROUTE_TARGET_CAPABLE) == 0;
}

static void
return_choice (GTask      *task,
               const char *model,
               const char *server,
               char       *what)
{
  Choose *choose = g_task_get_task_data (task);
  HearthRouteChoice *choice = g_new0 (HearthRouteChoice, 1);

  choice->model = g_strdup (model);
  choice->server = g_strdup (server);
  choice->rule_id = g_strdup (choose->rule_id);
  if (choose->label != NULL)
    choice->explanation = g_strdup_printf ("%s → %s", choose->label, what);
  else
    choice->explanation = g_strdup (what);
  g_free (what);
  g_task_return_pointer (task, choice, (GDestroyNotify) hearth_route_choice_free);
}

/* "the rule “the word “sql”” (r1)" reads badly: the rule is named by its id and label. */
static char *
rule_name (Choose *choose)
{
  if (choose->rule_id == NULL)
    return g_strdup ("“Auto”");
  return g_strdup_printf (_("The rule “%s” (%s)"), choose->rule_id, choose->label);
}

/* The servers that could not be asked, "laptop, big-box", or NULL */
static char *
unanswered (GPtrArray *listed)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; listed != NULL && i < listed->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (listed, i);

      if (entry->models == NULL)
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "",
                                hearth_server_get_name (entry->server));
    }
  if (names->len == 0)
    {
      g_string_free (names, TRUE);
      return NULL;
    }
  return g_string_free (names, FALSE);
}

/* Ratings: the user's record for this kind of question may overrule the
 * rule's choice (hearth-routes-ratings.c). */

static gboolean
is_embedding (const char *name)
{
  return strstr (name, "embed") != NULL;
}

/* Where @model is installed among the servers "auto" may use for this
 * rule (never a cloud server a rule does not name): the rule's server when
 * it has the model, else the first; NULL when none has it. @installed: the
 * name as that server lists it. */
static const char *
installed_on (Choose      *choose,
              const char  *model,
              const char **installed)
{
  const char *found = NULL;

  if (model == NULL || is_embedding (model))
    return NULL;
  for (guint i = 0; choose->listed != NULL && i < choose->listed->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (choose->listed, i);
      const char *server = hearth_server_get_name (entry->server);
      const HearthModelInfo *info;

      if (entry->models == NULL
          || (choose->server != NULL ? g_strcmp0 (server, choose->server) != 0
                                     : hearth_server_get_cloud (entry->server))
          || (info = hearth_model_info_find (entry->models, model)) == NULL)
        continue;
      if (found == NULL || g_strcmp0 (server, choose->rule_server) == 0)
        {
          found = server;
          *installed = info->name;
        }
    }
  return found;
}

/* For _hearth_routes_prefer_rated (): a model "auto" may ask for this rule. */
static gboolean
can_ask (const char *model,
         gpointer    user_data)
{
  const char *installed;

  return installed_on (user_data, model, &installed) != NULL;
}

static void
on_records (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Choose *choose = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  const HearthModelRecord *best = NULL, *rule = NULL;
  const char *server = NULL, *name = NULL;

  records = _hearth_engine_model_records_finish (HEARTH_ENGINE (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (records == NULL)
    g_debug ("The ratings could not be read, the rule decides: %s", error->message);
  else
    best = _hearth_routes_prefer_rated (records, choose->rule_model, can_ask, choose, &rule);
  if (best != NULL)
    server = installed_on (choose, best->model, &name);

  if (server == NULL)
    return_choice (task, choose->rule_model, choose->rule_server,
                   g_steal_pointer (&choose->rule_what));
  else
    return_choice (task, name, server,
                   _hearth_routes_describe_ratings (choose->kind, best, rule, choose->rule_model));
}

/* The rule chose @model on @server (@what says why, taken): the answer,
 * unless the ratings are to be heard first. */
static void
settle (HearthRoutes *self,
        GTask        *task,
        const char   *model,
        const char   *server,
        char         *what)
{
  Choose *choose = g_task_get_task_data (task);

  if (!choose->by_ratings || choose->label == NULL || self->engine == NULL
      || hearth_engine_get_store (self->engine) == NULL)
    {
      return_choice (task, model, server, what);
      return;
    }
  choose->rule_model = g_strdup (model);
  choose->rule_server = g_strdup (server);
  choose->rule_what = what;
  _hearth_engine_model_records_async (self->engine, choose->kind, g_task_get_cancellable (task),
                                      on_records, g_object_ref (task));
}

static void gather_models (HearthRoutes *self,
                           GTask        *task);

/* A rule with a server: that server, as long as it is in the list and on.
 * The ratings may choose another of that server's models: they are listed
 * first. */
static void
resolve_on_server (HearthRoutes *self,
                   GTask        *task)
{
  Choose *choose = g_task_get_task_data (task);
  HearthServer *server = hearth_servers_lookup (hearth_engine_get_servers (self->engine),
                                                choose->server);
  g_autofree char *rule = rule_name (choose);

  if (server == NULL)
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                             _("%s sends questions to the server “%s”, which is no longer in "
                               "your list: change the rule or add the server again"),
                             rule, choose->server);
  else if (!hearth_server_get_enabled (server))
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_INVALID_ARGUMENT,
                             _("%s sends questions to the server “%s”, which is turned off: "
                               "turn it on or change the rule"), rule, choose->server);
  else if (choose->by_ratings && choose->label != NULL)
    {
      choose->on_server = TRUE;
      gather_models (self, task);
    }
  else
    return_choice (task, choose->target, choose->server,
                   g_strdup_printf ("%s on %s", choose->target, choose->server));
}

/* A rule with a model's name: the first enabled server that lists it, local ones first. */
static void
resolve_named (HearthRoutes *self,
               GTask        *task)
{
  Choose *choose = g_task_get_task_data (task);
  g_autofree char *rule = NULL;
  g_autofree char *missing = NULL;

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < choose->listed->len; i++)
      {
        HearthServerModels *entry = g_ptr_array_index (choose->listed, i);
        const char *name = hearth_server_get_name (entry->server);

        if (entry->models == NULL || hearth_server_get_cloud (entry->server) != (pass == 1)
            || hearth_model_info_find (entry->models, choose->target) == NULL)
          continue;
        settle (self, task, choose->target, name,
                g_strdup_printf ("%s on %s", choose->target, name));
        return;
      }

  missing = unanswered (choose->listed);
  if (choose->rule_id != NULL)
    rule = rule_name (choose);
  if (choose->rule_id == NULL && missing == NULL)
    /* Translators: %s is a model's name */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                             _("%s is not installed on any enabled server"), choose->target);
  else if (choose->rule_id == NULL)
    /* Translators: a model's name, then the servers that did not answer
     * (“laptop, big-box”) */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                             _("%s is not installed on any enabled server (could not ask: %s)"),
                             choose->target, missing);
  else if (missing == NULL)
    /* Translators: the rule (“The rule “code” (Questions with code)”), then
     * a model's name */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                             _("%s picks %s, which is not installed on any enabled server: "
                               "install it, or change the rule"), rule, choose->target);
  else
    /* Translators: the rule (“The rule “code” (Questions with code)”), a
     * model's name, then the servers that did not answer (“laptop, big-box”) */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                             _("%s picks %s, which is not installed on any enabled server "
                               "(could not ask: %s): install it, or change the rule"),
                             rule, choose->target, missing);
}

static GPtrArray *
collect_candidates (HearthRoutes *self,
                    Choose       *choose)
{
  GPtrArray *candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) _hearth_tier_candidate_free);
  HearthStore *store = self->engine != NULL ? hearth_engine_get_store (self->engine) : NULL;

  for (guint i = 0; i < choose->listed->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (choose->listed, i);
      const char *server = hearth_server_get_name (entry->server);

      /* A cloud model only when a rule sends to that server by name. */
      if (entry->models == NULL
          || (choose->server != NULL ? g_strcmp0 (server, choose->server) != 0
                                     : hearth_server_get_cloud (entry->server)))
        continue;
      for (guint j = 0; j < entry->models->len; j++)
        {
          const HearthModelInfo *info = g_ptr_array_index (entry->models, j);
          HearthTierCandidate *c;

          if (info->name == NULL || is_embedding (info->name))
            continue;
          c = g_new0 (HearthTierCandidate, 1);
          c->model = g_strdup (info->name);
          c->server = g_strdup (server);
          c->size = info->size;
          c->parameters = _hearth_routes_parse_parameters (info->parameter_size);
          c->on_this_computer = hearth_endpoint_is_loopback (hearth_server_get_endpoint (entry->server));
          c->tokens_per_s = store != NULL ? hearth_store_get_measured_speed (store, info->name,
                                                                             NULL, NULL) : -1;
          g_ptr_array_add (candidates, c);
        }
    }

  return candidates;
}

static gboolean
several_servers (GPtrArray *candidates)
{
  for (guint i = 1; i < candidates->len; i++)
    if (g_strcmp0 (((HearthTierCandidate *) g_ptr_array_index (candidates, i))->server,
                   ((HearthTierCandidate *) g_ptr_array_index (candidates, 0))->server) != 0)
      return TRUE;
  return FALSE;
}

static char *
describe_pick (Choose                    *choose,
               const HearthTierCandidate *pick,
               guint                      n_choices,
               gboolean                   none_fits,
               gboolean                   show_server)
{
  g_autofree char *name = show_server ? g_strdup_printf ("%s on %s", pick->model, pick->server)
                                      : g_strdup (pick->model);
  gboolean capable = g_str_equal (choose->target, HEARTH_ROUTE_TARGET_CAPABLE);
  g_autofree char *where = NULL;

  if (choose->label == NULL)
    return g_steal_pointer (&name);
  if (none_fits)
    return g_strdup_printf (_("%s, the smallest model you have: none fits this computer’s memory"),
                            name);
  /* A rule with a server picks among that server's models only. */
  if (n_choices == 1 && choose->server != NULL)
    return g_strdup_printf (_("%s, the only model %s has"), pick->model, choose->server);
  if (n_choices == 1)
    return g_strdup_printf (_("%s, the only model you have, so it is both the fastest and the "
                              "most capable"), name);
  where = choose->server != NULL ? g_strdup_printf (_("on %s"), choose->server)
                                 : g_strdup (_("you have"));
  if (capable)
    return g_strdup_printf (_("the most capable model %s (%s)"), where,
                            choose->server != NULL ? pick->model : name);
  if (pick->tokens_per_s > 0)
    return g_strdup_printf (_("the fastest model %s (%s, measured at %.1f tokens/s)"),
                            where, choose->server != NULL ? pick->model : name,
                            pick->tokens_per_s);
  return g_strdup_printf (_("the fastest model %s (%s)"), where,
                          choose->server != NULL ? pick->model : name);
}

static void
resolve_tier (HearthRoutes *self,
              GTask        *task)
{
  Choose *choose = g_task_get_task_data (task);
  g_autoptr(GPtrArray) candidates = collect_candidates (self, choose);
  const HearthTierCandidate *pick;
  guint n_choices;
  gboolean none_fits;
  g_autofree char *rule = NULL;
  g_autofree char *missing = NULL;

  pick = _hearth_routes_pick_tier (candidates, choose->target, self->hardware, self->catalog,
                                   &n_choices, &none_fits);
  if (pick != NULL)
    {
      settle (self, task, pick->model, pick->server,
              describe_pick (choose, pick, n_choices, none_fits,
                             choose->label == NULL || choose->server != NULL
                             || several_servers (candidates)));
      return;
    }

  rule = rule_name (choose);
  missing = unanswered (choose->listed);
  if (choose->server != NULL && missing == NULL)
    /* Translators: the rule (“The rule “code” (Questions with code)”), then
     * a server's name */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_NO_MODEL,
                             _("%s picks a model on %s, which lists none: install a model "
                               "there, or change the rule"), rule, choose->server);
  else if (choose->server != NULL)
    /* Translators: the rule (“The rule “code” (Questions with code)”), a
     * server's name, then the servers that did not answer (“laptop”) */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_NO_MODEL,
                             _("%s picks a model on %s, which lists none (could not ask: %s): "
                               "install a model there, or change the rule"),
                             rule, choose->server, missing);
  else if (missing == NULL)
    /* Translators: the rule (“The rule “code” (Questions with code)”, or
     * “Auto”) */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_NO_MODEL,
                             _("%s found no model to use: no enabled server on this computer or "
                               "your network lists one. Install a model, or name a cloud model "
                               "in a rule (cloud servers are only used when a rule names them)"),
                             rule);
  else
    /* Translators: the rule (“The rule “code” (Questions with code)”, or
     * “Auto”), then the servers that did not answer (“laptop, big-box”) */
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_NO_MODEL,
                             _("%s found no model to use: no enabled server on this computer or "
                               "your network lists one (could not ask: %s). Install a model, or "
                               "name a cloud model in a rule (cloud servers are only used when a "
                               "rule names them)"),
                             rule, missing);
}

/* The machine, probed once in a worker: what fits its memory. */
typedef struct
{
  HearthHardware *hardware;
  GPtrArray      *catalog;
} Machine;

static void
machine_free (Machine *machine)
{
  g_clear_pointer (&machine->hardware, hearth_hardware_free);
  g_clear_pointer (&machine->catalog, g_ptr_array_unref);
  g_free (machine);
}

static void
probe_machine (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Machine *machine = g_new0 (Machine, 1);
  g_autoptr(GError) error = NULL;

  machine->hardware = hearth_hardware_probe (NULL, FALSE, &error);
  if (machine->hardware == NULL)
    g_debug ("No fit for the tiers, every model counts as fitting: %s", error->message);
  g_clear_error (&error);
  machine->catalog = hearth_catalog_load (&error);
  if (machine->catalog == NULL)
    g_debug ("The catalog could not be read: %s", error->message);
  g_task_return_pointer (task, machine, (GDestroyNotify) machine_free);
}

static void
on_machine_probed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HearthRoutes *self = g_task_get_source_object (task);
  Machine *machine = g_task_propagate_pointer (G_TASK (result), NULL);

  if (!self->machine_known && machine != NULL)
    {
      self->machine_known = TRUE;
      self->hardware = g_steal_pointer (&machine->hardware);
      self->catalog = g_steal_pointer (&machine->catalog);
    }
  g_clear_pointer (&machine, machine_free);
  resolve_tier (self, task);
}

static void
listed (HearthRoutes *self,
        GTask        *task)
{
  Choose *choose = g_task_get_task_data (task);
  g_autoptr(GTask) probe = NULL;
  GCancellable *cancellable;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->engine == NULL)
    {
      g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                               _("Hearth is closing: no model was chosen"));
      return;
    }
  if (choose->on_server)
    {
      settle (self, task, choose->target, choose->server,
              g_strdup_printf ("%s on %s", choose->target, choose->server));
      return;
    }
  if (!is_tier (choose->target))
    {
      resolve_named (self, task);
      return;
    }
  if (self->machine_known)
    {
      resolve_tier (self, task);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  probe = g_task_new (self, cancellable, on_machine_probed, g_object_ref (task));
  g_task_set_source_tag (probe, probe_machine);
  g_task_run_in_thread (probe, probe_machine);
}

typedef struct
{
  GTask              *task;
  HearthServerModels *entry;
} Asked;

static void
on_models (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Asked *asked = user_data;
  g_autoptr(GTask) task = asked->task;
  Choose *choose = g_task_get_task_data (task);

  asked->entry->models = _hearth_servers_get_models_finish (HEARTH_SERVERS (object), result,
                                                            &asked->entry->error);
  g_free (asked);
  if (--choose->pending == 0)
    listed (g_task_get_source_object (task), task);
}

/* Tiers look among the local servers (or the rule's one); a model's name
 * is looked for everywhere. A server whose breaker is open is not asked. */
static gboolean
worth_asking (Choose       *choose,
              HearthServer *server)
{
  if (!hearth_server_get_enabled (server))
    return FALSE;
  if (choose->server != NULL)
    return g_strcmp0 (hearth_server_get_name (server), choose->server) == 0;
  return !is_tier (choose->target) || !hearth_server_get_cloud (server);
}

static void
gather_models (HearthRoutes *self,
               GTask        *task)
{
  Choose *choose = g_task_get_task_data (task);
  HearthServers *servers = hearth_engine_get_servers (self->engine);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (servers));

  choose->listed = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_server_models_free);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthServer) server = g_list_model_get_item (G_LIST_MODEL (servers), i);
      HearthServerModels *entry;

      if (!worth_asking (choose, server))
        continue;
      entry = g_new0 (HearthServerModels, 1);
      entry->server = g_object_ref (server);
      if (hearth_server_get_breaker_open (server))
        entry->error = g_error_new (HEARTH_ERROR, HEARTH_ERROR_CONNECTION_REFUSED,
                                    _("%s is skipped until it answers again"),
                                    hearth_server_get_name (server));
      g_ptr_array_add (choose->listed, entry);
    }

  /* One more than the servers asked, so that none can finish the gathering early. */
  choose->pending = 1;
  for (guint i = 0; i < choose->listed->len; i++)
    {
      HearthServerModels *entry = g_ptr_array_index (choose->listed, i);
      Asked *asked;

      if (entry->error != NULL)
        continue;
      asked = g_new0 (Asked, 1);
      asked->task = g_object_ref (task);
      asked->entry = entry;
      choose->pending++;
      _hearth_servers_get_models_async (servers, entry->server, MODELS_MAX_AGE_MS,
                                        g_task_get_cancellable (task), on_models, asked);
    }
  if (--choose->pending == 0)
    listed (self, task);
}

static void
start (HearthRoutes *self,
       GTask        *task)
{
  Choose *choose = g_task_get_task_data (task);

  if (self->engine == NULL)
    g_task_return_new_error (task, HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                             _("Hearth is closing: no model was chosen"));
  else if (choose->server != NULL && !is_tier (choose->target))
    resolve_on_server (self, task);
  else
    gather_models (self, task);
  g_object_unref (task);
}

static const char *
question_of (const HearthChatRequest *request)
{
  const HearthMessage *last;

  if (request->messages == NULL || request->messages->len == 0)
    return "";
  last = g_ptr_array_index (request->messages, request->messages->len - 1);
  return last->content != NULL ? last->content : "";
}

void
hearth_routes_choose_async (HearthRoutes            *self,
                            const HearthChatRequest *request,
                            guint                    earlier_messages,
                            GCancellable            *cancellable,
                            GAsyncReadyCallback      callback,
                            gpointer                 user_data)
{
  GPtrArray *rules;
  const char *question;
  Choose *choose;
  GTask *task;

  g_return_if_fail (HEARTH_IS_ROUTES (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_routes_choose_async);

  rules = _hearth_routes_get_rules (self);
  question = question_of (request);
  choose = g_new0 (Choose, 1);
  g_task_set_task_data (task, choose, (GDestroyNotify) choose_free);
  for (guint i = 0; i < rules->len; i++)
    {
      const HearthRoute *route = g_ptr_array_index (rules, i);

      if (!_hearth_route_matches (route, question, earlier_messages))
        continue;
      choose->label = _hearth_route_label (route);
      choose->rule_id = g_strdup (route->id);
      choose->target = g_strdup (route->model);
      choose->server = g_strdup (route->server);
      break;
    }
  choose->kind = g_strdup (hearth_feedback_kind_of (question, earlier_messages));
  choose->by_ratings = self->use_ratings;
  /* The default rule always matches. */
  g_assert (choose->target != NULL);
  start (self, task);
}

HearthRouteChoice *
hearth_routes_choose_finish (HearthRoutes  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hearth_routes_choose_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
hearth_routes_resolve_target_async (HearthRoutes        *self,
                                    const char          *target,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Choose *choose;
  GTask *task;

  g_return_if_fail (HEARTH_IS_ROUTES (self));
  g_return_if_fail (target != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hearth_routes_resolve_target_async);
  choose = g_new0 (Choose, 1);
  choose->target = g_strdup (target);
  g_task_set_task_data (task, choose, (GDestroyNotify) choose_free);
  start (self, task);
}

HearthRouteChoice *
hearth_routes_resolve_target_finish (HearthRoutes  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == hearth_routes_resolve_target_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
