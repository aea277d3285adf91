package audit

import (
	"encoding/json"
	"fmt"
	"time"
)

// Row is one audit_events row as stored: the canonical content, the
// columns that repeat parts of it for filtering, and its place in the chain.
type Row struct {
	Seq        int64
	At         time.Time
	ActorID    string
	Action     string
	ObjectType string
	ObjectID   string
	RequestID  string
	Content    string
	PrevHash   string
	Hash       string
	// KeyID names the audit key the row was chained with; "" for a row
	// chained before the audit key existed (LegacyHash).
	KeyID string
}

// Break is the first row where the chain does not hold.
type Break struct {
	Seq    int64
	Reason string
}

// Verifier walks the chain row by row. What it trusts:
//   - a row chained with an audit key (HMAC) only if the key is in the
//     keyring: without the key nobody can recompute it;
//   - a row chained before the audit key (SHA-256, which anyone can
//     recompute) only below the first checkpoint, whose sealed hash pins
//     every row under it, and never after a keyed row;
//   - every checkpoint: the row at its seq must still carry the hash it
//     sealed, and the chain must reach it.
//
// So the chain recomputed without the key fails at the first recomputed
// row, and one recomputed with the key below a checkpoint, or cut short
// under one, fails at that checkpoint. What no checkpoint covers yet (the
// rows since the last one) rests on the key alone.
type Verifier struct {
	keys        Keyring
	checkpoints map[int64]Checkpoint
	first, last int64 // seqs of the first and last checkpoint; -1 when none
	// sealing lets rows chained before the audit key pass uncovered: a
	// checkpoint about to be written is what will cover them.
	sealing bool
	anchor  *Checkpoint

	prev    string
	want    int64
	keyed   bool
	checked int64
}

// NewVerifier returns a Verifier over the whole chain, checking it against
// checkpoints (which must already have had their seals checked).
func NewVerifier(keys Keyring, checkpoints []Checkpoint) *Verifier {
	v := &Verifier{keys: keys, checkpoints: map[int64]Checkpoint{}, first: -1, last: -1, prev: Genesis, want: 1}
	for _, c := range checkpoints {
		v.checkpoints[c.Seq] = c
		if v.first < 0 || c.Seq < v.first {
			v.first = c.Seq
		}
		v.last = max(v.last, c.Seq)
	}
	return v
}

// from makes v start at checkpoint c, trusting it and what it covers: the
// first row v sees must be the one c sealed (none for the genesis checkpoint).
func (v *Verifier) from(c Checkpoint) {
	v.anchor = &c
	v.keyed = true
	if c.Seq == 0 {
		v.prev, v.want, v.anchor = Genesis, 1, nil
		return
	}
	v.want = c.Seq
}

// Checked is how many rows v has walked.
func (v *Verifier) Checked() int64 { return v.checked }

// Next checks the next row, returning the break it finds, if any.
func (v *Verifier) Next(r Row) *Break {
	v.checked++
	if a := v.anchor; a != nil {
		v.anchor = nil
		if r.Seq != a.Seq || r.Hash != a.Hash {
			return &Break{Seq: a.Seq, Reason: fmt.Sprintf("row %d differs from the checkpoint sealed at %s", a.Seq, a.At.Format(time.RFC3339))}
		}
		v.prev, v.want = r.Hash, r.Seq+1
		return nil
	}
	if r.Seq != v.want {
		return &Break{Seq: r.Seq, Reason: fmt.Sprintf("row %d is missing", v.want)}
	}
	if r.PrevHash != v.prev {
		return &Break{Seq: r.Seq, Reason: "previous hash does not match the row before"}
	}
	if r.KeyID == "" {
		switch {
		case v.keyed:
			return &Break{Seq: r.Seq, Reason: "recorded without the audit key after rows chained with it"}
		case !v.sealing && (v.first < 0 || r.Seq > v.first):
			return &Break{Seq: r.Seq, Reason: "recorded without the audit key, and no checkpoint vouches for it"}
		case LegacyHash(v.prev, r.Content) != r.Hash:
			return &Break{Seq: r.Seq, Reason: "hash does not match the row's content"}
		}
	} else {
		k, ok := v.keys.Lookup(r.KeyID)
		if !ok {
			return &Break{Seq: r.Seq, Reason: fmt.Sprintf("chained with audit key %s, which the audit key file does not hold", r.KeyID)}
		}
		if k.Hash(v.prev, r.Content) != r.Hash {
			return &Break{Seq: r.Seq, Reason: "hash does not match the row's content"}
		}
		v.keyed = true
	}
	var e Entry
	if json.Unmarshal([]byte(r.Content), &e) != nil {
		return &Break{Seq: r.Seq, Reason: "content is not a valid entry"}
	}
	if e.Seq != r.Seq || !e.At.Equal(r.At) || e.ActorID != r.ActorID || e.Action != r.Action || e.ObjectType != r.ObjectType || e.ObjectID != r.ObjectID || e.RequestID != r.RequestID {
		return &Break{Seq: r.Seq, Reason: "columns disagree with the row's content"}
	}
	if c, ok := v.checkpoints[r.Seq]; ok && c.Hash != r.Hash {
		return &Break{Seq: r.Seq, Reason: fmt.Sprintf("row %d differs from the checkpoint sealed at %s", r.Seq, c.At.Format(time.RFC3339))}
	}
	v.prev, v.want = r.Hash, r.Seq+1
	return nil
}

// End checks what the walk's end says: that no checkpoint vouches for a
// row the chain no longer has.
func (v *Verifier) End() *Break {
	if v.anchor != nil {
		return &Break{Seq: v.anchor.Seq, Reason: fmt.Sprintf("row %d, which the checkpoint sealed at %s vouches for, is missing", v.anchor.Seq, v.anchor.At.Format(time.RFC3339))}
	}
	if v.last >= v.want {
		c := v.checkpoints[v.last]
		return &Break{Seq: v.want, Reason: fmt.Sprintf("the trail ends at row %d, but the checkpoint sealed at %s vouches for row %d: rows were removed",
			v.want-1, c.At.Format(time.RFC3339), c.Seq)}
	}
	return nil
}
