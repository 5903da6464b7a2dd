/* hearth-json.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "hearth-json.h"

void
hearth_json_add_string (JsonBuilder *builder,
                        const char  *name,
                        const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

void
hearth_json_add_int (JsonBuilder *builder,
                     const char  *name,
                     gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, value);
}

void
hearth_json_add_double (JsonBuilder *builder,
                        const char  *name,
                        double       value)
{
  json_builder_set_member_name (builder, name);
  if (value < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, value);
}

void
hearth_json_add_number (JsonBuilder *builder,
                        const char  *name,
                        double       value)
{
  json_builder_set_member_name (builder, name);
  /* JSON has no NaN or infinity */
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Reading what a server or a file says: a member of the wrong type is as
 * good as a missing one, and never a critical (json-glib's _with_default
 * getters warn on an object or an array). */

static JsonNode *
get_value (JsonObject *object,
           const char *name,
           GType       type)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

/* Returns: the string member @name of @object (which may be %NULL), or %NULL */
const char *
hearth_json_get_string (JsonObject *object,
                        const char *name)
{
  JsonNode *node = get_value (object, name, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

/* An integer, or a number with no fraction that fits; else @default_value. */
gint64
hearth_json_get_int (JsonObject *object,
                     const char *name,
                     gint64      default_value)
{
  JsonNode *node = get_value (object, name, G_TYPE_INT64);
  double number;

  if (node != NULL)
    return json_node_get_int (node);
  if ((node = get_value (object, name, G_TYPE_DOUBLE)) == NULL)
    return default_value;
  number = json_node_get_double (node);
  /* Outside this range the conversion to gint64 would be undefined. */
  if (!(number >= -9.2e18 && number <= 9.2e18) || number != floor (number))
    return default_value;
  return (gint64) number;
}

double
hearth_json_get_number (JsonObject *object,
                        const char *name,
                        double      default_value)
{
  JsonNode *node = get_value (object, name, G_TYPE_DOUBLE);

  if (node != NULL)
    return json_node_get_double (node);
  if ((node = get_value (object, name, G_TYPE_INT64)) != NULL)
    return json_node_get_int (node);
  return default_value;
}

gboolean
hearth_json_get_boolean (JsonObject *object,
                         const char *name,
                         gboolean    default_value)
{
  JsonNode *node = get_value (object, name, G_TYPE_BOOLEAN);

  return node != NULL ? json_node_get_boolean (node) : default_value;
}

/* Writing */

static void write_node (GString  *out,
                        JsonNode *node,
                        int       depth,
                        gboolean  pretty);

static void
write_string (GString    *out,
              const char *str)
{
  g_autofree char *valid = NULL;

  /* JSON is UTF-8; json-glib itself decodes an escape like "\222" into a lone byte. */
  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '"');
}

/**
 * hearth_json_append_string:
 *
 * Appends @text as a JSON string, quoted and escaped as json-glib's
 * generator writes it: for what is written once per token (the gateway's
 * stream), where building a tree and a generator for each piece costs more
 * than the piece. Text that is not UTF-8 is made valid first.
 */
void
hearth_json_append_string (GString    *out,
                           const char *text)
{
  g_autofree char *valid = NULL;
  const char *run;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  g_string_append_c (out, '"');
  run = text;
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:   g_string_append_printf (out, "\\u%04x", c); break;
        }
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

/**
 * hearth_json_append_figure:
 *
 * Appends a measured figure: milliseconds to the microsecond, so three
 * decimals say all there is, where %.17g would print 4.6269999999999998;
 * trailing zeros are left out. A figure that is not finite (a stored
 * number too large for a double reads back as infinity) is null: JSON
 * has no word for it.
 */
void
hearth_json_append_figure (GString *out,
                           double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  gsize len;

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  if (fabs (value) >= 1e15)
    {
      /* too long for three decimals in the buffer: the shortest exact form */
      g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, value));
      return;
    }
  g_ascii_formatd (buffer, sizeof buffer, "%.3f", value);
  len = strlen (buffer);
  while (len > 0 && buffer[len - 1] == '0')
    buffer[--len] = '\0';
  if (len > 0 && buffer[len - 1] == '.')
    buffer[--len] = '\0';
  g_string_append (out, buffer);
}

