package console

import (
	"fmt"
	"strings"
)

// The contract page's helpers for its templates.

// inSection is a view and the action whose refusal a section shows.
type inSection struct {
	V *view
	A string
}

// With pairs the view with an action's name, for the "refusal-in" block.
func (v *view) With(action string) inSection { return inSection{V: v, A: action} }

// TimerLabel names a live-state timer: "payment_reminder:2" is the
// reminder of milestone 2, "renewal_notice:30" the notice 30 days ahead.
func (v *view) TimerLabel(name string) string {
	base, arg, _ := strings.Cut(name, ":")
	label := v.Label("timer", base)
	if arg != "" {
		return label + " #" + arg
	}
	return label
}

// Bytes writes a file's size: 12.5 KB.
func (v *view) Bytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}
