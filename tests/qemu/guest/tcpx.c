/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 vnet authors
 *
 * vnet-tcpx: a bulk TCP sender/receiver for the guest tier (busybox's nc writes 1 KB at a
 * time, so a sender in a TCG guest is often slower than the path and Linux never builds GSO
 * frames; the offload cases need a sender that keeps the socket buffer full).
 *
 *   vnet-tcpx recv PORT OUTFILE       accept one connection, write what arrives to OUTFILE
 *   vnet-tcpx send ADDR PORT INFILE   connect (retrying for 10 s), send INFILE in 256 KB writes
 *
 * Exit 0 on a complete transfer (the receiver saw an orderly close), 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (256 * 1024)

static char buf[CHUNK];

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Copy @p in to @p out until end of file; @p total counts the bytes. @return 0, or -1 with
 * errno set (a read error on @p in, or a write error on @p out: *failed_out says which).
 */
static int
copy_fd(int in, int out, long long *total, int *failed_out)
{
	ssize_t n;

	*failed_out = 0;
	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (write_all(out, buf, (size_t)n) < 0) {
			*failed_out = 1;
			return -1;
		}
		*total += n;
	}
}

static int
do_recv(int port, const char *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, ls, s, fd, wfail;
	long long total = 0;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1) < 0) {
		perror("vnet-tcpx: listen");
		return 1;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(out);
		return 1;
	}
	s = accept(ls, NULL, NULL);
	if (s < 0) {
		perror("vnet-tcpx: accept");
		return 1;
	}
	if (copy_fd(s, fd, &total, &wfail) < 0) {
		perror(wfail ? out : "vnet-tcpx: read");
		return 1;
	}
	fprintf(stderr, "vnet-tcpx: received %lld bytes on port %d\n", total, port);
	return close(fd) < 0;
}

static int
do_send(const char *addr, int port, const char *in)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, s = -1, i, wfail;
	long long total = 0;
	ssize_t n;

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "vnet-tcpx: bad address %s\n", addr);
		return 1;
	}
	fd = open(in, O_RDONLY);
	if (fd < 0) {
		perror(in);
		return 1;
	}
	for (i = 0; i < 100; i++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0) {
			perror("vnet-tcpx: socket");
			return 1;
		}
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(s);
		s = -1;
		usleep(100 * 1000);
	}
	if (s < 0) {
		fprintf(stderr, "vnet-tcpx: cannot connect to %s:%d\n", addr, port);
		return 1;
	}
	if (copy_fd(fd, s, &total, &wfail) < 0) {
		perror(wfail ? "vnet-tcpx: write" : in);
		return 1;
	}
	/* orderly close: the receiver's read returns 0 after the last byte */
	if (shutdown(s, SHUT_WR) < 0) {
		perror("vnet-tcpx: shutdown");
		return 1;
	}
	while ((n = read(s, buf, sizeof(buf))) > 0)
		;
	return close(s) < 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "recv") == 0)
		return do_recv(atoi(argv[2]), argv[3]);
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atoi(argv[3]), argv[4]);
	fprintf(stderr, "usage: vnet-tcpx recv PORT OUTFILE | send ADDR PORT INFILE\n");
	return 2;
}
