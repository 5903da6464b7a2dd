/* hearth-fuzz.h — what every libFuzzer target in tests/fuzz shares
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* libFuzzer's entry points, declared for -Werror=missing-prototypes. */
int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

static inline GLogWriterOutput
hearth_fuzz_log_writer (GLogLevelFlags   log_level,
                        const GLogField *fields,
                        gsize            n_fields,
                        gpointer         user_data)
{
  GLogWriterOutput output = g_log_writer_default (log_level, fields, n_fields, user_data);

  /* GLib stops a fatal message with SIGTRAP, which libFuzzer does not catch;
   * SIGABRT it does, and it keeps the input. */
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return output;
}

/* A critical or a warning is a bug that input from outside must never reach:
 * it aborts, and libFuzzer keeps the input as a crash. */
static inline void
hearth_fuzz_init (void)
{
  g_log_set_writer_func (hearth_fuzz_log_writer, NULL, NULL);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
}

/* @data as a NUL-terminated string (embedded NULs stay: callers that take a
 * length see them, callers that take a C string stop there). */
static inline char *
hearth_fuzz_strndup (const uint8_t *data,
                     size_t         size)
{
  char *text = g_malloc (size + 1);

  if (size > 0)
    memcpy (text, data, size);
  text[size] = '\0';
  return text;
}

G_END_DECLS
