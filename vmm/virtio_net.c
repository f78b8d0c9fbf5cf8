#include "virtio_net.h"

#include "../common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int virtio_net_parse(const char *arg, int *fd, uint8_t mac[6], bool *has_mac)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (end == arg || errno || v < 0 || v > 65535 || (*end && *end != ','))
		return err_set(0, "invalid --net-fd '%s': expected FD[,mac=XX:XX:XX:XX:XX:XX]",
			       arg);
	*fd = (int)v;
	*has_mac = false;
	if (!*end)
		return 0;
	unsigned m[6];
	int used = 0;
	if (sscanf(end, ",mac=%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &used) != 6 ||
	    end[used] || strlen(end) != strlen(",mac=") + 17)
		return err_set(0, "invalid --net-fd '%s': expected FD[,mac=XX:XX:XX:XX:XX:XX]",
			       arg);
	/* The least significant bit of the first byte makes an address multicast: no NIC has
	 * one as its own, and Linux refuses it. */
	if (m[0] & 1)
		return err_set(0, "invalid --net-fd '%s': the MAC address is a multicast one", arg);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	*has_mac = true;
	return 0;
}

int virtio_net_open(struct virtio_net *n, int fd, const uint8_t mac[6])
{
	memset(n, 0, sizeof(*n));
	n->tap = n->wake = -1;
	memcpy(n->mac, mac, 6);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(errno, "--net-fd %d", fd);
	struct ifreq ifr = {0};
	if (!S_ISCHR(st.st_mode) || ioctl(fd, TUNGETIFF, &ifr) < 0)
		return err_set(0, "--net-fd %d is not a tap device (open /dev/net/tun, TUNSETIFF)",
			       fd);
	if (!(ifr.ifr_flags & IFF_TAP))
		return err_set(0,
			       "--net-fd %d is the tun device %s (IP packets), not a tap "
			       "(Ethernet frames)",
			       fd, ifr.ifr_name);
	if (!(ifr.ifr_flags & IFF_NO_PI))
		return err_set(0,
			       "--net-fd %d: the tap %s adds packet information (open it with "
			       "IFF_NO_PI)",
			       fd, ifr.ifr_name);
	n->tap_vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
	int hdr = VIRTIO_NET_HDR_BYTES;
	if (n->tap_vnet_hdr && ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return err_set(errno, "--net-fd %d: cannot set the tap's header size", fd);
	/* No offload: the host's stack hands the tap only whole, checksummed frames, which is
	 * all a guest that was offered no offload can take. */
	if (ioctl(fd, TUNSETOFFLOAD, 0) < 0)
		return err_set(errno, "--net-fd %d: cannot turn the tap's offloads off", fd);
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return err_set(errno, "--net-fd %d", fd);
	n->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->wake < 0)
		return err_set(errno, "cannot create an eventfd");
	n->tap = fd;
	return 0;
}

uint64_t virtio_net_features(const struct virtio_net *n)
{
	(void)n;
	return 1ULL << VIRTIO_NET_F_MAC;
}

/* The config space (5.1.4): the MAC at 0; no status, no queue pairs, no MTU offered. */
static void net_config_read(void *dev, uint64_t offset, uint8_t *data, uint32_t len)
{
	const struct virtio_net *n = dev;
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < sizeof(n->mac) ? n->mac[offset + i] : 0;
}

/* The chain's buffers as an iovec, the first `skip` bytes left out. Returns the count. */
static int chain_iov(const struct guest_mem *m, const struct virtq_chain *c, uint32_t skip,
		     struct iovec *iov)
{
	int k = 0;
	for (int i = 0; i < c->n; i++) {
		uint32_t len = c->buf[i].len, off = skip < len ? skip : len;
		skip -= off;
		if (len - off)
			iov[k++] = (struct iovec){guest_ptr(m, c->buf[i].addr + off, len - off),
						  len - off};
	}
	return k;
}

/* Transmit: every chain the guest made available on queue 1, to the tap. */
static int net_tx(struct virtio_net *n, struct virtio_mmio *t, struct virtq *q)
{
	struct virtq_chain *c = &n->tx_chain;
	static struct iovec iov[VIRTQ_MAX_SIZE + 1];
	int r;
	while ((r = virtq_pop(q, &t->mem, c)) == 1) {
		uint64_t total = 0;
		for (int i = 0; i < c->n; i++)
			total += c->buf[i].len;
		if (c->n_read != c->n || total < VIRTIO_NET_HDR_BYTES)
			return err_set(0,
				       "a frame to send is not a %u-byte header and data, all "
				       "device-readable",
				       VIRTIO_NET_HDR_BYTES);
		/* Our own, zeroed header where the tap wants one: not the guest's. */
		uint8_t hdr[VIRTIO_NET_HDR_BYTES] = {0};
		int k = 0;
		if (n->tap_vnet_hdr)
			iov[k++] = (struct iovec){hdr, sizeof(hdr)};
		k += chain_iov(&t->mem, c, VIRTIO_NET_HDR_BYTES, iov + k);
		ssize_t w;
		do
			w = writev(n->tap, iov, k);
		while (w < 0 && errno == EINTR);
		if (w < 0) {
			n->tx_dropped++; /* a frame the tap refused (too long, the link down) */
		} else {
			n->tx_frames++;
			n->tx_bytes += total - VIRTIO_NET_HDR_BYTES;
		}
		virtio_mmio_used(t, q, c->head, 0);
	}
	return r;
}

