package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
)

type operation struct {
	Parameters []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	Responses map[string]any `json:"responses"`
	Security  *[]any         `json:"security"`
}

// TestOpenAPIDescribesTheRealRoutes checks the served document against the
// router: the same routes, declared path parameters, resolvable schemas and
// bearer auth with a 401 on every /v1 route but the document itself.
func TestOpenAPIDescribesTheRealRoutes(t *testing.T) {
	router := api.NewRouter(api.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RequestTimeout: time.Second})
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
	raw := rec.Body.Bytes()

	var doc struct {
		Security   []any                           `json:"security"`
		Paths      map[string]map[string]operation `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))

	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range router.Routes() {
		served[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	for route := range served {
		assert.True(t, documented[route], "route %s is not documented", route)
	}
	for route := range documented {
		assert.True(t, served[route], "documented %s is not a route", route)
	}

	template := regexp.MustCompile(`\{(\w+)\}`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for _, m := range template.FindAllStringSubmatch(path, -1) {
				declared := false
				for _, p := range op.Parameters {
					declared = declared || (p.In == "path" && p.Name == m[1])
				}
				assert.True(t, declared, "%s %s does not declare path parameter %s", method, path, m[1])
			}
			if strings.HasPrefix(path, "/v1/") && path != "/v1/openapi.json" {
				assert.Contains(t, op.Responses, "401", "%s %s", method, path)
				assert.True(t, op.Security == nil && len(doc.Security) > 0, "%s %s must use the global bearer auth", method, path)
			}
		}
	}

	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/schemas/(\w+)"`).FindAllSubmatch(raw, -1) {
		assert.Contains(t, doc.Components.Schemas, string(m[1]), "dangling $ref")
	}
}
