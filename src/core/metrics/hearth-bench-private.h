/* hearth-bench-private.h — what the benchmark shares with the tuner, which
 * measures its trials the same way
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hearth-types.h"

G_BEGIN_DECLS

/* HEARTH_BENCH_SCALE (test suites only): 0 < scale <= 1, else 1. */
double   _hearth_bench_scale      (void);
/* A reply's prompt speed: the server's figure, else the prompt's tokens
 * over the time to the first token; -1 when neither is known. */
double   _hearth_bench_prompt_tps (const HearthFigures *figures);

/* In a worker: this machine's fingerprint ("CPU · 8 threads · 16 GiB RAM ·
 * GPU"), probed once per process (hearth-bench-hardware.c). */
void     _hearth_bench_fingerprint_thread (GTask        *task,
                                           gpointer      source_object,
                                           gpointer      task_data,
                                           GCancellable *cancellable);

G_END_DECLS
