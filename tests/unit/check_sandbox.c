/* SPDX-License-Identifier: ISC */
/*
 * The system call filters forkd writes itself, as runs of numbers, must
 * decide every call as libseccomp's program for the same names does:
 * both run here, in a small interpreter of classic BPF, for every number
 * of the native architecture and beyond, for another architecture, and
 * for x32's calls.  Then a filter installed in a child, which makes a
 * call it allows and one it refuses.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "check_main.h"

static uint32_t	run(const struct sock_fprog *, uint32_t, uint32_t);
static void	same(const char *const *, size_t, int);
static Suite	*sandbox_suite(void);

/* The instructions both programs use: loads, jumps, returns. */
static uint32_t
run(const struct sock_fprog *prog, uint32_t arch, uint32_t nr)
{
	struct seccomp_data	 d;
	const struct sock_filter *f;
	uint32_t		 a = 0, w;
	size_t			 pc = 0, steps = 0;
	int			 t;

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = (int)nr;
	while (pc < prog->len) {
		ck_assert_uint_lt(steps++, 4096);
		f = &prog->filter[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ck_assert_uint_le(f->k + 4, sizeof(d));
			memcpy(&w, (const char *)&d + f->k, 4);
			a = w;
			pc++;
			continue;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			pc++;
			continue;
		case BPF_JMP | BPF_JA:
			pc += 1 + f->k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			t = a == f->k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			t = a > f->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			t = a >= f->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			t = (a & f->k) != 0;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			ck_abort_msg("instruction 0x%x at %zu", f->code, pc);
		}
		pc += 1 + (t ? f->jt : f->jf);
	}
	ck_abort_msg("ran off the end");
	return 0;
}

static void
same(const char *const *names, size_t n, int errnoact)
{
	struct sock_fprog	ours, theirs;
	uint32_t		nr, arch;

	if (sandbox_program(names, n, errnoact, 1, &ours) == -1)
		return;		/* libseccomp's, on this architecture */
	ck_assert_int_eq(sandbox_program(names, n, errnoact, 0, &theirs), 0);
	memcpy(&arch, &theirs.filter[1].k, sizeof(arch));
	for (nr = 0; nr < 2048; nr++) {
		ck_assert_msg(run(&ours, arch, nr) == run(&theirs, arch, nr),
		    "%s...: call %u: 0x%x, libseccomp 0x%x", names[0], nr,
		    run(&ours, arch, nr), run(&theirs, arch, nr));
		ck_assert_uint_eq(run(&ours, AUDIT_ARCH_I386, nr),
		    run(&theirs, AUDIT_ARCH_I386, nr));
	}
	for (nr = 0x40000000; nr < 0x40000000 + 600; nr++)
		ck_assert_uint_eq(run(&ours, arch, nr), run(&theirs, arch, nr));
	ck_assert_uint_eq(run(&ours, arch, UINT32_MAX),
	    run(&theirs, arch, UINT32_MAX));
	free(ours.filter);
	free(theirs.filter);
}

START_TEST(as_libseccomp)
{
	static const char *const service[] = { "@system-service" };
	static const char *const hardened[] = { "@system-service",
	    "~@privileged", "~@resources" };
	static const char *const few[] = { "read", "write", "exit_group" };
	static const char *const deny[] = { "~socket", "~@mount" };
	static const char *const known[] = { "@known", "~@obsolete" };
	static const char *const mixed[] = { "~@network-io", "socket" };

	same(service, 1, 0);
	same(hardened, 3, 0);
	same(few, 3, 0);
	same(deny, 2, 0);
	same(deny, 2, 1);
	same(known, 2, 1);
	same(mixed, 2, 0);
}
END_TEST

/* A child under @system-service ~socket: getpid works, socket kills. */
START_TEST(installed)
{
	static const char *const names[] = { "@system-service", "~socket" };
	struct sock_fprog	prog;
	pid_t			pid;
	int			status;

	ck_assert_int_eq(sandbox_program(names, 2, 0, 1, &prog) == 0 ||
	    sandbox_program(names, 2, 0, 0, &prog) == 0, 1);
	if ((pid = fork()) == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		    &prog) == -1)
			_exit(2);
		if (getpid() <= 0)
			_exit(3);
		(void)socket(AF_INET, SOCK_STREAM, 0);
		_exit(4);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	    "status 0x%x", status);
	free(prog.filter);
}
END_TEST

static Suite *
sandbox_suite(void)
{
	Suite	*s = suite_create("sandbox");
	TCase	*tc = tcase_create("filters");

	tcase_add_test(tc, as_libseccomp);
	tcase_add_test(tc, installed);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sandbox_suite)
