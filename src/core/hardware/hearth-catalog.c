/* hearth-catalog.c — the model catalog: loading, checking and looking up its models
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "hearth-catalog.h"
#include "hearth-core-resources.h"
#include "hearth-json.h"

#define CATALOG_RESOURCE "/io/github/hearthapp/Hearth/core/models.json"

/* Far above any real model, and low enough that the memory a fit needs
 * (weights + 4 · layers · kv_heads · head_dim · context) stays inside gint64. */
#define MAX_PARAMETERS 1e14
#define MAX_LAYERS     1024
#define MAX_KV_HEADS   1024
#define MAX_HEAD_DIM   1024
#define MAX_CONTEXT    ((gint64) 1 << 24)
#define MAX_SIZE       ((gint64) 1 << 44)

G_DEFINE_QUARK (hearth-catalog-error-quark, hearth_catalog_error)

/* Loading */

void
hearth_catalog_quant_free (HearthCatalogQuant *quant)
{
  if (quant == NULL)
    return;

  g_free (quant->name);
  g_free (quant->tag);
  g_free (quant);
}

void
hearth_catalog_model_free (HearthCatalogModel *model)
{
  if (model == NULL)
    return;

  g_free (model->name);
  g_free (model->family);
  g_clear_pointer (&model->quantizations, g_ptr_array_unref);
  g_strfreev (model->capabilities);
  g_free (model->license);
  g_free (model->checked);
  g_free (model);
}

static gboolean
set_invalid (GError     **error,
             const char  *model,
             const char  *what)
{
  g_set_error (error, HEARTH_CATALOG_ERROR, HEARTH_CATALOG_ERROR_INVALID,
               _("The model catalog entry “%s” has no valid %s; "
                 "correct data/models.json and rebuild"),
               model ? model : "(unnamed)", what);
  return FALSE;
}

static char *
dup_string_member (JsonObject *object,
                   const char *member)
{
  return g_strdup (hearth_json_get_string (object, member));
}

static HearthCatalogQuant *
parse_quant (JsonNode *node)
{
  g_autoptr(HearthCatalogQuant) quant = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  quant = g_new0 (HearthCatalogQuant, 1);
  quant->name = dup_string_member (object, "name");
  quant->tag = dup_string_member (object, "tag");
  quant->size = hearth_json_get_int (object, "size", 0);
  quant->is_default = hearth_json_get_boolean (object, "default", FALSE);

  if (quant->name == NULL || quant->tag == NULL || quant->size <= 0 || quant->size > MAX_SIZE)
    return NULL;

  return g_steal_pointer (&quant);
}

static GPtrArray *
parse_quants (JsonArray *array)
{
  g_autoptr(GPtrArray) quants = NULL;
  guint n_defaults = 0;

  quants = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_catalog_quant_free);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      HearthCatalogQuant *quant = parse_quant (json_array_get_element (array, i));

      if (quant == NULL)
        return NULL;
      n_defaults += quant->is_default;
      g_ptr_array_add (quants, quant);
    }

  if (quants->len == 0 || n_defaults != 1)
    return NULL;

  return g_steal_pointer (&quants);
}

static char **
parse_strv (JsonArray *array)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

