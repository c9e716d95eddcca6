/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 */

/*
 * vnet-ring-bench: EAL-free benchmark of the split-ring core. The driver core runs on this
 * thread (cpu 0), the fake virtio device (tests/common/vnet_fake_dev.c) on another (cpu 1).
 * The device sleeps on its kick eventfd whenever the ring is empty, so the kick policy is
 * what is measured: kicks cost a syscall and a wake-up, suppressed kicks cost nothing.
 * A benchmark, not a test: it reports numbers and never fails on them.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnet_ring.h"
#include "vnet_fake_dev.h"

struct mode {
	const char *name;
	bool event_idx;
	uint16_t threshold;
};

static const struct mode all_modes[] = {
	{ "event-idx t=0", true, 0 },
	{ "event-idx t=20", true, 20 },
	{ "event-idx t=64", true, 64 },
	{ "flag", false, 0 },
};

struct result {
	const char *mode;
	double secs;
	uint64_t buffers;	/* completed inside the timed window */
	uint64_t kicks;
	uint64_t suppressed;
	uint64_t final_kicks;	/* unconditional end-of-run kicks (not in kicks) */
	uint64_t tail;		/* buffers completed after the window, thanks to the final kick */
	uint64_t dev_sleeps;
	uint64_t dev_wakeups;
	uint64_t dev_notifies;
	uint64_t missed;
	double mbps;
};

static unsigned int opt_secs = 2, opt_burst = 32, opt_num = 256, opt_gap;
static bool opt_pin = true, opt_progress = true;
static const char *opt_json;

static void
usage(const char *prog)
{
	printf("Usage: %s [-t SECONDS] [-b BURST] [-n RING_SIZE] [-g SPINS] [--json FILE] [--no-pin] [-q]\n"
	       "\n"
	       "Driver side of the vnet split-ring core on one thread against a fake virtio\n"
	       "device on another, for each kick policy:\n"
	       "  event-idx t=0   device sets avail_event = its avail idx when idle (QEMU)\n"
	       "  event-idx t=20  device asks for a kick every 21 buffers\n"
	       "  event-idx t=64  device asks for a kick every 65 buffers\n"
	       "  flag            no event-idx: device sets VRING_USED_F_NO_NOTIFY while busy\n"
	       "\n"
	       "The device SLEEPS on its kick eventfd whenever the ring is empty (it wakes up\n"
	       "only when kicked), so kicks matter: each costs an eventfd write and a wake-up.\n"
	       "The driver polls for used buffers (device notifications disabled; they are\n"
	       "still counted). Buffers are single 64-byte readable descriptors; the device does\n"
	       "not touch the data. Each run ends with one unconditional kick so a device with\n"
	       "a threshold completes its tail; that kick and the tail are reported separately.\n"
	       "\n"
	       "  -t SECONDS    time per mode (default 2)\n"
	       "  -b BURST      buffers added per burst (default 32)\n"
	       "  -n RING_SIZE  queue size, power of two, > 64 (default 256)\n"
	       "  -g SPINS      driver pause (empty loop iterations) after each burst, default 0:\n"
	       "                with 0 the device is the bottleneck and rarely sleeps; a gap\n"
	       "                lets it go idle, which is where the kick policies differ\n"
	       "  --json FILE   also write the results as JSON\n"
	       "  --no-pin      do not pin driver/device threads to cpus 0/1\n"
	       "  -q            no live progress line on stderr\n", prog);
}

static void
pin(pthread_t t, unsigned int cpu)
{
	cpu_set_t set;

	if (!opt_pin || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(t, sizeof(set), &set) != 0)
		fprintf(stderr, "warning: cannot pin to cpu %u\n", cpu);
}

