package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/signet-clm/signet/api"
)

// checkResponses wraps the API so that every JSON response an
// integration test sees is validated against the OpenAPI document: the
// operation must list the status, and the body must match its schema
// (additionalProperties false, every always-written field required), so a
// missing or extra field fails the test that produced it.
func checkResponses(t testing.TB, next http.Handler) http.Handler {
	c, err := loadConformance()
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &teeWriter{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if err := c.check(r.Method, r.URL.Path, rec); err != nil {
			t.Errorf("%s %s answered %d, which the OpenAPI document does not describe: %v\nbody: %.600s", r.Method, r.URL.Path, rec.status(), err, rec.body.Bytes())
		}
	})
}

// teeWriter passes a response through, keeping its status and body.
type teeWriter struct {
	http.ResponseWriter
	code int
	body bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if w.body.Len() < 8<<20 {
		w.body.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *teeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, fmt.Errorf("not a hijacker")
}

func (w *teeWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

type conformance struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	routes   []routeMatch
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

type routeMatch struct {
	method, template string
	pattern          *regexp.Regexp
}

var (
	conformanceOnce sync.Once
	conformanceDoc  *conformance
	conformanceErr  error
)

func loadConformance() (*conformance, error) {
	conformanceOnce.Do(func() {
		raw, err := os.ReadFile("openapi.json")
		if err != nil {
			conformanceErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			conformanceErr = err
			return
		}
		comp := jsonschema.NewCompiler()
		comp.DefaultDraft(jsonschema.Draft2020)
		if err := comp.AddResource("openapi.json", doc); err != nil {
			conformanceErr = err
			return
		}
		c := &conformance{doc: doc.(map[string]any), compiler: comp, schemas: map[string]*jsonschema.Schema{}}
		for _, r := range api.Routes() {
			re := "^" + ginParam.ReplaceAllString(regexp.QuoteMeta(r.Path), `[^/]+`) + "$"
			c.routes = append(c.routes, routeMatch{method: r.Method, template: ginParam.ReplaceAllString(r.Path, "{$1}"), pattern: regexp.MustCompile(re)})
		}
		conformanceDoc = c
	})
	return conformanceDoc, conformanceErr
}

// pointerEscape escapes a JSON Pointer token.
func pointerEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func (c *conformance) check(method, path string, w *teeWriter) error {
	var route *routeMatch
	for i := range c.routes {
		if c.routes[i].method == method && c.routes[i].pattern.MatchString(path) {
			route = &c.routes[i]
			break
		}
	}
	if route == nil {
		return nil // no route: the router's own 404 or 405
	}
	status := strconv.Itoa(w.status())
	ptr := "#/paths/" + pointerEscape(route.template) + "/" + strings.ToLower(method) + "/responses/" + status
	resp, ok := c.lookup(ptr)
	if !ok {
		return fmt.Errorf("status %s is not listed for %s %s", status, method, route.template)
	}
	if ref, _ := resp["$ref"].(string); ref != "" {
		ptr = ref
		if resp, ok = c.lookup(ref); !ok {
			return fmt.Errorf("dangling %s", ref)
		}
	}
	mediaType, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	if mediaType != "application/json" || w.body.Len() == 0 {
		return nil
	}
	content, _ := resp["content"].(map[string]any)
	if _, ok := content["application/json"]; !ok {
		return fmt.Errorf("%s lists no JSON body", ptr)
	}
	sch, err := c.schema("openapi.json" + ptr + "/content/application~1json/schema")
	if err != nil {
		return err
	}
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(w.body.Bytes()))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(body)
}

func (c *conformance) lookup(ptr string) (map[string]any, bool) {
	var at any = c.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := at.(map[string]any)
		if !ok {
			return nil, false
		}
		if at, ok = m[tok]; !ok {
			return nil, false
		}
	}
	m, ok := at.(map[string]any)
	return m, ok
}

func (c *conformance) schema(loc string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[loc]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", loc, err)
	}
	c.schemas[loc] = s
	return s, nil
}

// TestConformanceCheckCatchesShapes: the check refuses a body with a field
// the document does not list, one missing a required field, and a status
// the operation does not list; it accepts the real shape.
func TestConformanceCheckCatchesShapes(t *testing.T) {
	c, err := loadConformance()
	if err != nil {
		t.Fatal(err)
	}
	answer := func(status int, body string) *teeWriter {
		w := &teeWriter{ResponseWriter: httptestRecorder(), code: status}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.body.WriteString(body)
		return w
	}
	const good = `{"contract_number":"HT-2026-000001","title":"t","version":1,"round":1,"document_sha256":"ab","signers":[],"deadline_at":"2026-01-01T00:00:00Z","require_code":true}`
	if err := c.check(http.MethodGet, "/v1/contracts/HT-2026-000001/signing", answer(200, good)); err != nil {
		t.Errorf("the real shape is refused: %v", err)
	}
	extra := strings.Replace(good, `"round":1`, `"round":1,"event_seq":3`, 1)
	if c.check(http.MethodGet, "/v1/contracts/HT-2026-000001/signing", answer(200, extra)) == nil {
		t.Error("an extra field passes")
	}
	missing := strings.Replace(good, `"signers":[],`, ``, 1)
	if c.check(http.MethodGet, "/v1/contracts/HT-2026-000001/signing", answer(200, missing)) == nil {
		t.Error("a missing field passes")
	}
	if c.check(http.MethodGet, "/v1/contracts/HT-2026-000001/signing", answer(418, `{}`)) == nil {
		t.Error("an unlisted status passes")
	}
	if err := c.check(http.MethodGet, "/v1/contracts/HT-2026-000001/signing", answer(404, `{"error":"not_found","message":"no such resource","request_id":"x"}`)); err != nil {
		t.Errorf("an error body is refused: %v", err)
	}
}

func httptestRecorder() http.ResponseWriter { return httptest.NewRecorder() }
