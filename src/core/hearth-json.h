/* hearth-json.h — JSON members that say null when a value is unknown
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Negative numbers and NULL strings are "unknown": written as null, so the
 * shape of an object never depends on what was measured. */
void  hearth_json_add_string  (JsonBuilder *builder,
                               const char  *name,
                               const char  *value);
void  hearth_json_add_int     (JsonBuilder *builder,
                               const char  *name,
                               gint64       value);
void  hearth_json_add_double  (JsonBuilder *builder,
                               const char  *name,
                               double       value);
/* A figure that may be negative (a falling trend): only what is not a
 * finite number (never seen) is null. */
void  hearth_json_add_number  (JsonBuilder *builder,
                               const char  *name,
                               double       value);

/* Fills in the members of one object for @item. */
typedef void (*HearthJsonAddFunc) (JsonBuilder *builder,
                                   gpointer     item);

JsonNode *hearth_json_array_of_objects (GPtrArray        *items,
                                        HearthJsonAddFunc add_item);
void  hearth_json_append_figure (GString    *out,
                                double      value);
void  hearth_json_append_string (GString    *out,
                                const char *text);
char *hearth_json_to_string   (JsonNode    *node,
                               gboolean     pretty);

gboolean hearth_json_parser_load (JsonParser  *parser,
                                  const char  *data,
                                  gssize       length,
                                  GError     **error);

const char *hearth_json_get_string  (JsonObject *object,
                                     const char *name);
gint64      hearth_json_get_int     (JsonObject *object,
                                     const char *name,
                                     gint64      default_value);
double      hearth_json_get_number  (JsonObject *object,
                                     const char *name,
                                     double      default_value);
gboolean    hearth_json_get_boolean (JsonObject *object,
                                     const char *name,
                                     gboolean    default_value);

G_END_DECLS
