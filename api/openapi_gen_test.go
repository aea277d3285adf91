package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
)

// The OpenAPI document is half written by hand, half generated:
//
//   - by hand (kept as they are in openapi.json): info, tags, each
//     operation's ID, summary, description, query parameters, request body,
//     success headers and non-JSON content, the descriptions of its error
//     responses, request schemas, enums, and descriptions of schema
//     properties;
//   - generated from the route table (api.Routes) and the API's Go response
//     types: which operations exist, their path parameters and security,
//     every JSON success schema, the shared error responses and parameters,
//     and the component schemas of every response type (marked x-go-type),
//     with additionalProperties false and every field Go always writes
//     required.
//
// TestOpenAPIIsGenerated fails when regenerating would change the file;
// `make openapi` (SIGNET_UPDATE_OPENAPI=1) rewrites it.

const updateOpenAPIEnv = "SIGNET_UPDATE_OPENAPI"

func TestOpenAPIIsGenerated(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	out, err := generateOpenAPI(raw)
	require.NoError(t, err)
	if bytes.Equal(raw, out) {
		return
	}
	if os.Getenv(updateOpenAPIEnv) != "" {
		require.NoError(t, os.WriteFile("openapi.json", out, 0o644))
		t.Logf("openapi.json regenerated")
		return
	}
	t.Fatalf("openapi.json is not what the route table and response types generate; run `make openapi` (%s=1 go test ./api -run TestOpenAPIIsGenerated) and commit it", updateOpenAPIEnv)
}

type jsonObj = map[string]any

// errorResponses are the shared error responses by status.
var errorResponses = []struct {
	status      int
	name, about string
	retryAfter  int
}{
	{400, "BadRequest", "The request has invalid fields (named in fields), or a parameter the route does not take.", 0},
	{401, "Unauthorized", "No bearer token, or an unknown, expired or revoked one (WWW-Authenticate: Bearer).", 0},
	{403, "Forbidden", "The caller's role may not do this.", 0},
	{404, "NotFound", "No such resource, or one the caller may not see.", 0},
	{408, "RequestTimeout", "The request body did not arrive within its bound (SIGNET_BODY_TIMEOUT); nothing was applied.", 0},
	{409, "Conflict", "The resource is not in a state that allows this.", 0},
	{410, "Gone", "The signing link was used, voided or has expired.", 0},
	{413, "TooLarge", "The body is larger than the limit; nothing was stored.", 0},
	{422, "Unprocessable", "Well-formed, but the rules refuse it (the message says why).", 0},
	{429, "Overloaded", "The API is at SIGNET_MAX_INFLIGHT requests in flight; retry after Retry-After.", 1},
	{503, "Unavailable", "PostgreSQL or Temporal is unavailable, or the request timed out; retry after Retry-After.", 5},
}

func errorResponseName(status int) string {
	for _, e := range errorResponses {
		if e.status == status {
			return e.name
		}
	}
	return ""
}

// pathParameters are the shared path parameters by name.
var pathParameters = map[string]jsonObj{
	"number": {"name": "number", "in": "path", "required": true, "description": "Contract number.",
		"schema": jsonObj{"type": "string", "pattern": `^HT-\d{4}-\d{6}$`}, "example": "HT-2026-000123"},
	"id":         {"name": "id", "in": "path", "required": true, "description": "The resource's ID.", "schema": jsonObj{"type": "string", "maxLength": 200}},
	"contact_id": {"name": "contact_id", "in": "path", "required": true, "description": "A contact's ID.", "schema": jsonObj{"type": "string", "maxLength": 200}},
	"version":    {"name": "version", "in": "path", "required": true, "description": "Version number, from 1.", "schema": jsonObj{"type": "integer", "minimum": 1, "maximum": 2147483647}},
	"kind":       {"name": "kind", "in": "path", "required": true, "description": "What an import file holds.", "schema": jsonObj{"type": "string", "enum": []string{"customers", "products", "contracts"}}},
	"token":      {"name": "token", "in": "path", "required": true, "description": "The signing link's token: the credential.", "schema": jsonObj{"type": "string", "maxLength": 200}},
	"source": {"name": "source", "in": "path", "required": true, "description": "The other system's name, as the integration calls it (crm, erp, kingdee): 1 to 32 of a-z, 0-9, '_' and '-'.",
		"schema": jsonObj{"type": "string", "pattern": `^[a-z0-9_-]{1,32}$`}, "example": "crm"},
	"external_id": {"name": "external_id", "in": "path", "required": true,
		"description": "The other system's ID of the record, 1 to 128 characters, percent-encoded as one path segment: '/' as %2F, '+' as %2B, Chinese as its UTF-8 bytes (%E5%AE%A2...). Signet routes on the encoded path and decodes each segment once.",
		"schema":      jsonObj{"type": "string", "minLength": 1, "maxLength": 128}, "example": "CUST/2024/0001"},
}

