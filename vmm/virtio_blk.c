#include "virtio_blk.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512

int virtio_blk_open(struct virtio_blk *b, const char *arg, bool ro)
{
	memset(b, 0, sizeof(*b));
	b->ro = ro;
	char path[PATH_MAX]; /* the image's name: arg, or what the fd /dev/fd/N was opened as */
	b->fd = open_arg(arg, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC, path, sizeof(path));
	if (b->fd < 0)
		return err_set(errno, "the disk '%s'", path);
	struct stat st;
	if (fstat(b->fd, &st) < 0)
		return err_set(errno, "the disk '%s'", path);
	if (S_ISDIR(st.st_mode))
		return err_set(0, "the disk '%s' is a directory, not an image file", path);
	if (!S_ISREG(st.st_mode))
		return err_set(0, "the disk '%s' is not a regular file", path);
	if (st.st_size == 0 || st.st_size % SECTOR)
		return err_set(0, "the disk '%s' is %lld bytes, not a non-zero multiple of 512",
			       path, (long long)st.st_size);
	/* Two VMMs writing one file system would each cache it and corrupt it. */
	if (flock(b->fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return err_set(0,
			       "the disk '%s' is in use by another VM (it holds the file's "
			       "lock%s)",
			       path, ro ? " for writing" : ""),
		       errno == EWOULDBLOCK ? -EBUSY : -errno;
	b->sectors = (uint64_t)st.st_size / SECTOR;
	/* The serial the guest sees in /sys/block/vda/serial: the file's name, cut to 20 bytes. */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strnlen(base, sizeof(b->id) - 1);
	memcpy(b->id, base, n);
	b->id[n] = '\0';
	return 0;
}

void virtio_blk_close(struct virtio_blk *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

uint64_t virtio_blk_features(const struct virtio_blk *b)
{
	return 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_FLUSH |
	       (b->ro ? 1ULL << VIRTIO_BLK_F_RO : 0);
}

/* The config space (5.2.4): capacity at 0, seg_max at 12; the rest reads zero. */
static void blk_config_read(void *dev, uint64_t offset, uint8_t *data, uint32_t len)
{
	const struct virtio_blk *b = dev;
	uint8_t cfg[24] = {0};
	uint32_t seg_max = VIRTIO_BLK_QUEUE_MAX - 2; /* a chain also holds header and status */
	memcpy(cfg, &b->sectors, 8);
	memcpy(cfg + 12, &seg_max, 4);
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < sizeof(cfg) ? cfg[offset + i] : 0;
}

static int io_all(int fd, uint8_t *p, uint32_t len, uint64_t off, bool write)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n, len -= (uint32_t)n, off += (uint64_t)n;
	}
	return 0;
}

/* Handles one request; *written counts the bytes put into the guest's writable buffers.
 * Returns the status byte, or a negative errno when the chain is not a request at all (the
 * guest broke the protocol, not just asked for something we refuse). */
static int request(struct virtio_blk *b, const struct guest_mem *m, const struct virtq_chain *c,
		   uint32_t *written)
{
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} hdr;
	const struct virtq_buf *last = &c->buf[c->n - 1];
	if (c->n < 2 || c->buf[0].write || c->buf[0].len < sizeof(hdr) || !last->write ||
	    last->len < 1)
		return err_set(0, "a request without a 16-byte header first and a status byte "
				  "last");
	memcpy(&hdr, guest_ptr(m, c->buf[0].addr, sizeof(hdr)), sizeof(hdr));
	/* The data: everything between the header and the status byte. */
	uint64_t off = hdr.sector * SECTOR;
	bool in = hdr.type == VIRTIO_BLK_T_IN, out = hdr.type == VIRTIO_BLK_T_OUT;
	if (in || out) {
		if (out && b->ro)
			return VIRTIO_BLK_S_IOERR; /* a read-only disk, whatever the driver thinks
						    */
		if (hdr.sector > b->sectors)
			return VIRTIO_BLK_S_IOERR;
		uint64_t total = 0;
		for (int i = 1; i < c->n; i++) {
			uint32_t len = c->buf[i].len - (i == c->n - 1);
			if (len && c->buf[i].write != in)
				return VIRTIO_BLK_S_IOERR; /* data the wrong way round */
			total += len;
		}
		if (total % SECTOR || total > (b->sectors - hdr.sector) * SECTOR)
			return VIRTIO_BLK_S_IOERR; /* past the end of the disk */
		for (int i = 1; i < c->n; i++) {
			uint32_t len = c->buf[i].len - (i == c->n - 1);
			if (!len)
				continue;
			if (io_all(b->fd, guest_ptr(m, c->buf[i].addr, len), len, off, out) < 0)
				return VIRTIO_BLK_S_IOERR;
			off += len;
			if (in)
				*written += len;
		}
		*(in ? &b->reads : &b->writes) += 1;
		return VIRTIO_BLK_S_OK;
	}
	if (hdr.type == VIRTIO_BLK_T_FLUSH) {
		b->flushes++;
		return b->ro || fdatasync(b->fd) == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	}
	if (hdr.type == VIRTIO_BLK_T_GET_ID) {
		const struct virtq_buf *d = &c->buf[1];
		uint32_t len = d->len - (c->n == 2);
		if (!d->write)
			return VIRTIO_BLK_S_IOERR;
		if (len > VIRTIO_BLK_ID_BYTES)
			len = VIRTIO_BLK_ID_BYTES;
		uint8_t id[VIRTIO_BLK_ID_BYTES] = {0}; /* not NUL-terminated when 20 long */
		memcpy(id, b->id, strlen(b->id));
		memcpy(guest_ptr(m, d->addr, len), id, len);
		*written += len;
		return VIRTIO_BLK_S_OK;
	}
	return VIRTIO_BLK_S_UNSUPP;
}

static int blk_notify(void *dev, struct virtio_mmio *t, struct virtq *q)
{
	struct virtio_blk *b = dev;
	int r;
	while ((r = virtq_pop(q, &t->mem, &b->chain)) == 1) {
		uint32_t written = 0;
		int status = request(b, &t->mem, &b->chain, &written);
		if (status < 0)
			return status;
		if (status != VIRTIO_BLK_S_OK)
			b->errors++;
		const struct virtq_buf *last = &b->chain.buf[b->chain.n - 1];
		*(uint8_t *)guest_ptr(&t->mem, last->addr + last->len - 1, 1) = (uint8_t)status;
		virtio_mmio_used(t, q, b->chain.head, written + 1);
	}
	return r;
}

const struct virtio_device_ops virtio_blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_max = VIRTIO_BLK_QUEUE_MAX,
    .config_read = blk_config_read,
    .notify = blk_notify,
};
