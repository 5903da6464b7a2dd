/* bench-alerts.c — what judging the alert rules adds to each sample
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures printed, never asserted, in one run side by side: the sampler's
 * own cost per sample (the baseline), then hearth_alerts_observe_sample ()
 * + hearth_alerts_tick () per sample with the default rules and with 50
 * rules, nothing crossing (the idle case), and a rule that changes state on
 * every sample (each transition is written to hearth.db).
 */
#include <gio/gio.h>
#include <stdio.h>
#include <time.h>

#include "hearth-alerts.h"
#include "hearth-sampler.h"
#include "hearth-test-util.h"

#define N_SAMPLES     2000
#define N_TRANSITIONS 200

static double
cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
bench_sampler (HearthSampler       *sampler,
               const HearthSample **last)
{
  double start;

  hearth_sampler_sample (sampler);
  start = cpu_s ();
  for (guint i = 0; i < N_SAMPLES; i++)
    *last = hearth_sampler_sample (sampler);
  return (cpu_s () - start) / N_SAMPLES;
}

/* A sample the machine gave, replayed at 1 s steps. */
static double
bench_alerts (HearthAlerts       *alerts,
              const HearthSample *model,
              guint               n)
{
  g_autoptr(HearthSample) sample = hearth_sample_new (0);
  gint64 start_us = g_get_real_time ();
  double start;

  g_free (sample->core_percent);
  *sample = *model;
  sample->n_cores = 0;
  sample->core_percent = NULL;
  start = cpu_s ();
  for (guint i = 0; i < n; i++)
    {
      sample->time_us = start_us + (gint64) i * G_USEC_PER_SEC;
      hearth_alerts_observe_sample (alerts, sample);
      hearth_alerts_tick (alerts, sample->time_us / 1000);
    }
  return (cpu_s () - start) / n;
}

static HearthAlerts *
open_alerts (const char *name)
{
  g_autoptr(HearthStore) store = hearth_test_open_store (name);

  return hearth_alerts_new (store);
}

static void
add_rules (HearthAlerts *alerts,
           guint         n)
{
  static const HearthAlertMetric machine[] = {
    HEARTH_ALERT_METRIC_CPU_PERCENT, HEARTH_ALERT_METRIC_MEMORY_PERCENT,
    HEARTH_ALERT_METRIC_SWAP_USED_MB, HEARTH_ALERT_METRIC_VRAM_PERCENT,
    HEARTH_ALERT_METRIC_GPU_TEMP_C, HEARTH_ALERT_METRIC_GPU_POWER_W,
    HEARTH_ALERT_METRIC_DISK_FREE_GB,
  };

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
      g_autoptr(GError) error = NULL;

      g_free (rule->name);
      rule->name = g_strdup_printf ("bench %u", i);
      rule->metric = machine[i % G_N_ELEMENTS (machine)];
      /* Thresholds nothing reaches; every fifth a trend over 10 minutes,
       * the costliest judgement (a least-squares pass over the window). */
      if (i % 5 == 4)
        {
          rule->condition = HEARTH_ALERT_TREND;
          rule->threshold = 1e9;
          rule->for_ms = 10 * 60 * 1000;
        }
      else
        {
          rule->condition = rule->metric == HEARTH_ALERT_METRIC_DISK_FREE_GB ? HEARTH_ALERT_BELOW
                                                                            : HEARTH_ALERT_ABOVE;
          rule->threshold = rule->condition == HEARTH_ALERT_BELOW ? -1 : 1e9;
          rule->for_ms = 30 * 1000;
        }
      hearth_alerts_add_rule (alerts, rule, &error);
      g_assert_no_error (error);
    }
}

static guint n_transitions;

static void
count_transition (HearthAlerts     *alerts,
                  HearthAlertEvent *event,
                  gpointer          user_data)
{
  n_transitions++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HearthSampler) sampler = NULL;
  g_autoptr(HearthAlerts) defaults = NULL;
  g_autoptr(HearthAlerts) fifty = NULL;
  g_autoptr(HearthAlerts) flapping = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autofree char *disk = NULL;
  g_autoptr(GPtrArray) default_rules = hearth_alert_rule_defaults ();
  const HearthSample *sample = NULL;
  double sampler_s, defaults_s, fifty_s, flap_s;

  hearth_test_init (&argc, &argv);

  sampler = hearth_sampler_new ("/", 600);
  disk = g_strdup (hearth_test_get_tmpdir ());
  hearth_sampler_set_disk_path (sampler, disk);
  sampler_s = bench_sampler (sampler, &sample);

  defaults = open_alerts ("defaults");
  rules = hearth_alerts_list_rules (defaults, NULL);
  defaults_s = bench_alerts (defaults, sample, N_SAMPLES);

  fifty = open_alerts ("fifty");
  add_rules (fifty, 50 - rules->len);
  g_clear_pointer (&rules, g_ptr_array_unref);
  rules = hearth_alerts_list_rules (fifty, NULL);
  fifty_s = bench_alerts (fifty, sample, N_SAMPLES);

  /* CPU above -1 %, then below: a transition on every sample. */
  flapping = open_alerts ("flapping");
  {
    g_autoptr(HearthAlertRule) rule = hearth_alert_rule_new ();
    g_autoptr(HearthSample) copy = hearth_sample_new (0);
    gint64 start_us = g_get_real_time ();
    double start;

    g_free (rule->name);
    rule->name = g_strdup ("flapping");
    rule->metric = HEARTH_ALERT_METRIC_CPU_PERCENT;
    rule->threshold = 50;
    rule->cooldown_ms = 0;
    rule->channels = HEARTH_ALERT_CHANNEL_TRAY;   /* the journal's cost is not ours */
    hearth_alerts_add_rule (flapping, rule, NULL);
    g_signal_connect (flapping, "transition", G_CALLBACK (count_transition), NULL);
    g_free (copy->core_percent);
    *copy = *sample;
    copy->n_cores = 0;
    copy->core_percent = NULL;
    start = cpu_s ();
    for (guint i = 0; i < N_TRANSITIONS; i++)
      {
        copy->time_us = start_us + (gint64) i * G_USEC_PER_SEC;
        copy->cpu_percent = i % 2 ? 10 : 90;
        hearth_alerts_observe_sample (flapping, copy);
        hearth_alerts_tick (flapping, copy->time_us / 1000);
      }
    flap_s = (cpu_s () - start) / MAX (n_transitions, 1);
  }

  printf ("alerts-samples: %u per case (CPU time of this thread)\n", N_SAMPLES);
  printf ("sampler-cpu-per-sample: %.1f us (baseline: reading /proc, /sys and the disk)\n",
          sampler_s * 1e6);
  printf ("alerts-cpu-per-sample-default-rules: %.1f us (%u rules, %.1f %% of the sampler's)\n",
          defaults_s * 1e6, default_rules->len, 100 * defaults_s / sampler_s);
  printf ("alerts-cpu-per-sample-50-rules: %.1f us (%u rules, %.1f %% of the sampler's)\n",
          fifty_s * 1e6, rules->len, 100 * fifty_s / sampler_s);
  printf ("alerts-core-percent-idle-10s-50-rules-estimated: %.5f %% "
          "(per-sample cost / 10 s idle interval)\n", fifty_s / 10 * 100);
  printf ("alerts-cpu-per-transition: %.1f us (%u transitions, each stored in hearth.db)\n",
          flap_s * 1e6, n_transitions);
  return 0;
}
