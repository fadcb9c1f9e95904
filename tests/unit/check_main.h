/* SPDX-License-Identifier: ISC */
/*
 * The main() of every Check suite: run the suite the file defines, exit
 * 0 when every test passed.
 */

#ifndef FORKD_CHECK_MAIN_H
#define FORKD_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(suite)						\
int									\
main(void)								\
{									\
	SRunner	*sr;							\
	int	 failed;						\
									\
	sr = srunner_create(suite());					\
	srunner_run_all(sr, CK_NORMAL);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;		\
}
#endif /* FORKD_CHECK_MAIN_H */
