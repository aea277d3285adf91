// Package notifytest holds a real SMTP server for tests, in process: the
// development mail catcher (devstack.MailCatcher), which can also be told
// to refuse mail.
package notifytest

import (
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/signet-clm/signet/internal/devstack"
)

// Mail is one message the server accepted.
type Mail struct {
	From      string
	To        []string
	Subject   string
	MessageID string
	Body      string
}

// SMTPServer accepts mail on a local port and keeps it.
type SMTPServer struct {
	catcher *devstack.MailCatcher
	mu      sync.Mutex
	failN   int
	failAt  int
}

// NewSMTPServer starts a server on 127.0.0.1 that t's cleanup stops.
func NewSMTPServer(t testing.TB) *SMTPServer {
	t.Helper()
	c, err := devstack.StartMailCatcher("127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	s := &SMTPServer{catcher: c}
	c.Refuse(s.refuse)
	return s
}

// Addr is the server's host:port.
func (s *SMTPServer) Addr() string { return s.catcher.Addr() }

// Messages returns the mail accepted so far.
func (s *SMTPServer) Messages() []Mail {
	var out []Mail
	for _, m := range s.catcher.Messages() {
		out = append(out, Mail{From: m.From, To: m.To, Subject: m.Subject, MessageID: m.MessageID, Body: m.Text})
	}
	return out
}

// FailNext makes the next n messages fail with an SMTP reply code.
func (s *SMTPServer) FailNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failAt = n, code
}

func (s *SMTPServer) refuse() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN > 0 {
		s.failN--
		return &smtp.SMTPError{Code: s.failAt, Message: "refused by the test server"}
	}
	return nil
}