/* Receive: frames from the tap into the guest's chains, while there are both. Returns 1 when
 * the guest has no chain for the next frame (stop polling the tap until it gives some), 0
 * when the tap is empty, or a negative errno when the guest broke a rule. */
static int net_rx(struct virtio_net *n, struct virtio_mmio *t, struct virtq *q)
{
	struct virtq_chain *c = &n->rx_chain;
	static struct iovec iov[VIRTQ_MAX_SIZE];
	for (;;) {
		if (!virtio_mmio_live(t, q))
			return 1;
		int r = virtq_pop(q, &t->mem, c);
		if (r <= 0)
			return r < 0 ? r : 1;
		uint64_t total = 0;
		for (int i = 0; i < c->n; i++)
			total += c->buf[i].len;
		if (c->n_read || total < VIRTIO_NET_HDR_BYTES)
			return err_set(0,
				       "a receive buffer is not at least %u bytes, all "
				       "device-writable",
				       VIRTIO_NET_HDR_BYTES);
		/* A tap with a header of its own writes it where ours goes; ours then replaces
		 * it. */
		int k = chain_iov(&t->mem, c, n->tap_vnet_hdr ? 0 : VIRTIO_NET_HDR_BYTES, iov);
		ssize_t got;
		do
			got = readv(n->tap, iov, k);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			/* Nothing to receive (or a tap that fails: wait for the guest's next kick
			 * rather than spin on it); the chain stays the guest's. */
			q->last_avail--;
			return errno == EAGAIN ? 0 : 1;
		}
		uint64_t len = (uint64_t)got + (n->tap_vnet_hdr ? 0 : VIRTIO_NET_HDR_BYTES);
		if (len > total)
			len = total; /* a frame larger than the buffers: cut */
		/* virtio_net_hdr_v1: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset
		 * all 0, num_buffers 1 (one chain per frame without mergeable buffers). */
		uint8_t hdr[VIRTIO_NET_HDR_BYTES] = {[10] = 1};
		for (int i = 0, off = 0; i < c->n && off < VIRTIO_NET_HDR_BYTES; i++) {
			uint32_t part = c->buf[i].len < (uint32_t)(VIRTIO_NET_HDR_BYTES - off)
					    ? c->buf[i].len
					    : (uint32_t)(VIRTIO_NET_HDR_BYTES - off);
			memcpy(guest_ptr(&t->mem, c->buf[i].addr, part), hdr + off, part);
			off += (int)part;
		}
		n->rx_frames++;
		n->rx_bytes += len - VIRTIO_NET_HDR_BYTES;
		virtio_mmio_used(t, q, c->head, (uint32_t)len);
	}
}

static void *rx_thread(void *arg)
{
	struct virtio_net *n = arg;
	struct virtio_mmio *t = n->t;
	bool starved = true; /* no receive chain: wait for the guest, not for the tap */
	for (;;) {
		struct pollfd p[2] = {{.fd = n->wake, .events = POLLIN},
				      {.fd = n->tap, .events = POLLIN}};
		if (poll(p, starved ? 1 : 2, -1) < 0 && errno != EINTR)
			return NULL;
		uint64_t v;
		if (p[0].revents & POLLIN && read(n->wake, &v, sizeof(v)) < 0)
			continue;
		pthread_mutex_lock(&t->lock);
		int r = net_rx(n, t, &t->vq[VIRTIO_NET_RXQ]);
		starved = r != 0;
		virtio_mmio_complete(t, VIRTIO_NET_RXQ, r < 0 ? r : 0);
		pthread_mutex_unlock(&t->lock);
	}
}

int virtio_net_start(struct virtio_net *n, struct virtio_mmio *t)
{
	n->t = t;
	int r = pthread_create(&n->rx_thread, NULL, rx_thread, n);
	if (r)
		return err_set(r, "cannot start the network's receive thread");
	pthread_detach(n->rx_thread);
	return 0;
}

/* A kick: queue 1 has frames to send; queue 0 has new receive buffers, for the receive
 * thread (which takes the lock this kick holds as soon as it is released). */
static int net_notify(void *dev, struct virtio_mmio *t, struct virtq *q)
{
	struct virtio_net *n = dev;
	if (q == &t->vq[VIRTIO_NET_TXQ])
		return net_tx(n, t, q);
	uint64_t one = 1;
	if (write(n->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return err_set(errno, "cannot wake the receive thread");
	return 0;
}

const struct virtio_device_ops virtio_net_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .num_queues = 2,
    .queue_max = VIRTIO_NET_QUEUE_MAX,
    .config_read = net_config_read,
    .notify = net_notify,
};
