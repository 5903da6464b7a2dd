/* hearth-answer-set-methods.c — the rules that turn several answers into
 * one: vote, first-good's check, the judge's prompt and its verdict read
 * back. Pure functions (no I/O), for the engine and its tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-engine"

#include "config.h"

#include <string.h>

#include "hearth-answer-set.h"

/* Up to this many words an answer is short: it agrees only with the same
 * normalised text. Longer ones agree when most of their words match. */
#define SHORT_WORDS 12
/* Two long answers agree when their longest common run of words (in
 * order, gaps allowed) covers this share of both. */
#define LONG_AGREEMENT 0.8

static gboolean
is_end_punctuation (gunichar c)
{
  return c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':';
}

char *
hearth_vote_normalize (const char *answer)
{
  g_autofree char *lower = NULL;
  GString *out;
  gboolean space = FALSE;
  const char *start, *end;

  if (answer == NULL || !g_utf8_validate (answer, -1, NULL))
    return g_strdup ("");
  lower = g_utf8_strdown (answer, -1);
  /* Surrounding white space and punctuation, from both ends. */
  start = lower;
  end = lower + strlen (lower);
  while (start < end)
    {
      gunichar c = g_utf8_get_char (start);

      if (!g_unichar_isspace (c) && !is_end_punctuation (c))
        break;
      start = g_utf8_next_char (start);
    }
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);
      gunichar c = g_utf8_get_char (prev);

      if (!g_unichar_isspace (c) && !is_end_punctuation (c))
        break;
      end = prev;
    }
  out = g_string_sized_new (end - start);
  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = TRUE;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* The length of the longest common subsequence of two word lists, in
 * two rows of memory. */
static guint
common_words (char **a,
              guint  n,
              char **b,
              guint  m)
{
  g_autofree guint *prev = g_new0 (guint, m + 1);
  g_autofree guint *row = g_new0 (guint, m + 1);

  for (guint i = 1; i <= n; i++)
    {
      guint *swap;

      row[0] = 0;
      for (guint j = 1; j <= m; j++)
        row[j] = g_str_equal (a[i - 1], b[j - 1]) ? prev[j - 1] + 1 : MAX (prev[j], row[j - 1]);
      swap = prev;
      prev = row;
      row = swap;
    }
  return prev[m];
}

typedef struct
{
  char   *text;    /* normalised; NULL: no text */
  char  **words;
  guint   n_words;
} Normalised;

static gboolean
agree (const Normalised *a,
       const Normalised *b)
{
  if (a->text == NULL || b->text == NULL)
    return FALSE;
  if (g_str_equal (a->text, b->text))
    return TRUE;
  if (a->n_words <= SHORT_WORDS || b->n_words <= SHORT_WORDS)
    return FALSE;
  return 2.0 * common_words (a->words, a->n_words, b->words, b->n_words) >=
         LONG_AGREEMENT * (a->n_words + b->n_words);
}

int
hearth_vote_choose (const char * const *answers,
                    guint              *votes)
{
  guint n = answers != NULL ? g_strv_length ((char **) answers) : 0;
  g_autofree Normalised *norm = g_new0 (Normalised, MAX (n, 1));
  int best = -1;
  guint best_votes = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = hearth_vote_normalize (answers[i]);

      if (*text == '\0')
        continue;
      norm[i].words = g_strsplit (text, " ", -1);
      norm[i].n_words = g_strv_length (norm[i].words);
      norm[i].text = g_steal_pointer (&text);
    }
  for (guint i = 0; i < n; i++)
    {
      guint count = 1;

      if (norm[i].text == NULL)
        continue;
      for (guint j = 0; j < n; j++)
        if (j != i && agree (&norm[i], &norm[j]))
          count++;
      /* Strictly more: a tie stays with the one that finished first. */
      if (count > best_votes)
        {
          best = i;
          best_votes = count;
        }
    }
  for (guint i = 0; i < n; i++)
    {
      g_free (norm[i].text);
      g_strfreev (norm[i].words);
    }
  if (votes != NULL)
    *votes = best_votes;
  return best;
}

