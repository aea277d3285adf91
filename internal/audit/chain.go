package audit

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// Chains is how many chains the trail is split into. Writers on
// different chains never wait for each other, so this bounds how far
// audited writes scale with writers; it is small enough that a
// checkpoint's Merkle tree over every chain head stays tiny.
const Chains = 64

// ChainOf is the chain a transaction's entries go on when its first entry
// is about objectType objectID. Every row records its chain, so the
// verifier never recomputes this: it only spreads writers out.
func ChainOf(objectType, objectID string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(objectType))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(objectID))
	return int(h.Sum32() % Chains)
}

// Row is one audit_events row as stored: the canonical content, the
// columns that repeat parts of it for filtering, and its place in the
// trail (seq, global order) and in its chain (chain, chain_seq).
type Row struct {
	Seq        int64
	Chain      int
	ChainSeq   int64
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

// Break is the first row (by seq) where the trail does not hold.
type Break struct {
	Seq    int64
	Reason string
}

// vouched is a chain head a checkpoint sealed, with when it was sealed.
type vouched struct {
	Head
	at time.Time
}

// chainState is where the walk of one chain has got to.
type chainState struct {
	prev   string
	want   int64 // the next chain_seq
	keyed  bool
	anchor *vouched
	broken bool
}

// Verifier walks the trail row by row, each chain in chain_seq order.
// What it trusts:
//   - a row chained with an audit key (HMAC) only if the key is in the
//     keyring: without the key nobody can recompute it;
//   - a row chained before the audit key (SHA-256, which anyone can
//     recompute; chain 0 only, where the single chain of those days went)
//     only below the first checkpoint, whose sealed hash pins every row
//     under it, and never after a keyed row;
//   - every checkpoint: each chain head it sealed must still carry the
//     hash it sealed, and each chain must reach its sealed head.
//
// So a chain recomputed without the key fails at its first recomputed
// row, and one recomputed with the key below a checkpoint, or cut short
// under one, fails at that checkpoint's head of the chain. What no
// checkpoint covers yet (the rows since the last one) rests on the key
// alone. A walk reports the break with the lowest seq over all chains.
type Verifier struct {
	keys Keyring
	// heads are every sealed head by chain and chain_seq; ends the
	// highest sealed head of each chain.
	heads map[[2]int64]vouched
	ends  map[int]vouched
	// legacy is the chain-0 position the first checkpoint covers (-1: no
	// checkpoint): rows chained before the audit key pass up to there.
	legacy int64
	// sealing lets rows chained before the audit key pass uncovered: a
	// checkpoint about to be written is what will cover them.
	sealing bool

	chains  map[int]*chainState
	broken  *Break
	checked int64
}

// NewVerifier returns a Verifier over the whole trail, checking it
// against checkpoints (which must already have had their seals checked).
func NewVerifier(keys Keyring, checkpoints []Checkpoint) *Verifier {
	v := &Verifier{keys: keys, heads: map[[2]int64]vouched{}, ends: map[int]vouched{}, legacy: -1, chains: map[int]*chainState{}}
	first := int64(-1)
	for _, c := range checkpoints {
		if first < 0 || c.Seq < first {
			first, v.legacy = c.Seq, 0
			if h, ok := c.head(0); ok {
				v.legacy = h.ChainSeq
			}
		}
		for _, h := range c.Heads {
			s := vouched{Head: h, at: c.At}
			v.heads[[2]int64{int64(h.Chain), h.ChainSeq}] = s
			if e, ok := v.ends[h.Chain]; !ok || h.ChainSeq > e.ChainSeq {
				v.ends[h.Chain] = s
			}
		}
	}
	return v
}

// from makes v start each chain at checkpoint c's head of it, trusting it
// and what it covers: the first row v sees of that chain must be the one
// c sealed.
func (v *Verifier) from(c Checkpoint) {
	for _, h := range c.Heads {
		v.chains[h.Chain] = &chainState{anchor: &vouched{Head: h, at: c.At}, keyed: true, want: h.ChainSeq}
	}
}

// Checked is how many rows v has walked.
func (v *Verifier) Checked() int64 { return v.checked }

// Next checks the next row of its chain (each chain's rows in chain_seq
// order, the chains in any order), returning the break it finds, if any.
// After a chain's first break its later rows are not checked.
func (v *Verifier) Next(r Row) *Break {
	v.checked++
	st := v.chains[r.Chain]
	if st == nil {
		st = &chainState{prev: Genesis, want: 1}
		v.chains[r.Chain] = st
	}
	if st.broken {
		return nil
	}
	b := v.check(st, r)
	if b != nil {
		st.broken = true
		v.note(b)
	}
	return b
}

func (v *Verifier) note(b *Break) {
	if v.broken == nil || b.Seq < v.broken.Seq {
		v.broken = b
	}
}

func (v *Verifier) check(st *chainState, r Row) *Break {
	if a := st.anchor; a != nil {
		st.anchor = nil
		if r.ChainSeq != a.ChainSeq || r.Seq != a.Seq || r.Hash != a.Hash {
			return &Break{Seq: a.Seq, Reason: fmt.Sprintf("row %d differs from the checkpoint sealed at %s", a.Seq, a.at.Format(time.RFC3339))}
		}
		st.prev, st.want = r.Hash, r.ChainSeq+1
		return nil
	}
	if r.ChainSeq != st.want {
		return &Break{Seq: r.Seq, Reason: fmt.Sprintf("row %d of chain %d is missing", st.want, r.Chain)}
	}
	if r.PrevHash != st.prev {
		return &Break{Seq: r.Seq, Reason: "previous hash does not match the row before"}
	}
	if r.KeyID == "" {
		switch {
		case st.keyed:
			return &Break{Seq: r.Seq, Reason: "recorded without the audit key after rows chained with it"}
		case r.Chain != 0 || !v.sealing && (v.legacy < 0 || r.ChainSeq > v.legacy):
			return &Break{Seq: r.Seq, Reason: "recorded without the audit key, and no checkpoint vouches for it"}
		case LegacyHash(st.prev, r.Content) != r.Hash:
			return &Break{Seq: r.Seq, Reason: "hash does not match the row's content"}
		}
	} else {
		k, ok := v.keys.Lookup(r.KeyID)
		if !ok {
			return &Break{Seq: r.Seq, Reason: fmt.Sprintf("chained with audit key %s, which the audit key file does not hold", r.KeyID)}
		}
		if k.Hash(st.prev, r.Content) != r.Hash {
			return &Break{Seq: r.Seq, Reason: "hash does not match the row's content"}
		}
		st.keyed = true
	}
	var e Entry
	if json.Unmarshal([]byte(r.Content), &e) != nil {
		return &Break{Seq: r.Seq, Reason: "content is not a valid entry"}
	}
	if e.ChainSeq == 0 { // written before the trail had chains: all on chain 0, in seq order
		e.ChainSeq = e.Seq
	}
	if e.Seq != r.Seq || e.Chain != r.Chain || e.ChainSeq != r.ChainSeq || !e.At.Equal(r.At) || e.ActorID != r.ActorID ||
		e.Action != r.Action || e.ObjectType != r.ObjectType || e.ObjectID != r.ObjectID || e.RequestID != r.RequestID {
		return &Break{Seq: r.Seq, Reason: "columns disagree with the row's content"}
	}
	if c, ok := v.heads[[2]int64{int64(r.Chain), r.ChainSeq}]; ok && (c.Hash != r.Hash || c.Seq != r.Seq) {
		return &Break{Seq: r.Seq, Reason: fmt.Sprintf("row %d differs from the checkpoint sealed at %s", r.Seq, c.at.Format(time.RFC3339))}
	}
	st.prev, st.want = r.Hash, r.ChainSeq+1
	return nil
}

// End checks what the walk's end says (that no checkpoint vouches for a
// row a chain no longer has) and returns the trail's first break, if any.
func (v *Verifier) End() *Break {
	chains := make([]int, 0, len(v.ends))
	for c := range v.ends {
		chains = append(chains, c)
	}
	slices.Sort(chains)
	for _, c := range chains {
		e := v.ends[c]
		st := v.chains[c]
		switch {
		case st == nil:
			v.note(&Break{Seq: e.Seq, Reason: fmt.Sprintf("chain %d has no rows, but the checkpoint sealed at %s vouches for its row %d (row %d of the trail): rows were removed",
				c, e.at.Format(time.RFC3339), e.ChainSeq, e.Seq)})
		case st.broken:
		case st.anchor != nil:
			v.note(&Break{Seq: st.anchor.Seq, Reason: fmt.Sprintf("row %d, which the checkpoint sealed at %s vouches for, is missing", st.anchor.Seq, st.anchor.at.Format(time.RFC3339))})
		case e.ChainSeq >= st.want:
			v.note(&Break{Seq: e.Seq, Reason: fmt.Sprintf("chain %d ends at its row %d, but the checkpoint sealed at %s vouches for its row %d (row %d of the trail): rows were removed",
				c, st.want-1, e.at.Format(time.RFC3339), e.ChainSeq, e.Seq)})
		}
	}
	return v.broken
}
