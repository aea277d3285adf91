package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/policy"
)

// SavePolicy stores p as the next version of its ID.
func (s *Store) SavePolicy(ctx context.Context, p policy.Policy, createdBy string) (policy.Policy, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Serialise versions of one policy so two saves cannot take the same.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('policy:' || $1))`, p.ID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM approval_policies WHERE id = $1`, p.ID).Scan(&p.Version); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO approval_policies (id, version, body, created_by) VALUES ($1, $2, $3, $4)`, p.ID, p.Version, p, createdBy); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "policy.saved", "policy", p.ID, nil, p)
	})
	if err != nil {
		return policy.Policy{}, wrap(fmt.Sprintf("save policy %s", p.ID), err)
	}
	return p, nil
}

// Policy returns a policy version, the newest when version is 0.
func (s *Store) Policy(ctx context.Context, id string, version int) (policy.Policy, error) {
	p, v, err := versioned[policy.Policy](ctx, s, "approval_policies", id, version)
	p.Version = v
	return p, err
}

// Policies returns the newest version of every stored policy, by ID.
func (s *Store) Policies(ctx context.Context) ([]policy.Policy, error) {
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT ON (id) body, version FROM approval_policies ORDER BY id, version DESC`)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (policy.Policy, error) {
		var p policy.Policy
		err := row.Scan(&p, &p.Version)
		return p, err
	})
	if err != nil {
		return nil, wrap("policies", err)
	}
	return list, nil
}

// SaveRiskRules stores the rule set as its next version.
func (s *Store) SaveRiskRules(ctx context.Context, rules []policy.RiskRule, createdBy string) (int, error) {
	var version int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE risk_rule_sets IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM risk_rule_sets`).Scan(&version); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO risk_rule_sets (version, rules, created_by) VALUES ($1, $2, $3)`, version, rules, createdBy); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "risk_rules.saved", "risk_rules", fmt.Sprint(version), nil, rules)
	})
	if err != nil {
		return 0, wrap("save risk rules", err)
	}
	return version, nil
}

// RiskRules returns the newest rule set and its version (0 and none when
// no rule set was ever saved).
func (s *Store) RiskRules(ctx context.Context) ([]policy.RiskRule, int, error) {
	var rules []policy.RiskRule
	var version int
	err := s.pool.QueryRow(ctx, `SELECT rules, version FROM risk_rule_sets ORDER BY version DESC LIMIT 1`).Scan(&rules, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return []policy.RiskRule{}, 0, nil
	}
	if err != nil {
		return nil, 0, wrap("risk rules", err)
	}
	return rules, version, nil
}
