/* loop.c: the one event loop of lbdns-probe: epoll for descriptors, a
 * binary heap for timers.
 *
 * Callbacks often remove other watches (curl drops a socket, getdns clears
 * an event). epoll may already have returned events for those, so the loop
 * keeps an owner table per descriptor and drops events whose io is gone;
 * memory holding an io is freed only after the batch (loop_defer_free). */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define LOOP_BATCH 256

struct loop {
	int epfd;
	struct loop_io **owner;     /* by fd: the io registered for it */
	size_t nowner;
	struct loop_timer **heap;
	size_t nheap, capheap;
	void **grave;               /* freed after the current batch */
	size_t ngrave, capgrave;
};

uint64_t loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct loop *loop_create(void)
{
	struct loop *l = xcalloc(1, sizeof *l);

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static void loop_bury(struct loop *l)
{
	for (size_t i = 0; i < l->ngrave; i++)
		free(l->grave[i]);
	l->ngrave = 0;
}

void loop_destroy(struct loop *l)
{
	if (l == NULL)
		return;
	loop_bury(l);
	close(l->epfd);
	free(l->owner);
	free(l->heap);
	free(l->grave);
	free(l);
}

int loop_io_set(struct loop *l, struct loop_io *io)
{
	struct epoll_event ev;
	size_t fd = (size_t)io->fd;
	int op = io->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (io->fd < 0)
		return -EBADF;
	if (fd >= l->nowner) {
		size_t n = fd + 64;
		l->owner = xrealloc_n(l->owner, n, sizeof *l->owner);
		memset(l->owner + l->nowner, 0, (n - l->nowner) * sizeof *l->owner);
		l->nowner = n;
	}
	memset(&ev, 0, sizeof ev);
	ev.events = io->want;
	ev.data.ptr = io;
	if (epoll_ctl(l->epfd, op, io->fd, &ev) < 0) {
		/* The descriptor was closed and its number reused before the
		 * old watch was removed: the kernel dropped that watch. */
		int e = errno;
		if (e == EEXIST)
			op = EPOLL_CTL_MOD;
		else if (e == ENOENT)
			op = EPOLL_CTL_ADD;
		else
			return -e;
		if (epoll_ctl(l->epfd, op, io->fd, &ev) < 0)
			return -errno;
	}
	io->added = true;
	l->owner[fd] = io;
	return 0;
}

void loop_io_del(struct loop *l, struct loop_io *io)
{
	size_t fd = (size_t)io->fd;

	if (!io->added)
		return;
	io->added = false;
	/* Only the owner may remove the watch: when the number was reused,
	 * it belongs to somebody else now. */
	if (io->fd >= 0 && fd < l->nowner && l->owner[fd] == io) {
		l->owner[fd] = NULL;
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	}
}

void loop_defer_free(struct loop *l, void *p)
{
	if (l->ngrave == l->capgrave) {
		l->capgrave = l->capgrave ? 2 * l->capgrave : 64;
		l->grave = xrealloc_n(l->grave, l->capgrave, sizeof *l->grave);
	}
	l->grave[l->ngrave++] = p;
}

/* ---- timers: a min-heap on `when` ---- */

void loop_timer_init(struct loop_timer *t, loop_timer_fn *fn, void *arg)
{
	t->when = 0;
	t->slot = SIZE_MAX;
	t->fn = fn;
	t->arg = arg;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->slot != SIZE_MAX;
}

static void heap_place(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->slot = i;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent]->when <= t->when)
			break;
		heap_place(l, i, l->heap[parent]);
		i = parent;
	}
	heap_place(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (t->when <= l->heap[c]->when)
			break;
		heap_place(l, i, l->heap[c]);
		i = c;
	}
	heap_place(l, i, t);
}

void loop_timer_clear(struct loop *l, struct loop_timer *t)
{
	size_t i = t->slot;

	if (i == SIZE_MAX)
		return;
	t->slot = SIZE_MAX;
	l->nheap--;
	if (i == l->nheap)
		return;
	heap_place(l, i, l->heap[l->nheap]);
	if (i > 0 && l->heap[i]->when < l->heap[(i - 1) / 2]->when)
		heap_up(l, i);
	else
		heap_down(l, i);
}

void loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t when)
{
	loop_timer_clear(l, t);
	if (l->nheap == l->capheap) {
		l->capheap = l->capheap ? 2 * l->capheap : 256;
		l->heap = xrealloc_n(l->heap, l->capheap, sizeof *l->heap);
	}
	t->when = when;
	heap_place(l, l->nheap++, t);
	heap_up(l, t->slot);
}

static int wait_ms(const struct loop *l, uint64_t deadline)
{
	uint64_t now, until = deadline;

	if (l->nheap > 0 && l->heap[0]->when < until)
		until = l->heap[0]->when;
	if (until == UINT64_MAX)
		return -1;
	now = loop_now();
	if (until <= now)
		return 0;
	/* round up: waking a little early would just spin */
	uint64_t ms = (until - now + 999999) / 1000000;
	return ms > 60000 ? 60000 : (int)ms;
}

static void fire_timers(struct loop *l)
{
	uint64_t now = loop_now();

	while (l->nheap > 0 && l->heap[0]->when <= now) {
		struct loop_timer *t = l->heap[0];
		loop_timer_clear(l, t);
		t->fn(t);
	}
}

int loop_run_once(struct loop *l, uint64_t deadline)
{
	struct epoll_event evs[LOOP_BATCH];
	int n = epoll_wait(l->epfd, evs, LOOP_BATCH, deadline == 0 ? 0 : wait_ms(l, deadline));

	if (n < 0 && errno != EINTR)
		return -errno;
	for (int i = 0; i < n; i++) {
		struct loop_io *io = evs[i].data.ptr;
		size_t fd = (size_t)io->fd;
		/* dropped meanwhile, or the fd now belongs to another io */
		if (!io->added || fd >= l->nowner || l->owner[fd] != io)
			continue;
		io->fn(io, evs[i].events);
	}
	loop_bury(l);
	fire_timers(l);
	loop_bury(l);
	return 0;
}
