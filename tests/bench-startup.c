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
 * the same way (the baseline). A second reference, --bare-titled,
 * is the least a GNOME app shows: a unique application (registered on the
 * session bus, as Hearth is) whose window has a header bar with a title and
 * a status page with an icon, a title, a description and a button; it says
 * how much of the gap is the first text, icons and bus registration any app
 * pays, rather than Hearth's own work. Each child prints "first-frame: N us after main, RSS X kB,
 * main thread CPU M us" (CPU time is printed too because on a machine shared
 * with other work the wall-clock times vary by tens of percent);
 * from outside, the time runs from spawning to that line on the pipe, so
 * process start and dynamic linking are included. Medians are printed.
 *
 * Then idling: Hearth (with the history, on the Chat page) and the bare
 * window are left open after their first frame, and their main thread's
 * wake-ups (voluntary context switches, /proc/PID/task/PID/status) and the
 * whole process's CPU time (/proc/PID/stat) are read over two windows of
 * IDLE_SECONDS: from 1 s after the first frame, while the composer's cursor
 * still blinks (GTK stops it after 10 s without input), and the next one;
 * then over a minute (LONG_IDLE_SECONDS), where a wake-up that comes every
 * 10 s or less often is counted in proportion.
 *
 * Last, when valgrind is installed, each kind again under callgrind: the
 * main thread's instructions to its first frame, which do not change with
 * the machine's load as times do (the server's address is a socket that
 * never answers, so no reply races the first frame). Nothing is asserted.
 */
#include <signal.h>
#include <unistd.h>
#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "hearth-bench-util.h"
#include "hearth-store.h"
#include "hearth-test-util.h"

#define RUNS                 7
#define HISTORY_SIZE         200
#define BARE_APP_ID          "io.github.hearthapp.HearthBenchBare"
#define DEFAULT_WIDTH        1000
#define DEFAULT_HEIGHT       700
#define IDLE_SECONDS         10
/* a minute: six of the sampler's ticks, and a down server's checks at
 * 40 s and 80 s, so a rare wake-up is counted in proportion */
#define LONG_IDLE_SECONDS    60

typedef struct
{
  double exec_ms[RUNS];
  double main_ms[RUNS];
  double rss_kib[RUNS];
  double cpu_ms[RUNS];
} Launches;

/* The main thread's CPU time so far, in µs */
static gint64
thread_cpu_us (void)
{
  struct timespec cpu = { 0, 0 };

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
  return (gint64) cpu.tv_sec * G_USEC_PER_SEC + cpu.tv_nsec / 1000;
}

/* The bare window, in the re-executed child. */

static gint64 bare_main_started_us;
static gboolean bare_stays;
static gboolean bare_titled;

