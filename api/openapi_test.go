package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
)

// The parts of an OpenAPI 3.1 document these tests read.
type (
	openapiDoc struct {
		Security   []map[string][]string                 `json:"security"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas         map[string]json.RawMessage  `json:"schemas"`
			Responses       map[string]json.RawMessage  `json:"responses"`
			Parameters      map[string]openapiParameter `json:"parameters"`
			SecuritySchemes map[string]struct {
				Type   string `json:"type"`
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	openapiParameter struct {
		Ref      string `json:"$ref"`
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	}
	openapiOperation struct {
		Parameters []openapiParameter         `json:"parameters"`
		Responses  map[string]json.RawMessage `json:"responses"`
		// Security is nil when the operation does not name its own, so the
		// document's applies; an empty list means none.
		Security *[]map[string][]string `json:"security"`
	}
	// openapiPath is one path item: its shared parameters and its operations
	// by upper-case HTTP method.
	openapiPath struct {
		Parameters []openapiParameter
		Operations map[string]openapiOperation
	}
)

var openapiMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// ginParam matches a Gin path parameter (:name) or catch-all (*name).
var ginParam = regexp.MustCompile(`[:*](\w+)`)

// templateParam matches an OpenAPI path template's {name}.
var templateParam = regexp.MustCompile(`\{(\w+)\}`)

// serveOpenAPI builds the router with no services (only the document's
// handler runs) and fetches the document through it.
func serveOpenAPI(t *testing.T) (*gin.Engine, []byte) {
	t.Helper()
	router := api.NewRouter(api.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RequestTimeout: time.Second})
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	mediaType, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "application/json", mediaType)
	require.True(t, json.Valid(rec.Body.Bytes()), "the document is not valid JSON")
	return router, rec.Body.Bytes()
}

func parseOpenAPI(t *testing.T, raw []byte) (openapiDoc, map[string]openapiPath) {
	t.Helper()
	var doc openapiDoc
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Paths, "the document has no paths")
	paths := map[string]openapiPath{}
	for path, item := range doc.Paths {
		p := openapiPath{Operations: map[string]openapiOperation{}}
		if params, ok := item["parameters"]; ok {
			require.NoError(t, json.Unmarshal(params, &p.Parameters), "parameters of %s", path)
		}
		for _, method := range openapiMethods {
			body, ok := item[method]
			if !ok {
				continue
			}
			var op openapiOperation
			require.NoError(t, json.Unmarshal(body, &op), "%s %s", strings.ToUpper(method), path)
			for i, param := range op.Parameters {
				if name, ok := strings.CutPrefix(param.Ref, "#/components/parameters/"); ok {
					shared, exists := doc.Components.Parameters[name]
					require.True(t, exists, "%s %s: dangling parameter $ref %q", method, path, param.Ref)
					op.Parameters[i] = shared
				}
			}
			p.Operations[strings.ToUpper(method)] = op
		}
		paths[path] = p
	}
	return doc, paths
}

// TestOpenAPIDocumentIsServed: GET /v1/openapi.json answers 200 with a JSON
// OpenAPI 3.1 document, without a token.
func TestOpenAPIDocumentIsServed(t *testing.T) {
	_, raw := serveOpenAPI(t)
	var head struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title   string `json:"title"`
			Version string `json:"version"`
		} `json:"info"`
	}
	require.NoError(t, json.Unmarshal(raw, &head))
	assert.True(t, strings.HasPrefix(head.OpenAPI, "3.1."), "openapi is %q", head.OpenAPI)
	assert.Equal(t, "Signet", head.Info.Title)
	assert.NotEmpty(t, head.Info.Version)
}

// TestOpenAPIDocumentsExactlyTheRoutes: the document's operations are the
// router's routes, no more and no fewer.
func TestOpenAPIDocumentsExactlyTheRoutes(t *testing.T) {
	router, raw := serveOpenAPI(t)
	_, paths := parseOpenAPI(t, raw)

	documented := map[string]bool{}
	for path, p := range paths {
		for method := range p.Operations {
			documented[method+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range router.Routes() {
		served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	require.NotEmpty(t, served)

	var missing, extra []string
	for route := range served {
		if !documented[route] {
			missing = append(missing, route)
		}
	}
	for route := range documented {
		if !served[route] {
			extra = append(extra, route)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	assert.Empty(t, missing, "routes the router serves that the document does not describe")
	assert.Empty(t, extra, "operations the document describes that the router does not serve")
}

// TestOpenAPIDeclaresPathParameters: every {name} in a path template is a
// required path parameter of each of its operations (declared on the
// operation or on the path item), and every declared path parameter is in
// the template.
func TestOpenAPIDeclaresPathParameters(t *testing.T) {
	_, raw := serveOpenAPI(t)
	_, paths := parseOpenAPI(t, raw)
	for path, p := range paths {
		var inTemplate []string
		for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
			inTemplate = append(inTemplate, m[1])
		}
		for method, op := range p.Operations {
			declared := map[string]openapiParameter{}
			for _, param := range slices.Concat(p.Parameters, op.Parameters) {
				if param.In == "path" {
					declared[param.Name] = param
				}
			}
			for _, name := range inTemplate {
				param, ok := declared[name]
				if assert.True(t, ok, "%s %s does not declare path parameter %q", method, path, name) {
					assert.True(t, param.Required, "%s %s: path parameter %q must be required", method, path, name)
				}
			}
			for name := range declared {
				assert.Contains(t, inTemplate, name, "%s %s declares path parameter %q that its template lacks", method, path, name)
			}
		}
	}
}

// TestOpenAPIRefsResolve: every $ref in the document names an existing
// entry of components (schemas, responses or parameters).
func TestOpenAPIRefsResolve(t *testing.T) {
	_, raw := serveOpenAPI(t)
	doc, _ := parseOpenAPI(t, raw)
	var tree any
	require.NoError(t, json.Unmarshal(raw, &tree))

	refs := 0
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"]; ok {
				refs++
				ref, _ := r.(string)
				kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
				name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
				if assert.True(t, ok && strings.HasPrefix(ref, "#/components/") && !strings.Contains(name, "/"), "%s: $ref %q does not name a component", at, ref) {
					var exists bool
					switch kind {
					case "schemas":
						_, exists = doc.Components.Schemas[name]
					case "responses":
						_, exists = doc.Components.Responses[name]
					case "parameters":
						_, exists = doc.Components.Parameters[name]
					}
					assert.True(t, exists, "%s: dangling $ref %q", at, ref)
				}
			}
			for k, child := range v {
				walk(at+"/"+k, child)
			}
		case []any:
			for _, child := range v {
				walk(at+"[]", child)
			}
		}
	}
	walk("#", tree)
	assert.Positive(t, refs, "the document uses no component schemas")
}

// TestOpenAPIBearerAuth: every /v1 operation but the document itself is
// secured with bearerAuth (its own security or the document's) and lists
// 401; the routes outside /v1 and the document are open.
func TestOpenAPIBearerAuth(t *testing.T) {
	_, raw := serveOpenAPI(t)
	doc, paths := parseOpenAPI(t, raw)
	scheme, ok := doc.Components.SecuritySchemes["bearerAuth"]
	require.True(t, ok, "components/securitySchemes has no bearerAuth")
	assert.Equal(t, "http", scheme.Type)
	assert.Equal(t, "bearer", strings.ToLower(scheme.Scheme))

	usesBearer := func(reqs []map[string][]string) bool {
		return slices.ContainsFunc(reqs, func(r map[string][]string) bool {
			_, ok := r["bearerAuth"]
			return ok
		})
	}
	for path, p := range paths {
		for method, op := range p.Operations {
			effective := doc.Security
			if op.Security != nil {
				effective = *op.Security
			}
			_, bearer := bearerRoutes()[strings.ToUpper(method)+" "+templateParam.ReplaceAllString(path, ":$1")]
			public := !bearer
			if strings.HasPrefix(path, "/v1/") && path != "/v1/openapi.json" && !public {
				_, lists401 := op.Responses["401"]
				assert.True(t, lists401, "%s %s must list 401", method, path)
				assert.True(t, usesBearer(effective), "%s %s must use bearerAuth", method, path)
			} else {
				assert.False(t, usesBearer(effective), "%s %s is served without a token; the document must not require bearerAuth", method, path)
			}
		}
	}
}
