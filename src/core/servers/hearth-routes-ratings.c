/* hearth-routes-ratings.c — when the user's ratings overrule a rule's
 * choice for "auto", and the sentence that says so (no I/O)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-routes"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hearth-routes-private.h"

/* The words for a kind in "won 8 of 10 code questions". */
static const char *
kind_questions (const char *kind)
{
  if (g_strcmp0 (kind, "code") == 0)
    return _("code questions");
  if (g_strcmp0 (kind, "long-prompt") == 0)
    return _("long questions");
  if (g_strcmp0 (kind, "long-conversation") == 0)
    return _("questions in long conversations");
  return _("plain questions (no code, not long)");
}

static guint
n_rated (const HearthModelRecord *record)
{
  return record != NULL ? record->wins + record->losses : 0;
}

static gboolean
enough (const HearthModelRecord *record)
{
  return n_rated (record) >= HEARTH_FEEDBACK_MIN_RATINGS;
}

/* The better rate; at the same rate, the one rated more often. */
static gboolean
better (const HearthModelRecord *a,
        const HearthModelRecord *b)
{
  if (a->rate != b->rate)
    return a->rate > b->rate;
  return n_rated (a) > n_rated (b);
}

/* Two records at least, so that a rate is a comparison; the rule's choice
 * keeps the question unless a strictly better rate beats it (or it has
 * too few ratings to stand on). */
const HearthModelRecord *
_hearth_routes_prefer_rated (GPtrArray                *records,
                             const char               *rule_model,
                             HearthRoutesCanAskFunc    can_ask,
                             gpointer                  user_data,
                             const HearthModelRecord **rule_record)
{
  const HearthModelRecord *best = NULL, *rule = NULL;
  guint n_enough = 0;

  for (guint i = 0; i < records->len; i++)
    {
      const HearthModelRecord *record = g_ptr_array_index (records, i);

      if (g_strcmp0 (record->model, rule_model) == 0)
        rule = record;
      if (!enough (record) || !can_ask (record->model, user_data))
        continue;
      n_enough++;
      if (best == NULL || better (record, best))
        best = record;
    }
  if (rule_record != NULL)
    *rule_record = rule;

  if (n_enough < 2 || best == rule || (enough (rule) && best->rate <= rule->rate))
    return NULL;
  return best;
}

/* "your ratings: smart:7b won 5 of 5 code questions; quick:1b 1 of 6". */
char *
_hearth_routes_describe_ratings (const char              *kind,
                                 const HearthModelRecord *best,
                                 const HearthModelRecord *rule,
                                 const char              *rule_model)
{
  g_autofree char *others = NULL;

  if (enough (rule))
    others = g_strdup_printf ("%s %u of %u", rule_model, rule->wins, n_rated (rule));
  else if (n_rated (rule) == 0)
    others = g_strdup_printf (_("%s, the rule’s choice, has no ratings for them yet"), rule_model);
  else
    others = g_strdup_printf (_("%s, the rule’s choice, has %u, fewer than the %d needed"),
                              rule_model, n_rated (rule), HEARTH_FEEDBACK_MIN_RATINGS);
  return g_strdup_printf (_("your ratings: %s won %u of %u %s; %s"), best->model, best->wins,
                          n_rated (best), kind_questions (kind), others);
}
