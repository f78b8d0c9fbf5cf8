/* The container's root file system: by default an overlay whose lower layer is ROOTFS and
 * whose upper layer is a tmpfs of the container's own, so that nothing a container writes
 * (a setuid file, a volume's mount point) reaches the ROOTFS the next container and the VM's
 * initramfs are made from, and nothing is left to clean up: the tmpfs lives in the
 * container's mount namespace and goes with it, whatever kills the runtime. */
#ifndef SHIKUMI_OVERLAY_H
#define SHIKUMI_OVERLAY_H

#include <stdbool.h>
#include <sys/stat.h>

struct overlay_spec {
	const char *rootfs;	   /* the path validation resolved */
	const struct stat *expect; /* what it found there */
	int idmapped;		   /* the runtime's idmapped copy of ROOTFS, or -1 */
	bool persist;		   /* write ROOTFS itself: no overlay */
	bool nodev;		   /* device nodes in ROOTFS open nothing */
};

/* In the child's private mount namespace: makes the container's root and returns an fd of its
 * mount (attached, ready for pivot_root), or a negative errno with a message. */
int overlay_make_root(const struct overlay_spec *s);

#endif
