package document

import (
	"fmt"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// PartKind says what a line of the canonical text is, so that a paged
// rendering (the PDF) can style it without deciding its words.
type PartKind int

// Kinds of line in the canonical text.
const (
	PartTitle       PartKind = iota // the contract's title, the first line
	PartLine                        // number, parties, term, totals, renewal
	PartBlank                       // the empty line between sections
	PartHeading                     // a table's title or a clause's number and title
	PartTableHeader                 // a table's column names
	PartTableRow                    // one row of a table
	PartParagraph                   // one paragraph of a clause's text
)

// Part is one line of the canonical text. Text is the line exactly as the
// canonical text has it (without its newline); Cells are a table line's
// cells, which the text joins with " | ".
type Part struct {
	Kind  PartKind
	Text  string
	Cells []string
}

// Layout splits a document's canonical text into its parts and says which
// language it is written in. It rebuilds the parts from the document's
// content and keeps them only if they give back d.Text byte for byte;
// otherwise (a document rendered by older code) every line is a plain
// part, so a rendering built from the parts always carries exactly the
// text whose hash was approved and signed.
func Layout(d Document) (lang string, parts []Part) {
	for _, lang := range []string{"zh", "en"} {
		parts := buildParts(d, languages[lang], lang)
		if joinParts(parts) == d.Text {
			return lang, parts
		}
	}
	lang = "en"
	if strings.ContainsFunc(d.Text, func(r rune) bool { return r >= 0x3000 && r <= 0x9fff }) {
		lang = "zh"
	}
	lines := strings.Split(strings.TrimSuffix(d.Text, "\n"), "\n")
	for i, s := range lines {
		kind := PartLine
		switch {
		case i == 0:
			kind = PartTitle
		case s == "":
			kind = PartBlank
		}
		parts = append(parts, Part{Kind: kind, Text: s})
	}
	return lang, parts
}

func joinParts(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// buildParts is the canonical text line by line; renderText joins it.
func buildParts(d Document, l labels, lang string) []Part {
	in := d.Input
	var out []Part
	add := func(kind PartKind, s string, cells []string) {
		out = append(out, Part{Kind: kind, Text: strings.TrimRight(s, " "), Cells: cells})
	}
	line := func(s string) { add(PartLine, s, nil) }
	blank := func() { add(PartBlank, "", nil) }
	table := func(t schedule) {
		add(PartHeading, t.title, nil)
		add(PartTableHeader, strings.Join(t.columns, " | "), t.columns)
		for _, r := range t.rows {
			add(PartTableRow, strings.Join(r, " | "), r)
		}
	}
	add(PartTitle, in.Title, nil)
	line(l.number + l.sep + in.Number)
	blank()
	for _, s := range partyLines(l.company, in.Company, l) {
		line(s)
	}
	for _, s := range partyLines(l.customer, in.Customer, l) {
		line(s)
	}
	line(l.term + l.sep + FormatDate(in.StartDate, lang) + " " + l.to + " " + FormatDate(in.EndDate, lang))
	if len(in.Lines) > 0 {
		blank()
		table(itemsTable(in, l, lang))
		line(l.net + l.sep + FormatMoney(domain.Money{Amount: in.Totals.Net, Currency: in.Currency}, "en"))
		line(l.tax + l.sep + FormatMoney(domain.Money{Amount: in.Totals.Tax, Currency: in.Currency}, "en"))
	}
	line(l.total + l.sep + FormatMoney(domain.Money{Amount: in.Totals.Total, Currency: in.Currency}, lang))
	for _, s := range schedules(in, l, lang) {
		blank()
		if s.text != "" {
			line(s.title + l.sep + s.text)
			continue
		}
		table(s)
	}
	for _, c := range d.Clauses {
		blank()
		title := fmt.Sprintf(l.clause, c.No) + " " + c.Title
		if c.NonStandard {
			title += l.nonStandard
		}
		add(PartHeading, title, nil)
		for _, p := range strings.Split(c.Text, "\n") {
			add(PartParagraph, p, nil)
		}
	}
	return out
}
