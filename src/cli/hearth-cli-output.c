/* hearth-cli-output.c — where hearth-cli's text goes: escaped on a terminal, failures noticed
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hearth-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "hearth-cli-private.h"

/*
 * Replies, model names, titles and server messages are someone else's text.
 * Printed as they are to a terminal, an escape sequence in them can set the
 * clipboard (OSC 52), retitle the window or clear the screen, so on a
 * terminal every control character but newline and tab is shown as \u00XX
 * (ESC is \u001b, DEL \u007f, CSI \u009b) and a byte that is not UTF-8 as
 * \xHH; CR passes only as part of CRLF. Inside JSON strings \u00XX is
 * JSON's own escape, so JSON on a terminal stays JSON that means the same.
 * --raw prints standard output byte for byte, as a pipe or a file always
 * gets it; error lines on a terminal are always escaped.
 */

typedef struct
{
  FILE     *file;
  int       fd;
  gboolean  terminal;
  gboolean  closed;     /* closed when hearth-cli started: /dev/null holds its place */
  int       error;      /* errno of the first failed write, or 0 */
  char      pending[4]; /* a CR or the start of a character that the next write ends */
  gsize     n_pending;
} Output;

static Output   outputs[2];
static gboolean raw;
static GMutex   lock;

/* Appends @text escaped. Unless @final, the start of a character or a CR
 * that the next write may end goes to @o's pending. */
static void
escape_into (GString    *out,
             Output     *o,
             const char *text,
             gsize       len,
             gboolean    final)
{
  const char *end = text + len;
  const char *p = text;

  while (p < end)
    {
      guchar c = (guchar) *p;
      gunichar ch;

      if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
        {
          g_string_append_c (out, c);
          p++;
          continue;
        }
      /* CRLF ends a line (CSV, servers on Windows); a lone CR rewrites it */
      if (c == '\r' && p + 1 == end && !final)
        break;
      if (c == '\r' && p + 1 < end && p[1] == '\n')
        {
          g_string_append (out, "\r\n");
          p += 2;
          continue;
        }
      if (c < 0x80)
        {
          g_string_append_printf (out, "\\u%04x", c);
          p++;
          continue;
        }
      ch = g_utf8_get_char_validated (p, end - p);
      if (ch == (gunichar) -2 && !final)
        break;
      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", c);
          p++;
          continue;
        }
      if (ch <= 0x9f)
        g_string_append_printf (out, "\\u%04x", ch);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  o->n_pending = 0;
  if (p < end)
    {
      /* at most a CR or three bytes of a character */
      o->n_pending = end - p;
      memcpy (o->pending, p, o->n_pending);
    }
}

static void
put (Output     *o,
     const char *bytes,
     gsize       len)
{
  if (o->error != 0 || len == 0)
    return;
  errno = 0;
  if (o->closed)
    o->error = EBADF;
  else if (fwrite (bytes, 1, len, o->file) != len || fflush (o->file) != 0)
    o->error = errno != 0 ? errno : EIO;
}

static gboolean
escapes (OutputStream stream)
{
  return outputs[stream].terminal && !(raw && stream == OUTPUT_STDOUT);
}

/**
 * output_write:
 * @len: the length of @text, or -1 when it ends with a NUL
 *
 * Writes text from anywhere, escaped on a terminal (see the top of this
 * file). After a failed write a stream takes nothing more: the command
 * ends with one line about it (output_finish()).
 */
void
output_write (OutputStream  stream,
              const char   *text,
              gssize        len)
{
  Output *o = &outputs[stream];
  gsize n = len < 0 ? strlen (text) : (gsize) len;

  g_mutex_lock (&lock);
  if (escapes (stream))
    {
      g_autoptr(GString) out = g_string_sized_new (n + o->n_pending);
      g_autofree char *joined = g_malloc (n + o->n_pending);

      memcpy (joined, o->pending, o->n_pending);
      memcpy (joined + o->n_pending, text, n);
      n += o->n_pending;
      escape_into (out, o, joined, n, FALSE);
      put (o, out->str, out->len);
    }
  else
    put (o, text, n);
  g_mutex_unlock (&lock);
}

/* hearth-cli's own terminal control (progress lines, colour): only on a
 * terminal, and never escaped. */
void
output_control (OutputStream  stream,
                const char   *sequence)
{
  g_mutex_lock (&lock);
  if (outputs[stream].terminal)
    put (&outputs[stream], sequence, strlen (sequence));
  g_mutex_unlock (&lock);
}

