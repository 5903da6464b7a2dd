/* hearth-test-stream.h — what a stream parser delivered, recorded the same
 * way by the stream parser's tests and its fuzz targets
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-stream-parser.h"

G_BEGIN_DECLS

typedef struct
{
  GString             *content;
  GString             *thinking;
  guint                n_deltas;
  guint                n_done;
  HearthServerFigures  figures;
  GError              *error;
} HearthTestStream;

/* Deltas are never empty, and none comes after the end; the end comes once. */
extern const HearthStreamCallbacks hearth_test_stream_callbacks;

void              hearth_test_stream_init                 (HearthTestStream          *stream);
void              hearth_test_stream_clear                (HearthTestStream          *stream);
HearthTestStream *hearth_test_stream_new                  (void);
void              hearth_test_stream_free                 (HearthTestStream          *stream);
void              hearth_test_stream_assert_figures_equal (const HearthServerFigures *a,
                                                           const HearthServerFigures *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthTestStream, hearth_test_stream_free)

G_END_DECLS
