/* virtio-net (virtio 1.x, section 5.1): the guest's eth0, backed by a tap device the caller
 * opened and handed over as a file descriptor (`--net-fd FD`), as Firecracker takes a tap: the
 * VMM itself needs no privilege to make network devices, and where the tap is plugged (a
 * bridge, here the containers' one) is the caller's business.
 *
 * Two queues: receive (0) and transmit (1). Only VIRTIO_NET_F_MAC is offered (besides
 * VERSION_1): no checksum or segmentation offload, no mergeable buffers, one queue pair. So
 * every frame is a whole Ethernet frame of at most the MTU, behind the 12-byte virtio_net_hdr
 * that version 1 always puts first, which for us carries nothing (flags 0, no GSO,
 * num_buffers 1).
 *
 *   transmit: the guest kicks queue 1; on the vCPU's thread the VMM takes each chain (only
 *     device-readable buffers), drops the header and writev()s the frame to the tap. A tap
 *     write never blocks (the kernel queues or drops), so the vCPU waits for nothing.
 *   receive: frames arrive when the guest is not looking, so a thread of the device's own
 *     poll()s the tap and an eventfd. With a receive chain available it readv()s the frame
 *     straight into the guest's buffers (no copy through the VMM), writes the header, returns
 *     the chain and pulses the interrupt (KVM_IRQ_LINE, through virtio_mmio). Without a chain
 *     it stops polling the tap (frames wait in the tap's queue, or the kernel drops them, as
 *     a full NIC ring would) and waits on the eventfd, which the guest's next kick of queue 0
 *     (new receive buffers) signals. A thread rather than the vCPU's run loop: the vCPU sits
 *     in KVM_RUN while the guest idles, and nothing would read the tap then.
 * Both sides take the transport's lock, so the guest's register writes (a reset, a queue
 * being set up) never race the receive thread.
 *
 * A tap opened with IFF_VNET_HDR works too: its own header is set to 12 bytes
 * (TUNSETVNETHDRSZ), every offload is turned off (TUNSETOFFLOAD 0), and the header the guest
 * sees is still ours, never the host's. A header the guest writes is never passed on either:
 * the tap gets a zeroed one, so a guest cannot ask the host's stack for offloads it was never
 * offered. */
#ifndef SHIKUMI_VMM_VIRTIO_NET_H
#define SHIKUMI_VMM_VIRTIO_NET_H

#include "virtio_mmio.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_ID_NET	     1
#define VIRTIO_NET_F_MAC     5
#define VIRTIO_NET_HDR_BYTES 12 /* struct virtio_net_hdr_v1, num_buffers included */
#define VIRTIO_NET_QUEUE_MAX 256
#define VIRTIO_NET_RXQ	     0
#define VIRTIO_NET_TXQ	     1
/* The second slot on the MMIO bus, whether or not there is a disk in the first. */
#define VIRTIO_NET_MMIO_BASE (VIRTIO_MMIO_BASE + VIRTIO_MMIO_SIZE)
#define VIRTIO_NET_MMIO_IRQ  (VIRTIO_MMIO_IRQ + 1)

struct virtio_net {
	int tap;	       /* the tap, non-blocking */
	bool tap_vnet_hdr;     /* it reads and writes a 12-byte header of its own */
	int wake;	       /* eventfd: the guest gave receive buffers */
	uint8_t mac[6];	       /* the guest's */
	struct virtio_mmio *t; /* the transport, once virtio_net_start has run */
	pthread_t rx_thread;
	uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes, tx_dropped; /* for --timing */
	struct virtq_chain tx_chain, rx_chain; /* the chain being handled on each side */
};

extern const struct virtio_device_ops virtio_net_ops;

/* Checks that `fd` is an open tap (not a tun, not anything else), makes it non-blocking and
 * close-on-exec, and sets its header size and offloads. Returns 0, or a negative errno with a
 * one-line message naming the fd. */
int virtio_net_open(struct virtio_net *n, int fd, const uint8_t mac[6]);
/* The device's features for virtio_mmio_init. */
uint64_t virtio_net_features(const struct virtio_net *n);
/* Starts the receive thread, once the transport `t` is set up. */
int virtio_net_start(struct virtio_net *n, struct virtio_mmio *t);

/* Parses "FD[,mac=XX:XX:XX:XX:XX:XX]" (the --net-fd argument). Without a MAC, *has_mac is
 * false. Returns 0, or -EINVAL with a message. */
int virtio_net_parse(const char *arg, int *fd, uint8_t mac[6], bool *has_mac);

#endif