gboolean
output_is_terminal (OutputStream stream)
{
  return outputs[stream].terminal;
}

void
output_set_raw (gboolean value)
{
  raw = value;
}

static void
print_to_stdout (const char *text)
{
  output_write (OUTPUT_STDOUT, text, -1);
}

static void
print_to_stderr (const char *text)
{
  output_write (OUTPUT_STDERR, text, -1);
}

static gboolean alert_logged_to_journal;

/* A message a Hearth module logs is one more "hearth-cli:" line, like the
 * command's own; the rest is GLib's. The log channel of an alert (a record
 * with HEARTH_ALERT_RULE) goes to the journal whenever there is one, with
 * its fields, even from a terminal; without one it is a line on stderr. */
static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;
  gboolean alert = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
      else if (g_str_equal (fields[i].key, "HEARTH_ALERT_RULE"))
        alert = TRUE;
    }
  if ((level & G_LOG_LEVEL_MASK) != G_LOG_LEVEL_MESSAGE || message == NULL ||
      domain == NULL || !g_str_has_prefix (domain, "hearth"))
    return g_log_writer_default (level, fields, n_fields, user_data);
  if (alert && g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    {
      alert_logged_to_journal = TRUE;
      return G_LOG_WRITER_HANDLED;
    }
  /* Translators: an error message (a whole sentence) after the program's name */
  g_printerr (_("hearth-cli: %s\n"), message);
  return G_LOG_WRITER_HANDLED;
}

/* Whether an alert's log record reached the journal (else standard error). */
gboolean
output_alert_logged_to_journal (void)
{
  return alert_logged_to_journal;
}

/* A standard stream closed by the caller (>&-) gets /dev/null in its place,
 * or the next file opened would take its number and receive the output. */
static gboolean
reserve_if_closed (int fd)
{
  int null;

  if (fcntl (fd, F_GETFD) != -1 || errno != EBADF)
    return FALSE;
  null = open ("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
  if (null >= 0 && null != fd)
    {
      dup2 (null, fd);
      close (null);
    }
  return TRUE;
}

/* Before anything is printed or opened. */
void
output_init (void)
{
  FILE *files[] = { stdout, stderr };

  reserve_if_closed (STDIN_FILENO);
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      Output *o = &outputs[i];

      o->file = files[i];
      o->fd = fileno (files[i]);
      o->closed = reserve_if_closed (o->fd);
      o->terminal = !o->closed && isatty (o->fd);
    }
  /* A reader that went away (| head -1) is a failed write to handle, not a
   * signal that kills the command halfway. */
  signal (SIGPIPE, SIG_IGN);
  g_set_print_handler (print_to_stdout);
  g_set_printerr_handler (print_to_stderr);
  g_log_set_writer_func (write_log, NULL, NULL);
}

/* What was held for a next write that never came. */
static void
flush_pending (Output *o)
{
  g_autoptr(GString) out = g_string_new (NULL);
  char held[sizeof o->pending];
  gsize n = o->n_pending;

  if (n == 0)
    return;
  memcpy (held, o->pending, n);
  escape_into (out, o, held, n, TRUE);
  put (o, out->str, out->len);
}

/**
 * output_finish:
 * @exit_code: what the command returned
 *
 * Ends the output. A failed write to standard output is one line and
 * %EXIT_OUTPUT, unless the command already failed and said why; a reader
 * that went away (EPIPE) is %EXIT_OUTPUT without a line.
 *
 * Returns: the exit code
 */
int
output_finish (int exit_code)
{
  Output *out = &outputs[OUTPUT_STDOUT];

  flush_pending (out);
  flush_pending (&outputs[OUTPUT_STDERR]);
  errno = 0;
  if (out->error == 0 && (fflush (stdout) != 0 || ferror (stdout)))
    out->error = errno != 0 ? errno : EIO;
  if (out->error == 0 || (exit_code != 0 && exit_code != EXIT_OUTPUT))
    return exit_code;
  if (out->error != EPIPE)
    g_printerr (_("hearth-cli: Cannot write the output: %s. Check where standard output goes, "
                  "then try again.\n"), g_strerror (out->error));
  return EXIT_OUTPUT;
}

/* The first failure of standard output, so that a command can stop early. */
gboolean
output_failed (void)
{
  return outputs[OUTPUT_STDOUT].error != 0;
}
