package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/go-playground/validator/v10"

	"github.com/signet-clm/signet/internal/domain"
)

// maxBodyBytes bounds a JSON request body.
const maxBodyBytes = 1 << 20

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Name fields as the client spells them (json or query names).
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"json", "form"} {
			if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" && name != "-" {
				return name
			}
		}
		return f.Name
	})
	must(v.RegisterValidation("currency", func(fl validator.FieldLevel) bool { return domain.ValidCurrency(fl.Field().String()) }))
	must(v.RegisterValidation("contract_status", func(fl validator.FieldLevel) bool { return domain.Status(fl.Field().String()).Valid() }))
	must(v.RegisterValidation("contract_number", func(fl validator.FieldLevel) bool { return domain.ValidContractNumber(fl.Field().String()) }))
	must(v.RegisterValidation("role", func(fl validator.FieldLevel) bool { return domain.Role(fl.Field().String()).Valid() }))
	// amount: a sum of money in minor units Signet accepts, 0 to domain.MaxAmount.
	must(v.RegisterValidation("amount", func(fl validator.FieldLevel) bool { return domain.ValidAmount(fl.Field().Int()) }))
	must(v.RegisterValidation("user_id", func(fl validator.FieldLevel) bool { return userIDPattern.MatchString(fl.Field().String()) }))
	// A date is YYYY-MM-DD in years MinYear to 9999.
	must(v.RegisterValidation("date", func(fl validator.FieldLevel) bool {
		_, err := domain.ParseDate(fl.Field().String())
		return err == nil
	}))
	must(v.RegisterValidation("external_source", func(fl validator.FieldLevel) bool { return domain.ValidExternalSource(fl.Field().String()) }))
	must(v.RegisterValidation("external_id", func(fl validator.FieldLevel) bool { return domain.ValidExternalID(fl.Field().String()) }))
	// email_or_empty: a PATCH may clear an email with "".
	must(v.RegisterValidation("email_or_empty", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		return s == "" || v.Var(s, "email") == nil
	}))
	must(v.RegisterValidation("singleline", func(fl validator.FieldLevel) bool { return domain.SingleLine(fl.Field().String()) }))
	must(v.RegisterValidation("clause_text", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		_, ok := domain.Paragraph(s)
		return ok && !domain.LooksLikeHeading(s)
	}))
	return v
}

func roleNames() []string {
	names := make([]string, len(domain.Roles))
	for i, r := range domain.Roles {
		names[i] = string(r)
	}
	return names
}

// userIDPattern is what a user ID may look like: it appears in task IDs,
// audit rows and URLs, so it stays plain.
var userIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// bindJSON decodes the body strictly into dst and validates it. Unknown
// fields are refused, so a client cannot slip in status, owner or the like.
func (h *handlers) bindJSON(c *gin.Context, dst any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	// PostgreSQL text cannot hold NUL; refuse it here rather than fail there.
	if bytes.Contains(raw, []byte(`\u0000`)) {
		return fieldError("body", "must not contain NUL characters")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return fieldError("body", "must hold a single JSON object")
	}
	return h.check(dst)
}

// bindQuery binds query parameters into dst and validates them. A
// parameter dst has no field for, or one given twice, is refused by name,
// so a misspelt filter is a 400 rather than silently ignored.
func (h *handlers) bindQuery(c *gin.Context, dst any) error {
	allowed := map[string]bool{}
	queryNames(reflect.TypeOf(dst).Elem(), allowed)
	bad := &domain.ValidationError{}
	params := c.Request.URL.Query()
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case !allowed[name]:
			bad.Add(name, "is not a parameter this request takes")
		case len(params[name]) > 1:
			bad.Add(name, "is given more than once")
		}
	}
	if err := bad.OrNil(); err != nil {
		return err
	}
	if err := c.ShouldBindQuery(dst); err != nil {
		// Name the parameters whose values do not fit, one at a time.
		for _, name := range names {
			probe := reflect.New(reflect.TypeOf(dst).Elem()).Interface()
			if binding.MapFormWithTag(probe, map[string][]string{name: params[name]}, "form") != nil {
				bad.Add(name, "has a value of the wrong type")
			}
		}
		if err := bad.OrNil(); err != nil {
			return err
		}
		return fieldError("query", "has a value of the wrong type")
	}
	return h.check(dst)
}