static size_t
round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static int
run_mode(const struct mode *m, struct result *res)
{
	static uint8_t buf[64];
	struct vnet_vring vr;
	struct vnet_vring_layout l;
	struct vnet_fake_dev *d;
	struct vfd_stats st;
	void *ring, *priv;
	void *cookies[256];
	uint64_t sent = 0, done = 0, iter = 0, last_done = 0, last_kicks = 0;
	double t0, t_end, t_next, now, t_last;
	int rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	res->mode = m->name;
	if (vnet_vring_layout(opt_num, 4096, &l) != 0)
		return -EINVAL;
	ring = aligned_alloc(4096, round_up(l.size, 4096));
	priv = aligned_alloc(64, round_up(vnet_vring_priv_size(opt_num), 64));
	d = calloc(1, sizeof(*d));
	if (ring == NULL || priv == NULL || d == NULL)
		goto out_free;
	if (vnet_vring_init(&vr, opt_num, 4096, ring, priv, m->event_idx) != 0 ||
	    vfd_init(d, ring, opt_num, 4096, m->event_idx, m->threshold) != 0) {
		rc = -EINVAL;
		goto out_free;
	}
	d->wait = VFD_WAIT_KICK;
	d->data = VFD_DATA_NONE;
	d->max_batch = opt_burst < VFD_MAX_BATCH ? opt_burst : VFD_MAX_BATCH;
	d->grace_ms = 1000;
	vnet_vring_disable_cb(&vr);

	rc = vfd_start(d);
	if (rc != 0)
		goto out_dev;
	pin(d->thread, 1u);
	pin(pthread_self(), 0u);

	t0 = ut_now();
	t_end = t0 + opt_secs;
	t_next = t0 + 1;
	t_last = t0;
	for (;;) {
		unsigned int n, i;

		n = vnet_vring_get_used(&vr, cookies, NULL, 256);
		done += n;
		for (i = 0; i < opt_burst; i++) {
			if (vnet_vring_add1(&vr, (uintptr_t)buf, sizeof(buf), false, buf) != 0)
				break;
		}
		sent += i;
		if (i > 0) {
			vnet_vring_publish(&vr);
			if (vnet_vring_kick_prepare(&vr))
				vfd_kick(d);
		}
		vnet_vring_poll_cb_keepalive(&vr);
		if (opt_gap != 0) {
			volatile unsigned int spin;

			for (spin = opt_gap; spin > 0; spin--)
				;
		}
		if (n == 0 && i == 0)
			sched_yield();
		if ((++iter & 63) != 0)
			continue;
		now = ut_now();
		if (now >= t_end)
			break;
		if (now >= t_next) {
			if (opt_progress)
				fprintf(stderr, "\r  %-15s %5.1f s  %7.2f Mbuf/s  %6.1f kicks/1k   ",
					m->name, now - t0,
					(double)(done - last_done) / (now - t_last) / 1e6,
					done > last_done ? 1000.0 * (double)(vr.stats.kicks -
						last_kicks) / (double)(done - last_done) : 0.0);
			last_done = done;
			last_kicks = vr.stats.kicks;
			t_last = now;
			t_next += 1;
		}
	}
	res->secs = ut_now() - t0;
	res->buffers = done;
	res->kicks = vr.stats.kicks;
	res->suppressed = vr.stats.kicks_suppressed;

	/* Final unconditional flush: a device with a threshold holds up to t buffers. */
	vfd_kick(d);
	res->final_kicks = 1;
	t0 = ut_now();
	while (done < sent && ut_now() - t0 < 5) {
		unsigned int n = vnet_vring_get_used(&vr, cookies, NULL, 256);

		done += n;
		res->tail += n;
		if (n == 0)
			sched_yield();
	}
	vfd_stop(d);
	vfd_stat(d, &st);
	res->dev_sleeps = st.sleeps;
	res->dev_wakeups = st.wakeups;
	res->dev_notifies = st.notifies;
	res->missed = st.missed_kicks;
	res->mbps = (double)res->buffers / res->secs / 1e6;
	if (opt_progress)
		fprintf(stderr, "\r%70s\r", "");
	if (done != sent || vnet_vring_broken(&vr) || st.errors != 0) {
		fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " buffers completed, broken %d, "
			"device errors %" PRIu64 " %s\n", m->name, done, sent,
			vnet_vring_broken(&vr), st.errors, d->errmsg);
		rc = -EIO;
	}
out_dev:
	vfd_fini(d);
out_free:
	free(d);
	free(ring);
	free(priv);
	return rc;
}

