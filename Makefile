# shikumi: the one entry point.
#   make          build build/shikumi
#   make shell    install what is missing, build, build the rootfs, open a shell in a container
#   make check    run every test (unit, integration); ends with "N passed, N failed"
#   make bench-run  time shikumi against crun and bwrap (a benchmark, not a test)

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
BASE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -I. -DSHIKUMI_VERSION='"$(VERSION)"'
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer

# Packages a fresh Debian 12 needs to build, run and test (installed by `make deps`).
DEPS_PKGS := gcc make pkg-config libc6-dev libcap-dev libjson-c-dev libseccomp-dev libcmocka-dev libnl-3-dev \
             libbpf-dev libelf-dev zlib1g-dev libzstd-dev \
             libnl-route-3-dev busybox-static clang-format \
             procps util-linux kmod cpio qemu-system-x86 uidmap clang libclang-rt-14-dev \
             gettext gettext-base strace e2fsprogs dpkg-dev bsdextrautils
BENCH_PKGS := hyperfine crun runc bubblewrap
# What the tests need beyond that: the peers `shikumi compare` times, and checkers for its output;
# podman (with conmon: 18 packages, about 11 s to install here) drives shikumi as its OCI runtime
# in testhost_oci.sh; containerd (with ctr and its runc shim) does in testhost_containerd.sh;
# man-db and groff-base render the man pages in test_install.sh.
TEST_PKGS  := jq libxml2-utils podman conmon containerd man-db groff-base
# What building the minimal guest kernel needs (make guest-kernel-mini).
KERNEL_PKGS := linux-source flex bison bc libelf-dev lz4 xz-utils

COMMON_SRC  := common/err.c common/parse.c common/timing.c common/exe.c common/kvm.c common/proc.c
DEVICES_BPF := $(BUILD)/gen/devices_bpf.S
CGROUP_SRC  := cgroup/cgroup.c cgroup/devices.c $(DEVICES_BPF)
POLICY_SRC  := runtime/seccomp_policy.c runtime/caps.c
SECCOMP_GEN := $(BUILD)/gen/seccomp_default.c
TRAMPOLINE  := $(BUILD)/gen/trampoline.S
RUNTIME_LIB := runtime/cli.c runtime/rootfs.c runtime/mounts.c runtime/sync.c runtime/init.c \
               runtime/tty.c runtime/stats.c runtime/seccomp_load.c runtime/seccomp_profile.c \
               runtime/userns.c runtime/ipam.c runtime/usernotif.c runtime/procview.c \
               runtime/net.c runtime/vm_net.c runtime/vmm_jail.c runtime/validate.c runtime/confine.c runtime/child.c \
               runtime/exec.c runtime/supervisor.c runtime/overlay.c runtime/reexec.c \
               runtime/trampoline_fd.c $(TRAMPOLINE) \
               runtime/oci_config.c runtime/oci_spec.c runtime/state.c runtime/oci_cmd.c runtime/hooks.c \
               runtime/compare.c runtime/compare_report.c \
               $(POLICY_SRC) $(CGROUP_SRC) $(SECCOMP_GEN)
RUNTIME_SRC := $(RUNTIME_LIB) runtime/main.c $(COMMON_SRC)
VMM_LIB     := vmm/bzimage.c vmm/bus.c vmm/serial.c vmm/i8042.c vmm/cmos.c vmm/marker.c vmm/virtq.c vmm/virtio_mmio.c vmm/virtio_blk.c vmm/virtio_net.c vmm/x86.c vmm/mptable.c vmm/cli.c vmm/snapfile.c
VMM_SRC     := $(VMM_LIB) vmm/vcpu.c vmm/snapshot.c vmm/vm.c vmm/main.c $(COMMON_SRC)

# Link statically where the libraries allow: a dynamic loader adds to every container start.
LIB_PKGS     = libcap json-c libseccomp libnl-3.0 libnl-route-3.0 libbpf
LIB_CFLAGS   = $(shell pkg-config --cflags $(LIB_PKGS))
LIB_STATIC   = $(shell pkg-config --static --libs $(LIB_PKGS)) -lm
LIB_LIBS     = $(shell pkg-config --libs $(LIB_PKGS)) -lm
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps bench-deps examples rootfs rootfs-image initramfs guest-kernel guest-kernel-mini fuzz shell check unit integration install clean format \
        format-check bench-run bench-oci bench-vm bench-jail

