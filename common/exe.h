/* Files installed beside the running program (build/ in a checkout, PREFIX/bin once
 * installed): shikumi finds shikumi-vmm and the guest images there, shikumi-vmm its tiny
 * guest. */
#ifndef SHIKUMI_EXE_H
#define SHIKUMI_EXE_H

#include <stddef.h>

/* "<directory of /proc/self/exe>/name" in buf (n bytes); just `name` when the program's
 * path cannot be read. Returns buf. */
char *exe_sibling(const char *name, char *buf, size_t n);

#endif
