/* hearth-cli-table.c — the tables hearth-cli prints for people to read
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Headers are translated and cells hold "—" and names in any script, so
 * columns are measured and padded in characters, never bytes (printf's
 * "%-40s" counts bytes: a German "GRÖSSE" or a "—" shifted every column
 * after it). Each column is as wide as its widest cell; figures are
 * right-aligned; the last column is not padded.
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include "hearth-cli-private.h"

struct _CliTable
{
  guint      n_columns;
  guint32    right;     /* a bit per right-aligned column */
  GPtrArray *rows;      /* of GStrv, the headers first */
};

static char *
pad_to (const char *text,
        guint       width,
        gboolean    before)
{
  glong len = g_utf8_strlen (text, -1);
  GString *padded = g_string_new (before ? NULL : text);

  for (glong i = len; i < (glong) width; i++)
    g_string_append_c (padded, ' ');
  if (before)
    g_string_append (padded, text);
  return g_string_free (padded, FALSE);
}

/* @text and spaces after it up to @width characters */
char *
pad_text (const char *text,
          guint       width)
{
  return pad_to (text, width, FALSE);
}

/* Spaces before @text up to @width characters: a figure in its column */
char *
pad_text_start (const char *text,
                guint       width)
{
  return pad_to (text, width, TRUE);
}

/* A table column's width: @width, or more if its @header needs it. Headers
 * are translated, so they count in characters, not bytes. */
guint
column_width (const char *header,
              guint       width)
{
  return MAX (width, (guint) g_utf8_strlen (header, -1));
}

static void
add_row (CliTable   *table,
         const char *first,
         va_list     cells)
{
  GStrv row = g_new0 (char *, table->n_columns + 1);

  row[0] = g_strdup (first);
  for (guint i = 1; i < table->n_columns; i++)
    {
      const char *cell = va_arg (cells, const char *);

      row[i] = g_strdup (cell != NULL ? cell : "—");
    }
  g_ptr_array_add (table->rows, row);
}

/**
 * cli_table_new:
 * @n_columns: how many columns
 * @right: a bit (1 << column) for each column whose cells are right-aligned
 * @first_header: the first column's header, then one for each other column
 *
 * Returns: (transfer full): a table with its header row
 */
CliTable *
cli_table_new (guint       n_columns,
               guint32     right,
               const char *first_header,
               ...)
{
  CliTable *table = g_new0 (CliTable, 1);
  va_list headers;

  g_return_val_if_fail (n_columns > 0 && n_columns <= 32, NULL);

  table->n_columns = n_columns;
  table->right = right;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  va_start (headers, first_header);
  add_row (table, first_header, headers);
  va_end (headers);
  return table;
}

/* One row: a cell for each column; NULL is shown as "—". */
void
cli_table_add (CliTable   *table,
               const char *first_cell,
               ...)
{
  va_list cells;

  va_start (cells, first_cell);
  add_row (table, first_cell != NULL ? first_cell : "—", cells);
  va_end (cells);
}

/* Prints the table on standard output, two spaces between columns. */
void
cli_table_print (CliTable *table)
{
  g_autofree guint *widths = g_new0 (guint, table->n_columns);

  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
    }
  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < table->n_columns; c++)
        {
          gboolean last = c + 1 == table->n_columns;
          g_autofree char *cell = NULL;

          if (c > 0)
            g_string_append (line, "  ");
          if (table->right & (1u << c))
            cell = pad_text_start (row[c], widths[c]);
          else
            cell = last ? g_strdup (row[c]) : pad_text (row[c], widths[c]);
          g_string_append (line, cell);
        }
      g_print ("%s\n", line->str);
    }
}

void
cli_table_free (CliTable *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}

/* A yes-or-no cell */
const char *
yes_no (gboolean value)
{
  /* Translators: a cell of a table hearth-cli prints (a server is in the
   * cloud, enabled, kept running) */
  return value ? C_("table cell", "yes") : C_("table cell", "no");
}
