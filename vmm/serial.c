#include "serial.h"

#include <string.h>

void serial_init(struct serial *s, void (*tx)(void *, uint8_t), void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->tx = tx;
	s->ctx = ctx;
	s->dll = 12; /* 9600 baud, as after a reset */
	pthread_mutex_init(&s->lock, NULL);
}

static bool rx_ready(const struct serial *s)
{
	return s->rx_count > 0;
}

bool serial_irq(const struct serial *s)
{
	return ((s->ier & UART_IER_RDI) && rx_ready(s)) ||
	       ((s->ier & UART_IER_THRI) && s->thr_pending);
}

uint8_t serial_in(struct serial *s, unsigned offset)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v = 0;
	switch (offset) {
	case UART_RX:
		if (dlab)
			return s->dll;
		if (rx_ready(s)) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % SERIAL_RX_SIZE;
			s->rx_count--;
		}
		return v;
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		v = (s->fcr & 1) ? UART_IIR_FIFO : 0;
		if ((s->ier & UART_IER_RDI) && rx_ready(s))
			return v | UART_IIR_RDI;
		if ((s->ier & UART_IER_THRI) && s->thr_pending) {
			s->thr_pending = false; /* reading IIR acknowledges THR empty */
			return v | UART_IIR_THRI;
		}
		return v | UART_IIR_NONE;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT | (rx_ready(s) ? UART_LSR_DR : 0);
	case UART_MSR:
		if (s->mcr & UART_MCR_LOOP) /* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
			return (uint8_t)(((s->mcr & 0x01) << 5) | ((s->mcr & 0x02) << 3) |
					 ((s->mcr & 0x04) << 4) | ((s->mcr & 0x08) << 4));
		return 0xb0; /* carrier, data set ready, clear to send: a cable is there */
	case UART_SCR:
		return s->scr;
	}
	return 0xff;
}

void serial_out(struct serial *s, unsigned offset, uint8_t value)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	switch (offset) {
	case UART_RX:
		if (dlab) {
			s->dll = value;
		} else {
			if (s->mcr & UART_MCR_LOOP)
				serial_receive(s, value);
			else if (s->tx)
				s->tx(s->ctx, value);
			s->tx_bytes++;
			s->thr_pending = true; /* sent at once: THR is empty again */
		}
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = value;
		} else {
			/* Enabling THRI while THR is empty raises the interrupt at once. */
			if ((value & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
				s->thr_pending = true;
			s->ier = value & 0x0f;
		}
		break;
	case UART_IIR:
		s->fcr = value;
		if (value & 0x02) /* clear the receive FIFO */
			s->rx_count = 0;
		break;
	case UART_LCR:
		s->lcr = value;
		break;
	case UART_MCR:
		s->mcr = value & 0x1f;
		break;
	case UART_SCR:
		s->scr = value;
		break;
	}
}

bool serial_receive(struct serial *s, uint8_t byte)
{
	if (s->rx_count == SERIAL_RX_SIZE)
		return false;
	s->rx[(s->rx_head + s->rx_count) % SERIAL_RX_SIZE] = byte;
	s->rx_count++;
	return true;
}

/* Call with the lock held. */
static void update_irq(struct serial *s)
{
	bool level = serial_irq(s);
	if (level == s->irq_level || !s->set_irq)
		return;
	s->set_irq(s->ctx, level);
	s->irq_level = level;
}

void serial_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)len; /* the registers are bytes: a wider access touches only the first */
	struct serial *s = opaque;
	pthread_mutex_lock(&s->lock);
	if (is_write)
		serial_out(s, (unsigned)offset, data[0]);
	else
		data[0] = serial_in(s, (unsigned)offset);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

bool serial_input(struct serial *s, uint8_t byte)
{
	pthread_mutex_lock(&s->lock);
	bool ok = serial_receive(s, byte);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return ok;
}
