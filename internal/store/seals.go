package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
)

// Seal is a company seal (电子印章) with who may apply it. PNG is empty
// in listings (SealImage reads it).
type Seal struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	SHA256        string     `json:"sha256"`
	Width         int        `json:"width"`
	Height        int        `json:"height"`
	Active        bool       `json:"active"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	DeactivatedBy *string    `json:"deactivated_by,omitempty"`
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
	// Appliers are the users who may apply it, by ID.
	Appliers []SealApplier `json:"appliers"`
	PNG      []byte        `json:"-"`
}

// SealApplier is one user an admin named to apply a seal.
type SealApplier struct {
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// AppliedSeal is the seal a company signer applied with their signature.
type AppliedSeal struct {
	SignatureID string
	SealID      string
	Name        string
	SHA256      string
	PNG         []byte
	AppliedBy   string // the signer's name
	AppliedAt   time.Time
}

const sealColumns = `s.id, s.name, s.sha256, s.width, s.height, s.active, s.created_by, s.created_at, s.deactivated_by, s.deactivated_at`

func scanSeal(row pgx.CollectableRow) (Seal, error) {
	var s Seal
	err := row.Scan(&s.ID, &s.Name, &s.SHA256, &s.Width, &s.Height, &s.Active, &s.CreatedBy, &s.CreatedAt, &s.DeactivatedBy, &s.DeactivatedAt)
	return s, err
}

// AddSeal stores a new seal, audited without its image bytes (the
// hash names them).
func (s *Store) AddSeal(ctx context.Context, seal Seal) error {
	err := s.audited(ctx, "seal.added", "seal", seal.ID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `INSERT INTO seals (id, name, png, sha256, width, height, active, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8)`,
			seal.ID, seal.Name, seal.PNG, seal.SHA256, seal.Width, seal.Height, seal.CreatedBy, seal.CreatedAt)
		return nil, seal, err
	})
	if err != nil {
		return wrap(fmt.Sprintf("add seal %s", seal.ID), err)
	}
	return nil
}

// Seals lists every seal, oldest first, with its appliers and without
// its image.
func (s *Store) Seals(ctx context.Context) ([]Seal, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+sealColumns+` FROM seals s ORDER BY s.created_at, s.id`)
	list, err := pgx.CollectRows(rows, scanSeal)
	if err != nil {
		return nil, wrap("seals", err)
	}
	appliers, err := s.sealAppliers(ctx, s.pool, "")
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Appliers = appliers[list[i].ID]
		if list[i].Appliers == nil {
			list[i].Appliers = []SealApplier{}
		}
	}
	return list, nil
}

// Seal returns one seal with its appliers and image, or domain.ErrNotFound.
func (s *Store) Seal(ctx context.Context, id string) (Seal, error) {
	return s.seal(ctx, s.pool, id, false)
}

type sealQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func (s *Store) seal(ctx context.Context, q sealQuerier, id string, lock bool) (Seal, error) {
	sql := `SELECT ` + sealColumns + `, s.png FROM seals s WHERE s.id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	rows, _ := q.Query(ctx, sql, id)
	seal, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (Seal, error) {
		var v Seal
		err := row.Scan(&v.ID, &v.Name, &v.SHA256, &v.Width, &v.Height, &v.Active, &v.CreatedBy, &v.CreatedAt, &v.DeactivatedBy, &v.DeactivatedAt, &v.PNG)
		return v, err
	})
	if err != nil {
		return Seal{}, wrap(fmt.Sprintf("seal %s", id), err)
	}
	appliers, err := s.sealAppliers(ctx, q, id)
	if err != nil {
		return Seal{}, err
	}
	seal.Appliers = appliers[id]
	if seal.Appliers == nil {
		seal.Appliers = []SealApplier{}
	}
	return seal, nil
}

// sealAppliers are the appliers of seal id (every seal's when id is
// empty), by seal, each list by user ID.
func (s *Store) sealAppliers(ctx context.Context, q sealQuerier, id string) (map[string][]SealApplier, error) {
	rows, _ := q.Query(ctx, `SELECT a.seal_id, a.user_id, u.name, a.granted_by, a.granted_at
		FROM seal_appliers a JOIN users u ON u.id = a.user_id
		WHERE $1 = '' OR a.seal_id = $1 ORDER BY a.seal_id, a.user_id`, id)
	out := map[string][]SealApplier{}
	var sealID string
	var a SealApplier
	_, err := pgx.ForEachRow(rows, []any{&sealID, &a.UserID, &a.Name, &a.GrantedBy, &a.GrantedAt}, func() error {
		out[sealID] = append(out[sealID], a)
		return nil
	})
	if err != nil {
		return nil, wrap("seal appliers", err)
	}
	return out, nil
}

