/* An 8250/16550A UART, the serial port a PC has at 0x3f8 with IRQ 4: the guest's console.
 *
 * Only what a console needs is modelled: transmitting is instant (a byte written to THR goes
 * straight to the terminal), received bytes wait in a small buffer, and the interrupt line is
 * up while an enabled condition holds (data ready with IER.RDI; THR empty with IER.THRI, until
 * the guest reads IIR or writes THR again). Loopback mode reflects MCR into MSR, as the Linux
 * driver checks when it probes the port. */
#ifndef SHIKUMI_VMM_SERIAL_H
#define SHIKUMI_VMM_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ	 4
#define SERIAL_RX_SIZE	 256

/* Register offsets from the base port. */
enum {
	UART_RX = 0,  /* in: receive buffer; out: transmit holding (THR); DLL with DLAB */
	UART_IER = 1, /* interrupt enable; DLM with DLAB */
	UART_IIR = 2, /* in: interrupt identification; out: FIFO control (FCR) */
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IIR_NONE 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI  0x04
#define UART_IIR_FIFO 0xc0
#define UART_LCR_DLAB 0x80
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MCR_LOOP 0x10

struct serial {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thr_pending; /* a THR-empty interrupt not yet acknowledged */
	uint8_t rx[SERIAL_RX_SIZE];
	size_t rx_head, rx_count;
	/* Where transmitted bytes go (the terminal); ctx is passed along. */
	void (*tx)(void *ctx, uint8_t byte);
	void *ctx;
	uint64_t tx_bytes; /* counted for --timing: the port writes a lesson can show */
	/* The interrupt line: set_irq (NULL for none) is called when the level changes. */
	void (*set_irq)(void *ctx, bool level);
	bool irq_level;
	/* The vCPU (serial_io) and the input thread (serial_input) both change the state. */
	pthread_mutex_t lock;
};

void serial_init(struct serial *s, void (*tx)(void *, uint8_t), void *ctx);
uint8_t serial_in(struct serial *s, unsigned offset);
void serial_out(struct serial *s, unsigned offset, uint8_t value);
/* Queues a received byte; false when the buffer is full. */
bool serial_receive(struct serial *s, uint8_t byte);
/* Whether the interrupt line should be up now. */
bool serial_irq(const struct serial *s);

/* The bus handler for the 8 ports (opaque: the struct serial): under the lock, the register
 * access, then the interrupt line brought up to date. */
void serial_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
/* A byte typed on the terminal, under the lock; false when the buffer is full. */
bool serial_input(struct serial *s, uint8_t byte);

#endif