func paramName(n string) string { return "Path" + strings.ToUpper(n[:1]) + n[1:] }

// generateOpenAPI regenerates the document from its hand-kept parts in raw.
func generateOpenAPI(raw []byte) ([]byte, error) {
	var doc jsonObj
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	comps := obj(doc, "components")
	oldSchemas := obj(comps, "schemas")

	// Component schemas: the hand-kept ones, then every response type.
	gen := &schemaGen{old: oldSchemas, out: jsonObj{}}
	for name, s := range oldSchemas {
		if _, generated := s.(jsonObj)["x-go-type"]; !generated {
			gen.out[name] = s
		}
	}
	routes := api.Routes()
	for _, r := range routes {
		for _, b := range r.Body {
			if _, err := gen.ref(reflect.TypeOf(b)); err != nil {
				return nil, err
			}
		}
	}
	if _, err := gen.ref(reflect.TypeFor[api.ErrorBody]()); err != nil {
		return nil, err
	}
	comps["schemas"] = gen.out

	responses := jsonObj{}
	for _, e := range errorResponses {
		r := jsonObj{"description": e.about, "content": jsonObj{"application/json": jsonObj{"schema": schemaRef("ErrorBody")}}}
		if e.retryAfter > 0 {
			r["headers"] = jsonObj{"Retry-After": jsonObj{"description": "Seconds to wait before retrying.",
				"schema": jsonObj{"type": "integer", "examples": []any{e.retryAfter}}}}
		}
		responses[e.name] = r
	}
	comps["responses"] = responses
	params := jsonObj{
		"RequestID": jsonObj{"name": api.RequestIDHeader, "in": "header", "required": false,
			"description": "The client's ID for this request, echoed back; for a decision it is the Workflow Update ID, so a retried request applies once. 1 to 128 printable ASCII characters; one is made up when absent.",
			"schema":      jsonObj{"type": "string", "maxLength": 128}},
		"Cursor": jsonObj{"name": "cursor", "in": "query", "required": false, "description": "next_cursor of the previous page (opaque).",
			"schema": jsonObj{"type": "string", "maxLength": 1000}},
	}
	for name, p := range pathParameters {
		params[paramName(name)] = p
	}
	comps["parameters"] = params

	// Paths: exactly the route table's.
	oldPaths := obj(doc, "paths")
	paths := jsonObj{}
	for _, r := range routes {
		tpl := ginParam.ReplaceAllString(r.Path, "{$1}")
		method := strings.ToLower(r.Method)
		item, _ := oldPaths[tpl].(jsonObj)
		op, _ := item[method].(jsonObj)
		if op == nil {
			return nil, fmt.Errorf("%s %s: the document has no operation to keep its summary and request body; add one by hand", r.Method, tpl)
		}
		if err := generateOperation(r, op); err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.Method, tpl, err)
		}
		into, _ := paths[tpl].(jsonObj)
		if into == nil {
			into = jsonObj{}
			if p, ok := item["parameters"]; ok {
				into["parameters"] = p
			}
			paths[tpl] = into
		}
		into[method] = op
	}
	doc["paths"] = paths
	pruneSchemas(doc)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func generateOperation(r api.Route, op jsonObj) error {
	// Parameters: shared path parameters, the request ID, the cursor; the
	// rest as written.
	var params []any
	for _, m := range ginParam.FindAllStringSubmatch(r.Path, -1) {
		if _, ok := pathParameters[m[1]]; !ok {
			return fmt.Errorf("no shared path parameter %q", m[1])
		}
		params = append(params, jsonObj{"$ref": "#/components/parameters/" + paramName(m[1])})
	}
	if r.Access != api.Probe {
		params = append(params, jsonObj{"$ref": "#/components/parameters/RequestID"})
	}
	old, _ := op["parameters"].([]any)
	for _, p := range old {
		p := p.(jsonObj)
		if ref, _ := p["$ref"].(string); ref != "" {
			if ref == "#/components/parameters/Cursor" {
				params = append(params, p)
			}
			continue
		}
		switch {
		case p["in"] == "path", p["in"] == "header" && p["name"] == api.RequestIDHeader:
		case p["in"] == "query" && p["name"] == "cursor":
			params = append(params, jsonObj{"$ref": "#/components/parameters/Cursor"})
		default:
			params = append(params, p)
		}
	}
	op["parameters"] = params

	// Responses: the success as the route table says; errors as shared
	// responses, keeping an operation's own description of when.
	oldResponses, _ := op["responses"].(jsonObj)
	responses := jsonObj{}
	success := strconv.Itoa(r.Status)
	for code, resp := range oldResponses {
		resp := resp.(jsonObj)
		status, err := strconv.Atoi(code)
		if err != nil {
			return fmt.Errorf("response %q", code)
		}
		if status < 400 {
			// Another success than the route's (201 beside 200 for a
			// create-or-update) is kept as written.
			if code != success {
				responses[code] = resp
			}
			continue
		}
		name := errorResponseName(status)
		if name == "" || !isErrorBody(resp) {
			responses[code] = resp
			continue
		}
		ref := jsonObj{"$ref": "#/components/responses/" + name}
		desc, _ := resp["description"].(string)
		if desc != "" && desc != errorAbout(status) {
			ref["description"] = desc
		}
		responses[code] = ref
	}
	ensure := func(status int) {
		if _, ok := responses[strconv.Itoa(status)]; !ok {
			responses[strconv.Itoa(status)] = jsonObj{"$ref": "#/components/responses/" + errorResponseName(status)}
		}
	}
	// Any bounded route refuses a query value that is not plain text (400);
	// a bearer route answers 401 without a token, 403 to a role it leaves
	// out; any bounded route 429 past the in-flight limit, 503 on an outage.
	// An X-Request-ID reused for another request is a conflict.
	if r.Access != api.Probe && r.Method != http.MethodGet {
		ensure(409)
	}
	// A body that does not arrive in time is 408, one over the limit 413.
	if _, hasBody := op["requestBody"]; hasBody && r.Access != api.Probe {
		ensure(408)
		ensure(413)
	}
	switch r.Access {
	case api.Bearer:
		ensure(400)
		ensure(401)
		if len(r.Roles) > 0 {
			ensure(403)
		}
		ensure(429)
		ensure(503)
		delete(op, "security")
	case api.Public:
		ensure(400)
		ensure(429)
		ensure(503)
		op["security"] = []any{}
	default:
		op["security"] = []any{}
	}
	ok, _ := oldResponses[success].(jsonObj)
	if ok == nil {
		ok = jsonObj{"description": http200(r.Status)}
	}
	if len(r.Body) > 0 {
		content, _ := ok["content"].(jsonObj)
		if content == nil {
			content = jsonObj{}
		}
		var refs []any
		for _, b := range r.Body {
			refs = append(refs, schemaRef(schemaName(reflect.TypeOf(b))))
		}
		schema := refs[0].(jsonObj)
		if len(refs) > 1 {
			schema = jsonObj{"oneOf": refs}
		}
		content["application/json"] = jsonObj{"schema": schema}
		ok["content"] = content
	} else if content, _ := ok["content"].(jsonObj); content != nil {
		if _, isJSON := content["application/json"]; isJSON && r.Path != "/v1/openapi.json" {
			return fmt.Errorf("documents a JSON success the route table does not type")
		}
	}
	responses[success] = ok
	op["responses"] = responses
	return nil
}