static JsonArray *
get_array_member (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* A calendar date written YYYY-MM-DD, as MODELS-SOURCES.md records when a
 * model's figures were compared with its sources. */
static gboolean
is_iso_date (const char *text)
{
  int year, month, day, n = 0;

  if (strlen (text) != 10
      || sscanf (text, "%4d-%2d-%2d%n", &year, &month, &day, &n) != 3 || n != 10)
    return FALSE;
  return g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

static gboolean
check_model (const HearthCatalogModel  *model,
             GError                   **error)
{
  if (model->name == NULL || model->family == NULL)
    return set_invalid (error, model->name, "name or family");
  if (!(model->parameters > 0 && model->parameters <= MAX_PARAMETERS)
      || model->layers <= 0 || model->layers > MAX_LAYERS
      || model->kv_heads <= 0 || model->kv_heads > MAX_KV_HEADS
      || model->head_dim <= 0 || model->head_dim > MAX_HEAD_DIM
      || model->context_length <= 0 || model->context_length > MAX_CONTEXT)
    return set_invalid (error, model->name, "architecture figures");
  if (model->quantizations == NULL)
    return set_invalid (error, model->name, "quantizations with exactly one default");
  if (model->capabilities[0] == NULL)
    return set_invalid (error, model->name, "capabilities");
  if (model->checked != NULL && !is_iso_date (model->checked))
    return set_invalid (error, model->name, "“checked” date (YYYY-MM-DD)");

  return TRUE;
}

static HearthCatalogModel *
parse_model (JsonNode  *node,
             GError   **error)
{
  g_autoptr(HearthCatalogModel) model = g_new0 (HearthCatalogModel, 1);
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      set_invalid (error, NULL, "object");
      return NULL;
    }

  object = json_node_get_object (node);
  model->name = dup_string_member (object, "name");
  model->family = dup_string_member (object, "family");
  model->license = dup_string_member (object, "license");
  model->checked = dup_string_member (object, "checked");
  model->parameters = hearth_json_get_number (object, "parameters", 0);
  model->layers = hearth_json_get_int (object, "layers", 0);
  model->kv_heads = hearth_json_get_int (object, "kv_heads", 0);
  model->head_dim = hearth_json_get_int (object, "head_dim", 0);
  model->context_length = hearth_json_get_int (object, "context_length", 0);
  model->quantizations = parse_quants (get_array_member (object, "quantizations"));
  model->capabilities = parse_strv (get_array_member (object, "capabilities"));

  if (!check_model (model, error))
    return NULL;

  return g_steal_pointer (&model);
}

GPtrArray *
hearth_catalog_load_from_bytes (GBytes  *bytes,
                                GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) catalog = NULL;
  JsonArray *models = NULL;
  JsonNode *root;
  const char *data;
  gsize size;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  /* Empty bytes may have no data at all, which json-glib refuses with a critical. */
  if (size > 0 && !json_parser_load_from_data (parser, data, size, error))
    return NULL;

  root = size > 0 ? json_parser_get_root (parser) : NULL;
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    models = get_array_member (json_node_get_object (root), "models");
  if (models == NULL)
    {
      set_invalid (error, "models", "list");
      return NULL;
    }

  catalog = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_catalog_model_free);
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      HearthCatalogModel *model = parse_model (json_array_get_element (models, i), error);

      if (model == NULL)
        return NULL;
      g_ptr_array_add (catalog, model);
    }

  return g_steal_pointer (&catalog);
}

GPtrArray *
hearth_catalog_load_from_file (const char  *path,
                               GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return hearth_catalog_load_from_bytes (bytes, error);
}

/**
 * hearth_catalog_load:
 *
 * The catalog compiled into the library.
 *
 * Returns: (transfer full) (element-type HearthCatalogModel): the models
 */
GPtrArray *
hearth_catalog_load (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Looked up in the resource itself rather than the global registry: a
   * static library's registering constructor may be dropped by the linker,
   * and this call keeps the resource linked in. */
  bytes = g_resource_lookup_data (hearth_core_get_resource (), CATALOG_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  return hearth_catalog_load_from_bytes (bytes, error);
}

const HearthCatalogModel *
hearth_catalog_lookup (GPtrArray  *catalog,
                       const char *name)
{
  g_return_val_if_fail (catalog != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < catalog->len; i++)
    {
      const HearthCatalogModel *model = g_ptr_array_index (catalog, i);

      if (g_str_equal (model->name, name))
        return model;
    }

  return NULL;
}

const HearthCatalogQuant *
hearth_catalog_model_get_default_quant (const HearthCatalogModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  for (guint i = 0; i < model->quantizations->len; i++)
    {
      const HearthCatalogQuant *quant = g_ptr_array_index (model->quantizations, i);

      if (quant->is_default)
        return quant;
    }

  g_assert_not_reached ();
}

gboolean
hearth_catalog_model_has_capability (const HearthCatalogModel *model,
                                     const char               *capability)
{
  g_return_val_if_fail (model != NULL, FALSE);

  return g_strv_contains ((const char * const *) model->capabilities, capability);
}
