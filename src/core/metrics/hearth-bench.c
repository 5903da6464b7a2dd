/* hearth-bench.c — a model benchmark: a warm-up, then N runs of a fixed prompt set
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-bench"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "hearth-bench.h"
#include "hearth-bench-private.h"
#include "hearth-error.h"
#include "hearth-json.h"
#include "hearth-metrics.h"
#include "hearth-reply-private.h"

#define SEED              42
#define NUM_CTX           2048
#define SHORT_ANSWER      32
#define LONG_ANSWER       160
#define LONG_PROMPT_PARTS 7
/* Bumped whenever the prompts change, so that older runs stop comparing. */
#define PROMPT_SET        1
/* Sizing the long prompt for a small context: common tokenizers make a
 * token of 4 bytes or more of English; 3 leaves room for others. The chat
 * template and the question take the rest. */
#define BYTES_PER_TOKEN_LOW    3
#define PROMPT_OVERHEAD_TOKENS 64
/* A client's estimate of the load below this is noise: nothing was loaded. */
#define LOAD_NOISE_MS     50.0

typedef struct
{
  const char *label;
  gboolean    long_prompt;
  gint64      num_predict;
} BenchCase;

static const BenchCase cases[] = {
  { N_("short prompt, short answer"), FALSE, SHORT_ANSWER },
  { N_("short prompt, long answer"), FALSE, LONG_ANSWER },
  { N_("long prompt, short answer"), TRUE, SHORT_ANSWER },
  { N_("long prompt, long answer"), TRUE, LONG_ANSWER },
};

/* About 130 words; LONG_PROMPT_PARTS of them make about 1,000 tokens on
 * common tokenizers, well inside NUM_CTX with the longest answer. A model
 * with a smaller context gets fewer parts (see size_for_context()). */
static const char long_text[] =
  "The sun is bright over the quiet valley and the river runs under the old bridge to the "
  "ocean. In the morning a small bird sings in the garden, a brown dog and a lazy cat sleep "
  "by the kitchen window, and the teacher walks to the school with a student. People come to "
  "the market in the city to buy bread, cheese, apples, oranges, coffee, tea, sugar and salt. "
  "In the evening the wind is cold, clouds cover the moon, and rain and snow fall on the "
  "forest, the field and the mountain. A friend tells a story about a family who work "
  "together on an island, and they think about the planet, the stars and the golden light "
  "that comes again after the dark night.";

struct _HearthBench
{
  GObject            parent_instance;

  HearthProvider    *provider;
  char              *model;
  guint              runs;
  HearthSampler     *sampler;
  double             scale;

  HearthBenchResult *result;
  guint              done;
  guint              total;
  gint64             num_ctx;          /* sent: NUM_CTX, or the model's context when smaller */
  char              *long_body;        /* the long prompt's parts, sized for num_ctx */
  guint              long_parts;       /* whole parts in it */
  gboolean           long_cut;         /* the one part it holds is cut short */
  guint              rejected;         /* a bit per case the server refused */
  GString           *left_out;         /* why, for the result */
  HearthRunOptions  *options;          /* the model's run options, sent with every request */
  char              *server;           /* the name of the listed server it measures, or NULL */

  /* While running */
  GTask             *task;
  HearthChatRequest *request;
  HearthReply       *reply;
  gulong             cancel_id;
  gboolean           holding;
  gint64             started_us;
  gboolean           was_loaded;   /* in /api/ps before the warm-up */
  double             warmup_ttft_ms;
  GArray            *ttft;
  GArray            *first_case_ttft;
  GArray            *prompt_tps;
  GArray            *decode_tps;
  guint              n_from_server;
  guint              n_from_client;
};

G_DEFINE_FINAL_TYPE (HearthBench, hearth_bench, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FRACTION,
  N_PROPS
};

enum {
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The benchmark */

static void
hearth_bench_dispose (GObject *object)
{
  HearthBench *self = (HearthBench *)object;

  g_assert (self->task == NULL);

  g_clear_object (&self->provider);
  g_clear_object (&self->sampler);

  G_OBJECT_CLASS (hearth_bench_parent_class)->dispose (object);
}

static void
hearth_bench_finalize (GObject *object)
{
  HearthBench *self = (HearthBench *)object;

  g_free (self->model);
  g_free (self->long_body);
  g_free (self->server);
  hearth_run_options_free (self->options);
  g_clear_pointer (&self->result, hearth_bench_result_free);

  G_OBJECT_CLASS (hearth_bench_parent_class)->finalize (object);
}

static void
hearth_bench_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HearthBench *self = HEARTH_BENCH (object);