static void
write_newline (GString  *out,
               int       depth,
               gboolean  pretty)
{
  if (pretty)
    g_string_append_printf (out, "\n%*s", depth * 2, "");
}

static void
write_container (GString  *out,
                 JsonNode *node,
                 int       depth,
                 gboolean  pretty)
{
  gboolean object = JSON_NODE_HOLDS_OBJECT (node);
  g_autoptr(GList) members = object ? json_object_get_members (json_node_get_object (node)) : NULL;
  guint n = object ? g_list_length (members) : json_array_get_length (json_node_get_array (node));
  GList *member = members;

  g_string_append_c (out, object ? '{' : '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write_newline (out, depth + 1, pretty);
      if (object)
        {
          write_string (out, member->data);
          g_string_append (out, pretty ? ": " : ":");
          write_node (out, json_object_get_member (json_node_get_object (node), member->data),
                      depth + 1, pretty);
          member = member->next;
        }
      else
        {
          write_node (out, json_array_get_element (json_node_get_array (node), i), depth + 1,
                      pretty);
        }
    }
  if (n > 0)
    write_newline (out, depth, pretty);
  g_string_append_c (out, object ? '}' : ']');
}

static void
write_node (GString  *out,
            JsonNode *node,
            int       depth,
            gboolean  pretty)
{
  if (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
    write_container (out, node, depth, pretty);
  else if (JSON_NODE_HOLDS_NULL (node))
    g_string_append (out, "null");
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    write_string (out, json_node_get_string (node));
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    hearth_json_append_figure (out, json_node_get_double (node));
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
}

/**
 * hearth_json_to_string:
 * @node: what to write
 * @pretty: indented by two spaces a level, for a person; else one line
 *
 * Writes JSON the way all of Hearth's output does: figures with at most
 * three decimals and no trailing zeros, members in the order they were added.
 *
 * Returns: (transfer full): the text, without a final newline
 */
char *
hearth_json_to_string (JsonNode *node,
                       gboolean  pretty)
{
  GString *out = g_string_new (NULL);

  write_node (out, node, 0, pretty);
  return g_string_free (out, FALSE);
}

/**
 * hearth_json_array_of_objects:
 * @items: what to list
 * @add_item: adds the members of the object for one item
 *
 * Returns: (transfer full): an array with one object per item, in order
 */
JsonNode *
hearth_json_array_of_objects (GPtrArray         *items,
                              HearthJsonAddFunc  add_item)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      json_builder_begin_object (builder);
      add_item (builder, g_ptr_array_index (items, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

/* Whether a \u0000 escape starts at @i (a backslash) of @data. */
static gboolean
nul_escape_at (const char *data,
               gsize       i,
               gsize       length)
{
  return i + 5 < length && data[i + 1] == 'u' && memcmp (data + i + 2, "0000", 4) == 0;
}

/**
 * hearth_json_parser_load:
 *
 * json_parser_load_from_data() for text from a server: a \u0000 escape,
 * which would cut every C string made from it short without a word, is read
 * as U+FFFD, the replacement character, as the stream parser's fast path
 * reads it. Text without one is parsed as it is, without a copy.
 */
gboolean
hearth_json_parser_load (JsonParser  *parser,
                         const char  *data,
                         gssize       length,
                         GError     **error)
{
  g_autoptr(GString) copy = NULL;
  gsize len = length < 0 ? strlen (data) : (gsize) length;
  gsize run = 0;

  for (gsize i = 0; i + 1 < len; i++)
    {
      if (data[i] != '\\')
        continue;
      if (nul_escape_at (data, i, len))
        {
          if (copy == NULL)
            copy = g_string_sized_new (len);
          g_string_append_len (copy, data + run, i - run);
          g_string_append (copy, "\\ufffd");
          run = i + 6;
        }
      i++;   /* the escaped character: an escaped backslash starts nothing */
    }
  if (copy == NULL)
    return json_parser_load_from_data (parser, data, len, error);
  g_string_append_len (copy, data + run, len - run);
  return json_parser_load_from_data (parser, copy->str, copy->len, error);
}
