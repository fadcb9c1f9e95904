/* SPDX-License-Identifier: ISC */
/*
 * The master's clock: monotonic milliseconds, for deadlines, pauses and
 * ages.  Never the time of day.
 */

#ifndef FORKD_CLOCK_H
#define FORKD_CLOCK_H

#include <stdint.h>

uint64_t	clock_ms(void);

#endif /* FORKD_CLOCK_H */