func http200(status int) string {
	if status == 204 {
		return "Done; no body."
	}
	return "Done."
}

func errorAbout(status int) string {
	for _, e := range errorResponses {
		if e.status == status {
			return e.about
		}
	}
	return ""
}

// isErrorBody reports a response that is an ErrorBody (or a reference to
// a shared error response), which the shared responses replace.
func isErrorBody(resp jsonObj) bool {
	if ref, _ := resp["$ref"].(string); strings.HasPrefix(ref, "#/components/responses/") {
		return true
	}
	content, _ := resp["content"].(jsonObj)
	if content == nil {
		return true
	}
	j, _ := content["application/json"].(jsonObj)
	s, _ := j["schema"].(jsonObj)
	return len(content) == 1 && s["$ref"] == "#/components/schemas/ErrorBody"
}

func obj(m jsonObj, key string) jsonObj {
	v, _ := m[key].(jsonObj)
	if v == nil {
		v = jsonObj{}
		m[key] = v
	}
	return v
}

func schemaRef(name string) jsonObj { return jsonObj{"$ref": "#/components/schemas/" + name} }

// schemaName is a Go response type's schema name: its own, or for the
// {"items": [...]} wrapper the element's with List.
func schemaName(t reflect.Type) string {
	if name, ok := strings.CutPrefix(t.Name(), "items["); ok {
		name = strings.TrimSuffix(name, "]")
		return name[strings.LastIndex(name, ".")+1:] + "List"
	}
	return t.Name()
}

// schemaGen writes a component schema for each Go type it meets.
type schemaGen struct {
	old, out jsonObj
}

var timeType = reflect.TypeFor[time.Time]()

