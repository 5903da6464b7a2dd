/* hearth-run-options.h — the options a model runs with: how it is loaded
 * (context, GPU layers, threads, batch, keep-alive) and how it answers
 * (temperature, top_p, …), with what each means and which servers take it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A HearthRunOptions is a set of keys with values; a key not set is not sent
 * (the server's own default applies). Profiles, a model's own options, the
 * automatic choice (battery, memory pressure) and a request's explicit values
 * are layered with hearth_run_options_merge(); what was sent is recorded with
 * every reply and benchmark as JSON (hearth_run_options_to_json()).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hearth-types.h"

G_BEGIN_DECLS

typedef enum
{
  /* How the model is loaded: these change its speed (the tuner searches them). */
  HEARTH_RUN_OPTION_NUM_CTX,          /* tokens of context */
  HEARTH_RUN_OPTION_NUM_GPU,          /* layers offloaded to the GPU (0: CPU only) */
  HEARTH_RUN_OPTION_NUM_THREAD,       /* CPU threads */
  HEARTH_RUN_OPTION_NUM_BATCH,        /* prompt tokens processed at once */
  HEARTH_RUN_OPTION_KEEP_ALIVE,       /* seconds kept in memory after a request; -1 forever, 0 unload */
  /* How it answers. */
  HEARTH_RUN_OPTION_TEMPERATURE,
  HEARTH_RUN_OPTION_TOP_P,
  HEARTH_RUN_OPTION_TOP_K,
  HEARTH_RUN_OPTION_MIN_P,
  HEARTH_RUN_OPTION_REPEAT_PENALTY,
  HEARTH_RUN_OPTION_SEED,
  HEARTH_RUN_OPTION_NUM_PREDICT,      /* longest reply, in tokens */
  HEARTH_N_RUN_OPTIONS
} HearthRunOptionKey;

/* The wire name ("num_ctx", "keep_alive", …), as Ollama spells it. */
const char  *hearth_run_option_key_to_string   (HearthRunOptionKey key);
gboolean     hearth_run_option_key_from_string (const char        *name,
                                                HearthRunOptionKey *key);
/* For the editor: "Context length", and one line that explains it
 * ("How much of the conversation the model reads; more uses more memory"). */
const char  *hearth_run_option_get_title       (HearthRunOptionKey key);
const char  *hearth_run_option_get_description (HearthRunOptionKey key);
gboolean     hearth_run_option_is_integer      (HearthRunOptionKey key);
/* The range the editor and the parser accept. */
void         hearth_run_option_get_range       (HearthRunOptionKey key,
                                                double            *min,
                                                double            *max);
/* num_ctx, num_gpu, num_thread, num_batch */
gboolean     hearth_run_option_changes_speed   (HearthRunOptionKey key);
/* Whether a server of this kind takes the option (an OpenAI-compatible
 * server takes no num_thread); when not, @why (nullable) says so in one
 * sentence for the editor and the CLI. */
gboolean     hearth_run_option_is_supported    (HearthRunOptionKey key,
                                                HearthApiKind      api,
                                                const char       **why);
/* "8192", "0.7", "30m", "forever", "unload at once" */
char        *hearth_run_option_format_value    (HearthRunOptionKey key,
                                                double             value);

typedef struct _HearthRunOptions HearthRunOptions;

HearthRunOptions *hearth_run_options_new        (void);
HearthRunOptions *hearth_run_options_copy       (const HearthRunOptions *options);
void              hearth_run_options_free       (HearthRunOptions       *options);
gboolean          hearth_run_options_equal      (const HearthRunOptions *a,
                                                 const HearthRunOptions *b);
gboolean          hearth_run_options_is_empty   (const HearthRunOptions *options);
gboolean          hearth_run_options_is_set     (const HearthRunOptions *options,
                                                 HearthRunOptionKey      key);
double            hearth_run_options_get        (const HearthRunOptions *options,
                                                 HearthRunOptionKey      key);
/* Values outside the key's range are clamped by nobody: set checks them. */
gboolean          hearth_run_options_set        (HearthRunOptions       *options,
                                                 HearthRunOptionKey      key,
                                                 double                  value,
                                                 GError                **error);
void              hearth_run_options_unset      (HearthRunOptions       *options,
                                                 HearthRunOptionKey      key);
/* Every key set in @over replaces the one in @base. */
void              hearth_run_options_merge      (HearthRunOptions       *base,
                                                 const HearthRunOptions *over);
/* "num_ctx=8192", "keep_alive=30m", "temperature=0.2": a clear error
 * (HEARTH_ERROR_INVALID_ARGUMENT) naming the key and the accepted range. */
gboolean          hearth_run_options_parse_assignment (HearthRunOptions *options,
                                                       const char       *assignment,
                                                       GError          **error);
/* {"num_ctx": 8192, "keep_alive": "30m", …}: only the keys set. */
JsonNode         *hearth_run_options_to_json    (const HearthRunOptions *options);
char             *hearth_run_options_to_json_string (const HearthRunOptions *options);
HearthRunOptions *hearth_run_options_from_json  (JsonNode               *node,
                                                 GError                **error);
HearthRunOptions *hearth_run_options_from_json_string (const char       *json,
                                                       GError          **error);
/* What a reply shows under it: "ctx 8192 · 4 threads · 33 GPU layers";
 * the keys that change speed only, NULL when none is set. */
char             *hearth_run_options_summary    (const HearthRunOptions *options);
/* Only the keys a server of this kind takes (a copy). */
HearthRunOptions *hearth_run_options_for_api    (const HearthRunOptions *options,
                                                 HearthApiKind           api);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthRunOptions, hearth_run_options_free)

G_END_DECLS
