package notify

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTPConfig is the mail server notices go through.
type SMTPConfig struct {
	Addr     string
	From     string
	Username string
	Password string
}

type email struct{ cfg SMTPConfig }

// NewEmail delivers plain-text mail over SMTP (STARTTLS when offered).
func NewEmail(cfg SMTPConfig) Sender { return email{cfg: cfg} }

func (e email) Send(ctx context.Context, t Target, m Message) error {
	if strings.ContainsAny(t.Address+m.Subject+m.ID, "\r\n") {
		return fmt.Errorf("%w: line breaks in a header", ErrPermanent)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp dial: %w", err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	host, _, _ := net.SplitHostPort(e.cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	defer c.Close()
	if err := e.session(c, host, t.Address, m); err != nil {
		return classifySMTP(err)
	}
	return c.Quit()
}

func (e email) session(c *smtp.Client, host, to string, m Message) error {
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(tlsConfig(host)); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if e.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.cfg.Username, e.cfg.Password, host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(e.cfg.From); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(e.compose(to, m)); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end data: %w", err)
	}
	return nil
}

// compose builds the message. Message-ID is the delivery ID, so a mail
// resent after a crash is the same mail to the reader's client.
func (e email) compose(to string, m Message) []byte {
	body := m.Text
	if m.Link != "" {
		body += "\n\n" + m.Link
	}
	var b strings.Builder
	for _, h := range [][2]string{
		{"From", e.cfg.From}, {"To", to}, {"Subject", mime.BEncoding.Encode("UTF-8", m.Subject)},
		{"Date", time.Now().Format(time.RFC1123Z)}, {"Message-ID", "<" + m.ID + "@signet>"},
		{"MIME-Version", "1.0"}, {"Content-Type", "text/plain; charset=UTF-8"}, {"Content-Transfer-Encoding", "base64"},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return []byte(b.String())
}

// classifySMTP marks 5xx replies permanent; 4xx and network trouble retry.
func classifySMTP(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return fmt.Errorf("%w: smtp %w", ErrPermanent, err)
	}
	return fmt.Errorf("smtp: %w", err)
}

func tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}
