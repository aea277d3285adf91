package api

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/config"
)

// Bounds on the connection, so slow or stalled clients cost a connection
// and never what other requests need.
const (
	// DefaultBodyTimeout is how long a client has to send a JSON body.
	DefaultBodyTimeout = config.DefaultBodyTimeout
	// uploadTimeout is how long an upload may take to arrive.
	uploadTimeout = 10 * time.Minute
	// headerTimeout bounds the request line and headers; idleTimeout a
	// kept-alive connection between requests.
	headerTimeout = 10 * time.Second
	idleTimeout   = 2 * time.Minute
	maxHeaderSize = 64 << 10
)

// errSlowBody is a body that did not arrive within its bound.
var errSlowBody = errors.New("the request body did not arrive in time")

// readBody reads a request's whole body, bounded in size and time, before
// the request takes an admission slot. A client that sends its headers
// and then stalls holds its own connection but no slot, so it cannot
// make everyone else's requests answer 429.
func (h *handlers) readBody(c *gin.Context) {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		c.Next()
		return
	}
	limit := h.d.BodyTimeout
	if limit <= 0 {
		limit = DefaultBodyTimeout
	}
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(limit))
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil && timedOut(err) {
		// The deadline stays passed, so the server's drain of the rest of
		// the body fails at once and the connection closes after the 408.
		c.Header("Connection", "close")
		writeError(c, h.d.Logger, errSlowBody)
		return
	}
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		writeError(c, h.d.Logger, decodeError(err))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	c.Next()
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// admitUpload gives uploads, which stream their bodies, their own small
// pool and longer deadlines: a stalled upload holds an upload slot, never
// one of the slots every other request needs.
func (h *handlers) admitUpload(c *gin.Context) {
	rc := http.NewResponseController(c.Writer)
	deadline := time.Now().Add(uploadTimeout)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline.Add(h.requestTimeout()))
	if h.uploads != nil {
		select {
		case h.uploads <- struct{}{}:
			defer func() { <-h.uploads }()
		default:
			writeError(c, h.d.Logger, errOverloaded)
			return
		}
	}
	c.Next()
}

func (h *handlers) requestTimeout() time.Duration {
	if h.d.RequestTimeout > 0 {
		return h.d.RequestTimeout
	}
	return 10 * time.Second
}

// extendWrite lets a response that streams for longer than a request
// (an export) keep writing until limit.
func extendWrite(c *gin.Context, limit time.Duration) {
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(limit))
}

// newServer is the HTTP server with every connection bound: headers,
// bodies (per route, see readBody and admitUpload), writes and idle
// keep-alives. A write may take as long as the request it answers may.
func newServer(addr string, handler http.Handler, requestTimeout, bodyTimeout time.Duration) *http.Server {
	if bodyTimeout <= 0 {
		bodyTimeout = DefaultBodyTimeout
	}
	return &http.Server{
		Addr: addr, Handler: handler,
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       uploadTimeout,
		WriteTimeout:      bodyTimeout + requestTimeout + 30*time.Second,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderSize,
	}
}

// contentSecurityPolicy lets Signet's own pages (documents, certificates)
// show their inline styles and data: images and nothing else: no script,
// no frame around them, no form posting elsewhere, no base URL.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// secureHeaders sets what every answer carries: no sniffing of content
// types, no framing, no Referer (signing links hold their token in the
// path), and no caching: documents, ledgers and links are confidential
// and change. A handler may relax caching for what is public.
func (h *handlers) secureHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	c.Next()
}
