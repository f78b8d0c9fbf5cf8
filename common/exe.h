/* Where the programs find each other and their files. In a checkout everything is in build/:
 * shikumi, shikumi-vmm, guest/bzImage, initramfs.cpio.gz, rootfs/. Once installed (make
 * install, make deb) the programs are in PREFIX/bin and their files in PREFIX/lib/shikumi,
 * under the same names. */
#ifndef SHIKUMI_EXE_H
#define SHIKUMI_EXE_H

#include <stddef.h>

/* The installed files' folder, relative to the programs' (PREFIX/bin -> PREFIX/lib/shikumi). */
#define EXE_LIBDIR "../lib/shikumi"

/* "<directory of /proc/self/exe>/name" in buf (n bytes); just `name` when the program's
 * path cannot be read. Returns buf. */
char *exe_sibling(const char *name, char *buf, size_t n);

/* One of the files the programs look for (guest/bzImage, rootfs, ...), in buf (n bytes):
 * beside the program where it is there (the build tree, as before anything was installed),
 * else in EXE_LIBDIR beside it (the installed layout). Where it is in neither, the path it
 * would have in the layout this program runs from, for the error that follows. Returns buf. */
char *exe_file(const char *name, char *buf, size_t n);

#endif
