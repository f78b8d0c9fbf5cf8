/* outb PORT VALUE: writes one byte to an I/O port from the guest's user space. The guest's
 * /init uses it to talk to the VMM (boot marker 0x510, exit status 0x511): Debian's cloud
 * kernel has no /dev/port, so the write is made directly after ioperm(2). Each one is a VM
 * exit the VMM sees. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: outb PORT VALUE\n");
		return 2;
	}
	unsigned long port = strtoul(argv[1], NULL, 0), value = strtoul(argv[2], NULL, 0);
	if (port > 0xffff || value > 0xff) {
		fprintf(stderr, "outb: port or value out of range\n");
		return 2;
	}
	if (ioperm(port, 1, 1) < 0) {
		perror("outb: ioperm");
		return 1;
	}
	outb((unsigned char)value, (unsigned short)port);
	return 0;
}
