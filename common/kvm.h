/* Can this machine boot a Linux guest with KVM? One answer for shikumi-vmm and for
 * shikumi compare, so that both say the same thing when it cannot. */
#ifndef SHIKUMI_KVM_H
#define SHIKUMI_KVM_H

#include <stddef.h>

/* What is wrong with PVM, in the words both refusals use. */
#define KVM_PVM_REASON                                                                             \
	"this machine's /dev/kvm is PVM (kvm_pvm, KVM without VT-x/AMD-V), which boots only "      \
	"kernels built as PVM guests"

/* 1 when /dev/kvm opens and is hardware KVM; 0 with the reason in why (n bytes): no
 * /dev/kvm, it cannot be opened, or it is PVM (kvm_pvm: KVM without VT-x/AMD-V, found on
 * some cloud machines, which runs only kernels built to be PVM guests: a stock kernel
 * stops in its first seconds with a KVM internal error). */
int kvm_boots_linux(char *why, size_t n);

/* 1 when this machine's KVM is PVM (the kvm_pvm module, and no kvm_intel or kvm_amd). */
int kvm_is_pvm(void);

#endif
