package account

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Message is one plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends e-mail.
type Mailer interface {
	Send(ctx context.Context, msgs []Message) error
}

// SMTPMailer sends through an SMTP relay (GLC_SMTP_ADDR) with net/smtp, over one connection
// for a batch of messages. It uses STARTTLS when the relay offers it.
type SMTPMailer struct {
	Addr string
	From string
}

// Send delivers msgs; it stops at the first failure.
func (m *SMTPMailer) Send(ctx context.Context, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(nil); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	from := m.From
	if from == "" {
		from = "glc@" + host
	}
	for _, msg := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := m.sendOne(c, from, msg); err != nil {
			return err
		}
	}
	return c.Quit()
}

func (m *SMTPMailer) sendOne(c *smtp.Client, from string, msg Message) error {
	if strings.ContainsAny(msg.To, "\r\n") {
		return fmt.Errorf("smtp: bad recipient")
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp MAIL: %w", err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		return fmt.Errorf("smtp RCPT: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n")
	fmt.Fprintf(w, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
		from, msg.To, mime.QEncoding.Encode("utf-8", msg.Subject), time.Now().UTC().Format(time.RFC1123Z), body)
	return w.Close()
}
