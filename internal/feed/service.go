package feed

import (
	"context"
	"fmt"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// Reader reads the feed after a cursor, types (when given) only, at most
// limit events.
type Reader interface {
	FeedEvents(ctx context.Context, after Cursor, types []string, limit int) ([]Stored, error)
}

// Page sizes: a consumer that names none reads DefaultLimit at a time.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// PageInput asks for the events after a cursor.
type PageInput struct {
	// After is the cursor of the last event the consumer handled, or the
	// Next of its last page; empty: from the start.
	After string `form:"after"`
	Limit int    `form:"limit" validate:"min=0,max=1000"`
	// Type limits the page to these event types, separated by commas.
	Type string `form:"type" validate:"max=2000"`
}

// Page is the events after a cursor, in commit order.
type Page struct {
	Items []Stored
	// Next is where to read on from: the last item's cursor, or the
	// request's own when there was nothing new.
	Next Cursor
	// More is true when more events were ready than the page held.
	More bool
}

// Service reads the feed for its consumers.
type Service struct{ reader Reader }

// New returns the feed service over reader.
func New(reader Reader) *Service { return &Service{reader: reader} }

// Page returns the events after in.After; 403 unless u may read the feed.
func (s *Service) Page(ctx context.Context, u domain.User, in PageInput) (Page, error) {
	if !MayRead(u) {
		return Page{}, &domain.Refusal{Kind: domain.RefusedForbidden, Message: "the change feed is read by finance, executives, admins and auditors"}
	}
	bad := &domain.ValidationError{}
	after, err := ParseCursor(in.After)
	if err != nil {
		bad.Add("after", "is not a cursor this feed gave; pass the next_cursor of a page, or nothing to read from the start")
	}
	var types []string
	if in.Type != "" {
		for _, t := range strings.Split(in.Type, ",") {
			if !IsType(t) {
				bad.Add("type", fmt.Sprintf("%q is not an event type; event types separated by commas, of %s", t, strings.Join(Types(), ", ")))
				break
			}
			types = append(types, t)
		}
	}
	if err := bad.OrNil(); err != nil {
		return Page{}, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	list, err := s.reader.FeedEvents(ctx, after, types, limit+1)
	if err != nil {
		return Page{}, err
	}
	out := Page{Items: list, Next: after}
	if len(list) > limit {
		out.Items, out.More = list[:limit], true
	}
	if n := len(out.Items); n > 0 {
		out.Next = out.Items[n-1].Cursor
	}
	return out, nil
}