/* How refusals start, in lower case with straight apostrophes. */
static const char * const refusals[] = {
  "i can't help", "i can't assist", "i can't provide", "i can't answer", "i can't comply",
  "i can't do that", "i can't fulfill", "i can't share",
  "i cannot help", "i cannot assist", "i cannot provide", "i cannot answer", "i cannot comply",
  "i cannot do that", "i cannot fulfill", "i cannot share",
  "i can not help", "i can not assist", "i can not provide",
  "i won't help", "i won't assist", "i won't provide",
  "i'm sorry, but i can", "i am sorry, but i can", "i'm sorry, i can", "i am sorry, i can",
  "sorry, but i can", "sorry, i can",
  "i'm unable to", "i am unable to", "i'm not able to", "i am not able to",
  "as an ai", "as a language model", "as an artificial intelligence",
};

static gboolean
is_refusal (const char *answer)
{
  g_autofree char *lower = g_utf8_strdown (answer, -1);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = lower;

  /* White space and quotes before the first word do not count. */
  while (*p != '\0' && (g_ascii_isspace (*p) || *p == '"' || *p == '*' || *p == '\'' || *p == '>'))
    p++;
  for (; *p != '\0' && text->len < 64; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* ’ and ‘ are written as often as ' */
      if (c == 0x2019 || c == 0x2018)
        g_string_append_c (text, '\'');
      else
        g_string_append_unichar (text, c);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    if (g_str_has_prefix (text->str, refusals[i]))
      return TRUE;
  return FALSE;
}

gboolean
hearth_answer_is_good (const char *answer,
                       const char *done_reason)
{
  g_autofree char *text = NULL;

  if (answer == NULL || !g_utf8_validate (answer, -1, NULL))
    return FALSE;
  text = g_strstrip (g_strdup (answer));
  if (*text == '\0')
    return FALSE;
  /* Cut off before its end: not a whole answer. */
  if (g_strcmp0 (done_reason, "length") == 0)
    return FALSE;
  return !is_refusal (text);
}

char *
hearth_judge_prompt (const char         *question,
                     const char * const *answers)
{
  guint n = answers != NULL ? g_strv_length ((char **) answers) : 0;
  GString *prompt = g_string_new (NULL);

  g_string_append_printf (prompt,
                          "Several assistants answered the question below. Read the %u "
                          "answers and decide which one is the best: correct, complete and "
                          "clear. Reply with the number of the best answer first, on its own "
                          "(for example: 2), then one or two sentences saying why.\n\n",
                          n);
  g_string_append_printf (prompt, "Question:\n%s\n", question != NULL ? question : "");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (prompt, "\nAnswer %u:\n%s\n", i + 1, answers[i]);
  g_string_append_printf (prompt, "\nWhich answer is the best, 1 to %u?", n);
  return g_string_free (prompt, FALSE);
}

/* A byte that would make a digit part of a word or another number: a
 * letter (any non-ASCII byte counts as one) or a digit. */
static gboolean
joins (char c)
{
  return g_ascii_isalnum (c) || (guchar) c >= 0x80 || c == '_';
}

int
hearth_judge_read_verdict (const char *verdict,
                           guint       n_answers)
{
  const char *p;

  if (verdict == NULL)
    return -1;
  for (p = verdict; *p != '\0'; p++)
    {
      const char *start = p;
      guint64 value = 0;
      gboolean alone;

      if (!g_ascii_isdigit (*p))
        continue;
      while (g_ascii_isdigit (*p))
        {
          value = MIN (value * 10 + (*p - '0'), G_MAXUINT);
          p++;
        }
      /* "2" "#2" "(2)" "2." stand alone; "v2", "2nd", "2.5", "1,000" do not. */
      alone = (start == verdict || !joins (start[-1])) &&
              !(start - verdict >= 2 && (start[-1] == '.' || start[-1] == ',') &&
                g_ascii_isdigit (start[-2])) &&
              !joins (*p) &&
              !((*p == '.' || *p == ',') && g_ascii_isdigit (p[1]));
      if (alone && value >= 1 && value <= n_answers)
        return (int) value - 1;
      if (*p == '\0')
        break;
    }
  return -1;
}