all: $(BUILD)/shikumi $(BUILD)/shikumi-vmm $(BUILD)/guest/tiny.bin $(BUILD)/guest/hostile.bin

$(BUILD)/shikumi: $(RUNTIME_SRC) $(wildcard runtime/*.h common/*.h cgroup/*.h) | $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LIB_CFLAGS) -static -o $@ $(RUNTIME_SRC) $(LIB_STATIC)

# The container command's exec trampoline (runtime/trampoline.c): freestanding, a few hundred
# bytes, built into shikumi by .incbin.
$(BUILD)/gen/trampoline: runtime/trampoline.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -Os -ffreestanding -fno-pic -fno-pie -no-pie -nostdlib -static \
		-fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables \
		-Wl,--build-id=none -s -o $@ $<
$(TRAMPOLINE): $(BUILD)/gen/trampoline
	printf '\t.section .rodata\n\t.globl trampoline_elf, trampoline_elf_end\ntrampoline_elf:\n\t.incbin "%s"\ntrampoline_elf_end:\n\t.section .note.GNU-stack,"",@progbits\n' "$(abspath $<)" >$@

# The device cgroup's BPF program (cgroup/devices.bpf.c), compiled by clang for the BPF target
# and built into shikumi by .incbin; libbpf loads it (cgroup/devices.c).
$(BUILD)/gen/devices.bpf.o: cgroup/devices.bpf.c cgroup/devices_rule.h | $(BUILD)
	@mkdir -p $(dir $@)
	clang -O2 -target bpf -Wall -Werror -I/usr/include/$(shell $(CC) -dumpmachine) -c -o $@ $<
$(DEVICES_BPF): $(BUILD)/gen/devices.bpf.o
	printf '\t.section .rodata\n\t.balign 8\n\t.globl devices_bpf_elf, devices_bpf_elf_end\ndevices_bpf_elf:\n\t.incbin "%s"\ndevices_bpf_elf_end:\n\t.section .note.GNU-stack,"",@progbits\n' "$(abspath $<)" >$@

# The VMM: static too, and no library beyond libc (the KVM API is ioctls on /dev/kvm).
$(BUILD)/shikumi-vmm: $(VMM_SRC) $(wildcard vmm/*.h common/*.h) | $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -pthread -static -o $@ $(VMM_SRC)

# The fail-closed test's build: the same runtime with fault points (runtime/fault.h).
$(BUILD)/tests/shikumi-faults: $(RUNTIME_SRC) $(wildcard runtime/*.h common/*.h cgroup/*.h) | $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -DSHIKUMI_FAULTS $(LIB_CFLAGS) -static -o $@ $(RUNTIME_SRC) $(LIB_STATIC)

# The tiny bare-metal guest: assembled by the project's compiler, its .text as a flat image.
$(BUILD)/guest/tiny.bin: vmm/guest/tiny.S | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) -c -o $(BUILD)/guest/tiny.o $<
	objcopy -O binary -j .text $(BUILD)/guest/tiny.o $@

# The hostile guest (tests/integration/test_vmm_hostile.sh): freestanding C, linked at 1 MiB,
# no SSE (the VMM turns none on) and no red zone, its sections as one flat image.
$(BUILD)/guest/hostile.bin: vmm/guest/hostile.c vmm/guest/hostile.ld | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -ffreestanding -fno-pic -fno-pie -no-pie -nostdlib -static \
		-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
		-fno-builtin -Wl,--build-id=none,--no-warn-rwx-segments -T vmm/guest/hostile.ld -o $(BUILD)/guest/hostile.elf $<
	objcopy -O binary $(BUILD)/guest/hostile.elf $@

# The VMM with ASan and UBSan (dynamic: ASan cannot be static), for the hostile guest's test.
$(BUILD)/tests/shikumi-vmm-asan: $(VMM_SRC) $(wildcard vmm/*.h common/*.h) | $(BUILD)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -fno-sanitize-recover=all -pthread -o $@ $(VMM_SRC)

$(BUILD):
	@mkdir -p $(BUILD)/tests $(BUILD)/gen

# The default seccomp filter, compiled to BPF once here rather than at every container start.
$(BUILD)/seccomp_gen: runtime/seccomp_gen.c $(POLICY_SRC) $(COMMON_SRC) runtime/seccomp_policy.h runtime/caps.h | $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LIB_CFLAGS) -o $@ $< $(POLICY_SRC) $(COMMON_SRC) $(LIB_LIBS)

$(SECCOMP_GEN): $(BUILD)/seccomp_gen
	@mkdir -p $(dir $@)
	$(BUILD)/seccomp_gen $@

deps:
	@missing=$$(for p in $(DEPS_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

bench-deps:
	@$(MAKE) --no-print-directory deps DEPS_PKGS="$(BENCH_PKGS)"

rootfs: $(BUILD)/rootfs/.built

$(BUILD)/rootfs/.built: rootfs/build-rootfs.sh
	rootfs/build-rootfs.sh $(BUILD)/rootfs

# The VM's side: the same busybox root as an initramfs, and a kernel for it.
initramfs: $(BUILD)/initramfs.cpio.gz

$(BUILD)/initramfs.cpio.gz: $(BUILD)/rootfs/.built rootfs/build-initramfs.sh rootfs/guest-tree.sh rootfs/guest-init $(BUILD)/guest/outb
	rootfs/build-initramfs.sh $(BUILD)/rootfs $(BUILD)/guest/outb $@

# The same root as an ext4 disk image, for `shikumi vm --disk` (mke2fs -d: no root, no loop).
rootfs-image: $(BUILD)/rootfs.ext4

$(BUILD)/rootfs.ext4: $(BUILD)/rootfs/.built rootfs/build-rootfs-image.sh rootfs/guest-tree.sh rootfs/guest-init $(BUILD)/guest/outb
	rootfs/build-rootfs-image.sh $(BUILD)/rootfs $(BUILD)/guest/outb $@

$(BUILD)/guest/outb: vmm/guest/outb.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O2 -static -o $@ $<

# Debian's cloud kernel (virtio, serial and initramfs built in, few drivers): fetched once.
guest-kernel: $(BUILD)/guest/bzImage

$(BUILD)/guest/bzImage: tests/testhost/fetch-kernel.sh | $(BUILD)
	@mkdir -p $(BUILD)/guest
	ver=$$(tests/testhost/fetch-kernel.sh $(BUILD)/guest/kernel cloud-amd64) && \
		cp $(BUILD)/guest/kernel/root/boot/vmlinuz-$$ver $@

# The minimal guest kernel: Debian's linux-source, configured by rootfs/kernel-mini.config.
# About 8 minutes on 2 CPUs the first time; rebuilt only when the configuration changes.
guest-kernel-mini: $(BUILD)/guest/bzImage-mini

$(BUILD)/guest/bzImage-mini: rootfs/kernel-mini.config rootfs/build-kernel-mini.sh | $(BUILD)
	@$(MAKE) --no-print-directory deps DEPS_PKGS="$(KERNEL_PKGS)"
	rootfs/build-kernel-mini.sh $(BUILD)/guest/linux-mini $@

shell: deps
	@$(MAKE) --no-print-directory all rootfs
	$(BUILD)/shikumi run $(BUILD)/rootfs /bin/sh

# ---- tests ----
$(BUILD)/tests/test_%: tests/unit/test_%.c $(RUNTIME_LIB) $(VMM_LIB) $(COMMON_SRC) $(wildcard runtime/*.h common/*.h cgroup/*.h vmm/*.h) | $(BUILD)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(LIB_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< \
		$(RUNTIME_LIB) $(VMM_LIB) $(COMMON_SRC) $(CMOCKA_LIBS) $(LIB_LIBS)

# The bzImage loader under libFuzzer (clang), with ASan and UBSan.
FUZZ_SECONDS ?= 600
$(BUILD)/fuzz/fuzz_bzimage: tests/fuzz/fuzz_bzimage.c tests/fuzz/fuzz.h vmm/bzimage.c vmm/bzimage.h common/err.c | $(BUILD)
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -o $@ $< vmm/bzimage.c common/err.c

# The config.json reader under libFuzzer; it needs json-c, caps.c (capability names), libcap,
# and mounts.c (the masked paths' check, with rootfs.c that it calls).
OCI_FUZZ_SRC := runtime/oci_config.c runtime/caps.c runtime/mounts.c runtime/rootfs.c cgroup/cgroup.c \
                common/err.c common/parse.c common/proc.c
$(BUILD)/fuzz/fuzz_oci_config: tests/fuzz/fuzz_oci_config.c $(OCI_FUZZ_SRC) runtime/oci_config.h runtime/config.h | $(BUILD)
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined $(LIB_CFLAGS) -o $@ $< $(OCI_FUZZ_SRC) $(LIB_LIBS)

# The virtqueue, the first code that follows guest-supplied addresses, the same way.
$(BUILD)/fuzz/fuzz_virtq: tests/fuzz/fuzz_virtq.c tests/fuzz/fuzz.h vmm/virtq.c vmm/virtq.h common/err.c | $(BUILD)
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -o $@ $< vmm/virtq.c common/err.c

fuzz: $(BUILD)/fuzz/fuzz_bzimage $(BUILD)/fuzz/fuzz_oci_config $(BUILD)/fuzz/fuzz_virtq guest-kernel
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/integration/test_fuzz.sh

HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(wildcard tests/helpers/*.c))

# The lessons' narration in other languages (GNU gettext): examples/po/LL.po, compiled into
# build/locale, where examples/lib.sh points TEXTDOMAINDIR. `make lessons-pot` regenerates the
# template from the scripts (a test fails when it is out of date); msgmerge then updates each .po.
LESSON_PO  := $(wildcard examples/po/*.po)
LESSON_MO  := $(patsubst examples/po/%.po,$(BUILD)/locale/%/LC_MESSAGES/shikumi-lessons.mo,$(LESSON_PO))
LESSON_XGETTEXT := xgettext -L Shell --from-code=UTF-8 -k -keval_gettext -ktx -ktitle -ksay -kclaim:1 \
                   --package-name=shikumi-lessons --no-wrap --sort-by-file
LESSON_SOURCES := examples/lib.sh examples/run-all.sh $(sort $(wildcard examples/[0-9]*.sh))
$(BUILD)/locale/%/LC_MESSAGES/shikumi-lessons.mo: examples/po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

.PHONY: lessons-pot
lessons-pot:
	$(LESSON_XGETTEXT) -o examples/po/shikumi-lessons.pot $(LESSON_SOURCES)

# The lessons' helper programs (examples/): static, mounted into containers.
EXAMPLE_HELPERS := $(patsubst examples/helpers/%.c,$(BUILD)/examples/%,$(wildcard examples/helpers/*.c))
examples: all rootfs $(EXAMPLE_HELPERS) $(BUILD)/tests/sysprobe $(BUILD)/tests/memhog $(LESSON_MO) \
          $(BUILD)/examples/shikumi-dynamic

# Lesson 0 (chapter 1) compares shikumi with the same source linked dynamically: ldd, start time.
$(BUILD)/examples/shikumi-dynamic: $(RUNTIME_SRC) $(wildcard runtime/*.h common/*.h cgroup/*.h) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LIB_CFLAGS) -o $@ $(RUNTIME_SRC) $(LIB_LIBS)

$(BUILD)/examples/%: examples/helpers/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -static -o $@ $<

# Static, so that a busybox container can run them from a volume.
$(BUILD)/tests/%: tests/helpers/%.c | $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -static -o $@ $< -lutil

unit: $(UNIT_TESTS)

integration: all rootfs initramfs rootfs-image guest-kernel guest-kernel-mini $(HELPERS) $(BUILD)/tests/shikumi-vmm-asan $(LESSON_MO) $(BUILD)/examples/shikumi-dynamic $(BUILD)/tests/shikumi-faults $(EXAMPLE_HELPERS) $(BUILD)/fuzz/fuzz_bzimage $(BUILD)/fuzz/fuzz_oci_config $(BUILD)/fuzz/fuzz_virtq

# The build on every CPU (CI's clean clone builds everything, the guest kernel included).
check: deps
	@$(MAKE) --no-print-directory deps DEPS_PKGS="$(BENCH_PKGS) $(TEST_PKGS)"
	@$(MAKE) --no-print-directory -j$$(nproc) unit integration
	@tests/run-all.sh $(BUILD)

bench-run: bench-deps
	@$(MAKE) --no-print-directory all rootfs
	tests/bench/bench-run.sh $(BUILD)

# shikumi-vmm against qemu-system-x86_64 -M microvm, in the test host where there is no KVM.
# The OCI lifecycle (create + start + delete) against crun and runc.
bench-oci: bench-deps
	@$(MAKE) --no-print-directory all rootfs
	tests/bench/bench-oci.sh $(BUILD)

bench-vm: bench-deps
	@$(MAKE) --no-print-directory all initramfs guest-kernel-mini
	tests/bench/bench-vm.sh $(BUILD)

# What the VMM's jail costs a boot: shikumi vm jailed against --no-jail.
bench-jail: bench-deps
	@$(MAKE) --no-print-directory all initramfs guest-kernel-mini
	tests/bench/bench-jail.sh $(BUILD)

# The installed layout: the programs in PREFIX/bin; what they look for in PREFIX/lib/shikumi
# under the names it has in build/ (common/exe.h: found relative to the programs, so the same
# binaries work from DESTDIR and any PREFIX); the lessons, architecture-independent scripts, in
# PREFIX/share/shikumi, their static helpers in PREFIX/lib/shikumi/examples; the catalogs, man
# pages and bash completions where gettext, man and bash-completion look.
BINDIR    = $(DESTDIR)$(PREFIX)/bin
LIBDIR    = $(DESTDIR)$(PREFIX)/lib/shikumi
SHAREDIR  = $(DESTDIR)$(PREFIX)/share
MAN_PAGES := runtime/shikumi.1 vmm/shikumi-vmm.1
LESSON_SCRIPTS := examples/run-all.sh $(sort $(wildcard examples/[0-9]*.sh))
install: all examples initramfs rootfs-image guest-kernel guest-kernel-mini
	install -D -m 0755 -t $(BINDIR) $(BUILD)/shikumi $(BUILD)/shikumi-vmm
	install -D -m 0644 -t $(LIBDIR)/guest $(BUILD)/guest/bzImage $(BUILD)/guest/bzImage-mini \
		$(BUILD)/guest/vmlinux-mini $(BUILD)/guest/tiny.bin
	install -D -m 0644 -t $(LIBDIR) $(BUILD)/initramfs.cpio.gz $(BUILD)/rootfs.ext4
	rm -rf $(LIBDIR)/rootfs
	cp -a $(BUILD)/rootfs $(LIBDIR)/rootfs
	rm -f $(LIBDIR)/rootfs/.built
	install -D -m 0755 -t $(LIBDIR)/examples $(EXAMPLE_HELPERS) $(BUILD)/examples/shikumi-dynamic \
		$(BUILD)/tests/sysprobe $(BUILD)/tests/memhog
	install -D -m 0755 -t $(SHAREDIR)/shikumi/examples $(LESSON_SCRIPTS)
	install -D -m 0644 -t $(SHAREDIR)/shikumi/examples examples/lib.sh examples/README.md examples/README.ja.md
	for mo in $(LESSON_MO); do \
		lang=$$(basename $$(dirname $$(dirname $$mo))); \
		install -D -m 0644 $$mo $(SHAREDIR)/locale/$$lang/LC_MESSAGES/shikumi-lessons.mo || exit; \
	done
	install -d $(SHAREDIR)/man/man1
	for page in $(MAN_PAGES); do gzip -9n <$$page >$(SHAREDIR)/man/man1/$$(basename $$page).gz || exit; done
	install -D -m 0644 runtime/shikumi.bash-completion $(SHAREDIR)/bash-completion/completions/shikumi
	ln -sf shikumi $(SHAREDIR)/bash-completion/completions/shikumi-vmm
	install -D -m 0644 README.md $(SHAREDIR)/doc/shikumi/README.md

# A Debian package of that install (PREFIX=/usr), in build/. Its version counts the commits
# (Debian's versions must start with a digit and grow). Depends: what the lessons run on the
# host (the binaries are static: they need nothing), and, from dpkg-shlibdeps, the shared
# libraries of lesson 0's dynamically linked shikumi. Recommends: what shikumi compare, lesson 0
# and rootless containers use when they find it; Suggests: the peers compare times.
DEB_VERSION   = 0.1+git$(shell git rev-list --count HEAD 2>/dev/null || echo 0).g$(shell \
                git rev-parse --short HEAD 2>/dev/null || echo 0)$(if $(filter %-dirty,$(VERSION)),.dirty)
DEB_FILE      = $(BUILD)/shikumi_$(DEB_VERSION)_amd64.deb
DEB_DEPENDS   = gettext-base, procps, jq, bsdextrautils, mount, mawk | awk
DEB_RECOMMENDS = hyperfine, strace, uidmap
DEB_SUGGESTS  = crun, runc, bubblewrap, qemu-system-x86
DEB_MAINTAINER ?= $(shell git log -1 --format='%an <%ae>' 2>/dev/null)
DEB_COMPRESS  ?= xz
.PHONY: deb
deb: all examples initramfs rootfs-image guest-kernel guest-kernel-mini
	rm -rf $(BUILD)/deb $(BUILD)/shikumi_*_amd64.deb
	$(MAKE) --no-print-directory install DESTDIR=$(abspath $(BUILD))/deb/root PREFIX=/usr
	mkdir -p $(BUILD)/deb/debian $(BUILD)/deb/root/DEBIAN
	printf 'Source: shikumi\n\nPackage: shikumi\nArchitecture: amd64\n' >$(BUILD)/deb/debian/control
	cd $(BUILD)/deb && dpkg-shlibdeps -O root/usr/lib/shikumi/examples/shikumi-dynamic 2>/dev/null \
		| sed -n 's/^shlibs:Depends=//p' >shlibs
	test -s $(BUILD)/deb/shlibs
	cd $(BUILD)/deb/root && find usr -type f -exec md5sum {} + | sort -k2 >DEBIAN/md5sums
	{ echo 'Package: shikumi'; \
	  echo 'Version: $(DEB_VERSION)'; \
	  echo 'Architecture: amd64'; \
	  echo 'Maintainer: $(DEB_MAINTAINER)'; \
	  echo "Installed-Size: $$(du -sk --apparent-size --exclude=DEBIAN $(BUILD)/deb/root | cut -f1)"; \
	  echo "Depends: $(DEB_DEPENDS), $$(cat $(BUILD)/deb/shlibs)"; \
	  echo 'Recommends: $(DEB_RECOMMENDS)'; \
	  echo 'Suggests: $(DEB_SUGGESTS)'; \
	  echo 'Section: admin'; \
	  echo 'Priority: optional'; \
	  echo 'Description: containers and KVM micro-VMs, made from scratch, for the classroom'; \
	  echo ' shikumi runs a shell as a container (namespaces, pivot_root, cgroup v2, seccomp)'; \
	  echo ' or as a KVM micro-VM (its own monitor, shikumi-vmm) from the same busybox root,'; \
	  echo ' and times both against crun, runc, bwrap and QEMU (shikumi compare).'; \
	  echo ' .'; \
	  echo ' It comes with its guest kernels, initramfs and root file system, and with the'; \
	  echo ' lessons in /usr/share/shikumi/examples (English and Japanese) that show how Linux'; \
	  echo ' isolates processes, one chapter each.'; \
	} >$(BUILD)/deb/root/DEBIAN/control
	dpkg-deb --root-owner-group -Z$(DEB_COMPRESS) --build $(BUILD)/deb/root $(DEB_FILE)
	@echo "$(DEB_FILE)"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
