/* hearth-feedback.c — the export's formats, the kind of a question, and the
 * records' free functions (no I/O)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-feedback"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "hearth-error.h"
#include "hearth-feedback.h"
#include "hearth-routes-private.h"

static const char * const format_names[] = {
  [HEARTH_FEEDBACK_PAIRS] = "pairs",
  [HEARTH_FEEDBACK_RATINGS] = "ratings",
};

const char *
hearth_feedback_format_to_string (HearthFeedbackFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_names), NULL);

  return format_names[format];
}

gboolean
hearth_feedback_format_parse (const char            *str,
                              HearthFeedbackFormat  *format,
                              GError               **error)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (str, format_names[i]) == 0)
      {
        if (format != NULL)
          *format = i;
        return TRUE;
      }

  return hearth_error_set_invalid (error, _("“%s” is not an export format: use pairs (preferred "
                                   "and rejected answers to one question) or ratings (each "
                                   "rated reply)"), str != NULL ? str : "");
}

/* The routing rules' own matchers and their default figures, so that a
 * rating is counted under the kind "auto" would route the question by. */
const char *
hearth_feedback_kind_of (const char *question,
                         guint       earlier_messages)
{
  const char *text = question != NULL ? question : "";
  glong length;

  if (_hearth_routes_looks_like_code (text))
    return hearth_route_kind_to_string (HEARTH_ROUTE_CODE);
  length = g_utf8_validate (text, -1, NULL) ? g_utf8_strlen (text, -1) : (glong) strlen (text);
  if (length >= HEARTH_ROUTES_LONG_PROMPT)
    return hearth_route_kind_to_string (HEARTH_ROUTE_LONG_PROMPT);
  if (earlier_messages >= HEARTH_ROUTES_LONG_CONVERSATION)
    return hearth_route_kind_to_string (HEARTH_ROUTE_LONG_CONVERSATION);
  return hearth_route_kind_to_string (HEARTH_ROUTE_DEFAULT);
}

void
hearth_rating_free (HearthRating *rating)
{
  if (rating == NULL)
    return;
  g_free (rating->note);
  g_free (rating);
}

void
hearth_model_record_free (HearthModelRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->model);
  g_free (record->kind);
  g_free (record);
}

void
hearth_feedback_stats_free (HearthFeedbackStats *stats)
{
  if (stats == NULL)
    return;
  g_clear_pointer (&stats->records, g_ptr_array_unref);
  g_free (stats);
}
