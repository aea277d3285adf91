package devstack

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// MailCatcher is the development mailbox: an SMTP server on loopback that
// keeps every message it accepts, so that signing links, codes and
// notices travel by email under `signet dev` (and in tests) as they do in
// production, and a developer reads them at GET /dev/mail.
type MailCatcher struct {
	addr string
	srv  *smtp.Server
	mu   sync.Mutex
	mail []Mail
	// refuse, when set, answers a message instead of keeping it (tests of
	// a failing mail server).
	refuse func() error
}

// Mail is one message the catcher accepted.
type Mail struct {
	From      string    `json:"from"`
	To        []string  `json:"to"`
	Recipient string    `json:"recipient"`
	Subject   string    `json:"subject"`
	MessageID string    `json:"message_id"`
	Text      string    `json:"text"`
	Time      time.Time `json:"time"`
}

// StartMailCatcher listens on addr (127.0.0.1:0 for any free port).
func StartMailCatcher(addr string) (*MailCatcher, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mail catcher: listen on %s: %w", addr, err)
	}
	m := &MailCatcher{addr: l.Addr().String()}
	m.srv = smtp.NewServer(catcherBackend{m})
	m.srv.Domain = "localhost"
	m.srv.AllowInsecureAuth = true
	go func() { _ = m.srv.Serve(l) }()
	return m, nil
}

// Addr is the catcher's host:port, for SIGNET_SMTP_ADDR.
func (m *MailCatcher) Addr() string { return m.addr }

// Close stops the server; the mail it kept stays readable.
func (m *MailCatcher) Close() error { return m.srv.Close() }

// Messages returns the mail accepted so far, oldest first.
func (m *MailCatcher) Messages() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.mail...)
}

// Refuse makes each message get fn's error (an *smtp.SMTPError for a
// reply code) instead of being kept while fn returns one; nil keeps all.
func (m *MailCatcher) Refuse(fn func() error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refuse = fn
}

// ServeHTTP answers GET /dev/mail: the mailbox, newest first, as JSON
// with ?format=json, else as text to read in a terminal.
func (m *MailCatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	msgs := m.Messages()
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Query().Get("format") {
	case "json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if msgs == nil {
			msgs = []Mail{}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": msgs})
	case "", "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, msg := range msgs {
			fmt.Fprintf(w, "── %s  to %s\n%s\n\n%s\n\n", msg.Time.Format(time.RFC3339), msg.Recipient, msg.Subject, msg.Text)
		}
	default:
		http.Error(w, "format: json or text", http.StatusBadRequest)
	}
}

type catcherBackend struct{ m *MailCatcher }

func (b catcherBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &catcherSession{m: b.m}, nil
}

type catcherSession struct {
	m    *MailCatcher
	from string
	to   []string
}

func (x *catcherSession) Reset()        { x.from, x.to = "", nil }
func (x *catcherSession) Logout() error { return nil }
func (x *catcherSession) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *catcherSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *catcherSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.m.mu.Lock()
	defer x.m.mu.Unlock()
	if x.m.refuse != nil {
		if err := x.m.refuse(); err != nil {
			return err
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparseable message"}
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body, _ := io.ReadAll(msg.Body)
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "base64") {
		body, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
	}
	x.m.mail = append(x.m.mail, Mail{From: x.from, To: x.to, Recipient: strings.Join(x.to, ", "), Subject: subject,
		MessageID: msg.Header.Get("Message-ID"), Text: string(body), Time: time.Now().UTC()})
	return nil
}
