/* hearth-tune-private.h — what the tuner, its search and the stored runs share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hearth-tuner.h"

G_BEGIN_DECLS

/* Two figures closer than this are the same speed: measurements on a busy
 * machine move by a few per cent from one run to the next. */
#define HEARTH_TUNE_NOISE 0.03

HearthTuneTrial  *_hearth_tune_trial_new               (void);
HearthTuneResult *_hearth_tune_result_new              (void);
const char       *_hearth_tune_trial_state_to_string   (HearthTuneTrialState state);
HearthTuneTrialState _hearth_tune_trial_state_from_string (const char       *state);

/* Only these keys are searched (a bit per HearthRunOptionKey): those the
 * server takes. All by default. */
void              _hearth_tune_search_allow_keys       (HearthTuneSearch       *search,
                                                        guint64                 keys);
/* Every trial so far, the skipped ones included (borrowed). */
GPtrArray        *_hearth_tune_search_get_trials       (HearthTuneSearch       *search);
/* Whether @a is better than @b under the tuner's rules (NULL @b: any
 * measured @a is): faster decoding first, a spilling setting only when more
 * than HEARTH_TUNE_SPILL_TOLERANCE faster, prompt speed breaking ties. */
gboolean          _hearth_tune_trial_better            (const HearthTuneTrial  *a,
                                                        const HearthTuneTrial  *b);

G_END_DECLS
