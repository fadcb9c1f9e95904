/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "handoff.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE	(1U << 1)
#endif

static int	handoff_slot(struct handoff *);
static int	handoff_unshare(unsigned int);
static void	handoff_put_back(struct handoff *, unsigned int);

/* The lowest free descriptor, taken by a placeholder. */
static int
handoff_slot(struct handoff *h)
{
	return fcntl(h->null, F_DUPFD_CLOEXEC, 0);
}

/* A table of the descriptors below first only (Linux 5.9). */
static int
handoff_unshare(unsigned int first)
{
#ifdef SYS_close_range
	return (int)syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_UNSHARE);
#else
	(void)first;
	errno = ENOSYS;
	return -1;
#endif
}

int
handoff_init(struct handoff *h)
{
	unsigned int	k;
	void		*p;

	memset(h, 0, sizeof(*h));
	h->efd = h->null = h->errslot = -1;
	for (k = 0; k < HANDOFF_SETS; k++)
		h->set[k].sock = h->set[k].rep = -1;
	if ((h->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    (h->null = open(_PATH_DEVNULL, O_RDWR | O_CLOEXEC)) == -1 ||
	    (h->errslot = handoff_slot(h)) == -1)
		goto fail;
	for (k = 0; k < HANDOFF_SETS; k++) {
		if ((h->set[k].sock = handoff_slot(h)) == -1 ||
		    (h->set[k].rep = handoff_slot(h)) == -1)
			goto fail;
	}
	p = mmap(NULL, HANDOFF_SETS * sizeof(*h->ack), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		goto fail;
	h->ack = p;
	return 0;
fail:
	handoff_free(h);
	return -1;
}

void
handoff_free(struct handoff *h)
{
	unsigned int	k;

	for (k = 0; k < HANDOFF_SETS; k++) {
		if (h->set[k].sock != -1)
			close(h->set[k].sock);
		if (h->set[k].rep != -1)
			close(h->set[k].rep);
		h->set[k].sock = h->set[k].rep = -1;
		h->set[k].busy = 0;
	}
	if (h->errslot != -1)
		close(h->errslot);
	if (h->null != -1)
		close(h->null);
	if (h->efd != -1)
		close(h->efd);
	if (h->ack != NULL)
		munmap(h->ack, HANDOFF_SETS * sizeof(*h->ack));
	h->efd = h->null = h->errslot = -1;
	h->ack = NULL;
	h->busy = 0;
}

int
handoff_errw(struct handoff *h, int errw)
{
	if (h->ack == NULL || errw == -1)
		return -1;
	if (dup3(errw, h->errslot, O_CLOEXEC) == -1) {
		h->errslot = -1;
		return -1;
	}
	h->haserr = 1;
	return 0;
}

pid_t
handoff_fork(struct handoff *h, int *fd, int *report, int *errw)
{
	unsigned int	 i, k;
	uint32_t	 gen;
	pid_t		 pid;
	int		 first, rep = *report != -1, e;

	if (h->ack == NULL || (*errw != -1 && !h->haserr))
		return -1;
	if (h->busy == HANDOFF_SETS)
		handoff_release(h);
	if (h->busy == HANDOFF_SETS)
		return -1;
	for (i = 0; i < HANDOFF_SETS; i++) {
		k = (h->next + i) % HANDOFF_SETS;
		if (!h->set[k].busy)
			break;
	}
	h->set[k].report = rep;
	if (dup3(*fd, h->set[k].sock, O_CLOEXEC) == -1 ||
	    (rep && dup3(*report, h->set[k].rep, O_CLOEXEC) == -1)) {
		handoff_put_back(h, k);
		return -1;
	}
	gen = ++h->set[k].gen;
	first = h->set[k].sock;
	if (rep && h->set[k].rep > first)
		first = h->set[k].rep;
	if (*errw != -1 && h->errslot > first)
		first = h->errslot;
	if (h->efd > first)
		first = h->efd;
	first++;

	if ((pid = child_clone(CLONE_FILES)) == 0) {
		/*
		 * Nothing but this until the table is the child's own: the
		 * master goes on using it meanwhile.
		 */
		if (handoff_unshare((unsigned int)first) == -1 &&
		    unshare(CLONE_FILES) == -1)
			_exit(CHILD_SETUP_FAILED);
		__atomic_store_n(&h->ack[k], gen, __ATOMIC_RELEASE);
		(void)eventfd_write(h->efd, 1);
		/* No handler can then tell the master a slot is free. */
		(void)munmap(h->ack, HANDOFF_SETS * sizeof(*h->ack));
		*fd = h->set[k].sock;
		*report = rep ? h->set[k].rep : -1;
		if (*errw != -1)
			*errw = h->errslot;
		return 0;
	}
	if (pid == -1) {
		e = errno;
		handoff_put_back(h, k);
		errno = e;
		return -2;
	}
	h->set[k].busy = 1;
	h->set[k].pid = pid;
	h->busy++;
	h->next = (k + 1) % HANDOFF_SETS;
	return pid;
}

/* The placeholder back in set k's slots: the master's hold is gone. */
static void
handoff_put_back(struct handoff *h, unsigned int k)
{
	(void)dup3(h->null, h->set[k].sock, O_CLOEXEC);
	if (h->set[k].report)
		(void)dup3(h->null, h->set[k].rep, O_CLOEXEC);
	if (h->set[k].busy) {
		h->set[k].busy = 0;
		h->busy--;
	}
}

void
handoff_release(struct handoff *h)
{
	eventfd_t	n;
	unsigned int	k;

	if (h->ack == NULL)
		return;
	(void)eventfd_read(h->efd, &n);
	for (k = 0; k < HANDOFF_SETS && h->busy > 0; k++)
		if (h->set[k].busy && __atomic_load_n(&h->ack[k],
		    __ATOMIC_ACQUIRE) == h->set[k].gen)
			handoff_put_back(h, k);
}

void
handoff_exited(struct handoff *h, pid_t pid)
{
	unsigned int	k;

	for (k = 0; k < HANDOFF_SETS && h->busy > 0; k++)
		if (h->set[k].busy && h->set[k].pid == pid)
			handoff_put_back(h, k);
}