// SetSealAppliers replaces who may apply a seal, audited with the lists
// before and after; an unknown seal is domain.ErrNotFound.
func (s *Store) SetSealAppliers(ctx context.Context, sealID string, userIDs []string, by string, at time.Time) error {
	err := s.audited(ctx, "seal.appliers_set", "seal", sealID, func(tx pgx.Tx) (any, any, error) {
		before, err := s.seal(ctx, tx, sealID, true)
		if err != nil {
			return nil, nil, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM seal_appliers WHERE seal_id = $1 AND NOT (user_id = ANY($2::text[]))`, sealID, userIDs); err != nil {
			return nil, nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO seal_appliers (seal_id, user_id, granted_by, granted_at)
			SELECT $1, unnest($2::text[]), $3, $4 ON CONFLICT (seal_id, user_id) DO NOTHING`, sealID, userIDs, by, at); err != nil {
			return nil, nil, err
		}
		return applierIDs(before.Appliers), userIDs, nil
	})
	if err != nil {
		return wrap(fmt.Sprintf("set appliers of seal %s", sealID), err)
	}
	return nil
}

func applierIDs(list []SealApplier) []string {
	ids := make([]string, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.UserID)
	}
	return ids
}

// DeactivateSeal retires a seal: nobody may apply it from now on, and
// the signatures that did keep it. Deactivating it again changes nothing.
func (s *Store) DeactivateSeal(ctx context.Context, sealID, by string, at time.Time) error {
	err := s.audited(ctx, "seal.deactivated", "seal", sealID, func(tx pgx.Tx) (any, any, error) {
		before, err := s.seal(ctx, tx, sealID, true)
		if err != nil {
			return nil, nil, err
		}
		if !before.Active {
			return map[string]bool{"active": false}, map[string]bool{"active": false}, nil
		}
		_, err = tx.Exec(ctx, `UPDATE seals SET active = false, deactivated_by = $2, deactivated_at = $3 WHERE id = $1`, sealID, by, at)
		return map[string]bool{"active": true}, map[string]bool{"active": false}, err
	})
	if err != nil {
		return wrap(fmt.Sprintf("deactivate seal %s", sealID), err)
	}
	return nil
}

// SealsOf lists the active seals userID may apply, oldest first, without
// images.
func (s *Store) SealsOf(ctx context.Context, userID string) ([]Seal, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+sealColumns+` FROM seals s JOIN seal_appliers a ON a.seal_id = s.id
		WHERE s.active AND a.user_id = $1 ORDER BY s.created_at, s.id`, userID)
	list, err := pgx.CollectRows(rows, scanSeal)
	if err != nil {
		return nil, wrap(fmt.Sprintf("seals of %s", userID), err)
	}
	return list, nil
}

// ApplySeal records the seal applied with a signature, keyed by the
// signature: a retried write keeps the first and changes nothing.
func (s *Store) ApplySeal(ctx context.Context, signatureID, sealID, appliedBy string, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO seal_applications (signature_id, seal_id, applied_by, applied_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (signature_id) DO NOTHING`, signatureID, sealID, appliedBy, at)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var number string
		if err := tx.QueryRow(ctx, `SELECT contract_number FROM signatures WHERE id = $1`, signatureID).Scan(&number); err != nil {
			return err
		}
		actx := audit.WithActor(ctx, audit.Actor{UserID: appliedBy, RequestID: "seal:" + signatureID})
		return s.appendAudit(actx, tx, "seal.applied", "contract", number, nil,
			map[string]string{"signature_id": signatureID, "seal_id": sealID})
	})
	if err != nil {
		return wrap(fmt.Sprintf("apply seal %s to signature %s", sealID, signatureID), err)
	}
	return nil
}

// AppliedSeal returns the seal the company applied to a contract
// version (its first company signature's that carries one), or
// domain.ErrNotFound when none did.
func (s *Store) AppliedSeal(ctx context.Context, number string, version int) (AppliedSeal, error) {
	var a AppliedSeal
	err := s.pool.QueryRow(ctx, `SELECT g.id, s.id, s.name, s.sha256, s.png, g.signer_name, ap.applied_at
		FROM seal_applications ap JOIN signatures g ON g.id = ap.signature_id JOIN seals s ON s.id = ap.seal_id
		WHERE g.contract_number = $1 AND g.version = $2 AND g.party = $3 AND g.voided_at IS NULL
		ORDER BY g.signed_at, g.id LIMIT 1`, number, version, string(domain.PartyCompany)).
		Scan(&a.SignatureID, &a.SealID, &a.Name, &a.SHA256, &a.PNG, &a.AppliedBy, &a.AppliedAt)
	if err != nil {
		return AppliedSeal{}, wrap(fmt.Sprintf("seal applied to %s v%d", number, version), err)
	}
	return a, nil
}