static void
bare_on_first_paint (GdkFrameClock *clock,
                     GtkWindow     *window)
{
  g_signal_handlers_disconnect_by_func (clock, bare_on_first_paint, window);
  g_print ("first-frame: %" G_GINT64_FORMAT " us after main, RSS %" G_GUINT64_FORMAT
           " kB, main thread CPU %" G_GINT64_FORMAT " us\n",
           g_get_monotonic_time () - bare_main_started_us, hearth_bench_rss_kib (),
           thread_cpu_us ());
  fflush (stdout);
  if (bare_stays)
    return;
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

  if (bare_titled)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *header = adw_header_bar_new ();
      GtkWidget *status = adw_status_page_new ();
      GtkWidget *button = gtk_button_new_with_label ("New Chat");

      adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                       adw_window_title_new ("Bench", "A reference window"));
      adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "dialog-information-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (status), "Ask Anything");
      adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                       "Questions and answers stay on this machine: the model "
                                       "runs on your own server.");
      gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "pill");
      adw_status_page_set_child (ADW_STATUS_PAGE (status), button);
      gtk_widget_set_vexpand (status, TRUE);
      gtk_box_append (GTK_BOX (box), header);
      gtk_box_append (GTK_BOX (box), status);
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
    }
  gtk_window_set_default_size (GTK_WINDOW (window), DEFAULT_WIDTH, DEFAULT_HEIGHT);
  g_signal_connect (window, "realize", G_CALLBACK (bare_on_realize), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_bare (char *program)
{
  g_autoptr(AdwApplication) app = adw_application_new (BARE_APP_ID,
                                                       bare_titled ? G_APPLICATION_DEFAULT_FLAGS
                                                                   : G_APPLICATION_NON_UNIQUE);
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

/* "first-frame: N us after main, RSS X kB, main thread CPU M us" */
static void
parse_first_frame (const char *line,
                   double     *main_ms,
                   double     *rss_kib,
                   double     *cpu_ms)
{
  const char *rss;
  const char *cpu;

  if (line == NULL || !g_str_has_prefix (line, "first-frame: ") ||
      (rss = strstr (line, "RSS ")) == NULL || (cpu = strstr (line, "CPU ")) == NULL)
    g_error ("no first-frame line from the child: %s", line ? line : "(end of output)");
  *main_ms = g_ascii_strtoull (line + strlen ("first-frame: "), NULL, 10) / 1000.0;
  *rss_kib = g_ascii_strtoull (rss + strlen ("RSS "), NULL, 10);
  *cpu_ms = g_ascii_strtoull (cpu + strlen ("CPU "), NULL, 10) / 1000.0;
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
  parse_first_frame (line, &out->main_ms[run], &out->rss_kib[run], &out->cpu_ms[run]);
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
make_history_in (const char *name)
{
  char *home = make_dirs (name);
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

/* Idling */

typedef struct
{
  double wakeups;    /* of the main thread */
  double cpu_s;      /* of the whole process */
} ProcTimes;

static ProcTimes
read_proc_times (const char *pid)
{
  g_autofree char *status_path = g_strdup_printf ("/proc/%s/task/%s/status", pid, pid);
  g_autofree char *stat_path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *status = NULL;
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *line;
  ProcTimes times = { 0, 0 };

  g_assert_true (g_file_get_contents (status_path, &status, NULL, NULL));
  g_assert_true (g_file_get_contents (stat_path, &stat, NULL, NULL));
  line = strstr (status, "voluntary_ctxt_switches:");
  g_assert_nonnull (line);
  times.wakeups = g_ascii_strtoull (line + strlen ("voluntary_ctxt_switches:"), NULL, 10);
  /* After the command's closing parenthesis: state is field 3, utime 14, stime 15. */
  fields = g_strsplit (strrchr (stat, ')') + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >, 13);
  times.cpu_s = (g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10))
                / (double) sysconf (_SC_CLK_TCK);
  return times;
}

static void
print_idle_window (const char *name,
                   const char *when,
                   ProcTimes   from,
                   ProcTimes   to,
                   double      seconds)
{
  g_print ("idle-%s (%s): %.2f wake-ups/s (main thread), %.2f %% of a core\n", name, when,
           (to.wakeups - from.wakeups) / seconds, 100 * (to.cpu_s - from.cpu_s) / seconds);
}

static void
measure_idle (const char * const *argv,
              const char         *home,
              const char         *name)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (home);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *pid;
  ProcTimes at[4];

  g_subprocess_launcher_setenv (launcher, "HEARTH_EXIT_AFTER_FIRST_FRAME", "0", TRUE);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (child);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_str_has_prefix (line, "first-frame: "));
  g_usleep (G_USEC_PER_SEC);
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    {
      if (i > 0)
        g_usleep ((i < 3 ? IDLE_SECONDS : LONG_IDLE_SECONDS) * G_USEC_PER_SEC);
      at[i] = read_proc_times (pid);
    }
  print_idle_window (name, "1-11 s after the first frame", at[0], at[1], IDLE_SECONDS);
  print_idle_window (name, "11-21 s after the first frame", at[1], at[2], IDLE_SECONDS);
  print_idle_window (name, "21-81 s after the first frame", at[2], at[3], LONG_IDLE_SECONDS);
  g_subprocess_send_signal (child, SIGTERM);
  g_subprocess_wait (child, NULL, NULL);
}

/* Instructions */

/* A server address that takes connections and never answers: no reply (or
 * refusal) races the first frame, so each launch does the same work. */
static GSocket *
silent_server (char **address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *address = g_strdup_printf ("127.0.0.1:%u",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  return socket;
}

/* The main thread's instructions to its first frame (and the short exit
 * after it), counted by callgrind: unlike times, the same on a busy machine
 * as on a quiet one, so a change of a few percent shows. */
static double
count_instructions (const char * const *argv,
                    const char         *home,
                    const char         *server)
{
  g_autofree char *valgrind = g_find_program_in_path ("valgrind");
  g_autofree char *out = g_build_filename (home, "callgrind.out", NULL);
  g_autofree char *out_arg = g_strconcat ("--callgrind-out-file=", out, NULL);
  g_autofree char *main_out = g_strconcat (out, "-01", NULL);
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (home);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *summary;

  g_ptr_array_add (full, valgrind);
  g_ptr_array_add (full, (char *) "--tool=callgrind");
  g_ptr_array_add (full, (char *) "--separate-threads=yes");
  g_ptr_array_add (full, out_arg);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (char *) argv[i]);
  g_ptr_array_add (full, NULL);
  g_subprocess_launcher_setenv (launcher, "OLLAMA_HOST", server, TRUE);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                             G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  child = g_subprocess_launcher_spawnv (launcher, (const char * const *) full->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (main_out, &text, NULL, &error));
  summary = strstr (text, "\nsummary: ");
  g_assert_nonnull (summary);
  g_unlink (main_out);
  return g_ascii_strtod (summary + strlen ("\nsummary: "), NULL) / 1e6;
}

#define INSTRUCTION_RUNS 3

static void
print_instructions (void)
{
  g_autofree char *valgrind = g_find_program_in_path ("valgrind");
  g_autofree char *hearth = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "ui", "hearth",
                                              NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *history = make_history_in ("history-instructions");
  g_autofree char *server = NULL;
  g_autoptr(GSocket) silent = NULL;
  const char *hearth_argv[] = { hearth, NULL };
  const char *bare_argv[] = { self, "--bare", NULL };
  const char *titled_argv[] = { self, "--bare-titled", NULL };
  double plain[INSTRUCTION_RUNS], with_history[INSTRUCTION_RUNS], bare[INSTRUCTION_RUNS];
  double titled[INSTRUCTION_RUNS];

  if (valgrind == NULL)
    {
      g_print ("startup-instructions: NOT MEASURED: valgrind is not installed "
               "(apt-get install valgrind)\n");
      return;
    }
  silent = silent_server (&server);
  for (guint i = 0; i < INSTRUCTION_RUNS; i++)
    {
      g_autofree char *dir = g_strdup_printf ("instructions-%u", i);
      g_autofree char *home = make_dirs (dir);
      g_autofree char *bare_dir = g_strdup_printf ("instructions-bare-%u", i);
      g_autofree char *bare_home = make_dirs (bare_dir);
      g_autofree char *titled_dir = g_strdup_printf ("instructions-titled-%u", i);
      g_autofree char *titled_home = make_dirs (titled_dir);

      plain[i] = count_instructions (hearth_argv, home, server);
      with_history[i] = count_instructions (hearth_argv, history, server);
      bare[i] = count_instructions (bare_argv, bare_home, server);
      titled[i] = count_instructions (titled_argv, titled_home, server);
    }
  g_print ("startup-instructions-hearth: %.1f M (the main thread's, to the first frame; "
           "callgrind, median of %u)\n", hearth_bench_median (plain, INSTRUCTION_RUNS),
           INSTRUCTION_RUNS);
  g_print ("startup-instructions-hearth-with-history: %.1f M\n",
           hearth_bench_median (with_history, INSTRUCTION_RUNS));
  g_print ("startup-instructions-bare-adw-window: %.1f M\n",
           hearth_bench_median (bare, INSTRUCTION_RUNS));
  g_print ("startup-instructions-titled-adw-window: %.1f M\n",
           hearth_bench_median (titled, INSTRUCTION_RUNS));
  g_print ("startup-instructions-ratio: %.2f (with history %.2f; target <= 1.5); against the "
           "titled reference %.2f (a reference, not the target)\n",
           hearth_bench_median (plain, INSTRUCTION_RUNS) / hearth_bench_median (bare, INSTRUCTION_RUNS),
           hearth_bench_median (with_history, INSTRUCTION_RUNS)
             / hearth_bench_median (bare, INSTRUCTION_RUNS),
           hearth_bench_median (with_history, INSTRUCTION_RUNS)
             / hearth_bench_median (titled, INSTRUCTION_RUNS));
}

static void
print_launches (const char *name,
                Launches   *launches)
{
  g_print ("%s: %.1f ms (from exec), %.1f ms (from main), RSS %.1f MiB, "
           "main thread CPU %.1f ms\n", name,
           hearth_bench_median (launches->exec_ms, RUNS),
           hearth_bench_median (launches->main_ms, RUNS),
           hearth_bench_median (launches->rss_kib, RUNS) / 1024,
           hearth_bench_median (launches->cpu_ms, RUNS));
}

static void
print_ratios (const char *name,
              Launches   *hearth,
              Launches   *bare,
              const char *target)
{
  g_print ("%s-ratio-time: %.2f (from exec; %.2f from main; %s)\n", name,
           hearth_bench_median (hearth->exec_ms, RUNS) / hearth_bench_median (bare->exec_ms, RUNS),
           hearth_bench_median (hearth->main_ms, RUNS) / hearth_bench_median (bare->main_ms, RUNS),
           target);
  g_print ("%s-ratio-cpu: %.2f (the main thread's CPU time to the first frame, which a busy "
           "machine stretches less than the wall-clock time)\n", name,
           hearth_bench_median (hearth->cpu_ms, RUNS) / hearth_bench_median (bare->cpu_ms, RUNS));
  g_print ("%s-ratio-rss: %.2f (%s)\n", name,
           hearth_bench_median (hearth->rss_kib, RUNS) / hearth_bench_median (bare->rss_kib, RUNS),
           target);
}

static void
bench_startup (void)
{
  g_autofree char *hearth = g_build_filename (g_getenv ("HEARTH_BUILD_DIR"), "src", "ui", "hearth",
                                              NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *history = make_history_in ("history");
  const char *hearth_argv[] = { hearth, NULL };
  const char *bare_argv[] = { self, "--bare", NULL };
  const char *bare_stay_argv[] = { self, "--bare", "--stay", NULL };
  const char *titled_argv[] = { self, "--bare-titled", NULL };
  g_autofree char *bare_home = make_dirs ("idle-bare");
  Launches plain, with_history, bare, titled, warm_up;

  /* One of each first, not counted, so that no kind pays for a cold page cache. */
  launch_fresh (hearth_argv, "warm-hearth", &warm_up, 0);
  launch_fresh (bare_argv, "warm-bare", &warm_up, 0);
  launch_fresh (titled_argv, "warm-titled", &warm_up, 0);
  launch (hearth_argv, history, &warm_up, 0);
  for (guint i = 0; i < RUNS; i++)
    {
      launch_fresh (hearth_argv, "hearth", &plain, i);
      launch_fresh (bare_argv, "bare", &bare, i);
      launch_fresh (titled_argv, "titled", &titled, i);
      launch (hearth_argv, history, &with_history, i);
    }
  print_launches ("startup-hearth", &plain);
  print_launches ("startup-hearth-with-history", &with_history);
  print_launches ("startup-bare-adw-window", &bare);
  print_launches ("startup-titled-adw-window", &titled);
  print_ratios ("startup", &plain, &bare, "target <= 1.5");
  print_ratios ("startup-with-history", &with_history, &bare, "target <= 1.5");
  /* Not the target: how much of the gap any app with text pays. */
  print_ratios ("startup-with-history-vs-titled", &with_history, &titled,
                "a reference, not the target");
  print_ratios ("startup-titled-vs-bare", &titled, &bare, "a reference, not the target");

  measure_idle (hearth_argv, history, "hearth-with-history");
  measure_idle (bare_stay_argv, bare_home, "bare-adw-window");
  print_instructions ();
}

int
main (int    argc,
      char **argv)
{
  gint64 started = g_get_monotonic_time ();

  if (argc >= 2 && (g_str_equal (argv[1], "--bare") || g_str_equal (argv[1], "--bare-titled")))
    {
      bare_main_started_us = started;
      bare_titled = g_str_equal (argv[1], "--bare-titled");
      bare_stays = argc == 3 && g_str_equal (argv[2], "--stay");
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
