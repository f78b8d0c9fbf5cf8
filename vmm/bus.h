/* The device bus: the VMM's address map. A device claims a range of I/O ports or of guest
 * physical addresses (MMIO) with one callback; the run loop hands every port or MMIO exit to
 * bus_access and knows no device by name. One bus per address space (vm.c has two).
 *
 * Ranges never overlap (bus_register refuses), so an access belongs to one device or to
 * none. An access to no device is counted, reads as all ones (what a PC's floating bus
 * gives), and a write to it is dropped: a guest probing for hardware it does not have must
 * find nothing there, not stop the VM.
 *
 * Several vCPU threads exit at once: bus_access runs a device's callback under that device's
 * mutex (one per device, shared by the ranges of one opaque, as the i8042's two ports), so a
 * device model never sees two accesses at a time and its exit count stays exact. */
#ifndef SHIKUMI_VMM_BUS_H
#define SHIKUMI_VMM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define BUS_MAX_DEVICES 16

/* One access at `offset` from the device's base: `len` bytes (1, 2, 4 or 8) in `data`,
 * read from it on a write, written to it on a read. An access that starts in a range and
 * runs past its end is not the device's (bus_access does not call it). */
typedef void (*bus_io_fn)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			  bool is_write);

struct bus_device {
	const char *name; /* for --timing and --debug */
	uint64_t base, len;
	bus_io_fn io;
	void *opaque;
	pthread_mutex_t *lock; /* one of the bus's locks[], the same for the same opaque */
	uint64_t exits;	       /* accesses it answered (under the lock) */
};

struct bus {
	const char *space; /* "port" or "MMIO", for messages */
	struct bus_device dev[BUS_MAX_DEVICES];
	int n;
	pthread_mutex_t locks[BUS_MAX_DEVICES];
	int nlocks;
	uint64_t unknown; /* accesses no device claimed (atomic) */
};

void bus_init(struct bus *b, const char *space);
/* Claims [base, base + len) for a device. Returns 0; -EINVAL for an empty or wrapping range,
 * -EEXIST when it overlaps a range already claimed, -ENOSPC when the bus is full (each with
 * a message). */
int bus_register(struct bus *b, const char *name, uint64_t base, uint64_t len, bus_io_fn io,
		 void *opaque);
/* The device whose range holds every byte of [addr, addr + len), or NULL. */
struct bus_device *bus_find(struct bus *b, uint64_t addr, uint32_t len);
/* Dispatches one access. Returns the device that took it, or NULL when none did: then a
 * read has filled `data` with 0xff and bus->unknown counts it. */
struct bus_device *bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len,
			      bool is_write);

#endif
