/* The shikumi-vmm command line, parsed into a struct vm_config (no KVM here: unit-tested). */
#ifndef SHIKUMI_VMM_CLI_H
#define SHIKUMI_VMM_CLI_H

#include "vm.h"

#include <stdio.h>

/* Kernel command-line defaults, each there to skip a slow or useless path at boot:
 *   console=ttyS0        the only console is our UART
 *   quiet                every console byte is a VM exit: print only warnings
 *   reboot=k panic=-1    reboot through the i8042 reset line, which ends the VMM; panic
 *                        reboots at once instead of waiting
 *   i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd   no keyboard/mouse probing (there is
 *                        no keyboard controller beyond the reset line)
 *   pci=off acpi=off     no bus to scan, no firmware tables to look for
 *   tsc=reliable         no clocksource watchdog comparing the TSC against other clocks
 *   no_timer_check       no check that the timer interrupt works through the IO-APIC
 *   lpj=1000000          no delay-loop calibration at boot
 * A word without '=' that the kernel does not know goes to /init as an argument: keep them
 * out, since the guest's /init runs its arguments as the command. */
#define VM_DEFAULT_CMDLINE                                                                         \
	"console=ttyS0 quiet reboot=k panic=-1 i8042.noaux i8042.nomux i8042.nopnp "               \
	"i8042.dumbkbd pci=off acpi=off tsc=reliable no_timer_check lpj=1000000"
#define VM_DEFAULT_MEMORY (256ULL << 20)

enum vm_action {
	VM_RUN,
	VM_HELP,
	VM_VERSION,
};

int vm_cli_parse(int argc, char **argv, struct vm_config *cfg, enum vm_action *action);
void vm_cli_help(FILE *f);

#endif
