/* hearth-model.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-model"

#include <math.h>

#include "hearth-model.h"

HearthModelDetails *
hearth_model_details_new (void)
{
  HearthModelDetails *details = g_new0 (HearthModelDetails, 1);

  details->parameter_count = -1;
  details->context_length = -1;
  return details;
}

void
hearth_model_details_free (HearthModelDetails *details)
{
  if (details == NULL)
    return;
  g_free (details->name);
  g_free (details->family);
  g_free (details->parameter_size);
  g_free (details->quantization);
  g_free (details->format);
  g_strfreev (details->capabilities);
  g_free (details->license);
  g_free (details);
}

void
hearth_loaded_model_free (HearthLoadedModel *model)
{
  if (model == NULL)
    return;
  g_free (model->name);
  g_free (model->digest);
  g_free (model->expires_at);
  g_free (model);
}

/* Returns: the share of the model in GPU memory, 0–100, or NAN when unknown */
double
hearth_loaded_model_vram_percent (const HearthLoadedModel *model)
{
  g_return_val_if_fail (model != NULL, NAN);

  if (model->size <= 0 || model->size_vram < 0)
    return NAN;
  return 100.0 * MIN (model->size_vram, model->size) / (double) model->size;
}

/* The tag after the last path part: "library/tiny:q8" → ":q8"; none → NULL. */
static const char *
find_tag (const char *name)
{
  const char *slash = strrchr (name, '/');
  const char *colon = strrchr (slash ? slash : name, ':');

  return colon;
}

/**
 * hearth_model_name_with_tag:
 *
 * Ollama's rule: "tiny" is "tiny:latest". A name that has a tag keeps it.
 *
 * Returns: (transfer full) (nullable): the name with its tag
 */
char *
hearth_model_name_with_tag (const char *name)
{
  if (name == NULL || *name == '\0' || find_tag (name) != NULL)
    return g_strdup (name);
  return g_strconcat (name, ":latest", NULL);
}

/**
 * hearth_model_display_name:
 *
 * The other way: "tiny:latest" is shown as people call it, "tiny".
 *
 * Returns: (transfer full) (nullable): the name without a ":latest" tag
 */
char *
hearth_model_display_name (const char *name)
{
  if (name != NULL && g_str_has_suffix (name, ":latest"))
    return g_strndup (name, strlen (name) - strlen (":latest"));
  return g_strdup (name);
}
