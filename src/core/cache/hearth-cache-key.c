/* hearth-cache-key.c — from a chat request to its cache key, and which requests are deterministic
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cache"

#include <math.h>
#include <string.h>

#include "hearth-cache.h"

/* Length-prefixed, so "ab" + "c" and "a" + "bc" cannot meet; NULL (unset)
 * has its own spelling that no length can take. */
static void
key_put (GChecksum  *checksum,
         const char *tag,
         const char *value)
{
  char prefix[64];
  gsize len = value != NULL ? strlen (value) : 0;
  int n;

  if (value == NULL)
    n = g_snprintf (prefix, sizeof prefix, "%s=-;", tag);
  else
    n = g_snprintf (prefix, sizeof prefix, "%s=%" G_GSIZE_FORMAT ":", tag, len);
  g_checksum_update (checksum, (const guchar *) prefix, n);
  if (value != NULL)
    g_checksum_update (checksum, (const guchar *) value, len);
}

/* 0.7 and 0.70 are the same double; -0 and 0 are not, but mean the same. */
static void
key_put_double (GChecksum  *checksum,
                const char *tag,
                double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    {
      key_put (checksum, tag, NULL);
      return;
    }
  if (value == 0)
    value = 0;
  key_put (checksum, tag, g_ascii_formatd (buf, sizeof buf, "%.17g", value));
}

static void
key_put_int (GChecksum  *checksum,
             const char *tag,
             gboolean    is_set,
             gint64      value)
{
  char buf[32];

  if (!is_set)
    {
      key_put (checksum, tag, NULL);
      return;
    }
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  key_put (checksum, tag, buf);
}

static void
key_put_count (GChecksum  *checksum,
               const char *tag,
               guint       count)
{
  key_put_int (checksum, tag, TRUE, count);
}

static void
key_put_messages (GChecksum               *checksum,
                  const HearthChatRequest *request)
{
  /* NULL and "" both send no system message (hearth_chat_request_write_messages). */
  key_put (checksum, "system", request->system != NULL ? request->system : "");
  key_put_count (checksum, "messages", request->messages->len);
  for (guint i = 0; i < request->messages->len; i++)
    {
      const HearthMessage *message = g_ptr_array_index (request->messages, i);

      key_put (checksum, "role", message->role != NULL ? message->role : "");
      key_put (checksum, "content", message->content != NULL ? message->content : "");
    }
}

/* An empty stop list is still sent (and may override a model's own stop
 * words), so it is kept apart from "unset". */
static void
key_put_stop (GChecksum          *checksum,
              const char * const *stop)
{
  if (stop == NULL)
    {
      key_put (checksum, "stop", NULL);
      return;
    }
  key_put_count (checksum, "stop", g_strv_length ((char **) stop));
  for (guint i = 0; stop[i] != NULL; i++)
    key_put (checksum, "stop-word", stop[i]);
}

/* What the request sends (its own fields, else its run options) of the
 * options that change the answer; those that change only the speed
 * (num_thread, num_batch, num_gpu, keep_alive) are left out, so a tuned
 * model still finds its cached answers. min_p and repeat_penalty count
 * only when sent, so the keys of requests without them stay as they were. */
static void
key_put_option (GChecksum               *checksum,
                const HearthChatRequest *request,
                HearthRunOptionKey       key,
                gboolean                 only_when_set)
{
  const char *tag = hearth_run_option_key_to_string (key);
  gboolean is_set;
  double value = hearth_chat_request_get_option (request, key, &is_set);

  if (!is_set && only_when_set)
    return;
  if (hearth_run_option_is_integer (key))
    key_put_int (checksum, tag, is_set, (gint64) value);
  else
    key_put_double (checksum, tag, is_set ? value : NAN);
}

static void
key_put_options (GChecksum               *checksum,
                 const HearthChatRequest *request)
{
  key_put_option (checksum, request, HEARTH_RUN_OPTION_TEMPERATURE, FALSE);
  key_put_option (checksum, request, HEARTH_RUN_OPTION_TOP_P, FALSE);
  key_put_option (checksum, request, HEARTH_RUN_OPTION_TOP_K, FALSE);
  key_put_option (checksum, request, HEARTH_RUN_OPTION_SEED, FALSE);
  key_put_option (checksum, request, HEARTH_RUN_OPTION_NUM_PREDICT, FALSE);
  key_put_option (checksum, request, HEARTH_RUN_OPTION_NUM_CTX, FALSE);
  key_put_option (checksum, request, HEARTH_RUN_OPTION_MIN_P, TRUE);
  key_put_option (checksum, request, HEARTH_RUN_OPTION_REPEAT_PENALTY, TRUE);
  key_put_stop (checksum, (const char * const *) request->stop);
}

/**
 * hearth_cache_key:
 * @model_digest: the server's digest of the model, or the model name when the
 *   server has none (a %NULL or empty digest falls back to the name)
 *
 * Everything that changes the reply goes in; `stream` and the model name
 * (the digest stands for the model) do not.
 *
 * Returns: (transfer full): the lowercase hex SHA-256 of the request
 */
char *
hearth_cache_key (HearthApiKind            api,
                  const char              *endpoint,
                  const char              *model_digest,
                  const HearthChatRequest *request)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (request != NULL, NULL);

  if (model_digest == NULL || *model_digest == '\0')
    model_digest = request->model;
  key_put (checksum, "hearth-cache-key", "1");
  key_put (checksum, "api", hearth_api_kind_to_string (api));
  key_put (checksum, "endpoint", endpoint != NULL ? endpoint : "");
  key_put (checksum, "model", model_digest != NULL ? model_digest : "");
  key_put_messages (checksum, request);
  key_put_options (checksum, request);
  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
hearth_cache_request_is_deterministic (const HearthChatRequest *request)
{
  gboolean temperature_set, seed_set;
  double temperature;

  g_return_val_if_fail (request != NULL, FALSE);

  temperature = hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_TEMPERATURE,
                                                &temperature_set);
  hearth_chat_request_get_option (request, HEARTH_RUN_OPTION_SEED, &seed_set);
  return (temperature_set && temperature == 0) || seed_set;
}
