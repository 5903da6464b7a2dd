/* hearth-chat-request.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include <string.h>

#include "hearth-chat-request.h"

HearthChatRequest *
hearth_chat_request_new (void)
{
  HearthChatRequest *request = g_new0 (HearthChatRequest, 1);

  request->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_message_free);
  request->temperature = NAN;
  request->top_p = NAN;
  request->top_k = -1;
  request->num_predict = -1;
  request->num_ctx = -1;
  request->stream = TRUE;
  return request;
}

void
hearth_chat_request_free (HearthChatRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->model);
  g_free (request->server);
  g_free (request->system);
  g_free (request->client);
  g_strfreev (request->stop);
  g_ptr_array_unref (request->messages);
  hearth_run_options_free (request->options);
  g_free (request);
}

/* The request's own value of @key, from the fields above its options. */
static gboolean
own_value (const HearthChatRequest *request,
           HearthRunOptionKey       key,
           double                  *value)
{
  switch (key)
    {
    case HEARTH_RUN_OPTION_TEMPERATURE:
      *value = request->temperature;
      return !isnan (request->temperature);
    case HEARTH_RUN_OPTION_TOP_P:
      *value = request->top_p;
      return !isnan (request->top_p);
    case HEARTH_RUN_OPTION_TOP_K:
      *value = request->top_k;
      return request->top_k >= 0;
    case HEARTH_RUN_OPTION_SEED:
      *value = request->seed;
      return request->has_seed;
    case HEARTH_RUN_OPTION_NUM_PREDICT:
      *value = request->num_predict;
      return request->num_predict >= 0;
    case HEARTH_RUN_OPTION_NUM_CTX:
      *value = request->num_ctx;
      return request->num_ctx >= 0;
    case HEARTH_RUN_OPTION_NUM_GPU:
    case HEARTH_RUN_OPTION_NUM_THREAD:
    case HEARTH_RUN_OPTION_NUM_BATCH:
    case HEARTH_RUN_OPTION_KEEP_ALIVE:
    case HEARTH_RUN_OPTION_MIN_P:
    case HEARTH_RUN_OPTION_REPEAT_PENALTY:
    case HEARTH_N_RUN_OPTIONS:
    default:
      return FALSE;
    }
}

/**
 * hearth_chat_request_get_option:
 * @is_set: (out): whether the request sends @key at all
 *
 * What the request sends for @key: its own field when set, else its run
 * options' value (what providers write and the cache key hashes).
 */
double
hearth_chat_request_get_option (const HearthChatRequest *request,
                                HearthRunOptionKey       key,
                                gboolean                *is_set)
{
  double value = 0;
  gboolean set = own_value (request, key, &value);

  if (!set && hearth_run_options_is_set (request->options, key))
    {
      value = hearth_run_options_get (request->options, key);
      set = TRUE;
    }
  if (is_set != NULL)
    *is_set = set;
  return set ? value : 0;
}

/* The request's own fields as run options (for hearth_tuning_resolve ());
 * a value outside an option's range is sent as it is but not listed. */
HearthRunOptions *
hearth_chat_request_get_own_options (const HearthChatRequest *request)
{
  HearthRunOptions *options = hearth_run_options_new ();

  for (guint i = 0; i < HEARTH_N_RUN_OPTIONS; i++)
    {
      double value;

      if (own_value (request, i, &value))
        hearth_run_options_set (options, i, value, NULL);
    }
  return options;
}

void
hearth_chat_request_add_message (HearthChatRequest *request,
                                 const char        *role,
                                 const char        *content)
{
  g_ptr_array_add (request->messages, hearth_message_new (role, content));
}

static void
write_message (JsonBuilder *builder,
               const char  *role,
               const char  *content)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content ? content : "");
  json_builder_end_object (builder);
}

/* The "messages" member both APIs share: the system prompt first. */
void
hearth_chat_request_write_messages (const HearthChatRequest *request,
                                    JsonBuilder             *builder)
{
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (request->system != NULL && *request->system != '\0')
    write_message (builder, "system", request->system);
  for (guint i = 0; i < request->messages->len; i++)
    {
      const HearthMessage *message = g_ptr_array_index (request->messages, i);

      write_message (builder, message->role, message->content);
    }
  json_builder_end_array (builder);
}

void
hearth_model_info_free (HearthModelInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->digest);
  g_free (info->family);
  g_free (info->parameter_size);
  g_free (info->quantization);
  g_free (info);
}

/**
 * hearth_model_info_find:
 * @models: (element-type HearthModelInfo): a server's models
 * @name: a model name; "llama3.2" is "llama3.2:latest" to Ollama
 *
 * Returns: (transfer none) (nullable): the model called @name
 */
const HearthModelInfo *
hearth_model_info_find (GPtrArray  *models,
                        const char *name)
{
  g_autofree char *with_tag = strchr (name, ':') ? NULL : g_strconcat (name, ":latest", NULL);

  for (guint i = 0; i < models->len; i++)
    {
      const HearthModelInfo *info = g_ptr_array_index (models, i);

      if (g_strcmp0 (info->name, name) == 0 || g_strcmp0 (info->name, with_tag) == 0)
        return info;
    }
  return NULL;
}
