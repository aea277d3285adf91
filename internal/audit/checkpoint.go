package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/keyfile"
)

// Checkpoint is the trail's every chain head at one moment, sealed and
// kept outside the database: whoever rewrites or cuts a chain below it,
// even with the audit key, no longer matches it.
type Checkpoint struct {
	Seq int64 `json:"seq"` // the highest seq among the heads; 0: the empty trail
	// Hash is the Merkle root over Heads (Genesis for none). A checkpoint
	// written before the trail had chains has no Heads, and Hash is its
	// one chain's head: it reads as chain 0's head at Seq.
	Hash string `json:"hash"`
	// KeyID is the audit key current when it was sealed (before chains:
	// the key the head was chained with, "" before the audit key).
	KeyID string    `json:"audit_key_id"`
	At    time.Time `json:"at"` // UTC, seconds
	Heads []Head    `json:"heads,omitempty"`
}

// head returns c's head of chain.
func (c Checkpoint) head(chain int) (Head, bool) {
	for _, h := range c.Heads {
		if h.Chain == chain {
			return h, true
		}
	}
	return Head{}, false
}

// Proof is what shows one chain's head is under a checkpoint's root: its
// index among the heads, their number, and the audit path.
type Proof struct {
	Index int      `json:"index"`
	Of    int      `json:"of"`
	Path  []string `json:"path"`
}

// ProveHead returns the proof that c sealed chain's head.
func (c Checkpoint) ProveHead(chain int) (Head, Proof, bool) {
	for i, h := range c.Heads {
		if h.Chain == chain {
			return h, Proof{Index: i, Of: len(c.Heads), Path: InclusionProof(c.Heads, i)}, true
		}
	}
	return Head{}, Proof{}, false
}

// SealedCheckpoint is a checkpoint with its seal by the sealing key.
type SealedCheckpoint struct {
	Checkpoint
	Seal eseal.Seal `json:"seal"`
}

// Sealer seals checkpoints and checks their seals (eseal.Sealer).
type Sealer interface {
	Seal(v any) (eseal.Seal, error)
	VerifySeal(v any, seal eseal.Seal) bool
}

// CheckpointDir is a directory of checkpoint files, one per sealed seq,
// each written once and never replaced (put it on append-only or
// write-once storage where there is some).
type CheckpointDir string

const checkpointPrefix, checkpointSuffix = "checkpoint-", ".json"

func (d CheckpointDir) file(seq int64) string {
	return filepath.Join(string(d), fmt.Sprintf("%s%020d%s", checkpointPrefix, seq, checkpointSuffix))
}

// Write adds c to the directory unless a checkpoint of its seq is there
// already, and reports whether it did.
func (d CheckpointDir) Write(c SealedCheckpoint) (bool, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return false, fmt.Errorf("audit: encode checkpoint: %w", err)
	}
	written, err := keyfile.Create(d.file(c.Seq), append(b, '\n'))
	if err != nil {
		return false, fmt.Errorf("audit: write checkpoint: %w", err)
	}
	return written, nil
}

// Load returns every checkpoint in the directory in seq order, each with
// its seal checked. A file that is not a genuine checkpoint is a break: a
// forged or altered checkpoint is tampering as much as an altered row.
func (d CheckpointDir) Load(s Sealer) ([]Checkpoint, *Break, error) {
	entries, err := os.ReadDir(string(d))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	var out []Checkpoint
	for _, e := range entries {
		name := e.Name()
		digits, ok := strings.CutPrefix(name, checkpointPrefix)
		if digits, ok = strings.CutSuffix(digits, checkpointSuffix); !ok || e.IsDir() {
			continue
		}
		seq, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(string(d), name))
		if err != nil {
			return nil, nil, fmt.Errorf("audit: read checkpoint: %w", err)
		}
		var c SealedCheckpoint
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, &Break{Seq: seq, Reason: fmt.Sprintf("checkpoint file %s is not a checkpoint", name)}, nil
		}
		if c.Seq != seq || !s.VerifySeal(c.Checkpoint, c.Seal) {
			return nil, &Break{Seq: seq, Reason: fmt.Sprintf("checkpoint file %s: its seal does not verify with the keyring", name)}, nil
		}
		switch cp := c.Checkpoint; {
		case len(cp.Heads) > 0:
			if !slices.IsSortedFunc(cp.Heads, func(a, b Head) int { return a.Chain - b.Chain }) || MerkleRoot(cp.Heads) != cp.Hash {
				return nil, &Break{Seq: seq, Reason: fmt.Sprintf("checkpoint file %s: its root does not match its heads", name)}, nil
			}
		case cp.Seq > 0: // sealed before the trail had chains
			c.Heads = []Head{{Chain: 0, ChainSeq: cp.Seq, Seq: cp.Seq, Hash: cp.Hash}}
		}
		out = append(out, c.Checkpoint)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil, nil
}

