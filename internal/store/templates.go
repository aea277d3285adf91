package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/document"
)

// SaveTemplate stores t as the next version of its ID and returns it with
// that version. Versions never change once written.
func (s *Store) SaveTemplate(ctx context.Context, t document.Template, createdBy string) (document.Template, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return document.Template{}, err
	}
	err = s.audited(ctx, "template.saved", "template", t.ID, func(tx pgx.Tx) (any, any, error) {
		err := tx.QueryRow(ctx, `INSERT INTO templates (id, version, name, language, body, created_by)
			SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 FROM templates WHERE id = $1
			RETURNING version`, t.ID, t.Name, t.Language, body, createdBy).Scan(&t.Version)
		return nil, t, err
	})
	if err != nil {
		return document.Template{}, wrap(fmt.Sprintf("save template %s", t.ID), err)
	}
	return t, nil
}

// Template returns a template version, the newest when version is 0.
func (s *Store) Template(ctx context.Context, id string, version int) (document.Template, error) {
	t, v, err := versioned[document.Template](ctx, s, "templates", id, version)
	t.Version = v
	return t, err
}

// versioned reads one version of a versioned JSON document (a template, a
// policy) from table: the newest when version is 0. table is one of ours,
// never client input.
func versioned[T any](ctx context.Context, s *Store, table, id string, version int) (T, int, error) {
	var body T
	var v int
	err := s.pool.QueryRow(ctx, `SELECT body, version FROM `+pgx.Identifier{table}.Sanitize()+`
		WHERE id = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1`, id, version).Scan(&body, &v)
	if err != nil {
		return body, 0, wrap(fmt.Sprintf("%s %s", table, id), err)
	}
	return body, v, nil
}

// TemplateSummary names a template's newest version.
type TemplateSummary struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Name     string `json:"name"`
	Language string `json:"language"`
}

// Templates lists the newest version in use (not retired) of every
// template that has one.
func (s *Store) Templates(ctx context.Context) ([]TemplateSummary, error) {
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT ON (t.id) t.id, t.version, t.name, t.language FROM templates t
		WHERE NOT EXISTS (SELECT 1 FROM template_retirements r WHERE r.template_id = t.id AND r.version = t.version)
		ORDER BY t.id, t.version DESC`)
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[TemplateSummary])
	if err != nil {
		return nil, wrap("templates", err)
	}
	return ts, nil
}

// SaveLibraryClause stores c as the next version of its ID.
func (s *Store) SaveLibraryClause(ctx context.Context, c document.LibraryClause, createdBy string) (document.LibraryClause, error) {
	err := s.audited(ctx, "clause.saved", "clause", c.ID, func(tx pgx.Tx) (any, any, error) {
		err := tx.QueryRow(ctx, `INSERT INTO clause_library (id, version, title, body, language, created_by)
			SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 FROM clause_library WHERE id = $1
			RETURNING version`, c.ID, c.Title, c.Body, c.Language, createdBy).Scan(&c.Version)
		return nil, c, err
	})
	if err != nil {
		return document.LibraryClause{}, wrap(fmt.Sprintf("save clause %s", c.ID), err)
	}
	return c, nil
}

// LibraryClause returns the newest version of a library clause.
func (s *Store) LibraryClause(ctx context.Context, id string) (document.LibraryClause, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, version, title, body, language FROM clause_library
		WHERE id = $1 ORDER BY version DESC LIMIT 1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[document.LibraryClause])
	if err != nil {
		return document.LibraryClause{}, wrap(fmt.Sprintf("clause %s", id), err)
	}
	return c, nil
}

// LibraryClauses lists the newest version of every library clause.
func (s *Store) LibraryClauses(ctx context.Context) ([]document.LibraryClause, error) {
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT ON (id) id, version, title, body, language FROM clause_library ORDER BY id, version DESC`)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[document.LibraryClause])
	if err != nil {
		return nil, wrap("clause library", err)
	}
	return cs, nil
}

// TemplateRetirement is when, by whom and why a template version was
// retired from use.
type TemplateRetirement struct {
	Version   int       `db:"version"`
	Reason    string    `db:"reason"`
	RetiredBy string    `db:"retired_by"`
	RetiredAt time.Time `db:"retired_at"`
}

// CurrentTemplate returns the newest version of template id not retired;
// domain.ErrNotFound when there is none.
func (s *Store) CurrentTemplate(ctx context.Context, id string) (document.Template, error) {
	var t document.Template
	var v int
	err := s.pool.QueryRow(ctx, `SELECT body, version FROM templates t WHERE id = $1
		AND NOT EXISTS (SELECT 1 FROM template_retirements r WHERE r.template_id = t.id AND r.version = t.version)
		ORDER BY version DESC LIMIT 1`, id).Scan(&t, &v)
	if err != nil {
		return document.Template{}, wrap("current version of template "+id, err)
	}
	t.Version = v
	return t, nil
}

// TemplateRetirements lists the retired versions of template id, oldest
// first.
func (s *Store) TemplateRetirements(ctx context.Context, id string) ([]TemplateRetirement, error) {
	rows, _ := s.pool.Query(ctx, `SELECT version, reason, retired_by, retired_at FROM template_retirements
		WHERE template_id = $1 ORDER BY version`, id)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[TemplateRetirement])
	if err != nil {
		return nil, wrap("retirements of template "+id, err)
	}
	return list, nil
}

// RetireTemplate retires version of template id, audited; retiring it
// again changes nothing. It returns the retirement as recorded.
func (s *Store) RetireTemplate(ctx context.Context, id string, version int, reason, by string) (TemplateRetirement, error) {
	var r TemplateRetirement
	err := s.audited(ctx, "template.retired", "template", fmt.Sprintf("%s/v%d", id, version), func(tx pgx.Tx) (any, any, error) {
		tag, err := tx.Exec(ctx, `INSERT INTO template_retirements (template_id, version, reason, retired_by)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, id, version, reason, by)
		if err != nil {
			return nil, nil, err
		}
		rows, _ := tx.Query(ctx, `SELECT version, reason, retired_by, retired_at FROM template_retirements
			WHERE template_id = $1 AND version = $2`, id, version)
		if r, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[TemplateRetirement]); err != nil {
			return nil, nil, err
		}
		if tag.RowsAffected() == 0 {
			return nil, nil, errRetiredBefore
		}
		return nil, r, nil
	})
	if errors.Is(err, errRetiredBefore) {
		return r, nil
	}
	if err != nil {
		return TemplateRetirement{}, wrap(fmt.Sprintf("retire template %s v%d", id, version), err)
	}
	return r, nil
}

// errRetiredBefore rolls back a retirement's audit entry when the
// version was already retired.
var errRetiredBefore = errors.New("retired before")
