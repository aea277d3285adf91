package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/imports"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages serves the console.
type pages struct {
	d          Deps
	cop        *http.CrossOriginProtection
	cookieName string
	inflight   chan struct{}
	// tmpl is each page's template set (the layout and the page), by name.
	tmpl map[string]*template.Template
	// static is each static file's content and its version (a hash of
	// it), which its URL carries so a browser may cache it for long.
	files map[string]staticFile
}

type staticFile struct {
	body        []byte
	contentType string
	version     string
}

// funcs are the few helpers templates use besides the view's methods.
var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	// milli writes a quantity in thousandths: 1500 → 1.5.
	"milli": func(q int64) string {
		s := strconv.FormatFloat(float64(q)/1000, 'f', -1, 64)
		return s
	},
}

// pageNames are the templates under templates/ that are whole pages.
var pageNames = []string{"login", "home", "inbox", "task", "contract", "newcontract", "ledger", "account", "error", "sign", "signgone", "signdone", "seals", "notices", "audit", "reports", "customers", "customer", "users", "user", "delegations", "notifysettings", "templates", "template", "policies", "policy", "imports", "verify"}

func newPages(d Deps) *pages {
	p := &pages{d: d, cop: http.NewCrossOriginProtection(), cookieName: "signet_session", tmpl: map[string]*template.Template{},
		files: map[string]staticFile{}}
	if d.Secure {
		// __Host-: only ever set by this host over https, for the whole site.
		p.cookieName = "__Host-signet_session"
	}
	if d.MaxInFlight > 0 {
		p.inflight = make(chan struct{}, d.MaxInFlight)
	}
	if d.PublicOrigin != "" {
		if err := p.cop.AddTrustedOrigin(d.PublicOrigin); err != nil {
			d.Logger.Warn("SIGNET_PUBLIC_URL is no origin the cross-origin check can trust", "origin", d.PublicOrigin, "err", err)
		}
	}
	for _, name := range pageNames {
		p.tmpl[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
	}
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		body, err := fs.ReadFile(staticFiles, "static/"+e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		p.files[e.Name()] = staticFile{body: body, contentType: mime.TypeByExtension(path.Ext(e.Name())), version: hex.EncodeToString(sum[:6])}
	}
	return p
}

// static serves an embedded file; its URL names its version, so it may
// be cached for a day.
func (p *pages) static(c *gin.Context) {
	f, ok := p.files[c.Param("file")]
	if !ok {
		p.notFound(c)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, f.contentType, f.body)
}

// view is what every template gets: the visitor, their language, the
// page's own data and the helpers.
type view struct {
	lang  string
	loc   *time.Location
	now   time.Time
	p     *pages
	User  *domain.User
	CSRF  string
	Nav   string
	Title string
	// Here is the page's own path, for forms that come back to it.
	Here string
	// Flash is a message of the catalogue to show at the top.
	Flash string
	Data  any
	// UnreadNotices is the visitor's unread in-app notices, for the badge.
	UnreadNotices int
}

func (p *pages) view(c *gin.Context, nav string, data any) *view {
	v := &view{lang: c.GetString(langKey), loc: p.d.Location, now: time.Now(), p: p, Nav: nav, Data: data, Here: "/"}
	if c.Request.Method == http.MethodGet {
		v.Here = c.Request.URL.RequestURI()
	}
	if v.lang == "" {
		v.lang = langZH
	}
	if u, ok := c.Get(userKey); ok {
		user := u.(domain.User)
		v.User = &user
		v.CSRF = identity.CSRFToken(c.GetString(sessionKey))
		// The badge is a nicety: a page still renders without it.
		if n, err := p.d.Users.Notices(c.Request.Context(), user, identity.NoticesInput{Unread: true, Limit: 1}); err == nil {
			v.UnreadNotices = n.Unread
		}
	}
	return v
}

// NoticeLink is a notice's link if it is a path on this site, else empty.
func (v *view) NoticeLink(link string) string {
	if l := localPath(link); l == link {
		return l
	}
	return ""
}

// render writes page name with status; for htmx requests that ask for a
// fragment (the decision panel, say), only that block.
func (p *pages) render(c *gin.Context, status int, name string, v *view) {
	t := p.tmpl[name]
	var buf bytes.Buffer
	// htmx asks for the element it will replace (HX-Target): its
	// fragment, or for an error page its alert alone.
	block := "layout.html"
	if frag := c.GetHeader("HX-Target"); c.GetHeader("HX-Request") != "" && frag != "" {
		if t.Lookup("frag-"+frag) != nil {
			block = "frag-" + frag
		} else if t.Lookup("fragment") != nil {
			block = "fragment"
		}
	}
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		p.d.Logger.Error("render page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error"))
		c.Abort()
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// errorPage is the error template's data.
type errorPage struct {
	Status  int
	Heading string
	Detail  string
}

// fail shows the error page with a message of the catalogue.
func (p *pages) fail(c *gin.Context, status int, key string) {
	v := p.view(c, "", nil)
	v.Title = v.T(key)
	v.Data = errorPage{Status: status, Heading: v.T(key)}
	p.render(c, status, "error", v)
}

func (p *pages) notFound(c *gin.Context) { p.fail(c, http.StatusNotFound, "error.not_found") }

// serviceError shows what a service's error means, as the API would
// answer it: 404 for what the caller may not see, the refusal's reason,
// 503 for an outage; never the error's text otherwise.
func (p *pages) serviceError(c *gin.Context, err error) {
	status, body := api.ErrorStatus(err)
	switch {
	case status == http.StatusNotFound:
		p.notFound(c)
	case status >= 500:
		if status == http.StatusInternalServerError {
			p.d.Logger.Error("console page failed", "path", c.FullPath(), "err", err)
		} else {
			c.Header("Retry-After", "5")
		}
		p.fail(c, http.StatusServiceUnavailable, "error.unavailable")
	default:
		v := p.view(c, "", nil)
		v.Title = v.T("error.refused")
		v.Data = errorPage{Status: status, Heading: v.T("error.refused"), Detail: body.Message}
		p.render(c, status, "error", v)
	}
}

// T is a message of the catalogue in the page's language, with args
// filled in as fmt does.
func (v *view) T(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m.zh
	if v.lang == langEN {
		s = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Lang is the page's language as HTML names it.
func (v *view) Lang() string { return v.lang }

// OtherLang is the language the switch in the top bar offers.
func (v *view) OtherLang() string {
	if v.lang == langEN {
		return langZH
	}
	return langEN
}

// Static is a static file's versioned URL.
func (v *view) Static(name string) string {
	return "/static/" + name + "?v=" + v.p.files[name].version
}

// Label is the catalogue's name of a vocabulary value: a status, role,
// event kind or task status ("status", "in_review").
func (v *view) Label(kind string, value any) string {
	s := fmt.Sprint(value)
	if s == "" {
		return ""
	}
	key := kind + "." + s
	if _, ok := messages[key]; ok {
		return v.T(key)
	}
	return s
}

// Hours writes a duration in seconds as hours to a tenth; — for none.
func (v *view) Hours(seconds *float64) string {
	if seconds == nil {
		return "—"
	}
	return v.T("reports.hours", *seconds/3600)
}

// Tiers are the customer tiers.
func (v *view) Tiers() []string { return []string{"A", "B", "C"} }

// CustomerStatuses are the customer list's status filter values.
func (v *view) CustomerStatuses() []string { return []string{"active", "inactive", "merged", "all"} }

// RenewalWindows are the renewal pipeline's windows, in days.
func (v *view) RenewalWindows() []string { return []string{"30", "60", "90"} }

// Money writes minor units of currency: CNY 110,740.00.
func (v *view) Money(amount int64, currency string) string {
	return document.FormatMoney(domain.Money{Amount: amount, Currency: currency}, "en")
}

// Date writes a YYYY-MM-DD date as the page's language does.
func (v *view) Date(date string) string {
	if v.lang == langEN {
		return date
	}
	return document.FormatDate(date, "zh")
}

// Time writes an instant in the configured zone, to the minute.
func (v *view) Time(t any) string {
	var at time.Time
	switch x := t.(type) {
	case time.Time:
		at = x
	case *time.Time:
		if x == nil {
			return ""
		}
		at = *x
	default:
		return ""
	}
	return at.In(v.loc).Format("2006-01-02 15:04")
}

// Countdown says how long until a deadline, or how long it is past:
// "剩余 2 天 3 小时", "已超时 5 小时".
func (v *view) Countdown(due *time.Time) string {
	if due == nil {
		return v.T("sla.none")
	}
	d := due.Sub(v.now)
	key := "sla.left"
	if d < 0 {
		key, d = "sla.over", -d
	}
	return v.T(key, v.duration(d))
}

// Overdue reports a deadline passed.
func (v *view) Overdue(due *time.Time) bool { return due != nil && due.Before(v.now) }

// duration writes d in days and hours, or minutes under an hour.
func (v *view) duration(d time.Duration) string {
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	switch {
	case days > 0:
		return v.T("dur.days_hours", days, hours)
	case hours > 0:
		return v.T("dur.hours", hours)
	default:
		return v.T("dur.minutes", max(1, int(d/time.Minute)))
	}
}

// Saw writes what a rule saw: "amount=10000000, currency=CNY".
func (v *view) Saw(saw map[string]any) string {
	keys := slices.Sorted(maps.Keys(saw))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, saw[k])
	}
	return strings.Join(parts, ", ")
}

// Has reports whether the visitor holds role r.
func (v *view) Has(r string) bool { return v.User != nil && v.User.Actor().Has(domain.Role(r)) }

// LedgerNav reports whether the nav shows the ledger.
func (v *view) LedgerNav() bool { return v.User != nil && mayReadLedger(*v.User) }

// NewNav reports whether the nav offers a new contract.
func (v *view) NewNav() bool { return v.User != nil && mayDraft(*v.User) }

// ImportNav reports whether the nav offers bulk import.
func (v *view) ImportNav() bool { return v.User != nil && imports.MayImport(*v.User) }

// Initial is the visitor's avatar letter.
func (v *view) Initial() string {
	if v.User == nil || v.User.Name == "" {
		return "?"
	}
	return string([]rune(v.User.Name)[0])
}
