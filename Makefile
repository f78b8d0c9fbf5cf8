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
             libnl-route-3-dev busybox-static clang-format \
             procps util-linux kmod cpio qemu-system-x86 uidmap clang libclang-rt-14-dev \
             gettext gettext-base strace e2fsprogs
BENCH_PKGS := hyperfine crun runc bubblewrap
# What the tests need beyond that: the peers `shikumi compare` times, and checkers for its output;
# podman (with conmon: 18 packages, about 11 s to install here) drives shikumi as its OCI runtime
# in testhost_oci.sh.
TEST_PKGS  := jq libxml2-utils podman conmon
# What building the minimal guest kernel needs (make guest-kernel-mini).
KERNEL_PKGS := linux-source flex bison bc libelf-dev lz4 xz-utils

COMMON_SRC  := common/err.c common/parse.c common/timing.c common/exe.c common/kvm.c common/proc.c
CGROUP_SRC  := cgroup/cgroup.c
POLICY_SRC  := runtime/seccomp_policy.c runtime/caps.c
SECCOMP_GEN := $(BUILD)/gen/seccomp_default.c
RUNTIME_LIB := runtime/cli.c runtime/rootfs.c runtime/mounts.c runtime/sync.c runtime/init.c \
               runtime/tty.c runtime/stats.c runtime/seccomp_load.c runtime/seccomp_profile.c \
               runtime/userns.c runtime/ipam.c \
               runtime/net.c runtime/validate.c runtime/child.c runtime/supervisor.c runtime/overlay.c \
               runtime/oci_config.c runtime/oci_spec.c runtime/state.c runtime/oci_cmd.c \
               runtime/compare.c runtime/compare_report.c \
               $(POLICY_SRC) $(CGROUP_SRC) $(SECCOMP_GEN)
RUNTIME_SRC := $(RUNTIME_LIB) runtime/main.c $(COMMON_SRC)
VMM_LIB     := vmm/bzimage.c vmm/bus.c vmm/serial.c vmm/i8042.c vmm/cmos.c vmm/marker.c vmm/virtq.c vmm/virtio_mmio.c vmm/virtio_blk.c vmm/x86.c vmm/mptable.c vmm/cli.c
VMM_SRC     := $(VMM_LIB) vmm/vcpu.c vmm/vm.c vmm/main.c $(COMMON_SRC)

# Link statically where the libraries allow: a dynamic loader adds to every container start.
LIB_PKGS     = libcap json-c libseccomp libnl-3.0 libnl-route-3.0
LIB_CFLAGS   = $(shell pkg-config --cflags $(LIB_PKGS))
LIB_STATIC   = $(shell pkg-config --static --libs $(LIB_PKGS)) -lm
LIB_LIBS     = $(shell pkg-config --libs $(LIB_PKGS)) -lm
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps bench-deps examples rootfs rootfs-image initramfs guest-kernel guest-kernel-mini fuzz shell check unit integration install clean format \
        format-check bench-run bench-vm

all: $(BUILD)/shikumi $(BUILD)/shikumi-vmm $(BUILD)/guest/tiny.bin

$(BUILD)/shikumi: $(RUNTIME_SRC) $(wildcard runtime/*.h common/*.h cgroup/*.h) | $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LIB_CFLAGS) -static -o $@ $(RUNTIME_SRC) $(LIB_STATIC)

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

# The config.json reader under libFuzzer; it needs json-c, caps.c (capability names) and libcap.
OCI_FUZZ_SRC := runtime/oci_config.c runtime/caps.c cgroup/cgroup.c common/err.c common/parse.c common/proc.c
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

integration: all rootfs initramfs rootfs-image guest-kernel guest-kernel-mini $(HELPERS) $(LESSON_MO) $(BUILD)/examples/shikumi-dynamic $(BUILD)/tests/shikumi-faults $(EXAMPLE_HELPERS) $(BUILD)/fuzz/fuzz_bzimage $(BUILD)/fuzz/fuzz_oci_config $(BUILD)/fuzz/fuzz_virtq

check: deps
	@$(MAKE) --no-print-directory deps DEPS_PKGS="$(BENCH_PKGS) $(TEST_PKGS)"
	@$(MAKE) --no-print-directory unit integration
	@tests/run-all.sh $(BUILD)

bench-run: bench-deps
	@$(MAKE) --no-print-directory all rootfs
	tests/bench/bench-run.sh $(BUILD)

# shikumi-vmm against qemu-system-x86_64 -M microvm, in the test host where there is no KVM.
bench-vm: bench-deps
	@$(MAKE) --no-print-directory all initramfs guest-kernel-mini
	tests/bench/bench-vm.sh $(BUILD)

install: all
	install -D -m 0755 $(BUILD)/shikumi $(DESTDIR)$(PREFIX)/bin/shikumi
	install -D -m 0755 $(BUILD)/shikumi-vmm $(DESTDIR)$(PREFIX)/bin/shikumi-vmm
	install -D -m 0644 $(BUILD)/guest/tiny.bin $(DESTDIR)$(PREFIX)/bin/guest/tiny.bin

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