// ref returns the schema of a value of t, adding named structs to out.
func (g *schemaGen) ref(t reflect.Type) (jsonObj, error) {
	switch {
	case t == timeType:
		return jsonObj{"type": "string", "format": "date-time"}, nil
	case t == reflect.TypeFor[json.RawMessage]():
		return jsonObj{}, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.ref(t.Elem())
	case reflect.Slice, reflect.Array:
		items, err := g.ref(t.Elem())
		return jsonObj{"type": "array", "items": items}, err
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%s: map keys must be strings", t)
		}
		values, err := g.ref(t.Elem())
		return jsonObj{"type": "object", "additionalProperties": values}, err
	case reflect.Interface:
		return jsonObj{}, nil
	case reflect.String:
		// A named string type with a hand-kept enum schema of its name
		// (Status, Role...) refers to it.
		if t.Name() != "" && t.PkgPath() != "" {
			if s, ok := g.old[t.Name()].(jsonObj); ok {
				if _, enum := s["enum"]; enum {
					g.out[t.Name()] = s
					return schemaRef(t.Name()), nil
				}
			}
		}
		return jsonObj{"type": "string"}, nil
	case reflect.Bool:
		return jsonObj{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return jsonObj{"type": "integer"}, nil
	case reflect.Float32, reflect.Float64:
		return jsonObj{"type": "number"}, nil
	case reflect.Struct:
		name := schemaName(t)
		if t.PkgPath() != "github.com/signet-clm/signet/api" {
			return nil, fmt.Errorf("%s.%s: a response carries a type that is not the API's own", t.PkgPath(), t.Name())
		}
		goType := "api." + t.Name()
		if prev, ok := g.out[name].(jsonObj); ok && prev["x-go-type"] != nil {
			if prev["x-go-type"] != goType {
				return nil, fmt.Errorf("schema %s is both %s and %v (rename one)", name, goType, prev["x-go-type"])
			}
			return schemaRef(name), nil
		}
		s := jsonObj{"type": "object", "additionalProperties": false, "x-go-type": goType}
		g.out[name] = s
		old, _ := g.old[name].(jsonObj)
		oldProps, _ := old["properties"].(jsonObj)
		for _, keep := range []string{"description", "example", "examples"} {
			if v, ok := old[keep]; ok {
				s[keep] = v
			}
		}
		props := jsonObj{}
		var required []any
		// An embedded struct's fields are the outer object's, as
		// encoding/json writes them.
		for _, f := range reflect.VisibleFields(t) {
			if !f.IsExported() || f.Anonymous {
				continue
			}
			jname, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if jname == "-" {
				continue
			}
			if jname == "" {
				jname = f.Name
			}
			fs, err := g.ref(f.Type)
			if err != nil {
				return nil, err
			}
			omitempty := slices.Contains(strings.Split(opts, ","), "omitempty")
			if !omitempty {
				required = append(required, jname)
				switch f.Type.Kind() {
				case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
					if f.Type != reflect.TypeFor[json.RawMessage]() {
						fs = nullable(fs)
					}
				}
			}
			if op, ok := oldProps[jname].(jsonObj); ok {
				for _, keep := range []string{"description", "example", "examples", "format", "pattern", "enum"} {
					if v, ok := op[keep]; ok {
						if _, isRef := fs["$ref"]; isRef {
							if keep != "description" {
								continue
							}
						}
						if _, isAny := fs["anyOf"]; isAny && keep != "description" {
							continue
						}
						fs[keep] = v
					}
				}
			}
			props[jname] = fs
		}
		s["properties"] = props
		if len(required) > 0 {
			s["required"] = required
		}
		return schemaRef(name), nil
	}
	return nil, fmt.Errorf("%s: no schema for kind %s", t, t.Kind())
}

// nullable lets a schema also be null (a nil slice, map or pointer that
// Go writes as null).
func nullable(s jsonObj) jsonObj {
	if typ, ok := s["type"].(string); ok {
		out := jsonObj{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []any{typ, "null"}
		return out
	}
	return jsonObj{"anyOf": []any{s, jsonObj{"type": "null"}}}
}

// pruneSchemas drops component schemas nothing refers to.
func pruneSchemas(doc jsonObj) {
	schemas := doc["components"].(jsonObj)["schemas"].(jsonObj)
	for {
		used := map[string]bool{}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case jsonObj:
				if ref, ok := v["$ref"].(string); ok {
					if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
						used[name] = true
					}
				}
				for _, c := range v {
					walk(c)
				}
			case []any:
				for _, c := range v {
					walk(c)
				}
			}
		}
		for k, v := range doc {
			if k != "components" {
				walk(v)
			}
		}
		for k, v := range doc["components"].(jsonObj) {
			if k != "schemas" {
				walk(v)
			}
		}
		for name, s := range schemas {
			_ = name
			walk(s)
		}
		// A schema used only by itself is still unused.
		var drop []string
		for name := range schemas {
			if !used[name] {
				drop = append(drop, name)
			}
		}
		if len(drop) == 0 {
			return
		}
		sort.Strings(drop)
		for _, name := range drop {
			delete(schemas, name)
		}
	}
}
