package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/keyfile"
)

// Checkpoint is the chain's head at one moment, sealed and kept outside
// the database: whoever rewrites or cuts the chain below it, even with
// the audit key, no longer matches it.
type Checkpoint struct {
	Seq  int64  `json:"seq"`  // 0: the empty chain
	Hash string `json:"hash"` // the row's hash (Genesis for seq 0)
	// KeyID is the audit key the row was chained with ("" before the
	// audit key; the current key for seq 0).
	KeyID string    `json:"audit_key_id"`
	At    time.Time `json:"at"` // UTC, seconds
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
		out = append(out, c.Checkpoint)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil, nil
}

// Rows is the audit trail as the store keeps it.
type Rows interface {
	// AuditRows calls fn with each row after seq after, in order, until
	// fn returns an error, which AuditRows returns.
	AuditRows(ctx context.Context, after int64, fn func(Row) error) error
	// AuditHead returns the last row; false when the trail is empty.
	AuditHead(ctx context.Context) (Row, bool, error)
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

// Verify walks the whole chain against the audit keys and every
// checkpoint, stopping at the first break.
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
	err = t.Rows.AuditRows(ctx, 0, func(r Row) error {
		if rep.Broken = v.Next(r); rep.Broken != nil {
			return errStop
		}
		return nil
	})
	rep.Checked = v.Checked()
	if err != nil && !errors.Is(err, errStop) {
		return rep, err
	}
	if rep.Broken == nil {
		rep.Broken = v.End()
	}
	return rep, nil
}

// ErrBroken: the chain does not verify, so no checkpoint was sealed.
var ErrBroken = errors.New("audit: the chain does not verify")

// Checkpoint seals the chain's head into the checkpoint directory, after
// checking the rows since the last checkpoint (all of them the first
// time): a checkpoint never vouches for a chain that does not verify. It
// writes nothing when the head is the last checkpoint's, and returns the
// checkpoint the directory now ends with.
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
	next := Checkpoint{Hash: Genesis, KeyID: key.ID, At: now.UTC().Truncate(time.Second)}
	head, ok, err := t.Rows.AuditHead(ctx)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if ok {
		next.Seq, next.Hash, next.KeyID = head.Seq, head.Hash, head.KeyID
	}
	v := NewVerifier(t.Keys, cps)
	v.sealing = true
	after := int64(0)
	if len(cps) > 0 {
		last := cps[len(cps)-1]
		if last.Seq == next.Seq && last.Hash == next.Hash {
			return last, false, nil
		}
		v.from(last)
		after = max(last.Seq-1, 0)
	}
	err = t.Rows.AuditRows(ctx, after, func(r Row) error {
		if r.Seq > next.Seq { // appended since we read the head
			return errStop
		}
		if broken = v.Next(r); broken != nil {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return Checkpoint{}, false, err
	}
	if broken == nil {
		broken = v.End()
	}
	if broken != nil {
		return Checkpoint{}, false, fmt.Errorf("%w at row %d: %s", ErrBroken, broken.Seq, broken.Reason)
	}
	seal, err := t.Sealer.Seal(next)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("audit: seal checkpoint: %w", err)
	}
	written, err := t.Checkpoints.Write(SealedCheckpoint{Checkpoint: next, Seal: seal})
	return next, written, err
}