static double
per_k(uint64_t v, uint64_t n)
{
	return n != 0 ? 1000.0 * (double)v / (double)n : 0.0;
}

static void
write_json(const char *path, const struct result *r, unsigned int nr)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (f == NULL) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"bench\": \"vnet-ring-bench\",\n  \"seconds\": %u,\n  \"burst\": %u,\n"
		"  \"ring_size\": %u,\n  \"gap_spins\": %u,\n  \"device_sleeps_when_idle\": true,\n"
		"  \"results\": [\n", opt_secs, opt_burst, opt_num, opt_gap);
	for (i = 0; i < nr; i++)
		fprintf(f, "    {\"mode\": \"%s\", \"mbuf_per_s\": %.3f, \"buffers\": %" PRIu64
			", \"kicks\": %" PRIu64 ", \"kicks_per_1000\": %.2f, \"suppressed\": %" PRIu64
			", \"suppressed_per_1000\": %.2f, \"final_kicks\": %" PRIu64
			", \"tail_buffers\": %" PRIu64 ", \"device_sleeps\": %" PRIu64
			", \"device_wakeups\": %" PRIu64 ", \"device_notifications\": %" PRIu64
			", \"missed_kicks\": %" PRIu64 "}%s\n", r[i].mode, r[i].mbps, r[i].buffers,
			r[i].kicks, per_k(r[i].kicks, r[i].buffers), r[i].suppressed,
			per_k(r[i].suppressed, r[i].buffers), r[i].final_kicks, r[i].tail,
			r[i].dev_sleeps, r[i].dev_wakeups, r[i].dev_notifies, r[i].missed,
			i + 1 < nr ? "," : "");
	fprintf(f, "  ]\n}\n");
	fclose(f);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "no-pin", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct result res[sizeof(all_modes) / sizeof(all_modes[0])];
	unsigned int i, nr = 0;
	int c, fails = 0;

	while ((c = getopt_long(argc, argv, "t:b:n:g:qh", lopts, NULL)) != -1) {
		switch (c) {
		case 't':
			opt_secs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			opt_burst = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			opt_num = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'g':
			opt_gap = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'j':
			opt_json = optarg;
			break;
		case 'P':
			opt_pin = false;
			break;
		case 'q':
			opt_progress = false;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (opt_secs == 0 || opt_burst == 0 || opt_burst > 256 || opt_num <= 64 ||
	    opt_num > VNET_VRING_MAX_SIZE || (opt_num & (opt_num - 1)) != 0) {
		fprintf(stderr, "bad arguments: -t >= 1, -b 1..256, -n power of two in 128..32768 "
			"(larger than the biggest device threshold, 64)\n");
		return 2;
	}

	printf("vnet-ring-bench: ring %u, burst %u, gap %u, %u s per mode, device sleeps when "
	       "idle%s\n", opt_num, opt_burst, opt_gap, opt_secs,
	       opt_pin && sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? ", driver cpu 0, device cpu 1" : "");
	for (i = 0; i < sizeof(all_modes) / sizeof(all_modes[0]); i++) {
		if (run_mode(&all_modes[i], &res[nr]) != 0)
			fails++;
		nr++;
	}

	printf("%-15s %9s %10s %10s %6s %6s %12s %10s %7s\n", "mode", "Mbuf/s", "kicks/1k",
	       "suppr/1k", "final", "tail", "dev-sleep/1k", "dev-notif", "missed");
	for (i = 0; i < nr; i++)
		printf("%-15s %9.2f %10.2f %10.2f %6" PRIu64 " %6" PRIu64 " %12.2f %10" PRIu64
		       " %7" PRIu64 "\n", res[i].mode, res[i].mbps,
		       per_k(res[i].kicks, res[i].buffers), per_k(res[i].suppressed, res[i].buffers),
		       res[i].final_kicks, res[i].tail, per_k(res[i].dev_sleeps, res[i].buffers),
		       res[i].dev_notifies, res[i].missed);
	printf("final = unconditional end-of-run kicks (not in kicks/1k); tail = buffers it "
	       "completed.\n");
	if (opt_json != NULL)
		write_json(opt_json, res, nr);
	return fails != 0;
}
