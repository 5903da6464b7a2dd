/* hearth-engine-tuning.c — the engine's HearthTuning, and the run options
 * it puts on every chat and benchmark
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cost: resolving a request's options is a few lookups in memory (and a
 * PRAGMA data_version on the history's connection); nothing is read from
 * the disk before a request.
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "hearth-engine-private.h"
#include "hearth-engine-queue.h"
#include "hearth-reply-private.h"

/**
 * hearth_engine_get_tuning:
 *
 * The engine's tuning: each model's run options, profiles and their
 * automatic choice (without a history, in memory only, and calls that keep
 * something say why they cannot).
 *
 * Returns: (transfer none): never %NULL
 */
HearthTuning *
hearth_engine_get_tuning (HearthEngine *self)
{
  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);

  if (self->tuning == NULL)
    {
      self->tuning = hearth_tuning_new (self->store, self->settings);
      /* The tuner's trials wait behind the chat (hearth-engine-queue.c). */
      hearth_chat_sender_set (G_OBJECT (self->tuning), _hearth_engine_queue_send_background,
                              _hearth_engine_queue_sender_data (self),
                              _hearth_engine_queue_sender_data_free);
    }
  return self->tuning;
}

/* The request goes out with the model's resolved options; its own fields
 * (and options it already carried, such as hearth-cli's -o) win. The reply
 * keeps what was sent. */
void
_hearth_engine_tuning_apply (HearthEngine      *self,
                             HearthProvider    *provider,
                             HearthChatRequest *request,
                             HearthReply       *reply)
{
  g_autoptr(HearthRunOptions) own = NULL;
  g_autoptr(HearthResolvedOptions) resolved = NULL;

  if (request->model == NULL || *request->model == '\0')
    return;
  own = hearth_chat_request_get_own_options (request);
  if (request->options != NULL)
    {
      g_autoptr(HearthRunOptions) carried = g_steal_pointer (&request->options);

      hearth_run_options_merge (carried, own);
      hearth_run_options_free (own);
      own = g_steal_pointer (&carried);
    }
  resolved = hearth_tuning_resolve (hearth_engine_get_tuning (self), request->model, NULL,
                                    hearth_provider_get_api (provider), own);
  request->options = g_steal_pointer (&resolved->options);
  if (reply != NULL)
    hearth_reply_set_options (reply, request->options);
}

/**
 * hearth_engine_new_bench:
 *
 * A benchmark of @model that sends the model's resolved run options, as a
 * chat would.
 *
 * Returns: (transfer full): the benchmark, not yet running
 */
HearthBench *
hearth_engine_new_bench (HearthEngine   *self,
                         HearthProvider *provider,
                         const char     *model,
                         guint           runs,
                         HearthSampler  *sampler)
{
  HearthBench *bench;
  HearthServer *server;
  g_autoptr(HearthResolvedOptions) resolved = NULL;
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (HEARTH_IS_ENGINE (self), NULL);
  g_return_val_if_fail (HEARTH_IS_PROVIDER (provider), NULL);

  bench = hearth_bench_new (provider, model, runs, sampler);
  /* a listed server's name goes with its runs: local and cloud told apart */
  server = hearth_servers_find_endpoint (hearth_engine_get_servers (self),
                                         hearth_provider_get_api (provider),
                                         hearth_provider_get_endpoint (provider));
  if (server != NULL)
    hearth_bench_set_server (bench, hearth_server_get_name (server));
  /* "tiny" and "tiny:latest" are one model to Ollama, and to its options */
  if (model != NULL && *model != '\0')
    canonical = hearth_provider_canonical_model_name (provider, model);
  resolved = hearth_tuning_resolve (hearth_engine_get_tuning (self), canonical, NULL,
                                    hearth_provider_get_api (provider), NULL);
  hearth_bench_set_options (bench, resolved->options);
  /* Its requests wait behind the chat and other programs. */
  hearth_chat_sender_set (G_OBJECT (bench), _hearth_engine_queue_send_background,
                          _hearth_engine_queue_sender_data (self),
                          _hearth_engine_queue_sender_data_free);
  return bench;
}
