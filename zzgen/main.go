// One-off generator of api response types and converters (not committed).
package main

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/signet-clm/signet/approval"
	"github.com/signet-clm/signet/approvals"
	"github.com/signet-clm/signet/audit"
	"github.com/signet-clm/signet/contracts"
	"github.com/signet-clm/signet/customers"
	"github.com/signet-clm/signet/document"
	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/reports"
	"github.com/signet-clm/signet/signing"
	"github.com/signet-clm/signet/store"
	"github.com/signet-clm/signet/users"
	"github.com/signet-clm/signet/workflows"
)

type root struct {
	v    any
	name string
}

var roots = []root{
	{domain.User{}, "User"},
	{workflows.ContractState{}, "ContractState"},
	{contracts.Page[store.ContractRow]{}, "ContractPage"},
	{contracts.View{}, "ContractView"},
	{contracts.AsOf{}, "ContractAsOf"},
	{domain.Event{}, ""},
	{store.VersionInfo{}, ""},
	{contracts.VersionView{}, ""},
	{document.Comparison{}, ""},
	{store.Attachment{}, ""},
	{approvals.Inbox{}, ""},
	{approvals.TaskDetail{}, ""},
	{approval.Policy{}, ""},
	{approvals.RiskRules{}, ""},
	{store.Delegation{}, ""},
	{approvals.RoundView{}, ""},
	{customers.Detail{}, "CustomerDetail"},
	{customers.Page{}, "CustomerPage"},
	{store.Contact{}, ""},
	{store.ProductLine{}, ""},
	{store.Product{}, ""},
	{document.Template{}, ""},
	{store.TemplateSummary{}, ""},
	{document.LibraryClause{}, ""},
	{workflows.SigningState{}, ""},
	{contracts.IssuedLink{}, ""},
	{signing.Certificate{}, ""},
	{signing.PublicKeyInfo{}, ""},
	{contracts.SignView{}, ""},
	{contracts.SignResult{}, ""},
	{contracts.CodeSent{}, ""},
	{contracts.VerifyResult{}, ""},
	{audit.Entry{}, "AuditEntry"},
	{users.IssuedToken{}, ""},
	{store.TokenInfo{}, ""},
	{users.Settings{}, "NotificationSettings"},
	{store.OutboxEntry{}, ""},
	{store.Account{}, ""},
	{store.Reconciliation{}, ""},
	{reports.LedgerPage{}, ""},
	{reports.Summary{}, ""},
	{reports.Aging{}, ""},
	{reports.Cycle{}, ""},
	{reports.Renewals{}, ""},
}

var renames = map[string]string{
	"document.Input": "DocumentInput", "approvals.Changes": "TaskChanges", "approval.Rule": "PolicyRule",
	"document.Field": "TemplateField", "document.Clause": "TemplateClause", "reports.Group": "SummaryGroup",
	"approval.Match": "FindingMatch", "domain.LineItem": "ContractLineItem", "document.Party": "DocumentParty",
}

var names = map[reflect.Type]string{}
var used = map[string]reflect.Type{}
var order []reflect.Type
var pkgs = map[string]bool{}

func pkgAlias(t reflect.Type) string {
	p := t.PkgPath()
	i := strings.LastIndex(p, "/")
	return p[i+1:]
}

func qual(t reflect.Type) string {
	pkgs[t.PkgPath()] = true
	n := t.Name()
	// generic: Page[github.com/.../store.ContractRow]
	if i := strings.Index(n, "["); i >= 0 {
		inner := n[i+1 : len(n)-1]
		j := strings.LastIndex(inner, "/")
		inner = inner[j+1:]
		pkgs["github.com/signet-clm/signet/"+strings.SplitN(inner, ".", 2)[0]] = true
		n = n[:i] + "[" + inner + "]"
	}
	return pkgAlias(t) + "." + n
}

func mirrored(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && strings.HasPrefix(t.PkgPath(), "github.com/signet-clm/")
}

func nameOf(t reflect.Type, want string) string {
	if n, ok := names[t]; ok {
		return n
	}
	n := want
	if n == "" {
		n = t.Name()
		if i := strings.Index(n, "["); i >= 0 {
			n = n[:i]
		}
	}
	if r, ok := renames[qual(t)]; ok {
		n = r
	}
	if _, taken := used[n]; taken {
		a := pkgAlias(t)
		n = strings.ToUpper(a[:1]) + a[1:] + n
	}
	names[t] = n
	used[n] = t
	order = append(order, t)
	visit(t)
	return n
}

func visit(t reflect.Type) {
	for _, f := range fields(t) {
		walk(f.Type)
	}
}

func walk(t reflect.Type) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		walk(t.Elem())
	case reflect.Map:
		walk(t.Elem())
	case reflect.Struct:
		if mirrored(t) {
			nameOf(t, "")
		}
	}
}

