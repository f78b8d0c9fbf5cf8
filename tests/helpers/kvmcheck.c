/* kvmcheck: proves /dev/kvm works: asks its API version, then runs the smallest guest there
 * is, seven bytes of real-mode code that write 'K' to the serial port and halt:
 *     mov dx, 0x3f8 ; mov al, 'K' ; out dx, al ; hlt
 * Prints "api 12", "out 0x3f8 'K'", "hlt" as it sees them; exits 0 only if all three came. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int fail(const char *what)
{
	perror(what);
	return 1;
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("kvmcheck: /dev/kvm");
	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	printf("api %d\n", api);
	if (api != 12)
		return 1;
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("kvmcheck: KVM_CREATE_VM");
	uint8_t *mem =
	    mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("kvmcheck: mmap");
	static const uint8_t code[] = {0xba, 0xf8, 0x03, 0xb0, 'K', 0xee, 0xf4};
	memcpy(mem, code, sizeof(code));
	struct kvm_userspace_memory_region region = {
	    .guest_phys_addr = 0x1000, .memory_size = 0x1000, .userspace_addr = (uint64_t)mem};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("kvmcheck: KVM_SET_USER_MEMORY_REGION");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("kvmcheck: KVM_CREATE_VCPU");
	int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("kvmcheck: mmap kvm_run");
	struct kvm_sregs sregs;
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	struct kvm_regs regs = {.rip = 0x1000, .rflags = 0x2};
	ioctl(vcpu, KVM_SET_REGS, &regs);
	int saw_out = 0;
	for (int i = 0; i < 16; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return fail("kvmcheck: KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
			char c = *((char *)run + run->io.data_offset);
			printf("out 0x%x '%c'\n", run->io.port, c);
			saw_out = run->io.port == 0x3f8 && c == 'K';
		} else if (run->exit_reason == KVM_EXIT_HLT) {
			printf("hlt\n");
			return saw_out ? 0 : 1;
		} else {
			printf("unexpected exit %u\n", run->exit_reason);
			return 1;
		}
	}
	return 1;
}