// queryNames adds the query parameter names of t's form tags, embedded
// structs included.
func queryNames(t reflect.Type, into map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			queryNames(f.Type, into)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name != "" && name != "-" {
			into[name] = true
		}
	}
}

func (h *handlers) check(dst any) error {
	err := h.validate.Struct(dst)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	out := &domain.ValidationError{}
	for _, fe := range verrs {
		out.Add(fieldPath(fe), message(fe))
	}
	return out
}

// fieldPath is the field's name as the client wrote it, without the
// struct's own name in front.
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters"
		}
		return "must be at most " + fe.Param()
	case "min":
		return "must be at least " + fe.Param()
	case "gte":
		return "must be at least " + fe.Param()
	case "datetime", "date":
		return fmt.Sprintf("must be a date YYYY-MM-DD from year %d", domain.MinYear)
	case "currency":
		return "must be an ISO 4217 currency code such as CNY"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "email":
		return "must be an email address"
	case "email_or_empty":
		return "must be an email address, or empty to clear it"
	case "contract_status":
		return "must be a contract status"
	case "contract_number":
		return "must be a contract number such as HT-2026-000001"
	case "role":
		return "must be one of: " + strings.Join(roleNames(), ", ")
	case "user_id":
		return "must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
	case "unique":
		return "must not repeat a value"
	case "external_source":
		return domain.ExternalSourceRule
	case "external_id":
		return domain.ExternalIDRule
	case "singleline":
		return "must be one line without line breaks or control characters"
	case "clause_text":
		return "must not contain control characters or a line that starts like a clause heading or the contract number"
	case "gt":
		return "must be greater than " + fe.Param()
	case "amount":
		return fmt.Sprintf("must be an amount in minor units from 0 to %d (domain.MaxAmount)", domain.MaxAmount)
	default:
		return "is invalid (" + fe.Tag() + ")"
	}
}

// plainQuery refuses query values PostgreSQL text cannot hold (NUL, bytes
// that are not UTF-8), naming the parameter, so a filter is always either
// a plain value or a 400.
func (h *handlers) plainQuery(c *gin.Context) {
	bad := &domain.ValidationError{}
	// Path parameters too: an ID is plain text, and bytes that are not
	// are the client's fault, never the database's. (A long one names
	// nothing: 404 from the lookup.)
	for _, p := range c.Params {
		if !utf8.ValidString(p.Value) || strings.IndexFunc(p.Value, unicode.IsControl) >= 0 {
			bad.Add(p.Key, "must be UTF-8 text without control characters")
		}
	}
	for name, values := range c.Request.URL.Query() {
		for _, v := range values {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
				bad.Add(strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "?"), "must be UTF-8 text without NUL characters")
				break
			}
		}
	}
	if len(bad.Fields) > 0 {
		writeError(c, h.d.Logger, bad)
		return
	}
	c.Next()
}

func fieldError(field, msg string) error {
	return &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: msg}}}
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return fieldError("body", "a JSON object is required")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return fieldError("body", "is not well-formed JSON")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return fieldError(field, fmt.Sprintf("must be %s", describeType(typeErr.Type)))
	case errors.As(err, &tooBig):
		return fieldError("body", fmt.Sprintf("must be at most %d bytes", maxBodyBytes))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldError(name, "is not a field this request accepts")
	default:
		return fieldError("body", "is not a valid JSON object for this request")
	}
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number within range"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.Slice:
		return "a JSON array"
	case reflect.Pointer:
		return describeType(t.Elem())
	default:
		return "a " + t.Kind().String()
	}
}