// Rows is the audit trail as the store keeps it.
type Rows interface {
	// AuditRows calls fn with every row, each chain's in chain_seq order,
	// from the chain_seq from gives for its chain (1 for a chain it does
	// not name), until fn returns an error, which AuditRows returns.
	AuditRows(ctx context.Context, from map[int]int64, fn func(Row) error) error
	// AuditHeads returns each chain's last row, in chain order.
	AuditHeads(ctx context.Context) ([]Row, error)
}

// Trail verifies the audit chain and seals its head.
type Trail struct {
	Rows Rows
	Keys Keyring
	// Checkpoints is where sealed heads are kept; "" keeps none (the
	// chain then rests on the audit key alone).
	Checkpoints CheckpointDir
	// Sealer seals checkpoints and checks them.
	Sealer Sealer
}

// Report is what a verification found.
type Report struct {
	Checked int64
	Broken  *Break
	// Checkpoints is how many sealed checkpoints the chain was checked
	// against; Latest the newest of them.
	Checkpoints int
	Latest      *Checkpoint
}

var errStop = errors.New("stop")

func (t *Trail) checkpoints() ([]Checkpoint, *Break, error) {
	if t.Checkpoints == "" {
		return nil, nil, nil
	}
	if t.Sealer == nil {
		return nil, nil, errors.New("audit: checkpoints need a sealer to check them")
	}
	return t.Checkpoints.Load(t.Sealer)
}

// Verify walks the whole trail against the audit keys and every
// checkpoint, reporting the break with the lowest seq.
func (t *Trail) Verify(ctx context.Context) (Report, error) {
	cps, broken, err := t.checkpoints()
	if err != nil || broken != nil {
		return Report{Broken: broken}, err
	}
	rep := Report{Checkpoints: len(cps)}
	if len(cps) > 0 {
		rep.Latest = &cps[len(cps)-1]
	}
	v := NewVerifier(t.Keys, cps)
	err = t.Rows.AuditRows(ctx, nil, func(r Row) error {
		v.Next(r)
		return nil
	})
	rep.Checked = v.Checked()
	if err != nil {
		return rep, err
	}
	rep.Broken = v.End()
	return rep, nil
}

// ErrBroken: the chain does not verify, so no checkpoint was sealed.
var ErrBroken = errors.New("audit: the chain does not verify")

// Checkpoint seals every chain's head, under one Merkle root, into the
// checkpoint directory, after checking each chain's rows since the last
// checkpoint (all of them the first time): a checkpoint never vouches for
// a trail that does not verify. It writes nothing when the heads are the
// last checkpoint's, and returns the checkpoint the directory now ends
// with.
func (t *Trail) Checkpoint(ctx context.Context, now time.Time) (Checkpoint, bool, error) {
	if t.Checkpoints == "" {
		return Checkpoint{}, false, errors.New("audit: no checkpoint directory is configured")
	}
	cps, broken, err := t.checkpoints()
	if err != nil {
		return Checkpoint{}, false, err
	}
	if broken != nil {
		return Checkpoint{}, false, fmt.Errorf("%w: %s", ErrBroken, broken.Reason)
	}
	key, err := t.Keys.Current()
	if err != nil {
		return Checkpoint{}, false, err
	}
	rows, err := t.Rows.AuditHeads(ctx) // one statement: one instant of every chain
	if err != nil {
		return Checkpoint{}, false, err
	}
	next := Checkpoint{KeyID: key.ID, At: now.UTC().Truncate(time.Second)}
	upTo := map[int]int64{}
	for _, r := range rows {
		next.Heads = append(next.Heads, Head{Chain: r.Chain, ChainSeq: r.ChainSeq, Seq: r.Seq, Hash: r.Hash})
		next.Seq = max(next.Seq, r.Seq)
		upTo[r.Chain] = r.ChainSeq
	}
	next.Hash = MerkleRoot(next.Heads)
	v := NewVerifier(t.Keys, cps)
	v.sealing = true
	var from map[int]int64
	if len(cps) > 0 {
		last := cps[len(cps)-1]
		if last.Seq == next.Seq && slices.Equal(last.Heads, next.Heads) {
			return last, false, nil
		}
		v.from(last)
		from = map[int]int64{}
		for _, h := range last.Heads {
			from[h.Chain] = h.ChainSeq
		}
	}
	err = t.Rows.AuditRows(ctx, from, func(r Row) error {
		if end, ok := upTo[r.Chain]; !ok || r.ChainSeq > end { // appended since we read the heads
			return nil
		}
		if v.Next(r) != nil {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return Checkpoint{}, false, err
	}
	if broken = v.End(); broken != nil {
		return Checkpoint{}, false, fmt.Errorf("%w at row %d: %s", ErrBroken, broken.Seq, broken.Reason)
	}
	seal, err := t.Sealer.Seal(next)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("audit: seal checkpoint: %w", err)
	}
	written, err := t.Checkpoints.Write(SealedCheckpoint{Checkpoint: next, Seal: seal})
	return next, written, err
}
