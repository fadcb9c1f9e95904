/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdint.h>
#include <time.h>

#include "clock.h"

uint64_t
clock_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