  switch (prop_id)
    {
    case PROP_FRACTION:
      g_value_set_double (value, hearth_bench_get_fraction (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_bench_class_init (HearthBenchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_bench_dispose;
  object_class->finalize = hearth_bench_finalize;
  object_class->get_property = hearth_bench_get_property;

  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HearthBench::progress:
   * @done: requests finished
   * @total: requests in the benchmark, the warm-up included
   * @label: what runs now, e.g. "Run 2 of 3 · long prompt, short answer"
   */
  signals[PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
}

double
_hearth_bench_scale (void)
{
  const char *text = g_getenv ("HEARTH_BENCH_SCALE");
  double scale = text != NULL ? g_ascii_strtod (text, NULL) : 1;

  return scale > 0 && scale <= 1 ? scale : 1;
}

double
_hearth_bench_prompt_tps (const HearthFigures *f)
{
  if (f->prompt_tokens_per_s > 0)
    return f->prompt_tokens_per_s;
  if (f->tokens_in > 0 && f->ttft_ms > 0)
    return f->tokens_in * 1000.0 / f->ttft_ms;
  return -1;
}

static void
hearth_bench_init (HearthBench *self)
{
  self->runs = HEARTH_BENCH_DEFAULT_RUNS;
  self->scale = _hearth_bench_scale ();
}

HearthBench *
hearth_bench_new (HearthProvider *provider,
                  const char     *model,
                  guint           runs,
                  HearthSampler  *sampler)
{
  HearthBench *self;

  g_return_val_if_fail (HEARTH_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (sampler == NULL || HEARTH_IS_SAMPLER (sampler), NULL);

  self = g_object_new (HEARTH_TYPE_BENCH, NULL);
  self->provider = g_object_ref (provider);
  self->model = model != NULL && *model != '\0' ? g_strdup (model) : NULL;
  if (runs > 0)
    self->runs = runs;
  self->sampler = sampler ? g_object_ref (sampler) : NULL;
  return self;
}

static char *options_json (HearthBench *self);

/**
 * hearth_bench_set_server:
 * @server: (nullable): the name of the server of the user's list the
 *   benchmark's provider talks to, or %NULL for a one-off address
 *
 * Recorded in the result, so that runs on two servers are told apart.
 */
void
hearth_bench_set_server (HearthBench *self,
                         const char  *server)
{
  g_return_if_fail (HEARTH_IS_BENCH (self));

  g_free (self->server);
  self->server = g_strdup (server);
  if (self->result != NULL)
    hearth_set_str (&self->result->server, server);
}

/**
 * hearth_bench_set_options:
 * @options: (nullable): the run options every request sends (those the
 *   server takes); the benchmark's own temperature, seed and reply lengths
 *   win, so runs stay comparable
 */
void
hearth_bench_set_options (HearthBench            *self,
                          const HearthRunOptions *options)
{
  g_return_if_fail (HEARTH_IS_BENCH (self));

  hearth_run_options_free (self->options);
  self->options = hearth_run_options_is_empty (options)
                  ? NULL
                  : hearth_run_options_for_api (options, hearth_provider_get_api (self->provider));
  if (self->result != NULL)
    {
      g_free (self->result->options);
      self->result->options = options_json (self);
    }
}

double
hearth_bench_get_fraction (HearthBench *self)
{
  g_return_val_if_fail (HEARTH_IS_BENCH (self), 0);

  return self->total > 0 ? (double) self->done / self->total : 0;
}

/* Returns: (nullable) (transfer none): the last run's result in any state,
 *   or %NULL before one finished */
const HearthBenchResult *
hearth_bench_get_result (HearthBench *self)
{
  g_return_val_if_fail (HEARTH_IS_BENCH (self), NULL);

  return self->task == NULL ? self->result : NULL;
}

static gint64
case_num_predict (HearthBench     *self,
                  const BenchCase *bench_case)
{
  return MAX (1, (gint64) round (bench_case->num_predict * self->scale));
}

static guint
long_prompt_parts (HearthBench *self)
{
  return MAX (1, (guint) round (LONG_PROMPT_PARTS * self->scale));
}

/* The context sent: the run options' when they set one (the model is
 * measured as it is used), else the prompt set's. */
static gint64
sent_num_ctx (HearthBench *self)
{
  if (hearth_run_options_is_set (self->options, HEARTH_RUN_OPTION_NUM_CTX))
    return (gint64) hearth_run_options_get (self->options, HEARTH_RUN_OPTION_NUM_CTX);
  return self->num_ctx;
}

/* What is sent, as text that compares equal between runs that sent the same. */
static char *
options_json (HearthBench *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  hearth_json_add_int (builder, "prompt_set", PROMPT_SET);
  hearth_json_add_int (builder, "seed", SEED);
  hearth_json_add_double (builder, "temperature", 0);
  hearth_json_add_int (builder, "num_ctx", sent_num_ctx (self));
  json_builder_set_member_name (builder, "num_predict");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    json_builder_add_int_value (builder, case_num_predict (self, &cases[i]));
  json_builder_end_array (builder);
  hearth_json_add_int (builder, "long_prompt_parts", self->long_parts);
  /* only a model with a small context has its one part cut */
  if (self->long_cut)
    hearth_json_add_int (builder, "long_prompt_bytes", strlen (self->long_body));
  /* Only when set, so runs without them compare with the runs before. */
  if (!hearth_run_options_is_empty (self->options))
    {
      json_builder_set_member_name (builder, "run_options");
      json_builder_add_value (builder, hearth_run_options_to_json (self->options));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* The long prompt's parts, as many as fit @num_ctx with the longest answer;
 * when not even one does, the first cut at a word. */
static void
size_for_context (HearthBench *self,
                  gint64       context_length)
{
  g_autoptr(GString) body = g_string_new (NULL);
  gint64 longest = 0;
  gint64 budget;
  gint64 limit = NUM_CTX;

  /* A smaller context in the run options holds fewer parts; a larger one
   * is sent, but the prompt set stays the same. */
  if (hearth_run_options_is_set (self->options, HEARTH_RUN_OPTION_NUM_CTX))
    limit = MIN (limit, (gint64) hearth_run_options_get (self->options, HEARTH_RUN_OPTION_NUM_CTX));
  self->num_ctx = context_length > 0 ? MIN (limit, context_length) : limit;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    longest = MAX (longest, case_num_predict (self, &cases[i]));
  budget = (self->num_ctx - longest - PROMPT_OVERHEAD_TOKENS) * BYTES_PER_TOKEN_LOW;
  self->long_parts = 0;
  self->long_cut = FALSE;
  for (guint i = 0; i < long_prompt_parts (self); i++)
    {
      g_autofree char *part = g_strdup_printf ("Part %u. %s\n\n", i + 1, long_text);

      if ((gint64) (body->len + strlen (part)) > budget)
        {
          if (i == 0 && budget > 0)
            {
              const char *space;

              g_string_append_len (body, part, budget);
              space = strrchr (body->str, ' ');
              if (space != NULL)
                g_string_truncate (body, space - body->str);
              g_string_append (body, "\n\n");
              self->long_cut = TRUE;
            }
          break;
        }
      g_string_append (body, part);
      self->long_parts++;
    }
  g_free (self->long_body);
  self->long_body = g_string_free (g_steal_pointer (&body), FALSE);
  if (self->result != NULL)
    {
      g_free (self->result->options);
      self->result->options = options_json (self);
    }
}

/* Each prompt starts with its own case number: a server that keeps the
 * previous prompt's cache can never reuse it for the next request. */
static char *
case_prompt (HearthBench *self,
             guint        index)
{
  const BenchCase *bench_case = &cases[index];
  g_autoptr(GString) prompt = g_string_new (NULL);
  const char *ask = bench_case->num_predict == SHORT_ANSWER
                    ? "Say in one short sentence what the text is about."
                    : "Tell a long story that goes on from the text, with many details.";

  g_string_append_printf (prompt, "Benchmark case %u.\n\n", index + 1);
  if (bench_case->long_prompt)
    g_string_append (prompt, self->long_body);
  else
    g_string_append (prompt, "The sky is blue and the sun is bright over the quiet valley.\n\n");
  g_string_append (prompt, ask);
  return g_string_free (g_steal_pointer (&prompt), FALSE);
}

static HearthChatRequest *
case_request (HearthBench *self,
              guint        index)
{
  HearthChatRequest *request = hearth_chat_request_new ();
  g_autofree char *prompt = case_prompt (self, index);

  request->model = g_strdup (self->result->model);
  request->temperature = 0;
  request->has_seed = TRUE;
  request->seed = SEED;
  request->num_predict = case_num_predict (self, &cases[index]);
  request->num_ctx = sent_num_ctx (self);
  request->stream = TRUE;
  request->bypass_cache = TRUE;
  request->options = hearth_run_options_copy (self->options);
  hearth_chat_request_add_message (request, "user", prompt);
  return request;
}

/* Running */

static void
emit_progress (HearthBench *self,
               const char  *label)
{
  g_signal_emit (self, signals[PROGRESS], 0, self->done, self->total, label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
clear_run_state (HearthBench *self)
{
  GCancellable *cancellable = g_task_get_cancellable (self->task);

  /* Not g_cancellable_disconnect(): the reply may finish, and this run end,
   * inside the "cancelled" emission. */
  if (self->cancel_id != 0)
    g_signal_handler_disconnect (cancellable, self->cancel_id);
  self->cancel_id = 0;
  if (self->holding)
    hearth_sampler_release (self->sampler);
  self->holding = FALSE;
  g_clear_object (&self->reply);
  g_clear_pointer (&self->request, hearth_chat_request_free);
  g_clear_pointer (&self->ttft, g_array_unref);
  g_clear_pointer (&self->first_case_ttft, g_array_unref);
  g_clear_pointer (&self->prompt_tps, g_array_unref);
  g_clear_pointer (&self->decode_tps, g_array_unref);
  if (self->left_out != NULL)
    g_string_free (g_steal_pointer (&self->left_out), TRUE);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (HEARTH_ERROR, HEARTH_ERROR_CANCELLED,
                              _("The benchmark was cancelled"));
}

/* Ends the run: @error NULL means complete. */
static void
finish (HearthBench  *self,
        GError       *error)
{
  GTask *task = self->task;
  gboolean cancelled = g_cancellable_is_cancelled (g_task_get_cancellable (task));

  clear_run_state (self);
  self->task = NULL;
  if (error == NULL)
    {
      self->result->state = HEARTH_BENCH_COMPLETE;
      g_task_return_pointer (task, hearth_bench_result_copy (self->result),
                             (GDestroyNotify) hearth_bench_result_free);
    }
  else
    {
      cancelled |= g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED);
      if (cancelled && !g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          error = cancelled_error ();
        }
      self->result->state = cancelled ? HEARTH_BENCH_CANCELLED : HEARTH_BENCH_FAILED;
      g_free (self->result->error);
      self->result->error = hearth_error_describe (error);
      g_task_return_error (task, error);
    }
  g_object_unref (task);
}

static void
spread (GArray *values,
        double *median,
        double *min,
        double *max)
{
  *median = hearth_metrics_percentile (values, 50);
  *min = *max = -1;
  for (guint i = 0; i < values->len; i++)
    {
      double value = g_array_index (values, double, i);

      *min = i == 0 ? value : MIN (*min, value);
      *max = i == 0 ? value : MAX (*max, value);
    }
}

/* Without a server's load figure, the warm-up's extra wait stands for it. */
static void
estimate_load (HearthBench *self)
{
  HearthBenchResult *r = self->result;
  double usual;

  if (r->load_ms >= 0 || self->warmup_ttft_ms < 0 || self->first_case_ttft->len == 0)
    return;
  usual = hearth_metrics_percentile (self->first_case_ttft, 50);
  r->load_ms = self->warmup_ttft_ms - usual < LOAD_NOISE_MS ? 0 : self->warmup_ttft_ms - usual;
}

static void
summarise (HearthBench *self)
{
  HearthBenchResult *r = self->result;
  estimate_load (self);
  r->already_loaded = r->load_ms == 0;
  r->ttft_p50_ms = hearth_metrics_percentile (self->ttft, 50);
  r->ttft_p95_ms = hearth_metrics_percentile (self->ttft, 95);
  spread (self->prompt_tps, &r->prompt_tps_median, &r->prompt_tps_min, &r->prompt_tps_max);
  spread (self->decode_tps, &r->decode_tps_median, &r->decode_tps_min, &r->decode_tps_max);
  if (self->n_from_client == 0)
    r->figures_from = "server";
  else if (self->n_from_server == 0)
    r->figures_from = "client";
  else
    r->figures_from = "mixed";
  if (self->sampler != NULL)
    hearth_sampler_get_peaks (self->sampler, self->started_us, &r->peak_cpu_percent,
                              &r->peak_mem_used, &r->peak_vram_used);
}

/* A model that was in memory loads in no time, whatever bookkeeping the
 * server counts as its load. */
static void
record_warm_up (HearthBench         *self,
                const HearthFigures *f)
{
  const HearthServerFigures *server = hearth_reply_get_server_figures (self->reply);

  self->warmup_ttft_ms = f->ttft_ms;
  if (self->was_loaded)
    self->result->load_ms = 0;
  else if (f->load_ms >= 0)
    self->result->load_ms = f->load_ms;
  /* Ollama leaves out a load that took no time. */
  else if (hearth_provider_get_api (self->provider) == HEARTH_API_OLLAMA &&
           server->eval_duration_ns >= 0)
    self->result->load_ms = 0;
}

/* Prompt speed only from the long prompts: a dozen tokens time the overhead. */
static void
record_figures (HearthBench         *self,
                const BenchCase     *bench_case,
                const HearthFigures *f)
{
  double prompt_tps = _hearth_bench_prompt_tps (f);

  if (f->ttft_ms >= 0)
    g_array_append_val (self->ttft, f->ttft_ms);
  if (f->ttft_ms >= 0 && bench_case == &cases[0])
    g_array_append_val (self->first_case_ttft, f->ttft_ms);
  if (f->tokens_per_s > 0)
    {
      g_array_append_val (self->decode_tps, f->tokens_per_s);
      if (f->from_server)
        self->n_from_server++;
      else
        self->n_from_client++;
    }
  if (bench_case->long_prompt && prompt_tps > 0)
    g_array_append_val (self->prompt_tps, prompt_tps);
}

static void next_request (HearthBench *self);

/* The warm-up is the first case; then each run goes through them all. */
static guint
current_case (HearthBench *self)
{
  return self->done == 0 ? 0 : (self->done - 1) % G_N_ELEMENTS (cases);
}

/* A measured request is over, answered or refused: the next one. */
static void
advance (HearthBench *self)
{
  if (current_case (self) == G_N_ELEMENTS (cases) - 1)
    self->result->runs++;
  self->done++;
  next_request (self);
}

static void
note_rejected (HearthBench  *self,
               guint         index,
               const GError *error)
{
  if (self->rejected & (1u << index))
    return;
  self->rejected |= 1u << index;
  if (self->left_out == NULL)
    self->left_out = g_string_new (_("Left out, the server refused them: "));
  else
    g_string_append (self->left_out, " · ");
  g_string_append_printf (self->left_out, "“%s” (%s)", _(cases[index].label), error->message);
}

/* Every measured case refused: there is nothing to report but why. */
static gboolean
nothing_measured (HearthBench *self)
{
  return self->rejected == (1u << G_N_ELEMENTS (cases)) - 1;
}

static void
on_reply_finished (HearthReply *reply,
                   HearthBench *self)
{
  const BenchCase *bench_case = &cases[current_case (self)];
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  /* Alive to the end of its own emission, whatever the run lets go of. */
  g_autoptr(HearthReply) hold = g_object_ref (reply);

  g_signal_handlers_disconnect_by_data (reply, self);
  if (g_cancellable_is_cancelled (cancellable) ||
      hearth_reply_get_state (reply) == HEARTH_REPLY_CANCELLED)
    {
      finish (self, cancelled_error ());
      return;
    }
  if (hearth_reply_get_state (reply) != HEARTH_REPLY_DONE)
    {
      const GError *error = hearth_reply_get_error (reply);

      /* A case the server refuses (a prompt too long for the model, say) is
       * left out of the figures; the others still measure the model. */
      if (self->done > 0 && g_error_matches (error, HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR))
        {
          note_rejected (self, current_case (self), error);
          advance (self);
          return;
        }
      finish (self, g_error_copy (error));
      return;
    }
  if (self->done == 0)
    {
      record_warm_up (self, hearth_reply_get_figures (reply));
      self->done++;
      next_request (self);
      return;
    }
  record_figures (self, bench_case, hearth_reply_get_figures (reply));
  advance (self);
}

static char *
request_label (HearthBench *self)
{
  guint index = current_case (self);

  if (self->done == 0)
    return g_strdup_printf (_("Warm-up · %s"), _(cases[index].label));
  return g_strdup_printf (_("Run %u of %u · %s"), (self->done - 1) / (guint) G_N_ELEMENTS (cases) + 1,
                          self->runs, _(cases[index].label));
}

static void
next_request (HearthBench *self)
{
  g_autofree char *label = NULL;
  guint index = current_case (self);

  g_clear_object (&self->reply);
  g_clear_pointer (&self->request, hearth_chat_request_free);
  if (self->done == self->total)
    {
      if (nothing_measured (self))
        {
          finish (self, g_error_new (HEARTH_ERROR, HEARTH_ERROR_SERVER_ERROR,
                                     _("The server refused every case of the benchmark. %s"),
                                     self->left_out->str));
          return;
        }
      summarise (self);
      if (self->left_out != NULL)
        hearth_set_str (&self->result->error, self->left_out->str);
      emit_progress (self, "Done");
      finish (self, NULL);
      return;
    }
  label = request_label (self);
  emit_progress (self, label);
  /* A handler of "progress" may have cancelled. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    {
      finish (self, cancelled_error ());
      return;
    }

  /* Kept until the reply finishes: the provider borrows it. */
  self->request = case_request (self, index);
  self->reply = hearth_reply_new (hearth_provider_get_endpoint (self->provider),
                                  hearth_provider_get_api (self->provider));
  hearth_reply_set_model (self->reply, self->request->model);
  g_signal_connect (self->reply, "finished", G_CALLBACK (on_reply_finished), self);
  hearth_chat_sender_send (G_OBJECT (self), self->provider, self->request, self->reply);
}

static void
on_cancelled (GCancellable *cancellable,
              HearthBench  *self)
{
  if (self->reply != NULL && !hearth_reply_is_finished (self->reply))
    hearth_reply_cancel (self->reply);
}

static void
start_requests (HearthBench *self)
{
  GCancellable *cancellable = g_task_get_cancellable (self->task);

  self->ttft = g_array_new (FALSE, FALSE, sizeof (double));
  self->first_case_ttft = g_array_new (FALSE, FALSE, sizeof (double));
  self->prompt_tps = g_array_new (FALSE, FALSE, sizeof (double));
  self->decode_tps = g_array_new (FALSE, FALSE, sizeof (double));
  self->n_from_server = self->n_from_client = 0;
  self->rejected = 0;
  self->warmup_ttft_ms = -1;
  if (self->sampler != NULL)
    {
      hearth_sampler_hold (self->sampler);
      self->holding = TRUE;
    }
  self->started_us = g_get_real_time ();
  /* Cancelled before this point: next_request() says so. */
  if (cancellable != NULL)
    self->cancel_id = g_signal_connect (cancellable, "cancelled", G_CALLBACK (on_cancelled), self);
  next_request (self);
}

static void
start_unless_cancelled (HearthBench *self)
{
  if (g_cancellable_is_cancelled (g_task_get_cancellable (self->task)))
    finish (self, cancelled_error ());
  else
    start_requests (self);
}

/* Whether the warm-up will load the model; without /api/ps, the load
 * figure alone says. */
static void
ps_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  HearthBench *self = user_data;
  g_autoptr(GPtrArray) loaded = NULL;

  loaded = hearth_provider_list_loaded_finish (HEARTH_PROVIDER (object), result, NULL);
  self->was_loaded = FALSE;
  for (guint i = 0; loaded != NULL && i < loaded->len; i++)
    {
      const HearthLoadedModel *model = g_ptr_array_index (loaded, i);

      self->was_loaded |= g_strcmp0 (model->name, self->result->model) == 0;
    }
  start_unless_cancelled (self);
}

static void
check_loaded (HearthBench *self)
{
  if (!(hearth_provider_get_features (self->provider) & HEARTH_PROVIDER_CAN_LIST_LOADED))
    {
      start_unless_cancelled (self);
      return;
    }
  hearth_provider_list_loaded_async (self->provider, g_task_get_cancellable (self->task),
                                     ps_cb, self);
}

/* The model's context length sizes the long prompt; without it, the
 * defaults, and a case the server refuses is reported. */
static void
show_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HearthBench *self = user_data;
  g_autoptr(HearthModelDetails) details = NULL;
  g_autoptr(GError) error = NULL;

  details = hearth_provider_show_finish (HEARTH_PROVIDER (object), result, &error);
  if (details == NULL)
    g_debug ("No context length for %s: %s", self->result->model, error->message);
  else
    size_for_context (self, details->context_length);
  check_loaded (self);
}

static void
models_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  HearthBench *self = user_data;
  g_autoptr(GPtrArray) models = NULL;
  GError *error = NULL;
  const HearthModelInfo *info;

  models = hearth_provider_list_models_finish (HEARTH_PROVIDER (object), result, &error);
  if (models == NULL)
    {
      finish (self, error);
      return;
    }
  if (models->len == 0)
    {
      finish (self, g_error_new (HEARTH_ERROR, HEARTH_ERROR_NO_MODEL,
                                 _("The server at %s has no models installed"),
                                 hearth_provider_get_endpoint (self->provider)));
      return;
    }
  /* No model named: the server's first, as a chat would. */
  info = self->model == NULL ? g_ptr_array_index (models, 0) : hearth_model_info_find (models, self->model);
  if (info == NULL)
    {
      finish (self, g_error_new (HEARTH_ERROR, HEARTH_ERROR_MODEL_NOT_FOUND,
                                 _("The model “%s” is not installed on the server"), self->model));
      return;
    }
  /* One name per model, so that "m" and "m:latest" compare with each other. */
  hearth_set_str (&self->result->model, info->name);
  hearth_set_str (&self->result->digest, info->digest);
  if (!(hearth_provider_get_features (self->provider) & HEARTH_PROVIDER_CAN_SHOW))
    {
      check_loaded (self);
      return;
    }
  hearth_provider_show_async (self->provider, info->name, g_task_get_cancellable (self->task),
                              show_cb, self);
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  HearthBench *self = user_data;
  GError *error = NULL;
  char *hardware = g_task_propagate_pointer (G_TASK (result), &error);

  if (hardware == NULL)
    {
      finish (self, error);
      return;
    }
  g_free (self->result->hardware);
  self->result->hardware = hardware;
  hearth_provider_list_models_async (self->provider, g_task_get_cancellable (self->task),
                                     models_cb, self);
}

static HearthBenchResult *
new_result (HearthBench *self)
{
  HearthBenchResult *result = hearth_bench_result_new ();

  result->created_ms = g_get_real_time () / 1000;
  result->model = g_strdup (self->model);
  result->endpoint = g_strdup (hearth_provider_get_endpoint (self->provider));
  result->server = g_strdup (self->server);
  result->api = g_strdup (hearth_api_kind_to_string (hearth_provider_get_api (self->provider)));
  result->options = options_json (self);
  return result;
}

/**
 * hearth_bench_run_async:
 *
 * Runs the benchmark once; "progress" is emitted before each request and at
 * the end. Nothing goes into the chat history or the response cache.
 */
void
hearth_bench_run_async (HearthBench         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) probe = NULL;

  g_return_if_fail (HEARTH_IS_BENCH (self));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The task holds the benchmark alive until it ends. */
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, hearth_bench_run_async);
  g_task_set_check_cancellable (self->task, FALSE);

  g_clear_pointer (&self->result, hearth_bench_result_free);
  size_for_context (self, -1);
  self->result = new_result (self);
  self->done = 0;
  self->total = 1 + self->runs * G_N_ELEMENTS (cases);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);

  probe = g_task_new (NULL, NULL, probe_cb, self);
  g_task_set_source_tag (probe, hearth_bench_run_async);
  g_task_run_in_thread (probe, _hearth_bench_fingerprint_thread);
}

/**
 * hearth_bench_run_finish:
 *
 * Returns: (transfer full): the result of a complete run, or %NULL with
 *   @error set (HEARTH_ERROR_CANCELLED when cancelled); the partial result
 *   is then hearth_bench_get_result()
 */
HearthBenchResult *
hearth_bench_run_finish (HearthBench   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (HEARTH_IS_BENCH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
