/* SPDX-License-Identifier: ISC */
/*
 * Test helper: rtign COMMAND [ARG...] runs COMMAND with signals 32 and
 * 33 ignored, as a process that glibc's posix_spawn(3) started has them
 * (GNU make starts its jobs so).  glibc keeps the two for itself and its
 * sigaction(3) refuses them: they are set through the system call, with
 * a kernel sigaction whose handler is SIG_IGN.
 */

#include <sys/syscall.h>

#include <err.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	unsigned long	act[8];
	int		sig;

	if (argc < 2)
		errx(64, "usage: rtign command [arg ...]");
	/* The handler comes first in the kernel's sigaction but on MIPS. */
	memset(act, 0, sizeof(act));
	act[0] = (unsigned long)SIG_IGN;
	for (sig = __SIGRTMIN; sig < SIGRTMIN; sig++)
		if (syscall(SYS_rt_sigaction, sig, act, NULL, _NSIG / 8) == -1)
			err(1, "signal %d", sig);
	execvp(argv[1], argv + 1);
	err(127, "%s", argv[1]);
}