// fields flattens embedded structs as encoding/json does.
func fields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && tag == "" {
			for _, g := range fields(f.Type) {
				g.Index = append([]int{i}, g.Index...)
				out = append(out, g)
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

// typeExpr is the api type for t.
func typeExpr(t reflect.Type) string {
	if t.PkgPath() == "encoding/json" {
		pkgs["encoding/json"] = true
		return t.String()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + typeExpr(t.Elem())
	case reflect.Slice:
		return "[]" + typeExpr(t.Elem())
	case reflect.Map:
		return "map[" + typeExpr(t.Key()) + "]" + typeExpr(t.Elem())
	case reflect.Struct:
		if mirrored(t) {
			return names[t]
		}
		if t.PkgPath() == "time" {
			pkgs["time"] = true
		}
		if t.PkgPath() != "" {
			return qual(t)
		}
		return t.String()
	case reflect.Interface:
		return "any"
	}
	if t.PkgPath() != "" {
		if strings.HasSuffix(t.PkgPath(), "/domain") {
			return qual(t)
		}
		if t.PkgPath() == "encoding/json" {
			pkgs["encoding/json"] = true
			return t.String()
		}
		return t.Kind().String()
	}
	return t.String()
}

// conv is the expression converting src (of type t) to typeExpr(t).
func conv(t reflect.Type, src string) string {
	if t.PkgPath() == "encoding/json" {
		return src
	}
	switch t.Kind() {
	case reflect.Pointer:
		if mirrored(t.Elem()) {
			return "convPtr(" + src + ", to" + names[t.Elem()] + ")"
		}
		if t.Elem().PkgPath() != "" && !strings.HasSuffix(t.Elem().PkgPath(), "/domain") && t.Elem().Kind() != reflect.Struct {
			panic("pointer to named scalar " + t.String())
		}
		return src
	case reflect.Slice:
		e := t.Elem()
		if mirrored(e) {
			return "convList(" + src + ", to" + names[e] + ")"
		}
		if e.PkgPath() != "" && e.Kind() != reflect.Struct && !strings.HasSuffix(e.PkgPath(), "/domain") && e.PkgPath() != "encoding/json" {
			return "convList(" + src + ", func(v " + qual(e) + ") " + typeExpr(e) + " { return " + typeExpr(e) + "(v) })"
		}
		if e.Kind() == reflect.Slice || e.Kind() == reflect.Map || e.Kind() == reflect.Pointer {
			if typeExpr(e) != qualFull(e) {
				panic("nested " + t.String())
			}
		}
		return src
	case reflect.Map:
		if mirrored(t.Elem()) {
			return "convMap(" + src + ", to" + names[t.Elem()] + ")"
		}
		if typeExpr(t) != qualFull(t) {
			panic("map " + t.String())
		}
		return src
	case reflect.Struct:
		if mirrored(t) {
			return "to" + names[t] + "(" + src + ")"
		}
		return src
	}
	if t.PkgPath() != "" && !strings.HasSuffix(t.PkgPath(), "/domain") && t.PkgPath() != "encoding/json" {
		return typeExpr(t) + "(" + src + ")"
	}
	return src
}

func qualFull(t reflect.Type) string {
	if t.PkgPath() == "encoding/json" {
		return t.String()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + qualFull(t.Elem())
	case reflect.Slice:
		return "[]" + qualFull(t.Elem())
	case reflect.Map:
		return "map[" + qualFull(t.Key()) + "]" + qualFull(t.Elem())
	case reflect.Interface:
		return "any"
	}
	if t.PkgPath() == "encoding/json" {
		return t.String()
	}
	if t.PkgPath() != "" {
		return qual(t)
	}
	return t.String()
}

func main() {
	for _, r := range roots {
		nameOf(reflect.TypeOf(r.v), r.name)
	}
	var b strings.Builder
	for _, t := range order {
		n := names[t]
		fmt.Fprintf(&b, "// %s is the API's %s.\ntype %s struct {\n", n, qual(t), n)
		for _, f := range fields(t) {
			fmt.Fprintf(&b, "\t%s %s `json:%q`\n", f.Name, typeExpr(f.Type), f.Tag.Get("json"))
		}
		fmt.Fprintf(&b, "}\n\n")
	}
	for _, t := range order {
		n := names[t]
		fmt.Fprintf(&b, "func to%s(v %s) %s {\n\treturn %s{\n", n, qual(t), n, n)
		for _, f := range fields(t) {
			fmt.Fprintf(&b, "\t\t%s: %s,\n", f.Name, conv(f.Type, "v."+f.Name))
		}
		fmt.Fprintf(&b, "\t}\n}\n\n")
	}
	var ps []string
	for p := range pkgs {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	fmt.Fprintf(os.Stdout, "package api\n\nimport (\n")
	for _, p := range ps {
		fmt.Fprintf(os.Stdout, "\t%q\n", p)
	}
	fmt.Fprintf(os.Stdout, ")\n\n%s", b.String())
}
