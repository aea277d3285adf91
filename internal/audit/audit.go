// Package audit holds the audit trail's vocabulary and rules: who is acting
// (carried in the request's context down to the store, which writes the
// trail in the same transaction as each change), how an entry is chained
// to the one before (an HMAC keyed with a key outside the database,
// key.go), how the chain is verified (chain.go) and how its head is
// sealed into checkpoint files outside the database (checkpoint.go).
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Actor is who a change is attributed to and the request that made it:
// the client's X-Request-ID, which is also the Workflow Update ID of a
// decision, so an activity writing what a decision caused carries it too.
type Actor struct {
	UserID    string `json:"user_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

type actorKey struct{}

// WithActor returns ctx carrying the acting user and request.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// Named returns the actor ctx carries, if it names a user.
func Named(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.UserID != ""
}

// ActorFrom returns the acting user, or "system" when nobody is named.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok && a.UserID != "" {
		return a
	}
	return Actor{UserID: "system"}
}

// Entry is one audit event's canonical content. Field order is fixed, so
// its JSON is the same bytes wherever it is computed.
type Entry struct {
	Seq int64 `json:"seq"`
	// Chain and ChainSeq place the entry in its chain; both absent from
	// entries written before the trail had chains (chain 0, at seq).
	Chain      int             `json:"chain,omitempty"`
	ChainSeq   int64           `json:"chain_seq,omitempty"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	RequestID  string          `json:"request_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
}

// Genesis is the previous hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// LegacyHash chains an entry's content to the previous entry's hash the
// way entries were chained before the audit key (key_id ""): SHA-256,
// which anyone can recompute, so such entries are trusted only below a
// sealed checkpoint (see Verifier).
func LegacyHash(prev, content string) string {
	sum := sha256.Sum256([]byte(prev + "\n" + content))
	return hex.EncodeToString(sum[:])
}
