/* The tiny guest: the smallest thing a VM can run. shikumi-vmm --tiny copies these bytes to
 * guest address 1 MiB and starts the vCPU there, already in 64-bit long mode (the VMM built
 * the GDT and page tables, as it does for Linux). With no firmware, no kernel and no
 * interrupt controller, it talks to the world the only way a CPU can: port I/O, each access
 * a VM exit that the VMM handles.
 *
 * It prints a greeting and the mode it finds itself in, read from its own control registers
 * (CR0.PE: protected mode, CR0.PG: paging, EFER.LMA: long mode active), tells the VMM it got
 * this far (boot-marker port 0x510), and halts: without an interrupt controller, HLT hands
 * the vCPU back to the VMM, which ends the VM. Position-independent (RIP-relative). */
	.code64
	.text
	.globl _start
_start:
	lea	hello(%rip), %rsi
	call	puts

	lea	cr0_text(%rip), %rsi
	call	puts
	mov	%cr0, %rax
	mov	%rax, %rbx
	call	puthex
	lea	efer_text(%rip), %rsi
	call	puts
	mov	$0xc0000080, %ecx	/* IA32_EFER */
	rdmsr
	mov	%rax, %r12
	call	puthex
	lea	newline(%rip), %rsi
	call	puts

	lea	real_mode(%rip), %rsi
	test	$1, %ebx		/* CR0.PE */
	jz	2f
	lea	protected_mode(%rip), %rsi
	bt	$10, %r12		/* EFER.LMA */
	jnc	2f
	lea	long_mode(%rip), %rsi
2:	call	puts

	mov	$0x510, %dx		/* boot marker: "reached the end" */
	out	%al, %dx
1:	hlt
	jmp	1b

/* puts: writes the NUL-terminated string at %rsi to the UART's transmit register. */
puts:
	mov	$0x3f8, %dx
3:	lodsb
	test	%al, %al
	jz	4f
	out	%al, %dx
	jmp	3b
4:	ret

/* puthex: writes %rax as 0x and 16 hex digits. */
puthex:
	mov	%rax, %rdi
	mov	$0x3f8, %dx
	mov	$'0', %al
	out	%al, %dx
	mov	$'x', %al
	out	%al, %dx
	mov	$16, %ecx
5:	rol	$4, %rdi
	mov	%edi, %eax
	and	$0xf, %eax
	cmp	$10, %eax
	jb	6f
	add	$('a' - '0' - 10), %eax
6:	add	$'0', %eax
	out	%al, %dx
	dec	%ecx
	jnz	5b
	ret

hello:		.asciz "Hello from the tiny guest: no BIOS, no kernel, just these bytes at 1 MiB.\r\n"
cr0_text:	.asciz "CR0 = "
efer_text:	.asciz ", EFER = "
newline:	.asciz "\r\n"
real_mode:	.asciz "This CPU is in 16-bit real mode.\r\n"
protected_mode:	.asciz "This CPU is in 32-bit protected mode (paging: see CR0.PG).\r\n"
long_mode:	.asciz "This CPU is in 64-bit long mode (CR0.PE, CR0.PG and EFER.LMA are set).\r\n"
