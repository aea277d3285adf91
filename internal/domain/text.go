package domain

import (
	"regexp"
	"strings"
	"unicode"
)

// A contract's canonical text is line-structured: a line that starts
// "第9条" or "Clause 9" is a clause heading, "合同编号：" names the number.
// So text a person types must not bring its own line structure or
// invisible reordering into it.

// invisible reports runes that break or disguise a line: control
// characters, line and paragraph separators, and bidirectional overrides.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f' || r == '\ufeff'
}

// SingleLine reports whether s is one line without control characters.
func SingleLine(s string) bool {
	return strings.IndexFunc(s, invisible) < 0
}

// Paragraph turns multi-line text into one paragraph: each run of
// whitespace that holds a line break becomes one space, tabs become
// spaces. It reports false when s holds any other control character.
func Paragraph(s string) (string, bool) {
	s = strings.ReplaceAll(lineBreaks.ReplaceAllString(s, " "), "\t", " ")
	return strings.TrimSpace(s), SingleLine(s)
}

var lineBreaks = regexp.MustCompile(`[\t \x{3000}]*[\r\n\x{2028}\x{2029}]\s*`)

// clauseHeading matches a line that would read as the start of a
// numbered clause or as the contract number in a rendered document.
var clauseHeading = regexp.MustCompile(`^\s*(第\s*[0-9０-９一二三四五六七八九十百千零〇两]+\s*条|(?i:clause)\s+[0-9]+|合同编号|(?i:contract\s+no\.))`)

// LooksLikeHeading reports whether any line of s would read as a clause
// heading or the contract number line.
func LooksLikeHeading(s string) bool {
	for line := range strings.Lines(s) {
		if clauseHeading.MatchString(line) {
			return true
		}
	}
	return false
}
