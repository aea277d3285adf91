package console

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/domain"
)

// TestEveryLabelIsInTheCatalogue: each message key a template or page
// names exists, in both languages, with the same placeholders; every
// status, role and event kind has its label.
func TestEveryLabelIsInTheCatalogue(t *testing.T) {
	used := map[string]bool{}
	key := regexp.MustCompile(`(?:\.T|\bT)\s*\(?"([a-z_]+\.[a-z_.\-]+)"`)
	err := fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(templateFiles, path)
		for _, m := range key.FindAllStringSubmatch(string(raw), -1) {
			used[m[1]] = true
		}
		return err
	})
	assert.NoError(t, err)
	for _, k := range []string{"login.bad", "login.locked", "login.expired", "error.csrf", "error.not_found", "account.mismatch", "sla.left", "sla.over"} {
		used[k] = true
	}
	for _, a := range contractActionNames {
		used["action.done_"+a], used["action.refused_"+a] = true, true
	}
	for _, s := range ledgerSorts {
		used["sort."+s] = true
	}
	for _, s := range domain.Statuses {
		used["status."+string(s)] = true
	}
	for _, r := range domain.Roles {
		used["role."+string(r)] = true
	}
	assert.Greater(t, len(used), 150)
	verbs := regexp.MustCompile(`%[sdv]`)
	for k := range used {
		m, ok := messages[k]
		if !assert.True(t, ok, "no message %q", k) {
			continue
		}
		assert.NotEmpty(t, m.zh, k)
		assert.NotEmpty(t, m.en, k)
		assert.Equal(t, verbs.FindAllString(m.zh, -1), verbs.FindAllString(m.en, -1), "placeholders of %s", k)
	}
	for k, m := range messages {
		assert.NotEqual(t, m.zh, m.en, "%s is not translated", k)
	}
}

func TestLanguageChoice(t *testing.T) {
	for _, tc := range []struct{ chosen, accept, want string }{
		{"", "", langZH},
		{"", "en-US,en;q=0.9", langEN},
		{"", "fr-FR, en;q=0.5, zh-CN;q=0.8", langZH},
		{"", "de, fr", langZH},
		{"", "en;q=0, zh-TW", langZH},
		{"en", "zh-CN", langEN},
		{"zh-CN", "en", langZH},
		{"xx", "en", langEN},
	} {
		assert.Equal(t, tc.want, pickLanguage(tc.chosen, tc.accept), "%+v", tc)
	}
}

func TestOnlyLocalPathsAfterSignIn(t *testing.T) {
	for in, want := range map[string]string{
		"/inbox?status=open": "/inbox?status=open", "/": "/", "": "/", "//evil.example": "/", "https://evil.example/": "/",
		"/\\evil.example": "/", "javascript:alert(1)": "/", "inbox": "/", "/a\r\nSet-Cookie: x": "/",
	} {
		assert.Equal(t, want, localPath(in), in)
	}
}

// TestRouteTableIsWhatIsServed: the engine serves the console's table,
// each route once, beside the API's.
func TestRouteTableIsWhatIsServed(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	New(Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Mount(r)
	served := map[string]bool{}
	for _, rt := range r.Routes() {
		served[rt.Method+" "+rt.Path] = true
	}
	seen := map[string]bool{}
	for _, rt := range Routes() {
		k := rt.Method + " " + rt.Path
		assert.False(t, seen[k], "%s twice", k)
		seen[k] = true
		assert.True(t, served[k], "%s not served", k)
		assert.False(t, apiPath(rt.Path), "%s is under an API prefix", k)
		if rt.Access == Public {
			assert.Contains(t, []string{"GET /static/:file", "GET /login", "POST /login", "GET /login/oidc", "GET /login/oidc/callback", "GET /signing/:token/document",
				"GET /verify", "POST /verify"}, k,
				"only these need nobody (the OIDC pair carries its own proof, the signing document a link's token, and verification reads only what the visitor uploads)")
		}
	}
	assert.Equal(t, len(seen), len(served), fmt.Sprint(served))
	assert.True(t, apiPath("/v1/contracts") && apiPath("/sign/x") && apiPath("/healthz") && !apiPath("/contracts"))
	assert.False(t, strings.Contains(pagePolicy, "unsafe"))
}
