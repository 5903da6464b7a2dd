/* bench-startup.c — start-up to the first painted frame: Hearth against a bare window
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under a display (figures are printed, never asserted):
 *   GSK_RENDERER=cairo GDK_DEBUG=gl-disable xvfb-run -a -s "-screen 0 1280x800x24" \
 *     dbus-run-session -- meson test -C _build --benchmark --verbose
 *
 * Launches, in turn, the real hearth binary (HEARTH_EXIT_AFTER_FIRST_FRAME=1,
 * empty XDG directories each time), the same with ~200 conversations on disk,
 * and this program again with --bare: an AdwApplication with one empty
 * AdwApplicationWindow of Hearth's default size that reports its first frame
 * the same way. Each child prints "first-frame: N us after main, RSS X kB";
 * from outside, the time runs from spawning to that line on the pipe, so
 * process start and dynamic linking are included. Medians are printed.
 */
#include <adwaita.h>
#include <stdlib.h>
#include <string.h>

#include "hearth-bench-util.h"
#include "hearth-store.h"
#include "hearth-test-util.h"

#define RUNS                 7
#define HISTORY_SIZE         200
#define BARE_APP_ID          "io.github.hearthapp.HearthBenchBare"
#define DEFAULT_WIDTH        1000
#define DEFAULT_HEIGHT       700

typedef struct
{
  double exec_ms[RUNS];
  double main_ms[RUNS];
  double rss_kib[RUNS];
} Launches;

/* The bare window, in the re-executed child. */

static gint64 bare_main_started_us;

static void
bare_on_first_paint (GdkFrameClock *clock,
                     GtkWindow     *window)
{
  g_signal_handlers_disconnect_by_func (clock, bare_on_first_paint, window);
  g_print ("first-frame: %" G_GINT64_FORMAT " us after main, RSS %" G_GUINT64_FORMAT " kB\n",
           g_get_monotonic_time () - bare_main_started_us, hearth_bench_rss_kib ());
  g_application_quit (G_APPLICATION (gtk_window_get_application (window)));
}

static void
bare_on_realize (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (bare_on_first_paint), window);
}

static void
bare_activate (GApplication *application)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (application));

  gtk_window_set_default_size (GTK_WINDOW (window), DEFAULT_WIDTH, DEFAULT_HEIGHT);
  g_signal_connect (window, "realize", G_CALLBACK (bare_on_realize), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_bare (char *program)
{
  g_autoptr(AdwApplication) app = adw_application_new (BARE_APP_ID, G_APPLICATION_NON_UNIQUE);
  char *argv[] = { program, NULL };

  g_signal_connect (app, "activate", G_CALLBACK (bare_activate), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}

/* The parent: launching and timing. */

static char *
make_dirs (const char *name)
{
  char *home = hearth_test_build_tmp_path (name, NULL);
  const char *subdirs[] = { "data", "config", "cache" };

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (home, subdirs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
    }
  return home;
}

static GSubprocessLauncher *
new_launcher (const char *home)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *cache = g_build_filename (home, "cache", NULL);

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "HEARTH_EXIT_AFTER_FIRST_FRAME", "1", TRUE);
  return launcher;
}

/* "first-frame: N us after main, RSS X kB" */
static void
parse_first_frame (const char *line,
                   double     *main_ms,
                   double     *rss_kib)
{
  const char *rss;

  if (line == NULL || !g_str_has_prefix (line, "first-frame: ") ||
      (rss = strstr (line, "RSS ")) == NULL)
    g_error ("no first-frame line from the child: %s", line ? line : "(end of output)");
  *main_ms = g_ascii_strtoull (line + strlen ("first-frame: "), NULL, 10) / 1000.0;
  *rss_kib = g_ascii_strtoull (rss + strlen ("RSS "), NULL, 10);
}

static void
launch (const char * const *argv,
        const char         *home,
        Launches           *out,
        guint               run)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (home);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gint64 start = g_get_monotonic_time ();

  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  out->exec_ms[run] = (g_get_monotonic_time () - start) / 1000.0;
  g_assert_no_error (error);
  parse_first_frame (line, &out->main_ms[run], &out->rss_kib[run]);
  g_subprocess_wait_check (child, NULL, &error);
  g_assert_no_error (error);
}

static void
launch_fresh (const char * const *argv,
              const char         *name,
              Launches           *out,
              guint               run)
{
  g_autofree char *dir = g_strdup_printf ("%s-%u", name, run);
  g_autofree char *home = make_dirs (dir);

  launch (argv, home, out, run);
}

/* ~200 conversations of 2 to 20 messages, written once with the store API. */
static char *
make_history (void)
{
  char *home = make_dirs ("history");
  g_autofree char *db = g_build_filename (home, "data", "hearth", "hearth.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (200);

  store = hearth_store_open (db, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < HISTORY_SIZE; i++)
    {
      g_autofree char *title = g_strdup_printf ("Conversation %u about caching", i + 1);

      hearth_bench_fill_conversation (store, title, g_rand_int_range (rand, 2, 21), rand);
    }
  return home;
}

static void
print_launches (const char *name,
                Launches   *launches)
{
  g_print ("%s: %.1f ms (from exec), %.1f ms (from main), RSS %.1f MiB\n", name,
           hearth_bench_median (launches->exec_ms, RUNS),
           hearth_bench_median (launches->main_ms, RUNS),
           hearth_bench_median (launches->rss_kib, RUNS) / 1024);
}

static void
print_ratios (Launches *hearth,
              Launches *bare)
{
  g_print ("startup-ratio-time: %.2f (from exec; %.2f from main; target <= 1.5)\n",
           hearth_bench_median (hearth->exec_ms, RUNS) / hearth_bench_median (bare->exec_ms, RUNS),
           hearth_bench_median (hearth->main_ms, RUNS) / hearth_bench_median (bare->main_ms, RUNS));
  g_print ("startup-ratio-rss: %.2f (target <= 1.5)\n",
           hearth_bench_median (hearth->rss_kib, RUNS) / hearth_bench_median (bare->rss_kib, RUNS));
}

static void
bench_startup (void)
{
  g_autofree char *hearth = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "ui", "hearth",
                                              NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *history = make_history ();
  const char *hearth_argv[] = { hearth, NULL };
  const char *bare_argv[] = { self, "--bare", NULL };
  Launches plain, with_history, bare, warm_up;

  /* One of each first, not counted, so that no kind pays for a cold page cache. */
  launch_fresh (hearth_argv, "warm-hearth", &warm_up, 0);
  launch_fresh (bare_argv, "warm-bare", &warm_up, 0);
  launch (hearth_argv, history, &warm_up, 0);
  for (guint i = 0; i < RUNS; i++)
    {
      launch_fresh (hearth_argv, "hearth", &plain, i);
      launch_fresh (bare_argv, "bare", &bare, i);
      launch (hearth_argv, history, &with_history, i);
    }
  print_launches ("startup-hearth", &plain);
  print_launches ("startup-hearth-with-history", &with_history);
  print_launches ("startup-bare-adw-window", &bare);
  print_ratios (&plain, &bare);
}

int
main (int    argc,
      char **argv)
{
  gint64 started = g_get_monotonic_time ();

  if (argc == 2 && g_str_equal (argv[1], "--bare"))
    {
      bare_main_started_us = started;
      return run_bare (argv[0]);
    }
  hearth_test_init (&argc, &argv);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-startup: no display; run under xvfb-run (see the top of this file)\n");
      return 77;
    }
  bench_startup ();
  return 0;
}
