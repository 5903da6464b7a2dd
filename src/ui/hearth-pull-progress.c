/* hearth-pull-progress.c — a download's progress, in the same words everywhere
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-pull-progress"

#include "config.h"

#include <glib/gi18n.h>

#include "hearth-pull-progress.h"

/* "45 % · 12.3 MB/s · 0:42 left", the speed measured since the first bytes. */
static char *
format_progress (gint64 started_us,
                 gint64 first_bytes,
                 gint64 completed,
                 gint64 total)
{
  double seconds = (g_get_monotonic_time () - started_us) / (double) G_USEC_PER_SEC;
  double speed = seconds > 0.2 ? (completed - first_bytes) / seconds : 0;
  g_autofree char *rate = NULL;
  int left;

  if (speed <= 0)
    return g_strdup_printf ("%d %%", (int) (100 * completed / total));
  rate = g_format_size ((guint64) speed);
  left = (int) ((total - completed) / speed);
  return g_strdup_printf (_("%d %% · %s/s · %d:%02d left"), (int) (100 * completed / total), rate,
                          left / 60, left % 60);
}

/**
 * hearth_pull_progress_show:
 * @started_us: when the download started (monotonic time)
 * @first_bytes: (inout): the bytes done when sizes first came, or -1
 * @total: -1 while the server has not said
 *
 * Shows a HearthPullProgress report: a pulsing bar and the server's words
 * until the size is known, then the share, the speed and the time left.
 */
void
hearth_pull_progress_show (GtkProgressBar *bar,
                           GtkLabel       *label,
                           gint64          started_us,
                           gint64         *first_bytes,
                           const char     *status,
                           gint64          completed,
                           gint64          total)
{
  g_autofree char *text = NULL;

  if (total <= 0 || completed < 0)
    {
      gtk_progress_bar_pulse (bar);
      gtk_label_set_label (label, status ? status : _("Starting…"));
      return;
    }
  if (*first_bytes < 0)
    *first_bytes = completed;
  text = format_progress (started_us, *first_bytes, completed, total);
  gtk_progress_bar_set_fraction (bar, (double) completed / total);
  gtk_label_set_label (label, text);
}
